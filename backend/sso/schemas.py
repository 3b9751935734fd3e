"""Wire types of single sign-on: an organization's provider settings and the sign-in screen's
question "does this email sign in through its company?"."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from backend.core.wire import Wire

Issuer = Annotated[
    str,
    msgspec.Meta(
        min_length=8,
        max_length=500,
        pattern=r"^https?://[^\s/?#@]+(/[^\s?#]*)?$",
        description="The provider's issuer URL, as its discovery document states it",
    ),
]
# What providers issue: printable ASCII without spaces, used exactly as given (the client id
# must equal the ID token's `aud`), so neither is free text.
ClientId = Annotated[
    str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^[!-~]+$", description="Client ID")
]
ClientSecret = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=2000, pattern=r"^[!-~]+$", description="Client secret"),
]
EmailDomain = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=253,
        pattern=r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+$",
        description="An email domain, such as example.com",
    ),
]


class SsoSettingsUpdate(Wire):
    """What an admin sets. `clientSecret` may be left out to keep the stored one."""

    issuer: Issuer
    client_id: ClientId
    email_domains: Annotated[list[EmailDomain], msgspec.Meta(min_length=1, max_length=50)]
    client_secret: ClientSecret | msgspec.UnsetType = msgspec.UNSET
    auto_provision: bool = False
    default_team_id: UUID | None = None
    required: bool = False


class SsoSettingsRead(Wire):
    """An organization's provider settings; the client secret is never sent back, only whether
    one is stored. `configured` is false (and the rest empty) before the first PUT."""

    configured: bool
    issuer: str
    client_id: str
    client_secret_set: bool
    email_domains: list[str]
    auto_provision: bool
    default_team_id: UUID | None
    required: bool
    redirect_uri: str


class SsoDiscovery(Wire):
    """Whether an email's domain signs in through single sign-on; the same shape for a domain
    nobody configured, so the answer says nothing more than the sign-in screen needs."""

    sso: bool
    required: bool
