"""Single sign-on (OpenID Connect) per organization, against real providers on loopback.

The happy paths run through the pinned npm `oidc-provider` (tests/oidc/provider.mjs); the
token-level refusals through `TokenMint`, a provider whose ID tokens the test signs itself.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from backend.sso.tables import SsoConfig
from tests.helpers import PASSWORD, Account, add_member, assert_problem, bearer, create_team, signup
from tests.oidc.servers import TokenMint, new_key, oidc_provider

CALLBACK = "http://testserver/api/v1/auth/sso/callback"
CLIENT_ID, CLIENT_SECRET = "chorus-tests", "a-client-secret-nobody-sees"
ACCOUNTS = {
    "nia.new@sso-acme.test": {
        "email": "nia.new@sso-acme.test",
        "email_verified": True,
        "name": "Nia Newcomer",
    },
    "una.unverified@sso-acme.test": {
        "email": "una.unverified@sso-acme.test",
        "email_verified": False,
        "name": "Una",
    },
}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    clients = [
        {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [CALLBACK],
            "response_types": ["code"],
            "grant_types": ["authorization_code"],
        }
    ]
    with oidc_provider(clients, ACCOUNTS) as issuer:
        yield issuer


@pytest.fixture
async def mint() -> AsyncIterator[TokenMint]:
    server = TokenMint()
    yield server
    server.close()


def sso_body(issuer: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "issuer": issuer,
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
        "emailDomains": ["sso-acme.test"],
        "autoProvision": False,
        "required": False,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


async def configure(client: httpx.AsyncClient, admin: Account, **body: Any) -> dict[str, Any]:
    resp = await client.put("/api/v1/admin/sso", json=body, headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def start(client: httpx.AsyncClient, email: str) -> str:
    resp = await client.get("/api/v1/auth/sso/start", params={"email": email})
    assert resp.status_code == 302, resp.text
    return resp.headers["location"]


async def sign_in_at_provider(authorization_url: str, login: str) -> str:
    """Drive oidc-provider's own pages (its login form) until it sends the browser back to
    Chorus; the callback URL it sends it to."""
    async with httpx.AsyncClient() as idp:
        url = authorization_url
        for _ in range(10):
            resp = await idp.get(url)
            if resp.status_code in (302, 303):
                url = urljoin(url, resp.headers["location"])
                if url.startswith(CALLBACK):
                    return url
                continue
            assert resp.status_code == 200, resp.text
            assert 'name="login"' in resp.text, resp.text  # the provider's sign-in form
            resp = await idp.post(url, data={"prompt": "login", "login": login, "password": "x"})
            assert resp.status_code in (302, 303), resp.text
            url = urljoin(url, resp.headers["location"])
            if url.startswith(CALLBACK):
                return url
    raise AssertionError("the provider never sent the browser back")


async def callback(client: httpx.AsyncClient, url: str) -> httpx.Response:
    parts = urlsplit(url)
    return await client.get(f"{parts.path}?{parts.query}")


def error_of(resp: httpx.Response) -> str:
    assert resp.status_code == 302, resp.text
    location = resp.headers["location"]
    assert location.startswith("/signin?error="), location
    return parse_qs(urlsplit(location).query)["error"][0]


# -- the admin's settings ---------------------------------------------------------------


async def test_settings_are_saved_and_the_client_secret_never_comes_back(
    client: httpx.AsyncClient, provider: str
) -> None:
    admin = await signup(client)
    before = await client.get("/api/v1/admin/sso", headers=bearer(admin))
    assert before.status_code == 200
    assert before.json()["configured"] is False
    assert before.json()["redirectUri"] == CALLBACK

    saved = await configure(client, admin, **sso_body(provider, emailDomains=["SSO-Acme.test"]))
    assert saved["emailDomains"] == ["sso-acme.test"]
    assert saved["clientSecretSet"] is True
    read = await client.get("/api/v1/admin/sso", headers=bearer(admin))
    for answer in (saved, read.json()):
        assert "clientSecret" not in answer
        assert CLIENT_SECRET not in str(answer)
    stored = await SsoConfig.select(SsoConfig.client_secret).first()
    assert stored is not None and CLIENT_SECRET not in stored["client_secret"]

    # left out on PUT: the stored secret stays (sign-in still works with it)
    kept = sso_body(provider, clientSecret=None, autoProvision=True)
    await configure(client, admin, **kept)
    after = await SsoConfig.select(SsoConfig.client_secret).first()
    assert after == stored
    callback_url = await sign_in_at_provider(
        await start(client, "nia.new@sso-acme.test"), "nia.new@sso-acme.test"
    )
    assert (await callback(client, callback_url)).headers["location"] == "/"


async def test_only_admins_see_or_change_the_settings(
    client: httpx.AsyncClient, provider: str
) -> None:
    admin = await signup(client)
    for role in ("employee", "lead"):
        member = await add_member(client, admin, role=role)
        assert_problem(await client.get("/api/v1/admin/sso", headers=bearer(member)), 403)
        resp = await client.put(
            "/api/v1/admin/sso", json=sso_body(provider), headers=bearer(member)
        )
        assert_problem(resp, 403)
    assert (await client.get("/api/v1/admin/sso")).status_code == 401


async def test_bad_settings_are_refused(client: httpx.AsyncClient, provider: str) -> None:
    admin = await signup(client)
    for bad in (
        sso_body(provider, emailDomains=[]),
        sso_body(provider, emailDomains=["not a domain"]),
        sso_body(provider, emailDomains=["@sso-acme.test"]),
        sso_body("ftp://idp.example.com"),
        sso_body(provider, clientId=""),
        {**sso_body(provider), "surprise": 1},
        {"issuer": provider},
    ):
        resp = await client.put("/api/v1/admin/sso", json=bad, headers=bearer(admin))
        assert resp.status_code in (400, 422), (bad, resp.text)
    # the first set-up needs the secret
    resp = await client.put(
        "/api/v1/admin/sso", json=sso_body(provider, clientSecret=None), headers=bearer(admin)
    )
    assert assert_problem(resp, 422, detail_contains="client secret")["errors"][0]["field"] == (
        "clientSecret"
    )


async def test_a_domain_and_a_team_belong_to_one_organization(
    client: httpx.AsyncClient, provider: str
) -> None:
    first, second = await signup(client, org="First"), await signup(client, org="Second")
    await configure(client, first, **sso_body(provider))
    resp = await client.put("/api/v1/admin/sso", json=sso_body(provider), headers=bearer(second))
    assert_problem(resp, 409, detail_contains="sso-acme.test")
    their_team = await create_team(client, first, "Theirs")
    resp = await client.put(
        "/api/v1/admin/sso",
        json=sso_body(provider, emailDomains=["second.test"], defaultTeamId=their_team["id"]),
        headers=bearer(second),
    )
    assert_problem(resp, 404)
    # the other organization's settings stay theirs
    theirs = await client.get("/api/v1/admin/sso", headers=bearer(second))
    assert theirs.json()["configured"] is False


# -- starting a sign-in -----------------------------------------------------------------


async def test_discover_answers_the_same_shape_for_every_domain(
    client: httpx.AsyncClient, provider: str
) -> None:
    admin = await signup(client)
    await configure(client, admin, **sso_body(provider, required=True))
    known = await client.get("/api/v1/auth/sso/discover", params={"email": "x@SSO-acme.test"})
    unknown = await client.get("/api/v1/auth/sso/discover", params={"email": "x@elsewhere.test"})
    assert known.json() == {"sso": True, "required": True}
    assert unknown.json() == {"sso": False, "required": False}


async def test_start_sends_the_browser_to_the_provider_with_pkce_state_and_nonce(
    client: httpx.AsyncClient, provider: str
) -> None:
    admin = await signup(client)
    await configure(client, admin, **sso_body(provider))
    resp = await client.get("/api/v1/auth/sso/start", params={"email": "nia.new@sso-acme.test"})
    assert resp.status_code == 302
    location = resp.headers["location"]
    assert location.startswith(f"{provider}/auth?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert set(query["scope"].split()) >= {"openid", "email", "profile"}
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    cookie = resp.headers["set-cookie"].lower()
    assert "chorus_sso=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    # each attempt its own state and nonce
    again = parse_qs(urlsplit(await start(client, "nia.new@sso-acme.test")).query)
    assert again["state"][0] != query["state"] and again["nonce"][0] != query["nonce"]


async def test_start_is_404_for_a_domain_without_single_sign_on(client: httpx.AsyncClient) -> None:
    resp = await client.get("/api/v1/auth/sso/start", params={"email": "x@nobody-sso.test"})
    assert_problem(resp, 404)


# -- the round trip through the real provider -------------------------------------------


async def test_a_new_employee_is_provisioned_into_the_default_team(
    client: httpx.AsyncClient, provider: str
) -> None:
    admin = await signup(client)
    team = await create_team(client, admin, "Newcomers")
    await configure(
        client, admin, **sso_body(provider, autoProvision=True, defaultTeamId=team["id"])
    )
    url = await sign_in_at_provider(
        await start(client, "nia.new@sso-acme.test"), "nia.new@sso-acme.test"
    )
    resp = await callback(client, url)
    assert resp.status_code == 302 and resp.headers["location"] == "/"
    assert client.cookies.get("chorus_token") and client.cookies.get("chorus_csrf")
    me = await client.get("/api/v1/me")
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["email"] == "nia.new@sso-acme.test"
    assert body["displayName"] == "Nia Newcomer"
    assert body["role"] == "employee"
    assert body["team"]["id"] == team["id"]
    # the state was spent: the same callback again is refused
    assert error_of(await callback(client, url)) == "state"


async def test_an_unknown_email_without_provisioning_is_not_signed_in(
    client: httpx.AsyncClient, provider: str
) -> None:
    admin = await signup(client)
    await configure(client, admin, **sso_body(provider))
    url = await sign_in_at_provider(
        await start(client, "nia.new@sso-acme.test"), "nia.new@sso-acme.test"
    )
    assert error_of(await callback(client, url)) == "not_provisioned"
    assert client.cookies.get("chorus_token") is None


async def test_an_unverified_email_is_refused(client: httpx.AsyncClient, provider: str) -> None:
    admin = await signup(client)
    await configure(client, admin, **sso_body(provider, autoProvision=True))
    url = await sign_in_at_provider(
        await start(client, "una.unverified@sso-acme.test"), "una.unverified@sso-acme.test"
    )
    assert error_of(await callback(client, url)) == "unverified"


async def test_a_forged_or_foreign_state_is_refused(
    client: httpx.AsyncClient, provider: str
) -> None:
    admin = await signup(client)
    await configure(client, admin, **sso_body(provider, autoProvision=True))
    forged = await client.get(
        "/api/v1/auth/sso/callback", params={"code": "anything", "state": "made-up-state"}
    )
    assert error_of(forged) == "state"
    # a real state, but the callback arrives in another browser (no binding cookie)
    url = await sign_in_at_provider(
        await start(client, "nia.new@sso-acme.test"), "nia.new@sso-acme.test"
    )
    client.cookies.clear()
    assert error_of(await callback(client, url)) == "state"
    assert client.cookies.get("chorus_token") is None


async def test_a_provider_error_is_shown_as_such(client: httpx.AsyncClient) -> None:
    resp = await client.get(
        "/api/v1/auth/sso/callback", params={"error": "access_denied", "state": "x"}
    )
    assert error_of(resp) == "provider"


# -- "SSO required" ---------------------------------------------------------------------


async def test_required_sso_refuses_passwords_except_for_admins(
    client: httpx.AsyncClient, provider: str
) -> None:
    admin = await signup(client, email="boss@sso-acme.test")
    member = await add_member(client, admin)  # @example.com: not an SSO domain
    invited = await client.post(
        "/api/v1/admin/invites",
        json={"email": "emp@sso-acme.test", "role": "employee"},
        headers=bearer(admin),
    )
    accepted = await client.post(
        "/api/v1/auth/accept-invite",
        json={"token": invited.json()["token"], "displayName": "Em", "password": PASSWORD},
    )
    assert accepted.status_code == 201
    client.cookies.clear()
    await configure(client, admin, **sso_body(provider, required=True))

    refused = await client.post(
        "/api/v1/auth/login", json={"email": "emp@sso-acme.test", "password": PASSWORD}
    )
    assert_problem(refused, 403, detail_contains="single sign-on")
    # a wrong password is still just a wrong password
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": "emp@sso-acme.test", "password": "not the password"}
    )
    assert wrong.status_code == 401
    # the break-glass admin keeps a password; people of other domains too
    for email in ("boss@sso-acme.test", member.email):
        ok = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert ok.status_code == 200, ok.text
        client.cookies.clear()


# -- ID tokens no real provider would send (TokenMint) ----------------------------------


async def mint_sign_in(
    client: httpx.AsyncClient, mint: TokenMint, email: str, /, **overrides: Any
) -> httpx.Response:
    """Start a sign-in, have the mint answer the code with a token of these claims, call back."""
    location = await start(client, email)
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    key = overrides.pop("key", None)
    claims = mint.claims(query["nonce"], overrides.pop("token_email", email), **overrides)
    code = mint.issue_code(location, mint.mint(claims, key))
    return await client.get(
        "/api/v1/auth/sso/callback", params={"code": code, "state": query["state"]}
    )


@pytest.fixture
async def minted_org(client: httpx.AsyncClient, mint: TokenMint) -> Account:
    admin = await signup(client)
    await configure(
        client,
        admin,
        **sso_body(
            mint.issuer,
            clientId=mint.client_id,
            clientSecret=mint.client_secret,
            emailDomains=["mint-acme.test", "mint-acme-2.test"],
            autoProvision=True,
        ),
    )
    return admin


async def test_a_good_minted_token_signs_in(
    client: httpx.AsyncClient, mint: TokenMint, minted_org: Account
) -> None:
    resp = await mint_sign_in(client, mint, "mo@mint-acme.test")
    assert resp.headers["location"] == "/", resp.headers["location"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"nonce": "not-the-nonce"}, "nonce"),
        ({"aud": "someone-else"}, "audience"),
        ({"aud": ["chorus-mint", "someone-else"]}, "audience"),  # several, and no azp
        ({"iss": "https://impostor.example"}, "issuer"),
        ({"exp": int(time.time()) - 120}, "expired"),
        ({"token_email": "mo@elsewhere.test"}, "domain"),
        ({"email_verified": False}, "unverified"),
        ({"email_verified": None}, "unverified"),
        ({"email": None}, "unverified"),
    ],
)
async def test_a_bad_id_token_is_refused_with_its_reason(
    client: httpx.AsyncClient,
    mint: TokenMint,
    minted_org: Account,
    overrides: dict[str, Any],
    reason: str,
) -> None:
    resp = await mint_sign_in(client, mint, "mo@mint-acme.test", **overrides)
    assert error_of(resp) == reason
    assert client.cookies.get("chorus_token") is None


async def test_clock_skew_of_a_minute_is_tolerated(
    client: httpx.AsyncClient, mint: TokenMint, minted_org: Account
) -> None:
    now = int(time.time())
    resp = await mint_sign_in(client, mint, "mo@mint-acme.test", exp=now - 30, iat=now + 30)
    assert resp.headers["location"] == "/"


async def test_a_token_signed_with_a_key_not_in_the_jwks_is_refused(
    client: httpx.AsyncClient, mint: TokenMint, minted_org: Account
) -> None:
    impostor = new_key(mint.keys[0].kid or "")  # same key id, another key
    resp = await mint_sign_in(client, mint, "mo@mint-acme.test", key=impostor)
    assert error_of(resp) == "signature"


async def test_a_rotated_key_is_fetched_once_then_cached(
    client: httpx.AsyncClient, mint: TokenMint, minted_org: Account
) -> None:
    assert (await mint_sign_in(client, mint, "mo@mint-acme.test")).headers["location"] == "/"
    fetches = mint.jwks_fetches
    mint.keys.insert(0, new_key("mint-2"))  # the provider rotates: a new key signs from now on
    client.cookies.clear()
    resp = await mint_sign_in(client, mint, "mo@mint-acme.test")
    assert resp.headers["location"] == "/"
    assert mint.jwks_fetches == fetches + 1
    client.cookies.clear()
    await mint_sign_in(client, mint, "mo@mint-acme.test")
    assert mint.jwks_fetches == fetches + 1


async def test_another_organizations_domain_is_refused(
    client: httpx.AsyncClient, mint: TokenMint, minted_org: Account, provider: str
) -> None:
    other = await signup(client, org="Other")
    await configure(client, other, **sso_body(provider, emailDomains=["other-co.test"]))
    # the mint's organization's provider vouches for someone of the other organization
    resp = await mint_sign_in(client, mint, "mo@mint-acme.test", token_email="x@other-co.test")
    assert error_of(resp) == "domain"


async def test_an_authorization_response_from_another_issuer_is_refused(
    client: httpx.AsyncClient, mint: TokenMint, minted_org: Account
) -> None:
    """RFC 9207: a provider that names itself in the response (`iss`) must be the one asked."""
    location = await start(client, "mo@mint-acme.test")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    code = mint.issue_code(location, mint.mint(mint.claims(query["nonce"], "mo@mint-acme.test")))
    resp = await client.get(
        "/api/v1/auth/sso/callback",
        params={"code": code, "state": query["state"], "iss": "https://impostor.example"},
    )
    assert error_of(resp) == "issuer"
