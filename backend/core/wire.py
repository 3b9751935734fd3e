"""The one base for every msgspec struct on the wire: camelCase names, unknown fields refused."""

from __future__ import annotations

import base64
import binascii
from types import SimpleNamespace
from typing import Annotated, Any, Generic, TypeVar

import msgspec

from backend.core.errors import Invalid
from backend.core.i18n import msg

T = TypeVar("T")
W = TypeVar("W", bound="Wire")


class Wire(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    """Base of request and response bodies."""


class Page(Wire, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


Limit = Annotated[int, msgspec.Meta(ge=1, le=100)]


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(list(key))).decode().rstrip("=")


def created_at_cursor(rows: list[dict[str, Any]], limit: int) -> str | None:
    """For a page read as `limit + 1` rows ordered by (created_at, id): the cursor after the
    last row shown, or None when that was the last page."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor(last["created_at"].isoformat(), str(last["id"]))


def decode_cursor(cursor: str, shape: type[T]) -> T:
    """The sort key a cursor carries, typed; a cursor this server did not write is a clear 422."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return msgspec.json.decode(base64.urlsafe_b64decode(padded.encode()), type=shape)
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise Invalid(msg("The cursor is not one this server returned.")) from exc


def from_row(row: dict[str, Any], wire_type: type[W]) -> W:
    """A database row (snake_case keys) as a wire struct, validated by msgspec."""
    return msgspec.convert(SimpleNamespace(**row), wire_type, from_attributes=True)
