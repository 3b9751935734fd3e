"""Every endpoint that takes a body: wrong types, missing fields, unknown fields, oversized
strings and bodies, broken JSON. Each gets a clear 4xx problem detail and writes nothing."""

from dataclasses import dataclass
from typing import Any

import pytest

from backend.badges.tables import Badge, UserBadge
from backend.challenges.tables import Challenge, Pillar
from backend.notifications.tables import Notification, PushSubscription
from backend.orgs.tables import Invite, Organization, Team, TeamLead, User
from backend.points.tables import PointsLedger
from backend.sharing.tables import ShareLink
from backend.submissions.tables import Submission
from tests.helpers import (
    PASSWORD,
    add_member,
    bearer,
    challenge_body,
    create_challenge,
    create_team,
    invite,
    signup,
)


@dataclass
class Endpoint:
    method: str
    path: str
    body: dict[str, Any]
    required: tuple[str, ...]
    caller: str | None  # which account calls it (None: anonymous)
    nullable: tuple[str, ...] = ()  # required fields where null means something


ENDPOINTS = {
    "signup": Endpoint(
        "POST",
        "/api/v1/auth/signup",
        {
            "orgName": "New Org",
            "email": "n@example.com",
            "password": PASSWORD,
            "displayName": "New",
        },
        ("orgName", "email", "password", "displayName"),
        None,
    ),
    "login": Endpoint(
        "POST",
        "/api/v1/auth/login",
        {"email": "{admin_email}", "password": PASSWORD},
        ("email", "password"),
        None,
    ),
    "accept-invite": Endpoint(
        "POST",
        "/api/v1/auth/accept-invite",
        {"token": "{invite_token}", "displayName": "Invited", "password": PASSWORD},
        ("token", "displayName", "password"),
        None,
    ),
    "update-me": Endpoint(
        "PATCH", "/api/v1/me", {"displayName": "Renamed", "timezone": "Europe/Paris"}, (), "admin"
    ),
    "invite": Endpoint(
        "POST",
        "/api/v1/admin/invites",
        {"email": "i@example.com", "role": "employee"},
        ("email",),
        "admin",
    ),
    "team": Endpoint("POST", "/api/v1/admin/teams", {"name": "Team"}, ("name",), "admin"),
    "challenge": Endpoint(
        "POST",
        "/api/v1/admin/challenges",
        challenge_body(),
        ("title", "contentUrl", "networks", "points", "startsAt", "endsAt"),
        "admin",
    ),
    "update-challenge": Endpoint(
        "PATCH",
        "/api/v1/admin/challenges/{draft_id}",
        {"title": "New title", "points": 9},
        (),
        "admin",
    ),
    "pillar": Endpoint(
        "POST",
        "/api/v1/admin/pillars",
        {"title": "Pillar", "message": "Our message"},
        ("title", "message"),
        "admin",
    ),
    "update-pillar": Endpoint(
        "PATCH", "/api/v1/admin/pillars/{pillar_id}", {"title": "Renamed"}, (), "admin"
    ),
    "submission": Endpoint(
        "POST",
        "/api/v1/challenges/{challenge_id}/submissions",
        {
            "network": "linkedin",
            "postUrl": "https://www.linkedin.com/feed/update/urn:li:activity:123",
        },
        ("network",),
        "member",
    ),
    "approve": Endpoint(
        "POST", "/api/v1/admin/submissions/{submission_id}/approve", {"note": "ok"}, (), "admin"
    ),
    "badge": Endpoint(
        "POST",
        "/api/v1/admin/badges",
        {
            "code": "new-badge",
            "name": "New",
            "icon": "star",
            "rule": {"type": "points", "threshold": 5},
            "points": 3,
        },
        ("code", "name", "icon", "rule"),
        "admin",
    ),
    "update-badge": Endpoint(
        "PATCH", "/api/v1/admin/badges/{badge_id}", {"name": "Renamed", "points": 4}, (), "admin"
    ),
    "levels": Endpoint(
        "PUT",
        "/api/v1/admin/levels",
        {"thresholds": [0, 10, 20]},
        ("thresholds",),
        "admin",
        nullable=("thresholds",),
    ),
    "preferences": Endpoint(
        "PUT",
        "/api/v1/me/notification-preferences",
        {"categories": {"badge": False}, "quietStart": 22, "quietEnd": 7, "dailyCap": 2},
        ("categories",),
        "member",
        nullable=("quietStart", "quietEnd"),
    ),
    "share-link": Endpoint(
        "POST",
        "/api/v1/challenges/{challenge_id}/share-links",
        {"network": "linkedin"},
        ("network",),
        "member",
    ),
    "update-user": Endpoint(
        "PUT", "/api/v1/admin/users/{member_id}", {"role": "lead", "active": True}, (), "admin"
    ),
}

WRONG_TYPES: list[Any] = [123, True, None, ["a"], {"a": 1}]


async def _world(client) -> dict[str, Any]:
    admin = await signup(client, org="Acme")
    member = await add_member(client, admin)
    made = await invite(client, admin, "pending@example.com")
    team = await create_team(client, admin, "Existing")
    challenge = await create_challenge(client, admin, title="Live one")
    draft = await create_challenge(client, admin, publish=False, title="Draft one")
    pillar = await client.post(
        "/api/v1/admin/pillars", json={"title": "Existing", "message": "M"}, headers=bearer(admin)
    )
    submission = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={
            "network": "linkedin",
            "postUrl": "https://www.linkedin.com/feed/update/urn:li:activity:1",
        },
        headers=bearer(admin),
    )
    assert submission.status_code == 202, submission.text
    badge = (await client.get("/api/v1/badges", headers=bearer(admin))).json()[0]
    return {
        "badge_id": badge["id"],
        "submission_id": submission.json()["id"],
        "challenge_id": challenge["id"],
        "draft_id": draft["id"],
        "pillar_id": pillar.json()["id"],
        "admin": admin,
        "member": member,
        "admin_email": admin.email,
        "invite_token": made["token"],
        "member_id": member.user_id,
        "team_id": team["id"],
    }


def _fill(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world[value[1:-1]]
    return value


async def _snapshot() -> tuple[Any, ...]:
    users = await User.select(
        User.id, User.display_name, User.role, User.active, User.timezone, User.team
    ).order_by(User.id)
    challenges = await Challenge.select(
        Challenge.id, Challenge.title, Challenge.points, Challenge.state
    ).order_by(Challenge.id)
    submissions = await Submission.select(
        Submission.id, Submission.status, Submission.post_url
    ).order_by(Submission.id)
    prefs = await Notification.raw('SELECT * FROM notification_prefs ORDER BY "user"')
    return (
        prefs,
        await PushSubscription.count(),
        await Badge.select(Badge.code, Badge.name, Badge.points).order_by(Badge.code),
        await UserBadge.count(),
        submissions,
        await PointsLedger.count(),
        challenges,
        await Pillar.select().order_by(Pillar.id),
        await ShareLink.count(),
        await Organization.count(),
        users,
        await Team.count(),
        await TeamLead.count(),
        await Invite.select(Invite.id, Invite.accepted_at).order_by(Invite.id),
    )


def _cases(endpoint: Endpoint) -> list[tuple[str, Any]]:
    cases: list[tuple[str, Any]] = [
        ("not an object", ["a", "list"]),
        ("a string", "just text"),
        ("unknown field", {**endpoint.body, "isAdmin": True}),
    ]
    for field in endpoint.body:
        for wrong in WRONG_TYPES:
            if wrong is None and (field not in endpoint.required or field in endpoint.nullable):
                continue  # null on an optional field is a valid "leave as is"/"none"
            if type(wrong) is type(endpoint.body[field]):
                continue  # not a wrong type for this field
            cases.append((f"{field}={wrong!r}", {**endpoint.body, field: wrong}))
        cases.append((f"{field} oversized", {**endpoint.body, field: "x" * 5000}))
    for field in endpoint.required:
        cases.append((f"missing {field}", {k: v for k, v in endpoint.body.items() if k != field}))
    return cases


@pytest.mark.parametrize("name", list(ENDPOINTS))
async def test_bad_bodies_get_a_problem_detail_and_change_nothing(client, name):
    endpoint = ENDPOINTS[name]
    world = await _world(client)
    headers = bearer(world[endpoint.caller]) if endpoint.caller else {}
    path = endpoint.path.format(**world)
    before = await _snapshot()
    for label, body in _cases(endpoint):
        if isinstance(body, dict):
            body = {k: _fill(v, world) for k, v in body.items()}
        resp = await client.request(endpoint.method, path, json=body, headers=headers)
        assert 400 <= resp.status_code < 500, (name, label, resp.status_code, resp.text)
        assert resp.status_code != 404, (name, label)
        assert resp.headers["content-type"].startswith("application/problem+json"), label
        problem = resp.json()
        assert problem["status"] == resp.status_code
        assert len(problem["detail"]) > 10, (label, problem)
        client.cookies.clear()
    assert await _snapshot() == before, name


@pytest.mark.parametrize("name", list(ENDPOINTS))
async def test_broken_json_and_huge_bodies_are_refused(client, settings, name):
    endpoint = ENDPOINTS[name]
    world = await _world(client)
    headers = {"content-type": "application/json"}
    if endpoint.caller:
        headers |= bearer(world[endpoint.caller])
    path = endpoint.path.format(**world)
    before = await _snapshot()
    for label, raw, status in [
        ("truncated", b'{"email": "a@b.c"', 400),
        ("invalid utf-8", b'{"name": "\xff\xfe"}', 400),
        ("deeply nested", b'{"a":' * 5000 + b"1" + b"}" * 5000, 400),
        ("over the size cap", b'{"name": "' + b"x" * (settings.max_body_bytes + 10) + b'"}', 413),
    ]:
        resp = await client.request(endpoint.method, path, content=raw, headers=headers)
        assert resp.status_code == status, (name, label, resp.status_code, resp.text[:300])
        assert resp.headers["content-type"].startswith("application/problem+json"), label
    assert await _snapshot() == before


async def test_semantic_errors_are_422_with_a_reason(client):
    admin = await signup(client)
    for body, reason in [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"displayName": "   "}, "blank"),
        ({"displayName": "bell\x07"}, "control characters"),
    ]:
        resp = await client.patch("/api/v1/me", json=body, headers=bearer(admin))
        assert resp.status_code == 422, (body, resp.text)
        problem = resp.json()
        assert reason in problem["detail"].lower() or problem["errors"][0]["field"] == reason
    team = await client.post("/api/v1/admin/teams", json={"name": " \t "}, headers=bearer(admin))
    assert team.status_code == 422
    assert await Team.count() == 0
