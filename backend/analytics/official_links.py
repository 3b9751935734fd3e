"""Official brand links: tracked links for the organization's own posts, whose unique clicks are
the baseline that employee shares are measured against (see amplification in impact analytics).

A link's target is checked like any URL a user gives us and stored in its ASCII form.
"""

from __future__ import annotations

import secrets
import string
from typing import Any
from uuid import UUID, uuid4

from backend.analytics.schemas import OfficialLinkCreate, OfficialLinkRead
from backend.analytics.tables import OfficialLink
from backend.core.errors import Invalid
from backend.core.i18n import msg
from backend.core.identity import CurrentUser
from backend.fetch.urls import ascii_url, check_public_url

_ALPHABET = string.ascii_letters + string.digits


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await OfficialLink.raw(sql, *args)  # type: ignore[no-any-return]


def _official_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


async def create_official_link(
    actor: CurrentUser, data: OfficialLinkCreate, base_url: str
) -> OfficialLinkRead:
    try:
        url = ascii_url(check_public_url(data.url))
    except ValueError as exc:
        raise Invalid(
            msg("Check the link: {problem}", problem=exc.args[0] if exc.args else str(exc)),
            field="url",
        ) from exc
    link_id, code = uuid4(), _official_code()
    await OfficialLink.raw(
        "INSERT INTO official_link (id, org, code, label, network, target_url, created_by) "
        "VALUES ({}, {}, {}, {}, {}, {}, {})",
        link_id,
        actor.org_id,
        code,
        data.label.strip(),
        data.network,
        url,
        actor.id,
    )
    return (await list_official_links(actor.org_id, base_url, only=link_id))[0]


async def list_official_links(
    org_id: UUID, base_url: str, only: UUID | None = None
) -> list[OfficialLinkRead]:
    rows = await _rows(
        "SELECT l.id, l.code, l.label, l.network, l.target_url, l.created_at, "
        "(SELECT count(*) FROM official_click c WHERE c.link = l.id AND c.kind = 'unique') "
        "AS clicks FROM official_link l WHERE l.org = {} AND ({}::uuid IS NULL OR l.id = {}) "
        "ORDER BY l.created_at DESC, l.id LIMIT 200",
        org_id,
        only,
        only,
    )
    return [
        OfficialLinkRead(
            id=r["id"],
            code=r["code"],
            label=r["label"],
            network=r["network"],
            url=r["target_url"],
            tracked_url=f"{base_url}/s/{r['code']}",
            unique_clicks=int(r["clicks"]),
            created_at=r["created_at"],
        )
        for r in rows
    ]
