"""Pulse surveys: short, once per person, optionally worth points, read only in aggregate.

Who answered (survey_participation) and what was answered (survey_answer) live in separate
tables with no link and no timestamps, and results stay hidden until ANONYMITY_THRESHOLD people
answered: an admin can never single anyone out.
"""

from __future__ import annotations

import random
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec

from backend import events
from backend.core import clock
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.identity import CurrentUser
from backend.core.text import clean_text
from backend.db import DB
from backend.points.service import LedgerEntry, append
from backend.surveys.schemas import (
    ANONYMITY_THRESHOLD,
    MySurvey,
    Question,
    QuestionResult,
    ResponseCreate,
    SurveyCreate,
    SurveyRead,
    SurveyResults,
)
from backend.surveys.tables import Survey

_COLUMNS = (
    "s.id, s.title, s.intro, s.questions, s.audience_team_ids, s.points, s.opens_at, "
    "s.closes_at, (SELECT count(*) FROM survey_answer a WHERE a.survey = s.id) AS responses"
)


def _status(row: dict[str, Any]) -> str:
    now = clock.now()
    if now < row["opens_at"]:
        return "scheduled"
    return "open" if now < row["closes_at"] else "closed"


def _questions(row: dict[str, Any]) -> list[Question]:
    raw = row["questions"]
    return msgspec.convert(
        msgspec.json.decode(raw) if isinstance(raw, str) else raw, list[Question]
    )


def _read(row: dict[str, Any]) -> SurveyRead:
    return SurveyRead(
        id=row["id"],
        title=row["title"],
        intro=row["intro"],
        questions=_questions(row),
        team_ids=list(row["audience_team_ids"]),
        points=row["points"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        status=_status(row),  # type: ignore[arg-type]
        responses=int(row["responses"]),
    )


async def create_survey(actor: CurrentUser, data: SurveyCreate) -> SurveyRead:
    opens_at = data.opens_at or clock.now()
    if data.closes_at <= opens_at:
        raise Invalid("closesAt must be after opensAt (or after now).")
    teams = list(dict.fromkeys(data.team_ids))
    if teams:
        known = await Survey.raw(
            "SELECT count(*) AS n FROM team WHERE org = {} AND id = ANY({}::uuid[])",
            actor.org_id,
            teams,
        )
        if known[0]["n"] != len(teams):
            raise NotFound("No such team in your organization.")
    questions = [
        {"id": f"q{n}", "text": clean_text(q.text, f"questions[{n - 1}].text"), "kind": q.kind}
        for n, q in enumerate(data.questions, start=1)
    ]
    survey_id = uuid4()
    await Survey.raw(
        "INSERT INTO survey (id, org, title, intro, questions, audience_team_ids, points, "
        "opens_at, closes_at, created_by) VALUES ({}, {}, {}, {}, {}::jsonb, {}::uuid[], {}, "
        "{}, {}, {})",
        survey_id,
        actor.org_id,
        clean_text(data.title, "title"),
        clean_text(data.intro, "intro") if data.intro.strip() else "",
        msgspec.json.encode(questions).decode(),
        teams,
        data.points,
        opens_at,
        data.closes_at,
        actor.id,
    )
    return await get_for_admin(actor.org_id, survey_id)


async def get_for_admin(org_id: UUID, survey_id: UUID) -> SurveyRead:
    rows = await Survey.raw(
        f"SELECT {_COLUMNS} FROM survey s WHERE s.org = {{}} AND s.id = {{}}",  # noqa: S608
        org_id,
        survey_id,
    )
    if not rows:
        raise NotFound("No such survey in your organization.")
    return _read(rows[0])


async def list_for_admin(org_id: UUID) -> list[SurveyRead]:
    rows = await Survey.raw(
        f"SELECT {_COLUMNS} FROM survey s WHERE s.org = {{}} "  # noqa: S608
        "ORDER BY s.closes_at DESC, s.id "
        "LIMIT 200",
        org_id,
    )
    return [_read(r) for r in rows]


def _visible_sql() -> str:
    return (
        "s.org = {} AND (cardinality(s.audience_team_ids) = 0 "
        "OR {}::uuid = ANY(s.audience_team_ids))"
    )


async def list_open(user: CurrentUser) -> list[MySurvey]:
    """Surveys open to the caller now, unanswered first."""
    now = clock.now()
    rows = await Survey.raw(
        "SELECT s.id, s.title, s.intro, s.questions, s.points, s.closes_at, "  # noqa: S608
        'EXISTS (SELECT 1 FROM survey_participation p WHERE p.survey = s.id AND p."user" = {}) '
        f"AS answered FROM survey s WHERE {_visible_sql()} AND s.opens_at <= {{}} "
        "AND s.closes_at > {} ORDER BY answered, s.closes_at, s.id LIMIT 20",
        user.id,
        user.org_id,
        user.team_id,
        now,
        now,
    )
    return [
        MySurvey(
            id=r["id"],
            title=r["title"],
            intro=r["intro"],
            questions=_questions(r),
            points=r["points"],
            closes_at=r["closes_at"],
            answered=r["answered"],
        )
        for r in rows
    ]


def _check_answers(questions: list[Question], data: ResponseCreate) -> dict[str, Any]:
    by_id = {q.id: q for q in questions}
    unknown = sorted(set(data.answers) - set(by_id))
    if unknown:
        raise Invalid(f"This survey has no question {', '.join(unknown)}.")
    answers: dict[str, Any] = {}
    for q in questions:
        value = data.answers.get(q.id)
        if q.kind == "scale":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                raise Invalid(f"Answer {q.id} with a number from 1 to 5.")
            answers[q.id] = value
        elif value is not None:
            if not isinstance(value, str):
                raise Invalid(f"Answer {q.id} with words, or leave it out.")
            text = clean_text(value, f"answers.{q.id}", multiline=True) if value.strip() else ""
            if text:
                answers[q.id] = text
    return answers


async def respond(user: CurrentUser, survey_id: UUID, data: ResponseCreate) -> int:
    """Record one person's answers once; returns the points it earned."""
    now = clock.now()
    rows = await Survey.raw(
        f"SELECT s.id, s.questions, s.points, s.opens_at, s.closes_at FROM survey s "  # noqa: S608
        f"WHERE s.id = {{}} AND {_visible_sql()}",
        survey_id,
        user.org_id,
        user.team_id,
    )
    if not rows:
        raise NotFound("No such survey for you.")
    survey = rows[0]
    if not survey["opens_at"] <= now < survey["closes_at"]:
        raise Conflict("This survey is not open.")
    answers = _check_answers(_questions(survey), data)
    awarded: list[events.PointsAwarded] = []
    async with DB.transaction():
        try:
            await Survey.raw(
                'INSERT INTO survey_participation (survey, "user") VALUES ({}, {})',
                survey_id,
                user.id,
            )
        except asyncpg.UniqueViolationError as exc:
            raise Conflict("You already answered this survey. Thank you!") from exc
        await Survey.raw(
            "INSERT INTO survey_answer (id, survey, answers) VALUES ({}, {}, {}::jsonb)",
            uuid4(),
            survey_id,
            msgspec.json.encode(answers).decode(),
        )
        if survey["points"]:
            awarded = await append(
                [
                    LedgerEntry(
                        org_id=user.org_id,
                        user_id=user.id,
                        team_id=user.team_id,
                        delta=survey["points"],
                        reason="survey",
                        idempotency_key=f"survey:{survey_id}:{user.id}",
                    )
                ]
            )
    await events.points_awarded(awarded)
    return int(survey["points"])


async def results(org_id: UUID, survey_id: UUID) -> SurveyResults:
    survey = await get_for_admin(org_id, survey_id)
    shown = survey.responses >= ANONYMITY_THRESHOLD
    questions = [QuestionResult(id=q.id, text=q.text, kind=q.kind) for q in survey.questions]
    if shown:
        rows = await Survey.raw("SELECT answers FROM survey_answer WHERE survey = {}", survey_id)
        answers = [
            msgspec.json.decode(r["answers"]) if isinstance(r["answers"], str) else r["answers"]
            for r in rows
        ]
        for q in questions:
            values = [a[q.id] for a in answers if q.id in a]
            q.answered = len(values)
            if q.kind == "scale":
                q.distribution = [sum(1 for v in values if v == n) for n in range(1, 6)]
                q.average = round(sum(values) / len(values), 2) if values else None
            else:
                comments = [str(v) for v in values]
                random.SystemRandom().shuffle(comments)  # no order that hints at who wrote what
                q.comments = comments
    return SurveyResults(
        survey_id=survey.id,
        title=survey.title,
        responses=survey.responses,
        threshold=ANONYMITY_THRESHOLD,
        shown=shown,
        questions=questions,
    )
