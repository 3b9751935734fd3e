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
        "expired": _forge({**good, "iat": now - 7200, "exp": now - 3600}, settings.secret_key),
        "wrong issuer": _forge({**good, "iss": "evil"}, settings.secret_key),
        "alg none": _forge(good, "", alg="none"),
        "garbage": "not.a.token",
        "user of another org": _forge(
            {**good, "extras": {"org": other_org.org_id}}, settings.secret_key
        ),
        "no org": _forge({k: v for k, v in good.items() if k != "extras"}, settings.secret_key),
    }
    for name, token in tokens.items():
        resp = await client.get("/api/v1/me", headers=bearer(token))
        assert resp.status_code == 401, name
        assert resp.headers["content-type"].startswith("application/problem+json"), name
    # the genuine article still works
    ok = _forge(good, settings.secret_key)
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
