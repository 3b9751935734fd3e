"""Impact analytics over 1,000,000 clicks and 100,000 ledger rows: `GET /api/v1/admin/analytics`
for 30 days on the running server, against one indexed COUNT over the same clicks.

The data go in by COPY into a fresh organization (made through the public API): 1,000 people in
10 teams, 10 challenges under 3 pillars, 3,000 share links, 5,000 submissions, 1,000,000 clicks
(80 % unique) and 100,000 ledger rows spread over the 30 days.
"""

from __future__ import annotations

import random
import secrets
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

CLICKS = 1_000_000
LEDGER = 100_000
PEOPLE = 1_000
NETWORKS = ["linkedin", "x", "facebook"]


@dataclass
class AnalyticsFigures:
    analytics: float  # seconds, median of one request each
    count: float  # seconds, median of one COUNT each


def _org(base: str) -> tuple[str, str]:
    with httpx.Client(base_url=base, timeout=30) as http:
        admin = http.post(
            "/api/v1/auth/signup",
            json={
                "orgName": "Analytics Co",
                "email": f"analytics-{secrets.token_hex(3)}@bench.example",
                "password": secrets.token_urlsafe(16),
                "displayName": "Ana Lytics",
            },
        ).json()
    return admin["orgId"], admin["accessToken"]


async def _fill(org: uuid.UUID) -> None:
    import asyncpg

    from backend.settings import get_settings

    rng = random.Random(7)
    now = datetime.now(UTC)
    conn = await asyncpg.connect(get_settings().database_url)
    try:
        teams = [uuid.uuid4() for _ in range(10)]
        await conn.copy_records_to_table(
            "team",
            records=[(t, org, f"Team {n}") for n, t in enumerate(teams)],
            columns=["id", "org", "name"],
        )
        people = [uuid.uuid4() for _ in range(PEOPLE)]
        await conn.copy_records_to_table(
            "app_user",
            records=[
                (p, org, f"p{n}-{p.hex[:6]}@bench.example", f"Person {n}", "!", teams[n % 10])
                for n, p in enumerate(people)
            ],
            columns=["id", "org", "email", "display_name", "password_hash", "team"],
        )
        pillars = [uuid.uuid4() for _ in range(3)]
        await conn.copy_records_to_table(
            "pillar",
            records=[(p, org, f"Pillar {n}", "A key message") for n, p in enumerate(pillars)],
            columns=["id", "org", "title", "message"],
        )
        challenges = [uuid.uuid4() for _ in range(10)]
        await conn.copy_records_to_table(
            "challenge",
            records=[
                (
                    c,
                    org,
                    f"bench-{c.hex[:8]}",
                    "share",
                    f"Challenge {n}",
                    pillars[n % 3],
                    "https://example.com/news",
                    NETWORKS,
                    50,
                    now - timedelta(days=30),
                    now + timedelta(days=1),
                    "auto",
                    "published",
                )
                for n, c in enumerate(challenges)
            ],
            columns=[
                "id",
                "org",
                "slug",
                "kind",
                "title",
                "pillar",
                "content_url",
                "networks",
                "points",
                "starts_at",
                "ends_at",
                "verification",
                "state",
            ],
        )
        links = [
            (
                uuid.uuid4(),
                org,
                challenges[n % 10],
                people[n % PEOPLE],
                NETWORKS[n % 3],
                secrets.token_hex(6)[:10],
            )
            for n in range(3 * PEOPLE)
        ]
        await conn.copy_records_to_table(
            "share_link",
            records=links,
            columns=["id", "org", "challenge", "user", "network", "code"],
        )
        seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
        submissions = []
        for n in range(5_000):
            link = links[n % len(links)]
            if (link[3], link[2]) in seen:
                continue
            seen.add((link[3], link[2]))
            status = "verified" if n % 5 else "rejected"
            at = now - timedelta(seconds=rng.randrange(30 * 86_400))
            submissions.append((uuid.uuid4(), org, link[2], link[3], link[4], status, at))
        await conn.copy_records_to_table(
            "submission",
            records=submissions,
            columns=["id", "org", "challenge", "user", "network", "status", "created_at"],
        )

        def clicks():  # type: ignore[no-untyped-def]
            for n in range(CLICKS):
                link = links[rng.randrange(len(links))]
                kind = "unique" if n % 5 else "repeat"
                at = now - timedelta(seconds=rng.randrange(30 * 86_400))
                yield (uuid.uuid4(), org, link[0], link[2], link[3], link[4], at, kind, f"{n:032x}")

        await conn.copy_records_to_table(
            "click",
            records=clicks(),
            columns=[
                "id",
                "org",
                "link",
                "challenge",
                "sharer",
                "network",
                "at",
                "kind",
                "visitor_hash",
            ],
        )
        await conn.copy_records_to_table(
            "points_ledger",
            records=[
                (
                    org,
                    people[n % PEOPLE],
                    teams[n % 10],
                    1 + n % 50,
                    "bench",
                    challenges[n % 10],
                    f"bench:{org}:{n}",
                    now - timedelta(seconds=rng.randrange(30 * 86_400)),
                )
                for n in range(LEDGER)
            ],
            columns=[
                "org",
                "user",
                "team",
                "delta",
                "reason",
                "challenge",
                "idempotency_key",
                "created_at",
            ],
        )
        # read by the analytics alone: not for the board relay to carry (nobody reads its boards)
        await conn.execute("DELETE FROM board_outbox WHERE org = $1", org)
        await conn.execute("ANALYZE click; ANALYZE points_ledger; ANALYZE submission")
    finally:
        await conn.close()


async def measure(base: str) -> AnalyticsFigures:
    import asyncpg

    from backend.settings import get_settings

    org_text, token = _org(base)
    org = uuid.UUID(org_text)
    await _fill(org)
    today = datetime.now(UTC).date()
    query = f"from={today - timedelta(days=29)}&to={today}"
    start = datetime.combine(today - timedelta(days=29), datetime.min.time(), UTC)
    end = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
    conn = await asyncpg.connect(get_settings().database_url)
    try:
        count_sql = "SELECT count(*) FROM click WHERE org = $1 AND at >= $2 AND at < $3"

        async def one_count() -> float:
            started = time.perf_counter()
            await conn.fetchval(count_sql, org, start, end)
            return time.perf_counter() - started

        await one_count()  # warm-up: the index in shared buffers
        count = statistics.median([await one_count() for _ in range(7)])
    finally:
        await conn.close()
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        headers = {"Authorization": f"Bearer {token}"}

        async def one_report() -> float:
            started = time.perf_counter()
            resp = await http.get(f"/api/v1/admin/analytics?{query}", headers=headers)
            resp.raise_for_status()
            return time.perf_counter() - started

        await one_report()
        analytics = statistics.median([await one_report() for _ in range(5)])
    return AnalyticsFigures(analytics=analytics, count=count)
