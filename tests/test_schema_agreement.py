"""The schema is stated three times — the migrations (SQL), the Piccolo tables the code queries
through, and the wire types' `Literal`s — and these tests hold the three to one another.

The database the tests run on was built by running every migration (tests/conftest.py), so it
is the migrations' word: a Piccolo column the migrations never made, a column type or
nullability that differs, a migrated column no table declares, or a wire `Literal` whose values
differ from the column's CHECK constraint fails here instead of at a customer's.
"""

from __future__ import annotations

import re
import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest
from piccolo.conf.apps import Finder

from backend.badges.schemas import BadgeRule, RuleType
from backend.challenges.schemas import ChallengeCreate, ContentPreview, Network, Verification
from backend.community.schemas import FeedEntry, ReactionKind, StoryStatus
from backend.orgs.schemas import RoleName
from backend.orgs.tables import Organization
from backend.rewards.schemas import RedemptionStatus
from backend.submissions.schemas import SubmissionStatus

# Piccolo's column type → what PostgreSQL's information_schema calls it.
PG_TYPE = {
    "VARCHAR": "character varying",
    "TEXT": "text",
    "UUID": "uuid",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "BIGSERIAL": "bigint",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "TIMESTAMPTZ": "timestamp with time zone",
    "TIMESTAMP": "timestamp without time zone",
    "JSONB": "jsonb",
    "BYTEA": "bytea",
}


# Columns whose type Piccolo cannot say exactly, and why the difference is harmless.
TYPE_EXCEPTIONS = {
    # char(32) in SQL (a fixed-length keyed hash); Piccolo has no fixed-length text column
    ("click", "visitor_hash"): ("character varying", "character"),
    ("official_click", "visitor_hash"): ("character varying", "character"),
}


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await Organization.raw(sql, *args)  # type: ignore[no-any-return]


def _tables() -> list[Any]:
    return sorted(Finder().get_table_classes(), key=lambda t: t._meta.tablename)


def _pg_type(column: Any) -> str:
    kind = column.column_type.split("(")[0].upper()
    if kind.endswith("[]"):
        return "ARRAY"
    return PG_TYPE.get(kind, kind.lower())


async def _db_columns() -> dict[str, dict[str, tuple[str, bool]]]:
    found: dict[str, dict[str, tuple[str, bool]]] = {}
    for row in await _rows(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'public'"
    ):
        found.setdefault(row["table_name"], {})[row["column_name"]] = (
            row["data_type"],
            row["is_nullable"] == "YES",
        )
    return found


def test_every_piccolo_app_is_registered():
    tables = {t._meta.tablename for t in _tables()}
    assert {"organization", "app_user", "challenge", "submission", "points_ledger"} <= tables


async def test_every_piccolo_column_is_migrated_with_its_type_and_nullability(app):
    db = await _db_columns()
    wrong: list[str] = []
    for table in _tables():
        name = table._meta.tablename
        if name not in db:
            wrong.append(f"{name}: table not created by any migration")
            continue
        for column in table._meta.columns:
            column_name = column._meta.db_column_name
            if column_name not in db[name]:
                wrong.append(f"{name}.{column_name}: declared in Piccolo, not migrated")
                continue
            data_type, nullable = db[name][column_name]
            if (data_type != _pg_type(column)) and TYPE_EXCEPTIONS.get((name, column_name)) != (
                _pg_type(column),
                data_type,
            ):
                wrong.append(f"{name}.{column_name}: Piccolo {_pg_type(column)}, DB {data_type}")
            if column._meta.primary_key:
                continue
            if nullable != column._meta.null:
                wrong.append(
                    f"{name}.{column_name}: Piccolo null={column._meta.null}, DB null={nullable}"
                )
    assert wrong == [], "\n".join(wrong)


async def test_every_migrated_column_is_declared_by_its_piccolo_table(app):
    db = await _db_columns()
    undeclared = [
        f"{table._meta.tablename}.{column}"
        for table in _tables()
        for column in sorted(db.get(table._meta.tablename, {}))
        if column not in {c._meta.db_column_name for c in table._meta.columns}
    ]
    assert undeclared == [], "\n".join(undeclared)


async def test_every_migrated_table_has_a_piccolo_table(app):
    # `migration` is Piccolo's own record of the migrations it ran, not part of the schema
    migrated = {
        row["table_name"]
        for row in await _rows(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_name <> 'migration'"
        )
    }
    undeclared = sorted(migrated - {t._meta.tablename for t in _tables()})
    assert undeclared == [], "migrated, no Piccolo table: " + ", ".join(undeclared)


def _literal_values(annotation: Any) -> set[str]:
    """The strings a Literal allows, through `| None`, `| UnsetType` and aliases."""
    if get_origin(annotation) is Literal:
        return {str(value) for value in get_args(annotation)}
    if get_origin(annotation) in (Union, types.UnionType):
        return set().union(*(_literal_values(arg) for arg in get_args(annotation)))
    return set()


def _field(struct: type, name: str) -> Any:
    return get_type_hints(struct)[name]


# (wire type, table, column): the wire promises exactly the values the database accepts.
AGREEMENTS = [
    (RoleName, "app_user", "role"),
    (RoleName, "invite", "role"),
    (Network, "share_link", "network"),
    (Network, "submission", "network"),
    (Network, "official_link", "network"),
    (Verification, "challenge", "verification"),
    (_field(ChallengeCreate, "kind"), "challenge", "kind"),
    (_field(ContentPreview, "status"), "challenge", "preview_status"),
    (SubmissionStatus, "submission", "status"),
    (StoryStatus, "story", "status"),
    (ReactionKind, "reaction", "kind"),
    (_field(FeedEntry, "kind"), "feed_item", "kind"),
    (RuleType, "badge", "rule_type"),
    (RedemptionStatus, "redemption", "status"),
    (_field(BadgeRule, "period"), "badge", "period"),
]


@pytest.mark.parametrize(
    ("wire", "table", "column"), AGREEMENTS, ids=[f"{t}.{c}" for _, t, c in AGREEMENTS]
)
async def test_wire_literals_allow_exactly_what_the_check_constraints_allow(
    app, wire, table, column
):
    definitions = [
        row["def"]
        for row in await _rows(
            "SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'c' AND t.relname = {}",
            table,
        )
    ]
    allowed = [
        set(re.findall(r"'([^']*)'::", d))
        for d in definitions
        if re.match(rf"CHECK \(+\(?{column}\)?(::text)? = ANY", d)
    ]
    assert len(allowed) == 1, definitions  # exactly one IN (...) constraint on the column
    assert _literal_values(wire) == allowed[0]
