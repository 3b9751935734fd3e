"""Secrets handed out once and stored only as digests, and keyed hashes of visitor data."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def token_digest(token: str) -> str:
    """How single-use tokens (invites) are stored: never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def visitor_hash(secret_key: str, *parts: str) -> str:
    """A keyed hash of visitor data (an IP address, an email): the raw value is never stored."""
    return hmac.new(secret_key.encode(), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()[
        :32
    ]
