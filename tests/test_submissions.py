"""Share submissions through the real API, the real arq worker, PostgreSQL and Redis, against a
local fake of the social networks."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec
import pytest

from backend import events
from backend.core import clock
from backend.points.service import level_for
from backend.points.tables import PointsLedger
from backend.sharing.bots import classify_agent
from backend.sharing.clicks import drain
from backend.submissions.tables import Submission
from tests.fakes import Answer, linkedin_page
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    run_worker_burst,
    signup,
    visit,
)

POST_PATH = "/posts/priya-natarajan_launch-day-activity-7200000000000000001-AbCd"
POST_URL = f"https://www.linkedin.com{POST_PATH}"
X_POST = "https://x.com/priya/status/1790000000000000001"
BROWSERS = [f"Mozilla/5.0 (Phone {i}) AppleWebKit/537.36 Chrome/126.0 Mobile" for i in range(8)]


async def _setup(client, **challenge):
    admin = await signup(client)
    employee = await add_member(client, admin, name="Priya")
    ch = await create_challenge(client, admin, **challenge)
    link = (
        await client.post(
            f"/api/v1/challenges/{ch['id']}/share-links",
            json={"network": challenge.get("networks", ["linkedin"])[0]},
            headers=bearer(employee),
        )
    ).json()
    return admin, employee, ch, link


async def _submit(client, person, challenge, post_url=POST_URL, network="linkedin"):
    return await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": network, "postUrl": post_url},
        headers=bearer(person),
    )


async def _status(client, person, submission_id):
    return (await client.get(f"/api/v1/submissions/{submission_id}", headers=bearer(person))).json()


FIRST_SHARE_BADGE = 10  # the default "first-share" badge's bonus (see test_badges.py)


async def _ledger():
    """The share's own ledger rows (badge bonuses are test_badges.py's business)."""
    return (
        await PointsLedger.select(
            PointsLedger.delta, PointsLedger.reason, PointsLedger.idempotency_key
        )
        .where(PointsLedger.reason != "badge")
        .order_by(PointsLedger.id)
    )


async def _points(client, person):
    return (await client.get("/api/v1/me", headers=bearer(person))).json()["points"]


@pytest.fixture
def awarded():
    seen: list[events.PointsAwarded] = []

    async def collect(event: events.PointsAwarded) -> None:
        seen.append(event)

    events.on_points_awarded(collect)
    yield seen
    events.remove_subscriber(collect)


async def test_a_post_carrying_the_tracked_link_is_verified_and_paid_once(
    app, client, network, awarded
):
    _, employee, ch, link = await _setup(client)
    network.linkedin_post(POST_PATH, linkedin_page(f"We launched! {link['trackedUrl']} #launch"))
    resp = await _submit(client, employee, ch)
    assert resp.status_code == 202
    body = resp.json()
    assert body["status"] == "pending"
    assert resp.headers["location"] == f"/api/v1/submissions/{body['id']}"
    await run_worker_burst()
    done = await _status(client, employee, body["id"])
    assert (done["status"], done["pointsAwarded"]) == ("verified", 50)
    # the job again (a retry, a second worker): nothing more is paid
    await app.state.redis.enqueue_job("verify_submission", body["id"], _job_id="run-again")
    await run_worker_burst()
    assert await _ledger() == [
        {"delta": 50, "reason": "share_verified", "idempotency_key": f"share:{body['id']}"}
    ]
    assert [(e.delta, e.reason) for e in awarded if e.reason != "badge"] == [(50, "share_verified")]
    assert await _points(client, employee) == 50 + FIRST_SHARE_BADGE
    card = (await client.get(f"/api/v1/challenges/{ch['id']}", headers=bearer(employee))).json()
    assert card["myStatus"] == "verified"


async def test_racing_verifications_award_once(client, network, settings, awarded):
    from backend.fetch.client import SafeFetcher
    from backend.submissions.verification import verify

    _, employee, ch, link = await _setup(client)
    network.linkedin_post(POST_PATH, linkedin_page(link["trackedUrl"]))
    submission = (await _submit(client, employee, ch)).json()
    fetcher = SafeFetcher(allow_hosts=settings.fetch_allow_list)
    try:
        results = await asyncio.gather(
            *[
                verify(
                    UUID(submission["id"]),
                    fetcher=fetcher,
                    settings=settings,
                    attempt=1,
                )
                for _ in range(5)
            ]
        )
    finally:
        await fetcher.aclose()
    assert results.count("verified") == 1
    assert len(await _ledger()) == 1
    assert len([e for e in awarded if e.reason == "share_verified"]) == 1


async def test_fifty_concurrent_identical_submissions_make_one(client, network):
    _, employee, ch, _ = await _setup(client)
    responses = await asyncio.gather(*[_submit(client, employee, ch) for _ in range(50)])
    codes = [r.status_code for r in responses]
    assert codes.count(202) == 1
    assert codes.count(409) == 49
    assert await Submission.count() == 1


async def test_a_post_can_be_claimed_once_whatever_its_form(client):
    admin = await signup(client)
    ch = await create_challenge(client, admin, networks=["x"], shareText={"x": "Go"})
    first, second = await add_member(client, admin), await add_member(client, admin)
    assert (await _submit(client, first, ch, X_POST, "x")).status_code == 202
    same_post = "https://twitter.com/PRIYA/status/1790000000000000001?s=20"
    resp = await _submit(client, second, ch, same_post, "x")
    assert_problem(resp, 409, detail_contains="already been claimed")
    again = await _submit(client, first, ch, "https://x.com/priya/status/42", "x")
    assert_problem(again, 409, detail_contains="already submitted")


@pytest.mark.parametrize(
    ("network", "url"),
    [
        ("linkedin", "https://www.linkedin.com/in/priya-natarajan/"),
        ("linkedin", "https://www.linkedln.com/posts/x-activity-1-a"),
        ("linkedin", "https://example.com/posts/abc"),
        ("x", "https://x.com/priya"),
        ("x", "https://x.com/priya/status/not-a-number"),
        ("facebook", "https://www.facebook.com/priya"),
        ("linkedin", "javascript:alert(1)"),
        ("linkedin", "https://user:pw@www.linkedin.com/posts/a-activity-1-b"),
    ],
)
async def test_urls_that_are_not_posts_on_the_network_are_422(client, network, url):
    admin = await signup(client)
    ch = await create_challenge(
        client, admin, networks=["linkedin", "x", "facebook"], shareText={"x": "Go"}
    )
    resp = await _submit(client, admin, ch, url, network)
    assert_problem(resp, 422)
    assert await Submission.count() == 0


async def test_submissions_follow_the_challenge_rules(client, monkeypatch):
    admin = await signup(client)
    employee = await add_member(client, admin)
    ch = await create_challenge(client, admin)
    facebook_post = "https://www.facebook.com/priya/posts/123"
    not_offered = await _submit(client, employee, ch, facebook_post, "facebook")
    assert_problem(not_offered, 422, detail_contains="linkedin, x")
    missing = await client.post(
        f"/api/v1/challenges/{ch['id']}/submissions",
        json={"network": "linkedin"},
        headers=bearer(employee),
    )
    assert assert_problem(missing, 422, detail_contains="link")["errors"][0]["field"] == "postUrl"
    draft = await create_challenge(client, admin, publish=False, title="Draft")
    assert_problem(await _submit(client, employee, draft), 404)
    other = await signup(client, org="Other")
    assert_problem(await _submit(client, other, ch), 404)
    later = datetime.now(UTC) + timedelta(days=8)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert_problem(await _submit(client, employee, ch), 403, detail_contains="ended")
    assert await Submission.count() == 0


async def test_only_the_owner_and_admins_see_a_submission(client):
    admin, employee, ch, _ = await _setup(client)
    submission = (await _submit(client, employee, ch)).json()
    path = f"/api/v1/submissions/{submission['id']}"
    colleague = await add_member(client, admin)
    assert_problem(await client.get(path, headers=bearer(colleague)), 404)
    assert (await client.get(path, headers=bearer(admin))).status_code == 200
    other = await signup(client, org="Other")
    assert_problem(await client.get(path, headers=bearer(other)), 404)


@pytest.mark.parametrize(
    ("answer", "status", "reason_words"),
    [
        (Answer(status=404, body="gone"), "rejected", "could not be found"),
        (
            Answer(body=linkedin_page("A nice post without anything of ours")),
            "needs_review",
            "could not confirm",
        ),
        (Answer(delay=3, body="too late"), "needs_review", "could not confirm"),
        (
            Answer(status=302, location="http://169.254.169.254/latest/meta-data/"),
            "needs_review",
            "could not confirm",
        ),
        (Answer(status=403, body="private"), "needs_review", "could not confirm"),
    ],
)
async def test_every_failure_ends_in_a_stated_terminal_status(
    client, network, answer, status, reason_words
):
    _, employee, ch, _ = await _setup(client)
    network.post_page(f"/linkedin{POST_PATH}", answer)
    submission = (await _submit(client, employee, ch)).json()
    await run_worker_burst()
    done = await _status(client, employee, submission["id"])
    assert done["status"] == status
    assert reason_words in done["reason"].lower()
    assert await _ledger() == []


async def test_slow_posts_are_retried_a_bounded_number_of_times(client, network, settings):
    _, employee, ch, _ = await _setup(client)
    network.post_page(f"/linkedin{POST_PATH}", Answer(delay=3, body="late"))
    submission = (await _submit(client, employee, ch)).json()
    await run_worker_burst()
    assert network.hits[f"/linkedin{POST_PATH}"] == settings.verify_max_tries
    row = await Submission.select(Submission.status, Submission.evidence).first()
    assert row["status"] == "needs_review"
    assert "gave up after 3 tries" in str(row["evidence"])
    assert submission["id"]


async def test_a_flaky_network_is_retried_until_it_answers(client, network):
    _, employee, ch, link = await _setup(client)
    network.post_page(
        f"/linkedin{POST_PATH}", Answer(body=linkedin_page(link["trackedUrl"]), fail_first=1)
    )
    submission = (await _submit(client, employee, ch)).json()
    await run_worker_burst()
    assert (await _status(client, employee, submission["id"]))["status"] == "verified"
    assert network.hits[f"/linkedin{POST_PATH}"] == 2


async def test_a_post_without_the_link_goes_to_review_even_when_linkedins_bot_came_by(
    app, client, network
):
    """Only the tracked link in the post pays by itself; the bot's visit (from LinkedIn's
    address ranges) is shown to the reviewer as evidence."""
    _, employee, ch, link = await _setup(client)
    network.linkedin_post(POST_PATH, linkedin_page("Proud of the launch #launch"))
    bot = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"
    await client.get(f"/s/{link['code']}", headers={"User-Agent": bot})
    await app.state.redirector.recorder.flush()
    await drain(app.state.redis)
    submission = (await _submit(client, employee, ch)).json()
    await run_worker_burst()
    decided = await _status(client, employee, submission["id"])
    assert (decided["status"], decided["pointsAwarded"]) == ("needs_review", 0)
    row = await Submission.select(Submission.evidence).first()
    log = (
        msgspec.json.decode(row["evidence"])
        if isinstance(row["evidence"], str)
        else row["evidence"]
    )
    assert [e["found"] for e in log if e["source"] == "preview_bot"] == [True]
    assert [e["found"] for e in log if e["source"] == "post"] == [False]


async def test_x_posts_are_read_through_oembed(client, network):
    admin = await signup(client)
    employee = await add_member(client, admin)
    ch = await create_challenge(client, admin, networks=["x"], shareText={"x": "Go!"})
    link = (
        await client.post(
            f"/api/v1/challenges/{ch['id']}/share-links",
            json={"network": "x"},
            headers=bearer(employee),
        )
    ).json()
    network.x_post(X_POST, f'<blockquote>Go! <a href="{link["trackedUrl"]}">link</a></blockquote>')
    submission = (await _submit(client, employee, ch, X_POST, "x")).json()
    await run_worker_burst()
    assert (await _status(client, employee, submission["id"]))["status"] == "verified"


async def test_trust_pays_a_share_of_the_points_at_once(client, settings):
    _, employee, ch, _ = await _setup(client, verification="trust", points=50)
    submission = (await _submit(client, employee, ch)).json()
    await run_worker_burst()
    done = await _status(client, employee, submission["id"])
    assert (done["status"], done["pointsAwarded"]) == (
        "verified",
        50 * settings.trust_points_percent // 100,
    )


async def test_review_waits_for_an_admin_who_approves_or_rejects(client):
    admin, employee, ch, _ = await _setup(client, verification="review")
    colleague = await add_member(client, admin)
    first = (await _submit(client, employee, ch)).json()
    second = (
        await _submit(
            client, colleague, ch, "https://www.linkedin.com/feed/update/urn:li:activity:99"
        )
    ).json()
    await run_worker_burst()
    queue = (await client.get("/api/v1/admin/submissions", headers=bearer(admin))).json()
    assert [item["id"] for item in queue["items"]] == [first["id"], second["id"]]
    assert queue["items"][0]["displayName"] == "Priya"
    assert {e["source"] for e in queue["items"][0]["evidence"]} >= {"preview_bot", "clicks"}
    approved = await client.post(
        f"/api/v1/admin/submissions/{first['id']}/approve",
        json={"note": "Lovely post"},
        headers=bearer(admin),
    )
    assert (approved.json()["status"], approved.json()["pointsAwarded"]) == ("verified", 50)
    rejected = await client.post(
        f"/api/v1/admin/submissions/{second['id']}/reject",
        json={"note": "Not about us"},
        headers=bearer(admin),
    )
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "Not about us")
    assert_problem(
        await client.post(
            f"/api/v1/admin/submissions/{first['id']}/reject", json={}, headers=bearer(admin)
        ),
        409,
        detail_contains="revoke",
    )
    assert await _points(client, employee) == 50 + FIRST_SHARE_BADGE
    assert await _points(client, colleague) == 0
    assert (await client.get("/api/v1/admin/submissions", headers=bearer(admin))).json()[
        "items"
    ] == []


async def test_review_endpoints_guard_roles_and_organizations(client):
    admin, employee, ch, _ = await _setup(client, verification="review")
    submission = (await _submit(client, employee, ch)).json()
    lead = await add_member(client, admin, role="lead")
    for caller in (employee, lead):
        assert_problem(await client.get("/api/v1/admin/submissions", headers=bearer(caller)), 403)
        for action in ("approve", "reject", "revoke"):
            resp = await client.post(
                f"/api/v1/admin/submissions/{submission['id']}/{action}",
                json={},
                headers=bearer(caller),
            )
            assert_problem(resp, 403)
    other = await signup(client, org="Other")
    for action in ("approve", "reject", "revoke"):
        resp = await client.post(
            f"/api/v1/admin/submissions/{submission['id']}/{action}",
            json={},
            headers=bearer(other),
        )
        assert_problem(resp, 404)
    assert (await client.get("/api/v1/admin/submissions", headers=bearer(other))).json()[
        "items"
    ] == []
    bad = await client.get(
        "/api/v1/admin/submissions", params={"status": "whatever"}, headers=bearer(admin)
    )
    assert bad.status_code == 400
    assert await _ledger() == []


_READERS: dict[str, str] = {}  # a reader's browser → the address they read from


async def _click(app, client, code, agents):
    """Each browser is another reader at an address of its own; bots fetch from loopback (the
    networks' address ranges in the tests' settings)."""
    for agent in agents:
        address = (
            "127.0.0.1"
            if classify_agent(agent)
            else _READERS.setdefault(agent, f"198.51.100.{10 + len(_READERS)}")
        )
        await visit(app, f"/s/{code}", address, {"User-Agent": agent})
    await app.state.redirector.recorder.flush()
    await drain(app.state.redis)


async def test_clicks_policy_verifies_on_the_first_unique_click(app, client):
    _, employee, ch, link = await _setup(client, verification="clicks")
    submission = (await _submit(client, employee, ch)).json()
    await run_worker_burst()
    assert (await _status(client, employee, submission["id"]))["status"] == "pending"
    await _click(app, client, link["code"], ["Twitterbot/1.0"])  # a bot is no reader
    assert (await _status(client, employee, submission["id"]))["status"] == "pending"
    await _click(app, client, link["code"], BROWSERS[:1])
    assert (await _status(client, employee, submission["id"]))["status"] == "verified"


async def test_click_points_are_paid_once_each_up_to_the_cap_and_revocation_compensates(
    app, client, network
):
    admin, employee, ch, link = await _setup(client, clickPoints=2, clickPointsCap=6)
    network.linkedin_post(POST_PATH, linkedin_page(link["trackedUrl"]))
    await _click(app, client, link["code"], BROWSERS[:2])  # before the share is verified
    submission = (await _submit(client, employee, ch)).json()
    await run_worker_burst()
    assert await _points(client, employee) == 50 + 2 * 2 + FIRST_SHARE_BADGE
    await _click(app, client, link["code"], [BROWSERS[0], "LinkedInBot/1.0", *BROWSERS[2:6]])
    ledger = await _ledger()
    assert [row["reason"] for row in ledger].count("click") == 3  # capped at 6 points
    assert await _points(client, employee) == 56 + FIRST_SHARE_BADGE
    await drain(app.state.redis)  # ingesting nothing new pays nothing new
    assert len(await _ledger()) == len(ledger)
    revoked = await client.post(
        f"/api/v1/admin/submissions/{submission['id']}/revoke",
        json={"note": "Deleted post"},
        headers=bearer(admin),
    )
    assert revoked.json()["status"] == "revoked"
    assert await _points(client, employee) == FIRST_SHARE_BADGE  # a badge, once earned, stays
    again = await client.post(
        f"/api/v1/admin/submissions/{submission['id']}/revoke", json={}, headers=bearer(admin)
    )
    assert again.status_code == 200  # asking twice is harmless
    await _click(app, client, link["code"], BROWSERS[6:])
    rows = await _ledger()
    assert [r["delta"] for r in rows if r["reason"] == "revoked"] == [-56]
    assert sum(r["delta"] for r in rows) == 0
    card = (await client.get(f"/api/v1/challenges/{ch['id']}", headers=bearer(employee))).json()
    assert card["myStatus"] == "rejected"


async def test_the_ledger_refuses_updates(client):
    _, employee, ch, _ = await _setup(client, verification="trust")
    await _submit(client, employee, ch)
    await run_worker_burst()
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await PointsLedger.raw("UPDATE points_ledger SET delta = 1000")


def test_levels_follow_the_thresholds():
    thresholds = [0, 100, 250, 500]
    assert level_for(0, thresholds) == (1, 100)
    assert level_for(99, thresholds) == (1, 100)
    assert level_for(100, thresholds) == (2, 250)
    assert level_for(499, thresholds) == (3, 500)
    assert level_for(500, thresholds) == (4, None)
    assert level_for(-5, thresholds) == (1, 100)


async def test_the_sweep_requeues_lost_verifications_and_closes_unclicked_claims(
    app, client, network, monkeypatch
):
    _, employee, ch, link = await _setup(client)
    network.linkedin_post(POST_PATH, linkedin_page(link["trackedUrl"]))
    submission = (await _submit(client, employee, ch)).json()
    await app.state.redis.flushdb()  # Redis restarted empty: the queued job is gone
    await Submission.raw("UPDATE submission SET updated_at = now() - interval '1 hour'")
    admin2 = await signup(client, org="Clicks Org")
    clicky = await create_challenge(
        client,
        admin2,
        verification="clicks",
        endsAt=(datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    )
    waiting = (await _submit(client, admin2, clicky, "https://x.com/a/status/5", "x")).json()
    await Submission.raw(
        "UPDATE challenge SET ends_at = now() - interval '2 days', "
        "starts_at = now() - interval '3 days' WHERE id = {}",
        UUID(clicky["id"]),
    )
    await app.state.redis.enqueue_job("sweep_submissions", _job_id="sweep-now")
    await run_worker_burst()  # the sweep re-queues; the same burst runs the verification
    assert (await _status(client, employee, submission["id"]))["status"] == "verified"
    closed = await _status(client, admin2, waiting["id"])
    assert closed["status"] == "needs_review"
    assert "no click" in closed["reason"].lower()
