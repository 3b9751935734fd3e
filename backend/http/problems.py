"""The one mapping of every error to RFC 9457 problem details.

Services raise `backend.core.errors.DomainError` subclasses and never HTTP exceptions;
`exception_handlers` turns every error (domain, validation, framework, unexpected) into
`application/problem+json` with a human-readable `detail`.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
import msgspec
import redis.exceptions
from litestar import Litestar, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi.spec import OpenAPIType, Reference, Schema
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE

from backend.core.errors import DomainError
from backend.core.i18n import Text, msg, msg_n, pick, render
from backend.http import field_errors
from backend.logs import current_request_id

log = logging.getLogger("chorus.errors")

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 2


class FieldError(msgspec.Struct):
    """One field's problem: `field` is its camelCase JSON path (`postUrl`, `shareText.x`,
    `hashtags[0]`), `message` a sentence to show next to it."""

    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details. `errors` (an extension member) lists the body fields that
    caused a 400 or 422, each with a plain-language sentence; `detail` is the first of them."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = msgspec.field(default=None, name="requestId")
    errors: list[dict[str, Any]] | None = None


def document_problems(app: Litestar) -> None:
    """Add ProblemDetails and FieldError to the app's OpenAPI components. Litestar builds its
    components from handler types only (replacing any given in OpenAPIConfig), and no handler
    returns a problem, so the document is built now (every route is known) and added to."""
    plugin: Any = app.plugins.get("OpenAPIPlugin")
    openapi = plugin.provide_openapi()
    openapi.components.schemas = {**(openapi.components.schemas or {}), **problem_schemas()}


def problem_schemas() -> dict[str, Schema]:
    """The problem-details schema in the OpenAPI document, `errors` extension included."""
    text = Schema(type=OpenAPIType.STRING)
    field_error = Schema(
        type=OpenAPIType.OBJECT,
        required=["field", "message"],
        properties={
            "field": Schema(
                type=OpenAPIType.STRING,
                description="The camelCase JSON path of the field: postUrl, shareText.x, "
                "hashtags[0]",
            ),
            "message": Schema(
                type=OpenAPIType.STRING, description="A plain-language sentence for a person"
            ),
        },
    )
    problem = Schema(
        type=OpenAPIType.OBJECT,
        description="RFC 9457 problem details (application/problem+json).",
        required=["type", "title", "status", "detail"],
        properties={
            "type": text,
            "title": text,
            "status": Schema(type=OpenAPIType.INTEGER),
            "detail": Schema(
                type=OpenAPIType.STRING, description="What went wrong, in plain language"
            ),
            "instance": text,
            "requestId": text,
            "errors": Schema(
                type=OpenAPIType.ARRAY,
                items=Reference(ref="#/components/schemas/FieldError"),
                description="On a 400 or 422 caused by body fields: one entry per field, to "
                "show next to it (the first is also the `detail`).",
            ),
        },
    )
    return {"ProblemDetails": problem, "FieldError": field_error}


_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def request_language(request: Request[Any, Any, Any]) -> str:
    """The language of this request's reader: the signed-in person's choice, else the request's
    Accept-Language, else their organization's default, else English."""
    user = request.scope.get("user")
    return pick(
        getattr(user, "language", None),
        request.headers.get("accept-language"),
        getattr(user, "org_language", None),
    )


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    detail: Text,
    *,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[Any]:
    language = request_language(request)
    body: dict[str, Any] = msgspec.to_builtins(
        Problem(
            type="about:blank",
            title=title or _TITLES.get(status, "Error"),
            status=status,
            detail=render(detail, language),
            instance=request.url.path,
            request_id=current_request_id(),
            errors=[{k: render(v, language) for k, v in e.items()} for e in errors]
            if errors
            else None,
        )
    )
    if extra:
        body.update(extra)
    return Response(
        content=body,
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers or {},
    )


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return problem_response(
        request,
        exc.status,
        exc.message,
        title=exc.title,
        errors=exc.errors,
        headers=exc.headers,
        extra=exc.extra,
    )


def _sent_body(request: Request[Any, Any, Any]) -> Any:
    """The body this request sent, when Litestar already read it (to say "it has 312")."""
    try:
        raw = request._connection_state.body
    except AttributeError:
        return None
    return field_errors.decoded(raw if isinstance(raw, bytes) else None)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    detail: Text = exc.detail or _TITLES.get(status, "Error")
    errors = None
    if isinstance(exc, ValidationException):
        errors = field_errors.from_litestar(exc.extra, _sent_body(request)) or None
        detail = _describe_validation(str(detail), errors)
    elif isinstance(exc, NotAuthorizedException):
        detail = msg("Sign in first: send a valid bearer token or session cookie.")
    elif isinstance(exc, PermissionDeniedException) and detail == "Forbidden":
        detail = msg("Your role does not allow this.")
    elif status == 413:
        detail = msg("The request body is larger than this server accepts.")
    headers = dict(exc.headers or {})
    return problem_response(request, status, detail, errors=errors, headers=headers)


def _describe_validation(detail: str, errors: list[dict[str, Any]] | None) -> Text:
    """The first problem as a sentence (and how many more there are)."""
    if errors:
        first = errors[0].get("message", "")
        more = len(errors) - 1
        if str(first).strip():
            if not more:
                return first  # type: ignore[no-any-return]
            return msg_n(
                "{first} ({more} more below.)",
                "{first} ({more} more below.)",
                more,
                first=first,
                more=more,
            )
    if detail in ("Bad Request", "Validation failed") or "Expected" in detail:
        return msg("The request is not valid.")
    return detail


def _not_utf8(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[Any]:
    # Litestar lets a body that is not UTF-8 escape its JSON decoder as this error.
    return problem_response(request, 400, msg("The request body is not valid UTF-8 JSON."))


def _too_deep(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    # Only JSON decoding recurses without bound here: a body nested thousands of levels deep.
    return problem_response(request, 400, msg("The request body is nested too deeply."))


def _bad_text(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # PostgreSQL refuses a NUL character (or bytes it cannot store) in any text it is given;
    # wherever such text came from (a query string, a header), it is the client's input.
    return problem_response(
        request, 400, msg("The request holds a character that cannot be stored (such as NUL).")
    )


def _unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # PostgreSQL or Redis is restarting, unreachable or refusing connections: the request did
    # nothing lasting (a transaction it opened was rolled back), and trying again shortly will
    # work. Logged without a traceback: the cause is outside this process.
    log.warning(
        "a dependency is unavailable on %s %s: %s: %s",
        request.method,
        request.url.path,
        type(exc).__name__,
        exc,
    )
    return problem_response(
        request,
        HTTP_503_SERVICE_UNAVAILABLE,
        msg("Chorus cannot reach its database or cache for a moment; please try again shortly."),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        msg("Something went wrong on our side; it has been logged."),
    )


exception_handlers: dict[Any, Any] = {
    DomainError: _domain_error,
    HTTPException: _http_error,
    UnicodeDecodeError: _not_utf8,
    RecursionError: _too_deep,
    asyncpg.exceptions.CharacterNotInRepertoireError: _bad_text,
    asyncpg.exceptions.UntranslatableCharacterError: _bad_text,
    # a database that restarts, shuts down, refuses or drops connections, or a cache that does
    asyncpg.exceptions.PostgresConnectionError: _unavailable,
    asyncpg.exceptions.OperatorInterventionError: _unavailable,
    asyncpg.exceptions.TooManyConnectionsError: _unavailable,
    asyncpg.exceptions.InterfaceError: _unavailable,  # "connection is closed"
    asyncpg.exceptions.InternalClientError: _unavailable,  # a connection the database dropped
    redis.exceptions.ConnectionError: _unavailable,
    redis.exceptions.TimeoutError: _unavailable,
    OSError: _unavailable,  # refused, reset, timed out, socket file gone
    Exception: _unexpected,
}
