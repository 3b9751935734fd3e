"""Forgotten passwords: a reset email arrives in a real SMTP server on loopback, its one-time
link sets a new password and every older session answers 401; the answer never says whether
an email has an account; tokens are checked before any password is hashed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from backend.core import passwords as core_passwords
from backend.core.tokens import new_token, token_digest
from backend.orgs.tables import PasswordReset
from tests.helpers import PASSWORD, assert_problem, bearer, run_worker_burst, signup
from tests.test_mail import link_in, mailbox, mailing_client  # noqa: F401  (a fixture)

NEW_PASSWORD = "a fresh and long passphrase"


async def test_a_reset_email_sets_a_new_password_and_ends_every_older_session(app, mailbox):  # noqa: F811
    async with mailing_client(app) as http:
        account = await signup(http)
        login = await http.post(
            "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
        )
        other_session = login.json()["accessToken"]
        http.cookies.clear()
        asked = await http.post("/api/v1/auth/password/forgot", json={"email": account.email})
        assert asked.status_code == 202
        await run_worker_burst()
        (message,) = mailbox.to(account.email)
        token = link_in(message, "/reset")
        # stored only as a digest, valid for an hour
        (row,) = await PasswordReset.select()
        assert row["token_hash"] == token_digest(token)
        assert row["expires_at"] - datetime.now(UTC) <= timedelta(hours=1)
        done = await http.post(
            "/api/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD}
        )
        assert done.status_code == 204, done.text
        assert "chorus_token" in done.cookies  # this browser is signed in afresh
        fresh = done.cookies["chorus_token"]
        http.cookies.clear()
        for old in (account.token, other_session):
            assert_problem(await http.get("/api/v1/me", headers=bearer(old)), 401)
        assert (await http.get("/api/v1/me", headers=bearer(fresh))).status_code == 200
        assert_problem(
            await http.post(
                "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
            ),
            401,
        )
        ok = await http.post(
            "/api/v1/auth/login", json={"email": account.email, "password": NEW_PASSWORD}
        )
        assert ok.status_code == 200
        again = await http.post(
            "/api/v1/auth/password/reset", json={"token": token, "password": "yet another one!"}
        )
        assert_problem(again, 410, detail_contains="already used")


async def test_the_answer_is_the_same_whether_or_not_the_email_has_an_account(app, mailbox):  # noqa: F811
    async with mailing_client(app) as http:
        account = await signup(http)
        known = await http.post("/api/v1/auth/password/forgot", json={"email": account.email})
        unknown = await http.post(
            "/api/v1/auth/password/forgot", json={"email": "nobody@example.com"}
        )
        assert known.status_code == unknown.status_code == 202
        assert known.content == unknown.content
        assert {k for k in known.headers if k != "x-request-id"} == {
            k for k in unknown.headers if k != "x-request-id"
        }
        await run_worker_burst()
    assert len(mailbox.messages) == 1
    assert mailbox.messages[0]["To"] == account.email


async def test_a_mailbox_gets_a_few_reset_emails_an_hour_at_most(app, mailbox, settings):  # noqa: F811
    async with mailing_client(app) as http:
        account = await signup(http)
        for _ in range(settings.reset_emails_per_hour + 3):
            resp = await http.post("/api/v1/auth/password/forgot", json={"email": account.email})
            assert resp.status_code == 202
        await run_worker_burst()
    assert len(mailbox.to(account.email)) == settings.reset_emails_per_hour


async def test_without_smtp_a_reset_request_logs_email_not_configured_and_nothing_else(
    client, caplog
):
    account = await signup(client)
    with caplog.at_level(logging.WARNING):
        resp = await client.post("/api/v1/auth/password/forgot", json={"email": account.email})
    assert resp.status_code == 202
    assert "email not configured" in caplog.text
    assert await PasswordReset.count() == 0


async def test_expired_and_unknown_reset_tokens_are_refused_before_any_hashing(client, monkeypatch):
    account = await signup(client)
    hashed: list[str] = []
    real = core_passwords.hash_password

    async def spy(password: str) -> str:
        hashed.append(password)
        return await real(password)

    monkeypatch.setattr("backend.orgs.passwords.hash_password", spy)
    unknown = await client.post(
        "/api/v1/auth/password/reset", json={"token": new_token(), "password": NEW_PASSWORD}
    )
    assert_problem(unknown, 404)
    from uuid import UUID, uuid4

    token = new_token()
    await PasswordReset.insert(
        PasswordReset(
            id=uuid4(),
            user=UUID(account.user_id),
            token_hash=token_digest(token),
            expires_at=datetime.now(UTC) - timedelta(seconds=1),
        )
    )
    expired = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD}
    )
    assert_problem(expired, 410, detail_contains="expired")
    assert hashed == []
    assert (await client.get("/api/v1/me", headers=bearer(account))).status_code == 200


async def test_wrong_reset_tokens_from_one_address_are_rate_limited(client, settings):
    for _ in range(settings.token_failures_per_ip):
        resp = await client.post(
            "/api/v1/auth/password/reset", json={"token": new_token(), "password": NEW_PASSWORD}
        )
        assert resp.status_code == 404
    blocked = await client.post(
        "/api/v1/auth/password/reset", json={"token": new_token(), "password": NEW_PASSWORD}
    )
    assert_problem(blocked, 429)
    assert int(blocked.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/auth/password/forgot", {}),
        ("/api/v1/auth/password/forgot", {"email": 42}),
        ("/api/v1/auth/password/forgot", {"email": "not an email"}),
        ("/api/v1/auth/password/forgot", {"email": "a@" + "b" * 300 + ".com"}),
        ("/api/v1/auth/password/reset", {"token": new_token()}),
        ("/api/v1/auth/password/reset", {"password": NEW_PASSWORD}),
        ("/api/v1/auth/password/reset", {"token": new_token(), "password": "short"}),
        ("/api/v1/auth/password/reset", {"token": "x" * 500, "password": NEW_PASSWORD}),
        ("/api/v1/auth/password/reset", {"token": ["list"], "password": NEW_PASSWORD}),
    ],
)
async def test_reset_endpoints_refuse_malformed_bodies(client, path, body):
    resp = await client.post(path, json=body)
    assert_problem(resp, 400)
