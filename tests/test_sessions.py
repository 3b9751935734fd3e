"""Sessions end: logout, "sign out everywhere", a password change, deactivation, a role change
and erasure each stop the tokens they should (401), and an open live-events stream closes."""

import asyncio

import httpx

from backend.orgs import sessions
from tests.helpers import PASSWORD, Account, add_member, assert_problem, bearer, signup
from tests.test_live import served


async def _login(client: httpx.AsyncClient, account: Account) -> str:
    resp = await client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert resp.status_code == 200, resp.text
    client.cookies.clear()
    return str(resp.json()["accessToken"])


async def _works(client: httpx.AsyncClient, token: str) -> bool:
    resp = await client.get("/api/v1/me", headers=bearer(token))
    assert resp.status_code in (200, 401), resp.text
    return resp.status_code == 200


async def test_logout_ends_that_token_and_only_that_one(client):
    account = await signup(client)
    phone, laptop = await _login(client, account), await _login(client, account)
    resp = await client.post("/api/v1/auth/logout", headers=bearer(phone))
    assert resp.status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=bearer(phone)), 401)
    assert await _works(client, laptop)
    # a second logout with the ended token is refused like any other use of it
    assert_problem(await client.post("/api/v1/auth/logout", headers=bearer(phone)), 401)


async def test_a_logged_out_token_is_refused_by_every_process(client):
    account = await signup(client)
    token = await _login(client, account)
    async with served() as other, httpx.AsyncClient(timeout=30) as http:
        assert (await http.get(f"{other}/api/v1/me", headers=bearer(token))).status_code == 200
        assert (await client.post("/api/v1/auth/logout", headers=bearer(token))).status_code == 204
        # the other process forgets its cached session at the Redis notice; a 5 s cache bounds it
        for _ in range(100):
            status = (await http.get(f"{other}/api/v1/me", headers=bearer(token))).status_code
            if status == 401:
                break
            await asyncio.sleep(0.1)
        assert status == 401


async def test_sign_out_everywhere_ends_every_token_of_the_caller_only(client):
    admin = await signup(client)
    member = await add_member(client, admin)
    first, second = await _login(client, member), await _login(client, member)
    resp = await client.post("/api/v1/me/sessions/revoke", headers=bearer(first))
    assert resp.status_code == 204
    for token in (first, second, member.token):
        assert not await _works(client, token)
    assert await _works(client, admin.token)  # someone else's session goes on
    assert await _works(client, await _login(client, member))  # signing in again works


async def test_a_password_change_ends_every_other_session_but_keeps_this_one(client):
    account = await signup(client)
    here, elsewhere = await _login(client, account), await _login(client, account)
    resp = await client.post(
        "/api/v1/me/password",
        json={"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"},
        headers=bearer(here),
    )
    assert resp.status_code == 204, resp.text
    assert await _works(client, here)
    assert not await _works(client, elsewhere)
    assert not await _works(client, account.token)
    old = await client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert_problem(old, 401)
    new = await client.post(
        "/api/v1/auth/login",
        json={"email": account.email, "password": "a brand new passphrase"},
    )
    assert new.status_code == 200
    # the kept session can still be ended like any other
    assert (await client.post("/api/v1/auth/logout", headers=bearer(here))).status_code == 204
    assert not await _works(client, here)


async def test_a_password_change_needs_the_current_password(client):
    account = await signup(client)
    resp = await client.post(
        "/api/v1/me/password",
        json={"currentPassword": "not my password", "newPassword": "a brand new passphrase"},
        headers=bearer(account),
    )
    assert_problem(resp, 403, detail_contains="current password")
    assert await _works(client, account.token)
    for body in (
        {"newPassword": "a brand new passphrase"},
        {"currentPassword": PASSWORD},
        {"currentPassword": PASSWORD, "newPassword": "short"},
        {"currentPassword": PASSWORD, "newPassword": "x" * 257},
        {"currentPassword": 12, "newPassword": "a brand new passphrase"},
    ):
        bad = await client.post("/api/v1/me/password", json=body, headers=bearer(account))
        assert bad.status_code == 400, (body, bad.text)
    no_token = await client.post(
        "/api/v1/me/password",
        json={"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"},
    )
    assert_problem(no_token, 401)


async def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(client):
    admin = await signup(client)
    member = await add_member(client, admin)
    url = f"/api/v1/admin/users/{member.user_id}"
    assert (await client.put(url, json={"active": False}, headers=bearer(admin))).status_code == 200
    assert not await _works(client, member.token)
    assert (await client.put(url, json={"active": True}, headers=bearer(admin))).status_code == 200
    assert not await _works(client, member.token)
    assert await _works(client, await _login(client, member))


async def test_a_role_change_ends_the_persons_sessions(client):
    admin = await signup(client)
    member = await add_member(client, admin)
    resp = await client.put(
        f"/api/v1/admin/users/{member.user_id}", json={"role": "lead"}, headers=bearer(admin)
    )
    assert resp.status_code == 200
    assert not await _works(client, member.token)
    fresh = await _login(client, member)
    me = await client.get("/api/v1/me", headers=bearer(fresh))
    assert me.json()["role"] == "lead"


async def test_erasure_ends_the_persons_sessions(client):
    admin = await signup(client)
    member = await add_member(client, admin)
    resp = await client.delete(f"/api/v1/admin/users/{member.user_id}", headers=bearer(admin))
    assert resp.status_code == 204
    assert not await _works(client, member.token)


async def test_end_sessions_keeps_only_the_named_token(client):
    from uuid import UUID

    account = await signup(client)
    kept, other = await _login(client, account), await _login(client, account)
    jti = _jti(kept)
    await sessions.end_sessions(UUID(account.user_id), except_token_id=jti)
    assert await _works(client, kept)
    assert not await _works(client, other)


def _jti(token: str) -> str:
    import base64
    import json

    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["jti"])


async def _stream_closes(base: str, token: str, end: object) -> list[str]:
    """Open the live stream, run `end` (which ends the session), and read until the server
    closes the stream; the lines read."""
    lines: list[str] = []
    async with (
        httpx.AsyncClient(timeout=60) as http,
        http.stream("GET", f"{base}/api/v1/events", headers=bearer(token)) as stream,
    ):
        assert stream.status_code == 200
        reader = stream.aiter_lines()

        async def until_ready() -> None:
            async for line in reader:
                lines.append(line)
                if line.startswith("event: ready"):
                    return

        await asyncio.wait_for(until_ready(), 15)
        await end()  # type: ignore[operator]

        async def until_closed() -> None:
            async for line in reader:
                lines.append(line)

        await asyncio.wait_for(until_closed(), 30)  # a safety net, not a budget
    return lines


async def test_an_open_live_stream_closes_when_the_session_is_signed_out_everywhere(client):
    account = await signup(client)
    async with served() as base:

        async def revoke() -> None:
            resp = await client.post("/api/v1/me/sessions/revoke", headers=bearer(account))
            assert resp.status_code == 204

        lines = await _stream_closes(base, account.token, revoke)
    assert "event: session-ended" in lines


async def test_an_open_live_stream_closes_on_logout_and_on_deactivation(client):
    admin = await signup(client)
    member = await add_member(client, admin)
    token = await _login(client, member)
    async with served() as base:

        async def logout() -> None:
            assert (
                await client.post("/api/v1/auth/logout", headers=bearer(token))
            ).status_code == 204

        assert "event: session-ended" in await _stream_closes(base, token, logout)

        async def deactivate() -> None:
            resp = await client.put(
                f"/api/v1/admin/users/{member.user_id}",
                json={"active": False},
                headers=bearer(admin),
            )
            assert resp.status_code == 200

        assert "event: session-ended" in await _stream_closes(base, member.token, deactivate)


async def test_an_open_live_stream_closes_after_a_password_change_elsewhere(client):
    account = await signup(client)
    here = await _login(client, account)
    async with served() as base:

        async def change() -> None:
            resp = await client.post(
                "/api/v1/me/password",
                json={"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"},
                headers=bearer(here),
            )
            assert resp.status_code == 204

        assert "event: session-ended" in await _stream_closes(base, account.token, change)
