"""Wire types of SCIM 2.0 (RFC 7643/7644) and of the admin's SCIM tokens.

SCIM resources arrive as JSON whose attribute names are case-insensitive (RFC 7643 §2.1): a
body is decoded strictly as JSON, its known attribute names are brought to their canonical
spelling (`canonical_user`, `canonical_group`), and the result is converted strictly into the
structs below: a wrong type is an error, an attribute Chorus does not keep is ignored (RFC 7644
§3.3: providers such as Entra ID and Okta send more than any one application keeps).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from backend.core.wire import Wire

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

SCIM_MEDIA_TYPE = "application/scim+json"

# What a user resource may name in `schemas`: the enterprise extension is accepted (Entra ID
# sends it) and its attributes ignored.
USER_SCHEMAS = frozenset({USER_SCHEMA, ENTERPRISE_USER_SCHEMA})
GROUP_SCHEMAS = frozenset({GROUP_SCHEMA})

Text = Annotated[str, msgspec.Meta(max_length=1024)]
ExternalId = Annotated[str, msgspec.Meta(max_length=255)]
UserName = Annotated[str, msgspec.Meta(min_length=1, max_length=254)]
GroupName = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]


class ScimStruct(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True):
    """A SCIM body part: camelCase, unknown attributes ignored (not refused)."""


class Name(ScimStruct):
    formatted: Text | None = None
    family_name: Text | None = None
    given_name: Text | None = None
    middle_name: Text | None = None
    honorific_prefix: Text | None = None
    honorific_suffix: Text | None = None


class Email(ScimStruct):
    value: Annotated[str, msgspec.Meta(max_length=254)]
    type: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    primary: bool | None = None
    display: Text | None = None


class UserIn(ScimStruct):
    """A user as POST and PUT send it (and as a PATCH leaves it)."""

    schemas: list[str]
    user_name: UserName
    external_id: ExternalId | None = None
    name: Name | None = None
    display_name: Text | None = None
    active: bool | None = None
    emails: Annotated[list[Email], msgspec.Meta(max_length=20)] | None = None


class Member(ScimStruct):
    value: Annotated[str, msgspec.Meta(max_length=64)]
    type: Annotated[str, msgspec.Meta(max_length=20)] | None = None


class GroupIn(ScimStruct):
    schemas: list[str]
    display_name: GroupName
    external_id: ExternalId | None = None
    members: Annotated[list[Member], msgspec.Meta(max_length=10_000)] | None = None


class PatchOperation(msgspec.Struct, kw_only=True):
    op: Annotated[str, msgspec.Meta(max_length=10)]
    path: Annotated[str, msgspec.Meta(max_length=512)] | None = None
    value: Any = None


class PatchRequest(msgspec.Struct, kw_only=True, rename={"operations": "Operations"}):
    schemas: list[str]
    operations: Annotated[list[PatchOperation], msgspec.Meta(min_length=1, max_length=1000)]


# The attribute names Chorus keeps, in their canonical spelling (RFC 7643 §2.1: names are
# case-insensitive on the wire).
USER_ATTRIBUTES = {
    "schemas": None,
    "id": None,
    "externalId": None,
    "userName": None,
    "name": [
        "formatted",
        "familyName",
        "givenName",
        "middleName",
        "honorificPrefix",
        "honorificSuffix",
    ],
    "displayName": None,
    "active": None,
    "emails": ["value", "type", "primary", "display"],
    "groups": ["value", "$ref", "display", "type"],
    "meta": None,
}
GROUP_ATTRIBUTES = {
    "schemas": None,
    "id": None,
    "externalId": None,
    "displayName": None,
    "members": ["value", "$ref", "type"],
    "meta": None,
}


def canonical_name(name: str, known: dict[str, list[str] | None]) -> str:
    """`username` → `userName`; a name Chorus does not keep is returned as it came."""
    lowered = name.lower()
    for candidate in known:
        if candidate.lower() == lowered:
            return candidate
    return name


def canonical_sub_name(attribute: str, sub: str, known: dict[str, list[str] | None]) -> str:
    lowered = sub.lower()
    for candidate in known.get(attribute) or []:
        if candidate.lower() == lowered:
            return candidate
    return sub


def canonical(document: dict[str, Any], known: dict[str, list[str] | None]) -> dict[str, Any]:
    """The same resource with every known attribute (and sub-attribute) name spelled canonically."""
    result: dict[str, Any] = {}
    for key, value in document.items():
        name = canonical_name(key, known)
        if isinstance(value, dict):
            value = {canonical_sub_name(name, k, known): v for k, v in value.items()}
        elif isinstance(value, list):
            value = [
                {canonical_sub_name(name, k, known): v for k, v in item.items()}
                if isinstance(item, dict)
                else item
                for item in value
            ]
        result[name] = value
    return result


# -- admin: SCIM tokens ----------------------------------------------------------------


class ScimTokenCreate(Wire):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)] = "SCIM"


class ScimTokenIssued(Wire):
    id: UUID
    token: str  # shown once; only its digest is stored
    name: str


class ScimTokenRead(Wire):
    id: UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None
