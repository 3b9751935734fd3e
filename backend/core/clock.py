"""The one place Chorus reads the time, so tests can drive a clock instead of waiting."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
