"""Challenge list figure: an employee's open challenges (20, with myStatus) read over HTTP.

Everything is made through the public API: an organization, an employee (invited, signed up),
20 published challenges, and the employee's shares on half of them, some approved, some
rejected, some still pending, so that myStatus varies over the list.
"""

from __future__ import annotations

import secrets
from collections import Counter
from typing import Any

import httpx

OPEN_CHALLENGES = 20
# LinkedIn activity ids of this group's posts (the pipeline's start at ACTIVITY in pipeline.py)
ACTIVITY = 7_300_000_000_000_000_000


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create_challenge(http: httpx.Client, admin: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """A published share challenge, open from an hour ago for a week (the tests' body)."""
    from tests.helpers import challenge_body

    made = http.post("/api/v1/admin/challenges", json=challenge_body(**overrides), headers=admin)
    made.raise_for_status()
    published = http.post(f"/api/v1/admin/challenges/{made.json()['id']}/publish", headers=admin)
    published.raise_for_status()
    body: dict[str, Any] = published.json()
    return body


def seed(base: str, content_url: str) -> tuple[str, dict[str, int]]:
    """(the employee's token, how many challenges show each myStatus)."""
    password = secrets.token_urlsafe(16)
    with httpx.Client(base_url=base, timeout=60) as http:
        signup = http.post(
            "/api/v1/auth/signup",
            json={
                "orgName": "Challenges Co",
                "email": f"admin-{secrets.token_hex(4)}@bench.example",
                "password": password,
                "displayName": "Challenges Admin",
            },
        )
        signup.raise_for_status()
        admin = bearer(signup.json()["accessToken"])
        invite = http.post(
            "/api/v1/admin/invites",
            json={"email": f"member-{secrets.token_hex(4)}@bench.example", "role": "employee"},
            headers=admin,
        )
        invite.raise_for_status()
        accepted = http.post(
            "/api/v1/auth/accept-invite",
            json={
                "token": invite.json()["token"],
                "displayName": "Bench Member",
                "password": password,
            },
        )
        accepted.raise_for_status()
        token: str = accepted.json()["accessToken"]
        http.cookies.clear()  # every request below authenticates by its bearer token
        for i in range(OPEN_CHALLENGES):
            challenge = create_challenge(
                http,
                admin,
                title=f"Share our launch post, part {i + 1}",
                contentUrl=f"{content_url}?part={i + 1}",
            )
            if i >= OPEN_CHALLENGES // 2:
                continue
            # shares on half of them: 4 approved, 3 rejected, 3 still pending
            shared = http.post(
                f"/api/v1/challenges/{challenge['id']}/submissions",
                json={
                    "network": "linkedin",
                    "postUrl": "https://www.linkedin.com/posts/"
                    f"bench-member_launch-activity-{ACTIVITY + i}-AbCd",
                },
                headers=bearer(token),
            )
            shared.raise_for_status()
            decision = "approve" if i < 4 else "reject" if i < 7 else None
            if decision:
                http.post(
                    f"/api/v1/admin/submissions/{shared.json()['id']}/{decision}",
                    json={},
                    headers=admin,
                ).raise_for_status()
        listed = http.get("/api/v1/challenges", headers=bearer(token))
        listed.raise_for_status()
        items = listed.json()["items"]
    if len(items) != OPEN_CHALLENGES:
        raise RuntimeError(f"the employee sees {len(items)} open challenges, not {OPEN_CHALLENGES}")
    return token, dict(Counter(item["myStatus"] for item in items))
