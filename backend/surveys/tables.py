"""Pulse surveys. The schema lives in migrations/surveys/."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    Boolean,
    ForeignKey,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, User


class Survey(Table, tablename="survey", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization, null=False)
    title = Varchar(length=120)
    intro = Varchar(length=500)
    questions = JSONB()
    audience_team_ids = Array(base_column=UUID())
    points = Integer()
    opens_at = Timestamptz()
    closes_at = Timestamptz()
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)  # an admin closed it before its end
    paid_at = Timestamptz(null=True, default=None)  # the answering points were paid, once


class SurveyAnswer(Table, tablename="survey_answer", db=DB):
    id = UUID(primary_key=True)
    survey = ForeignKey(references=Survey, null=False)
    answers = JSONB()
    # false when the answering account was made after the survey: kept, never counted
    established = Boolean(default=True)


class SurveyParticipation(Table, tablename="survey_participation", db=DB):
    """Who took part, with no link to what they said (survey_answer has no person, no time)."""

    # The database's primary key is (survey, "user"): one answer per person. Piccolo has no
    # composite keys, so it is told `survey` is the key — which it is not on its own: query
    # with both columns, never through an object's save() or remove().
    survey = ForeignKey(references=Survey, null=False, primary_key=True)
    user = ForeignKey(references=User, null=False)
