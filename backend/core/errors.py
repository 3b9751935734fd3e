"""The errors a service raises: what went wrong, in the product's words, with an HTTP status.

Services raise these and never HTTP exceptions; `backend/http/problems.py` is their one mapping
to RFC 9457 problem details. Nothing here knows about Litestar.
"""

from __future__ import annotations

from typing import Any

from backend.core.i18n import Text


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: Text,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        """`detail` is a plain sentence for a person, `msg(...)` so it reaches them in their
        language; `field`, when one body field caused it, is its camelCase JSON path (`postUrl`,
        `shareText.x`, `teamIds[2]`): the answer then carries `errors: [{field, message}]` so a
        form can show it next to that field."""
        super().__init__(str(detail))
        self.detail = str(detail)  # in English (logs, SCIM, machines)
        self.message = detail  # rendered in the reader's language by the problem mapping
        self.field = field
        self.headers = headers or {}
        self.extra = extra

    @property
    def errors(self) -> list[dict[str, Any]] | None:
        if self.field is None:
            return None
        return [{"field": self.field, "message": self.message}]


class Invalid(DomainError):
    status = 422
    title = "Invalid input"


class Unauthorized(DomainError):
    status = 401
    title = "Not signed in"


class Forbidden(DomainError):
    status = 403
    title = "Not allowed"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Gone(DomainError):
    status = 410
    title = "Gone"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"


class Unavailable(DomainError):
    status = 503
    title = "Service unavailable"
