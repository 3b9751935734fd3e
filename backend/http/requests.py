"""Requests whose JSON bodies are decoded strictly into the handler's wire type."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.types import Empty


class StrictJSONRequest(Request[Any, Any, Any]):
    """Decodes a JSON body straight into the handler's `data` type, strictly.

    Litestar converts bodies in msgspec's lax mode (made for query strings), which would take
    `"startsAt": 123` as a Unix time and `"points": "50"` as a number. JSON bodies have real
    types, so a wrong one is a 400 here; query and path parameters stay lax.
    """

    async def json(self) -> Any:
        if self._json is not Empty:
            return self._json
        handler = self.scope.get("route_handler")
        signature = getattr(handler, "parsed_fn_signature", None)
        field = signature.parameters.get("data") if signature is not None else None
        if field is None or not isinstance(field.annotation, type):
            return await super().json()
        body = await self.body()
        try:
            value: Any = msgspec.json.decode(body or b"null", type=field.annotation, strict=True)
        except msgspec.ValidationError as exc:
            message, _, path = str(exc).rpartition(" - at `")
            key = path.rstrip("`").removeprefix("$.") if path else "data"
            raise ValidationException(  # i18n-ignore: the field's sentence replaces it
                detail=f"Validation failed for {self.method} {self.url.path}",
                extra=[{"message": message or str(exc), "key": key, "source": "body"}],
            ) from exc
        except msgspec.DecodeError as exc:
            raise ValidationException(  # i18n-ignore: the field's sentence replaces it
                detail=f"The request body is not valid JSON: {exc}",
                extra=[{"message": f"not valid JSON: {exc}", "key": "body", "source": "body"}],
            ) from exc
        self._json = self._connection_state.json = value
        return value
