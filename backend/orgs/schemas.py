"""Wire types of organizations, accounts, teams and invites."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.core.wire import Wire

Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="An email address",
    ),
]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=256)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
OrgName = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
TeamName = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Timezone = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
InviteToken = Annotated[str, msgspec.Meta(min_length=16, max_length=128)]
RoleName = Literal["employee", "lead", "admin"]


class SignupCreate(Wire):
    org_name: OrgName
    email: Email
    password: Password
    display_name: DisplayName


class SignupRead(Wire):
    org_id: UUID
    user_id: UUID
    access_token: str


class LoginCreate(Wire):
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    org_id: UUID | None = None  # only needed when one email belongs to several organizations


class LoginRead(Wire):
    access_token: str
    token_type: str
    expires_in: int


class InviteCreate(Wire):
    email: Email
    role: RoleName = "employee"
    team_id: UUID | None = None
    # email the invite (the default when the server has SMTP); without SMTP, true is a 409
    send: bool | msgspec.UnsetType = msgspec.UNSET


class InviteRead(Wire):
    invite_id: UUID
    token: str
    url: str
    expires_at: datetime
    emailed: bool = False  # an email with the link is on its way


InviteStatus = Literal["pending", "all"]


class InviteListItem(Wire):
    id: UUID
    email: str
    role: RoleName
    team_id: UUID | None
    invited_by: str | None  # the inviter's display name
    created_at: datetime
    expires_at: datetime
    emailed_at: datetime | None
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitePreview(Wire):
    """What the accept page shows before anyone types: who invites whom, to what."""

    organization: str
    inviter: str | None
    email: str
    expires_at: datetime


class InvitePreviewCreate(Wire):
    token: InviteToken


class PasswordChange(Wire):
    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    new_password: Password


class PasswordForgot(Wire):
    email: Email


class PasswordResetCreate(Wire):
    token: InviteToken
    password: Password


class EmailPrefs(Wire):
    weekly_digest: bool  # the weekly email digest (off until the person turns it on)


class InviteImport(Wire):
    """A CSV of people to invite: a header row with `email` and optionally `role` and `team`
    (the team's name), then one person per row."""

    csv: Annotated[str, msgspec.Meta(min_length=1, max_length=1_000_000)]
    dry_run: bool = False  # check every row and report, write nothing


class ImportedInvite(Wire):
    row: int
    email: str
    role: str
    team: str | None
    url: str


class RejectedRow(Wire):
    row: int  # the line in the file (the header is line 1)
    email: str
    reason: str


class InviteImportRead(Wire):
    dry_run: bool
    valid: int
    created: int
    expires_at: datetime | None
    invites: list[ImportedInvite]
    rejected: list[RejectedRow]


class AcceptInviteCreate(Wire):
    token: InviteToken
    display_name: DisplayName
    password: Password


class AcceptInviteRead(Wire):
    user_id: UUID
    access_token: str


class TeamRef(Wire):
    id: UUID
    name: str


# The languages Chorus speaks (backend/core/i18n.py LANGUAGES), as a person may choose them.
Language = Literal["en", "de", "fr", "es", "pt-BR"]
LanguageTag = Annotated[str, msgspec.Meta(max_length=35, examples=["de", "pt-BR"])]


class MeUpdate(Wire):
    display_name: DisplayName | msgspec.UnsetType = msgspec.UNSET
    # one of the Language tags (an unsupported tag is a 422, checked by the service); null:
    # follow the browser
    language: LanguageTag | msgspec.UnsetType | None = msgspec.UNSET
    timezone: Timezone | msgspec.UnsetType = msgspec.UNSET
    hide_from_leaderboards: bool | msgspec.UnsetType = msgspec.UNSET


class TeamCreate(Wire):
    name: TeamName
    lead_user_id: UUID | None = None


class TeamRead(Wire):
    id: UUID
    name: str
    members: int = 0
    lead_user_ids: list[UUID] = msgspec.field(default_factory=list)


class UserUpdate(Wire):
    role: RoleName | msgspec.UnsetType = msgspec.UNSET
    team_id: UUID | msgspec.UnsetType | None = msgspec.UNSET  # null removes the user from a team
    active: bool | msgspec.UnsetType = msgspec.UNSET


class UserRead(Wire):
    id: UUID
    email: str
    display_name: str
    role: RoleName
    team_id: UUID | None
    active: bool
    created_at: datetime
    # what the console's people table shows beside them
    team_name: str | None = None
    last_sign_in_at: datetime | None = None
    points: int = 0  # lifetime points from the ledger (spending never lowers it)


class TeamUpdate(Wire):
    """Rename a team and/or replace its leads (every id an active person of the organization)."""

    name: TeamName | msgspec.UnsetType = msgspec.UNSET
    lead_user_ids: Annotated[list[UUID], msgspec.Meta(max_length=50)] | msgspec.UnsetType = (
        msgspec.UNSET
    )


# A hashtag: "#" and 1 to 30 letters, digits or underscores (e.g. #employee, #ad, #werbung)
DisclosureTag = Annotated[str, msgspec.Meta(min_length=2, max_length=31, pattern=r"^#\w{1,30}$")]
RetentionDays = Annotated[int, msgspec.Meta(ge=1, le=3650)]


class OrgSettings(Wire):
    """The organization's own-words and disclosure settings (backend/submissions/own_words.py)."""

    disclosure_tag: str | None  # added to every suggested text; a post without it is reviewed
    post_text_retention_days: int  # how long the text of a verified post is kept
    # what the server writes in for people who chose no language (and whose request says none)
    default_language: str


class OrgSettingsUpdate(Wire):
    disclosure_tag: DisclosureTag | msgspec.UnsetType | None = msgspec.UNSET  # null: none
    post_text_retention_days: RetentionDays | msgspec.UnsetType = msgspec.UNSET
    default_language: Language | msgspec.UnsetType = msgspec.UNSET
