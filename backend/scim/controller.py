"""HTTP for SCIM 2.0 at /scim/v2 (bearer SCIM tokens, SCIM errors) and for the admin's SCIM
tokens at /api/v1/admin/scim-tokens.

Everything under /scim/v2 answers `application/scim+json`, errors included (RFC 7644 §3.12):
the router maps every exception it sees to a SCIM error, and a catch-all route makes unknown
paths a SCIM 404 too. The JWT middleware leaves /scim/ alone (backend/http/paths.py); the
`scim_token` guard authenticates instead, before any body is read.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, Response, Router, delete, get, patch, post, put, route
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.core.errors import DomainError
from backend.core.identity import CurrentUser
from backend.http.auth import bearer_of, require_role
from backend.http.content_types import is_json_media_type
from backend.scim import discovery, service
from backend.scim.patch import ScimError
from backend.scim.schemas import (
    ERROR,
    LIST_RESPONSE,
    SCIM_MEDIA_TYPE,
    GroupIn,
    PatchRequest,
    ScimTokenCreate,
    ScimTokenIssued,
    ScimTokenRead,
    UserIn,
)
from backend.settings import Settings

SCIM_PATH = "/scim/v2"

Filter = Annotated[str | None, QueryParameter(name="filter", max_length=1024)]
StartIndex = Annotated[int | None, QueryParameter(name="startIndex")]
Count = Annotated[int | None, QueryParameter(name="count")]
Attributes = Annotated[str | None, QueryParameter(name="attributes", max_length=1024)]
Excluded = Annotated[str | None, QueryParameter(name="excludedAttributes", max_length=1024)]
ORG_KEY = "scim_org"

# -- admin: tokens ---------------------------------------------------------------------


class ScimTokensController(Controller):
    path = "/api/v1/admin/scim-tokens"
    tags = ["scim"]
    guards = [require_role("admin")]

    @post("", status_code=201)
    async def create_token(
        self, request: Request[CurrentUser, Any, Any], data: JSONBody[ScimTokenCreate]
    ) -> ScimTokenIssued:
        """A token for the organization's identity provider; its secret is shown this once."""
        return await service.create_token(request.user, data)

    @get("")
    async def list_tokens(self, request: Request[CurrentUser, Any, Any]) -> list[ScimTokenRead]:
        """The organization's live tokens, without their secrets."""
        return await service.list_tokens(request.user.org_id)

    @delete("/{token_id:uuid}", status_code=204)
    async def revoke_token(
        self, request: Request[CurrentUser, Any, Any], token_id: FromPath[UUID]
    ) -> None:
        """The token stops working at once."""
        await service.revoke_token(request.user.org_id, token_id)


# -- SCIM: answers and errors ----------------------------------------------------------


def scim_response(
    content: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(content),
        status_code=status,
        media_type=SCIM_MEDIA_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def scim_error(status: int, detail: str, scim_type: str | None = None) -> Response[bytes]:
    body: dict[str, Any] = {"schemas": [ERROR], "status": str(status), "detail": detail}
    if scim_type is not None:
        body["scimType"] = scim_type
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if status == 401 else None
    return scim_response(body, status, headers)


def _on_scim_error(_: Request[Any, Any, Any], exc: ScimError) -> Response[bytes]:
    return scim_error(exc.status, exc.detail, exc.scim_type)


def _on_domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    status = 400 if exc.status == 422 else exc.status
    return scim_error(status, exc.detail, "invalidValue" if status == 400 else None)


def _on_http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if isinstance(exc, ValidationException) or status == 400:
        return scim_error(400, f"The request is not valid: {exc.detail}", "invalidValue")
    if status == 413:
        return scim_error(413, "The request body is larger than this server accepts.")
    if status == 401:
        return scim_error(401, "Send a valid SCIM token: Authorization: Bearer <token>.")
    return scim_error(status, str(exc.detail or "Error"))


def _on_bad_text(_: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    # PostgreSQL refuses a NUL character (or bytes it cannot store) in any text it is given
    return scim_error(
        400, "A value holds a character that cannot be stored (such as NUL).", "invalidValue"
    )


def _on_recursion(_: Request[Any, Any, Any], exc: RecursionError) -> Response[bytes]:
    return scim_error(400, "The body is nested too deeply.", "invalidSyntax")


# -- SCIM: authentication --------------------------------------------------------------


async def scim_token(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard: the request carries a live SCIM token; its organization is what it acts for."""
    org_id = await service.org_of_token(bearer_of(connection.headers.get("authorization", "")))
    if org_id is None:
        raise ScimError(401, "Send a valid SCIM token: Authorization: Bearer <token>.")
    connection.state[ORG_KEY] = org_id


def _org(request: Request[Any, Any, Any]) -> UUID:
    org_id: UUID = request.state[ORG_KEY]
    return org_id


def _base(settings: NamedDependency[Settings]) -> str:
    return settings.base_url.rstrip("/") + SCIM_PATH


async def _body(request: Request[Any, Any, Any], shape: type[Any]) -> Any:
    content_type = request.headers.get("content-type", "")
    if not is_json_media_type(content_type):
        raise ScimError(415, "Send the body as application/scim+json (or application/json).", None)
    return service.decode_body(await request.body(), shape)


def _names(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _listed(total: int, start: int, resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


class ScimController(Controller):
    """SCIM 2.0 for the organization whose token is sent."""

    path = ""

    # -- discovery

    @get("/ServiceProviderConfig")
    async def service_provider_config(self, settings: NamedDependency[Settings]) -> Response[bytes]:
        return scim_response(
            discovery.service_provider_config(
                _base(settings), service.MAX_COUNT, settings.max_body_bytes
            )
        )

    @get("/ResourceTypes")
    async def resource_types(self, settings: NamedDependency[Settings]) -> Response[bytes]:
        found = discovery.resource_types(_base(settings))
        return scim_response(_listed(len(found), 1, found))

    @get("/ResourceTypes/{type_id:str}")
    async def resource_type(
        self, settings: NamedDependency[Settings], type_id: FromPath[str]
    ) -> Response[bytes]:
        for found in discovery.resource_types(_base(settings)):
            if found["id"] == type_id:
                return scim_response(found)
        raise ScimError(404, f"No resource type {type_id!r}.")

    @get("/Schemas")
    async def schemas(self, settings: NamedDependency[Settings]) -> Response[bytes]:
        found = discovery.schemas(_base(settings))
        return scim_response(_listed(len(found), 1, found))

    @get("/Schemas/{schema_id:str}")
    async def schema(
        self, settings: NamedDependency[Settings], schema_id: FromPath[str]
    ) -> Response[bytes]:
        for found in discovery.schemas(_base(settings)):
            if found["id"] == schema_id:
                return scim_response(found)
        raise ScimError(404, f"No schema {schema_id!r}.")

    # -- users

    @get("/Users")
    async def list_users(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        filter: Filter = None,
        start_index: StartIndex = None,
        count: Count = None,
        attributes: Attributes = None,
        excluded: Excluded = None,
    ) -> Response[bytes]:
        total, start, found = await service.list_users(
            _org(request), _base(settings), filter=filter, start_index=start_index, count=count
        )
        shown = [service.select_attributes(r, _names(attributes), _names(excluded)) for r in found]
        return scim_response(_listed(total, start, shown))

    @post("/Users")
    async def create_user(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[bytes]:
        data: UserIn = await _body(request, UserIn)
        created = await service.create_user(_org(request), data, _base(settings))
        return scim_response(created, 201, {"Location": created["meta"]["location"]})

    @get("/Users/{user_id:str}")
    async def get_user(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        user_id: FromPath[str],
        attributes: Attributes = None,
        excluded: Excluded = None,
    ) -> Response[bytes]:
        found = await service.get_user(_org(request), user_id, _base(settings))
        return scim_response(service.select_attributes(found, _names(attributes), _names(excluded)))

    @put("/Users/{user_id:str}")
    async def replace_user(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        user_id: FromPath[str],
    ) -> Response[bytes]:
        data: UserIn = await _body(request, UserIn)
        return scim_response(
            await service.replace_user(_org(request), user_id, data, _base(settings))
        )

    @patch("/Users/{user_id:str}")
    async def patch_user(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        user_id: FromPath[str],
    ) -> Response[bytes]:
        data: PatchRequest = await _body(request, PatchRequest)
        return scim_response(
            await service.patch_user(_org(request), user_id, data, _base(settings))
        )

    @delete("/Users/{user_id:str}", status_code=204)
    async def delete_user(self, request: Request[Any, Any, Any], user_id: FromPath[str]) -> None:
        """Deactivates the account and ends its sessions; its points and history stay."""
        await service.delete_user(_org(request), user_id)

    # -- groups

    @get("/Groups")
    async def list_groups(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        filter: Filter = None,
        start_index: StartIndex = None,
        count: Count = None,
        attributes: Attributes = None,
        excluded: Excluded = None,
    ) -> Response[bytes]:
        included, left_out = _names(attributes), _names(excluded)
        total, start, found = await service.list_groups(
            _org(request),
            _base(settings),
            filter=filter,
            start_index=start_index,
            count=count,
            with_members=_wants_members(included, left_out),
        )
        shown = [service.select_attributes(r, included, left_out) for r in found]
        return scim_response(_listed(total, start, shown))

    @post("/Groups")
    async def create_group(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[bytes]:
        data: GroupIn = await _body(request, GroupIn)
        created = await service.create_group(_org(request), data, _base(settings))
        return scim_response(created, 201, {"Location": created["meta"]["location"]})

    @get("/Groups/{group_id:str}")
    async def get_group(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        group_id: FromPath[str],
        attributes: Attributes = None,
        excluded: Excluded = None,
    ) -> Response[bytes]:
        included, left_out = _names(attributes), _names(excluded)
        found = await service.get_group(
            _org(request),
            group_id,
            _base(settings),
            with_members=_wants_members(included, left_out),
        )
        return scim_response(service.select_attributes(found, included, left_out))

    @put("/Groups/{group_id:str}")
    async def replace_group(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        group_id: FromPath[str],
    ) -> Response[bytes]:
        data: GroupIn = await _body(request, GroupIn)
        return scim_response(
            await service.replace_group(_org(request), group_id, data, _base(settings))
        )

    @patch("/Groups/{group_id:str}")
    async def patch_group(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        group_id: FromPath[str],
    ) -> Response[bytes]:
        data: PatchRequest = await _body(request, PatchRequest)
        return scim_response(
            await service.patch_group(_org(request), group_id, data, _base(settings))
        )

    @delete("/Groups/{group_id:str}", status_code=204)
    async def delete_group(self, request: Request[Any, Any, Any], group_id: FromPath[str]) -> None:
        """The team goes; its members become team-less; their points stay."""
        await service.delete_group(_org(request), group_id)

    # -- everything else

    @post("/.search")
    async def search(self) -> None:
        raise ScimError(501, "Searching several resource types at once is not supported.")

    @route("/{rest:path}", http_method=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def unknown(self, rest: FromPath[str]) -> None:
        raise ScimError(404, f"Nothing at {SCIM_PATH}{rest}.")


def _wants_members(included: list[str], excluded: list[str]) -> bool:
    """Whether the members must be read (a team's can be long: Entra ID leaves them out)."""
    if included:
        return any(name.lower().split(".")[0] == "members" for name in included)
    return not any(name.lower().split(".")[0] == "members" for name in excluded)


scim_router = Router(
    path=SCIM_PATH,
    route_handlers=[ScimController],
    guards=[scim_token],
    include_in_schema=False,
    exception_handlers={
        ScimError: _on_scim_error,
        DomainError: _on_domain_error,
        HTTPException: _on_http_error,
        RecursionError: _on_recursion,
        asyncpg.exceptions.CharacterNotInRepertoireError: _on_bad_text,
        asyncpg.exceptions.UntranslatableCharacterError: _on_bad_text,
    },
)
