"""Pulse surveys. The schema lives in migrations/surveys/."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, Array, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db import DB
from backend.orgs.tables import Organization, User


class Survey(Table, tablename="survey", db=DB):
    id = UUID(primary_key=True)
    org = ForeignKey(references=Organization)
    title = Varchar(length=120)
    intro = Varchar(length=500)
    questions = JSONB()
    audience_team_ids = Array(base_column=UUID())
    points = Integer()
    opens_at = Timestamptz()
    closes_at = Timestamptz()
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class SurveyAnswer(Table, tablename="survey_answer", db=DB):
    id = UUID(primary_key=True)
    survey = ForeignKey(references=Survey)
    answers = JSONB()
