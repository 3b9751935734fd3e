"""Taking a lesson's quiz: graded on the server, paid once per person, on the first pass.

The invariant: a person's attempts at one lesson are graded one at a time (the person's lock,
`pg_advisory_xact_lock(hashtext(<user>))`, the lock their badges are derived under), and the
pass that pays writes the ledger row `lesson:<challenge>:<user>` in the same transaction as
its attempt; a key written once is never written again, so however many passes arrive, at
once or later, the lesson's points are paid once. Failed attempts are recorded too, and each
person may try `ATTEMPTS_PER_HOUR` times an hour per lesson.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID, uuid4

import msgspec
from redis.asyncio import Redis

from backend import events
from backend.challenges import cache
from backend.challenges.schemas import QuizResult
from backend.challenges.service import effective_status, visible_challenge
from backend.challenges.tables import LessonAttempt
from backend.core import clock
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import Message, msg, msg_n
from backend.core.identity import CurrentUser
from backend.db import DB
from backend.points.service import LedgerEntry, append
from backend.ratelimit import count_attempt

log = logging.getLogger("chorus.lessons")

ATTEMPTS_PER_HOUR = 10
REASON = "lesson"

# Why a quiz takes no answers, by the lesson's status (whole sentences: words agree in gender)
_NOT_ACTIVE: dict[str, Message] = {
    "draft": msg("This lesson is draft: its quiz does not take answers now."),
    "archived": msg("This lesson is archived: its quiz does not take answers now."),
    "scheduled": msg("This lesson is scheduled: its quiz does not take answers now."),
    "ended": msg("This lesson is ended: its quiz does not take answers now."),
}

# What a higher domain does when someone passes a lesson that pays no points (badges: the
# "learner" rule); a paid pass announces itself through the ledger's event like any award.
# Registered by the composition root (backend/subscribers.py).
_on_unpaid_pass: Callable[[UUID], Awaitable[Any]] | None = None


def react_to_unpaid_passes(handler: Callable[[UUID], Awaitable[Any]] | None) -> None:
    global _on_unpaid_pass
    _on_unpaid_pass = handler


def ledger_key(challenge_id: UUID, user_id: UUID) -> str:
    return f"lesson:{challenge_id}:{user_id}"


def grade(answers: list[int], right: list[int]) -> int:
    """The per cent of questions answered right, rounded half up."""
    correct = sum(1 for given, expected in zip(answers, right, strict=True) if given == expected)
    return (200 * correct + len(right)) // (2 * len(right))


async def take_quiz(
    user: CurrentUser, challenge_id: UUID, answers: list[int], redis: Redis
) -> QuizResult:
    """Grade one attempt; pay the lesson's points if it is the person's first pass."""
    row = await visible_challenge(user, challenge_id)
    if row["kind"] != "lesson":
        raise NotFound(msg("This challenge has no quiz."))
    status = effective_status(row["state"], row["starts_at"], row["ends_at"], clock.now())
    if status != "active":
        raise Conflict(_NOT_ACTIVE[status])
    questions = row["lesson_questions"] or []
    if isinstance(questions, str):
        questions = msgspec.json.decode(questions)
    if len(answers) != len(questions):
        raise Invalid(
            msg_n(
                "Answer each of the {n} questions, one answer each ({given} given).",
                "Answer each of the {n} questions, one answer each ({given} given).",
                len(questions),
                n=len(questions),
                given=len(answers),
            ),
            field="answers",
        )
    for n, (given, question) in enumerate(zip(answers, questions, strict=True)):
        if not 0 <= given < len(question["options"]):
            raise Invalid(
                msg(
                    "Question {number} has {n} options (0 to {last}).",
                    number=n + 1,
                    n=len(question["options"]),
                    last=len(question["options"]) - 1,
                ),
                field=f"answers[{n}]",
            )
    await count_attempt(
        redis,
        f"chorus:quiz:{challenge_id}:{user.id}",
        ATTEMPTS_PER_HOUR,
        3600,
        "attempts at this quiz",
    )
    awarded: list[events.PointsAwarded] = []
    async with DB.transaction():
        # first the lock, then the read: its snapshot then holds every attempt committed before
        await LessonAttempt.raw("SELECT pg_advisory_xact_lock(hashtext({}))", str(user.id))
        locked = await LessonAttempt.raw(
            "SELECT l.answers, l.pass_mark, "
            "EXISTS (SELECT 1 FROM lesson_attempt a WHERE a.challenge = l.challenge "
            'AND a."user" = {} AND a.passed) AS passed_before '
            "FROM lesson l WHERE l.challenge = {}",
            user.id,
            challenge_id,
        )
        if not locked:
            raise NotFound(msg("This challenge has no quiz."))
        lesson = locked[0]
        right = list(lesson["answers"])
        if len(right) != len(answers):  # the quiz was edited between the two reads
            raise Conflict(msg("This quiz has just changed: open the lesson again."))
        score = grade(answers, right)
        passed = score >= lesson["pass_mark"]
        paid = 0
        if passed and not lesson["passed_before"]:
            awarded = await append(
                [
                    LedgerEntry(
                        org_id=user.org_id,
                        user_id=user.id,
                        team_id=user.team_id,
                        delta=row["points"],
                        reason=REASON,
                        idempotency_key=ledger_key(challenge_id, user.id),
                        challenge_id=challenge_id,
                    )
                ]
            )
            paid = sum(event.delta for event in awarded)
        await LessonAttempt.raw(
            'INSERT INTO lesson_attempt (id, org, challenge, "user", answers, score, passed, '
            "points_awarded) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
            uuid4(),
            user.org_id,
            challenge_id,
            user.id,
            answers,
            score,
            passed,
            paid,
        )
    first_pass = passed and not lesson["passed_before"]
    if first_pass:
        log.info("lesson passed", extra={"challenge": str(challenge_id), "user": str(user.id)})
        # the cards read "verified" from now on, in every API process
        await cache.announce_person(user.org_id, user.id)
        if awarded:
            await events.points_awarded(awarded)  # boards, badges, level, push
        elif _on_unpaid_pass is not None:
            await _on_unpaid_pass(user.id)
    return QuizResult(
        passed=passed, score=score, points_awarded=paid, pass_mark=lesson["pass_mark"]
    )
