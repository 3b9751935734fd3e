"""Secrets handed out once and stored only as digests, and keyed hashes of visitor data."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache
from typing import Literal

# Every use of the one CHORUS_SECRET_KEY gets a key of its own, so a key that leaks from one use
# (a log of HMACs, a token) tells nothing about the others.
Purpose = Literal["tokens", "login-throttle", "idempotency", "post-keys", "sso-secrets", "walls"]


def token_digest(token: str) -> str:
    """How single-use tokens (invites) are stored: never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@lru_cache(maxsize=64)
def derive_key(secret_key: str, purpose: Purpose) -> str:
    """HKDF-SHA256 (RFC 5869) of the secret with the purpose as `info`: 32 bytes, base64url."""
    prk = hmac.new(b"chorus-hkdf-salt-v1", secret_key.encode(), hashlib.sha256).digest()
    okm = hmac.new(prk, f"chorus/{purpose}".encode() + b"\x01", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(okm).decode().rstrip("=")


def visitor_hash(secret_key: str, *parts: str) -> str:
    """A keyed hash of visitor data (an IP address, an email): the raw value is never stored."""
    return hmac.new(secret_key.encode(), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()[
        :32
    ]


def erased_post_key(key_for_post_keys: str, post_key: str) -> str:
    """What an erased person's post key becomes: a keyed hash, still unique per post (the same
    post cannot be claimed again by anyone), no longer naming the post or its author."""
    digest = hmac.new(key_for_post_keys.encode(), post_key.encode(), hashlib.sha256).hexdigest()
    return f"erased:{digest}"
