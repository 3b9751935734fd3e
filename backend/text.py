"""Text people type (names, titles), cleaned the same way everywhere."""

from __future__ import annotations

import unicodedata

from backend.errors import Invalid


def clean_text(value: str, field: str) -> str:
    """Trimmed, NFC-normalized text without control characters; empty is refused."""
    text = unicodedata.normalize("NFC", value.strip())
    if not text:
        raise Invalid(f"{field} must not be blank.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in text):
        raise Invalid(f"{field} must not contain control characters.")
    return text
