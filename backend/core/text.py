"""Text people type (names, titles), cleaned the same way everywhere."""

from __future__ import annotations

import unicodedata

from backend.core.errors import Invalid
from backend.core.fields import label
from backend.core.i18n import msg

_ZERO_WIDTH_JOINER = "\u200d"
_EMOJI_PRESENTATION = "\ufe0f"


def _joins_emoji(text: str, at: int) -> bool:
    """Whether the zero-width joiner at `at` glues two emoji into one (👩🏽‍💻, ❤️‍🔥).

    The joiner is a format character like the bidirectional overrides, but emoji sequences need
    it; between letters it would only hide in a name, so only this use passes.
    """
    if at == 0 or at + 1 >= len(text):
        return False
    before, after = text[at - 1], text[at + 1]
    return unicodedata.category(after) == "So" and (
        before == _EMOJI_PRESENTATION or unicodedata.category(before) in ("So", "Sk")
    )


def clean_text(value: str, field: str, *, multiline: bool = False) -> str:
    """Trimmed, NFC-normalized text without control characters; empty is refused.

    `multiline` is for text written in paragraphs (a story, a kudos message): line breaks
    (CR LF and CR become LF) and tabs stay; every other control character is still refused.
    """
    text = value.strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    if not text:
        raise Invalid(
            msg("Write something for {field}; it cannot be blank.", field=label(field)),
            field=field,
        )
    allowed = "\n\t" if multiline else ""
    for at, ch in enumerate(text):
        if ch in allowed or (ch == _ZERO_WIDTH_JOINER and _joins_emoji(text, at)):
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs"):
            raise Invalid(
                msg("Remove the invisible control characters from {field}.", field=label(field)),
                field=field,
            )
    return text
