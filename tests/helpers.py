"""Small helpers the tests share: accounts made through the real API, problem-detail checks."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NamedTuple

import httpx
from litestar import Litestar

PASSWORD = "correct horse battery staple"
TMP_ROOT = Path(tempfile.gettempdir())


class Account(NamedTuple):
    token: str
    org_id: str
    user_id: str
    email: str


def bearer(account: Account | str) -> dict[str, str]:
    token = account.token if isinstance(account, Account) else account
    return {"Authorization": f"Bearer {token}"}


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}.{secrets.token_hex(4)}@example.com"


async def signup(
    client: httpx.AsyncClient, org: str = "Acme", email: str | None = None, name: str = "Ann Admin"
) -> Account:
    email = email or unique_email("admin")
    resp = await client.post(
        "/api/v1/auth/signup",
        json={"orgName": org, "email": email, "password": PASSWORD, "displayName": name},
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    client.cookies.clear()  # tests authenticate explicitly, never by a leftover cookie
    return Account(body["accessToken"], body["orgId"], body["userId"], email)


async def invite(
    client: httpx.AsyncClient,
    admin: Account,
    email: str,
    role: str = "employee",
    team_id: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {"email": email, "role": role}
    if team_id:
        payload["teamId"] = team_id
    resp = await client.post("/api/v1/admin/invites", json=payload, headers=bearer(admin))
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def add_member(
    client: httpx.AsyncClient,
    admin: Account,
    role: str = "employee",
    team_id: str | None = None,
    name: str = "Sam Member",
) -> Account:
    email = unique_email(role)
    made = await invite(client, admin, email, role, team_id)
    resp = await client.post(
        "/api/v1/auth/accept-invite",
        json={"token": made["token"], "displayName": name, "password": PASSWORD},
    )
    assert resp.status_code == 201, resp.text
    client.cookies.clear()
    body = resp.json()
    return Account(body["accessToken"], admin.org_id, body["userId"], email)


async def create_team(
    client: httpx.AsyncClient, admin: Account, name: str, lead_user_id: str | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"name": name}
    if lead_user_id:
        payload["leadUserId"] = lead_user_id
    resp = await client.post("/api/v1/admin/teams", json=payload, headers=bearer(admin))
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def assert_problem(
    resp: httpx.Response, status: int, *, detail_contains: str = ""
) -> dict[str, Any]:
    """The answer is an RFC 9457 problem detail with this status and a human-readable detail."""
    assert resp.status_code == status, f"{resp.status_code} != {status}: {resp.text}"
    assert resp.headers["content-type"].startswith("application/problem+json"), resp.headers
    body: dict[str, Any] = resp.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and len(body["detail"]) > 5
    assert detail_contains.lower() in body["detail"].lower(), body["detail"]
    return body


@asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[Litestar]:
    """Run an app's lifespan in one task of its own, as a server would (start-up and shut-down
    in the same task), while the test talks to it through httpx's ASGI transport."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def serve() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(serve())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # start-up failed: raise its error here
    try:
        yield app
    finally:
        stop.set()
        await task


@asynccontextmanager
async def client_for(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


def challenge_body(**overrides: Any) -> dict[str, Any]:
    """A valid share challenge, open from an hour ago for a week."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "title": "Share our launch post",
        "description": "We launched! Tell your network.",
        "contentUrl": "https://example.com/blog/launch?ref=home",
        "shareText": {"linkedin": "Proud of what we shipped today.", "x": "We shipped!"},
        "hashtags": ["launch", "#chorus"],
        "networks": ["linkedin", "x"],
        "points": 50,
        "clickPoints": 2,
        "startsAt": (now - timedelta(hours=1)).isoformat(),
        "endsAt": (now + timedelta(days=7)).isoformat(),
        "verification": "auto",
    }
    body.update(overrides)
    return body


async def create_challenge(
    client: httpx.AsyncClient, admin: Account, *, publish: bool = True, **overrides: Any
) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/admin/challenges", json=challenge_body(**overrides), headers=bearer(admin)
    )
    assert resp.status_code == 201, resp.text
    challenge: dict[str, Any] = resp.json()
    if publish:
        resp = await client.post(
            f"/api/v1/admin/challenges/{challenge['id']}/publish", headers=bearer(admin)
        )
        assert resp.status_code == 200, resp.text
        challenge = resp.json()
    return challenge


async def run_worker_burst() -> None:
    """The real arq worker, in burst mode: runs every queued job, then returns."""
    from backend.jobs import create_job_pool
    from backend.settings import get_settings
    from workers.settings import build_worker

    worker = build_worker(await create_job_pool(get_settings().redis_url), burst=True)
    try:
        await worker.main()
    finally:
        await worker.close()


async def ledger_award(
    org_id: Any,
    user_id: Any,
    delta: int,
    *,
    at: Any = None,
    team_id: Any = None,
    challenge_id: Any = None,
    reason: str = "test",
    announce: bool = True,
) -> None:
    """One ledger row at a chosen time, announced (points_awarded) as the real code does."""
    from datetime import UTC, datetime
    from uuid import uuid4

    from backend import events
    from backend.points.tables import PointsLedger

    rows = await PointsLedger.raw(
        'INSERT INTO points_ledger (org, "user", team, delta, reason, challenge, submission, '
        "idempotency_key, created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}) "
        "RETURNING id, created_at",
        org_id,
        user_id,
        team_id,
        delta,
        reason,
        challenge_id,
        uuid4() if reason == "share_verified" else None,
        uuid4().hex,
        at or datetime.now(UTC),
    )
    if announce:
        await events.points_awarded(
            [
                events.PointsAwarded(
                    org_id=org_id,
                    user_id=user_id,
                    team_id=team_id,
                    delta=delta,
                    reason=reason,
                    challenge_id=challenge_id,
                    submission_id=None,
                    ledger_id=rows[0]["id"],
                    at=rows[0]["created_at"],
                )
            ]
        )


async def visit(
    app: Litestar, path: str, address: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    """A GET from another address (the ASGI transport lets a test choose the peer): visitors
    are told apart by address, and the test client's own 127.0.0.1 is every signed-in
    person's API address, so clicks from it are their own."""
    transport = httpx.ASGITransport(app=app, client=(address, 40123))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get(path, headers=headers or {})


def at_noon(monkeypatch: Any) -> Any:
    """Set Chorus's clock to the next noon UTC (quiet hours never hold a push then, whenever
    the tests run), moving a millisecond per reading so notices keep their order."""
    import itertools
    from datetime import UTC, datetime, timedelta

    from backend.core import clock

    # the next noon: challenges made by the helpers run from an hour ago for a week, so it
    # always falls inside them, whatever the hour the tests run at
    now = datetime.now(UTC)
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    if noon <= now:
        noon += timedelta(days=1)
    ticks = itertools.count()
    monkeypatch.setattr(clock, "now", lambda: noon + timedelta(milliseconds=next(ticks)))
    return noon
