"""Who is asking: the signed-in person as every service sees them, and the roles' order."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import msgspec

Role = Literal["employee", "lead", "admin"]
ROLE_RANK: dict[str, int] = {"employee": 0, "lead": 1, "admin": 2}


class CurrentUser(msgspec.Struct, frozen=True):
    id: UUID
    org_id: UUID
    role: Role
    email: str
    display_name: str
    team_id: UUID | None
    language: str | None = None  # the person's choice (null: their request's, else the org's)
    org_language: str | None = None  # the organization's default language
