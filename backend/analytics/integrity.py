"""The integrity view: what the game set aside and who an admin might look at.

Per challenge, the clicks that did not count and why (recorded at ingestion, `click.set_aside`);
people whose links drew many refused clicks (their own, or one address clicking too fast); and
pairs of people exchanging many kudos. Nothing here accuses anyone: it shows the numbers the
rules already acted on, so an admin can see the game is fair and talk to people where needed.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from backend.analytics.measures import day_range
from backend.analytics.schemas import (
    ChallengeIntegrity,
    ClicksSetAside,
    IntegrityRead,
    KudosPair,
    PersonFlag,
)
from backend.sharing.tables import Click

# Someone is listed from this many refused clicks on their links in the range.
REFUSED_CLICKS_TO_FLAG = 10
# A pair is listed from this many kudos from one to the other in the range.
KUDOS_TO_FLAG = 3
LISTED = 50  # rows of each list, at most


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await Click.raw(sql, *args)  # type: ignore[no-any-return]


async def integrity(org_id: UUID, first: date | None, last: date | None) -> IntegrityRead:
    span = await day_range(org_id, first, last)
    per_challenge = await _rows(
        "SELECT c.id, c.title, coalesce(sum(k.n) FILTER (WHERE k.kind = 'unique'), 0) AS unique_n, "
        "coalesce(jsonb_object_agg(k.set_aside, k.n) FILTER (WHERE k.set_aside IS NOT NULL), "
        "jsonb_build_object()) AS set_aside FROM challenge c JOIN ("
        "  SELECT challenge, kind, set_aside, count(*) AS n FROM click "
        "  WHERE org = {} AND at >= {} AND at < {} GROUP BY challenge, kind, set_aside"
        ") k ON k.challenge = c.id WHERE c.org = {} GROUP BY c.id, c.title ORDER BY c.title",
        org_id,
        span.start,
        span.end,
        org_id,
    )
    challenges = []
    for row in per_challenge:
        aside = row["set_aside"]
        aside = msgspec.json.decode(aside) if isinstance(aside, str) else aside
        challenges.append(
            ChallengeIntegrity(
                challenge_id=row["id"],
                title=row["title"],
                unique=int(row["unique_n"]),
                set_aside=ClicksSetAside(**{k: int(v) for k, v in aside.items()}),
            )
        )
    people = await _rows(
        "SELECT u.id, u.display_name, "
        "count(*) FILTER (WHERE k.set_aside IN ('session', 'sharer_address', 'rate_limit', "
        "'unverified_bot')) AS refused, count(*) FILTER (WHERE k.kind = 'unique') AS unique_n, "
        "count(*) FILTER (WHERE k.set_aside IN ('session', 'sharer_address')) AS own "
        "FROM click k JOIN app_user u ON u.id = k.sharer "
        "WHERE k.org = {} AND k.at >= {} AND k.at < {} GROUP BY u.id, u.display_name "
        "HAVING count(*) FILTER (WHERE k.set_aside IN ('session', 'sharer_address', "
        "'rate_limit', 'unverified_bot')) >= {} ORDER BY refused DESC, u.id LIMIT {}",
        org_id,
        span.start,
        span.end,
        REFUSED_CLICKS_TO_FLAG,
        LISTED,
    )
    pairs = await _rows(
        "SELECT k.giver, g.display_name AS giver_name, k.receiver, r.display_name AS "
        "receiver_name, count(*) AS n, (SELECT count(*) FROM kudos back WHERE back.giver = "
        "k.receiver AND back.receiver = k.giver AND back.created_at >= {} AND back.created_at "
        "< {}) AS back_n FROM kudos k JOIN app_user g ON g.id = k.giver "
        "JOIN app_user r ON r.id = k.receiver WHERE k.org = {} AND k.created_at >= {} "
        "AND k.created_at < {} GROUP BY k.giver, g.display_name, k.receiver, r.display_name "
        "HAVING count(*) >= {} ORDER BY n DESC, k.giver, k.receiver LIMIT {}",
        span.start,
        span.end,
        org_id,
        span.start,
        span.end,
        KUDOS_TO_FLAG,
        LISTED,
    )
    return IntegrityRead(
        from_date=span.first,
        to_date=span.last,
        challenges=challenges,
        people=[
            PersonFlag(
                user_id=row["id"],
                display_name=row["display_name"],
                refused_clicks=int(row["refused"]),
                unique_clicks=int(row["unique_n"]),
                why=(
                    f"{row['refused']} clicks on their links did not count"
                    + (f", {row['own']} of them their own" if row["own"] else "")
                    + f"; {row['unique_n']} counted."
                ),
            )
            for row in people
        ],
        kudos_pairs=[
            KudosPair(
                giver_id=row["giver"],
                giver_name=row["giver_name"],
                receiver_id=row["receiver"],
                receiver_name=row["receiver_name"],
                count=int(row["n"]),
                mutual=int(row["back_n"]) >= int(row["n"]),
            )
            for row in pairs
        ],
    )
