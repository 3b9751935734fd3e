"""Lessons: a challenge to read and a quiz to pass. The admin writes it through the challenge
routes (every bad part a 422 naming its field); no answer an employee can read ever carries
the quiz's answers; a pass pays the lesson's points once, however many passes arrive and
however they arrive; lessons count in badges ("learner"), in the cards' statuses (from memory
too) and in the analytics per lesson and team."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.helpers import (
    Account,
    add_member,
    assert_problem,
    bearer,
    create_team,
    run_worker_burst,
    signup,
)
from tests.test_bad_input import Endpoint, _cases, _snapshot
from tests.test_challenge_cache import assert_same, reader, statuses, warm

__all__ = ["reader"]  # the fixture, shared with tests/test_challenge_cache.py

ANSWERS = [2, 0, 1]
QUIZ = [
    {
        "question": "What makes a post sound like you?",
        "options": ["The suggested text as is", "More hashtags", "One thing you saw yourself"],
        "answer": 2,
    },
    {
        "question": "When you promote your employer, you",
        "options": ["say that you work there", "keep it to yourself", "use a second account"],
        "answer": 0,
    },
    {
        "question": "A photo for a phone screen is best",
        "options": ["landscape and wide", "close, simple and well lit", "a screenshot of a slide"],
        "answer": 1,
    },
]
WRONG = [0, 1, 0]  # none right
TWO_RIGHT = [2, 0, 0]  # 67 %


def lesson_body(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "title": "Write a post in your own words",
        "description": "Three minutes to a post that sounds like you.",
        "kind": "lesson",
        "sections": [
            {"heading": "Start from the suggestion", "body": "Read it, then make it yours."},
            {
                "heading": "Say what you saw",
                "body": "One detail only you know.\nIt beats any slogan.",
                "imageUrl": "https://example.com/photo.jpg",
            },
        ],
        "quiz": QUIZ,
        "passMark": 100,
        "points": 40,
        "startsAt": (now - timedelta(hours=1)).isoformat(),
        "endsAt": (now + timedelta(days=7)).isoformat(),
    }
    body.update(overrides)
    return body


async def create_lesson(
    client: Any, admin: Account, *, publish: bool = True, **overrides: Any
) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/admin/challenges", json=lesson_body(**overrides), headers=bearer(admin)
    )
    assert resp.status_code == 201, resp.text
    lesson: dict[str, Any] = resp.json()
    if publish:
        resp = await client.post(
            f"/api/v1/admin/challenges/{lesson['id']}/publish", headers=bearer(admin)
        )
        assert resp.status_code == 200, resp.text
        lesson = resp.json()
    return lesson


async def answer(
    client: Any, who: Account, lesson_id: str, answers: Any, key: str | None = None
) -> Any:
    headers = bearer(who)
    if key:
        headers["Idempotency-Key"] = key
    return await client.post(
        f"/api/v1/challenges/{lesson_id}/quiz", json={"answers": answers}, headers=headers
    )


async def points_of(client: Any, who: Account) -> int:
    resp = await client.get("/api/v1/me", headers=bearer(who))
    assert resp.status_code == 200, resp.text
    return int(resp.json()["points"])


async def lesson_ledger(user_id: str) -> list[dict[str, Any]]:
    from backend.points.tables import PointsLedger

    return await PointsLedger.raw(  # type: ignore[no-any-return]
        "SELECT delta, idempotency_key FROM points_ledger "
        "WHERE \"user\" = {} AND reason = 'lesson'",
        uuid.UUID(user_id),
    )


def carries_answers(value: Any) -> bool:
    """Whether a JSON answer holds a quiz's answer anywhere: a key `answer`/`answers`, or a
    list equal to the answer indices."""
    if isinstance(value, dict):
        return any(
            key in ("answer", "answers", "lessonAnswers") or carries_answers(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return value == ANSWERS or any(carries_answers(item) for item in value)
    return False


# -- writing a lesson ----------------------------------------------------------------------


# A body msgspec refuses by its shape (lengths, counts, types, ranges) is a 400, a body whose
# parts disagree with one another or with the rules (an answer past its options, a blank
# heading, a private image host) a 422: the app's convention; both name the field.
@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"sections": []}, 400, "sections"),
        ({"sections": [{"heading": "h", "body": "b"}] * 21}, 400, "sections"),
        ({"sections": None}, 422, "sections"),
        ({"sections": [{"heading": "", "body": "b"}]}, 400, "sections[0].heading"),
        ({"sections": [{"heading": "h" * 141, "body": "b"}]}, 400, "sections[0].heading"),
        ({"sections": [{"heading": "h", "body": "b" * 4001}]}, 400, "sections[0].body"),
        ({"sections": [{"heading": "h", "body": "   "}]}, 422, "sections[0].body"),
        (
            {"sections": [{"heading": "h", "body": "b", "imageUrl": "http://10.0.0.1/x.png"}]},
            422,
            "sections[0].imageUrl",
        ),
        ({"quiz": []}, 400, "quiz"),
        ({"quiz": None}, 422, "quiz"),
        ({"quiz": QUIZ * 7}, 400, "quiz"),
        ({"quiz": [{**QUIZ[0], "options": ["only one"]}]}, 400, "quiz[0].options"),
        (
            {"quiz": [{**QUIZ[0], "options": [f"o{n}" for n in range(7)]}]},
            400,
            "quiz[0].options",
        ),
        ({"quiz": [{**QUIZ[0], "answer": 3}]}, 422, "quiz[0].answer"),
        ({"quiz": [QUIZ[0], {**QUIZ[1], "answer": -1}]}, 400, "quiz[1].answer"),
        ({"quiz": [{**QUIZ[0], "answer": "2"}]}, 400, "quiz[0].answer"),
        ({"quiz": [{**QUIZ[0], "options": ["Same", "same"]}]}, 422, "quiz[0].options"),
        ({"quiz": [{**QUIZ[0], "question": ""}]}, 400, "quiz[0].question"),
        ({"quiz": [{**QUIZ[0], "question": " \t"}]}, 422, "quiz[0].question"),
        ({"passMark": 101}, 400, "passMark"),
        ({"passMark": -1}, 400, "passMark"),
        (
            {"kind": "share", "contentUrl": "https://example.com/a", "networks": ["x"]},
            422,
            "sections",
        ),
    ],
)
async def test_each_bad_part_of_a_lesson_is_refused_naming_its_field(client, change, status, field):
    admin = await signup(client)
    resp = await client.post(
        "/api/v1/admin/challenges", json=lesson_body(**change), headers=bearer(admin)
    )
    problem = assert_problem(resp, status)
    fields = [error.get("field") for error in problem.get("errors", [])]
    assert field in fields, problem
    listed = await client.get("/api/v1/admin/challenges", headers=bearer(admin))
    assert listed.json()["items"] == []  # nothing was written


async def test_only_an_admin_writes_lessons_and_only_in_their_organization(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    lead = await add_member(client, admin, role="lead")
    for who in (employee, lead):
        resp = await client.post(
            "/api/v1/admin/challenges", json=lesson_body(), headers=bearer(who)
        )
        assert_problem(resp, 403)
    lesson = await create_lesson(client, admin)
    other = await signup(client, org="Globex")
    outsider = await add_member(client, other)
    for who, method, path, body in [
        (other, "GET", f"/api/v1/admin/challenges/{lesson['id']}", None),
        (other, "PATCH", f"/api/v1/admin/challenges/{lesson['id']}", {"passMark": 10}),
        (outsider, "GET", f"/api/v1/challenges/{lesson['id']}", None),
        (outsider, "POST", f"/api/v1/challenges/{lesson['id']}/quiz", {"answers": ANSWERS}),
    ]:
        resp = await client.request(method, path, json=body, headers=bearer(who))
        assert_problem(resp, 404)
    assert await lesson_ledger(outsider.user_id) == []


async def test_the_admins_editor_gets_the_answers_and_edits_the_lesson(client):
    admin = await signup(client)
    lesson = await create_lesson(client, admin, publish=False)
    assert lesson["kind"] == "lesson" and lesson["networks"] == []
    assert [q["answer"] for q in lesson["lesson"]["quiz"]] == ANSWERS
    assert lesson["lesson"]["sections"][1]["imageUrl"] == "https://example.com/photo.jpg"
    assert lesson["lesson"]["passMark"] == 100
    new_quiz = [{**QUIZ[0], "answer": 1}, QUIZ[1]]
    resp = await client.patch(
        f"/api/v1/admin/challenges/{lesson['id']}",
        json={"quiz": new_quiz, "passMark": 50},
        headers=bearer(admin),
    )
    assert resp.status_code == 200, resp.text
    assert [q["answer"] for q in resp.json()["lesson"]["quiz"]] == [1, 0]
    assert resp.json()["lesson"]["passMark"] == 50
    bad = await client.patch(
        f"/api/v1/admin/challenges/{lesson['id']}",
        json={"quiz": [{**QUIZ[0], "answer": 5}]},
        headers=bearer(admin),
    )
    assert "quiz[0].answer" in [e["field"] for e in assert_problem(bad, 422)["errors"]]
    await client.post(f"/api/v1/admin/challenges/{lesson['id']}/publish", headers=bearer(admin))
    # once published the text may be fixed, the quiz people may have passed may not change
    fixed = await client.patch(
        f"/api/v1/admin/challenges/{lesson['id']}",
        json={"sections": [{"heading": "Fixed", "body": "A typo fixed."}]},
        headers=bearer(admin),
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["lesson"]["sections"] == [
        {"heading": "Fixed", "body": "A typo fixed.", "imageUrl": None}
    ]
    locked = await client.patch(
        f"/api/v1/admin/challenges/{lesson['id']}",
        json={"quiz": QUIZ},
        headers=bearer(admin),
    )
    assert_problem(locked, 409)
    # a share has no quiz to edit
    share = await client.post(
        "/api/v1/admin/challenges",
        json={
            **lesson_body(),
            "kind": "share",
            "contentUrl": "https://example.com/a",
            "networks": ["linkedin"],
            "sections": None,
            "quiz": None,
        },
        headers=bearer(admin),
    )
    assert share.status_code == 201, share.text
    resp = await client.patch(
        f"/api/v1/admin/challenges/{share.json()['id']}",
        json={"passMark": 10},
        headers=bearer(admin),
    )
    assert "passMark" in [e["field"] for e in assert_problem(resp, 422)["errors"]]


# -- the answers stay on the server -----------------------------------------------------------


async def test_no_answer_an_employee_can_read_carries_the_quizs_answers(client):
    admin = await signup(client)
    team = await create_team(client, admin, "Sales")
    employee = await add_member(client, admin, team_id=team["id"])
    lesson = await create_lesson(client, admin)
    lesson_id = lesson["id"]
    before = [
        f"/api/v1/challenges/{lesson_id}",
        "/api/v1/challenges",
        "/api/v1/me",
        "/api/v1/badges",
        "/api/v1/notifications",
        "/api/v1/me/submissions",
        "/api/v1/feed",
        "/api/v1/leaderboards/users?period=week",
    ]
    seen = {}
    for path in before:
        resp = await client.get(path, headers=bearer(employee))
        if resp.status_code == 404 and path != before[0]:
            continue  # a route another part of the app may not have
        assert resp.status_code == 200, (path, resp.text)
        seen[path] = resp.json()
        assert not carries_answers(resp.json()), (path, resp.text)
    shown = seen[f"/api/v1/challenges/{lesson_id}"]
    assert [q["options"] for q in shown["lesson"]["quiz"]] == [q["options"] for q in QUIZ]
    assert shown["myStatus"] == "todo" and shown["myLesson"]["attempts"] == 0
    assert [c["id"] for c in seen["/api/v1/challenges"]["items"]] == [lesson_id]
    # nor after the attempts, failed or passed, nor in the attempt's own answer
    for attempt in (WRONG, ANSWERS):
        resp = await answer(client, employee, lesson_id, attempt)
        assert resp.status_code == 200, resp.text
        assert set(resp.json()) == {"passed", "score", "pointsAwarded", "passMark"}
    for path in seen:
        resp = await client.get(path, headers=bearer(employee))
        assert not carries_answers(resp.json()), (path, resp.text)
    # the admin routes an employee cannot reach
    for path in (f"/api/v1/admin/challenges/{lesson_id}", "/api/v1/admin/challenges"):
        assert_problem(await client.get(path, headers=bearer(employee)), 403)
    # and the admin's list (for tables, not editing) carries none either
    resp = await client.get("/api/v1/admin/challenges", headers=bearer(admin))
    assert not carries_answers(resp.json()["items"])


# -- taking the quiz ---------------------------------------------------------------------------


async def test_a_fail_then_a_pass_pays_once_and_a_second_pass_pays_nothing(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    lesson = await create_lesson(client, admin, passMark=100)
    start = await points_of(client, employee)

    failed = await answer(client, employee, lesson["id"], TWO_RIGHT)
    assert failed.status_code == 200, failed.text
    assert failed.json() == {"passed": False, "score": 67, "pointsAwarded": 0, "passMark": 100}
    assert await points_of(client, employee) == start

    passed = await answer(client, employee, lesson["id"], ANSWERS)
    assert passed.json() == {"passed": True, "score": 100, "pointsAwarded": 40, "passMark": 100}
    assert await points_of(client, employee) == start + 40

    again = await answer(client, employee, lesson["id"], ANSWERS)
    assert again.json() == {"passed": True, "score": 100, "pointsAwarded": 0, "passMark": 100}
    assert await points_of(client, employee) == start + 40
    assert [r["delta"] for r in await lesson_ledger(employee.user_id)] == [40]

    mine = (await client.get(f"/api/v1/challenges/{lesson['id']}", headers=bearer(employee))).json()
    assert mine["myStatus"] == "verified"
    assert mine["myLesson"] == {
        "attempts": 3,
        "passed": True,
        "bestScore": 100,
        "pointsAwarded": 40,
    }
    listed = (await client.get("/api/v1/challenges", headers=bearer(employee))).json()["items"]
    assert [c["myStatus"] for c in listed] == ["verified"]
    # on the boards through the outbox, like any award
    await run_worker_burst()
    board = (
        await client.get("/api/v1/leaderboards/users?period=week", headers=bearer(employee))
    ).json()
    assert board["me"]["points"] == start + 40


async def test_passes_sent_at_once_pay_once(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    lesson = await create_lesson(client, admin)
    answers = await asyncio.gather(
        *(answer(client, employee, lesson["id"], ANSWERS) for _ in range(6))
    )
    assert all(resp.status_code == 200 for resp in answers), [r.text for r in answers]
    assert all(resp.json()["passed"] for resp in answers)
    assert sorted(resp.json()["pointsAwarded"] for resp in answers) == [0, 0, 0, 0, 0, 40]
    assert [r["delta"] for r in await lesson_ledger(employee.user_id)] == [40]


async def test_a_replayed_attempt_answers_the_first_answer_and_records_one_attempt(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    lesson = await create_lesson(client, admin)
    first, second = await asyncio.gather(
        answer(client, employee, lesson["id"], ANSWERS, key="quiz-1"),
        answer(client, employee, lesson["id"], ANSWERS, key="quiz-1"),
    )
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["pointsAwarded"] == 40
    other_body = await answer(client, employee, lesson["id"], WRONG, key="quiz-1")
    assert_problem(other_body, 422)
    mine = (await client.get(f"/api/v1/challenges/{lesson['id']}", headers=bearer(employee))).json()
    assert mine["myLesson"]["attempts"] == 1


@pytest.mark.parametrize(
    ("answers", "status", "field"),
    [
        ([2, 0], 422, "answers"),
        ([2, 0, 1, 1], 422, "answers"),
        ([2, 0, 3], 422, "answers[2]"),
        ([2, 0, -1], 400, "answers[2]"),
        ([2, 0, 6], 400, "answers[2]"),
        ([2, 0, "1"], 400, "answers[2]"),
        ([2, 0, 1.5], 400, "answers[2]"),
        ([2, 0, True], 400, "answers[2]"),
        ([], 400, "answers"),
        ([0] * 21, 400, "answers"),
        ("012", 400, "answers"),
        (None, 400, "answers"),
    ],
)
async def test_a_malformed_attempt_is_refused_and_pays_nothing(client, answers, status, field):
    admin = await signup(client)
    employee = await add_member(client, admin)
    lesson = await create_lesson(client, admin)
    resp = await answer(client, employee, lesson["id"], answers)
    problem = assert_problem(resp, status)
    assert field in [e.get("field") for e in problem.get("errors", [])], problem
    assert await lesson_ledger(employee.user_id) == []


async def test_a_quiz_is_taken_only_on_an_open_lesson(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    share = await client.post(
        "/api/v1/admin/challenges",
        json={
            **lesson_body(),
            "kind": "share",
            "contentUrl": "https://example.com/a",
            "networks": ["linkedin"],
            "sections": None,
            "quiz": None,
        },
        headers=bearer(admin),
    )
    await client.post(
        f"/api/v1/admin/challenges/{share.json()['id']}/publish", headers=bearer(admin)
    )
    assert_problem(await answer(client, employee, share.json()["id"], ANSWERS), 404)
    draft = await create_lesson(client, admin, publish=False, title="Draft lesson")
    assert_problem(await answer(client, employee, draft["id"], ANSWERS), 404)
    now = datetime.now(UTC)
    later = await create_lesson(
        client,
        admin,
        title="Later lesson",
        startsAt=(now + timedelta(days=1)).isoformat(),
        endsAt=(now + timedelta(days=2)).isoformat(),
    )
    assert_problem(await answer(client, employee, later["id"], ANSWERS), 409)
    assert_problem(await answer(client, employee, str(uuid.uuid4()), ANSWERS), 404)
    assert await lesson_ledger(employee.user_id) == []


async def test_attempts_are_limited_to_ten_an_hour(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    lesson = await create_lesson(client, admin)
    for _ in range(10):
        assert (await answer(client, employee, lesson["id"], WRONG)).status_code == 200
    limited = await answer(client, employee, lesson["id"], ANSWERS)
    assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    assert await lesson_ledger(employee.user_id) == []


@pytest.mark.parametrize("which", ["lesson", "quiz"])
async def test_bad_bodies_of_every_kind_get_a_problem_detail_and_change_nothing(client, which):
    """The generic cases of tests/test_bad_input.py, on the two bodies lessons add."""
    admin = await signup(client)
    employee = await add_member(client, admin)
    lesson = await create_lesson(client, admin)
    endpoint = {
        "lesson": Endpoint(
            "POST",
            "/api/v1/admin/challenges",
            lesson_body(),
            ("title", "points", "startsAt", "endsAt", "sections", "quiz"),
            "admin",
        ),
        "quiz": Endpoint(
            "POST",
            f"/api/v1/challenges/{lesson['id']}/quiz",
            {"answers": ANSWERS},
            ("answers",),
            "x",
        ),
    }[which]
    who = admin if which == "lesson" else employee
    before = (await _snapshot(), await lesson_ledger(employee.user_id))
    for label, body in _cases(endpoint):
        resp = await client.post(endpoint.path, json=body, headers=bearer(who))
        assert 400 <= resp.status_code < 500 and resp.status_code != 404, (label, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json"), label
        assert len(resp.json()["detail"]) > 10, (label, resp.text)
    for label, raw in [("truncated", b'{"answers": [1'), ("huge", b"[" + b"1," * 200_000 + b"1]")]:
        resp = await client.post(
            endpoint.path, content=raw, headers={**bearer(who), "content-type": "application/json"}
        )
        assert resp.status_code in (400, 413), (label, resp.text[:200])
    assert (await _snapshot(), await lesson_ledger(employee.user_id)) == before


# -- badges and analytics ------------------------------------------------------------------


async def test_the_learner_badge_is_earned_by_passing_lessons(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    resp = await client.post(
        "/api/v1/admin/badges",
        json={
            "code": "learner-2",
            "name": "Learner",
            "icon": "star",
            "rule": {"type": "learner", "threshold": 2},
            "points": 5,
        },
        headers=bearer(admin),
    )
    assert resp.status_code == 201, resp.text
    paid = await create_lesson(client, admin, title="Paid lesson")
    unpaid = await create_lesson(client, admin, title="Free lesson", points=0)

    def learner(badges: list[dict[str, Any]]) -> dict[str, Any]:
        return next(b for b in badges if b["code"] == "learner-2")

    await answer(client, employee, paid["id"], ANSWERS)
    await answer(client, employee, paid["id"], ANSWERS)  # the same lesson twice counts once
    badges = (await client.get("/api/v1/badges", headers=bearer(employee))).json()
    assert learner(badges)["earnedAt"] is None
    assert learner(badges)["progress"] == {"current": 1, "target": 2}
    # a lesson without points earns it all the same
    resp = await answer(client, employee, unpaid["id"], ANSWERS)
    assert resp.json()["pointsAwarded"] == 0 and resp.json()["passed"]
    badges = (await client.get("/api/v1/badges", headers=bearer(employee))).json()
    assert learner(badges)["earnedAt"] is not None
    assert await points_of(client, employee) == 40 + 5


async def test_analytics_count_completion_per_lesson_and_team(client):
    admin = await signup(client)
    sales = await create_team(client, admin, "Sales")
    ops = await create_team(client, admin, "Ops")
    ann = await add_member(client, admin, team_id=sales["id"])
    bob = await add_member(client, admin, team_id=sales["id"])
    cat = await add_member(client, admin, team_id=ops["id"])
    everyone = await create_lesson(client, admin, title="For everyone")
    sales_only = await create_lesson(client, admin, title="For sales", teamIds=[sales["id"]])
    await answer(client, ann, everyone["id"], WRONG)
    await answer(client, ann, everyone["id"], ANSWERS)
    await answer(client, bob, everyone["id"], WRONG)
    await answer(client, cat, everyone["id"], ANSWERS)
    await answer(client, ann, sales_only["id"], ANSWERS)

    resp = await client.get("/api/v1/admin/analytics/lessons", headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    report = resp.json()
    by_lesson = {m["title"]: m for m in report["byLesson"]}
    # members: the admin and three employees for everyone; the two of Sales for sales
    assert by_lesson["For everyone"] | {"challengeId": None} == {
        "challengeId": None,
        "title": "For everyone",
        "members": 4,
        "attempted": 3,
        "passed": 2,
        "completionRate": 0.5,
        "attempts": 4,
        "averageScore": 50.0,
    }
    assert (by_lesson["For sales"]["members"], by_lesson["For sales"]["passed"]) == (2, 1)
    assert by_lesson["For sales"]["completionRate"] == 0.5
    by_team = {m["name"]: m for m in report["byTeam"]}
    assert (by_team["Sales"]["passes"], by_team["Sales"]["possible"]) == (2, 4)
    assert by_team["Sales"]["learners"] == 1 and by_team["Sales"]["completionRate"] == 0.5
    assert (by_team["Ops"]["passes"], by_team["Ops"]["possible"]) == (1, 1)
    assert by_team["No team"]["possible"] == 1 and by_team["No team"]["passes"] == 0
    # an employee may not read it; a range with nothing in it lists nothing
    assert_problem(await client.get("/api/v1/admin/analytics/lessons", headers=bearer(ann)), 403)
    old = await client.get(
        "/api/v1/admin/analytics/lessons?from=2020-01-01&to=2020-01-31", headers=bearer(admin)
    )
    assert old.json()["byLesson"] == []


# -- the list in memory ------------------------------------------------------------------------


@pytest.mark.slow
async def test_the_list_in_memory_follows_lesson_edits_and_passes(client, reader):
    admin = await signup(client)
    employee = await add_member(client, admin)
    lesson = await create_lesson(client, admin)
    await create_lesson(client, admin, title="Another lesson")
    served = await assert_same(reader, employee)
    assert not carries_answers(served)
    await warm(reader, employee)
    resp = await client.patch(
        f"/api/v1/admin/challenges/{lesson['id']}",
        json={"sections": [{"heading": "Rewritten", "body": "Clearer words."}]},
        headers=bearer(admin),
    )
    assert resp.status_code == 200, resp.text
    served = await assert_same(reader, employee)
    assert [s["heading"] for s in served_lesson(served, lesson["id"])["sections"]] == ["Rewritten"]
    await warm(reader, employee)
    assert (await answer(client, employee, lesson["id"], ANSWERS)).json()["passed"]
    shown = statuses(await assert_same(reader, employee))
    assert shown == {"Write a post in your own words": "verified", "Another lesson": "todo"}


def served_lesson(items: list[dict[str, Any]], lesson_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in items if i["id"] == lesson_id)["lesson"]
    return found


async def test_the_demo_organization_ships_three_lessons_that_can_be_passed(client, tmp_path):
    from backend.demo import DEMO_ADMIN, DEMO_TEAMS, _email, seed_demo

    await seed_demo(tmp_path)
    password = (tmp_path / "demo-password").read_text().strip()

    async def login(email: str) -> str:
        resp = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert resp.status_code == 200, resp.text
        client.cookies.clear()
        token: str = resp.json()["accessToken"]
        return token

    employee = Account(await login(_email(DEMO_TEAMS["Marketing"][0])), "", "", "")
    admin = Account(await login(DEMO_ADMIN), "", "", "")
    items = (await client.get("/api/v1/challenges", headers=bearer(employee))).json()["items"]
    lessons = {c["title"]: c for c in items if c["kind"] == "lesson"}
    assert set(lessons) == {
        "Write a post in your own words",
        "Photos that work on a phone",
        "What to disclose and why",
    }
    assert not carries_answers(items)
    for lesson in lessons.values():
        assert 3 <= len(lesson["lesson"]["sections"]) <= 5
        assert 3 <= len(lesson["lesson"]["quiz"]) <= 5
        assert all(len(s["body"]) > 150 for s in lesson["lesson"]["sections"])
    disclosure = lessons["What to disclose and why"]
    assert "#employee" in " ".join(s["body"] for s in disclosure["lesson"]["sections"])
    edit = await client.get(f"/api/v1/admin/challenges/{disclosure['id']}", headers=bearer(admin))
    right = [q["answer"] for q in edit.json()["lesson"]["quiz"]]
    resp = await answer(client, employee, disclosure["id"], right)
    assert resp.json() == {"passed": True, "score": 100, "pointsAwarded": 30, "passMark": 75}
