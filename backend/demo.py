"""`chorus dev --demo`: a demo organization (an admin, 2 teams, 8 employees) made through the
same services real sign-ups and invites use. Idempotent: a second run only prints how to sign in.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import msgspec

from backend.orgs import service
from backend.orgs.schemas import AcceptInviteCreate, InviteCreate, SignupCreate, TeamCreate
from backend.orgs.tables import User

DEMO_ORG = "Northwind Demo"
DEMO_ADMIN = "admin@northwind.example"
DEMO_TEAMS = {
    "Marketing": ["Priya Natarajan", "Tom Becker", "Aiko Tanaka", "Luis Romero"],
    "Engineering": ["Sam Okafor", "Emma Lindqvist", "Noah Cohen", "Zoe Martin"],
}


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
    employee = _email(DEMO_TEAMS["Marketing"][0])
    return [
        "",
        f"Demo organization: {DEMO_ORG}",
        f"  admin:     {DEMO_ADMIN}",
        f"  employee:  {employee} (and 7 more, all *@northwind.example)",
        f"  password:  {password}   (every demo account; kept in {data_dir / 'demo-password'})",
    ]
