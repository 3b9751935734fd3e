"""Intruders, over every operation the API documents: no token, an expired one, one signed with
another key, `alg: none` — all 401; an employee on every lead and admin route — 403; a lead on
another team, any user with another organization's ids — 404, with nothing of theirs in the
answer. Nothing is written by any refused request."""

from __future__ import annotations

import re
import time
from typing import Any
from uuid import uuid4

import jwt
import pytest

from backend.orgs.tables import User
from tests.helpers import add_member, bearer, create_challenge, create_team, signup

PUBLIC = {
    ("GET", "/health"),
    ("GET", "/health/redis"),
    ("GET", "/ready"),
    ("POST", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/accept-invite"),
    ("GET", "/api/v1/push/public-key"),
    ("GET", "/api/v1/auth/sso/start"),
    ("GET", "/api/v1/auth/sso/callback"),
    ("GET", "/api/v1/auth/sso/discover"),
    ("POST", "/api/v1/auth/invite-preview"),
    ("POST", "/api/v1/auth/password/forgot"),
    ("POST", "/api/v1/auth/password/reset"),
    # The office wall: its secret in the path is the credential (tests/test_walls.py).
    ("GET", "/api/v1/walls/{secret}"),
    ("GET", "/api/v1/walls/{secret}/events"),
}


async def operations(client: Any) -> list[tuple[str, str]]:
    schema = (await client.get("/schema/openapi.json")).json()
    found = []
    for path, item in schema["paths"].items():
        for method in item:
            if method.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                found.append((method.upper(), path))
    return sorted(found)


def fill(path: str, ids: dict[str, str] | None = None) -> str:
    """Path parameters filled in: the given ids by name, else random UUIDs."""
    ids = ids or {}
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), str(uuid4())), path)


async def table_counts() -> dict[str, int]:
    rows = await User.raw(
        "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname NOT LIKE 'piccolo%'"
    )
    counts = {}
    for r in rows:
        counted = await User.raw(f'SELECT count(*) AS n FROM "{r["relname"]}"')
        counts[r["relname"]] = int(counted[0]["n"])
    return counts


async def test_every_operation_turns_away_a_missing_or_bad_token(client, settings):
    account = await signup(client)
    now = int(time.time())
    good = {
        "sub": account.user_id,
        "iat": now,
        "exp": now + 600,
        "iss": "chorus",
        "extras": {"org": account.org_id},
    }
    bad = {
        "none": {},
        "expired": bearer(
            jwt.encode(
                {**good, "iat": now - 7200, "exp": now - 3600},
                settings.key_for("tokens"),
                algorithm="HS256",
            )
        ),
        "other key": bearer(
            jwt.encode(good, "another-secret-key-that-is-long-enough-0123456789", algorithm="HS256")
        ),
        "alg none": bearer(jwt.encode(good, "", algorithm="none")),
    }
    before = await table_counts()
    ops = [op for op in await operations(client) if op not in PUBLIC]
    assert len(ops) > 60, len(ops)
    tried = 0
    for method, path in ops:
        for name, headers in bad.items():
            resp = await client.request(
                method, fill(path), json={} if method != "GET" else None, headers=headers
            )
            assert resp.status_code == 401, (method, path, name, resp.status_code)
            assert resp.headers["content-type"].startswith("application/problem+json")
            tried += 1
    assert tried == 4 * len(ops)
    assert await table_counts() == before


async def test_employees_are_refused_every_lead_and_admin_route(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    before = await table_counts()
    guarded = [
        (m, p)
        for m, p in await operations(client)
        if p.startswith("/api/v1/admin/") or p.endswith("/dashboard") or p.endswith("/nudges")
    ]
    assert len(guarded) > 30
    for method, path in guarded:
        resp = await client.request(
            method, fill(path), json={} if method != "GET" else None, headers=bearer(employee)
        )
        assert resp.status_code == 403, (method, path, resp.status_code, resp.text[:200])
    assert await table_counts() == before


@pytest.mark.parametrize("who", ["admin", "employee"])
async def test_another_organizations_ids_answer_404_and_leak_nothing(client, who):
    victim = await signup(client, org="Victim Corp", name="Vera Victim")
    team = await create_team(client, victim, "Secret Team")
    vic_member = await add_member(client, victim, team_id=team["id"], name="Val Member")
    challenge = await create_challenge(client, victim, title="Secret launch")
    attacker_admin = await signup(client, org="Attacker Inc")
    attacker = attacker_admin if who == "admin" else await add_member(client, attacker_admin)
    ids = {
        "team_id": team["id"],
        "user_id": vic_member.user_id,
        "challenge_id": challenge["id"],
        "id": challenge["id"],
    }
    before = await table_counts()
    checked = 0
    for method, path in await operations(client):
        if "{" not in path or (method, path) in PUBLIC:
            continue
        if who == "employee" and (
            path.startswith("/api/v1/admin/") or path.startswith("/api/v1/teams/{")
        ):
            continue  # 403 before anything: the test above
        resp = await client.request(
            method, fill(path, ids), json={} if method != "GET" else None, headers=bearer(attacker)
        )
        assert resp.status_code in (400, 404, 422), (
            method,
            path,
            resp.status_code,
            resp.text[:200],
        )
        for secret in (
            "Secret Team",
            "Val Member",
            "Secret launch",
            "Victim Corp",
            vic_member.email,
        ):
            assert secret not in resp.text, (method, path, secret)
        checked += 1
    assert checked > 20
    assert await table_counts() == before


async def test_a_lead_cannot_read_or_nudge_another_team(client):
    admin = await signup(client)
    lead = await add_member(client, admin)
    await create_team(client, admin, "Mine", lead_user_id=lead.user_id)
    other = await create_team(client, admin, "Theirs")
    for method, path in (("GET", "dashboard"), ("POST", "nudges")):
        resp = await client.request(
            method,
            f"/api/v1/teams/{other['id']}/{path}",
            json={} if method == "POST" else None,
            headers=bearer(lead),
        )
        assert resp.status_code == 403, resp.text


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/push/subscriptions?endpoint=https%3A%2F%2Ffcm.googleapis.com%2F%00evil",
        "/api/v1/colleagues?q=a%00b",
    ],
)
async def test_a_nul_character_anywhere_is_a_400_not_a_500(client, url):
    """Found by schemathesis: PostgreSQL refuses NUL in text, whatever the text's way in."""
    account = await signup(client)
    method = "DELETE" if "subscriptions" in url else "GET"
    resp = await client.request(method, url, headers=bearer(account))
    assert resp.status_code == 400, resp.text
    assert "cannot be stored" in resp.json()["detail"]
