"""Pulse surveys: short, once per person, optionally worth points, read only in aggregate.

The promise to the people answering, and how it is kept:

- Who answered (survey_participation) and what was answered (survey_answer) live in separate
  tables with no link and no timestamps.
- Results are read only once the survey closed (its end passed, or an admin closed it), when
  no answer can be added any more, and only from ANONYMITY_THRESHOLD answers on. While it runs,
  nothing tells how many answered (not the results, not the list, not the points): reading
  twice around one more answer shows nothing of it.
- Answering points are paid when the survey closes, in one batch (`_settle`), so no
  leaderboard moves with one answer. The ledger keys (`survey:<survey>:<person>`) make paying
  twice pay once, and the `paid_at IS NULL` claim makes the batch run once however many
  workers or admins close the survey at the same moment.
- An answer from an account made after the survey was (a late account, `established` false)
  is kept and paid, but neither counts toward the threshold nor goes into the results: the
  results are made of exactly the answers they say they are made of, and a handful of freshly
  invited sock puppets can neither reach the threshold nor dilute anyone's answer.
- A survey asks at least ANONYMITY_THRESHOLD people, or it could never show anything.
- Once anyone answered, a survey's questions, audience, points and opening stay as they were
  answered: an edit may only move its end later. A closed survey is never edited.

Answering, closing and paying take the survey's row lock (answering its shared side), so an
answer is either in before the survey closes and paid with the others, or refused.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec

from backend import events
from backend.core import clock
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import Message, msg, msg_c, msg_n
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
    SurveyDetail,
    SurveyRead,
    SurveyResults,
    SurveyStatus,
)
from backend.surveys.tables import Survey

_COLUMNS = (
    "s.id, s.title, s.intro, s.questions, s.audience_team_ids, s.points, s.opens_at, "
    "s.closes_at, s.closed_at"
)
SETTLE_BATCH = 100  # surveys claimed per pass of `pay_closed_surveys`


def _ended_at(row: Mapping[str, Any]) -> datetime:
    """When the survey closes or closed: its end, or earlier when an admin closed it."""
    closes_at: datetime = row["closes_at"]
    closed_at: datetime | None = row["closed_at"]
    return min(closes_at, closed_at) if closed_at is not None else closes_at


def _status(row: Mapping[str, Any], now: datetime) -> SurveyStatus:
    if row["closed_at"] is not None or now >= row["closes_at"]:
        return "closed"
    return "scheduled" if now < row["opens_at"] else "open"


def _questions(row: Mapping[str, Any]) -> list[Question]:
    raw = row["questions"]
    return msgspec.convert(
        msgspec.json.decode(raw) if isinstance(raw, str) else raw, list[Question]
    )


class _Audience:
    """How many active people an organization has, in all and per team (one query)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.per_team = {r["team"]: int(r["n"]) for r in rows}
        self.everyone = sum(self.per_team.values())

    def of(self, team_ids: list[UUID]) -> int:
        return sum(self.per_team.get(t, 0) for t in team_ids) if team_ids else self.everyone


async def _audience(org_id: UUID) -> _Audience:
    rows = await Survey.raw(
        "SELECT team, count(*) AS n FROM app_user WHERE org = {} AND active GROUP BY team", org_id
    )
    return _Audience(rows)


def _read(row: Mapping[str, Any], audience: _Audience, now: datetime) -> SurveyRead:
    status = _status(row, now)
    teams = list(row["audience_team_ids"])
    return SurveyRead(
        id=row["id"],
        title=row["title"],
        intro=row["intro"],
        questions=_questions(row),
        team_ids=teams,
        points=row["points"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        closed_at=_ended_at(row) if status == "closed" else None,
        status=status,
        invited=audience.of(teams),
    )


class _Fields(msgspec.Struct):
    """A survey's fields as they are stored: texts cleaned, teams without repeats."""

    title: str
    intro: str
    questions: list[dict[str, str]]
    team_ids: list[UUID]
    points: int


async def _checked(org_id: UUID, data: SurveyCreate) -> _Fields:
    """What creating and editing both refuse: an unknown team, text that is not text."""
    teams = list(dict.fromkeys(data.team_ids))
    if teams:
        known = await Survey.raw(
            "SELECT count(*) AS n FROM team WHERE org = {} AND id = ANY({}::uuid[])",
            org_id,
            teams,
        )
        if known[0]["n"] != len(teams):
            raise NotFound(msg("No such team in your organization."), field="teamIds")
    return _Fields(
        title=clean_text(data.title, "title"),
        intro=clean_text(data.intro, "intro") if data.intro.strip() else "",
        questions=[
            {"id": f"q{n}", "text": clean_text(q.text, f"questions[{n - 1}].text"), "kind": q.kind}
            for n, q in enumerate(data.questions, start=1)
        ],
        team_ids=teams,
        points=data.points,
    )


def _check_dates(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise Invalid(
            msg("The closing time must be after the opening time (and in the future)."),
            field="closesAt",
        )


async def _check_audience(org_id: UUID, teams: list[UUID]) -> None:
    invited = (await _audience(org_id)).of(teams)
    if invited < ANONYMITY_THRESHOLD:
        raise Invalid(
            msg_n(
                "This survey would ask {n} person, and results are only ever shown from "
                "{threshold} answers on, to keep them anonymous: ask at least {threshold} people "
                "(more teams, or everyone).",
                "This survey would ask {n} people, and results are only ever shown from "
                "{threshold} answers on, to keep them anonymous: ask at least {threshold} people "
                "(more teams, or everyone).",
                invited,
                n=invited,
                threshold=ANONYMITY_THRESHOLD,
            ),
            field="teamIds",
        )


async def create_survey(actor: CurrentUser, data: SurveyCreate) -> SurveyRead:
    """A survey for everyone, or for some teams; refused (Invalid) when it would ask fewer
    people than ANONYMITY_THRESHOLD, whose results could then never be shown."""
    opens_at = data.opens_at or clock.now()
    _check_dates(opens_at, data.closes_at)
    fields = await _checked(actor.org_id, data)
    await _check_audience(actor.org_id, fields.team_ids)
    survey_id = uuid4()
    await Survey.raw(
        "INSERT INTO survey (id, org, title, intro, questions, audience_team_ids, points, "
        "opens_at, closes_at, created_by) VALUES ({}, {}, {}, {}, {}::jsonb, {}::uuid[], {}, "
        "{}, {}, {})",
        survey_id,
        actor.org_id,
        fields.title,
        fields.intro,
        msgspec.json.encode(fields.questions).decode(),
        fields.team_ids,
        fields.points,
        opens_at,
        data.closes_at,
        actor.id,
    )
    return await get_for_admin(actor.org_id, survey_id)


# What an answered survey would change, in the words the refusal uses ("changing {things}").
_WHAT: dict[str, Message] = {
    "title": msg_c("what a survey change changes", "the title"),
    "intro": msg("the intro"),
    "questions": msg("the questions"),
    "team_ids": msg("who is asked"),
    "points": msg("the points for answering"),
    "opens_at": msg_c("what a survey change changes", "the opening time"),
}


def _stored(row: Mapping[str, Any]) -> _Fields:
    return _Fields(
        title=row["title"],
        intro=row["intro"],
        questions=[msgspec.structs.asdict(q) for q in _questions(row)],
        team_ids=list(row["audience_team_ids"]),
        points=row["points"],
    )


def _changes(before: _Fields, after: _Fields) -> list[str]:
    """The fields `after` changes, teams compared as a set (their order means nothing)."""
    changed = [
        name
        for name in ("title", "intro", "questions", "points")
        if getattr(before, name) != getattr(after, name)
    ]
    if set(before.team_ids) != set(after.team_ids):
        changed.append("team_ids")
    return changed


async def update_survey(actor: CurrentUser, survey_id: UUID, data: SurveyCreate) -> SurveyDetail:
    """Edit a survey that has not closed. While nobody answered, everything creation takes may
    change, checked as creation checks it (an audience of ANONYMITY_THRESHOLD, dates in order).
    Once anyone answered, only its end may move, and only later (Conflict otherwise): the
    answers given must keep matching the questions, the audience and the points they were
    given for. A closed survey stays as it closed (Conflict).

    The row lock waits for answers in flight (they hold its shared lock), so "nobody answered"
    is still true when the edit is written.
    """
    now = clock.now()
    async with DB.transaction():
        row = await _admin_row(actor.org_id, survey_id, lock="FOR UPDATE OF s")
        if _status(row, now) == "closed":
            raise Conflict(
                msg(
                    "This survey has closed, so it can no longer be edited: it stays as people "
                    "answered it."
                )
            )
        opens_at: datetime = data.opens_at or row["opens_at"]
        _check_dates(opens_at, data.closes_at)
        if data.closes_at <= now:
            raise Invalid(
                msg("The closing time must be in the future: to end the survey now, close it."),
                field="closesAt",
            )
        fields = await _checked(actor.org_id, data)
        if await _has_answers(survey_id):
            changed = _changes(_stored(row), fields)
            if opens_at != row["opens_at"]:
                changed.append("opens_at")
            if changed:
                raise Conflict(
                    msg(
                        "People have already answered this survey, so only its end can change: "
                        "changing {things} would leave the answers already given no longer "
                        "matching the survey.",
                        things=_listed([_WHAT[name] for name in changed]),
                    ),
                    field=_camel(changed[0]),
                )
            if data.closes_at < row["closes_at"]:
                raise Conflict(
                    msg(
                        "People have already answered this survey, so its end can only move "
                        "later: the people still to answer were told when it closes."
                    ),
                    field="closesAt",
                )
        else:
            await _check_audience(actor.org_id, fields.team_ids)
        await Survey.raw(
            "UPDATE survey SET title = {}, intro = {}, questions = {}::jsonb, "
            "audience_team_ids = {}::uuid[], points = {}, opens_at = {}, closes_at = {} "
            "WHERE id = {}",
            fields.title,
            fields.intro,
            msgspec.json.encode(fields.questions).decode(),
            fields.team_ids,
            fields.points,
            opens_at,
            data.closes_at,
            survey_id,
        )
    return await get_detail(actor.org_id, survey_id)


def _listed(items: list[Message]) -> Message:
    """ "a", "a and b", "a, b and c": said in the reader's language when it is rendered."""
    listed = items[0]
    for n, item in enumerate(items[1:], start=2):
        if n == len(items):
            listed = msg("{first} and {last}", first=listed, last=item)
        else:
            listed = msg("{first}, {next}", first=listed, next=item)
    return listed


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def _has_answers(survey_id: UUID) -> bool:
    rows = await Survey.raw(
        "SELECT 1 FROM survey_participation WHERE survey = {} LIMIT 1", survey_id
    )
    return bool(rows)


async def _admin_row(org_id: UUID, survey_id: UUID, lock: str = "") -> dict[str, Any]:
    rows = await Survey.raw(
        f"SELECT {_COLUMNS} FROM survey s WHERE s.org = {{}} AND s.id = {{}} {lock}",  # noqa: S608
        org_id,
        survey_id,
    )
    if not rows:
        raise NotFound(msg("No such survey in your organization."))
    return rows[0]  # type: ignore[no-any-return]


async def get_for_admin(org_id: UUID, survey_id: UUID) -> SurveyRead:
    row = await _admin_row(org_id, survey_id)
    return _read(row, await _audience(org_id), clock.now())


async def get_detail(org_id: UUID, survey_id: UUID) -> SurveyDetail:
    """One survey for its admin, with whether anyone answered (never how many)."""
    survey = await get_for_admin(org_id, survey_id)
    return SurveyDetail(**msgspec.structs.asdict(survey), has_answers=await _has_answers(survey_id))


async def list_for_admin(org_id: UUID) -> list[SurveyRead]:
    rows = await Survey.raw(
        f"SELECT {_COLUMNS} FROM survey s WHERE s.org = {{}} "  # noqa: S608
        "ORDER BY s.closes_at DESC, s.id "
        "LIMIT 200",
        org_id,
    )
    audience, now = await _audience(org_id), clock.now()
    return [_read(r, audience, now) for r in rows]


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
        "AND s.closes_at > {} AND s.closed_at IS NULL ORDER BY answered, s.closes_at, s.id "
        "LIMIT 20",
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
        raise Invalid(msg("This survey has no question {ids}.", ids=", ".join(unknown)))
    answers: dict[str, Any] = {}
    for q in questions:
        value = data.answers.get(q.id)
        if q.kind == "scale":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                raise Invalid(msg("Answer {question} with a number from 1 to 5.", question=q.id))
            answers[q.id] = value
        elif value is not None:
            if not isinstance(value, str):
                raise Invalid(msg("Answer {question} with words, or leave it out.", question=q.id))
            text = clean_text(value, f"answers.{q.id}", multiline=True) if value.strip() else ""
            if text:
                answers[q.id] = text
    return answers


async def respond(user: CurrentUser, survey_id: UUID, data: ResponseCreate) -> int:
    """Record one person's answers once; returns the points they earn, paid to everyone who
    answered when the survey closes (nothing moves on any board now).

    The survey's row is held (shared) until the answer is committed: a close or a payment
    waits for it, and an answer that comes after them finds the survey closed.
    """
    async with DB.transaction():
        rows = await Survey.raw(
            "SELECT s.id, s.questions, s.points, s.opens_at, s.closes_at, s.closed_at, "  # noqa: S608
            "s.paid_at, (SELECT u.created_at <= s.created_at FROM app_user u WHERE u.id = {}) "
            f"AS established FROM survey s WHERE s.id = {{}} AND {_visible_sql()} "
            "FOR SHARE OF s",
            user.id,
            survey_id,
            user.org_id,
            user.team_id,
        )
        if not rows:
            raise NotFound(msg("No such survey for you."))
        survey = rows[0]
        if _status(survey, clock.now()) != "open" or survey["paid_at"] is not None:
            raise Conflict(msg("This survey is not open: it has closed, or not opened yet."))
        answers = _check_answers(_questions(survey), data)
        try:
            await Survey.raw(
                'INSERT INTO survey_participation (survey, "user") VALUES ({}, {})',
                survey_id,
                user.id,
            )
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(msg("You already answered this survey. Thank you!")) from exc
        await Survey.raw(
            "INSERT INTO survey_answer (id, survey, answers, established) "
            "VALUES ({}, {}, {}::jsonb, {})",
            uuid4(),
            survey_id,
            msgspec.json.encode(answers).decode(),
            bool(survey["established"]),
        )
    return int(survey["points"])


async def _settle(survey_id: UUID, now: datetime) -> list[events.PointsAwarded] | None:
    """In the caller's transaction: claim a closed survey's payment and write one ledger row
    per person who answered. None when it is not closed or someone already claimed it (the
    `paid_at IS NULL` update waits for a concurrent claim and then finds it paid)."""
    claimed = await Survey.raw(
        "UPDATE survey SET paid_at = {} WHERE id = {} AND paid_at IS NULL "
        "AND (closed_at IS NOT NULL OR closes_at <= {}) RETURNING org, points",
        now,
        survey_id,
        now,
    )
    if not claimed:
        return None
    org_id, points = claimed[0]["org"], int(claimed[0]["points"])
    if not points:
        return []
    people = await Survey.raw(
        'SELECT u.id, u.team FROM survey_participation p JOIN app_user u ON u.id = p."user" '
        "WHERE p.survey = {} ORDER BY u.id",
        survey_id,
    )
    return await append(
        [
            LedgerEntry(
                org_id=org_id,
                user_id=person["id"],
                team_id=person["team"],
                delta=points,
                reason="survey",
                # the key answering used before points waited for the close: paid once either way
                idempotency_key=f"survey:{survey_id}:{person['id']}",
            )
            for person in people
        ]
    )


async def close_survey(org_id: UUID, survey_id: UUID) -> SurveyRead:
    """Close a survey now and pay everyone who answered, in one batch. Closing a closed survey
    changes nothing and answers the same (idempotent); a survey that ended on its own but is
    not paid yet is paid here."""
    now = clock.now()
    async with DB.transaction():
        row = await _admin_row(org_id, survey_id, lock="FOR UPDATE OF s")
        if _status(row, now) != "closed":
            await Survey.raw("UPDATE survey SET closed_at = {} WHERE id = {}", now, survey_id)
        awarded = await _settle(survey_id, now)
    await events.points_awarded(awarded or [])
    return await get_for_admin(org_id, survey_id)


async def pay_closed_surveys(now: datetime | None = None) -> int:
    """Pay every survey that closed and is not paid yet; returns how many it paid. Safe to run
    any number of times, and in several workers at once: each survey is claimed once."""
    now = now or clock.now()
    settled = 0
    while True:
        due = await Survey.raw(
            "SELECT id FROM survey WHERE paid_at IS NULL "
            "AND (closed_at IS NOT NULL OR closes_at <= {}) ORDER BY closes_at, id LIMIT {}",
            now,
            SETTLE_BATCH,
        )
        for row in due:
            async with DB.transaction():
                awarded = await _settle(row["id"], now)
            if awarded is not None:
                settled += 1
                await events.points_awarded(awarded)
        if len(due) < SETTLE_BATCH:
            return settled


async def delete_survey(org_id: UUID, survey_id: UUID) -> None:
    """Delete a survey nobody answered (a mistake, a duplicate). One with answers stays: the
    people who answered were promised their answers count (close it instead)."""
    async with DB.transaction():
        await _admin_row(org_id, survey_id, lock="FOR UPDATE OF s")  # waits for answers in flight
        if await _has_answers(survey_id):
            raise Conflict(
                msg(
                    "This survey has answers, so it stays: close it instead, and its results show "
                    "once it is closed."
                )
            )
        await Survey.raw("DELETE FROM survey WHERE id = {}", survey_id)


async def results(org_id: UUID, survey_id: UUID) -> SurveyResults:
    """The aggregate of a closed survey's established answers, from ANONYMITY_THRESHOLD of
    them on. Before the survey closes, and below the threshold, nothing is filled in: not the
    figures, not how many answered. Answers from late accounts are kept out of both the
    threshold and the figures (see the module's docstring)."""
    now = clock.now()
    audience = await _audience(org_id)
    async with DB.transaction():
        row = await _admin_row(org_id, survey_id)
        survey = _read(row, audience, now)
        answers: list[dict[str, Any]] = []
        if survey.status == "closed":
            # Wait for an answer that came in just before the end to be committed (it holds
            # the row's shared lock): two reads after the close always agree.
            await _admin_row(org_id, survey_id, lock="FOR NO KEY UPDATE OF s")
            rows = await Survey.raw(
                "SELECT answers FROM survey_answer WHERE survey = {} AND established", survey_id
            )
            answers = [
                msgspec.json.decode(r["answers"]) if isinstance(r["answers"], str) else r["answers"]
                for r in rows
            ]
    shown = survey.status == "closed" and len(answers) >= ANONYMITY_THRESHOLD
    questions = [QuestionResult(id=q.id, text=q.text, kind=q.kind) for q in survey.questions]
    if shown:
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
        status=survey.status,
        closes_at=survey.closes_at,
        closed_at=survey.closed_at,
        invited=survey.invited,
        threshold=ANONYMITY_THRESHOLD,
        shown=shown,
        responses=len(answers) if shown else None,
        questions=questions,
    )
