"""No secret or token is ever written to the logs.

Every logger is turned up to DEBUG and every record is kept as the app's own formatters write it
(JSON and text, extras and tracebacks included) and as it was made (message, arguments, extras),
while a realistic day runs in-process: sign-up, sign-in, a failed and a malformed sign-in, forged
and expired tokens, an invite made and accepted (and replayed), cookie sessions with their CSRF
token, a share link clicked with a session cookie, a push subscription, a verified share pushed
to it by the real worker, a CSV import, a data export, and errors while Redis is down. None of
the passwords, tokens, cookies, invite tokens, the secret key, the VAPID private key or the
browser's push keys may appear, in any encoding a log line would give it. (Chorus issues no
refresh tokens: an access token lives `CHORUS_ACCESS_TOKEN_TTL_SECONDS`, then one signs in again.)
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import jwt
import msgspec

from backend.app import create_app
from backend.embedded import EmbeddedRedis, free_port
from backend.http.auth import CSRF_COOKIE, TOKEN_COOKIE
from backend.logs import JsonFormatter, TextFormatter
from tests.fakes import linkedin_page
from tests.helpers import (
    TMP_ROOT,
    bearer,
    challenge_body,
    client_for,
    run_worker_burst,
    unique_email,
)

POST_PATH = "/posts/ann-admin_launch-activity-7200000000000000777-LoGs"


class Recorder(logging.Handler):
    """Keeps every record as the app's formatters write it, and as it was made."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.formatters: list[logging.Formatter] = [
            JsonFormatter(),
            TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"),
        ]
        self.entries: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.entries.extend(f.format(record) for f in self.formatters)
        self.entries.append(repr(vars(record)))  # msg, args and extras, formatted or not

    @property
    def text(self) -> str:
        return "\n".join(self.entries)


@contextmanager
def everything_logged() -> Iterator[Recorder]:
    """Every logger at DEBUG, every record to the recorder (and to nothing else meanwhile)."""
    recorder = Recorder()
    root = logging.getLogger()
    loggers = [root] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.disabled, list(logger.handlers)) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if logger is root or not logger.propagate:
            logger.handlers[:] = [recorder]
    try:
        yield recorder
    finally:
        for logger, level, disabled, handlers in saved:
            logger.setLevel(level)
            logger.disabled = disabled
            logger.handlers[:] = handlers


def leaks(logged: str, secret_values: dict[str, str]) -> list[str]:
    """The names of the secrets found in the log text, in any encoding a log line gives them."""
    found = []
    for name, value in secret_values.items():
        forms = {value, json.dumps(value)[1:-1], quote(value, safe=""), quote_plus(value)}
        if any(form in logged for form in forms):
            found.append(name)
    return found


def cookies_of(resp: httpx.Response) -> dict[str, str]:
    return {TOKEN_COOKIE: resp.cookies[TOKEN_COOKIE], CSRF_COOKIE: resp.cookies[CSRF_COOKIE]}


def cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    """The Cookie header a browser sends (the client's own jar stays empty)."""
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


class Secrets:
    """Every secret the day hands out or is sent, by name; a JWT's signature counts on its own."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def add(self, name: str, value: str) -> str:
        assert value and len(value) >= 8, (name, value)
        self.values[name] = value
        if value.count(".") == 2:  # a JWT: its signature alone would let it be rebuilt
            self.values[f"{name} (signature)"] = value.rsplit(".", 1)[1]
        return value


async def a_day_of_chorus(
    http: httpx.AsyncClient, settings: Any, network: Any, push_service: Any, s: Secrets
) -> None:
    s.add("CHORUS_SECRET_KEY", settings.secret_key)
    for purpose in ("tokens", "login-throttle", "idempotency", "post-keys"):
        s.add(f"derived key ({purpose})", settings.key_for(purpose))
    s.add("VAPID private key", settings.vapid_private_key)

    # sign-up and sign-in
    email = unique_email("ann")
    password = s.add("admin password", f"Ann's {secrets.token_urlsafe(12)} password")
    made = await http.post(
        "/api/v1/auth/signup",
        json={"orgName": "Acme", "email": email, "password": password, "displayName": "Ann"},
    )
    assert made.status_code == 201, made.text
    for name, value in cookies_of(made).items():
        s.add(f"sign-up cookie {name}", value)
    admin = s.add("sign-up token", made.json()["accessToken"])
    http.cookies.clear()
    signed_in = await http.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert signed_in.status_code == 200, signed_in.text
    session = cookies_of(signed_in)
    for name, value in session.items():
        s.add(f"sign-in cookie {name}", value)
    s.add("sign-in token", signed_in.json()["accessToken"])
    http.cookies.clear()
    wrong = s.add("a wrong password", f"not-{secrets.token_urlsafe(12)}")
    failed = await http.post("/api/v1/auth/login", json={"email": email, "password": wrong})
    assert failed.status_code == 401
    malformed = await http.post(
        "/api/v1/auth/login", json={"email": email, "password": password, "remember": "yes"}
    )
    assert malformed.status_code == 400

    # forged, expired and garbage tokens
    now = int(time.time())
    claims = {"sub": made.json()["userId"], "iat": now, "exp": now + 600, "iss": "chorus"}
    bad_tokens = {
        "forged token": jwt.encode(claims, "x" * 48, algorithm="HS256"),
        "expired token": jwt.encode(
            {**claims, "iat": now - 7200, "exp": now - 3600}, settings.key_for("tokens"), "HS256"
        ),
        "garbage token": f"garbage-{secrets.token_urlsafe(24)}",
    }
    for name, token in bad_tokens.items():
        refused = await http.get("/api/v1/me", headers=bearer(s.add(name, token)))
        assert refused.status_code == 401, (name, refused.text)
    forged_cookie = s.add("forged cookie", f"cookie-{secrets.token_urlsafe(24)}")
    refused = await http.get("/api/v1/me", headers=cookie_header({TOKEN_COOKIE: forged_cookie}))
    assert refused.status_code == 401

    # a cookie session: reads, and a change carrying its CSRF token (and one carrying a wrong one)
    renamed = await http.patch(
        "/api/v1/me",
        json={"displayName": "Ann A."},
        headers={**cookie_header(session), "X-CSRF-Token": session[CSRF_COOKIE]},
    )
    assert renamed.status_code == 200, renamed.text
    wrong_csrf = s.add("a wrong CSRF token", secrets.token_urlsafe(24))
    refused = await http.patch(
        "/api/v1/me",
        json={"displayName": "X"},
        headers={**cookie_header(session), "X-CSRF-Token": wrong_csrf},
    )
    assert refused.status_code == 403
    http.cookies.clear()

    # an invite, accepted, then replayed
    invited = await http.post(
        "/api/v1/admin/invites", json={"email": unique_email("sam")}, headers=bearer(admin)
    )
    assert invited.status_code == 201, invited.text
    invite_token = s.add("invite token", invited.json()["token"])
    member_password = s.add("member password", f"Sam {secrets.token_urlsafe(12)}!")
    accepted = await http.post(
        "/api/v1/auth/accept-invite",
        json={"token": invite_token, "displayName": "Sam", "password": member_password},
    )
    assert accepted.status_code == 201, accepted.text
    for name, value in cookies_of(accepted).items():
        s.add(f"invitee cookie {name}", value)
    sam = s.add("invitee token", accepted.json()["accessToken"])
    http.cookies.clear()
    replayed = await http.post(
        "/api/v1/auth/accept-invite",
        json={"token": invite_token, "displayName": "Eve", "password": member_password},
    )
    assert 400 <= replayed.status_code < 500
    http.cookies.clear()

    # a push subscription, a share link clicked with a session cookie, a verified share pushed
    subscription = push_service.subscription()
    s.add("push key p256dh", subscription["keys"]["p256dh"])
    s.add("push auth secret", subscription["keys"]["auth"])
    s.add("push endpoint (a capability URL)", subscription["endpoint"])
    subscribed = await http.post(
        "/api/v1/push/subscriptions", json=subscription, headers=bearer(sam)
    )
    assert subscribed.status_code == 201, subscribed.text
    challenge = await http.post(
        "/api/v1/admin/challenges", json=challenge_body(verification="auto"), headers=bearer(admin)
    )
    assert challenge.status_code == 201, challenge.text
    challenge_id = challenge.json()["id"]
    published = await http.post(
        f"/api/v1/admin/challenges/{challenge_id}/publish", headers=bearer(admin)
    )
    assert published.status_code == 200
    link = (
        await http.post(
            f"/api/v1/challenges/{challenge_id}/share-links",
            json={"network": "linkedin"},
            headers=bearer(sam),
        )
    ).json()
    clicked = await http.get(
        f"/s/{link['code']}", headers=cookie_header({TOKEN_COOKIE: sam, CSRF_COOKIE: "x" * 16})
    )
    assert clicked.status_code == 302
    http.cookies.clear()
    network.linkedin_post(POST_PATH, linkedin_page(f"We launched! {link['trackedUrl']}"))
    claimed = await http.post(
        f"/api/v1/challenges/{challenge_id}/submissions",
        json={"network": "linkedin", "postUrl": f"https://www.linkedin.com{POST_PATH}"},
        headers=bearer(sam),
    )
    assert claimed.status_code == 202, claimed.text
    await run_worker_burst()
    verdict = await http.get(f"/api/v1/submissions/{claimed.json()['id']}", headers=bearer(sam))
    assert verdict.json()["status"] == "verified", verdict.text
    assert any(m["payload"]["category"] == "verification" for m in push_service.messages)

    # a CSV import (its invite tokens), a data export, sign-out
    imported = await http.post(
        "/api/v1/admin/invites/import",
        json={"csv": "email,role\nbo@example.com,employee\ncy@example.com,lead\n"},
        headers=bearer(admin),
    )
    assert imported.status_code == 201, imported.text
    for row in imported.json()["invites"]:
        s.add(f"imported invite token {row['email']}", row["url"].rsplit("token=", 1)[1])
    exported = await http.get("/api/v1/me/export", headers=bearer(sam))
    assert exported.status_code == 200, exported.text
    out = await http.post("/api/v1/auth/logout", headers=bearer(sam))
    assert out.status_code == 204


async def errors_while_redis_is_down(
    settings: Any, s: Secrets, password: str
) -> tuple[list[int], str]:
    """Requests that need Redis while it is down: the statuses (500 or 503) and the log text."""
    port = free_port()
    redis = EmbeddedRedis(TMP_ROOT / f"logs-redis-{port}", persist=False, port=port)
    redis.start()
    statuses = []
    try:
        app = create_app(msgspec.structs.replace(settings, redis_url=redis.url))
        # after create_app, which sets the logging up again
        with everything_logged() as recorder:
            async with client_for(app) as http:
                signup = await http.post(
                    "/api/v1/auth/signup",
                    json={
                        "orgName": "Down Inc",
                        "email": unique_email("dee"),
                        "password": password,
                        "displayName": "Dee",
                    },
                )
                assert signup.status_code == 201, signup.text
                token = s.add("sign-up token", signup.json()["accessToken"])
                http.cookies.clear()
                redis.kill()
                sign_in = {"email": unique_email("dee"), "password": password}
                for method, path, kwargs in [
                    ("POST", "/api/v1/auth/login", {"json": sign_in}),
                    ("GET", "/api/v1/leaderboards/users", {"headers": bearer(token)}),
                    ("GET", "/health/redis", {"headers": bearer(token)}),
                ]:
                    resp = await http.request(method, path, **kwargs)
                    statuses.append(resp.status_code)
                redis.start()  # the same port: the app shuts down cleanly
    finally:
        redis.stop()
    return statuses, recorder.text


async def test_no_secret_or_token_reaches_the_logs(client, settings, network, push_service):
    s = Secrets()
    with everything_logged() as recorder:
        await a_day_of_chorus(client, settings, network, push_service, s)
    logged = recorder.text
    # the capture works: what is known to be logged is there, and a planted secret is found
    assert '"logger": "chorus.access"' in logged and '"path": "/api/v1/auth/login"' in logged
    assert '"logger": "chorus.submissions"' in logged  # the worker's records too
    assert any(r.levelno == logging.DEBUG for r in recorder.records)  # DEBUG was on
    canary = secrets.token_urlsafe(24)
    with everything_logged() as planted:
        logging.getLogger("chorus.test").debug("a careless line", extra={"token": canary})
    assert leaks(planted.text, {"canary": canary}) == ["canary"]

    assert len(s.values) > 30, sorted(s.values)
    assert leaks(logged, s.values) == []


async def test_no_secret_reaches_the_logs_of_failing_requests(settings):
    s = Secrets()
    s.add("CHORUS_SECRET_KEY", settings.secret_key)
    for purpose in ("tokens", "login-throttle", "idempotency", "post-keys"):
        s.add(f"derived key ({purpose})", settings.key_for(purpose))
    password = s.add("password", f"Dee's {secrets.token_urlsafe(12)} password")
    statuses, logged = await errors_while_redis_is_down(settings, s, password)
    assert all(status in (500, 503) for status in statuses), statuses
    assert '"logger": "chorus.errors"' in logged  # the error path wrote its lines
    assert leaks(logged, s.values) == []
