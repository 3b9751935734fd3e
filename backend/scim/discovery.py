"""What Chorus's SCIM service says about itself (RFC 7644 §4): ServiceProviderConfig,
ResourceTypes and Schemas.

The invariant: these documents say only what is true. The User and Group schemas list the
attributes Chorus keeps and returns (RFC 7643 §7 lets a service provider publish a subset);
others a provider sends are ignored. The configuration says no to bulk, sort, changePassword
and ETags, which this server does not do. The three schemas describing the discovery documents
themselves (meta_schemas.json) are RFC 7643 §5 to §7, as scim2-models renders them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backend.scim.schemas import GROUP_SCHEMA, USER_SCHEMA

DOCS = "https://github.com/chorus/chorus#scim-provisioning"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"


def _attr(
    name: str,
    kind: str = "string",
    *,
    multi: bool = False,
    required: bool = False,
    case_exact: bool = False,
    mutability: str = "readWrite",
    uniqueness: str = "none",
    description: str = "",
    sub: list[dict[str, Any]] | None = None,
    references: list[str] | None = None,
    canonical: list[str] | None = None,
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": description or name,
        "required": required,
        "caseExact": case_exact,
        "mutability": mutability,
        "returned": "default",
        "uniqueness": uniqueness,
    }
    if sub is not None:
        attribute["subAttributes"] = sub
    if references is not None:
        attribute["referenceTypes"] = references
    if canonical is not None:
        attribute["canonicalValues"] = canonical
    return attribute


USER = {
    "schemas": [SCHEMA_SCHEMA],
    "id": USER_SCHEMA,
    "name": "User",
    "description": "A person of the organization (a Chorus account)",
    "attributes": [
        _attr(
            "userName",
            required=True,
            uniqueness="server",
            description="The person's email: how they sign in. Stored lower-cased.",
        ),
        _attr(
            "name",
            "complex",
            description="The person's name as the provider sends it",
            sub=[
                _attr(
                    "formatted", description="The full name; the display name when none is given"
                ),
                _attr("familyName"),
                _attr("givenName"),
                _attr("middleName"),
                _attr("honorificPrefix"),
                _attr("honorificSuffix"),
            ],
        ),
        _attr("displayName", description="The name colleagues see in Chorus"),
        _attr(
            "active",
            "boolean",
            description="false ends the person's access and every session at once",
        ),
        _attr(
            "emails",
            "complex",
            multi=True,
            description="Email addresses, as the provider sends them",
            sub=[
                _attr("value"),
                _attr("type"),
                _attr("primary", "boolean"),
                _attr("display"),
            ],
        ),
        _attr(
            "groups",
            "complex",
            multi=True,
            mutability="readOnly",
            description="The person's team (set through the Group's members)",
            sub=[
                _attr("value", mutability="readOnly"),
                _attr("$ref", "reference", mutability="readOnly", references=["Group"]),
                _attr("display", mutability="readOnly"),
                _attr("type", mutability="readOnly"),
            ],
        ),
    ],
}

GROUP = {
    "schemas": [SCHEMA_SCHEMA],
    "id": GROUP_SCHEMA,
    "name": "Group",
    "description": "A team of the organization; a person belongs to one team at most",
    "attributes": [
        _attr("displayName", required=True, uniqueness="server", description="The team's name"),
        _attr(
            "members",
            "complex",
            multi=True,
            description="The people in the team: adding someone moves them from their former team",
            sub=[
                _attr("value", mutability="immutable", description="A User's id"),
                _attr("$ref", "reference", mutability="immutable", references=["User"]),
                _attr(
                    "type", mutability="immutable", description="Always User", canonical=["User"]
                ),
            ],
        ),
    ],
}

_META_SCHEMAS: list[dict[str, Any]] = json.loads(
    (Path(__file__).with_name("meta_schemas.json")).read_text(encoding="utf-8")
)


def schemas(base: str) -> list[dict[str, Any]]:
    return [
        {**schema, "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{schema['id']}"}}
        for schema in [USER, GROUP, *_META_SCHEMAS]
    ]


def resource_types(base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": name,
            "name": name,
            "endpoint": f"/{name}s",
            "description": description,
            "schema": schema,
            "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/{name}"},
        }
        for name, schema, description in (
            ("User", USER_SCHEMA, "People of the organization"),
            ("Group", GROUP_SCHEMA, "Teams of the organization"),
        )
    ]


def service_provider_config(base: str, max_results: int, max_payload: int) -> dict[str, Any]:
    return {
        "schemas": [SPC_SCHEMA],
        "documentationUri": DOCS,
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": max_payload},
        "filter": {"supported": True, "maxResults": max_results},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A SCIM token an admin of the organization created in Chorus "
                "(POST /api/v1/admin/scim-tokens), sent as Authorization: Bearer <token>",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base}/ServiceProviderConfig",
        },
    }
