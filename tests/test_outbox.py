"""The board outbox on real PostgreSQL and Redis: every ledger row reaches every board it counts
on exactly once, whatever is lost after its commit (the event, the relay's answer, the relay
itself), and every test ends with the boards equal to the ledger."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import pytest

from backend import events
from backend.db import DB
from backend.leaderboards import boards, keys, outbox
from backend.points import service as points
from backend.points.tables import BoardOutbox
from tests.helpers import add_member, create_team, ledger_award, signup

SAFETY_NET_SECONDS = 60.0  # never reached when things work; a busy machine stays well inside


async def board_differences(redis: Any, org_id: UUID) -> list[str]:
    """The boards (straight from Redis) that differ from what the ledger says; [] when equal."""
    _, expected = await boards.compute_from_ledger(org_id)
    differ = []
    for key in set(expected) | set(await boards.board_keys(redis, org_id)):
        actual = {
            (m.decode() if isinstance(m, bytes) else m): s
            for m, s in await redis.zrange(key, 0, -1, withscores=True)
        }
        if actual != expected.get(key, {}):
            differ.append(key)
    return sorted(differ)


async def outbox_rows(org_id: UUID | None = None) -> int:
    query = BoardOutbox.count()
    return int(await (query.where(BoardOutbox.org == org_id) if org_id else query))


async def until_boards_equal_ledger(redis: Any, org_id: UUID) -> float:
    """Seconds until the outbox is drained and every board equals the ledger (no reconcile)."""
    started = time.monotonic()
    while True:
        if await outbox_rows(org_id) == 0 and await board_differences(redis, org_id) == []:
            return time.monotonic() - started
        if time.monotonic() - started > SAFETY_NET_SECONDS:
            differ = await board_differences(redis, org_id)
            raise AssertionError(f"boards still differ from the ledger: {differ}")
        await asyncio.sleep(0.02)


@pytest.fixture
async def no_process_relay(app: Any) -> AsyncIterator[None]:
    """This process's relay loop stopped for the test (other relays are the test's own)."""
    await outbox.stop()
    assert outbox.process_relay() is None
    try:
        yield
    finally:
        outbox.start(app.state.redis)  # type: ignore[attr-defined]


async def _org(client: Any, people: int = 3) -> tuple[UUID, list[UUID], UUID]:
    admin = await signup(client)
    team = await create_team(client, admin, "Red")
    members = [
        UUID((await add_member(client, admin, team_id=team["id"], name=f"P{n}")).user_id)
        for n in range(people)
    ]
    return UUID(admin.org_id), members, UUID(team["id"])


class Crash(Exception):
    """The relay's process dying between the Lua call and the delete's commit."""


async def test_a_replay_after_a_crash_between_lua_and_delete_applies_nothing_twice(
    app, client, no_process_relay
):
    redis = app.state.redis
    org_id, people, team = await _org(client)
    await boards.rebuild(redis, org_id)
    for person, delta in zip(people, (30, 20, 10), strict=True):
        await ledger_award(org_id, person, delta, team_id=team, announce=False)  # no kick
    relay = outbox.Relay(redis)

    async def crash_between_lua_and_delete() -> None:
        async with DB.transaction():
            rows = await relay.claim()
            assert await relay.apply(rows) == [1, 1, 1]
            raise Crash  # the deletes roll back: the rows are still unsent

    with pytest.raises(Crash):
        await crash_between_lua_and_delete()
    assert await outbox_rows(org_id) == 3
    assert await board_differences(redis, org_id) == []  # on the boards, once
    replay = await relay.relay_once()
    assert (replay.claimed, replay.applied) == (3, 0)  # the record makes the replay a no-op
    assert await outbox_rows(org_id) == 0
    assert await board_differences(redis, org_id) == []
    assert await redis.exists(keys.mark_key(org_id))  # no rebuild was needed


async def test_concurrent_relays_apply_each_ledger_id_once(app, client, no_process_relay):
    redis = app.state.redis
    orgs = [await _org(client), await _org(client)]
    for org_id, _, _ in orgs:
        await boards.rebuild(redis, org_id)
    awards = 0
    for n in range(60):
        for org_id, people, team in orgs:
            await ledger_award(
                org_id, people[n % 3], 5 + n % 7, team_id=team, announce=False, reason="test"
            )
            awards += 1
    relays = [outbox.Relay(redis, batch=16) for _ in range(4)]

    async def drain(relay: outbox.Relay) -> int:
        applied = 0
        while (done := await relay.relay_once()).claimed:
            applied += done.applied
        return applied

    applied = await asyncio.gather(*(drain(r) for r in relays))
    # drained by whoever got there first; each row applied by exactly one relay
    assert sum(applied) == awards
    assert await outbox_rows() == 0
    for org_id, _, _ in orgs:
        assert await board_differences(redis, org_id) == []


async def test_an_award_whose_event_is_lost_reaches_the_boards_through_the_loop(
    app, client, monkeypatch
):
    redis = app.state.redis
    org_id, people, team = await _org(client)
    await boards.rebuild(redis, org_id)
    monkeypatch.setattr(outbox, "_kicker", None)  # the event is lost: no kick
    async with DB.transaction():
        written = await points.append(
            [
                points.LedgerEntry(org_id, people[0], team, 40, "test", "lost-event-1"),
                points.LedgerEntry(org_id, people[1], team, 15, "test", "lost-event-2"),
            ]
        )
    await events.points_awarded(written)
    assert await outbox_rows(org_id) in (0, 1, 2)
    seconds = await until_boards_equal_ledger(redis, org_id)
    print(f"\nan award with no event on the boards {seconds:.2f} s after its commit")


async def test_rows_wait_while_boards_are_unbuilt_then_apply_exactly_once(
    app, client, no_process_relay
):
    redis = app.state.redis
    org_id, people, team = await _org(client)
    await boards.rebuild(redis, org_id)
    await ledger_award(org_id, people[0], 30, team_id=team, announce=False)
    await redis.delete(keys.mark_key(org_id))  # Redis lost the boards
    relay = outbox.Relay(redis)
    kept = await relay.relay_once()
    assert (kept.claimed, kept.applied, kept.unbuilt) == (1, 0, 1)
    assert await outbox_rows(org_id) == 1  # kept until the boards are rebuilt
    assert await redis.exists(f"arq:job:lb-rebuild:{org_id}")  # and a rebuild asked for
    assert (await relay.relay_once()).claimed == 0  # not looked at again while it waits
    await boards.rebuild(redis, org_id)  # its mark covers the first award
    await ledger_award(org_id, people[1], 20, team_id=team, announce=False)
    done = await outbox.Relay(redis).relay_once()
    assert (done.claimed, done.applied) == (2, 1)  # the second only: the first was rebuilt in
    assert await outbox_rows(org_id) == 0
    assert await board_differences(redis, org_id) == []


async def test_an_old_row_the_record_cannot_vouch_for_is_rebuilt_not_guessed(
    app, client, no_process_relay
):
    redis = app.state.redis
    org_id, people, team = await _org(client)
    await boards.rebuild(redis, org_id)
    await ledger_award(org_id, people[0], 30, team_id=team, announce=False)
    await DB.run_ddl(
        "UPDATE board_outbox SET queued_at = now() - interval '2 hours'"
    )  # e.g. PostgreSQL was away that long after a relay applied it: applied or not?
    relay = outbox.Relay(redis)
    assert (await relay.relay_once()).unbuilt == 1
    assert not await redis.exists(keys.mark_key(org_id))  # readers rebuild before serving
    await boards.rebuild(redis, org_id)
    assert (await outbox.Relay(redis).relay_once()).applied == 0
    assert await outbox_rows(org_id) == 0
    assert await board_differences(redis, org_id) == []


async def test_the_kick_and_the_loop_together_count_every_award_once(app, client):
    redis = app.state.redis
    org_id, people, team = await _org(client)
    await boards.rebuild(redis, org_id)
    for n in range(40):  # announced: the kick applies, the loop finds them applied
        await ledger_award(org_id, people[n % 3], 10 + n, team_id=team)
    assert await board_differences(redis, org_id) == []  # the kick: on the boards at once
    await until_boards_equal_ledger(redis, org_id)


async def test_one_relay_call_applies_many_awards_per_person_as_one_by_one_would(
    app, client, no_process_relay
):
    from datetime import UTC, datetime, timedelta

    redis = app.state.redis
    org_id, people, team = await _org(client)
    await boards.rebuild(redis, org_id)
    now = datetime.now(UTC)
    # several awards per person and board in one batch, out of time order, across weeks
    for n in range(15):
        at = now - timedelta(days=(n * 5) % 11, minutes=n)
        await ledger_award(org_id, people[n % 3], 5 + n, at=at, team_id=team, announce=False)
    listener = redis.pubsub()
    await listener.subscribe(boards.BOARD_EVENTS)
    await listener.get_message(timeout=1)  # the subscription's confirmation
    relay = outbox.Relay(redis)
    done = await relay.relay_once()
    assert (done.claimed, done.applied) == (15, 15)  # one Lua call for the whole batch
    assert await board_differences(redis, org_id) == []

    announced = []
    for _ in range(1000):  # pub/sub spans Redis databases: other test processes are heard too
        if (message := await listener.get_message(timeout=0.5)) is None:
            break
        if message["data"].decode().startswith(str(org_id)):
            announced.append(message["data"].decode())
    # live readers hear once per person and team of the batch, not once per award
    assert sorted(announced) == sorted(f"{org_id} {p} {team}" for p in people)

    # each period board expires when its period's retention ends, the all-time ones never
    tz = await boards.org_timezone(org_id)
    board_keys = await boards.board_keys(redis, org_id)
    assert len({key.rsplit(":", 1)[1] for key in board_keys}) >= 4  # two weeks at least
    for key in board_keys:
        expires = keys.expiry_of(key.rsplit(":", 1)[1], tz)
        ttl = await redis.ttl(key)
        if expires is None:
            assert ttl == -1, key
        else:
            assert abs(ttl - (expires - time.time())) < 5, key

    # a replay of the same batch (e.g. its delete lost) changes nothing and announces nothing
    async with DB.transaction():
        await BoardOutbox.raw(
            "INSERT INTO board_outbox (ledger, org) SELECT id, org FROM points_ledger "
            "WHERE org = {}",
            org_id,
        )
    replay = await outbox.Relay(redis).relay_once()
    assert (replay.claimed, replay.applied) == (15, 0)
    assert await board_differences(redis, org_id) == []
    for _ in range(1000):  # the replay is silent (others' messages may still arrive)
        if (message := await listener.get_message(timeout=0.3)) is None:
            break
        assert not message["data"].decode().startswith(str(org_id)), message
    await listener.aclose()
