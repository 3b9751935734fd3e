"""The official posts' engagement: each registered official post (official_links.py) is re-read
after 24 hours and 7 days exactly as employees' posts are (backend/submissions/engagement.py),
so the employee-vs-official engagement ratio compares like with like. Idempotent, like those."""

from __future__ import annotations

from uuid import UUID

from backend.db import fetch
from backend.fetch.client import SafeFetcher
from backend.settings import Settings
from backend.submissions import engagement


async def reread_official(
    link_id: UUID, stage: str, *, fetcher: SafeFetcher, settings: Settings, attempt: int
) -> str:
    """Re-read an official post at `stage` and store its public counts."""
    if stage not in engagement.STAGES:
        raise ValueError(f"unknown engagement stage {stage!r}")
    rows = await fetch(
        "SELECT id, network, target_url AS post_url, engagement_stage, post_gone_at "
        "FROM official_link WHERE id = $1",
        link_id,
    )
    return await engagement.reread_row(
        "official_link",
        rows[0] if rows else None,
        stage,
        fetcher=fetcher,
        settings=settings,
        attempt=attempt,
    )


async def due_officials(limit: int = engagement.SWEEP_BATCH) -> list[tuple[UUID, str]]:
    """Official posts whose re-read is due (since they were registered) and not done."""
    return await engagement.due("official_link", "created_at", "true", limit)
