"""The one place Chorus reads the time, so tests can drive a clock instead of waiting."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.core.i18n import Message, msg, msg_n


def now() -> datetime:
    return datetime.now(UTC)


def in_words(seconds: int) -> Message:
    """A wait as a person says it after "try again in": "a few seconds", "a minute",
    "15 minutes", "2 hours" (translated to read after that language's "in")."""
    if seconds < 45:
        return msg("a few seconds")
    minutes = round(seconds / 60)
    if minutes <= 1:
        return msg("a minute")
    if minutes < 60:
        return msg_n("{n} minute", "{n} minutes", minutes, n=minutes)
    hours = round(minutes / 60)
    if hours <= 1:
        return msg("an hour")
    return msg_n("{n} hour", "{n} hours", hours, n=hours)
