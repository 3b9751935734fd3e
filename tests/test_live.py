"""Live events over real HTTP: two app instances behind real uvicorn servers; a change made
through one reaches a stream held open on the other, through Redis pub/sub."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn

from backend.app import create_app
from backend.embedded import free_port
from tests.helpers import add_member, bearer, create_challenge, signup
from tests.test_submissions import POST_URL


@asynccontextmanager
async def served() -> AsyncIterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=port, log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 20)


async def _next_event(lines: AsyncIterator[str], wanted: str) -> dict:
    event = None
    async for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == wanted:
            return json.loads(line.split(":", 1)[1])
    raise AssertionError(f"stream ended before a {wanted} event")


async def _events(lines: AsyncIterator[str], wanted: set[str]) -> dict[str, dict]:
    """The first data of each wanted event, whatever order they come in."""
    seen: dict[str, dict] = {}
    event = None
    async for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event in wanted and event not in seen:
            seen[event] = json.loads(line.split(":", 1)[1])
            if set(seen) == wanted:
                return seen
    raise AssertionError(f"stream ended with only {sorted(seen)} of {sorted(wanted)}")


async def test_events_reach_a_stream_served_by_another_instance(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    challenge = await create_challenge(client, admin, verification="review")
    submitted = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": POST_URL},
        headers=bearer(employee),
    )
    submission_id = submitted.json()["id"]
    # reading a board builds the organization's boards (as the first visit to the app does)
    assert (
        await client.get("/api/v1/leaderboards/users", headers=bearer(admin))
    ).status_code == 200
    async with (
        served() as first,
        served() as second,
        httpx.AsyncClient(timeout=30) as http,
        http.stream("GET", f"{first}/api/v1/events", headers=bearer(employee)) as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.aiter_lines()
        ready = await asyncio.wait_for(_next_event(lines, "ready"), 15)
        assert ready == {"userId": employee.user_id}
        approved = await http.post(
            f"{second}/api/v1/admin/submissions/{submission_id}/approve",
            json={"note": "Great"},
            headers=bearer(admin),
        )
        assert approved.status_code == 200
        # both arrive, in either order: the board's event is coalesced on a one-second tick
        # that may fall before or after the notice
        seen = await asyncio.wait_for(_events(lines, {"submission", "leaderboard"}), 30)
        notice = seen["submission"]
        assert (notice["id"], notice["status"], notice["pointsAwarded"]) == (
            submission_id,
            "verified",
            50,
        )
        assert "users" in seen["leaderboard"]["boards"]


async def test_a_colleagues_submission_is_not_delivered_to_me_and_strangers_get_401(client):
    admin = await signup(client)
    me, colleague = await add_member(client, admin), await add_member(client, admin)
    challenge = await create_challenge(client, admin, verification="review")
    theirs = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": POST_URL},
        headers=bearer(colleague),
    )
    assert (await client.get("/api/v1/leaderboards/users", headers=bearer(me))).status_code == 200
    async with served() as base, httpx.AsyncClient(timeout=30) as http:
        assert (await http.get(f"{base}/api/v1/events")).status_code == 401
        async with http.stream("GET", f"{base}/api/v1/events", headers=bearer(me)) as stream:
            lines = stream.aiter_lines()
            await asyncio.wait_for(_next_event(lines, "ready"), 15)
            await http.post(
                f"{base}/api/v1/admin/submissions/{theirs.json()['id']}/approve",
                json={},
                headers=bearer(admin),
            )
            # the leaderboard moved (everyone sees that), but the submission was not mine
            seen = []

            async def collect() -> None:
                async for line in lines:
                    seen.append(line)
                    if line.startswith("data:") and "boards" in line:
                        return

            await asyncio.wait_for(collect(), 30)  # a safety net, not a budget
            assert not any(line.startswith("event: submission") for line in seen)
            assert "event: leaderboard" in seen
