"""The employee's challenge list served from an API process's memory equals the database's
list after every change made in another process: publish, edit, archive, a pillar renamed,
claims, an admin's decisions, the worker's decisions, a revocation, the clock opening a
scheduled challenge, and a change nobody announced once the pub/sub connection was lost.

The reader is a real `chorus serve` process; the changes are made by this test process's app
and its burst worker, so they reach the reader only through Redis."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import msgspec
import pytest
from redis.asyncio import Redis

from backend.challenges import cache, service
from backend.challenges.schemas import ChallengeRead
from backend.challenges.tables import Challenge
from backend.core.identity import CurrentUser
from backend.core.wire import Page
from backend.orgs.tables import User
from backend.settings import get_settings
from tests.helpers import (
    Account,
    add_member,
    bearer,
    create_challenge,
    run_worker_burst,
    signup,
)
from tests.stack import chorus_stack

SETTLE_SECONDS = 8.0  # a safety net for a busy machine, not a budget


def post_url(n: int) -> str:
    return f"https://www.linkedin.com/posts/sam-member_launch-activity-72000000000000{n:05d}-AbCd"


@pytest.fixture
async def reader(tmp_path: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A `chorus serve` process of its own (no worker) on the tests' servers."""
    manager = chorus_stack(os.environ.copy(), api_processes=1, log_dir=tmp_path, worker=False)
    stack = await asyncio.to_thread(manager.__enter__)
    try:
        async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as http:
            yield http
    finally:
        await asyncio.to_thread(manager.__exit__, None, None, None)


async def database_list(account: Account) -> list[dict[str, Any]]:
    """The list as the database gives it (the service's query, no memory involved)."""
    row = await User.select().where(User.id == UUID(account.user_id)).first()
    assert row is not None
    user = CurrentUser(
        id=row["id"],
        org_id=row["org"],
        role=row["role"],
        email=row["email"],
        display_name=row["display_name"],
        team_id=row["team"],
    )
    page = Page[ChallengeRead](items=await service.list_open(user), next_cursor=None)
    items: list[dict[str, Any]] = msgspec.json.decode(msgspec.json.encode(page))["items"]
    return items


async def served_list(reader: httpx.AsyncClient, account: Account) -> list[dict[str, Any]]:
    resp = await reader.get("/api/v1/challenges", headers=bearer(account))
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


async def assert_same(reader: httpx.AsyncClient, account: Account) -> list[dict[str, Any]]:
    """The reader's list equals the database's, within the time a pub/sub message takes."""
    deadline = asyncio.get_running_loop().time() + SETTLE_SECONDS
    while True:
        served, truth = await served_list(reader, account), await database_list(account)
        if served == truth:
            return served
        if asyncio.get_running_loop().time() > deadline:
            assert served == truth
        await asyncio.sleep(0.05)


async def warm(reader: httpx.AsyncClient, account: Account) -> None:
    """Read until the reader serves from memory: the same answer twice in a row, then once
    more, so that a stale entry (if the reader kept one) would be what it serves next."""
    for _ in range(3):
        await served_list(reader, account)


def statuses(items: list[dict[str, Any]]) -> dict[str, str]:
    return {item["title"]: item["myStatus"] for item in items}


async def test_the_list_in_memory_follows_changes_made_in_another_process(client, reader):
    admin = await signup(client)
    employee = await add_member(client, admin)
    made = {
        name: await create_challenge(client, admin, title=name, verification=policy)
        for name, policy in [
            ("Approved", "review"),
            ("Rejected", "review"),
            ("Trusted", "trust"),
            ("Revoked", "review"),
            ("Edited", "review"),
            ("Archived", "review"),
        ]
    }
    assert len(await assert_same(reader, employee)) == 6
    await warm(reader, employee)

    # edit, archive and a pillar's new title, each announced by this process
    edited = await client.patch(
        f"/api/v1/admin/challenges/{made['Edited']['id']}",
        json={"title": "Edited again", "description": "New words."},
        headers=bearer(admin),
    )
    assert edited.status_code == 200, edited.text
    assert "Edited again" in statuses(await assert_same(reader, employee))
    await warm(reader, employee)
    archived = await client.post(
        f"/api/v1/admin/challenges/{made['Archived']['id']}/archive", headers=bearer(admin)
    )
    assert archived.status_code == 200, archived.text
    assert "Archived" not in statuses(await assert_same(reader, employee))
    await warm(reader, employee)

    # claims made here: the reader learns of them although a claim sends no event itself
    submitted: dict[str, str] = {}
    for n, name in enumerate(["Approved", "Rejected", "Trusted", "Revoked"]):
        resp = await client.post(
            f"/api/v1/challenges/{made[name]['id']}/submissions",
            json={"network": "linkedin", "postUrl": post_url(n)},
            headers=bearer(employee),
        )
        assert resp.status_code == 202, resp.text
        submitted[name] = resp.json()["id"]
    assert set(statuses(await assert_same(reader, employee)).values()) == {"pending", "todo"}
    await warm(reader, employee)

    # the worker's decisions (a burst of the real worker in this process), then an admin's
    await run_worker_burst()
    assert statuses(await assert_same(reader, employee))["Trusted"] == "verified"
    await warm(reader, employee)
    for name, action in [("Approved", "approve"), ("Revoked", "approve"), ("Rejected", "reject")]:
        resp = await client.post(
            f"/api/v1/admin/submissions/{submitted[name]}/{action}", json={}, headers=bearer(admin)
        )
        assert resp.status_code == 200, resp.text
    shown = statuses(await assert_same(reader, employee))
    assert (shown["Approved"], shown["Rejected"], shown["Revoked"]) == (
        "verified",
        "rejected",
        "verified",
    )
    await warm(reader, employee)
    revoked = await client.post(
        f"/api/v1/admin/submissions/{submitted['Revoked']}/revoke", json={}, headers=bearer(admin)
    )
    assert revoked.status_code == 200, revoked.text
    assert statuses(await assert_same(reader, employee))["Revoked"] == "rejected"


async def test_a_scheduled_challenge_opens_by_the_clock_without_any_event(client, reader):
    admin = await signup(client)
    employee = await add_member(client, admin)
    await create_challenge(client, admin, title="Open now")
    start = datetime.now(UTC) + timedelta(seconds=2)
    await create_challenge(
        client,
        admin,
        title="Opens soon",
        startsAt=start.isoformat(),
        endsAt=(start + timedelta(days=1)).isoformat(),
    )
    assert list(statuses(await assert_same(reader, employee))) == ["Open now"]
    await warm(reader, employee)
    await asyncio.sleep(max((start - datetime.now(UTC)).total_seconds(), 0) + 0.1)
    # at once, not after an event or a reload: the entry held it, the read opened it
    assert "Opens soon" in statuses(await served_list(reader, employee))


async def test_after_the_pubsub_connection_is_lost_nothing_stale_is_served(client, reader):
    admin = await signup(client)
    employee = await add_member(client, admin)
    challenge = await create_challenge(client, admin, title="Before")
    await assert_same(reader, employee)
    await warm(reader, employee)
    redis = Redis.from_url(get_settings().redis_url)
    try:
        # every process's pub/sub connection is cut; then a change nobody announces is made
        await redis.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        await Challenge.update({Challenge.title: "Changed unannounced"}).where(
            Challenge.id == UUID(challenge["id"])
        )
        # without the drop on reconnection the reader would keep "Before" until its entries
        # age out (cache.MAX_AGE_SECONDS), far past this test's wait
        assert SETTLE_SECONDS < cache.MAX_AGE_SECONDS
        assert list(statuses(await assert_same(reader, employee))) == ["Changed unannounced"]
    finally:
        await redis.aclose()


# -- the cache on its own ---------------------------------------------------------------


async def test_a_load_that_overlaps_a_drop_is_not_kept():
    memory = cache.OpenChallenges()
    memory.listening()
    user = uuid4()
    loading = asyncio.Event()
    release = asyncio.Event()

    async def slow_load() -> dict[UUID, Any]:
        loading.set()
        await release.wait()
        return {uuid4(): "todo"}  # what the database said before the change

    read = asyncio.create_task(memory.statuses(user, slow_load))
    await loading.wait()
    memory.drop_person(user)  # the change's event arrives while the read is in flight
    release.set()
    await read

    async def fresh_load() -> dict[UUID, Any]:
        return {}

    assert await memory.statuses(user, fresh_load) == {}  # read again, not the stale answer


async def test_entries_are_bounded_and_not_kept_while_not_listening():
    memory = cache.OpenChallenges(max_orgs=2, max_people=3)

    async def nothing() -> list[cache.Item]:
        return []

    async def no_statuses() -> dict[UUID, Any]:
        return {}

    await memory.org(uuid4(), nothing)
    assert not memory._orgs  # not subscribed yet: nothing kept
    memory.listening()
    for _ in range(5):
        await memory.org(uuid4(), nothing)
        await memory.statuses(uuid4(), no_statuses)
    assert (len(memory._orgs), len(memory._people)) == (2, 3)
    memory.paused()
    assert not memory._orgs and not memory._people and not memory.live


async def test_the_challenges_held_are_bounded_over_all_organizations():
    memory = cache.OpenChallenges(max_items=5)
    memory.listening()
    now = datetime.now(UTC)

    def items(n: int) -> Any:
        async def load() -> list[cache.Item]:
            return [cache.Item(uuid4(), now, now, frozenset(), {}) for _ in range(n)]

        return load

    first, second = uuid4(), uuid4()
    await memory.org(first, items(3))
    await memory.org(second, items(2))
    assert list(memory._orgs) == [first, second]
    await memory.org(uuid4(), items(2))  # the least recently read goes
    assert first not in memory._orgs and memory._items == 4
