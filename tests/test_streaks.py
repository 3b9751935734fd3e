"""Weekly streaks, driven by a clock and ledger rows at chosen times, never by waiting."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from backend import events
from backend.badges.streaks import Streak, streak_for, streak_from
from backend.core import clock
from backend.db import DB
from backend.points.tables import PointsLedger
from tests.helpers import add_member, bearer, ledger_award, signup
from workers.tasks import warn_streaks_at_risk

MONDAY = date(2026, 10, 5)


def weeks(*offsets: int) -> set[date]:
    return {MONDAY + timedelta(weeks=n) for n in offsets}


def test_consecutive_weeks_count_and_a_gap_breaks_them():
    assert streak_from(weeks(0, 1, 2), MONDAY + timedelta(weeks=2)) == Streak(3, 0, True)
    assert streak_from(weeks(0, 1, 3), MONDAY + timedelta(weeks=3)) == Streak(1, 0, True)
    assert streak_from(set(), MONDAY) == Streak(0, 0, False)


def test_the_week_under_way_never_breaks_a_streak():
    assert streak_from(weeks(0, 1), MONDAY + timedelta(weeks=2)) == Streak(2, 0, False)
    assert streak_from(weeks(0, 1), MONDAY + timedelta(weeks=3)) == Streak(0, 0, False)


def test_four_active_weeks_earn_a_freeze_that_a_missed_week_spends():
    # weeks 0-3 active (a freeze), week 4 missed (spent), week 5 active: the streak holds
    assert streak_from(weeks(0, 1, 2, 3, 5), MONDAY + timedelta(weeks=5)) == Streak(5, 0, True)
    # a second missed week with no freeze left ends it
    assert streak_from(weeks(0, 1, 2, 3, 6), MONDAY + timedelta(weeks=6)) == Streak(1, 0, True)


def test_at_most_two_freezes_are_held():
    twelve = weeks(*range(12))
    assert streak_from(twelve, MONDAY + timedelta(weeks=11)).freezes == 2
    # three missed weeks: two freezes cover two, the third ends the streak
    assert streak_from(twelve | weeks(15), MONDAY + timedelta(weeks=15)) == Streak(1, 0, True)


def test_a_streak_runs_across_the_year_boundary():
    # ISO weeks 52 and 53 of 2026, then week 1 of 2027
    active = {date(2026, 12, 21), date(2026, 12, 28), date(2027, 1, 4)}
    assert streak_from(active, date(2027, 1, 4)) == Streak(3, 0, True)


async def _verified_at(org_id: UUID, user_id: UUID, at: datetime) -> None:
    await ledger_award(org_id, user_id, 10, at=at, reason="share_verified", announce=False)


async def test_weeks_are_counted_in_the_persons_timezone(client):
    admin = await signup(client)
    person = await add_member(client, admin)
    org_id, user_id = UUID(admin.org_id), UUID(person.user_id)
    # Monday 2026-11-30 02:00 UTC is still Sunday evening in New York
    await _verified_at(org_id, user_id, datetime(2026, 11, 30, 2, 0, tzinfo=UTC))
    await _verified_at(org_id, user_id, datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    thursday = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    assert await streak_for(user_id, "UTC", thursday) == Streak(2, 0, True)
    in_new_york = await streak_for(user_id, "America/New_York", thursday)
    assert in_new_york == Streak(1, 0, False)  # both shares fell in the same local week


async def test_me_shows_the_streak_and_a_revoked_share_does_not_count(client, monkeypatch):
    admin = await signup(client)
    person = await add_member(client, admin)
    org_id, user_id = UUID(admin.org_id), UUID(person.user_id)
    now = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: now)
    for back in range(5):
        await _verified_at(org_id, user_id, now - timedelta(weeks=back))
    me = (await client.get("/api/v1/me", headers=bearer(person))).json()
    assert (me["streakWeeks"], me["streakFreezes"]) == (5, 1)
    latest = (
        await PointsLedger.select(PointsLedger.submission)
        .where(PointsLedger.created_at == now)
        .first()
    )
    await PointsLedger.raw(
        'INSERT INTO points_ledger (org, "user", delta, reason, idempotency_key) '
        "VALUES ({}, {}, -10, 'revoked', {})",
        org_id,
        user_id,
        f"revoke:{latest['submission']}",
    )
    me = (await client.get("/api/v1/me", headers=bearer(person))).json()
    assert me["streakWeeks"] == 4  # this week has nothing verified any more, and is not over


async def test_streak_at_risk_is_told_once_late_in_the_week(app, client, monkeypatch):
    admin = await signup(client)
    person = await add_member(client, admin)
    idle = await add_member(client, admin)
    org_id = UUID(admin.org_id)
    await DB.run_ddl(f"UPDATE app_user SET timezone = 'Europe/Paris' WHERE id = '{person.user_id}'")
    friday_morning = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # 10:00 in Paris: too early
    for back in (1, 2):
        await _verified_at(org_id, UUID(person.user_id), friday_morning - timedelta(weeks=back))
    notices: list[events.UserNotice] = []

    async def collect(notice: events.UserNotice) -> None:
        notices.append(notice)

    events.on_user_notice(collect)
    try:
        monkeypatch.setattr(clock, "now", lambda: friday_morning)
        assert await warn_streaks_at_risk({"redis": app.state.redis}) == 0
        friday_afternoon = friday_morning + timedelta(hours=5)
        monkeypatch.setattr(clock, "now", lambda: friday_afternoon)
        assert await warn_streaks_at_risk({"redis": app.state.redis}) == 1
        assert await warn_streaks_at_risk({"redis": app.state.redis}) == 0  # once a week
    finally:
        events.remove_notice_subscriber(collect)
    assert [(str(n.user_id), n.kind, n.data["weeks"]) for n in notices] == [
        (person.user_id, "streak_at_risk", 2)
    ]
    assert idle.user_id not in {str(n.user_id) for n in notices}


async def test_four_weeks_in_a_row_earn_the_streak_badge(client, monkeypatch):
    from backend.badges import service as badges

    admin = await signup(client)
    person = await add_member(client, admin)
    org_id, user_id = UUID(admin.org_id), UUID(person.user_id)
    now = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: now)
    for back in (1, 2, 3):
        await _verified_at(org_id, user_id, now - timedelta(weeks=back))
    assert "streak-4" not in await badges.evaluate(user_id)
    await _verified_at(org_id, user_id, now)
    assert "streak-4" in await badges.evaluate(user_id)
    assert await badges.evaluate(user_id) == []  # and only once
