"""The admin console at company scale, through the real API: people and challenge search with
keyset pages, the team editor, bulk review, the admin's home counts and preview retries."""

import asyncio
from uuid import UUID, uuid4

import pytest

from backend.orgs.tables import TeamLead
from backend.points.tables import PointsLedger
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    create_team,
    run_worker_burst,
    signup,
)


async def _people(client, admin, **params):
    resp = await client.get("/api/v1/admin/users", params=params, headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _every_page(client, path, account, **params):
    seen, cursor, pages = [], None, 0
    while True:
        query = params | ({"cursor": cursor} if cursor else {})
        resp = await client.get(path, params=query, headers=bearer(account))
        assert resp.status_code == 200, resp.text
        body = resp.json()
        seen += body["items"]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            return seen, pages


# -- people ------------------------------------------------------------------------------


async def test_people_are_found_by_any_part_of_their_name_or_email_in_any_case(client):
    admin = await signup(client, name="Ann Admin")
    team = await create_team(client, admin, "Marketing")
    priya = await add_member(client, admin, name="Priya Natarajan", team_id=team["id"])
    await add_member(client, admin, name="Sam Smith")
    found = await _people(client, admin, query="NATARAJ")
    assert [p["id"] for p in found["items"]] == [priya.user_id]
    row = found["items"][0]
    assert row["displayName"] == "Priya Natarajan"
    assert row["teamId"] == team["id"] and row["teamName"] == "Marketing"
    assert row["role"] == "employee" and row["active"] is True
    assert row["points"] == 0 and "lastSignInAt" in row and "createdAt" in row
    by_email = await _people(client, admin, query=priya.email.split("@")[0].upper())
    assert [p["id"] for p in by_email["items"]] == [priya.user_id]
    # LIKE's own wildcards are taken literally
    assert (await _people(client, admin, query="%"))["items"] == []
    assert (await _people(client, admin, query="_"))["items"] == []


async def test_people_filters_combine(client):
    admin = await signup(client)
    team = await create_team(client, admin, "Sales")
    lead = await add_member(client, admin, role="lead", team_id=team["id"], name="Lena Lead")
    member = await add_member(client, admin, team_id=team["id"], name="Mo Member")
    gone = await add_member(client, admin, name="Gus Gone")
    resp = await client.put(
        f"/api/v1/admin/users/{gone.user_id}", json={"active": False}, headers=bearer(admin)
    )
    assert resp.status_code == 200
    assert resp.json()["active"] is False and resp.json()["teamName"] is None

    def ids(body):
        return {p["id"] for p in body["items"]}

    assert ids(await _people(client, admin, teamId=team["id"])) == {lead.user_id, member.user_id}
    assert ids(await _people(client, admin, role="lead")) == {lead.user_id}
    assert ids(await _people(client, admin, active="false")) == {gone.user_id}
    assert ids(await _people(client, admin, teamId=team["id"], role="employee")) == {member.user_id}


async def test_people_page_by_name_over_many_pages_without_gaps_or_repeats(client):
    admin = await signup(client, name="zz Admin")
    names = [f"Person {i:02d}" for i in range(11)]
    for name in reversed(names):
        await add_member(client, admin, name=name)
    seen, pages = await _every_page(client, "/api/v1/admin/users", admin, limit=3, query="person")
    assert [p["displayName"] for p in seen] == names
    assert pages == 4


async def test_people_search_rejects_bad_parameters(client):
    admin = await signup(client)
    for params in (
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"role": "king"},
        {"teamId": "not-a-uuid"},
        {"active": "maybe"},
        {"query": "x" * 201},
        {"cursor": "!!!"},
    ):
        resp = await client.get("/api/v1/admin/users", params=params, headers=bearer(admin))
        assert 400 <= resp.status_code < 500, (params, resp.status_code)
        assert resp.headers["content-type"].startswith("application/problem+json")


async def test_people_search_is_for_admins_of_that_organization_only(client):
    admin = await signup(client)
    lead = await add_member(client, admin, role="lead")
    employee = await add_member(client, admin)
    assert (await client.get("/api/v1/admin/users")).status_code == 401
    for who in (lead, employee):
        assert_problem(await client.get("/api/v1/admin/users", headers=bearer(who)), 403)
    other = await signup(client, org="Other", name="Olga Other")
    found = await _people(client, other, query="Sam")
    assert found["items"] == []  # nobody of Acme


# -- challenges --------------------------------------------------------------------------


async def test_challenges_are_searched_filtered_and_paged_with_their_counts(client):
    admin = await signup(client)
    for i in range(7):
        await create_challenge(client, admin, title=f"Launch week {i}")
    draft = await create_challenge(client, admin, publish=False, title="Quiet DRAFT")
    story = await create_challenge(
        client, admin, kind="story", title="Tell a story", verification="review"
    )
    found, _ = await _every_page(client, "/api/v1/admin/challenges", admin, query="draft")
    assert [c["id"] for c in found] == [draft["id"]]
    assert found[0]["status"] == "draft"
    assert found[0]["submissionCounts"] == {
        "total": 0,
        "pending": 0,
        "needsReview": 0,
        "verified": 0,
        "rejected": 0,
    }
    assert found[0]["previewStatus"] in ("pending", "ok", "failed")
    active, pages = await _every_page(
        client, "/api/v1/admin/challenges", admin, status="active", limit=2
    )
    assert len(active) == 8 and pages == 4
    assert draft["id"] not in {c["id"] for c in active}
    by_id = {c["id"]: c for c in active}
    assert by_id[story["id"]]["previewStatus"] == "none"
    for params in ({"status": "open"}, {"query": "q" * 201}, {"limit": 0}):
        resp = await client.get("/api/v1/admin/challenges", params=params, headers=bearer(admin))
        assert 400 <= resp.status_code < 500, params


async def test_an_admin_can_ask_for_a_preview_again(client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    path = f"/api/v1/admin/challenges/{challenge['id']}/preview"
    resp = await client.post(path, headers=bearer(admin))
    assert resp.status_code == 202, resp.text
    assert resp.json()["previewStatus"] == "pending"
    employee = await add_member(client, admin)
    assert_problem(await client.post(path, headers=bearer(employee)), 403)
    other = await signup(client, org="Other")
    assert_problem(await client.post(path, headers=bearer(other)), 404)
    assert (await client.post(path)).status_code == 401
    story = await create_challenge(client, admin, kind="story", verification="review")
    assert_problem(
        await client.post(f"/api/v1/admin/challenges/{story['id']}/preview", headers=bearer(admin)),
        409,
    )


# -- teams -------------------------------------------------------------------------------


async def test_an_admin_renames_a_team_and_makes_an_employee_its_lead_who_stays_signed_in(
    client,
):
    admin = await signup(client)
    team = await create_team(client, admin, "Sales")
    priya = await add_member(client, admin, name="Priya")
    before = await client.get(f"/api/v1/teams/{team['id']}/dashboard", headers=bearer(priya))
    assert before.status_code == 403
    resp = await client.put(
        f"/api/v1/admin/teams/{team['id']}",
        json={"name": "Field Sales", "leadUserIds": [priya.user_id]},
        headers=bearer(admin),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["name"] == "Field Sales"
    assert resp.json()["leadUserIds"] == [priya.user_id]
    # the same token, at once: the new role is worn without signing in again
    me = await client.get("/api/v1/me", headers=bearer(priya))
    assert me.status_code == 200
    assert me.json()["role"] == "lead"
    dashboard = await client.get(f"/api/v1/teams/{team['id']}/dashboard", headers=bearer(priya))
    assert dashboard.status_code == 200, dashboard.text
    # replacing the leads: the former lead leads nothing and is an employee again
    sam = await add_member(client, admin, name="Sam")
    resp = await client.put(
        f"/api/v1/admin/teams/{team['id']}",
        json={"leadUserIds": [sam.user_id]},
        headers=bearer(admin),
    )
    assert resp.json()["leadUserIds"] == [sam.user_id]
    assert (await client.get("/api/v1/me", headers=bearer(priya))).json()["role"] == "employee"
    assert (await client.get("/api/v1/me", headers=bearer(sam))).json()["role"] == "lead"
    # an admin made a lead keeps their role
    resp = await client.put(
        f"/api/v1/admin/teams/{team['id']}",
        json={"leadUserIds": [admin.user_id]},
        headers=bearer(admin),
    )
    assert (await client.get("/api/v1/me", headers=bearer(admin))).json()["role"] == "admin"


async def test_team_updates_refuse_what_they_cannot_do(client):
    admin = await signup(client)
    team = await create_team(client, admin, "Sales")
    await create_team(client, admin, "Ops")
    path = f"/api/v1/admin/teams/{team['id']}"
    gone = await add_member(client, admin)
    await client.put(
        f"/api/v1/admin/users/{gone.user_id}", json={"active": False}, headers=bearer(admin)
    )
    other = await signup(client, org="Other")
    cases = [
        ({"name": 5}, 400),
        ({"name": ""}, 400),
        ({"name": "x" * 81}, 400),
        ({"leadUserIds": "nope"}, 400),
        ({"leadUserIds": [str(uuid4())] * 51}, 400),
        ({"colour": "red"}, 400),
        ({"name": "Ops"}, 409),
        ({"leadUserIds": [str(uuid4())]}, 404),
        ({"leadUserIds": [other.user_id]}, 404),
        ({"leadUserIds": [gone.user_id]}, 422),
    ]
    for body, status in cases:
        resp = await client.put(path, json=body, headers=bearer(admin))
        assert resp.status_code == status, (body, resp.status_code, resp.text)
    deactivated = await client.put(
        path, json={"leadUserIds": [gone.user_id]}, headers=bearer(admin)
    )
    assert deactivated.json()["errors"][0]["field"] == "leadUserIds[0]"
    assert_problem(
        await client.put(
            f"/api/v1/admin/teams/{team['id']}", json={"name": "X"}, headers=bearer(other)
        ),
        404,
    )
    employee = await add_member(client, admin)
    lead = await add_member(client, admin, role="lead", team_id=team["id"])
    for who in (employee, lead):
        assert_problem(await client.put(path, json={"name": "Y"}, headers=bearer(who)), 403)
        assert_problem(await client.delete(path, headers=bearer(who)), 403)
    assert (await client.put(path, json={"name": "Y"})).status_code == 401
    assert (await client.delete(path)).status_code == 401
    assert_problem(await client.delete(path, headers=bearer(other)), 404)


async def test_deleting_a_team_keeps_its_points_and_takes_it_off_the_team_boards(client):
    from tests.helpers import ledger_award

    admin = await signup(client)
    team = await create_team(client, admin, "Sales")
    keep = await create_team(client, admin, "Ops")
    lead = await add_member(client, admin, name="Lena")
    await client.put(
        f"/api/v1/admin/teams/{team['id']}",
        json={"leadUserIds": [lead.user_id]},
        headers=bearer(admin),
    )
    member = await add_member(client, admin, team_id=team["id"])
    ops = await add_member(client, admin, team_id=keep["id"])
    await ledger_award(admin.org_id, member.user_id, 30, team_id=team["id"])
    await ledger_award(admin.org_id, ops.user_id, 10, team_id=keep["id"])
    await run_worker_burst()
    boards = (
        await client.get("/api/v1/leaderboards/teams?period=all", headers=bearer(admin))
    ).json()
    assert {e["name"] for e in boards["entries"]} == {"Sales", "Ops"}
    resp = await client.delete(f"/api/v1/admin/teams/{team['id']}", headers=bearer(admin))
    assert resp.status_code == 204
    await run_worker_burst()
    for _ in range(20):  # a board read from memory is at most a second old
        boards = (
            await client.get("/api/v1/leaderboards/teams?period=all", headers=bearer(admin))
        ).json()
        if len(boards["entries"]) == 1:
            break
        await asyncio.sleep(0.2)
    assert [e["name"] for e in boards["entries"]] == ["Ops"]
    me = (await client.get("/api/v1/me", headers=bearer(member))).json()
    assert me["team"] is None and me["points"] == 30
    assert (await client.get("/api/v1/me", headers=bearer(lead))).json()["role"] == "employee"
    assert await TeamLead.count() == 0
    rows = await PointsLedger.select().where(PointsLedger.user == member.user_id)
    assert [r["delta"] for r in rows] == [30]
    users = (
        await client.get("/api/v1/leaderboards/users?period=all", headers=bearer(admin))
    ).json()
    assert {e["userId"]: e["points"] for e in users["entries"]}[member.user_id] == 30
    assert_problem(
        await client.delete(f"/api/v1/admin/teams/{team['id']}", headers=bearer(admin)), 404
    )


# -- bulk review -------------------------------------------------------------------------


async def _claims(client, admin, challenge, people):
    ids = []
    for i, person in enumerate(people):
        resp = await client.post(
            f"/api/v1/challenges/{challenge['id']}/submissions",
            json={
                "network": "linkedin",
                "postUrl": f"https://www.linkedin.com/feed/update/urn:li:activity:7{i:05d}",
            },
            headers=bearer(person),
        )
        assert resp.status_code == 202, resp.text
        ids.append(resp.json()["id"])
    await run_worker_burst()
    return ids


async def test_bulk_approval_pays_each_claim_exactly_once_and_moves_the_boards(client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin, verification="review", points=40)
    people = [await add_member(client, admin, name=f"P{i}") for i in range(5)]
    ids = await _claims(client, admin, challenge, people)
    stranger = str(uuid4())
    resp = await client.post(
        "/api/v1/admin/submissions/bulk",
        json={"ids": [*ids[:3], ids[0], stranger], "action": "approve", "note": "Great"},
        headers=bearer(admin),
    )
    assert resp.status_code == 200, resp.text
    results = resp.json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        (ids[0], "approved"),
        (ids[1], "approved"),
        (ids[2], "approved"),
        (stranger, "not_found"),
    ]
    again = await client.post(
        "/api/v1/admin/submissions/bulk",
        json={"ids": ids, "action": "approve"},
        headers=bearer(admin),
    )
    assert [r["status"] for r in again.json()["results"]] == [
        "skipped",
        "skipped",
        "skipped",
        "approved",
        "approved",
    ]
    rejected = await client.post(
        "/api/v1/admin/submissions/bulk",
        json={"ids": ids[:1], "action": "reject"},
        headers=bearer(admin),
    )
    only = rejected.json()["results"][0]
    assert only["status"] == "skipped" and "revoke" in only["detail"]
    rows = await PointsLedger.select(PointsLedger.submission, PointsLedger.delta).where(
        PointsLedger.reason == "share_verified"
    )
    assert sorted(str(r["submission"]) for r in rows) == sorted(ids)
    assert {r["delta"] for r in rows} == {40}
    await run_worker_burst()
    board = (
        await client.get("/api/v1/leaderboards/users?period=all&limit=20", headers=bearer(admin))
    ).json()
    points = {e["userId"]: e["points"] for e in board["entries"]}
    for person in people:
        me = (await client.get("/api/v1/me", headers=bearer(person))).json()
        assert points[person.user_id] == me["points"] >= 40


async def test_bulk_rejection_keeps_the_note_and_pays_nothing(client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin, verification="review")
    people = [await add_member(client, admin) for _ in range(2)]
    ids = await _claims(client, admin, challenge, people)
    resp = await client.post(
        "/api/v1/admin/submissions/bulk",
        json={"ids": ids, "action": "reject", "note": "Not about us"},
        headers=bearer(admin),
    )
    assert [r["status"] for r in resp.json()["results"]] == ["rejected", "rejected"]
    mine = (await client.get(f"/api/v1/submissions/{ids[0]}", headers=bearer(people[0]))).json()
    assert mine["status"] == "rejected" and mine["reviewNote"] == "Not about us"
    assert await PointsLedger.count().where(PointsLedger.reason == "share_verified") == 0


async def test_bulk_review_refuses_bad_bodies_roles_and_other_organizations(client):
    admin = await signup(client)
    challenge = await create_challenge(client, admin, verification="review")
    person = await add_member(client, admin)
    (claim,) = await _claims(client, admin, challenge, [person])
    for body in (
        {},
        {"ids": [], "action": "approve"},
        {"ids": [str(uuid4())] * 101, "action": "approve"},
        {"ids": ["nope"], "action": "approve"},
        {"ids": [claim], "action": "delete"},
        {"ids": [claim], "action": "approve", "note": "n" * 501},
        {"ids": claim, "action": "approve"},
    ):
        resp = await client.post("/api/v1/admin/submissions/bulk", json=body, headers=bearer(admin))
        assert resp.status_code == 400, (body, resp.status_code)
    lead = await add_member(client, admin, role="lead")
    for who in (person, lead):
        assert_problem(
            await client.post(
                "/api/v1/admin/submissions/bulk",
                json={"ids": [claim], "action": "approve"},
                headers=bearer(who),
            ),
            403,
        )
    other = await signup(client, org="Other")
    resp = await client.post(
        "/api/v1/admin/submissions/bulk",
        json={"ids": [claim], "action": "approve"},
        headers=bearer(other),
    )
    assert resp.json()["results"] == [{"id": claim, "status": "not_found", "detail": None}]
    assert (
        await client.post(
            "/api/v1/admin/submissions/bulk", json={"ids": [claim], "action": "approve"}
        )
    ).status_code == 401


# -- problem details speak plain language, next to the field -------------------------------

JARGON = ("Expected", "$.", "<=", ">=", "`", "str", "MultiDict", "postUrl:", "endsAt must")


@pytest.mark.parametrize(
    ("overrides", "status", "field", "words"),
    [
        (
            {"shareText": {"x": "y" * 312}},
            400,
            "shareText.x",
            "280 characters or fewer (it has 312)",
        ),
        ({"shareText": {"linkedin": "y" * 3001}}, 400, "shareText.linkedin", "3000 characters"),
        ({"points": "ten"}, 400, "points", "whole number"),
        ({"points": -1}, 400, "points", "at least 0"),
        ({"title": ""}, 400, "title", "cannot be empty"),
        ({"title": "   "}, 422, "title", "blank"),
        (
            {"endsAt": "2020-01-01T00:00:00+00:00"},
            422,
            "endsAt",
            "The end must be after the start.",
        ),
        ({"startsAt": "2026-01-01T10:00:00"}, 400, "startsAt", "time zone"),
        ({"startsAt": "tomorrow"}, 400, "startsAt", "date and time"),
        ({"hashtags": ["not a tag"]}, 400, "hashtags[0]", "hashtag"),
        ({"verification": "vibes"}, 400, "verification", "not one of the choices"),
        ({"contentUrl": "ftp://example.com/x"}, 422, "contentUrl", "http"),
        ({"teamIds": ["nope"]}, 400, "teamIds[0]", "not a valid id"),
        ({"colour": "red"}, 400, "colour", "leave it out"),
    ],
)
async def test_bad_challenge_fields_are_named_with_a_plain_sentence(
    client, overrides, status, field, words
):
    from tests.helpers import challenge_body

    admin = await signup(client)
    resp = await client.post(
        "/api/v1/admin/challenges", json=challenge_body(**overrides), headers=bearer(admin)
    )
    problem = assert_problem(resp, status)
    assert problem["errors"][0]["field"] == field, problem
    message = problem["errors"][0]["message"]
    assert words in message, problem
    assert problem["detail"].startswith(message), problem
    for jargon in JARGON:
        assert jargon not in problem["detail"] and jargon not in message, (jargon, problem)


async def test_a_missing_field_and_a_company_page_link_are_explained(client):
    admin = await signup(client)
    missing = await client.post(
        "/api/v1/admin/challenges", json={"title": "Hi"}, headers=bearer(admin)
    )
    problem = assert_problem(missing, 400)
    assert problem["errors"][0]["field"] == "points"
    assert (
        problem["errors"][0]["message"] == "The points is required."
        or "required" in (problem["errors"][0]["message"])
    )
    challenge = await create_challenge(client, admin, networks=["linkedin"])
    person = await add_member(client, admin)
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": "https://www.linkedin.com/company/acme/"},
        headers=bearer(person),
    )
    problem = assert_problem(resp, 422)
    assert problem["errors"] == [{"field": "postUrl", "message": problem["detail"]}]
    assert problem["detail"].startswith("Paste the link to your post on LinkedIn, like https://")
    for jargon in JARGON:
        assert jargon not in problem["detail"], jargon
    body = await client.post("/api/v1/admin/challenges", json=[1], headers=bearer(admin))
    problem = assert_problem(body, 400)
    assert "Expected" not in problem["detail"] and "`" not in problem["detail"]


async def test_waits_are_said_in_minutes_not_seconds():
    from backend.core.clock import in_words

    assert in_words(889) == "15 minutes"
    assert in_words(10) == "a few seconds"
    assert in_words(3600) == "an hour"


async def test_the_openapi_document_describes_field_errors(client):
    schema = (await client.get("/schema/openapi.json")).json()
    problem = schema["components"]["schemas"]["ProblemDetails"]
    assert "errors" in problem["properties"]
    assert schema["components"]["schemas"]["FieldError"]["required"] == ["field", "message"]


# -- home counts, my points, the inbox, my language --------------------------------------------


async def test_the_admin_home_counts_what_waits_for_action(client):
    from tests.helpers import invite, ledger_award, unique_email

    admin = await signup(client)
    challenge = await create_challenge(client, admin, verification="review")
    people = [await add_member(client, admin) for _ in range(3)]
    await _claims(client, admin, challenge, people[:2])
    await invite(client, admin, unique_email("new"))
    await ledger_award(admin.org_id, people[0].user_id, 5)
    resp = await client.get("/api/v1/admin/overview", headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "toReview": 2,
        "reports": 0,
        "pendingInvites": 1,
        "redemptions": 0,
        "activeChallenges": 1,
        "participationThisWeek": {"active": 1, "total": 4, "rate": 0.25},
    }
    lead = await add_member(client, admin, role="lead")
    assert_problem(await client.get("/api/v1/admin/overview", headers=bearer(lead)), 403)
    assert_problem(await client.get("/api/v1/admin/overview", headers=bearer(people[2])), 403)
    assert (await client.get("/api/v1/admin/overview")).status_code == 401
    other = await signup(client, org="Other")
    theirs = (await client.get("/api/v1/admin/overview", headers=bearer(other))).json()
    assert theirs["toReview"] == 0 and theirs["participationThisWeek"]["total"] == 1
    team = await create_team(client, admin, "Sales", lead_user_id=lead.user_id)
    mine = await client.get("/api/v1/lead/overview", headers=bearer(lead))
    assert mine.status_code == 200
    assert mine.json()["participationThisWeek"]["total"] == 1  # the lead joined their team
    assert team["leadUserIds"] == [lead.user_id]
    assert_problem(await client.get("/api/v1/lead/overview", headers=bearer(people[2])), 403)


async def test_my_points_come_day_by_day_in_my_time_zone(client):
    from datetime import UTC, datetime, timedelta

    from tests.helpers import ledger_award

    admin = await signup(client)
    person = await add_member(client, admin)
    await client.patch("/api/v1/me", json={"timezone": "Pacific/Auckland"}, headers=bearer(person))
    now = datetime.now(UTC)
    await ledger_award(admin.org_id, person.user_id, 7, at=now)
    await ledger_award(admin.org_id, person.user_id, 3, at=now - timedelta(days=2))
    await ledger_award(admin.org_id, person.user_id, 100, at=now - timedelta(days=40))
    resp = await client.get("/api/v1/me/points?days=7", headers=bearer(person))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["timezone"] == "Pacific/Auckland" and body["days"] == 7
    assert body["total"] == 110 and body["inRange"] == 10
    assert len(body["series"]) == 7
    assert body["series"][-1]["points"] == 7 and body["series"][-3]["points"] == 3
    for params in ({"days": 0}, {"days": 367}, {"days": "many"}):
        bad = await client.get("/api/v1/me/points", params=params, headers=bearer(person))
        assert bad.status_code == 400, params
    assert (await client.get("/api/v1/me/points")).status_code == 401
    default = (await client.get("/api/v1/me/points", headers=bearer(person))).json()
    assert default["days"] == 90 and default["inRange"] == 110


async def test_everything_in_the_inbox_is_marked_read_at_once(client):
    from backend.notifications import service as notifications

    admin = await signup(client)
    person = await add_member(client, admin)
    for n in range(3):
        await notifications.notify(
            UUID(admin.org_id), UUID(person.user_id), "badge", f"Notice {n}", "Body", "/"
        )
    resp = await client.post("/api/v1/notifications/read-all", headers=bearer(person))
    assert resp.status_code == 204
    inbox = (await client.get("/api/v1/notifications", headers=bearer(person))).json()
    assert inbox["items"] and all(item["readAt"] for item in inbox["items"])
    assert (await client.post("/api/v1/notifications/read-all")).status_code == 401


async def test_a_person_picks_a_language_from_the_list(client):
    admin = await signup(client)
    me = (await client.get("/api/v1/me", headers=bearer(admin))).json()
    assert me["language"] is None
    resp = await client.patch("/api/v1/me", json={"language": "de"}, headers=bearer(admin))
    assert resp.status_code == 200 and resp.json()["language"] == "de"
    for body, status in (
        ({"language": "klingon"}, 422),  # a tag Chorus does not speak
        ({"language": 5}, 400),
        ({"language": "de" * 20}, 400),
    ):
        bad = await client.patch("/api/v1/me", json=body, headers=bearer(admin))
        problem = assert_problem(bad, status)
        assert problem["errors"][0]["field"] == "language"
    reset = await client.patch("/api/v1/me", json={"language": None}, headers=bearer(admin))
    assert reset.json()["language"] is None
