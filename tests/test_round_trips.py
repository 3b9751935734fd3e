"""A verified share costs a handful of PostgreSQL round trips, counted statement by statement.

Every statement asyncpg sends from inside the verify task (the decision, what it derives, and
every subscriber that runs after the commit: boards, badges, feed, notices, pushes) is counted
by wrapping asyncpg's connection; background loops that happen to run meanwhile (the board
relay, the click ingester) run in other contexts and are not counted. The connections are
warm, as a running worker's are: a statement a connection has not prepared yet costs one more
round trip, counted apart.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg.connection
import pytest

from tests.fakes import linkedin_page
from tests.helpers import add_member, bearer
from tests.test_submissions import POST_PATH, POST_URL, _setup, _submit

BUDGET = 10  # PostgreSQL round trips per verified share (issue 22)


@dataclass
class Tally:
    statements: list[str] = field(default_factory=list)
    prepares: int = 0


_tally: contextvars.ContextVar[Tally | None] = contextvars.ContextVar("tally", default=None)


@contextmanager
def counting_statements() -> Iterator[Tally]:
    """Count what asyncpg sends from this context (and the tasks it starts) while open."""
    conn = asyncpg.connection.Connection
    originals = (conn._execute, conn.execute, conn._executemany, conn._get_statement)

    async def _execute(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if (tally := _tally.get()) is not None:
            tally.statements.append(query)
        return await originals[0](self, query, *args, **kwargs)

    async def execute(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        # with arguments asyncpg goes through _execute (counted there); without, a simple query
        if not args and (tally := _tally.get()) is not None:
            tally.statements.append(query)
        return await originals[1](self, query, *args, **kwargs)

    async def _executemany(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if (tally := _tally.get()) is not None:
            tally.statements.append(query)
        return await originals[2](self, query, *args, **kwargs)

    async def _get_statement(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        tally = _tally.get()
        before = len(self._stmt_cache) if tally is not None else 0
        statement = await originals[3](self, query, *args, **kwargs)
        if tally is not None and len(self._stmt_cache) != before:
            tally.prepares += 1
        return statement

    tally = Tally()
    token = _tally.set(tally)
    conn._execute, conn.execute, conn._executemany, conn._get_statement = (  # type: ignore[method-assign]
        _execute,
        execute,
        _executemany,
        _get_statement,
    )
    try:
        yield tally
    finally:
        conn._execute, conn.execute, conn._executemany, conn._get_statement = originals  # type: ignore[method-assign]
        _tally.reset(token)


async def _verify(app: Any, submission_id: str) -> str:
    from workers.settings import make_fetcher
    from workers.tasks import verify_submission

    fetcher = make_fetcher()
    try:
        ctx = {"fetcher": fetcher, "job_try": 1, "redis": app.state.redis}
        return await verify_submission(ctx, submission_id)
    finally:
        await fetcher.aclose()


async def _share(client: Any, network: Any, person: Any, challenge: dict[str, Any], n: int) -> str:
    link = (
        await client.post(
            f"/api/v1/challenges/{challenge['id']}/share-links",
            json={"network": "linkedin"},
            headers=bearer(person),
        )
    ).json()
    path = POST_PATH.replace("0001-AbCd", f"{n:04d}-AbCd")
    network.linkedin_post(path, linkedin_page(f"We launched! {link['trackedUrl']} #launch"))
    resp = await _submit(client, person, challenge, POST_URL.replace(POST_PATH, path))
    assert resp.status_code == 202, resp.text
    return str(resp.json()["id"])


@pytest.mark.parametrize("team_goal", [False, True])
async def test_a_verified_share_takes_at_most_ten_round_trips(app, client, network, team_goal):
    """A first share (it earns the first-share badge and its bonus, a verdict notice, a badge
    notice, a feed item, passes a colleague on the board), after a colleague's share warmed the
    worker's connections and caches up."""
    goal = {"teamGoal": {"shares": 3, "bonus": 20}} if team_goal else {}
    admin, first, challenge, _ = await _setup(client, verification="auto", **goal)
    second = await add_member(client, admin, name="Sam")
    third = await add_member(client, admin, name="Ana")
    assert await _verify(app, await _share(client, network, first, challenge, 1)) == "verified"
    assert await _verify(app, await _share(client, network, second, challenge, 2)) == "verified"
    claim = await _share(client, network, third, challenge, 3)
    with counting_statements() as tally:
        assert await _verify(app, claim) == "verified"
    listing = "\n".join(f"  {' '.join(q.split())[:110]}" for q in tally.statements)
    print(f"\n{len(tally.statements)} statements, {tally.prepares} prepares:\n{listing}")
    assert len(tally.statements) <= BUDGET, listing
    me = (await client.get("/api/v1/me", headers=bearer(third))).json()
    assert me["badges"] == ["first-share"]
    assert me["points"] == challenge["points"] + 10
