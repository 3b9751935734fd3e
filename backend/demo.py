"""`chorus dev --demo`: a demo organization (an admin, 2 teams, 8 employees) made through the
same services real sign-ups and invites use. Idempotent: a second run only prints how to sign in.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
from redis.asyncio import Redis

from backend.challenges import service as challenges
from backend.challenges.demo_lessons import LESSONS
from backend.challenges.schemas import ChallengeCreate, PillarCreate
from backend.core import clock
from backend.core.identity import CurrentUser
from backend.db import DB
from backend.leaderboards.boards import rebuild_locked
from backend.orgs import service
from backend.orgs.schemas import AcceptInviteCreate, InviteCreate, SignupCreate, TeamCreate
from backend.orgs.tables import Team, User
from backend.rewards import service as rewards
from backend.rewards.schemas import RewardCreate
from backend.settings import get_settings

DEMO_ORG = "Northwind Demo"
DEMO_ADMIN = "admin@northwind.example"
DEMO_TEAMS = {
    "Marketing": ["Priya Natarajan", "Tom Becker", "Aiko Tanaka", "Luis Romero"],
    "Engineering": ["Sam Okafor", "Emma Lindqvist", "Noah Cohen", "Zoe Martin"],
}


# a team lead of Marketing, so a newcomer can try the lead's view (the team's dashboard)
DEMO_LEAD = ("Maya Fischer", "Marketing")


def _email(name: str) -> str:
    first, last = name.lower().split(" ", 1)
    return f"{first}.{last.replace(' ', '')}@northwind.example"


def demo_password(data_dir: Path) -> str:
    """One random demo password per data directory (never a password in the repo)."""
    path = data_dir / "demo-password"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


PILLARS = {
    "Customers first": "Our customers' wins are our wins: we tell their stories with them.",
    "Built by engineers": "How we build, what we learned, and the people behind it.",
    "Life at Northwind": "What it is like to work here, in our own words.",
}
CHALLENGES = [
    # title, pillar, networks, points, days left, team goal
    ("Share our winter product launch", "Built by engineers", ["linkedin", "x"], 50, 6, None),
    ("Celebrate our customer award", "Customers first", ["linkedin", "facebook"], 30, 12, 6),
    (
        "We're hiring backend engineers",
        "Life at Northwind",
        ["linkedin", "x", "email"],
        40,
        2,
        None,
    ),
]
# Points each person earned in earlier weeks (weeks ago → points), so boards have a history.
HISTORY = [120, 90, 75, 60, 45, 40, 25, 10]


async def _seed_program(admin: CurrentUser) -> None:
    """Pillars, three open challenges and some earlier points, so every screen has content."""
    pillars = {}
    for title, message in PILLARS.items():
        made_pillar = await challenges.create_pillar(
            admin, PillarCreate(title=title, message=message)
        )
        pillars[title] = made_pillar.id
    now = clock.now()
    for title, pillar, networks, points, days, goal in CHALLENGES:
        body: dict[str, Any] = {
            "title": title,
            "description": f"{title}: a two-minute share that helps a lot.",
            "contentUrl": f"https://northwind.example/news/{challenges.slugify(title)}",
            "pillarId": str(pillars[pillar]),
            "networks": networks,
            "points": points,
            "clickPoints": 2,
            "hashtags": ["northwind"],
            "shareText": {
                "linkedin": f"{title} — proud to be part of it.",
                "x": f"{title}!",
            },
            "startsAt": (now - timedelta(hours=2)).isoformat(),
            "endsAt": (now + timedelta(days=days)).isoformat(),
            "verification": "auto",
        }
        if goal:
            body["teamGoal"] = {"shares": goal, "bonus": 20}
        made = await challenges.create_challenge(admin, msgspec.convert(body, ChallengeCreate))
        await challenges.publish(admin, made.id)
    for lesson in LESSONS:  # training: three lessons open for two months
        starts, ends = now - timedelta(hours=2), now + timedelta(days=60)
        body = {**lesson, "kind": "lesson", "startsAt": starts, "endsAt": ends}
        made = await challenges.create_challenge(admin, msgspec.convert(body, ChallengeCreate))
        await challenges.publish(admin, made.id)
    people = await User.raw(
        "SELECT id, team FROM app_user WHERE org = {} AND role = 'employee' "
        "ORDER BY created_at, id",
        admin.org_id,
    )
    for n, (person, points) in enumerate(zip(people, HISTORY, strict=False)):
        for weeks_ago, share in (
            (0, points // 3),
            (1, points // 3),
            (3, points - 2 * (points // 3)),
        ):
            if share <= 0:
                continue
            await User.raw(
                'INSERT INTO points_ledger (org, "user", team, delta, reason, idempotency_key, '
                "created_at) VALUES ({}, {}, {}, {}, 'demo_history', {}, {})",
                admin.org_id,
                person["id"],
                person["team"],
                share,
                f"demo:{person['id']}:{weeks_ago}",
                now - timedelta(weeks=weeks_ago, hours=n),
            )


REWARDS = [
    # name, description, cost, stock, value in cents
    ("Coffee voucher", "A coffee of your choice at the café downstairs.", 50, None, 350),
    ("Northwind hoodie", "Our warm grey hoodie, in your size.", 300, 20, 4500),
    ("A donation to charity", "10 € to this month's charity, in your name.", 100, None, 1000),
]


async def _seed_rewards(admin: CurrentUser) -> None:
    """A small rewards catalogue, and one coffee requested by the top scorer to hand out."""
    top = await User.raw(
        "SELECT id FROM app_user WHERE org = {} AND role = 'employee' ORDER BY created_at, id "
        "LIMIT 1",
        admin.org_id,
    )
    person = await service.load_current_user(top[0]["id"], admin.org_id) if top else None
    async with DB.transaction():  # the rewards service queries on a transaction or the pool
        made = [
            await rewards.create_reward(
                admin,
                RewardCreate(
                    name=name, description=description, cost=cost, stock=stock, value_cents=value
                ),
            )
            for name, description, cost, stock, value in REWARDS
        ]
        if person is not None:
            await rewards.redeem(person, made[0].id)  # the coffee


async def _seed_lead(password: str) -> None:
    """The demo's team lead (also added to a demo organization seeded before there was one)."""
    name, team_name = DEMO_LEAD
    if await User.exists().where(User.email == _email(name)):
        return
    row = await User.select(User.id, User.org).where(User.email == DEMO_ADMIN).first()
    if row is None:
        return
    admin = await service.load_current_user(row["id"], row["org"])
    team = await Team.select(Team.id).where((Team.org == row["org"]) & (Team.name == team_name))
    if admin is None or not team:
        return
    invite = InviteCreate(email=_email(name), role="lead", team_id=team[0]["id"])
    _, token, _, _ = await service.create_invite(admin, invite, 24, "")
    await service.accept_invite(
        msgspec.convert(
            {"token": token, "displayName": name, "password": password}, AcceptInviteCreate
        )
    )


async def seed_demo(data_dir: Path) -> list[str]:
    password = demo_password(data_dir)
    if not await User.exists().where(User.email == DEMO_ADMIN):
        _, admin_id = await service.signup(
            SignupCreate(
                org_name=DEMO_ORG, email=DEMO_ADMIN, password=password, display_name="Alex Admin"
            )
        )
        row = await User.select(User.org).where(User.id == admin_id).first()
        assert row is not None
        admin = await service.load_current_user(admin_id, row["org"])
        assert admin is not None
        for team_name, people in DEMO_TEAMS.items():
            team = await service.create_team(admin, TeamCreate(name=team_name))
            for person in people:
                invite = InviteCreate(email=_email(person), role="employee", team_id=team.id)
                _, token, _, _ = await service.create_invite(admin, invite, 24, "")
                await service.accept_invite(
                    msgspec.convert(
                        {"token": token, "displayName": person, "password": password},
                        AcceptInviteCreate,
                    )
                )
        await _seed_program(admin)
        await _seed_rewards(admin)
        redis = Redis.from_url(get_settings().redis_url)
        try:
            await rebuild_locked(redis, admin.org_id)  # the boards, from the seeded ledger
        finally:
            await redis.aclose()
    await _seed_lead(password)
    employee = _email(DEMO_TEAMS["Marketing"][0])
    return [
        "",
        f"Demo organization: {DEMO_ORG}",
        f"  admin:     {DEMO_ADMIN}",
        f"  team lead: {_email(DEMO_LEAD[0])} (leads {DEMO_LEAD[1]})",
        f"  employee:  {employee} (and 7 more, all *@northwind.example)",
        f"  password:  {password}   (every demo account; kept in {data_dir / 'demo-password'})",
    ]
