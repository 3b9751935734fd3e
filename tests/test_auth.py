import time

import jwt
import msgspec
import pytest
from argon2.exceptions import VerificationError

from backend.app import create_app
from backend.core.passwords import hash_password, hasher_for, verify_password
from backend.orgs.tables import Organization, User
from tests.helpers import (
    PASSWORD,
    add_member,
    assert_problem,
    bearer,
    client_for,
    signup,
    unique_email,
)


async def test_signup_creates_an_organization_and_its_first_admin(client):
    account = await signup(client, org="Acme")
    me = await client.get("/api/v1/me", headers=bearer(account))
    assert me.status_code == 200
    body = me.json()
    assert body["role"] == "admin"
    assert body["orgId"] == account.org_id
    assert body["orgName"] == "Acme"
    assert body["email"] == account.email
    assert body["team"] is None
    assert await Organization.count() == 1


async def test_signup_is_refused_when_open_signup_is_off(app, settings):
    closed = create_app(msgspec.structs.replace(settings, open_signup=False))
    async with client_for(closed) as http:
        resp = await http.post(
            "/api/v1/auth/signup",
            json={"orgName": "X", "email": "a@b.co", "password": PASSWORD, "displayName": "A"},
        )
    assert_problem(resp, 403, detail_contains="sign-up is off")
    assert await Organization.count() == 0


async def test_login_returns_a_bearer_token_and_sets_the_session_cookies(client):
    account = await signup(client)
    resp = await client.post(
        "/api/v1/auth/login", json={"email": account.email.upper(), "password": PASSWORD}
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["tokenType"] == "bearer"
    assert body["expiresIn"] > 0
    cookies = resp.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("chorus_token="))
    assert "HttpOnly" in session and "SameSite=lax" in session.replace("Lax", "lax")
    assert any(c.startswith("chorus_csrf=") and "HttpOnly" not in c for c in cookies)
    me = await client.get("/api/v1/me", headers=bearer(body["accessToken"]))
    assert me.json()["id"] == account.user_id


@pytest.mark.parametrize(
    ("email", "password"),
    [("nobody@example.com", PASSWORD), (None, "wrong password entirely")],
)
async def test_wrong_credentials_are_401(client, email, password):
    account = await signup(client)
    resp = await client.post(
        "/api/v1/auth/login", json={"email": email or account.email, "password": password}
    )
    body = assert_problem(resp, 401, detail_contains="wrong email or password")
    assert "accessToken" not in body


async def test_a_deactivated_user_can_neither_log_in_nor_use_an_old_token(client):
    admin = await signup(client)
    member = await add_member(client, admin)
    resp = await client.put(
        f"/api/v1/admin/users/{member.user_id}", json={"active": False}, headers=bearer(admin)
    )
    assert resp.status_code == 200
    assert_problem(await client.get("/api/v1/me", headers=bearer(member)), 401)
    login = await client.post(
        "/api/v1/auth/login", json={"email": member.email, "password": PASSWORD}
    )
    assert_problem(login, 401)


async def test_login_is_rate_limited_per_email_with_retry_after(client, settings):
    account = await signup(client)
    limit = settings.login_max_attempts_per_email
    for _ in range(limit):
        resp = await client.post(
            "/api/v1/auth/login", json={"email": account.email, "password": "not the password"}
        )
        assert resp.status_code == 401
    blocked = await client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert_problem(blocked, 429, detail_contains="try again")
    assert 0 < int(blocked.headers["retry-after"]) <= settings.login_window_seconds
    # another email from the same address still gets through
    other = await signup(client, org="Other")
    ok = await client.post("/api/v1/auth/login", json={"email": other.email, "password": PASSWORD})
    assert ok.status_code == 200


async def test_login_is_rate_limited_per_address(client, settings):
    await signup(client)
    for _ in range(settings.login_max_attempts_per_ip):
        resp = await client.post(
            "/api/v1/auth/login", json={"email": unique_email(), "password": "whatever it is"}
        )
        assert resp.status_code == 401
    resp = await client.post(
        "/api/v1/auth/login", json={"email": unique_email(), "password": "whatever it is"}
    )
    assert_problem(resp, 429)
    assert int(resp.headers["retry-after"]) > 0


async def test_one_email_in_two_organizations_asks_which_one(client):
    email = unique_email("twice")
    first = await signup(client, org="First", email=email)
    second = await signup(client, org="Second", email=email)
    resp = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    body = assert_problem(resp, 409, detail_contains="several organizations")
    assert {o["orgId"] for o in body["organizations"]} == {first.org_id, second.org_id}
    chosen = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD, "orgId": second.org_id}
    )
    assert chosen.status_code == 200
    me = await client.get("/api/v1/me", headers=bearer(chosen.json()["accessToken"]))
    assert me.json()["orgId"] == second.org_id


def _forge(claims: dict, key: str, alg: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


async def test_forged_expired_and_malformed_tokens_are_401(client, settings):
    account = await signup(client)
    now = int(time.time())
    good = {
        "sub": account.user_id,
        "iat": now,
        "exp": now + 600,
        "iss": "chorus",
        "extras": {"org": account.org_id},
    }
    other_org = await signup(client, org="Other")
    tokens = {
        "other key": _forge(good, "another-secret-key-that-is-long-enough-0123456789"),
        "expired": _forge(
            {**good, "iat": now - 7200, "exp": now - 3600}, settings.key_for("tokens")
        ),
        "wrong issuer": _forge({**good, "iss": "evil"}, settings.key_for("tokens")),
        "alg none": _forge(good, "", alg="none"),
        "garbage": "not.a.token",
        "user of another org": _forge(
            {**good, "extras": {"org": other_org.org_id}}, settings.key_for("tokens")
        ),
        "no org": _forge(
            {k: v for k, v in good.items() if k != "extras"}, settings.key_for("tokens")
        ),
    }
    for name, token in tokens.items():
        resp = await client.get("/api/v1/me", headers=bearer(token))
        assert resp.status_code == 401, name
        assert resp.headers["content-type"].startswith("application/problem+json"), name
    # the genuine article still works
    ok = _forge(good, settings.key_for("tokens"))
    assert (await client.get("/api/v1/me", headers=bearer(ok))).status_code == 200


async def test_cookie_sessions_need_the_csrf_header_on_unsafe_methods(client):
    account = await signup(client)
    login = await client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert login.status_code == 200
    csrf = client.cookies["chorus_csrf"]
    # a safe method works on the cookie alone
    assert (await client.get("/api/v1/me")).status_code == 200
    without = await client.patch("/api/v1/me", json={"displayName": "Changed"})
    assert_problem(without, 403, detail_contains="csrf")
    wrong = await client.patch(
        "/api/v1/me", json={"displayName": "Changed"}, headers={"X-CSRF-Token": "nope"}
    )
    assert_problem(wrong, 403)
    assert (await User.select(User.display_name).first())["display_name"] == "Ann Admin"
    right = await client.patch(
        "/api/v1/me", json={"displayName": "Changed"}, headers={"X-CSRF-Token": csrf}
    )
    assert right.status_code == 200
    assert right.json()["displayName"] == "Changed"


async def test_a_malformed_authorization_header_does_not_skip_the_csrf_check(client):
    """The CSRF check and the authentication agree on the credential: an `Authorization`
    header that is not `Bearer <token>` neither skips the check nor falls back to the cookie."""
    account = await signup(client)
    await client.post("/api/v1/auth/login", json={"email": account.email, "password": PASSWORD})
    change = {"displayName": "Changed"}
    for junk in ("Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "xyz", "Bearer  "):
        resp = await client.patch("/api/v1/me", json=change, headers={"Authorization": junk})
        assert_problem(resp, 403, detail_contains="csrf")
        with_csrf = await client.patch(
            "/api/v1/me",
            json=change,
            headers={"Authorization": junk, "X-CSRF-Token": client.cookies["chorus_csrf"]},
        )
        assert_problem(with_csrf, 401)  # the header is the credential, and it is no credential
        assert_problem(await client.get("/api/v1/me", headers={"Authorization": junk}), 401)
    assert (await User.select(User.display_name).first())["display_name"] == "Ann Admin"
    # a well-formed bearer token is the credential: no CSRF needed, the cookie is not used
    assert (
        await client.patch("/api/v1/me", json=change, headers=bearer(account))
    ).status_code == 200
    assert_problem(
        await client.patch(
            "/api/v1/me", json=change, headers={"Authorization": "Bearer not.a.token"}
        ),
        401,
    )


async def test_logout_clears_the_session_cookie(client):
    account = await signup(client)
    await client.post("/api/v1/auth/login", json={"email": account.email, "password": PASSWORD})
    assert (await client.get("/api/v1/me")).status_code == 200
    resp = await client.post("/api/v1/auth/logout")
    assert resp.status_code == 204
    assert "chorus_token" not in client.cookies
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_passwords_are_stored_as_argon2id_hashes(client):
    await signup(client)
    row = await User.select(User.password_hash).first()
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]


async def test_production_hashes_with_rfc_9106_low_memory_and_tests_with_the_cheapest():
    """Tests run on cheap argon2 parameters; every other environment gets RFC 9106's profile.

    The production profile is exercised for real here: a hash made with it verifies, a wrong
    password does not, and a cheap test hash still verifies under it (a hash keeps its own
    parameters, so moving an installation between profiles never locks anyone out).
    """
    production = hasher_for("production")
    assert (production.time_cost, production.memory_cost, production.parallelism) == (3, 65536, 4)
    assert hasher_for("dev").memory_cost == 65536
    strong = production.hash(PASSWORD)
    assert strong.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert production.verify(strong, PASSWORD)
    with pytest.raises(VerificationError):
        production.verify(strong, PASSWORD + "x")

    cheap = await hash_password(PASSWORD)  # this process runs with CHORUS_ENV=test
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert production.verify(cheap, PASSWORD)
    assert await verify_password(strong, PASSWORD)


# -- throttling that slows guessers without locking the right person out (issue 18) ---------


def _from(app, address: str):  # type: ignore[no-untyped-def]
    import httpx

    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_failures_from_one_address_never_lock_the_email_out_from_another(app, settings):
    async with _from(app, "203.0.113.7") as attacker, _from(app, "198.51.100.20") as owner:
        account = await signup(owner)
        for _ in range(settings.login_max_attempts_per_email):
            resp = await attacker.post(
                "/api/v1/auth/login", json={"email": account.email, "password": "guess guess"}
            )
            assert resp.status_code == 401
        blocked = await attacker.post(
            "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
        )
        assert_problem(blocked, 429)
        # the owner, elsewhere, signs in at once with the right password
        ok = await owner.post(
            "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
        )
        assert ok.status_code == 200, ok.text


async def test_successful_sign_ins_are_not_counted(client, settings):
    account = await signup(client)
    for _ in range(settings.login_max_attempts_per_email * 2 + 1):
        resp = await client.post(
            "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
        )
        assert resp.status_code == 200


async def test_the_delay_after_failures_grows_instead_of_a_hard_lock(app, client, settings):
    account = await signup(client)
    redis = app.state.redis

    async def fail() -> int:
        resp = await client.post(
            "/api/v1/auth/login", json={"email": account.email, "password": "guess guess"}
        )
        return resp.status_code

    async def wait_out() -> None:  # as if the Retry-After had passed
        for key in await redis.keys("chorus:rl:login:*:wait"):
            await redis.delete(key)

    for _ in range(settings.login_max_attempts_per_email):
        assert await fail() == 401
    delays = []
    for _ in range(3):
        blocked = await client.post(
            "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
        )
        assert_problem(blocked, 429)
        delays.append(int(blocked.headers["retry-after"]))
        await wait_out()
        assert await fail() == 401
    assert delays[0] < delays[1] < delays[2] <= settings.login_window_seconds
    assert delays[1] == 2 * delays[0] and delays[2] == 2 * delays[1]
    await wait_out()
    ok = await client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert ok.status_code == 200


async def test_sign_up_is_rate_limited_per_address(app, settings):
    import msgspec

    from backend.app import create_app
    from tests.helpers import client_for

    strict = create_app(msgspec.structs.replace(settings, signup_max_per_ip=3))
    async with client_for(strict) as client:
        for _ in range(3):
            await signup(client)
        resp = await client.post(
            "/api/v1/auth/signup",
            json={
                "orgName": "X",
                "email": unique_email(),
                "password": PASSWORD,
                "displayName": "A",
            },
        )
        assert_problem(resp, 429)
        assert int(resp.headers["retry-after"]) > 0


async def test_argon2_work_is_bounded_by_a_semaphore(monkeypatch):
    import asyncio
    import threading

    from backend.core import passwords

    running, peak, lock = 0, 0, threading.Lock()

    class SlowHasher:
        def hash(self, password: str) -> str:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.02)
            with lock:
                running -= 1
            return "hashed"

    monkeypatch.setattr(passwords, "_hasher", lambda: (SlowHasher(), "dummy"))
    monkeypatch.setattr(passwords, "ARGON2_CONCURRENCY", 2)
    passwords._gates.clear()
    await asyncio.gather(*(passwords.hash_password("pw") for _ in range(12)))
    passwords._gates.clear()
    assert 1 <= peak <= 2


# every sign-in endpoint: 403 from another site, 415 for a body that is not JSON (login CSRF)
AUTH_POSTS = [
    "/api/v1/auth/signup",
    "/api/v1/auth/login",
    "/api/v1/auth/logout",
    "/api/v1/auth/accept-invite",
    "/api/v1/auth/invite-preview",
    "/api/v1/auth/password/forgot",
    "/api/v1/auth/password/reset",
]


@pytest.mark.parametrize("path", AUTH_POSTS)
async def test_sign_in_endpoints_refuse_other_sites_and_non_json(client, path):
    account = await signup(client)
    body = f'{{"email": "{account.email}", "password": "{PASSWORD}"}}'
    auth = bearer(account) if path.endswith("logout") else {}
    cross = await client.post(
        path,
        content=body,
        headers={"Content-Type": "application/json", "Origin": "https://evil.example", **auth},
    )
    assert_problem(cross, 403)
    fetched = await client.post(
        path,
        content=body,
        headers={"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site", **auth},
    )
    assert_problem(fetched, 403)
    if path.endswith("logout"):
        return  # it reads no body: only where the request comes from matters
    plain = await client.post(path, content=body, headers={"Content-Type": "text/plain", **auth})
    assert_problem(plain, 415)
    form = await client.post(
        path,
        content="email=a%40b.co&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded", **auth},
    )
    assert_problem(form, 415)
    assert "chorus_token" not in client.cookies
