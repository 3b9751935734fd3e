"""Pulse surveys: answered once, worth points once, results only in aggregate and only from
five answers on; who answered is never linked to what they said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from backend.surveys.tables import Survey
from tests.helpers import add_member, assert_problem, bearer, create_team, signup


def survey_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "How is sharing going?",
        "intro": "Two quick questions.",
        "questions": [
            {"text": "Sharing our news feels natural", "kind": "scale"},
            {"text": "What would make it easier?", "kind": "text"},
        ],
        "closesAt": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
        "points": 15,
    }
    body.update(overrides)
    return body


async def make_survey(client: Any, admin: Any, **overrides: Any) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/admin/surveys", json=survey_body(**overrides), headers=bearer(admin)
    )
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def test_answers_count_once_and_earn_points_once(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    survey = await make_survey(client, admin)
    assert [q["id"] for q in survey["questions"]] == ["q1", "q2"]
    assert (survey["status"], survey["responses"]) == ("open", 0)
    mine = (await client.get("/api/v1/surveys", headers=bearer(sam))).json()
    assert [(s["id"], s["answered"], s["points"]) for s in mine] == [(survey["id"], False, 15)]

    url = f"/api/v1/surveys/{survey['id']}/responses"
    resp = await client.post(
        url, json={"answers": {"q1": 4, "q2": "More short posts"}}, headers=bearer(sam)
    )
    assert resp.status_code == 201, resp.text
    assert resp.json() == {"pointsAwarded": 15}
    assert_problem(await client.post(url, json={"answers": {"q1": 2}}, headers=bearer(sam)), 409)
    me = (await client.get("/api/v1/me", headers=bearer(sam))).json()
    assert me["points"] == 15
    mine = (await client.get("/api/v1/surveys", headers=bearer(sam))).json()
    assert mine[0]["answered"] is True
    stored = await Survey.raw("SELECT answers FROM survey_answer")
    assert len(stored) == 1 and "user" not in str(stored) and sam.user_id not in str(stored)


async def test_results_stay_hidden_until_five_people_answered(client):
    admin = await signup(client)
    people = [await add_member(client, admin, name=f"P {n}") for n in range(5)]
    survey = await make_survey(client, admin, points=0)
    url = f"/api/v1/surveys/{survey['id']}/responses"
    results_url = f"/api/v1/admin/surveys/{survey['id']}/results"
    for n, person in enumerate(people[:4]):
        answers: dict[str, Any] = {"q1": n + 1}
        if n % 2 == 0:
            answers["q2"] = f"idea {n}"
        assert (
            await client.post(url, json={"answers": answers}, headers=bearer(person))
        ).status_code == 201
    early = (await client.get(results_url, headers=bearer(admin))).json()
    assert (early["responses"], early["shown"], early["threshold"]) == (4, False, 5)
    assert all(
        q["average"] is None and q["distribution"] is None and q["comments"] is None
        for q in early["questions"]
    )

    assert (
        await client.post(url, json={"answers": {"q1": 5, "q2": "  "}}, headers=bearer(people[4]))
    ).status_code == 201
    late = (await client.get(results_url, headers=bearer(admin))).json()
    assert (late["responses"], late["shown"]) == (5, True)
    scale, text = late["questions"]
    assert scale == {
        "id": "q1",
        "text": "Sharing our news feels natural",
        "kind": "scale",
        "answered": 5,
        "average": 3.0,
        "distribution": [1, 1, 1, 1, 1],
        "comments": None,
    }
    assert text["answered"] == 2 and sorted(text["comments"]) == ["idea 0", "idea 2"]


async def test_a_team_survey_is_only_for_that_team(client):
    admin = await signup(client)
    team = await create_team(client, admin, "Alpha")
    inside = await add_member(client, admin, team_id=team["id"])
    outside = await add_member(client, admin)
    survey = await make_survey(client, admin, teamIds=[team["id"]])
    assert len((await client.get("/api/v1/surveys", headers=bearer(inside))).json()) == 1
    assert (await client.get("/api/v1/surveys", headers=bearer(outside))).json() == []
    resp = await client.post(
        f"/api/v1/surveys/{survey['id']}/responses",
        json={"answers": {"q1": 3}},
        headers=bearer(outside),
    )
    assert_problem(resp, 404)


async def test_closed_and_scheduled_surveys_take_no_answers(client):
    admin = await signup(client)
    sam = await add_member(client, admin)
    now = datetime.now(UTC)
    later = await make_survey(
        client,
        admin,
        opensAt=(now + timedelta(days=1)).isoformat(),
        closesAt=(now + timedelta(days=2)).isoformat(),
    )
    assert later["status"] == "scheduled"
    resp = await client.post(
        f"/api/v1/surveys/{later['id']}/responses", json={"answers": {"q1": 3}}, headers=bearer(sam)
    )
    assert_problem(resp, 409, detail_contains="not open")
    assert (await client.get("/api/v1/surveys", headers=bearer(sam))).json() == []


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        ({"q1": 0}, 422),
        ({"q1": 6}, 422),
        ({"q1": True}, 400),
        ({"q1": "4"}, 422),
        ({}, 422),
        ({"q1": 3, "q9": 1}, 422),
        ({"q1": 3, "q2": 7}, 422),
        ({"q1": 3, "q2": "x" * 1001}, 400),
        ({"q1": 3, "q2": "bad\u0000text"}, 422),
        ("four", 400),
    ],
)
async def test_bad_answers_are_refused_and_nothing_is_kept(client, answers, status):
    admin = await signup(client)
    sam = await add_member(client, admin)
    survey = await make_survey(client, admin)
    resp = await client.post(
        f"/api/v1/surveys/{survey['id']}/responses", json={"answers": answers}, headers=bearer(sam)
    )
    assert_problem(resp, status)
    assert await Survey.raw("SELECT 1 FROM survey_answer") == []
    assert await Survey.raw("SELECT 1 FROM survey_participation") == []


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"title": ""}, 400),
        ({"questions": []}, 400),
        ({"questions": [{"text": "q", "kind": "stars"}]}, 400),
        ({"questions": [{"text": "q"}] * 11}, 400),
        ({"points": -1}, 400),
        ({"points": "10"}, 400),
        ({"closesAt": "2020-01-01T00:00:00Z"}, 422),
        ({"closesAt": "soon"}, 400),
        ({"teamIds": [str(uuid4())]}, 404),
        ({"extra": True}, 400),
    ],
)
async def test_bad_surveys_are_refused(client, overrides, status):
    admin = await signup(client)
    resp = await client.post(
        "/api/v1/admin/surveys", json=survey_body(**overrides), headers=bearer(admin)
    )
    assert_problem(resp, status)
    assert await Survey.raw("SELECT 1 FROM survey") == []


async def test_only_admins_create_and_read_results_in_their_organization(client):
    admin = await signup(client)
    lead = await add_member(client, admin, role="lead")
    employee = await add_member(client, admin)
    survey = await make_survey(client, admin)
    for who in (lead, employee):
        assert_problem(
            await client.post("/api/v1/admin/surveys", json=survey_body(), headers=bearer(who)), 403
        )
        assert_problem(
            await client.get(f"/api/v1/admin/surveys/{survey['id']}/results", headers=bearer(who)),
            403,
        )
        assert_problem(await client.get("/api/v1/admin/surveys", headers=bearer(who)), 403)
    other = await signup(client, org="Other")
    assert_problem(
        await client.get(f"/api/v1/admin/surveys/{survey['id']}/results", headers=bearer(other)),
        404,
    )
    assert (await client.get("/api/v1/surveys", headers=bearer(other))).json() == []
    resp = await client.post(
        f"/api/v1/surveys/{survey['id']}/responses",
        json={"answers": {"q1": 1}},
        headers=bearer(other),
    )
    assert_problem(resp, 404)
    assert [
        s["title"]
        for s in (await client.get("/api/v1/admin/surveys", headers=bearer(admin))).json()
    ] == ["How is sharing going?"]
