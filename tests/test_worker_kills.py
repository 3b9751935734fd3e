"""The worker killed with SIGKILL at random moments, 50 times, while 200 verifications run;
then restarted. At the end: every submission decided, every share paid exactly once, and every
board equal to the ledger."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend.points.tables import PointsLedger
from tests.fakes import linkedin_page
from tests.helpers import add_member, bearer, create_challenge, run_worker_burst, signup

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
            link = (
                await client.post(
                    f"/api/v1/challenges/{challenge['id']}/share-links",
                    json={"network": "linkedin"},
                    headers=bearer(person),
                )
            ).json()
            activity = f"72{c_index:02d}{p_index:03d}0000000000000"
            path = f"/posts/p{p_index}_c{c_index}-activity-{activity}-K{c_index}{p_index}"
            network.linkedin_post(path, linkedin_page(f"Proud {link['trackedUrl']}"))
            resp = await client.post(
                f"/api/v1/challenges/{challenge['id']}/submissions",
                json={"network": "linkedin", "postUrl": f"https://www.linkedin.com{path}"},
                headers=bearer(person),
            )
            assert resp.status_code == 202, resp.text
            submissions.append((person, resp.json()["id"]))
    assert len(submissions) == PEOPLE * CHALLENGES == 200

    rng = random.Random(42)
    for cycle in range(KILLS):
        worker = subprocess.Popen(  # noqa: ASYNC220 (killed below, never awaited long)
            [CHORUS, "worker"],
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if cycle == 0:
            # the first worker is killed only once it is deciding (a process takes ~2 s to start)
            for _ in range(200):
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

    from workers.tasks import reconcile_leaderboards

    await reconcile_leaderboards({"redis": redis})  # the 10-minute reconcile job, run now
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
    assert await reconcile_leaderboards({"redis": redis}) == {}  # nothing left to repair
