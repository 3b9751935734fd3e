"""A JSON endpoint takes JSON only: a body sent as anything but `application/json` (or a
`+json` type) is 415, before anything reads it.

Which endpoints are JSON ones: those whose handler declares a `data` body of the JSON kind
(`JSONBody[...]`, or a plain `data` parameter, which Litestar reads as JSON). Handlers that read
a raw body themselves (the story photo: image/jpeg, image/png, image/webp) declare no `data`
and keep checking their own media types. A request without a body is left alone.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.core.i18n import msg

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_JSON = re.compile(r"^(application/json|[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+\+json)$")


def is_json_media_type(content_type: str) -> bool:
    """`application/json` or any `type/subtype+json`, parameters (charset) aside."""
    return bool(_JSON.match(content_type.split(";")[0].strip().lower()))


def takes_json(handler: Any) -> bool:
    """The route handler decodes its `data` parameter from a JSON body."""
    signature = getattr(handler, "parsed_fn_signature", None)
    field = signature.parameters.get("data") if signature is not None else None
    if field is None:
        return False
    media = getattr(field.kwarg_definition, "media_type", RequestEncodingType.JSON)
    return bool(media == RequestEncodingType.JSON)


def has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"content-length":
            return bytes(value).strip() not in (b"", b"0")
        if name == b"transfer-encoding":
            return True
    return False


def json_only_middleware(app: ASGIApp) -> ASGIApp:
    """Litestar middleware: 415 for a body that is not JSON sent to a JSON endpoint."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        raw: Any = scope
        if (
            raw["type"] == "http"
            and raw["method"] in BODY_METHODS
            and has_body(raw["headers"])
            and takes_json(raw.get("route_handler"))
        ):
            given = b"".join(v for k, v in raw["headers"] if k == b"content-type").decode("latin-1")
            if not is_json_media_type(given):
                media = given.split(";")[0].strip()
                detail = (
                    msg(
                        "This endpoint takes a JSON body sent as application/json; the request "
                        "had Content-Type {media}.",
                        media=repr(media),
                    )
                    if media
                    else msg(
                        "This endpoint takes a JSON body sent as application/json; the request "
                        "had no Content-Type."
                    )
                )
                raise HTTPException(status_code=415, detail=detail)  # type: ignore[arg-type]
        await app(scope, receive, send)

    return middleware
