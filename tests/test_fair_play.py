"""Fair play: a score nobody can manufacture. Each test is a hole a hostile employee found
(issue "Fair play"), tried again against the real app, PostgreSQL, Redis and worker.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from backend.http.client import client_address, served_over_https
from backend.points.tables import PointsLedger
from backend.sharing.clicks import drain
from backend.sharing.tables import Click, ShareLink
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    run_worker_burst,
    signup,
    visit,
)
from tests.test_stories import make_challenge, write_story

POST_URL = "https://www.linkedin.com/posts/priya_launch-activity-7200000000000000009-AbCd"


async def _link(client: Any, person: Any, challenge: dict[str, Any]) -> dict[str, Any]:
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/share-links",
        json={"network": "linkedin"},
        headers=bearer(person),
    )
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def _ingest(app: Any) -> list[dict[str, Any]]:
    await app.state.redirector.recorder.flush()
    await drain(app.state.redis)
    return await Click.select().order_by(Click.at)  # type: ignore[no-any-return]


async def _points(client: Any, who: Any) -> int:
    return int((await client.get("/api/v1/me", headers=bearer(who))).json()["points"])


# -- clicks that mean a person --------------------------------------------------------------


async def test_own_clicks_with_thirty_user_agents_never_verify_the_sharers_share(app, client):
    admin = await signup(client)
    sharer = await add_member(client, admin)
    challenge = await create_challenge(client, admin, verification="clicks", clickPoints=5)
    link = await _link(client, sharer, challenge)  # the sharer's API address: 127.0.0.1
    claim = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": POST_URL},
        headers=bearer(sharer),
    )
    assert claim.status_code == 202, claim.text
    await run_worker_burst()
    # a private window (no session) at the sharer's own address, a new User-Agent each time
    for n in range(30):
        agent = f"Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.{n}"
        assert (
            await client.get(f"/s/{link['code']}", headers={"User-Agent": agent})
        ).status_code == 302
    clicks = await _ingest(app)
    await run_worker_burst()
    assert [(c["kind"], c["set_aside"]) for c in clicks] == [("self", "sharer_address")] * 30
    status = (
        await client.get(f"/api/v1/submissions/{claim.json()['id']}", headers=bearer(sharer))
    ).json()
    assert (status["status"], status["pointsAwarded"]) == ("pending", 0)
    assert await _points(client, sharer) == 0


async def test_one_address_is_one_visitor_however_its_user_agent_varies(app, client):
    admin = await signup(client)
    sharer = await add_member(client, admin)
    challenge = await create_challenge(client, admin)
    link = await _link(client, sharer, challenge)
    for n in range(30):
        agent = f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{n}) Safari/604.1"
        await visit(app, f"/s/{link['code']}", "203.0.113.50", {"User-Agent": agent})
    kinds = [c["kind"] for c in await _ingest(app)]
    assert kinds.count("unique") == 1
    assert kinds.count("repeat") == 29


async def test_an_address_clicking_too_fast_is_counted_once_the_limit_is_passed(
    app, client, settings
):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    sharers = [await add_member(client, admin, name=f"S{n}") for n in range(24)]
    links = [await _link(client, person, challenge) for person in sharers]
    for link in links:  # one new link after another, from one address, within a minute
        await visit(app, f"/s/{link['code']}", "203.0.113.77", {"User-Agent": "Mozilla/5.0"})
    clicks = await _ingest(app)
    limit = settings.clicks_per_address_per_minute
    assert limit < len(links)
    assert [c["kind"] for c in clicks].count("unique") == limit
    assert [c["set_aside"] for c in clicks if c["kind"] == "repeat"] == ["rate_limit"] * (
        len(links) - limit
    )


async def test_a_bot_user_agent_from_an_ordinary_address_is_no_evidence(app, client, network):
    admin = await signup(client)
    sharer = await add_member(client, admin)
    challenge = await create_challenge(client, admin)
    link = await _link(client, sharer, challenge)
    linkedin_bot = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient)"
    await visit(app, f"/s/{link['code']}", "198.51.100.66", {"User-Agent": linkedin_bot})
    clicks = await _ingest(app)
    assert [(c["kind"], c["set_aside"]) for c in clicks] == [("bot", "unverified_bot")]
    row = await ShareLink.select(ShareLink.first_bot_at).first()
    assert row["first_bot_at"] is None
    # the same User-Agent from LinkedIn's published ranges (loopback in the tests' settings) is
    await client.get(f"/s/{link['code']}", headers={"User-Agent": linkedin_bot})
    await _ingest(app)
    row = await ShareLink.select(ShareLink.first_bot_at).first()
    assert row["first_bot_at"] is not None


# -- the client address, through trusted proxies -------------------------------------------


def _scope(peer: str, *headers: tuple[str, str], scheme: str = "http") -> dict[str, Any]:
    return {
        "type": "http",
        "scheme": scheme,
        "client": (peer, 5000),
        "headers": [(k.encode(), v.encode()) for k, v in headers],
    }


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "client"),
    [
        ("", "198.51.100.1", "203.0.113.9", "198.51.100.1"),  # no proxy trusted: the peer
        ("10.0.0.0/8", "198.51.100.1", "203.0.113.9", "198.51.100.1"),  # peer not a proxy
        ("10.0.0.0/8", "10.1.2.3", "203.0.113.9", "203.0.113.9"),
        # a client's own X-Forwarded-For is kept by the proxy at the left: never believed
        ("10.0.0.0/8", "10.1.2.3", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        ("10.0.0.0/8", "10.1.2.3", "1.2.3.4, 203.0.113.9, 10.9.9.9", "203.0.113.9"),
        ("10.0.0.0/8,::1", "::1", "2001:db8::7", "2001:db8::7"),
        ("10.0.0.0/8", "10.1.2.3", "", "10.1.2.3"),
    ],
)
def test_the_client_is_the_rightmost_address_no_trusted_proxy_vouches_for(
    settings, proxies, peer, forwarded, client
):
    changed = msgspec.structs.replace(settings, trusted_proxies=proxies)
    headers = [("x-forwarded-for", forwarded)] if forwarded else []
    assert client_address(_scope(peer, *headers), changed) == client


def test_the_older_flag_trusts_the_loopback_proxy_and_https_comes_from_a_trusted_one(settings):
    legacy = msgspec.structs.replace(settings, trust_forwarded_for=True)
    proxied = _scope(
        "127.0.0.1", ("x-forwarded-for", "203.0.113.9"), ("x-forwarded-proto", "https")
    )
    assert client_address(proxied, legacy) == "203.0.113.9"
    assert served_over_https(proxied, legacy)
    spoofed = _scope("198.51.100.1", ("x-forwarded-proto", "https"))
    assert not served_over_https(spoofed, legacy)


# -- once means once -----------------------------------------------------------------------


async def test_publishing_deleting_and_publishing_again_pays_the_story_once(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await make_challenge(client, admin, verification="trust", points=100)
    for _ in range(3):
        await write_story(client, sam, challenge)
        story = (
            await client.post(
                f"/api/v1/challenges/{challenge['id']}/story/submit", headers=bearer(sam)
            )
        ).json()
        assert story["status"] == "published"
        assert await _points(client, sam) == 100
        deleted = await client.delete(f"/api/v1/stories/{story['id']}", headers=bearer(sam))
        assert deleted.status_code == 204
    assert await _points(client, sam) == 100
    rows = await PointsLedger.select(PointsLedger.reason).where(PointsLedger.reason == "story")
    assert len(rows) == 1


async def test_the_feature_bonus_is_paid_once_per_person_and_challenge(client, settings):
    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await make_challenge(client, admin, verification="trust", points=100)
    for _ in range(2):
        await write_story(client, sam, challenge)
        story = (
            await client.post(
                f"/api/v1/challenges/{challenge['id']}/story/submit", headers=bearer(sam)
            )
        ).json()
        featured = await client.post(
            f"/api/v1/admin/stories/{story['id']}/feature", headers=bearer(admin)
        )
        assert featured.status_code == 204, featured.text
        await client.delete(f"/api/v1/stories/{story['id']}", headers=bearer(sam))
    assert await _points(client, sam) == 100 + settings.feature_bonus_points


async def _kudos(client: Any, giver: Any, receiver: Any) -> Any:
    return await client.post(
        "/api/v1/kudos",
        json={"to": receiver.user_id, "message": "Thank you!"},
        headers=bearer(giver),
    )


async def test_kudos_are_one_per_colleague_a_day_and_their_points_are_capped(client, settings):
    admin = await signup(client)
    star = await add_member(client, admin, name="Star")
    friends = [await add_member(client, admin, name=f"Friend {n}") for n in range(4)]
    assert (await _kudos(client, friends[0], star)).status_code == 201
    again = await _kudos(client, friends[0], star)
    assert_problem(again, 409, detail_contains="already")
    for friend in friends[1:]:  # a ring of four: 4 times 5 points would be 20
        assert (await _kudos(client, friend, star)).status_code == 201
    cap = settings.kudos_received_points_per_day
    assert settings.kudos_points * len(friends) > cap
    assert await _points(client, star) == cap
    received = (
        await client.get(f"/api/v1/users/{star.user_id}/kudos", headers=bearer(star))
    ).json()
    assert len(received) == len(friends)  # every kudos still arrives, only the points stop


# -- a rejected share can be fixed -----------------------------------------------------------


async def _claim(client: Any, who: Any, challenge: dict[str, Any], url: str = POST_URL) -> Any:
    return await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": url},
        headers=bearer(who),
    )


async def _reject(client: Any, admin: Any, submission_id: str, note: str) -> None:
    resp = await client.post(
        f"/api/v1/admin/submissions/{submission_id}/reject",
        json={"note": note},
        headers=bearer(admin),
    )
    assert resp.status_code == 200, resp.text


async def test_a_rejected_share_can_be_sent_again_three_tries_in_all(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await create_challenge(client, admin, verification="review")
    ids = []
    for attempt in (1, 2, 3):
        claim = await _claim(client, sam, challenge)  # the same post again is allowed
        assert claim.status_code == 202, claim.text
        ids.append(claim.json()["id"])
        assert claim.json()["attempt"] == attempt
        await run_worker_burst()
        seen = (
            await client.get(f"/api/v1/challenges/{challenge['id']}", headers=bearer(sam))
        ).json()
        assert seen["myStatus"] == "pending"
        await _reject(client, admin, ids[-1], f"Paste the post's own link (try {attempt})")
        seen = (
            await client.get(f"/api/v1/challenges/{challenge['id']}", headers=bearer(sam))
        ).json()
        assert seen["myStatus"] == "rejected"
        assert seen["mySubmission"]["reviewNote"] == f"Paste the post's own link (try {attempt})"
        assert seen["mySubmission"]["triesLeft"] == 3 - attempt
    fourth = await _claim(client, sam, challenge)
    assert_problem(fourth, 409, detail_contains="last try")
    mine = (await client.get("/api/v1/me/submissions?limit=2", headers=bearer(sam))).json()
    assert [s["id"] for s in mine["items"]] == [ids[2], ids[1]]
    assert mine["items"][0]["challengeTitle"] == challenge["title"]
    rest = (
        await client.get(
            f"/api/v1/me/submissions?limit=2&cursor={mine['nextCursor']}", headers=bearer(sam)
        )
    ).json()
    assert [s["id"] for s in rest["items"]] == [ids[0]] and rest["nextCursor"] is None
    # an older try cannot be approved behind the newest one's back
    old = await client.post(
        f"/api/v1/admin/submissions/{ids[0]}/approve", json={}, headers=bearer(admin)
    )
    assert_problem(old, 409, detail_contains="newest try")
    assert await _points(client, sam) == 0


async def test_only_a_rejected_share_may_be_sent_again(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    challenge = await create_challenge(client, admin, verification="review")
    assert (await _claim(client, sam, challenge)).status_code == 202
    assert_problem(await _claim(client, sam, challenge), 409, detail_contains="already")
    await run_worker_burst()  # now waiting for review: still not a second claim
    assert_problem(await _claim(client, sam, challenge), 409, detail_contains="already")


async def test_my_submissions_are_mine_only_and_bad_pages_are_refused(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    other = await add_member(client, admin)
    challenge = await create_challenge(client, admin, verification="review")
    assert (await _claim(client, sam, challenge)).status_code == 202
    theirs = (await client.get("/api/v1/me/submissions", headers=bearer(other))).json()
    assert theirs == {"items": [], "nextCursor": None}
    stranger = await signup(client, org="Elsewhere")
    assert (await client.get("/api/v1/me/submissions", headers=bearer(stranger))).json()[
        "items"
    ] == []
    assert (await client.get("/api/v1/me/submissions")).status_code == 401
    for query in ("limit=0", "limit=101", "limit=x"):
        assert_problem(
            await client.get(f"/api/v1/me/submissions?{query}", headers=bearer(sam)), 400
        )
    assert_problem(
        await client.get("/api/v1/me/submissions?cursor=nonsense!", headers=bearer(sam)), 422
    )
