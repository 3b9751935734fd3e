"""Engagement re-reads and engagement analytics: verified posts are re-read after 24 hours and
7 days for their public reaction and comment counts, through the real worker (burst mode),
PostgreSQL and Redis, against the local fake of the social networks (tests/fakes.py). The
clock is "moved" by ageing the decision in the database, which is the re-reads' schedule."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

import pytest

from backend.db import fetch
from backend.submissions.engagement import parse_counts
from tests.fakes import Answer, linkedin_page
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    create_team,
    run_worker_burst,
    signup,
)
from tests.test_submissions import POST_PATH, POST_URL, X_POST

RANGE = ""  # the last 30 days: everything here happens today


def _path(n: int) -> str:
    return POST_PATH.replace("0001-AbCd", f"{n:04d}-AbCd")


async def _share(
    client: Any,
    network: Any,
    person: Any,
    challenge: dict[str, Any],
    n: int,
    reactions: int | None = None,
    comments: int | None = None,
) -> str:
    """`person` posts with their tracked link on LinkedIn (showing these counts) and claims it."""
    link = (
        await client.post(
            f"/api/v1/challenges/{challenge['id']}/share-links",
            json={"network": "linkedin"},
            headers=bearer(person),
        )
    ).json()
    network.linkedin_post(
        _path(n), linkedin_page(f"Proud of this {link['trackedUrl']}", reactions, comments)
    )
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": POST_URL.replace(POST_PATH, _path(n))},
        headers=bearer(person),
    )
    assert resp.status_code == 202, resp.text
    return str(resp.json()["id"])


async def _age(table: str, ident: str, hours: float) -> None:
    """Move the clock: the decision (an official post's registration) happened `hours` ago."""
    column = "decided_at" if table == "submission" else "created_at"
    await fetch(
        f"UPDATE {table} SET {column} = now() - make_interval(secs => $2) WHERE id = $1",
        UUID(ident),
        hours * 3600,
    )


async def _sweep(app: Any) -> str:
    """The worker's cron, then the real worker runs what it queued."""
    from workers.tasks import sweep_engagement

    outcome = await sweep_engagement({"redis": app.state.redis})
    await run_worker_burst()
    return outcome


async def _stored(submission_id: str) -> dict[str, Any]:
    rows = await fetch(
        "SELECT reactions, comments, engagement_stage, engagement_read_at, post_gone_at, "
        "status, points_awarded FROM submission WHERE id = $1",
        UUID(submission_id),
    )
    return dict(rows[0])


def test_the_counts_are_read_from_what_the_public_page_shows():
    assert parse_counts(linkedin_page("hi", 1234, 56)) == (1234, 56)
    assert parse_counts(linkedin_page("hi", 7)) == (7, None)
    assert parse_counts(linkedin_page("hi")) == (None, None)
    # text is never guessed at, only the data attributes count
    page = '<div class="social-counts" data-reactions="1.2K" data-num-comments="3"></div>'
    assert parse_counts(page) == (None, 3)
    assert parse_counts('<div class="other" data-reactions="9"></div>') == (None, None)


async def test_a_verified_share_is_re_read_at_24h_and_7d(app, client, network):
    admin = await signup(client)
    person = await add_member(client, admin, name="Priya")
    ch = await create_challenge(client, admin)
    sid = await _share(client, network, person, ch, 1, reactions=12, comments=3)
    await run_worker_burst()
    verified = await _stored(sid)
    assert verified["status"] == "verified"
    assert (verified["reactions"], verified["engagement_stage"]) == (None, None)
    # nothing is due before a day has passed
    assert await _sweep(app) == "queued 0 share and 0 official re-reads"
    await _age("submission", sid, 25)
    assert await _sweep(app) == "queued 1 share and 0 official re-reads"
    first = await _stored(sid)
    assert (first["reactions"], first["comments"], first["engagement_stage"]) == (12, 3, "24h")
    assert first["engagement_read_at"] is not None
    # done: the next sweep finds nothing due
    assert await _sweep(app) == "queued 0 share and 0 official re-reads"
    # a week later the post has more; the 7-day re-read updates it
    network.linkedin_post(_path(1), linkedin_page("Proud of this", 1_250, 40))
    await _age("submission", sid, 7 * 24 + 1)
    assert await _sweep(app) == "queued 1 share and 0 official re-reads"
    second = await _stored(sid)
    assert (second["reactions"], second["comments"], second["engagement_stage"]) == (
        1250,
        40,
        "7d",
    )
    assert second["engagement_read_at"] >= first["engagement_read_at"]
    assert await _sweep(app) == "queued 0 share and 0 official re-reads"
    # points are untouched by a re-read
    assert second["points_awarded"] == verified["points_awarded"]


async def test_a_re_read_run_twice_stores_the_same_and_never_goes_back(app, client, network):
    admin = await signup(client)
    person = await add_member(client, admin)
    ch = await create_challenge(client, admin)
    sid = await _share(client, network, person, ch, 1, reactions=5, comments=1)
    await run_worker_burst()
    pool = app.state.redis
    for job_id in ("again-1", "again-2"):
        await pool.enqueue_job("reread_engagement", sid, "7d", _job_id=job_id)
        await run_worker_burst()
        stored = await _stored(sid)
        assert (stored["reactions"], stored["comments"], stored["engagement_stage"]) == (
            5,
            1,
            "7d",
        )
    # a late 24 h re-read after the 7 d one stores nothing, even if the page changed
    network.linkedin_post(_path(1), linkedin_page("Proud", 999, 999))
    await pool.enqueue_job("reread_engagement", sid, "24h", _job_id="late-24h")
    await run_worker_burst()
    stored = await _stored(sid)
    assert (stored["reactions"], stored["engagement_stage"]) == (5, "7d")


async def test_a_vanished_post_is_marked_and_keeps_what_was_known(app, client, network):
    admin = await signup(client)
    person = await add_member(client, admin)
    ch = await create_challenge(client, admin)
    sid = await _share(client, network, person, ch, 1, reactions=8, comments=2)
    await run_worker_burst()
    await _age("submission", sid, 25)
    await _sweep(app)
    before = await _stored(sid)
    network.post_page(f"/linkedin{_path(1)}", Answer(status=404, body="gone"))
    await _age("submission", sid, 7 * 24 + 1)
    await _sweep(app)
    after = await _stored(sid)
    assert after["post_gone_at"] is not None
    assert (after["reactions"], after["comments"]) == (8, 2)  # what we knew stays
    assert after["engagement_read_at"] == before["engagement_read_at"]
    assert (after["status"], after["points_awarded"]) == ("verified", before["points_awarded"])
    # a gone post is not re-read again
    assert await _sweep(app) == "queued 0 share and 0 official re-reads"


async def test_x_posts_store_no_counts(app, client, network):
    admin = await signup(client)
    person = await add_member(client, admin)
    ch = await create_challenge(client, admin, networks=["x"])
    link = (
        await client.post(
            f"/api/v1/challenges/{ch['id']}/share-links",
            json={"network": "x"},
            headers=bearer(person),
        )
    ).json()
    network.x_post(X_POST, f'<blockquote>Go! <a href="{link["trackedUrl"]}">link</a></blockquote>')
    resp = await client.post(
        f"/api/v1/challenges/{ch['id']}/submissions",
        json={"network": "x", "postUrl": X_POST},
        headers=bearer(person),
    )
    sid = str(resp.json()["id"])
    await run_worker_burst()
    assert (await _stored(sid))["status"] == "verified"
    await _age("submission", sid, 25)
    assert await _sweep(app) == "queued 1 share and 0 official re-reads"
    stored = await _stored(sid)
    assert (stored["reactions"], stored["comments"], stored["engagement_stage"]) == (
        None,
        None,
        "24h",
    )
    assert stored["post_gone_at"] is None


async def test_the_sweep_makes_up_a_lost_re_read(app, client, network):
    admin = await signup(client)
    person = await add_member(client, admin)
    ch = await create_challenge(client, admin)
    sid = await _share(client, network, person, ch, 1, reactions=4, comments=4)
    await run_worker_burst()
    await _age("submission", sid, 25)
    from workers.tasks import sweep_engagement

    await sweep_engagement({"redis": app.state.redis})
    # the same sweep again queues nothing new: the re-read's id is taken
    queued = await app.state.redis.zrange("arq:queue", 0, -1)
    assert queued == [f"engagement:{sid}:24h".encode()]
    await sweep_engagement({"redis": app.state.redis})
    assert await app.state.redis.zrange("arq:queue", 0, -1) == queued
    # Redis loses the job (restarted empty): the next sweep queues it again, and it runs
    await app.state.redis.flushdb()
    assert (await _stored(sid))["engagement_stage"] is None
    await _sweep(app)
    assert (await _stored(sid))["reactions"] == 4


# -- analytics ----------------------------------------------------------------------------------


async def _official(client: Any, admin: Any, n: int, network: Any, reactions: int, comments: int):
    path = f"/posts/acme_official-activity-{n}-XyZ"
    network.linkedin_post(path, linkedin_page("Our launch", reactions, comments))
    resp = await client.post(
        "/api/v1/admin/official-links",
        json={
            "label": f"Official {n}",
            "url": f"https://www.linkedin.com{path}",
            "network": "linkedin",
        },
        headers=bearer(admin),
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def test_analytics_sum_engagement_and_compare_with_official_posts(app, client, network):
    admin = await signup(client, org="Acme")
    alpha = await create_team(client, admin, "Alpha")
    beta = await create_team(client, admin, "Beta")
    a1 = await add_member(client, admin, team_id=alpha["id"], name="A One")
    a2 = await add_member(client, admin, team_id=alpha["id"], name="A Two")
    b1 = await add_member(client, admin, team_id=beta["id"], name="B One")
    pillar = (
        await client.post(
            "/api/v1/admin/pillars",
            json={"title": "Customers", "message": "Their wins."},
            headers=bearer(admin),
        )
    ).json()
    launch = await create_challenge(client, admin, title="Launch", pillarId=pillar["id"])
    hiring = await create_challenge(client, admin, title="Hiring")
    shares = [
        await _share(client, network, a1, launch, 1, reactions=30, comments=10),  # 40
        await _share(client, network, b1, launch, 2, reactions=15, comments=5),  # 20
        await _share(client, network, a2, hiring, 3, reactions=6),  # 6 (no comment count)
    ]
    officials = [
        await _official(client, admin, 1, network, 8, 2),  # 10
        await _official(client, admin, 2, network, 4, 0),  # 4
    ]
    await run_worker_burst()
    for sid in shares:
        await _age("submission", sid, 25)
    for link in officials:
        await _age("official_link", link["id"], 25)
    assert await _sweep(app) == "queued 3 share and 2 official re-reads"

    resp = await client.get("/api/v1/admin/analytics/engagement", headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    body = resp.json()

    def m(verified: int, read: int, reactions: int, comments: int) -> dict[str, Any]:
        total = reactions + comments
        return {
            "sharesVerified": verified,
            "sharesRead": read,
            "reactions": reactions,
            "comments": comments,
            "engagement": total,
            "engagementPerShare": round(total / read, 2) if read else None,
        }

    assert body["totals"] == m(3, 3, 51, 15)
    assert body["byChallenge"] == [
        {"challengeId": launch["id"], "title": "Launch", **m(2, 2, 45, 15)},
        {"challengeId": hiring["id"], "title": "Hiring", **m(1, 1, 6, 0)},
    ]
    assert body["byPillar"] == [
        {"pillarId": pillar["id"], "title": "Customers", **m(2, 2, 45, 15)},
        {"pillarId": None, "title": "No pillar", **m(1, 1, 6, 0)},
    ]
    assert body["byTeam"] == [
        {"teamId": alpha["id"], "name": "Alpha", **m(2, 2, 36, 10)},
        {"teamId": beta["id"], "name": "Beta", **m(1, 1, 15, 5)},
    ]
    # by hand: employees 66 / 3 = 22.0 a post, official 14 / 2 = 7.0 a post: 22 / 7 = 3.14
    assert body["comparison"] == {
        "employeePostsRead": 3,
        "engagementPerEmployeePost": 22.0,
        "officialPostsRead": 2,
        "engagementPerOfficialPost": 7.0,
        "ratio": 3.14,
    }

    # the CSV export carries it, the amplification row still last
    resp = await client.get("/api/v1/admin/analytics/export.csv", headers=bearer(admin))
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.text)))
    header = rows.index(
        [
            "engagement_ratio",
            "employee_posts_read",
            "engagement_per_employee_post",
            "official_posts_read",
            "engagement_per_official_post",
            "ratio",
        ]
    )
    assert rows[header + 1] == ["", "3", "22.0", "2", "7.0", "3.14"]
    by_name = {(r[0], r[2]): r[3:] for r in rows if r and r[0].startswith("engagement_")}
    assert by_name[("engagement_challenge", "Launch")] == ["2", "2", "45", "15", "60", "30.0"]
    assert by_name[("engagement_team", "Beta")] == ["1", "1", "15", "5", "20", "20.0"]
    assert rows[-1][0] == "" and rows[-2][0] == "amplification"


async def test_the_ratio_is_null_without_official_counts(client):
    admin = await signup(client)
    body = (await client.get("/api/v1/admin/analytics/engagement", headers=bearer(admin))).json()
    assert body["totals"]["engagementPerShare"] is None
    assert body["comparison"] == {
        "employeePostsRead": 0,
        "engagementPerEmployeePost": None,
        "officialPostsRead": 0,
        "engagementPerOfficialPost": None,
        "ratio": None,
    }


@pytest.mark.parametrize(
    "query",
    [
        "from=yesterday",
        "to=2026-13-01",
        "from=2026-12-10&to=2026-12-01",
        "from=2024-01-01&to=2026-01-01",
        "from=" + "9" * 5000,
    ],
)
async def test_bad_dates_are_a_problem_detail(client, query):
    admin = await signup(client)
    resp = await client.get(f"/api/v1/admin/analytics/engagement?{query}", headers=bearer(admin))
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_only_admins_see_engagement(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    lead = await add_member(client, admin, role="lead")
    for who in (employee, lead):
        resp = await client.get("/api/v1/admin/analytics/engagement", headers=bearer(who))
        assert_problem(resp, 403)
    assert (await client.get("/api/v1/admin/analytics/engagement")).status_code == 401


async def test_another_organizations_engagement_stays_its_own(app, client, network):
    admin = await signup(client, org="Acme")
    person = await add_member(client, admin)
    ch = await create_challenge(client, admin)
    sid = await _share(client, network, person, ch, 1, reactions=9, comments=1)
    await run_worker_burst()
    await _age("submission", sid, 25)
    await _sweep(app)
    other = await signup(client, org="Globex")
    body = (await client.get("/api/v1/admin/analytics/engagement", headers=bearer(other))).json()
    assert body["totals"]["sharesVerified"] == 0 and body["byChallenge"] == []
    mine = (await client.get("/api/v1/admin/analytics/engagement", headers=bearer(admin))).json()
    assert mine["totals"]["engagement"] == 10
