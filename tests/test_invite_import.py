"""Bulk invites from a CSV upload: every row validated, a report of the rejected ones, and
nothing half-imported."""

from __future__ import annotations

from typing import Any

import pytest

from backend.analytics.tables import OfficialLink
from tests.helpers import add_member, assert_problem, bearer, create_team, signup

URL = "/api/v1/admin/invites/import"


async def invites() -> list[dict[str, Any]]:
    return await OfficialLink.raw(
        "SELECT email, role, team FROM invite WHERE accepted_at IS NULL ORDER BY email"
    )  # type: ignore[no-any-return]


async def test_a_clean_file_invites_everyone_with_working_links(client):
    admin = await signup(client)
    team = await create_team(client, admin, "Sales Team")
    text = (
        "\ufeffEmail,Role,Team\r\nAna@Example.com,employee,sales team\r\n"
        "bo@example.com,lead,\r\n\r\ncy@example.com,,\r\n"
    )
    resp = await client.post(URL, json={"csv": text}, headers=bearer(admin))
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["dryRun"], body["valid"], body["created"], body["rejected"]) == (False, 3, 3, [])
    assert [(i["row"], i["email"], i["role"], i["team"]) for i in body["invites"]] == [
        (2, "ana@example.com", "employee", "Sales Team"),
        (3, "bo@example.com", "lead", None),
        (5, "cy@example.com", "employee", None),
    ]
    assert await invites() == [
        {
            "email": "ana@example.com",
            "role": "employee",
            "team": __import__("uuid").UUID(team["id"]),
        },
        {"email": "bo@example.com", "role": "lead", "team": None},
        {"email": "cy@example.com", "role": "employee", "team": None},
    ]
    token = body["invites"][0]["url"].split("#token=")[1]
    joined = await client.post(
        "/api/v1/auth/accept-invite",
        json={"token": token, "displayName": "Ana", "password": "a long enough passphrase"},
    )
    assert joined.status_code == 201, joined.text
    me = (await client.get("/api/v1/me", headers=bearer(joined.json()["accessToken"]))).json()
    assert me["team"]["name"] == "Sales Team"


async def test_a_file_with_bad_rows_imports_nothing_and_says_why(client):
    admin = await signup(client)
    await create_team(client, admin, "Sales")
    member = await add_member(client, admin)
    text = "\n".join(
        [
            "email,role,team",
            "good@example.com,employee,Sales",
            "not-an-email,employee,",
            "good@example.com,lead,",
            f"{member.email},employee,",
            "dee@example.com,boss,",
            "eve@example.com,employee,Nowhere",
            ",employee,Sales",
        ]
    )
    resp = await client.post(URL, json={"csv": text}, headers=bearer(admin))
    body = assert_problem(resp, 422, detail_contains="nothing was imported")
    assert [(r["row"], r["reason"]) for r in body["rejected"]] == [
        (3, "not an email address"),
        (4, "the same email as line 2"),
        (5, "already has an account in your organization"),
        (6, "role must be employee, lead or admin"),
        (7, "no team named 'Nowhere'"),
        (8, "no email"),
    ]
    assert await invites() == []

    dry = await client.post(URL, json={"csv": text, "dryRun": True}, headers=bearer(admin))
    assert dry.status_code == 200
    assert (dry.json()["valid"], len(dry.json()["rejected"]), dry.json()["created"]) == (1, 6, 0)
    assert await invites() == []


async def test_ten_thousand_rows_go_in_at_once(client):
    admin = await signup(client)
    text = "email\n" + "\n".join(f"person{n}@example.com" for n in range(10_000))
    resp = await client.post(URL, json={"csv": text}, headers=bearer(admin))
    assert resp.status_code == 201, resp.text[:300]
    assert resp.json()["created"] == 10_000
    rows = await OfficialLink.raw(
        "SELECT count(*) AS n, count(DISTINCT token_hash) AS t FROM invite"
    )
    assert (rows[0]["n"], rows[0]["t"]) == (10_000, 10_000)
    too_many = "email\n" + "\n".join(f"more{n}@example.com" for n in range(10_001))
    assert_problem(
        await client.post(URL, json={"csv": too_many}, headers=bearer(admin)),
        422,
        detail_contains="10000",
    )


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"csv": "name,team\nAna,Sales"}, 422, "email"),
        ({"csv": "email,phone\na@example.com,1"}, 422, "phone"),
        ({"csv": "email,email\na@example.com,b@example.com"}, 422, "repeated"),
        ({"csv": "email\n"}, 422, "no one"),
        ({"csv": "\n\n"}, 422, "empty"),
        ({"csv": 'email\n"unterminated@example.com'}, 422, ""),
        ({"csv": ""}, 400, ""),
        ({"csv": 5}, 400, ""),
        ({}, 400, ""),
        ({"csv": "email\na@example.com", "dryRun": "yes"}, 400, ""),
        ({"csv": "x" * 1_000_001}, 400, "characters or fewer"),
        ({"csv": "x" * 2_000_000}, 413, ""),
    ],
)
async def test_bad_uploads_are_refused(client, body, status, detail):
    admin = await signup(client)
    resp = await client.post(URL, json=body, headers=bearer(admin))
    assert_problem(resp, status, detail_contains=detail)
    assert await invites() == []


async def test_only_admins_import_and_only_into_their_organization(client):
    admin = await signup(client)
    lead = await add_member(client, admin, role="lead")
    employee = await add_member(client, admin)
    for who in (lead, employee):
        assert_problem(
            await client.post(URL, json={"csv": "email\na@example.com"}, headers=bearer(who)), 403
        )
    other = await signup(client, org="Other")
    await create_team(client, other, "Secret")
    resp = await client.post(
        URL, json={"csv": "email,team\na@example.com,Secret"}, headers=bearer(admin)
    )
    body = assert_problem(resp, 422)
    assert body["rejected"][0]["reason"] == "no team named 'Secret'"
    assert await invites() == []
