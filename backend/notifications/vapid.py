"""VAPID keys for Web Push: raw P-256 keys, base64url, as browsers and pywebpush expect them."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend.settings import Settings


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate() -> tuple[str, str]:
    """(private, public): a new key pair."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64(key.private_numbers().private_value.to_bytes(32, "big")), public_of_key(key)


def public_of_key(key: ec.EllipticCurvePrivateKey) -> str:
    return b64(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def public_of(private: str) -> str:
    """The applicationServerKey browsers subscribe with, from the private key."""
    key = ec.derive_private_key(int.from_bytes(unb64(private), "big"), ec.SECP256R1())
    return public_of_key(key)


def private_key(settings: Settings) -> str | None:
    """The configured private key (setting, or key file); None when push is not set up."""
    if settings.vapid_private_key:
        return settings.vapid_private_key.strip()
    if settings.vapid_private_key_file:
        path = Path(settings.vapid_private_key_file)
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    return None


def dev_key_file(data_dir: Path) -> Path:
    """`chorus dev`'s key: generated into the data directory on first run, never committed."""
    path = data_dir / "vapid_private_key"
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        private, _ = generate()
        path.write_text(private + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path
