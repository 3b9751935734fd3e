"""Pulse surveys keep their promise: answered once; results only after the survey closed and only
from five answers of people whose account existed when it was made; while it runs nothing
counts its answers (not the results, not the list, not a leaderboard); the points are paid when
it closes, in one batch, exactly once; who answered is never linked to what they said."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from backend.core import clock
from backend.leaderboards import boards, keys
from backend.leaderboards.service import MAX_STALE_SECONDS
from backend.surveys.tables import Survey, SurveyAnswer
from tests.helpers import Account, add_member, assert_problem, bearer, create_team, signup
from workers import tasks

MINIMUM = 5  # backend.surveys.schemas.ANONYMITY_THRESHOLD


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


async def fill_audience(client: Any, admin: Account, team_ids: list[str] = ()) -> list[Account]:  # type: ignore[assignment]
    """Colleagues added until the survey's audience (everyone, or the teams) reaches the
    minimum a survey may ask: a survey of fewer people is refused."""
    rows = await Survey.raw(
        "SELECT count(*) AS n FROM app_user WHERE org = {} AND active "
        "AND (cardinality({}::uuid[]) = 0 OR team = ANY({}::uuid[]))",
        admin.org_id,
        list(team_ids),
        list(team_ids),
    )
    missing = MINIMUM - int(rows[0]["n"])
    team = team_ids[0] if team_ids else None
    return [
        await add_member(client, admin, team_id=team, name=f"Colleague {n}") for n in range(missing)
    ]


async def make_survey(client: Any, admin: Any, **overrides: Any) -> dict[str, Any]:
    """A survey (the audience filled up to the minimum first)."""
    await fill_audience(client, admin, overrides.get("teamIds", []))
    resp = await client.post(
        "/api/v1/admin/surveys", json=survey_body(**overrides), headers=bearer(admin)
    )
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def answer(client: Any, survey: dict[str, Any], who: Account, answers: Any) -> Any:
    return await client.post(
        f"/api/v1/surveys/{survey['id']}/responses", json={"answers": answers}, headers=bearer(who)
    )


async def close(client: Any, survey: dict[str, Any], who: Account) -> Any:
    return await client.post(f"/api/v1/admin/surveys/{survey['id']}/close", headers=bearer(who))


async def results(client: Any, survey: dict[str, Any], admin: Account) -> dict[str, Any]:
    resp = await client.get(f"/api/v1/admin/surveys/{survey['id']}/results", headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def admin_list(client: Any, admin: Account) -> list[dict[str, Any]]:
    resp = await client.get("/api/v1/admin/surveys", headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def paid(survey: dict[str, Any]) -> list[tuple[str, int]]:
    """The survey's ledger rows: (person, points)."""
    rows = await Survey.raw(
        'SELECT "user", delta FROM points_ledger WHERE idempotency_key LIKE {} ORDER BY "user"',
        f"survey:{survey['id']}:%",
    )
    return [(str(r["user"]), r["delta"]) for r in rows]


async def redis_boards(app: Any, org_id: str) -> dict[str, dict[str, float]]:
    out = {}
    for key in await boards.board_keys(app.state.redis, org_id):
        out[key] = {
            m.decode(): s for m, s in await app.state.redis.zrange(key, 0, -1, withscores=True)
        }
    return out


async def board_points(client: Any, who: Account) -> dict[str, int]:
    """Everyone's points on the all-time board, as the API shows it."""
    resp = await client.get(
        "/api/v1/leaderboards/users", params={"period": "all", "limit": 100}, headers=bearer(who)
    )
    assert resp.status_code == 200, resp.text
    return {e["userId"]: e["points"] for e in resp.json()["entries"] if e["points"]}


async def board_shows(client: Any, who: Account, expected: dict[str, int]) -> None:
    """The API's board (a snapshot at most MAX_STALE_SECONDS old) comes to show `expected`."""
    deadline = asyncio.get_running_loop().time() + 5  # a safety net, not a budget
    while (shown := await board_points(client, who)) != expected:
        assert asyncio.get_running_loop().time() < deadline, shown
        await asyncio.sleep(0.05)


async def org_of(client: Any, people: int) -> tuple[Account, list[Account]]:
    admin = await signup(client)
    return admin, [await add_member(client, admin, name=f"P {n}") for n in range(people)]


async def test_answers_count_once_and_their_points_wait_for_the_close(client):
    admin, (sam, *_) = await org_of(client, 4)
    survey = await make_survey(client, admin)
    assert [q["id"] for q in survey["questions"]] == ["q1", "q2"]
    assert (survey["status"], survey["invited"], survey["closedAt"]) == ("open", 5, None)
    assert "responses" not in survey
    mine = (await client.get("/api/v1/surveys", headers=bearer(sam))).json()
    assert [(s["id"], s["answered"], s["points"]) for s in mine] == [(survey["id"], False, 15)]

    resp = await answer(client, survey, sam, {"q1": 4, "q2": "More short posts"})
    assert resp.status_code == 201, resp.text
    assert resp.json() == {"pointsAwarded": 0, "pointsWhenClosed": 15}
    assert_problem(await answer(client, survey, sam, {"q1": 2}), 409)
    assert (await client.get("/api/v1/me", headers=bearer(sam))).json()["points"] == 0
    mine = (await client.get("/api/v1/surveys", headers=bearer(sam))).json()
    assert mine[0]["answered"] is True
    stored = await Survey.raw("SELECT answers FROM survey_answer")
    assert len(stored) == 1 and "user" not in str(stored) and sam.user_id not in str(stored)

    closed = await close(client, survey, admin)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["closedAt"]
    assert (await client.get("/api/v1/me", headers=bearer(sam))).json()["points"] == 15
    assert await paid(survey) == [(sam.user_id, 15)]
    assert (await client.get("/api/v1/surveys", headers=bearer(sam))).json() == []
    assert_problem(await answer(client, survey, admin, {"q1": 2}), 409, detail_contains="not open")


async def test_reading_an_open_survey_before_and_after_one_more_answer_tells_nothing(app, client):
    admin, people = await org_of(client, 6)
    survey = await make_survey(client, admin)
    for n, person in enumerate(people[:5]):
        resp = await answer(client, survey, person, {"q1": n + 1, "q2": f"idea {n}"})
        assert resp.status_code == 201, resp.text
    last = people[5]

    async def everything_an_admin_and_a_board_show() -> list[Any]:
        return [
            await results(client, survey, admin),
            await admin_list(client, admin),
            await board_points(client, admin),
            await board_points(client, last),
            await redis_boards(app, admin.org_id),
        ]

    before = await everything_an_admin_and_a_board_show()
    resp = await answer(client, survey, last, {"q1": 1, "q2": "the odd one out"})
    assert resp.status_code == 201, resp.text
    await asyncio.sleep(MAX_STALE_SECONDS)  # a board the answer moved would show it by now
    after = await everything_an_admin_and_a_board_show()
    assert before == after
    shown, listed = after[0], after[1]
    assert (shown["status"], shown["shown"], shown["responses"]) == ("open", False, None)
    assert shown["invited"] == 7 and shown["threshold"] == MINIMUM
    assert all(
        (q["answered"], q["average"], q["distribution"], q["comments"]) == (None,) * 4
        for q in shown["questions"]
    )
    assert set(listed[0]) == {
        "id",
        "title",
        "intro",
        "questions",
        "teamIds",
        "points",
        "opensAt",
        "closesAt",
        "closedAt",
        "status",
        "invited",
    }
    assert after[2] == {} and await paid(survey) == []  # no board moved with any answer


async def test_the_boards_move_once_at_the_close_with_every_answerers_points(app, client):
    admin, people = await org_of(client, 5)
    survey = await make_survey(client, admin)
    answerers = people[:3]
    for person in answerers:
        assert (await answer(client, survey, person, {"q1": 3})).status_code == 201
    assert await redis_boards(app, admin.org_id) == {}
    assert await board_points(client, admin) == {}

    assert (await close(client, survey, admin)).status_code == 200
    expected = {p.user_id: 15 for p in answerers}
    await board_shows(client, admin, expected)
    users_all = (await redis_boards(app, admin.org_id))[keys.users_key(admin.org_id, "all")]
    assert set(users_all) == set(expected)
    assert await paid(survey) == sorted((p.user_id, 15) for p in answerers)


async def test_closing_twice_and_the_job_twice_pay_once(client):
    admin, people = await org_of(client, 5)
    survey = await make_survey(client, admin)
    for person in people:
        assert (await answer(client, survey, person, {"q1": 4})).status_code == 201
    first = await close(client, survey, admin)
    again = await close(client, survey, admin)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()  # idempotent: the same answer, nothing more paid
    assert await tasks.pay_closed_surveys({}) == 0
    assert await tasks.pay_closed_surveys({}) == 0
    assert await paid(survey) == sorted((p.user_id, 15) for p in people)
    me = (await client.get("/api/v1/me", headers=bearer(people[0]))).json()
    assert me["points"] == 15


async def test_two_closes_at_once_pay_once(client):
    admin, people = await org_of(client, 5)
    survey = await make_survey(client, admin)
    for person in people:
        assert (await answer(client, survey, person, {"q1": 2})).status_code == 201
    both = await asyncio.gather(close(client, survey, admin), close(client, survey, admin))
    assert [r.status_code for r in both] == [200, 200], [r.text for r in both]
    assert len(await paid(survey)) == len(people)
    assert (await results(client, survey, admin))["responses"] == 5


async def test_an_answer_racing_the_close_is_either_in_and_paid_or_refused(client):
    admin, people = await org_of(client, 6)
    survey = await make_survey(client, admin)
    for person in people[:2]:
        assert (await answer(client, survey, person, {"q1": 3})).status_code == 201
    racing = people[2:]
    *answers, closed = await asyncio.gather(
        *[answer(client, survey, p, {"q1": 4}) for p in racing], close(client, survey, admin)
    )
    assert closed.status_code == 200, closed.text
    assert {a.status_code for a in answers} <= {201, 409}, [a.text for a in answers]
    got_in = [p for p, a in zip(racing, answers, strict=True) if a.status_code == 201]
    assert await paid(survey) == sorted((p.user_id, 15) for p in [*people[:2], *got_in])
    assert await SurveyAnswer.count() == 2 + len(got_in)


async def test_the_end_passing_closes_it_and_two_jobs_at_once_pay_once(client, monkeypatch):
    admin, people = await org_of(client, 5)
    soon = datetime.now(UTC) + timedelta(hours=1)
    survey = await make_survey(client, admin, closesAt=soon.isoformat())
    other = await make_survey(client, admin, title="Still running")
    for n, person in enumerate(people):
        assert (await answer(client, survey, person, {"q1": n + 1})).status_code == 201
        assert (await answer(client, other, person, {"q1": 5})).status_code == 201
    assert (await results(client, survey, admin))["shown"] is False
    assert await tasks.pay_closed_surveys({}) == 0  # not ended yet: nothing paid
    assert await paid(survey) == []

    later = soon + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    listed = {s["title"]: s for s in await admin_list(client, admin)}
    assert listed["How is sharing going?"]["status"] == "closed"
    assert listed["How is sharing going?"]["closedAt"] == survey["closesAt"]
    shown = await results(client, survey, admin)  # closed by its end, before the job paid
    assert (shown["shown"], shown["responses"]) == (True, 5)
    assert shown["questions"][0]["distribution"] == [1, 1, 1, 1, 1]
    assert_problem(await answer(client, survey, admin, {"q1": 3}), 409)

    counts = await asyncio.gather(tasks.pay_closed_surveys({}), tasks.pay_closed_surveys({}))
    assert sorted(counts) == [0, 1]
    assert await tasks.pay_closed_surveys({}) == 0
    assert await paid(survey) == sorted((p.user_id, 15) for p in people)
    assert await paid(other) == []  # still open: its points wait
    assert (await results(client, other, admin))["shown"] is False


async def test_results_show_after_the_close_from_five_answers(client):
    admin, people = await org_of(client, 5)
    survey = await make_survey(client, admin, points=0)
    for n, person in enumerate(people[:4]):
        answers: dict[str, Any] = {"q1": n + 1}
        if n % 2 == 0:
            answers["q2"] = f"idea {n}"
        assert (await answer(client, survey, person, answers)).status_code == 201
    assert (await answer(client, survey, people[4], {"q1": 5, "q2": "  "})).status_code == 201
    assert (await results(client, survey, admin))["shown"] is False  # five, but still open

    assert (await close(client, survey, admin)).status_code == 200
    late = await results(client, survey, admin)
    assert (late["status"], late["responses"], late["shown"]) == ("closed", 5, True)
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
    assert await paid(survey) == []  # worth no points: nothing written


async def test_under_five_answers_the_results_stay_hidden_after_the_close(client):
    admin, people = await org_of(client, 5)
    survey = await make_survey(client, admin)
    for person in people[:4]:
        assert (await answer(client, survey, person, {"q1": 5, "q2": "mine"})).status_code == 201
    assert (await close(client, survey, admin)).status_code == 200
    hidden = await results(client, survey, admin)
    assert (hidden["status"], hidden["shown"], hidden["responses"]) == ("closed", False, None)
    assert "mine" not in str(hidden) and all(q["answered"] is None for q in hidden["questions"])
    assert len(await paid(survey)) == 4  # the points are paid all the same


async def test_accounts_made_after_the_survey_do_not_count(client):
    admin, people = await org_of(client, 4)
    survey = await make_survey(client, admin)  # admin and four people: the minimum
    puppets = [await add_member(client, admin, name=f"New {n}") for n in range(3)]
    for person in people:
        assert (await answer(client, survey, person, {"q1": 5, "q2": "real"})).status_code == 201
    for puppet in puppets:
        resp = await answer(client, survey, puppet, {"q1": 1, "q2": "puppet"})
        assert resp.status_code == 201, resp.text  # kept, and paid ...
    assert await SurveyAnswer.count() == 7
    assert (await close(client, survey, admin)).status_code == 200
    hidden = await results(client, survey, admin)
    assert (hidden["shown"], hidden["responses"]) == (False, None)  # ... but four count, not 7
    assert len(await paid(survey)) == 7

    second = await make_survey(client, admin, title="Again")
    latecomer = await add_member(client, admin, name="Newer")
    for person in [admin, *people, *puppets]:  # all made before this survey: all count
        assert (await answer(client, second, person, {"q1": 4, "q2": "fine"})).status_code == 201
    assert (await answer(client, second, latecomer, {"q1": 1, "q2": "odd"})).status_code == 201
    assert (await close(client, second, admin)).status_code == 200
    shown = await results(client, second, admin)
    assert (shown["shown"], shown["responses"]) == (True, 8)
    assert shown["questions"][0]["distribution"] == [0, 0, 0, 8, 0]  # the late answer is out
    assert "odd" not in shown["questions"][1]["comments"]


async def test_a_survey_must_ask_at_least_five_people(client):
    admin, _ = await org_of(client, 3)
    resp = await client.post("/api/v1/admin/surveys", json=survey_body(), headers=bearer(admin))
    problem = assert_problem(resp, 422, detail_contains="at least 5 people")
    assert "4 people" in problem["detail"] and "anonymous" in problem["detail"]
    team = await create_team(client, admin, "Small")
    await add_member(client, admin, team_id=team["id"])
    await add_member(client, admin)  # six people now, one of them in the team
    assert (
        await client.post("/api/v1/admin/surveys", json=survey_body(), headers=bearer(admin))
    ).status_code == 201
    resp = await client.post(
        "/api/v1/admin/surveys", json=survey_body(teamIds=[team["id"]]), headers=bearer(admin)
    )
    assert_problem(resp, 422, detail_contains="ask 1 person")
    assert len(await Survey.raw("SELECT 1 FROM survey")) == 1


async def test_a_survey_is_deleted_only_while_nobody_answered(client):
    admin, (sam, *_) = await org_of(client, 4)
    unanswered = await make_survey(client, admin, title="Typo")
    answered = await make_survey(client, admin)
    assert (await answer(client, answered, sam, {"q1": 3})).status_code == 201
    url = "/api/v1/admin/surveys/{}"
    resp = await client.delete(url.format(unanswered["id"]), headers=bearer(admin))
    assert resp.status_code == 204, resp.text
    assert_problem(await client.delete(url.format(unanswered["id"]), headers=bearer(admin)), 404)
    resp = await client.delete(url.format(answered["id"]), headers=bearer(admin))
    assert_problem(resp, 409, detail_contains="close it instead")
    assert [s["id"] for s in await admin_list(client, admin)] == [answered["id"]]
    assert await SurveyAnswer.count() == 1


async def test_a_team_survey_is_only_for_that_team(client):
    admin = await signup(client)
    team = await create_team(client, admin, "Alpha")
    inside = await add_member(client, admin, team_id=team["id"])
    outside = await add_member(client, admin)
    survey = await make_survey(client, admin, teamIds=[team["id"]])
    assert survey["invited"] == 5
    assert len((await client.get("/api/v1/surveys", headers=bearer(inside))).json()) == 1
    assert (await client.get("/api/v1/surveys", headers=bearer(outside))).json() == []
    assert_problem(await answer(client, survey, outside, {"q1": 3}), 404)


async def test_closed_and_scheduled_surveys_take_no_answers(client):
    admin, (sam, *_) = await org_of(client, 4)
    now = datetime.now(UTC)
    later = await make_survey(
        client,
        admin,
        opensAt=(now + timedelta(days=1)).isoformat(),
        closesAt=(now + timedelta(days=2)).isoformat(),
    )
    assert later["status"] == "scheduled"
    assert_problem(await answer(client, later, sam, {"q1": 3}), 409, detail_contains="not open")
    assert (await client.get("/api/v1/surveys", headers=bearer(sam))).json() == []
    closed = await close(client, later, admin)  # a scheduled survey can be called off
    assert closed.json()["status"] == "closed"
    assert_problem(await answer(client, later, sam, {"q1": 3}), 409, detail_contains="not open")


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
    admin, (sam, *_) = await org_of(client, 4)
    survey = await make_survey(client, admin)
    assert_problem(await answer(client, survey, sam, answers), status)
    assert await Survey.raw("SELECT 1 FROM survey_answer") == []
    assert await Survey.raw("SELECT 1 FROM survey_participation") == []


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"title": ""}, 400),
        ({"title": "x" * 121}, 400),
        ({"title": None}, 400),
        ({"questions": []}, 400),
        ({"questions": None}, 400),
        ({"questions": [{"text": "q", "kind": "stars"}]}, 400),
        ({"questions": [{"text": "q"}] * 11}, 400),
        ({"points": -1}, 400),
        ({"points": "10"}, 400),
        ({"closesAt": "2020-01-01T00:00:00Z"}, 422),
        ({"closesAt": "soon"}, 400),
        ({"closesAt": None}, 400),
        ({"teamIds": [str(uuid4())]}, 404),
        ({"teamIds": [str(uuid4())] * 501}, 400),
        ({"extra": True}, 400),
    ],
)
async def test_bad_surveys_are_refused(client, overrides, status):
    admin, _ = await org_of(client, 4)
    body = {k: v for k, v in survey_body(**overrides).items() if v is not None}  # None: missing
    resp = await client.post("/api/v1/admin/surveys", json=body, headers=bearer(admin))
    assert_problem(resp, status)
    assert await Survey.raw("SELECT 1 FROM survey") == []


async def test_only_admins_manage_surveys_and_only_in_their_organization(client):
    admin, _ = await org_of(client, 4)
    lead = await add_member(client, admin, role="lead")
    employee = await add_member(client, admin)
    survey = await make_survey(client, admin)
    assert (await answer(client, survey, employee, {"q1": 1})).status_code == 201
    base = f"/api/v1/admin/surveys/{survey['id']}"
    calls = [("POST", "/api/v1/admin/surveys"), ("GET", "/api/v1/admin/surveys")]
    calls += [("GET", f"{base}/results"), ("POST", f"{base}/close"), ("DELETE", base)]
    other = await signup(client, org="Other")
    for method, path in calls:
        body = {"json": survey_body()} if method == "POST" and path.endswith("surveys") else {}
        for who in (lead, employee):
            assert_problem(await client.request(method, path, headers=bearer(who), **body), 403)
        assert_problem(await client.request(method, path, **body), 401)
        if path.startswith(base):
            assert_problem(await client.request(method, path, headers=bearer(other)), 404)
    for bad in ("not-a-uuid", "1", "x" * 5000):
        for method, path in [("GET", f"{bad}/results"), ("POST", f"{bad}/close"), ("DELETE", bad)]:
            resp = await client.request(
                method, f"/api/v1/admin/surveys/{path}", headers=bearer(admin)
            )
            assert resp.status_code in (404, 405, 414), (method, path[:20], resp.status_code)
    assert (await client.get("/api/v1/surveys", headers=bearer(other))).json() == []
    assert_problem(await answer(client, survey, other, {"q1": 1}), 404)
    listed = await admin_list(client, admin)
    assert [(s["title"], s["status"]) for s in listed] == [("How is sharing going?", "open")]
    assert await paid(survey) == []  # nobody else closed it
    assert len(await Survey.raw("SELECT 1 FROM survey")) == 1


# --- Editing: everything while nobody answered; then only a later end; never once closed ---


def edit_body(survey: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The survey as read, sent back whole as PUT takes it, with `overrides`."""
    body: dict[str, Any] = {
        "title": survey["title"],
        "intro": survey["intro"],
        "questions": [{"text": q["text"], "kind": q["kind"]} for q in survey["questions"]],
        "closesAt": survey["closesAt"],
        "opensAt": survey["opensAt"],
        "teamIds": survey["teamIds"],
        "points": survey["points"],
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}  # None: left out


async def edit(client: Any, survey: dict[str, Any], who: Account, **overrides: Any) -> Any:
    return await client.put(
        f"/api/v1/admin/surveys/{survey['id']}",
        json=edit_body(survey, **overrides),
        headers=bearer(who),
    )


async def detail(client: Any, survey: dict[str, Any], who: Account) -> dict[str, Any]:
    resp = await client.get(f"/api/v1/admin/surveys/{survey['id']}", headers=bearer(who))
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def later(at: str, **delta: float) -> str:
    moved = datetime.fromisoformat(at).astimezone(UTC) + timedelta(**delta)
    return moved.isoformat().replace("+00:00", "Z")  # as the API writes times


async def test_before_any_answer_every_field_of_a_survey_can_be_edited(client):
    admin, (sam, *_) = await org_of(client, 4)
    team = await create_team(client, admin, "Sales")
    survey = await make_survey(client, admin)
    assert (await detail(client, survey, admin))["hasAnswers"] is False
    questions = [{"text": "Is it fun?", "kind": "scale"}, {"text": "Why?", "kind": "text"}]
    questions.append({"text": "Anything else?", "kind": "text"})
    resp = await edit(
        client,
        survey,
        admin,
        title="  How is sharing going, really?  ",
        intro="",
        questions=questions,
        points=30,
        closesAt=later(survey["closesAt"], days=3),
        opensAt=None,  # left out: keeps its opening time
    )
    assert resp.status_code == 200, resp.text
    edited = resp.json()
    assert edited["title"] == "How is sharing going, really?" and edited["intro"] == ""
    assert [(q["id"], q["text"], q["kind"]) for q in edited["questions"]] == [
        ("q1", "Is it fun?", "scale"),
        ("q2", "Why?", "text"),
        ("q3", "Anything else?", "text"),
    ]
    assert (edited["points"], edited["opensAt"], edited["status"]) == (
        30,
        survey["opensAt"],
        "open",
    )
    assert edited["closesAt"] == later(survey["closesAt"], days=3) and edited["hasAnswers"] is False
    assert await detail(client, survey, admin) == edited
    mine = (await client.get("/api/v1/surveys", headers=bearer(sam))).json()
    assert [(s["title"], s["points"], len(s["questions"])) for s in mine] == [
        ("How is sharing going, really?", 30, 3)
    ]
    assert (await answer(client, survey, sam, {"q1": 4, "q3": "more"})).status_code == 201

    fresh = await make_survey(client, admin, title="Later")  # audience, opening, end all move
    await fill_audience(client, admin, [team["id"]])
    starts = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    resp = await edit(
        client, fresh, admin, teamIds=[team["id"]], opensAt=starts, closesAt=later(starts, days=1)
    )
    assert resp.status_code == 200, resp.text
    moved = resp.json()
    assert (moved["status"], moved["teamIds"], moved["invited"]) == ("scheduled", [team["id"]], 5)
    assert "Later" not in str((await client.get("/api/v1/surveys", headers=bearer(sam))).json())


async def test_an_edit_before_answers_is_checked_as_creation_is(client):
    admin, _ = await org_of(client, 4)
    small = await create_team(client, admin, "Small")
    await add_member(client, admin, team_id=small["id"])
    survey = await make_survey(client, admin)
    now = datetime.now(UTC)
    cases = [
        ({"teamIds": [small["id"]]}, 422, "ask 1 person", "teamIds"),
        ({"teamIds": [str(uuid4())]}, 404, "no such team", "teamIds"),
        ({"closesAt": (now - timedelta(minutes=1)).isoformat()}, 422, "future", "closesAt"),
        (
            {"opensAt": (now + timedelta(days=9)).isoformat()},  # after its end
            422,
            "after the opening",
            "closesAt",
        ),
    ]
    for overrides, status, says, field in cases:
        problem = assert_problem(
            await edit(client, survey, admin, **overrides), status, detail_contains=says
        )
        assert [e["field"] for e in problem["errors"]] == [field], problem
    assert await detail(client, survey, admin) == {**survey, "hasAnswers": False}


async def test_once_answered_only_a_later_end_can_be_saved(client):
    admin, (sam, *_) = await org_of(client, 4)
    team = await create_team(client, admin, "Sales")
    await fill_audience(client, admin, [team["id"]])
    survey = await make_survey(client, admin)
    assert (await answer(client, survey, sam, {"q1": 4})).status_code == 201
    assert (await detail(client, survey, admin))["hasAnswers"] is True
    changes = [
        ({"title": "Another title"}, "the title", "title"),
        ({"intro": "Other words"}, "the intro", "intro"),
        ({"questions": [{"text": "Sharing our news feels natural"}]}, "the questions", "questions"),
        (
            {
                "questions": [
                    {"text": "Changed", "kind": "scale"},
                    {"text": survey["questions"][1]["text"], "kind": "text"},
                ]
            },
            "",
            "questions",
        ),
        ({"points": 500}, "the points", "points"),
        ({"teamIds": [team["id"]]}, "who is asked", "teamIds"),
        ({"opensAt": later(survey["opensAt"], minutes=-5)}, "the opening time", "opensAt"),
    ]
    for overrides, names, field in changes:
        overrides["closesAt"] = later(survey["closesAt"], days=1)  # a later end does not excuse it
        resp = await edit(client, survey, admin, **overrides)
        problem = assert_problem(resp, 409, detail_contains="only its end can change")
        assert names in problem["detail"] and "no longer match" in problem["detail"]
        assert problem["errors"][0]["field"] == field
    both = await edit(client, survey, admin, title="New", points=1)
    assert "the title and the points" in assert_problem(both, 409)["detail"]
    earlier = await edit(client, survey, admin, closesAt=later(survey["closesAt"], hours=-1))
    problem = assert_problem(earlier, 409, detail_contains="can only move later")
    assert problem["errors"] == [{"field": "closesAt", "message": problem["detail"]}]
    assert await detail(client, survey, admin) == {**survey, "hasAnswers": True}

    unchanged = await edit(client, survey, admin, opensAt=None)  # the same survey: fine
    assert unchanged.status_code == 200, unchanged.text
    extended = await edit(client, survey, admin, closesAt=later(survey["closesAt"], days=2))
    assert extended.status_code == 200, extended.text
    assert extended.json() == {
        **survey,
        "closesAt": later(survey["closesAt"], days=2),
        "hasAnswers": True,
    }
    mine = (await client.get("/api/v1/surveys", headers=bearer(sam))).json()
    assert mine[0]["closesAt"] == later(survey["closesAt"], days=2)
    # the promise holds after an edit: nothing shown while open, points paid at the close
    assert (await results(client, survey, admin))["responses"] is None
    assert await paid(survey) == []
    assert (await close(client, survey, admin)).status_code == 200
    assert await paid(survey) == [(sam.user_id, 15)]


async def test_a_closed_survey_cannot_be_edited(client, monkeypatch):
    admin, _ = await org_of(client, 4)
    closed = await make_survey(client, admin, title="Closed by hand")
    assert (await close(client, closed, admin)).status_code == 200
    resp = await edit(client, closed, admin, closesAt=later(closed["closesAt"], days=1))
    assert_problem(resp, 409, detail_contains="closed")

    soon = datetime.now(UTC) + timedelta(hours=1)
    ended = await make_survey(client, admin, closesAt=soon.isoformat())
    monkeypatch.setattr(clock, "now", lambda: soon + timedelta(minutes=1))
    resp = await edit(client, ended, admin, closesAt=later(ended["closesAt"], days=1))
    assert_problem(resp, 409, detail_contains="can no longer be edited")  # it would reopen
    assert (await detail(client, ended, admin))["closesAt"] == ended["closesAt"]


async def test_an_edit_racing_an_answer_is_refused_or_comes_first(client):
    admin, people = await org_of(client, 4)
    for _ in range(5):
        survey = await make_survey(client, admin)
        sent, edited = await asyncio.gather(
            answer(client, survey, people[0], {"q1": 3}),
            edit(client, survey, admin, title="Renamed"),
        )
        assert sent.status_code == 201, sent.text
        if edited.status_code == 409:  # the answer was in first
            assert (await detail(client, survey, admin))["title"] == survey["title"]
        else:
            assert edited.status_code == 200, edited.text
        assert_problem(await edit(client, survey, admin, title="Again"), 409)


async def test_a_retried_edit_with_its_idempotency_key_answers_the_same(client):
    admin, _ = await org_of(client, 4)
    survey = await make_survey(client, admin)
    headers = {**bearer(admin), "Idempotency-Key": str(uuid4())}
    url, body = f"/api/v1/admin/surveys/{survey['id']}", edit_body(survey, title="Once")
    first = await client.put(url, json=body, headers=headers)
    again = await client.put(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json()
    assert_problem(await client.put(url, json={**body, "title": "Twice"}, headers=headers), 422)


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"title": ""}, 400),
        ({"title": "x" * 121}, 400),
        ({"title": 7}, 400),
        ({"title": None}, 400),
        ({"intro": "x" * 501}, 400),
        ({"questions": []}, 400),
        ({"questions": None}, 400),
        ({"questions": [{"text": "q", "kind": "stars"}]}, 400),
        ({"questions": [{"text": "x" * 201}]}, 400),
        ({"questions": [{"text": "q"}] * 11}, 400),
        ({"questions": [{"text": "bad\u0000text"}]}, 422),
        ({"points": -1}, 400),
        ({"points": 1001}, 400),
        ({"points": "10"}, 400),
        ({"closesAt": "soon"}, 400),
        ({"closesAt": None}, 400),
        ({"opensAt": 12}, 400),
        ({"teamIds": ["not-a-uuid"]}, 400),
        ({"teamIds": [str(uuid4())] * 501}, 400),
        ({"extra": True}, 400),
    ],
)
async def test_bad_edits_are_refused_and_nothing_changes(client, overrides, status):
    admin, _ = await org_of(client, 4)
    survey = await make_survey(client, admin)
    problem = assert_problem(await edit(client, survey, admin, **overrides), status)
    assert problem["errors"] and all(e["field"] and e["message"] for e in problem["errors"])
    assert await detail(client, survey, admin) == {**survey, "hasAnswers": False}


async def test_edit_bodies_that_are_not_a_survey_are_refused(client):
    admin, _ = await org_of(client, 4)
    survey = await make_survey(client, admin)
    url = f"/api/v1/admin/surveys/{survey['id']}"
    for content in (b"", b"{", b"[]", b'"title"', b"null", b'{"title": "x"}'):
        resp = await client.put(
            url, content=content, headers={**bearer(admin), "Content-Type": "application/json"}
        )
        assert_problem(resp, 400)
    huge = edit_body(survey, intro="x" * 3_000_000)
    assert (await client.put(url, json=huge, headers=bearer(admin))).status_code in (400, 413)
    assert await detail(client, survey, admin) == {**survey, "hasAnswers": False}


async def test_only_admins_edit_surveys_and_only_their_organizations(client):
    admin, _ = await org_of(client, 4)
    lead = await add_member(client, admin, role="lead")
    employee = await add_member(client, admin)
    survey = await make_survey(client, admin)
    other = await signup(client, org="Other")
    url, body = f"/api/v1/admin/surveys/{survey['id']}", edit_body(survey, title="Mine now")
    for method in ("GET", "PUT"):
        kwargs = {"json": body} if method == "PUT" else {}
        for who in (lead, employee):
            assert_problem(await client.request(method, url, headers=bearer(who), **kwargs), 403)
        assert_problem(await client.request(method, url, **kwargs), 401)
        assert_problem(await client.request(method, url, headers=bearer(other), **kwargs), 404)
    missing = f"/api/v1/admin/surveys/{uuid4()}"
    assert_problem(await client.put(missing, json=body, headers=bearer(admin)), 404)
    for bad in ("not-a-uuid", "1"):
        resp = await client.put(f"/api/v1/admin/surveys/{bad}", json=body, headers=bearer(admin))
        assert resp.status_code in (404, 405), resp.status_code
    assert await detail(client, survey, admin) == {**survey, "hasAnswers": False}
