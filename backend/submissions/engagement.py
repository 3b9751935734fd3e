"""Engagement: a verified post's public reaction and comment counts, re-read after 24 hours and
after 7 days.

The schedule is the database: a verified submission's re-read at a stage is due once its
decision is that old (`STAGES`) and its stored `engagement_stage` is behind it. A sweep (the
worker's `sweep_engagement` cron) queues every due re-read under the deterministic job id
`engagement:<submission>:<stage>`, so a lost job (Redis restarted empty) is made up by the
next sweep and a re-read is queued once however often it is found due. Storing is idempotent:
a re-read run twice stores the same counts, and a stage never goes back (a late 24 h re-read
after the 7 d one stores nothing).

The post is read through the SSRF-guarded fetcher and the same network readers verification
uses (`checks.py`). The counts are what the network's *public* page shows, as of 2026 (see
`parse_counts`, the one place that knows the markup); X's oEmbed answer has no counts, so an X
post stores NULL, never a guess. A post gone on re-read (404/410) keeps the counts last read
and is marked (`post_gone_at`); taking its points back is not this module's business.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote
from uuid import UUID

from backend.core import clock
from backend.db import fetch
from backend.fetch.client import SafeFetcher
from backend.fetch.results import FetchError
from backend.settings import Settings
from backend.submissions.checks import _from_error, _rebase

log = logging.getLogger("chorus.submissions")

# A re-read's stage and how long after the decision (or an official post's registration) it
# is due, in order: a stage is never stored over a later one.
STAGES: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}
READABLE = ("linkedin", "facebook", "x")  # the networks whose posts Chorus can read
SWEEP_BATCH = 1000


# -- what the public page shows ----------------------------------------------------------------
#
# As of 2026, the public (signed-out) page of a LinkedIn or Facebook post shows its counts in a
# "social counts" bar; Chorus reads them from that element's data attributes:
#
#   <div class="social-counts" data-reactions="128" data-comments="14">…</div>
#
# (`data-num-reactions` / `data-num-comments` are read too, the names LinkedIn's public markup
# has used). A count the page does not show stays None. Text such as "1.2K reactions" is not
# guessed at: only whole numbers in the attributes count.

_COUNT_ATTRS = {
    "reactions": ("data-reactions", "data-num-reactions"),
    "comments": ("data-comments", "data-num-comments"),
}
_WHOLE = re.compile(r"^\s*(\d{1,3}(?:[,.\u202f ]\d{3})+|\d{1,12})\s*$")


def _whole(value: str | None) -> int | None:
    match = _WHOLE.match(value or "")
    if match is None:
        return None
    return int(re.sub(r"\D", "", match.group(1)))


class _Counts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, int | None] = {"reactions": None, "comments": None}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "social-counts" not in (found.get("class") or "").split():
            return
        for name, keys in _COUNT_ATTRS.items():
            for key in keys:
                value = _whole(found.get(key))
                if value is not None and self.found[name] is None:
                    self.found[name] = value


def parse_counts(page: str) -> tuple[int | None, int | None]:
    """(reactions, comments) as the post's public page shows them; None where it does not."""
    parser = _Counts()
    parser.feed(page)
    parser.close()
    return parser.found["reactions"], parser.found["comments"]


# -- reading a post's counts -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """What re-reading a post showed. outcome: "read", "gone" (404/410), "transient",
    "unreadable" (blocked, not a post page, a network Chorus cannot read)."""

    outcome: str
    reactions: int | None = None
    comments: int | None = None
    detail: str = ""
    retry_after: float | None = None


async def read_counts(
    fetcher: SafeFetcher, settings: Settings, *, network: str, post_url: str
) -> Counts:
    """The post's public counts through the network's reader (X: whether it is there, no counts)."""
    if network not in READABLE:
        return Counts("unreadable", detail=f"Chorus does not read {network} posts.")
    try:
        if network == "x":
            endpoint = f"{settings.x_oembed_url}?url={quote(post_url, safe='')}&omit_script=1"
            await fetcher.get(endpoint, headers={"Accept": "application/json"})
            return Counts("read", detail="X's oEmbed shows no counts.")
        base = settings.linkedin_base_url if network == "linkedin" else settings.facebook_base_url
        result = await fetcher.get(
            _rebase(post_url, base), headers={"Accept": "text/html,*/*;q=0.5"}
        )
    except FetchError as exc:
        check = _from_error(exc)
        outcome = {"not_found": "gone", "transient": "transient"}.get(check.outcome, "unreadable")
        return Counts(outcome, detail=check.detail, retry_after=check.retry_after)
    reactions, comments = parse_counts(result.body.decode("utf-8", errors="replace"))
    return Counts("read", reactions, comments, "The public page was read.")


class RereadLater(Exception):
    """A transient failure: the job should run again after `defer` seconds."""

    def __init__(self, defer: float, why: str) -> None:
        super().__init__(why)
        self.defer = defer


# -- storing ------------------------------------------------------------------------------------

# The stored stage moves only forward; a gone post keeps its counts and is marked once.
_STORE = """
UPDATE {table} SET
  reactions = CASE WHEN $2 = 'read' THEN $3::integer ELSE reactions END,
  comments = CASE WHEN $2 = 'read' THEN $4::integer ELSE comments END,
  engagement_read_at = CASE WHEN $2 = 'read' THEN $6::timestamptz ELSE engagement_read_at END,
  engagement_stage = $5,
  post_gone_at = CASE WHEN $2 = 'gone' THEN coalesce(post_gone_at, $6::timestamptz)
    ELSE post_gone_at END
WHERE id = $1 AND (engagement_stage IS NULL OR engagement_stage <= $5)
"""  # '24h' < '7d' as text: the stages' order


def _stage_of(stage: str) -> str:
    if stage not in STAGES:
        raise ValueError(f"unknown engagement stage {stage!r}")
    return stage


async def reread_row(
    table: str,  # a constant: "submission" or "official_link"
    row: dict[str, Any] | None,
    stage: str,
    *,
    fetcher: SafeFetcher,
    settings: Settings,
    attempt: int,
) -> str:
    if row is None:
        return "gone"
    if row["engagement_stage"] is not None and row["engagement_stage"] > stage:
        return f"already read at {row['engagement_stage']}"
    if row["post_gone_at"] is not None:
        return "post gone"
    counts = await read_counts(fetcher, settings, network=row["network"], post_url=row["post_url"])
    if counts.outcome == "transient":
        if attempt < settings.verify_max_tries:
            backoff = settings.verify_retry_seconds * 2 ** (attempt - 1)
            raise RereadLater(max(counts.retry_after or 0, backoff), counts.detail)
        counts = Counts("unreadable", detail=f"{counts.detail}; gave up after {attempt} tries")
    await fetch(
        _STORE.format(table=table),
        row["id"],
        counts.outcome,
        counts.reactions,
        counts.comments,
        stage,
        clock.now(),
    )
    log.info(
        "engagement re-read",
        extra={"id": str(row["id"]), "stage": stage, "outcome": counts.outcome},
    )
    return counts.outcome


async def reread_submission(
    submission_id: UUID, stage: str, *, fetcher: SafeFetcher, settings: Settings, attempt: int
) -> str:
    """Re-read a verified share's post at `stage` and store its counts; idempotent."""
    rows = await fetch(
        "SELECT id, network, post_url, engagement_stage, post_gone_at FROM submission "
        "WHERE id = $1 AND status = 'verified' AND post_url IS NOT NULL",
        submission_id,
    )
    return await reread_row(
        "submission",
        rows[0] if rows else None,
        _stage_of(stage),
        fetcher=fetcher,
        settings=settings,
        attempt=attempt,
    )


# -- what is due --------------------------------------------------------------------------------

# The latest stage due and not done for each post: the 7 d re-read replaces a missed 24 h one.
_DUE = """
SELECT id, CASE WHEN {since} <= $1::timestamptz - interval '7 days' THEN '7d' ELSE '24h' END
  AS stage
FROM {table}
WHERE {where} AND post_gone_at IS NULL AND network = ANY($3::text[])
  AND {since} <= $1::timestamptz - interval '24 hours'
  AND {since} > $1::timestamptz - interval '30 days'  -- older posts are not re-read
  AND (engagement_stage IS NULL OR (engagement_stage = '24h'
    AND {since} <= $1::timestamptz - interval '7 days'))
ORDER BY {since} LIMIT $2
"""  # the table and columns are constants


async def due_submissions(limit: int = SWEEP_BATCH) -> list[tuple[UUID, str]]:
    """Verified shares whose re-read is due and not done: (submission, stage)."""
    return await due(
        "submission", "decided_at", "status = 'verified' AND post_url IS NOT NULL", limit
    )


async def due(table: str, since: str, where: str, limit: int) -> list[tuple[UUID, str]]:
    """Rows of `table` (constants) whose re-read is due by `since` and not done."""
    rows = await fetch(
        _DUE.format(table=table, since=since, where=where), clock.now(), limit, list(READABLE)
    )
    return [(r["id"], r["stage"]) for r in rows]
