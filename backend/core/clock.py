"""The one place Chorus reads the time, so tests can drive a clock instead of waiting."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def in_words(seconds: int) -> str:
    """A wait as a person says it: "a few seconds", "a minute", "15 minutes", "2 hours"."""
    if seconds < 45:
        return "a few seconds"
    minutes = round(seconds / 60)
    if minutes <= 1:
        return "a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(minutes / 60)
    return "an hour" if hours <= 1 else f"{hours} hours"
