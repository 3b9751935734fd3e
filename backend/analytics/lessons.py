"""Lessons in the analytics: completion per lesson and per team over a range of days.

Every figure is SQL over the truth (the quiz attempts, the challenges, the people) for one
organization and a range of whole days in its timezone. A lesson counts in the range when it
ran during it or was answered during it; a pass counts once per person and lesson, on the
day of that person's first pass; people count in their current team, as in impact.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any
from uuid import UUID

from backend.analytics.measures import day_range, ratio
from backend.analytics.schemas import LessonAnalytics, LessonMetrics, LessonTeamMetrics
from backend.analytics.tables import OfficialLink


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await OfficialLink.raw(sql, *args)  # type: ignore[no-any-return]


async def lesson_analytics(org_id: UUID, first: date | None, last: date | None) -> LessonAnalytics:
    """Per lesson: attempts, people who passed, completion; per team: passes out of possible."""
    span = await day_range(org_id, first, last)
    members = await _rows("SELECT id, team FROM app_user WHERE org = {} AND active", org_id)
    team_sizes: dict[UUID | None, int] = defaultdict(int)
    team_of: dict[UUID, UUID | None] = {}
    for m in members:
        team_sizes[m["team"]] += 1
        team_of[m["id"]] = m["team"]
    teams = {
        r["id"]: r["name"] for r in await _rows("SELECT id, name FROM team WHERE org = {}", org_id)
    }
    attempts = await _rows(
        'SELECT challenge, "user", count(*) AS attempts, sum(score) AS scores, '
        "bool_or(passed) AS passed FROM lesson_attempt "
        'WHERE org = {} AND created_at >= {} AND created_at < {} GROUP BY challenge, "user"',
        org_id,
        span.start,
        span.end,
    )
    # a pass counts in the range of the person's first pass only
    first_passes = {
        (r["challenge"], r["user"])
        for r in await _rows(
            'SELECT challenge, "user" FROM lesson_attempt WHERE org = {} AND passed '
            'GROUP BY challenge, "user" HAVING min(created_at) >= {} AND min(created_at) < {}',
            org_id,
            span.start,
            span.end,
        )
    }
    answered = {r["challenge"] for r in attempts}
    lessons = {
        r["id"]: r
        for r in await _rows(
            "SELECT id, title, audience_team_ids, state, starts_at, ends_at FROM challenge "
            "WHERE org = {} AND kind = 'lesson'",
            org_id,
        )
        if r["id"] in answered
        or (r["state"] == "published" and r["starts_at"] < span.end and r["ends_at"] > span.start)
    }

    def audience_teams(lesson: dict[str, Any]) -> list[UUID | None] | None:
        return list(lesson["audience_team_ids"]) or None  # None: everyone

    def open_to(lesson: dict[str, Any]) -> int:
        audience = audience_teams(lesson)
        return len(members) if audience is None else sum(team_sizes[t] for t in audience)

    by_lesson: list[LessonMetrics] = []
    team_passes: dict[UUID | None, int] = defaultdict(int)
    team_learners: dict[UUID | None, set[UUID]] = defaultdict(set)
    for lesson_id, lesson in lessons.items():
        rows = [r for r in attempts if r["challenge"] == lesson_id]
        passed = [u for (c, u) in first_passes if c == lesson_id]
        for user in passed:
            team = team_of.get(user)
            team_passes[team] += 1
            team_learners[team].add(user)
        tries = sum(int(r["attempts"]) for r in rows)
        members_open = open_to(lesson)
        by_lesson.append(
            LessonMetrics(
                challenge_id=lesson_id,
                title=lesson["title"],
                members=members_open,
                attempted=len(rows),
                passed=len(passed),
                completion_rate=ratio(len(passed), members_open),
                attempts=tries,
                average_score=ratio(sum(int(r["scores"]) for r in rows), tries, 1),
            )
        )
    by_team: list[LessonTeamMetrics] = []
    for team_id, size in team_sizes.items():
        possible = sum(
            size
            for lesson in lessons.values()
            if (audience := audience_teams(lesson)) is None or team_id in audience
        )
        by_team.append(
            LessonTeamMetrics(
                team_id=team_id,
                name=teams.get(team_id, "No team") if team_id else "No team",
                members=size,
                learners=len(team_learners[team_id]),
                passes=team_passes[team_id],
                possible=possible,
                completion_rate=ratio(team_passes[team_id], possible),
            )
        )
    return LessonAnalytics(
        from_date=span.first,
        to_date=span.last,
        timezone=span.timezone,
        by_lesson=sorted(by_lesson, key=lambda m: (-m.passed, m.title)),
        by_team=sorted(by_team, key=lambda m: (-(m.completion_rate or 0), m.name)),
    )
