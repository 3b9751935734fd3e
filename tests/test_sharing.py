"""Share links, the /s/{code} redirect and click classification, end to end."""

import asyncio
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID, uuid4

import msgspec
import pytest

from backend.core import clock
from backend.sharing.bots import classify_agent
from backend.sharing.clicks import drain, ingest_entries
from backend.sharing.redirect import ClickEvent
from backend.sharing.tables import Click, ShareLink
from tests.helpers import (
    PASSWORD,
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    signup,
    visit,
)

BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
OTHER_BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) AppleWebKit/605.1.15 Safari/604.1"


async def _link(client, person, challenge, network="linkedin"):
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/share-links",
        json={"network": network},
        headers=bearer(person),
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _clicks(app):
    """Flush this process's click buffer to Redis and ingest everything into PostgreSQL."""
    await app.state.redirector.recorder.flush()
    await drain(app.state.redis)
    return await Click.select().order_by(Click.at)


async def test_share_link_is_stable_and_carries_text_link_and_hashtags(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    challenge = await create_challenge(client, admin)
    first = await _link(client, employee, challenge)
    assert re.fullmatch(r"[0-9A-Za-z]{10}", first["code"])
    assert first["trackedUrl"] == f"http://testserver/s/{first['code']}"
    assert first["shareText"] == (
        f"Proud of what we shipped today.\n\n{first['trackedUrl']}\n\n#launch #chorus"
    )
    assert first["intentUrl"].startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    assert unquote(first["intentUrl"].split("url=")[1]) == first["trackedUrl"]
    again = await _link(client, employee, challenge)
    assert again == first
    x = await _link(client, employee, challenge, "x")
    assert x["code"] != first["code"]
    assert x["shareText"] == f"We shipped! {x['trackedUrl']} #launch #chorus"
    assert x["intentUrl"].startswith("https://x.com/intent/post?text=")
    assert unquote(x["intentUrl"].split("text=")[1]) == x["shareText"]
    colleague = await add_member(client, admin)
    assert (await _link(client, colleague, challenge))["code"] != first["code"]
    assert await ShareLink.count() == 3


@pytest.mark.parametrize(
    ("network", "prefix"),
    [
        ("facebook", "https://www.facebook.com/sharer/sharer.php?u="),
        ("email", "mailto:?subject="),
        ("whatsapp", "https://wa.me/?text="),
    ],
)
async def test_intent_urls_per_network(client, network, prefix):
    admin = await signup(client)
    challenge = await create_challenge(client, admin, networks=["facebook", "email", "whatsapp"])
    link = await _link(client, admin, challenge, network)
    assert link["intentUrl"].startswith(prefix)
    assert link["code"] in unquote(link["intentUrl"])
    # no text was written for these networks: the first one written stands in
    assert link["shareText"].startswith("Proud of what we shipped today.")


async def test_concurrent_requests_make_one_link(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    challenge = await create_challenge(client, admin)
    links = await asyncio.gather(*[_link(client, employee, challenge) for _ in range(10)])
    assert len({link["code"] for link in links}) == 1
    assert await ShareLink.count() == 1


async def test_links_only_for_active_challenges_and_their_networks(client, monkeypatch):
    admin = await signup(client)
    employee = await add_member(client, admin)
    challenge = await create_challenge(client, admin)
    path = f"/api/v1/challenges/{challenge['id']}/share-links"
    wrong = await client.post(path, json={"network": "facebook"}, headers=bearer(employee))
    assert_problem(wrong, 422, detail_contains="linkedin, x")
    later = datetime.now(UTC) + timedelta(days=8)
    monkeypatch.setattr(clock, "now", lambda: later)
    ended = await client.post(path, json={"network": "linkedin"}, headers=bearer(employee))
    assert_problem(ended, 409, detail_contains="ended")
    monkeypatch.undo()
    draft = await create_challenge(client, admin, publish=False, title="Draft")
    resp = await client.post(
        f"/api/v1/challenges/{draft['id']}/share-links",
        json={"network": "linkedin"},
        headers=bearer(employee),
    )
    assert_problem(resp, 404)
    other = await signup(client, org="Other")
    resp = await client.post(path, json={"network": "linkedin"}, headers=bearer(other))
    assert_problem(resp, 404)
    for body in ({}, {"network": 3}, {"network": "linkedin", "extra": 1}, {"network": "x" * 900}):
        resp = await client.post(path, json=body, headers=bearer(employee))
        assert resp.status_code == 400, body
    assert await ShareLink.count() == 0


async def test_redirect_merges_utm_parameters_into_the_content_url(client):
    admin = await signup(client)
    challenge = await create_challenge(
        client, admin, contentUrl="https://example.com/post?ref=abc&utm_source=old#section-2"
    )
    link = await _link(client, admin, challenge)
    resp = await client.get(f"/s/{link['code']}", headers={"User-Agent": BROWSER})
    assert resp.status_code == 302
    location = urlsplit(resp.headers["location"])
    assert (location.scheme, location.netloc, location.path, location.fragment) == (
        "https",
        "example.com",
        "/post",
        "section-2",
    )
    assert parse_qs(location.query) == {
        "ref": ["abc"],
        "utm_source": ["linkedin"],
        "utm_medium": ["employee_advocacy"],
        "utm_campaign": [challenge["slug"]],
        "utm_content": [link["code"]],
    }
    assert resp.headers["cache-control"] == "no-store"


async def test_unknown_and_malformed_codes_get_a_friendly_404_page(client):
    for code in ("AAAAAAAAAA", "short", "has-dash-in-it", "x" * 40):
        resp = await client.get(f"/s/{code}")
        assert resp.status_code == 404
        assert resp.headers["content-type"].startswith("text/html")
        assert "doesn't lead anywhere" in resp.text


async def test_clicks_are_classified_unique_repeat_self_and_bot(app, client):
    admin = await signup(client)
    sharer = await add_member(client, admin)
    challenge = await create_challenge(client, admin)
    link = await _link(client, sharer, challenge)  # the sharer uses Chorus from 127.0.0.1
    path = f"/s/{link['code']}"
    referred = {"User-Agent": BROWSER, "Referer": "https://www.linkedin.com/feed/"}
    await visit(app, path, "198.51.100.1", referred)
    await visit(app, path, "198.51.100.1", {"User-Agent": OTHER_BROWSER})  # the same address
    await visit(app, path, "198.51.100.2", {"User-Agent": BROWSER})  # someone else
    await client.get(path, headers={"User-Agent": "LinkedInBot/1.0 (compatible; Mozilla/5.0)"})
    await visit(app, path, "198.51.100.3", {"User-Agent": "Twitterbot/1.0"})
    await visit(app, path, "198.51.100.4", {"User-Agent": ""})
    login = await client.post(
        "/api/v1/auth/login", json={"email": sharer.email, "password": PASSWORD}
    )
    assert login.status_code == 200
    cookie = f"chorus_token={client.cookies['chorus_token']}"
    # the sharer's session, from an address of their phone's network they never used Chorus on
    await visit(app, path, "198.51.100.5", {"User-Agent": "Another browser", "Cookie": cookie})
    client.cookies.clear()
    # and the sharer's own address, without the session (a private window)
    await client.get(path, headers={"User-Agent": "Totally different browser"})
    clicks = await _clicks(app)
    assert [(c["kind"], c["set_aside"]) for c in clicks] == [
        ("unique", None),
        ("repeat", "same_visitor"),
        ("unique", None),
        ("bot", "bot"),  # LinkedIn's bot from LinkedIn's addresses (loopback in the tests)
        ("bot", "unverified_bot"),  # X's bot by name, from an ordinary address
        ("bot", "bot"),
        ("self", "session"),
        ("self", "sharer_address"),
    ]
    assert clicks[0]["referrer_host"] == "www.linkedin.com"
    assert clicks[3]["bot_name"] == "LinkedInBot"
    assert {c["sharer"] for c in clicks} == {UUID(sharer.user_id)}
    row = await ShareLink.select(ShareLink.first_bot_at, ShareLink.first_bot_name).first()
    assert row["first_bot_name"] == "LinkedInBot"  # Twitterbot on a LinkedIn link is no evidence
    counts = (
        await client.get(
            f"/api/v1/admin/challenges/{challenge['id']}/clicks", headers=bearer(admin)
        )
    ).json()
    assert counts == {
        "links": 1,
        "unique": 2,
        "repeat": 1,
        "self": 2,
        "bot": 3,
        "networksSeenByBots": ["linkedin"],
    }


async def test_raw_addresses_are_stored_nowhere(app, client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    link = await _link(client, admin, challenge)
    await client.get(f"/s/{link['code']}", headers={"User-Agent": BROWSER})
    clicks = await _clicks(app)
    assert len(clicks) == 1
    assert "127.0.0.1" not in repr(clicks)
    keys = [k.decode() for k in await app.state.redis.keys("*")]
    values = [await app.state.redis.type(k) for k in keys]
    assert all("127.0.0.1" not in k for k in keys), (keys, values)


async def test_ingesting_the_same_clicks_twice_stores_them_once(app, client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    link = await _link(client, admin, challenge)
    for address in ("198.51.100.1", "198.51.100.2"):
        await visit(app, f"/s/{link['code']}", address, {"User-Agent": BROWSER})
    await app.state.redirector.recorder.flush()
    entries = await app.state.redis.xrange("chorus:clicks")
    await ingest_entries(app.state.redis, entries)
    await ingest_entries(
        app.state.redis, entries
    )  # a redelivery after a crash between commit and ack
    assert [c["kind"] for c in await _clicks(app)] == ["unique", "unique"]


async def test_repeat_window_spans_midnight_through_the_previous_days_salt(app, client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    await _link(client, admin, challenge)
    link = await ShareLink.select().first()
    evening = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)

    def event(at, today, yesterday):
        return ClickEvent(
            id=uuid4().hex,
            link_id=str(link["id"]),
            org_id=str(link["org"]),
            challenge_id=str(link["challenge"]),
            sharer_id=str(link["user"]),
            network="linkedin",
            at_ms=int(at.timestamp() * 1000),
            hint="",
            bot_name=None,
            visitor_today=today,
            visitor_yesterday=yesterday,
            referrer_host=None,
        )

    def entry(e):
        return (b"0-1", {b"e": msgspec.msgpack.encode(e)})

    await ingest_entries(app.state.redis, [entry(event(evening, "a" * 32, "z" * 32))])
    # after midnight the same visitor hashes to "b…" with the new salt and "a…" with yesterday's
    await ingest_entries(
        app.state.redis, [entry(event(evening + timedelta(hours=2), "b" * 32, "a" * 32))]
    )
    # 25 h after the first click but 23 h after the second: still the same visit's repeat
    await ingest_entries(
        app.state.redis, [entry(event(evening + timedelta(hours=25), "c" * 32, "b" * 32))]
    )
    kinds = [c["kind"] for c in await Click.select(Click.kind).order_by(Click.at)]
    assert kinds == ["unique", "repeat", "repeat"]
    await ingest_entries(
        app.state.redis, [entry(event(evening + timedelta(hours=60), "d" * 32, "c" * 32))]
    )
    kinds = [c["kind"] for c in await Click.select(Click.kind).order_by(Click.at)]
    assert kinds[-1] == "unique"


async def test_links_keep_redirecting_after_the_challenge_ends_or_is_archived(app, client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    link = await _link(client, admin, challenge)
    await client.post(f"/api/v1/admin/challenges/{challenge['id']}/archive", headers=bearer(admin))
    resp = await client.get(f"/s/{link['code']}", headers={"User-Agent": BROWSER})
    assert resp.status_code == 302  # posts already out there must still reach the site
    assert len(await _clicks(app)) == 1


@pytest.mark.parametrize(
    ("agent", "bot"),
    [
        (
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            "LinkedInBot",
        ),
        ("Twitterbot/1.0", "Twitterbot"),
        (
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "facebookexternalhit",
        ),
        ("WhatsApp/2.23.20.0", "WhatsApp"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slackbot"),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot"),
        ("Mozilla/5.0 (compatible; SomeNewBot/0.1)", "other-bot"),
        ("curl/8.5.0", "other-bot"),
        ("", "unknown-agent"),
        (BROWSER, None),
        (OTHER_BROWSER, None),
    ],
)
def test_user_agent_classification(agent, bot):
    assert classify_agent(agent) == bot


async def test_links_answer_only_get_and_head(app, client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    link = await _link(client, admin, challenge)
    head = await client.head(f"/s/{link['code']}", headers={"User-Agent": BROWSER})
    assert head.status_code == 302
    for method in ("POST", "PUT", "DELETE"):
        resp = await client.request(method, f"/s/{link['code']}")
        assert resp.status_code == 405
        assert resp.headers["allow"] == "GET, HEAD"
    assert len(await _clicks(app)) == 1  # only the HEAD counted
