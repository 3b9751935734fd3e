"""The worker killed with SIGKILL at random moments, 50 times, while 200 verifications run;
then restarted. At the end: every submission decided, every share paid exactly once, and every
board equal to the ledger without the reconcile job. And the faults right after an award's
commit (the process dying before or after its board write, PostgreSQL lost inside the board
update): the award is on every board soon after, counted once, again without the reconcile job.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from backend.leaderboards import boards, outbox
from backend.points.tables import PointsLedger
from tests.fakes import linkedin_page
from tests.helpers import TMP_ROOT, add_member, bearer, create_challenge, run_worker_burst, signup
from tests.test_outbox import (  # noqa: F401 (no_process_relay is a fixture)
    board_differences,
    no_process_relay,
    outbox_rows,
    until_boards_equal_ledger,
)

pytestmark = pytest.mark.slow

CHORUS = str(Path(sys.executable).with_name("chorus"))
PEOPLE, CHALLENGES, KILLS = 20, 10, 50


async def decided() -> int:
    rows = await PointsLedger.raw("SELECT count(*) AS n FROM submission WHERE status <> 'pending'")
    return int(rows[0]["n"])


async def test_two_hundred_verifications_survive_fifty_kills(
    app: Any, client: Any, network: Any
) -> None:
    admin = await signup(client)
    people = [await add_member(client, admin, name=f"Person {n}") for n in range(PEOPLE)]
    challenges = [
        await create_challenge(client, admin, title=f"Launch {n}") for n in range(CHALLENGES)
    ]
    submissions = []
    for c_index, challenge in enumerate(challenges):
        for p_index, person in enumerate(people):
            activity = f"72{c_index:02d}{p_index:03d}0000000000000"
            path = f"/posts/p{p_index}_c{c_index}-activity-{activity}-K{c_index}{p_index}"
            claim = await _post_and_claim(client, network, person, challenge, path)
            submissions.append((person, claim))
    assert len(submissions) == PEOPLE * CHALLENGES == 200

    await boards.rebuild(app.state.redis, UUID(admin.org_id))  # built: the relay must keep them
    rng = random.Random(42)
    for cycle in range(KILLS):
        worker = subprocess.Popen(  # noqa: ASYNC220 (killed below, never awaited long)
            [CHORUS, "worker"],
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if cycle == 0:
            # the first worker is killed only once it is deciding (a process takes ~2 s to start,
            # far longer on a loaded machine: the deadline is only a safety net)
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                await asyncio.sleep(0.1)
                if (await decided()) > 0:
                    break
        else:
            await asyncio.sleep(rng.uniform(0.5, 3.5))
        worker.send_signal(signal.SIGKILL)
        await asyncio.to_thread(worker.wait)

    # Restarted: jobs a killed worker held come back once their lock expires (here: now).
    redis = app.state.redis
    held = await redis.keys("arq:in-progress:*")
    done = await decided()
    print(f"killed mid-job: {len(held)}; decided while being killed: {done}")
    assert done > 0  # the killed workers did real work between kills
    for key in held:
        await redis.delete(key)
    for _ in range(5):
        await run_worker_burst()
        pending = await PointsLedger.raw(
            "SELECT count(*) AS n FROM submission WHERE status = 'pending'"
        )
        if pending[0]["n"] == 0:
            break
    statuses = await PointsLedger.raw(
        "SELECT status, count(*) AS n FROM submission GROUP BY status"
    )
    assert {r["status"]: r["n"] for r in statuses} == {"verified": 200}

    shares = await PointsLedger.raw(
        "SELECT submission, count(*) AS n FROM points_ledger WHERE reason = 'share_verified' "
        "GROUP BY submission"
    )
    assert len(shares) == 200 and {r["n"] for r in shares} == {1}  # each share paid exactly once

    # No reconcile job: the outbox alone brings every award held by a killed worker to the boards
    seconds = await until_boards_equal_ledger(redis, UUID(admin.org_id))
    print(f"boards equal to the ledger {seconds:.2f} s after the last worker stopped")
    await asyncio.sleep(1.1)  # boards are served from snapshots at most a second old
    totals = {
        str(r["user"]): int(r["n"])
        for r in await PointsLedger.raw(
            'SELECT "user", sum(delta) AS n FROM points_ledger GROUP BY "user"'
        )
    }
    board = (
        await client.get("/api/v1/leaderboards/users?period=all&limit=100", headers=bearer(admin))
    ).json()
    shown = {e["userId"]: e["points"] for e in board["entries"]}
    assert shown == {user: points for user, points in totals.items() if points}


async def _post_and_claim(
    client: Any, network: Any, person: Any, challenge: dict[str, Any], path: str
) -> str:
    """`person` posts their tracked link on (the fake) LinkedIn at `path` and claims the share."""
    link = (
        await client.post(
            f"/api/v1/challenges/{challenge['id']}/share-links",
            json={"network": "linkedin"},
            headers=bearer(person),
        )
    ).json()
    network.linkedin_post(path, linkedin_page(f"Proud {link['trackedUrl']}"))
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": f"https://www.linkedin.com{path}"},
        headers=bearer(person),
    )
    assert resp.status_code == 202, resp.text
    return str(resp.json()["id"])


async def _claims(client: Any, network: Any, count: int, tag: int) -> tuple[Any, UUID]:
    """An organization with built boards and `count` claimed shares waiting for a worker."""
    admin = await signup(client)
    people = [await add_member(client, admin, name=f"Person {n}") for n in range(count)]
    challenge = await create_challenge(client, admin, title="Fault launch")
    for p_index, person in enumerate(people):
        activity = f"73{tag:02d}{p_index:03d}0000000000000"
        path = f"/posts/f{tag}_{p_index}-activity-{activity}-F{tag}{p_index}"
        await _post_and_claim(client, network, person, challenge, path)
    org_id = UUID(admin.org_id)
    await boards.rebuild(client._transport.app.state.redis, org_id)
    return admin, org_id


def _worker(fault: str, log_name: str) -> tuple[subprocess.Popen[bytes], Path]:
    log_path = TMP_ROOT / f"chorus-fault-{log_name}-{os.getpid()}.log"
    env = {**os.environ, "CHORUS_FAULT_BOARD_WRITE": fault, "CHORUS_LOG_LEVEL": "WARNING"}
    with log_path.open("wb") as log:
        worker = subprocess.Popen([CHORUS, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    return worker, log_path


async def _awards(org_id: UUID) -> int:
    rows = await PointsLedger.raw("SELECT count(*) AS n FROM points_ledger WHERE org = {}", org_id)
    return int(rows[0]["n"])


@pytest.mark.usefixtures("no_process_relay")
@pytest.mark.parametrize("fault", ["exit", "exit-after"])
async def test_a_worker_dying_right_after_an_award_commits_loses_nothing(
    app: Any, client: Any, network: Any, fault: str
) -> None:
    """The worker exits as SIGKILL would (137) right after its first award commits: before its
    board write ("exit": nothing of it on the boards) or after it, before its outbox row is
    deleted ("exit-after": the replay must not count it twice). This process's relay, stopped
    meanwhile so the worker is alone, then stands for the other processes."""
    redis = app.state.redis
    _, org_id = await _claims(client, network, 4, tag=1 if fault == "exit" else 2)
    worker, log_path = _worker(f"{fault}:1", fault)
    try:
        code = await asyncio.wait_for(asyncio.to_thread(worker.wait), 120)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert code == 137, log_path.read_text(errors="replace")[-3000:]
    committed = await _awards(org_id)
    assert committed >= 1  # an award committed, then the process died
    assert await outbox_rows(org_id) >= 1  # and its outbox row is still unsent
    if fault == "exit":
        assert await board_differences(redis, org_id) != []  # its board write never happened
    outbox.start(redis)  # another process's relay (stopped again by the fixture's teardown)
    try:
        seconds = await until_boards_equal_ledger(redis, org_id)
    finally:
        await outbox.stop()
    print(f"\n{fault}: {committed} awards on every board {seconds:.2f} s after the relay ran")


@pytest.mark.usefixtures("no_process_relay")
async def test_postgres_lost_inside_the_board_update_loses_nothing(
    app: Any, client: Any, network: Any
) -> None:
    """The worker's first award: its PostgreSQL session ends between the relay's Lua call and
    the delete (the transaction is lost, the rows stay unsent). The worker goes on, replays the
    batch (a no-op on the boards) and decides every claim; nobody runs the reconcile job."""
    redis = app.state.redis
    _, org_id = await _claims(client, network, 4, tag=3)
    worker, log_path = _worker("drop-db:1", "drop-db")
    try:
        for _ in range(1200):
            await asyncio.sleep(0.1)
            pending = await PointsLedger.raw(
                "SELECT count(*) AS n FROM submission WHERE org = {} AND status = 'pending'",
                org_id,
            )
            if pending[0]["n"] == 0 and await outbox_rows(org_id) == 0:
                break
        assert worker.poll() is None, log_path.read_text(errors="replace")[-3000:]
        seconds = await until_boards_equal_ledger(redis, org_id)
    finally:
        worker.send_signal(signal.SIGTERM)
        await asyncio.to_thread(worker.wait)
    said = log_path.read_text(errors="replace")
    assert "ending our PostgreSQL session mid-update" in said  # the fault did fire
    shares = await PointsLedger.raw(
        "SELECT count(*) AS n FROM points_ledger WHERE org = {} AND reason = 'share_verified'",
        org_id,
    )
    assert shares[0]["n"] == 4  # every claim paid, once
    print(f"\nPostgreSQL lost mid-update: boards equal to the ledger {seconds:.2f} s later")
