"""SCIM provisioning: an organization's identity provider creates, changes and removes its
people (Users) and teams (Groups). No Litestar here.

The invariants:
- A SCIM token acts for one organization only: every query is scoped by that organization,
  and another organization's ids are 404.
- Chorus's own columns stay the truth: userName is the account's email (sign-in name), the
  display name is the account's, `active` is the account's, and a Group's members are the
  people whose team it is (one team per person: adding someone to a group moves them there).
- Whatever ends someone's access (`active: false`, DELETE) ends their sessions before the
  answer is sent.
- DELETE of a user deactivates the account and hides it from SCIM; the account, its points
  and its history stay (the ledger is never rewritten). A later POST with the same userName
  brings the same account back.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec

from backend.core.errors import Invalid, NotFound
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.core.passwords import hash_password
from backend.core.text import clean_text
from backend.core.tokens import new_token, token_digest
from backend.db import DB
from backend.orgs import sessions
from backend.orgs.tables import Team, User
from backend.scim.patch import ScimError, apply_patch, invalid_value
from backend.scim.schemas import (
    ENTERPRISE_USER_SCHEMA,
    GROUP_ATTRIBUTES,
    GROUP_SCHEMA,
    GROUP_SCHEMAS,
    PATCH_OP,
    USER_ATTRIBUTES,
    USER_SCHEMA,
    USER_SCHEMAS,
    GroupIn,
    PatchRequest,
    ScimTokenCreate,
    ScimTokenIssued,
    ScimTokenRead,
    UserIn,
    canonical,
)
from backend.scim.tables import ScimToken

TOKEN_PREFIX = "chorus_scim_"  # lets secret scanners recognise a leaked token
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_COUNT = 200  # ServiceProviderConfig's filter.maxResults

# -- tokens ----------------------------------------------------------------------------


async def create_token(actor: CurrentUser, data: ScimTokenCreate) -> ScimTokenIssued:
    """A new token for the actor's organization: returned once, only its digest is kept."""
    name = _clean(data.name, "name", Invalid)
    token = TOKEN_PREFIX + new_token()
    token_id = uuid4()
    await ScimToken.insert(
        ScimToken(
            id=token_id,
            org=actor.org_id,
            name=name,
            token_hash=token_digest(token),
            created_by=actor.id,
        )
    )
    return ScimTokenIssued(id=token_id, token=token, name=name)


async def list_tokens(org_id: UUID) -> list[ScimTokenRead]:
    rows = (
        await ScimToken.select(
            ScimToken.id, ScimToken.name, ScimToken.created_at, ScimToken.last_used_at
        )
        .where((ScimToken.org == org_id) & ScimToken.revoked_at.is_null())
        .order_by(ScimToken.created_at)
    )
    return [msgspec.convert(row, ScimTokenRead, from_attributes=False) for row in _camel(rows)]


def _camel(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "createdAt": r["created_at"],
            "lastUsedAt": r["last_used_at"],
        }
        for r in rows
    ]


async def revoke_token(org_id: UUID, token_id: UUID) -> None:
    """The token stops working at once; revoking it again, or another organization's, is 404."""
    revoked = await ScimToken.raw(
        "UPDATE scim_token SET revoked_at = now() "
        "WHERE id = {} AND org = {} AND revoked_at IS NULL RETURNING id",
        token_id,
        org_id,
    )
    if not revoked:
        raise NotFound(msg("No such SCIM token in your organization."))


async def org_of_token(token: str) -> UUID | None:
    """The organization a live SCIM token acts for, or None (unknown, revoked, malformed)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = (
        await ScimToken.select(ScimToken.id, ScimToken.org, ScimToken.last_used_at)
        .where((ScimToken.token_hash == token_digest(token)) & ScimToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    now = datetime.now(UTC)
    if row["last_used_at"] is None or now - row["last_used_at"] >= LAST_USED_RESOLUTION:
        await ScimToken.update({ScimToken.last_used_at: now}).where(ScimToken.id == row["id"])
    org: UUID = row["org"]
    return org


# -- shared ----------------------------------------------------------------------------


def _clean(value: str, field: str, error: type[Exception] = ScimError) -> str:
    try:
        return clean_text(value, field)
    except Invalid as exc:
        if error is Invalid:
            raise
        raise invalid_value(exc.detail) from exc


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except (ValueError, TypeError):
        return None


def _check_schemas(given: list[str], allowed: frozenset[str], core: str) -> None:
    lowered = {urn.lower() for urn in allowed}
    unknown = [urn for urn in given if urn.lower() not in lowered]
    if unknown:
        raise invalid_value(f"Unknown schema {unknown[0]!r}: this endpoint takes {core}.")
    if core.lower() not in {urn.lower() for urn in given}:
        raise invalid_value(f"`schemas` must list {core}.")


def decode_body(body: bytes, shape: type[Any]) -> Any:
    """A SCIM body: JSON (400 invalidSyntax otherwise) of the right shape (400 invalidValue)."""
    try:
        raw = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise ScimError(400, f"The body is not valid JSON: {exc}", "invalidSyntax") from exc
    except RecursionError as exc:
        raise ScimError(400, "The body is nested too deeply.", "invalidSyntax") from exc
    if not isinstance(raw, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    if shape is UserIn:
        raw = canonical(raw, USER_ATTRIBUTES)
    elif shape is GroupIn:
        raw = canonical(raw, GROUP_ATTRIBUTES)
    else:
        raw = {("Operations" if k.lower() == "operations" else k): v for k, v in raw.items()}
    return convert(raw, shape)


def convert(raw: dict[str, Any], shape: type[Any]) -> Any:
    try:
        return msgspec.convert(raw, shape, strict=True)
    except msgspec.ValidationError as exc:
        raise invalid_value(f"The resource is not valid: {exc}") from exc


_FILTER = re.compile(r'^\s*([A-Za-z][\w.]*)\s+(eq)\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def parse_filter(text: str | None, allowed: dict[str, str]) -> tuple[str, str] | None:
    """`attr eq "value"` → (column expression, value); the only filter this server takes."""
    if text is None or not text.strip():
        return None
    match = _FILTER.match(text)
    if match is None:
        raise ScimError(
            400, 'Only filters of the form `attribute eq "value"` are supported.', "invalidFilter"
        )
    for name, column in allowed.items():
        if name.lower() == match[1].lower():
            return column, re.sub(r"\\(.)", r"\1", match[3])
    raise ScimError(
        400,
        f"Filtering on {match[1]!r} is not supported; use one of {', '.join(allowed)}.",
        "invalidFilter",
    )


def select_attributes(
    resource: dict[str, Any], attributes: list[str], excluded: list[str]
) -> dict[str, Any]:
    """RFC 7644 §3.4.2.5: only `attributes`, or all but `excludedAttributes` (id and schemas
    are always returned)."""
    if not attributes and not excluded:
        return resource

    def top(name: str) -> str:
        for urn in (USER_SCHEMA, GROUP_SCHEMA):
            if name.lower().startswith(urn.lower() + ":"):
                name = name[len(urn) + 1 :]
        return name.split(".")[0].lower()

    if attributes:
        wanted = {top(a) for a in attributes} | {"id", "schemas"}
        return {k: v for k, v in resource.items() if k.lower() in wanted}
    dropped = {top(a) for a in excluded} - {"id", "schemas"}
    return {k: v for k, v in resource.items() if k.lower() not in dropped}


def _page(start_index: int | None, count: int | None) -> tuple[int, int]:
    start = max(1, start_index or 1)
    size = MAX_COUNT if count is None else min(max(0, count), MAX_COUNT)
    return start, size


def _meta(kind: str, base: str, resource_id: UUID, created: datetime, modified: datetime | None):  # type: ignore[no-untyped-def]
    return {
        "resourceType": kind,
        "created": created.isoformat(),
        "lastModified": (modified or created).isoformat(),
        "location": f"{base}/{kind}s/{resource_id}",
    }


# -- users -----------------------------------------------------------------------------

_USER_SELECT = """
SELECT u.id, u.email, u.display_name, u.active, u.role, u.created_at, u.team,
       t.name AS team_name, s.external_id, s.attributes, s.updated_at, s."user" AS scim
FROM app_user u
LEFT JOIN scim_user s ON s."user" = u.id
LEFT JOIN team t ON t.id = u.team
WHERE u.org = {} AND s.deleted_at IS NULL
"""
USER_FILTERS = {"userName": "u.email", "externalId": "s.external_id", "id": "u.id::text"}


def user_resource(row: dict[str, Any], base: str) -> dict[str, Any]:
    attributes = _json(row["attributes"]) or {}
    resource: dict[str, Any] = {"schemas": [USER_SCHEMA], "id": str(row["id"])}
    if row["external_id"] is not None:
        resource["externalId"] = row["external_id"]
    resource["userName"] = row["email"]
    if attributes.get("name"):
        resource["name"] = attributes["name"]
    if row["scim"] is None or "displayName" in attributes:
        resource["displayName"] = row["display_name"]
    # unassigned `active` (never sent, or removed) means active; an account a Chorus admin
    # deactivated since says so
    if row["scim"] is None or attributes.get("active") is not None or not row["active"]:
        resource["active"] = row["active"]
    if attributes.get("emails"):
        resource["emails"] = attributes["emails"]
    if row["team"] is not None:
        resource["groups"] = [
            {
                "value": str(row["team"]),
                "$ref": f"{base}/Groups/{row['team']}",
                "display": row["team_name"],
                "type": "direct",
            }
        ]
    resource["meta"] = _meta("User", base, row["id"], row["created_at"], row["updated_at"])
    return resource


async def _user_row(org_id: UUID, user_id: UUID | None) -> dict[str, Any]:
    if user_id is None:
        raise ScimError(404, "No such user.")
    rows = await User.raw(_USER_SELECT + " AND u.id = {}", org_id, user_id)
    if not rows:
        raise ScimError(404, "No such user.")
    row: dict[str, Any] = rows[0]
    return row


async def get_user(org_id: UUID, user_id: str, base: str) -> dict[str, Any]:
    return user_resource(await _user_row(org_id, _uuid(user_id)), base)


async def list_users(
    org_id: UUID, base: str, *, filter: str | None, start_index: int | None, count: int | None
) -> tuple[int, int, list[dict[str, Any]]]:
    """(totalResults, startIndex, resources) ordered by creation."""
    start, size = _page(start_index, count)
    condition, args = "", []
    parsed = parse_filter(filter, USER_FILTERS)
    if parsed is not None:
        column, value = parsed
        condition = f" AND lower({column}) = lower({{}})"
        args = [value]
    total_rows = await User.raw(
        "SELECT count(*) AS n FROM (" + _USER_SELECT + condition + ") AS matching",  # noqa: S608
        org_id,
        *args,
    )
    rows = await User.raw(
        _USER_SELECT + condition + " ORDER BY u.created_at, u.id OFFSET {} LIMIT {}",
        org_id,
        *args,
        start - 1,
        size,
    )
    return int(total_rows[0]["n"]), start, [user_resource(row, base) for row in rows]


_unusable_hash: str | None = None


async def _unusable_password_hash() -> str:
    """An argon2 hash of a secret nobody knows: provisioned people sign in through single
    sign-on or a password reset. One per process: the same cost to check as any password."""
    global _unusable_hash
    if _unusable_hash is None:
        _unusable_hash = await hash_password(secrets.token_urlsafe(32))
    return _unusable_hash


def _display_name(data: UserIn, email: str) -> str:
    name = data.name
    for candidate in (
        data.display_name,
        name.formatted if name else None,
        " ".join(p for p in (name.given_name, name.family_name) if p) if name else None,
    ):
        if candidate and candidate.strip():
            return _clean(candidate, "displayName")[:80]
    return email.split("@")[0][:80] or email[:80]


def _user_name(data: UserIn) -> str:
    email = data.user_name.strip().lower()
    if not email or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in email):
        raise invalid_value("userName must not be blank or hold spaces or control characters.")
    return email


def _user_attributes(data: UserIn) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if data.name is not None and msgspec.to_builtins(data.name):
        attributes["name"] = msgspec.to_builtins(data.name)
    if data.display_name is not None:
        attributes["displayName"] = data.display_name
    if data.active is not None:
        attributes["active"] = data.active
    if data.emails:
        attributes["emails"] = msgspec.to_builtins(data.emails)
    return attributes


async def create_user(org_id: UUID, data: UserIn, base: str) -> dict[str, Any]:
    """A new employee account (no team, no usable password), or the same account again for a
    userName whose person was deleted through SCIM before."""
    _check_schemas(data.schemas, USER_SCHEMAS, USER_SCHEMA)
    email = _user_name(data)
    async with DB.transaction():
        existing = await User.raw(
            'SELECT u.id, s.deleted_at, s."user" AS scim FROM app_user u '
            'LEFT JOIN scim_user s ON s."user" = u.id WHERE u.org = {} AND u.email = {}',
            org_id,
            email,
        )
        if existing and existing[0]["deleted_at"] is None:
            raise ScimError(409, f"A user with userName {email!r} already exists.", "uniqueness")
        if existing:
            user_id = existing[0]["id"]
        else:
            user_id = uuid4()
            await User.insert(
                User(
                    id=user_id,
                    org=org_id,
                    email=email,
                    display_name=_display_name(data, email),
                    password_hash=await _unusable_password_hash(),
                    role="employee",
                    active=data.active is not False,
                )
            )
        await _save_user(org_id, user_id, data, email)
    return await get_user(org_id, str(user_id), base)


async def replace_user(org_id: UUID, user_id: str, data: UserIn, base: str) -> dict[str, Any]:
    _check_schemas(data.schemas, USER_SCHEMAS, USER_SCHEMA)
    email = _user_name(data)
    row = await _user_row(org_id, _uuid(user_id))
    async with DB.transaction():
        ended = await _save_user(org_id, row["id"], data, email, before=row)
    if ended:
        await sessions.end_sessions(row["id"])
    return await get_user(org_id, user_id, base)


async def patch_user(org_id: UUID, user_id: str, patch: PatchRequest, base: str) -> dict[str, Any]:
    _check_patch(patch)
    current = await get_user(org_id, user_id, base)
    patched = apply_patch(
        current,
        [(_active_value(op.op, op.path, op.value)) for op in patch.operations],
        schema_urn=USER_SCHEMA,
        known=USER_ATTRIBUTES,
        multi_valued=frozenset({"emails", "groups"}),
        extensions=frozenset({ENTERPRISE_USER_SCHEMA}),
    )
    patched.pop("groups", None)
    patched.pop("meta", None)
    data = convert(patched, UserIn)
    return await replace_user(org_id, user_id, data, base)


def _active_value(op: str, path: str | None, value: Any) -> tuple[str, str | None, Any]:
    """Entra ID has sent `active` as the strings "True"/"False": read them as the booleans."""
    named_active = path is not None and path.strip().lower() in (
        "active",
        USER_SCHEMA.lower() + ":active",
    )
    if named_active and isinstance(value, str) and value.lower() in ("true", "false"):
        return op, path, value.lower() == "true"
    if path is None and isinstance(value, dict):
        fixed = {
            k: (v.lower() == "true")
            if k.lower() == "active" and isinstance(v, str) and v.lower() in ("true", "false")
            else v
            for k, v in value.items()
        }
        return op, path, fixed
    return op, path, value


def _check_patch(patch: PatchRequest) -> None:
    if [urn.lower() for urn in patch.schemas] != [PATCH_OP.lower()]:
        raise invalid_value(f"A PATCH body's schemas must be [{PATCH_OP}].")


async def _save_user(
    org_id: UUID,
    user_id: UUID,
    data: UserIn,
    email: str,
    *,
    before: dict[str, Any] | None = None,
) -> bool:
    """Write the account's columns and what the provider sent; True when access just ended."""
    active = data.active is not False
    was_active = before["active"] if before is not None else None
    if was_active and not active and before is not None and before["role"] == "admin":
        admins = await User.count().where(
            (User.org == org_id) & (User.role == "admin") & (User.active == True)  # noqa: E712
        )
        if admins <= 1:
            raise ScimError(
                409, "This is the organization's last active admin: make another admin first."
            )
    try:
        await User.raw(
            "UPDATE app_user SET email = {}, display_name = {}, active = {} "
            "WHERE id = {} AND org = {}",
            email,
            _display_name(data, email),
            active,
            user_id,
            org_id,
        )
    except asyncpg.UniqueViolationError as exc:
        raise ScimError(
            409, f"A user with userName {email!r} already exists.", "uniqueness"
        ) from exc
    await User.raw(
        'INSERT INTO scim_user ("user", org, external_id, attributes, updated_at, deleted_at) '
        "VALUES ({}, {}, {}, {}::jsonb, now(), NULL) "
        'ON CONFLICT ("user") DO UPDATE SET external_id = EXCLUDED.external_id, '
        "attributes = EXCLUDED.attributes, updated_at = now(), deleted_at = NULL",
        user_id,
        org_id,
        data.external_id,
        json.dumps(_user_attributes(data)),
    )
    sessions.forget(user_id)
    return bool(was_active) and not active


async def delete_user(org_id: UUID, user_id: str) -> None:
    """Deactivate, end every session, hide from SCIM; the account and its ledger stay."""
    row = await _user_row(org_id, _uuid(user_id))
    if row["active"] and row["role"] == "admin":
        admins = await User.count().where(
            (User.org == org_id) & (User.role == "admin") & (User.active == True)  # noqa: E712
        )
        if admins <= 1:
            raise ScimError(
                409, "This is the organization's last active admin: make another admin first."
            )
    async with DB.transaction():
        await User.update({User.active: False}).where((User.id == row["id"]) & (User.org == org_id))
        await User.raw(
            'INSERT INTO scim_user ("user", org, deleted_at) VALUES ({}, {}, now()) '
            'ON CONFLICT ("user") DO UPDATE SET deleted_at = now(), updated_at = now()',
            row["id"],
            org_id,
        )
    await sessions.end_sessions(row["id"])


# -- groups (teams) --------------------------------------------------------------------

_GROUP_SELECT = """
SELECT t.id, t.name, t.created_at, g.external_id, g.updated_at
FROM team t LEFT JOIN scim_group g ON g.team = t.id
WHERE t.org = {}
"""
GROUP_FILTERS = {"displayName": "t.name", "externalId": "g.external_id", "id": "t.id::text"}


async def _members(org_id: UUID, team_ids: list[UUID]) -> dict[UUID, list[UUID]]:
    found: dict[UUID, list[UUID]] = {team_id: [] for team_id in team_ids}
    if not team_ids:
        return found
    rows = await User.raw(
        'SELECT u.id, u.team FROM app_user u LEFT JOIN scim_user s ON s."user" = u.id '
        "WHERE u.org = {} AND u.team = ANY({}::uuid[]) AND s.deleted_at IS NULL "
        "ORDER BY u.created_at, u.id",
        org_id,
        team_ids,
    )
    for row in rows:
        found[row["team"]].append(row["id"])
    return found


def group_resource(row: dict[str, Any], members: list[UUID] | None, base: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "id": str(row["id"])}
    if row["external_id"] is not None:
        resource["externalId"] = row["external_id"]
    resource["displayName"] = row["name"]
    if members:
        resource["members"] = [
            {"value": str(m), "$ref": f"{base}/Users/{m}", "type": "User"} for m in members
        ]
    resource["meta"] = _meta("Group", base, row["id"], row["created_at"], row["updated_at"])
    return resource


async def _group_row(org_id: UUID, group_id: UUID | None) -> dict[str, Any]:
    if group_id is None:
        raise ScimError(404, "No such group.")
    rows = await Team.raw(_GROUP_SELECT + " AND t.id = {}", org_id, group_id)
    if not rows:
        raise ScimError(404, "No such group.")
    row: dict[str, Any] = rows[0]
    return row


async def get_group(
    org_id: UUID, group_id: str, base: str, *, with_members: bool = True
) -> dict[str, Any]:
    row = await _group_row(org_id, _uuid(group_id))
    members = (await _members(org_id, [row["id"]]))[row["id"]] if with_members else None
    return group_resource(row, members, base)


async def list_groups(
    org_id: UUID,
    base: str,
    *,
    filter: str | None,
    start_index: int | None,
    count: int | None,
    with_members: bool = True,
) -> tuple[int, int, list[dict[str, Any]]]:
    start, size = _page(start_index, count)
    condition, args = "", []
    parsed = parse_filter(filter, GROUP_FILTERS)
    if parsed is not None:
        column, value = parsed
        condition = f" AND lower({column}) = lower({{}})"
        args = [value]
    total_rows = await Team.raw(
        "SELECT count(*) AS n FROM (" + _GROUP_SELECT + condition + ") AS matching",  # noqa: S608
        org_id,
        *args,
    )
    rows = await Team.raw(
        _GROUP_SELECT + condition + " ORDER BY t.created_at, t.id OFFSET {} LIMIT {}",
        org_id,
        *args,
        start - 1,
        size,
    )
    members = await _members(org_id, [row["id"] for row in rows]) if with_members else {}
    resources = [group_resource(row, members.get(row["id"]), base) for row in rows]
    return int(total_rows[0]["n"]), start, resources


async def _member_ids(org_id: UUID, data: GroupIn) -> list[UUID]:
    ids: list[UUID] = []
    for member in data.members or []:
        if member.type is not None and member.type.lower() != "user":
            raise invalid_value("Groups hold users only (Chorus teams do not nest).")
        member_id = _uuid(member.value)
        if member_id is None:
            raise invalid_value(f"No user {member.value!r} in this organization.")
        if member_id not in ids:
            ids.append(member_id)
    if ids:
        found = await User.raw(
            'SELECT u.id FROM app_user u LEFT JOIN scim_user s ON s."user" = u.id '
            "WHERE u.org = {} AND u.id = ANY({}::uuid[]) AND s.deleted_at IS NULL",
            org_id,
            ids,
        )
        missing = set(ids) - {row["id"] for row in found}
        if missing:
            raise invalid_value(f"No user {str(sorted(missing)[0])!r} in this organization.")
    return ids


async def _save_group(org_id: UUID, team_id: UUID, data: GroupIn, *, creating: bool) -> None:
    name = _clean(data.display_name, "displayName")
    members = await _member_ids(org_id, data)
    try:
        if creating:
            await Team.insert(Team(id=team_id, org=org_id, name=name))
        else:
            await Team.update({Team.name: name}).where((Team.id == team_id) & (Team.org == org_id))
    except asyncpg.UniqueViolationError as exc:
        raise ScimError(409, f"A group named {name!r} already exists.", "uniqueness") from exc
    await Team.raw(
        "INSERT INTO scim_group (team, org, external_id, updated_at) VALUES ({}, {}, {}, now()) "
        "ON CONFLICT (team) DO UPDATE SET external_id = EXCLUDED.external_id, updated_at = now()",
        team_id,
        org_id,
        data.external_id,
    )
    if data.members is not None or not creating:
        await _set_members(org_id, team_id, members)


async def _set_members(org_id: UUID, team_id: UUID, members: list[UUID]) -> None:
    """Exactly these people are in the team: they move here, the others leave it."""
    moved = await User.raw(
        "UPDATE app_user SET team = {} WHERE org = {} AND id = ANY({}::uuid[]) "
        "AND team IS DISTINCT FROM {} RETURNING id",
        team_id,
        org_id,
        members,
        team_id,
    )
    left = await User.raw(
        "UPDATE app_user SET team = NULL WHERE org = {} AND team = {} "
        "AND NOT (id = ANY({}::uuid[])) RETURNING id",
        org_id,
        team_id,
        members,
    )
    for row in [*moved, *left]:
        sessions.forget(row["id"])


async def create_group(org_id: UUID, data: GroupIn, base: str) -> dict[str, Any]:
    _check_schemas(data.schemas, GROUP_SCHEMAS, GROUP_SCHEMA)
    team_id = uuid4()
    async with DB.transaction():
        await _save_group(org_id, team_id, data, creating=True)
    return await get_group(org_id, str(team_id), base)


async def replace_group(org_id: UUID, group_id: str, data: GroupIn, base: str) -> dict[str, Any]:
    _check_schemas(data.schemas, GROUP_SCHEMAS, GROUP_SCHEMA)
    row = await _group_row(org_id, _uuid(group_id))
    async with DB.transaction():
        await _save_group(org_id, row["id"], data, creating=False)
    return await get_group(org_id, group_id, base)


async def patch_group(
    org_id: UUID, group_id: str, patch: PatchRequest, base: str
) -> dict[str, Any]:
    _check_patch(patch)
    current = await get_group(org_id, group_id, base)
    patched = apply_patch(
        current,
        [(op.op, op.path, op.value) for op in patch.operations],
        schema_urn=GROUP_SCHEMA,
        known=GROUP_ATTRIBUTES,
        multi_valued=frozenset({"members"}),
    )
    patched.pop("meta", None)
    patched["members"] = [
        {k: v for k, v in member.items() if k != "$ref"} if isinstance(member, dict) else member
        for member in patched.get("members") or []
    ]
    data = convert(patched, GroupIn)
    return await replace_group(org_id, group_id, data, base)


async def delete_group(org_id: UUID, group_id: str) -> None:
    """The team goes; its members become team-less; their points stay in the ledger."""
    row = await _group_row(org_id, _uuid(group_id))
    async with DB.transaction():
        members = await User.raw(
            "SELECT id FROM app_user WHERE org = {} AND team = {}", org_id, row["id"]
        )
        await Team.delete().where((Team.id == row["id"]) & (Team.org == org_id))
    for member in members:
        sessions.forget(member["id"])
