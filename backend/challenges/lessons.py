"""A lesson challenge's content: sections to read and a quiz, checked and stored.

The invariant: a quiz's answers live in one column (`lesson.answers`) that only grading
(backend/challenges/quiz.py) and the admin's editor read. Every read an employee can reach
joins `lesson` for `LESSON_COLUMNS`, which does not name it, so no employee answer, cached or
not, can carry it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from backend.challenges.schemas import (
    LessonEdit,
    LessonRead,
    LessonSection,
    QuizQuestionRead,
    QuizQuestionWrite,
)
from backend.challenges.tables import Lesson
from backend.core.errors import Invalid
from backend.core.i18n import msg
from backend.core.text import clean_text
from backend.fetch.urls import ascii_url, check_public_url

# What the challenge reads select of a lesson (see the module's docstring): never `answers`.
LESSON_COLUMNS = (
    "l.sections AS lesson_sections, l.questions AS lesson_questions, "
    "l.pass_mark AS lesson_pass_mark"
)
LESSON_JOIN = "LEFT JOIN lesson l ON l.challenge = c.id"


class CheckedLesson(msgspec.Struct, frozen=True):
    sections: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    answers: list[int]


def _image_url(url: str, field: str) -> str:
    try:
        checked = ascii_url(check_public_url(url))
    except ValueError as exc:
        raise Invalid(
            msg("Check the image's link: {problem}", problem=exc.args[0] if exc.args else str(exc)),
            field=field,
        ) from exc
    if not checked.startswith("https://"):
        raise Invalid(msg("An image's link starts with https://."), field=field)
    return checked


def check_sections(sections: list[LessonSection] | None) -> list[dict[str, Any]]:
    if not sections:
        raise Invalid(msg("A lesson needs at least one section to read."), field="sections")
    checked = []
    for n, section in enumerate(sections):
        item: dict[str, Any] = {
            "heading": clean_text(section.heading, f"sections[{n}].heading"),
            "body": clean_text(section.body, f"sections[{n}].body", multiline=True),
        }
        if section.image_url:
            item["imageUrl"] = _image_url(section.image_url, f"sections[{n}].imageUrl")
        checked.append(item)
    return checked


def check_quiz(quiz: list[QuizQuestionWrite] | None) -> tuple[list[dict[str, Any]], list[int]]:
    """The questions as employees see them, and the answers apart."""
    if not quiz:
        raise Invalid(msg("A lesson needs a quiz of at least one question."), field="quiz")
    questions, answers = [], []
    for n, item in enumerate(quiz):
        options = [
            clean_text(option, f"quiz[{n}].options[{k}]") for k, option in enumerate(item.options)
        ]
        if len({option.casefold() for option in options}) != len(options):
            raise Invalid(msg("Give each option its own words."), field=f"quiz[{n}].options")
        if not 0 <= item.answer < len(options):
            raise Invalid(
                msg(
                    "The right answer is one of the {n} options (0 to {last}).",
                    n=len(options),
                    last=len(options) - 1,
                ),
                field=f"quiz[{n}].answer",
            )
        questions.append(
            {"question": clean_text(item.question, f"quiz[{n}].question"), "options": options}
        )
        answers.append(item.answer)
    return questions, answers


def check_lesson(
    sections: list[LessonSection] | None, quiz: list[QuizQuestionWrite] | None
) -> CheckedLesson:
    checked_sections = check_sections(sections)
    questions, answers = check_quiz(quiz)
    return CheckedLesson(checked_sections, questions, answers)


async def store(org_id: UUID, challenge_id: UUID, lesson: CheckedLesson, pass_mark: int) -> None:
    """Write a new lesson's content (in the caller's transaction)."""
    await Lesson.raw(
        "INSERT INTO lesson (challenge, org, sections, questions, answers, pass_mark) "
        "VALUES ({}, {}, {}::jsonb, {}::jsonb, {}, {})",
        challenge_id,
        org_id,
        msgspec.json.encode(lesson.sections).decode(),
        msgspec.json.encode(lesson.questions).decode(),
        lesson.answers,
        pass_mark,
    )


async def update(
    challenge_id: UUID,
    *,
    sections: list[dict[str, Any]] | None,
    quiz: tuple[list[dict[str, Any]], list[int]] | None,
    pass_mark: int | None,
) -> None:
    """Change what was given of a lesson's content (in the caller's transaction)."""
    if sections is not None:
        await Lesson.raw(
            "UPDATE lesson SET sections = {}::jsonb WHERE challenge = {}",
            msgspec.json.encode(sections).decode(),
            challenge_id,
        )
    if quiz is not None:
        await Lesson.raw(
            "UPDATE lesson SET questions = {}::jsonb, answers = {} WHERE challenge = {}",
            msgspec.json.encode(quiz[0]).decode(),
            quiz[1],
            challenge_id,
        )
    if pass_mark is not None:
        await Lesson.raw(
            "UPDATE lesson SET pass_mark = {} WHERE challenge = {}", pass_mark, challenge_id
        )


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def lesson_read(row: dict[str, Any]) -> LessonRead | None:
    """The employee's view of a challenge row's lesson (selected with LESSON_COLUMNS)."""
    if row.get("lesson_sections") is None:
        return None
    return LessonRead(
        sections=msgspec.convert(_json(row["lesson_sections"]), list[LessonSection]),
        quiz=msgspec.convert(_json(row["lesson_questions"]), list[QuizQuestionRead]),
        pass_mark=row["lesson_pass_mark"],
    )


async def lesson_edit(challenge_id: UUID) -> LessonEdit | None:
    """The admin's view: the questions with their answers."""
    rows = await Lesson.raw(
        "SELECT sections, questions, answers, pass_mark FROM lesson WHERE challenge = {}",
        challenge_id,
    )
    if not rows:
        return None
    row = rows[0]
    questions = _json(row["questions"])
    return LessonEdit(
        sections=msgspec.convert(_json(row["sections"]), list[LessonSection]),
        quiz=[
            QuizQuestionWrite(question=q["question"], options=q["options"], answer=answer)
            for q, answer in zip(questions, row["answers"], strict=True)
        ],
        pass_mark=row["pass_mark"],
    )
