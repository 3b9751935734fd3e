"""The boards' fast lane (backend/leaderboards/controller.py board_reads_middleware): a plain,
valid, signed-in read is answered before the framework, with the very bytes and headers the
framework gives; anything else reaches the framework and is answered as it always was."""

from __future__ import annotations

from typing import Any

import pytest

from backend.http.auth import VerifiedTokenCache
from tests.helpers import add_member, assert_problem, bearer, create_team, ledger_award, signup

USERS = "/api/v1/leaderboards/users"
TEAMS = "/api/v1/leaderboards/teams"


@pytest.fixture
def framework_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens the framework's authentication saw: a read it answered is listed here."""
    seen: list[str] = []
    real = VerifiedTokenCache.authenticate_token

    async def counted(self: Any, encoded_token: str, connection: Any) -> Any:
        seen.append(str(connection.scope["path"]))
        return await real(self, encoded_token, connection)

    monkeypatch.setattr(VerifiedTokenCache, "authenticate_token", counted)
    return seen


def _comparable(resp: Any) -> tuple[int, bytes, dict[str, str]]:
    headers = {k: v for k, v in resp.headers.items() if k not in ("x-request-id", "date")}
    return resp.status_code, resp.content, headers


async def _world(client: Any) -> tuple[Any, Any, Any]:
    admin = await signup(client, org="Fast Co")
    team = await create_team(client, admin, "Field")
    sam = await add_member(client, admin, team_id=team["id"], name="Sam")
    for person, points in ((admin, 40), (sam, 25)):
        await ledger_award(admin.org_id, person.user_id, points)
    return admin, sam, team


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?period=month",
        "?period=all&limit=1",
        "?limit=100&offset=1",
        "?offset=5",
    ],
)
async def test_a_plain_read_gets_the_frameworks_answer_without_the_framework(
    client, framework_reads, query
):
    _admin, sam, _ = await _world(client)
    VerifiedTokenCache._verified.pop(sam.token, None)
    framework_reads.clear()
    first = await client.get(USERS + query, headers=bearer(sam))  # the token is new: framework
    assert framework_reads == [USERS]
    again = await client.get(USERS + query, headers=bearer(sam))  # verified before: fast lane
    assert framework_reads == [USERS]
    assert first.status_code == 200
    assert _comparable(again) == _comparable(first)
    by_cookie = await client.get(USERS + query, headers={"Cookie": f"chorus_token={sam.token}"})
    assert _comparable(by_cookie)[:2] == _comparable(first)[:2]
    assert framework_reads == [USERS]


async def test_the_team_board_takes_the_fast_lane_too(client, framework_reads):
    _admin, sam, _ = await _world(client)
    VerifiedTokenCache._verified.pop(sam.token, None)
    for query in ("", "?metric=perCapita&period=all"):
        framework_reads.clear()
        first = await client.get(TEAMS + query, headers=bearer(sam))
        again = await client.get(TEAMS + query, headers=bearer(sam))
        assert first.status_code == 200
        assert _comparable(again) == _comparable(first)
        assert len(framework_reads) <= 1


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?period=year", 400),
        ("?limit=0", 400),
        ("?limit=101", 400),
        ("?limit=ten", 400),
        ("?offset=-1", 400),
        ("?offset=99999999", 400),
        ("?limit=5&limit=6", None),  # the framework decides what a repeated parameter means
        ("?teamId=00000000-0000-4000-8000-000000000000", 404),
        ("?unknown=1", None),
    ],
)
async def test_anything_unusual_is_left_to_the_framework(client, framework_reads, query, status):
    _admin, sam, _ = await _world(client)
    await client.get(USERS, headers=bearer(sam))  # the token verified: the lane is open to it
    framework_reads.clear()
    resp = await client.get(USERS + query, headers=bearer(sam))
    assert framework_reads == [USERS]  # the framework answered
    if status is not None:
        assert_problem(resp, status)
    else:
        assert resp.status_code in (200, 400)


async def test_an_ended_session_or_a_stranger_is_refused_as_before(client, framework_reads):
    admin, sam, _ = await _world(client)
    assert (await client.get(USERS, headers=bearer(sam))).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=bearer(sam))).status_code == 204
    assert_problem(await client.get(USERS, headers=bearer(sam)), 401)  # the token was ended
    assert_problem(await client.get(USERS, headers={"Authorization": "Bearer nonsense"}), 401)
    assert_problem(await client.get(USERS, headers={"Authorization": "Basic abc"}), 401)
    assert_problem(await client.get(USERS), 401)
    # a board of the caller's own organization only: another organization's people never show
    other = await signup(client, org="Other Co")
    await ledger_award(other.org_id, other.user_id, 99)
    mine = (await client.get(USERS, headers=bearer(admin))).json()
    assert other.user_id not in {e["userId"] for e in mine["entries"]}
    theirs = (await client.get(USERS, headers=bearer(other))).json()
    assert [e["userId"] for e in theirs["entries"]] == [other.user_id]


@pytest.mark.parametrize("failing", ["board", "session"])
async def test_a_failure_in_the_lane_is_answered_by_the_framework_with_its_503(
    app, client, monkeypatch, failing
):
    """Redis away while the session or the board is read: the framework's 503 with Retry-After,
    never a 500 from outside it."""
    import redis.exceptions

    from backend.orgs import sessions

    _admin, sam, _ = await _world(client)
    assert (await client.get(USERS, headers=bearer(sam))).status_code == 200  # verified

    async def down(*args: Any, **kwargs: Any) -> Any:
        raise redis.exceptions.ConnectionError("Redis is restarting")

    if failing == "board":
        monkeypatch.setattr(app.state.boards, "users", down)
    else:
        monkeypatch.setattr(sessions, "user_of_token", down)
    resp = await client.get(USERS, headers=bearer(sam))
    assert_problem(resp, 503)
    assert resp.headers["retry-after"]
