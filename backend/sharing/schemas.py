"""Wire types of share links and click statistics."""

from __future__ import annotations

import msgspec

from backend.challenges.schemas import Network
from backend.core.wire import Wire


class ShareLinkCreate(Wire):
    network: Network


class ShareLinkRead(Wire):
    code: str
    network: Network
    tracked_url: str
    intent_url: str
    share_text: str


class ClickCounts(Wire):
    links: int
    unique: int
    repeat: int
    bot: int
    own: int = msgspec.field(name="self")  # the sharer's own clicks
    networks_seen_by_bots: list[str]
