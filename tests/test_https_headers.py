"""Strict-Transport-Security on every answer served over HTTPS (by this process, or by a proxy of
ours that says so in X-Forwarded-Proto) and never over plain HTTP; a Content-Security-Policy
that runs no inline or foreign script on every HTML answer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import msgspec
import pytest

from backend.app import create_app
from tests.helpers import TMP_ROOT, add_member, bearer, running, signup
from tests.test_stories import make_challenge, write_story

ONE_YEAR = 365 * 24 * 3600


@asynccontextmanager
async def client_of(app: Any, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
        yield http


@asynccontextmanager
async def served(settings: Any, base_url: str, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of its own, with these settings changed."""
    app = create_app(msgspec.structs.replace(settings, **changes))
    async with running(app), client_of(app, base_url) as http:
        yield http


async def answers(http: httpx.AsyncClient, headers: dict[str, str] | None = None) -> list[Any]:
    """A JSON answer, an HTML page, an error of the auth middleware, a 404, a redirect's 404."""
    return [
        await http.get(path, headers=headers or {})
        for path in ("/health", "/", "/api/v1/me", "/api/v1/nothing-here", "/s/NoSuchCode1")
    ]


def hsts_max_age(resp: httpx.Response) -> int:
    value = resp.headers["strict-transport-security"]
    found = re.fullmatch(r"max-age=(\d+); includeSubDomains", value)
    assert found, value
    return int(found.group(1))


async def test_https_answers_carry_hsts_for_a_year_and_http_answers_none(app):
    async with client_of(app, "https://testserver") as https:
        for resp in await answers(https):
            assert hsts_max_age(resp) >= ONE_YEAR, resp.request.url
    async with client_of(app, "http://testserver") as http:
        for resp in await answers(http):
            assert "strict-transport-security" not in resp.headers, resp.request.url
        # the tests' app does not trust forwarded headers: a client cannot claim HTTPS
        for resp in await answers(http, {"X-Forwarded-Proto": "https"}):
            assert "strict-transport-security" not in resp.headers, resp.request.url


async def test_behind_a_trusted_proxy_its_forwarded_proto_decides(settings):
    async with served(settings, "http://testserver", trust_forwarded_for=True) as http:
        for resp in await answers(http, {"X-Forwarded-Proto": "https"}):
            assert hsts_max_age(resp) >= ONE_YEAR, resp.request.url
        for resp in await answers(http, {"X-Forwarded-Proto": "http"}):
            assert "strict-transport-security" not in resp.headers, resp.request.url


async def test_hsts_can_be_turned_off_and_its_age_set(settings):
    async with served(settings, "https://testserver", hsts_seconds=0) as https:
        assert "strict-transport-security" not in (await https.get("/health")).headers
    async with served(settings, "https://testserver", hsts_seconds=63_072_000) as https:
        assert hsts_max_age(await https.get("/health")) == 63_072_000


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name.lower()] = values
    return found


def assert_strict_csp(resp: httpx.Response) -> None:
    policy = directives(resp.headers["content-security-policy"])
    scripts = policy.get("script-src", policy["default-src"])
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:"} & set(
        scripts
    ), (resp.request.url, scripts)
    assert policy["frame-ancestors"] == ["'none'"], resp.request.url
    assert policy["base-uri"] == ["'none'"], resp.request.url
    assert "'none'" in policy.get("object-src", policy["default-src"]), resp.request.url


async def test_every_html_answer_carries_a_strict_content_security_policy(client, settings):
    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await make_challenge(client, admin, verification="trust")
    await write_story(client, sam, challenge)
    story = (
        await client.post(f"/api/v1/challenges/{challenge['id']}/story/submit", headers=bearer(sam))
    ).json()
    pages = [
        await client.get("/"),  # the PWA shell
        await client.get("/leaderboard"),  # a client route: the shell again
        await client.get(f"/stories/{story['slug']}"),
        await client.get("/stories/no-such-story"),
        await client.get("/s/NoSuchCode1"),
    ]
    empty = TMP_ROOT / "no-pwa-here"
    empty.mkdir(exist_ok=True)
    async with served(settings, "http://testserver", pwa_dir=str(empty)) as http:
        placeholder = await http.get("/")  # the page `/` shows while the PWA is not built
        assert "is not built" in placeholder.text
        pages.append(placeholder)
    for page in pages:
        assert page.headers["content-type"].startswith("text/html"), page.request.url
        assert_strict_csp(page)
    assert [p.status_code for p in pages] == [200, 200, 200, 404, 404, 200]


@pytest.mark.parametrize("path", ["/health", "/api/v1/me"])
async def test_json_answers_need_no_csp_but_are_never_sniffed(client, path):
    resp = await client.get(path)
    assert not resp.headers["content-type"].startswith("text/html")
    assert resp.headers["x-content-type-options"] == "nosniff"
