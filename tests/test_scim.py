"""SCIM 2.0 provisioning: an organization's identity provider manages its people and teams with
a token of that organization only; `active: false` and DELETE end the person's access at once;
group membership is the person's team; every refusal is a SCIM error."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.helpers import Account, add_member, assert_problem, bearer, create_team, signup

SCIM = "/scim/v2"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
CONTENT = {"Content-Type": "application/scim+json"}


async def scim_token(client: httpx.AsyncClient, admin: Account, name: str = "Entra ID") -> str:
    resp = await client.post(
        "/api/v1/admin/scim-tokens", json={"name": name}, headers=bearer(admin)
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert set(body) >= {"id", "token"}
    return str(body["token"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **CONTENT}


def assert_scim_error(
    resp: httpx.Response, status: int, scim_type: str | None = None
) -> dict[str, Any]:
    assert resp.status_code == status, f"{resp.status_code} != {status}: {resp.text}"
    assert resp.headers["content-type"].startswith("application/scim+json"), resp.headers
    body: dict[str, Any] = resp.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert isinstance(body["detail"], str) and body["detail"]
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    return body


def user_body(email: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": [USER],
        "userName": email,
        "name": {"givenName": "Pat", "familyName": "Lee"},
        "displayName": "Pat Lee",
        "active": True,
        "emails": [{"value": email, "type": "work", "primary": True}],
        "externalId": f"ext-{email}",
    }
    body.update(extra)
    return body


async def provision(client: httpx.AsyncClient, token: str, email: str, **extra: Any) -> Any:
    resp = await client.post(f"{SCIM}/Users", json=user_body(email, **extra), headers=auth(token))
    assert resp.status_code == 201, resp.text
    assert resp.headers["content-type"].startswith("application/scim+json")
    assert resp.headers["location"].endswith(f"/scim/v2/Users/{resp.json()['id']}")
    return resp.json()


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> Account:
    return await signup(client, org="Acme")


@pytest.fixture
async def token(client: httpx.AsyncClient, admin: Account) -> str:
    return await scim_token(client, admin)


# -- tokens ------------------------------------------------------------------------------


async def test_scim_refuses_requests_without_a_live_token(client, admin, token):
    assert_scim_error(await client.get(f"{SCIM}/Users"), 401)
    assert_scim_error(await client.get(f"{SCIM}/Users", headers=auth("chorus_scim_wrong")), 401)
    assert_scim_error(await client.get(f"{SCIM}/Users", headers=bearer(admin)), 401)  # a JWT
    listed = await client.get("/api/v1/admin/scim-tokens", headers=bearer(admin))
    token_id = listed.json()[0]["id"]
    assert (await client.get(f"{SCIM}/Users", headers=auth(token))).status_code == 200
    resp = await client.delete(f"/api/v1/admin/scim-tokens/{token_id}", headers=bearer(admin))
    assert resp.status_code == 204
    assert_scim_error(await client.get(f"{SCIM}/Users", headers=auth(token)), 401)


async def test_admins_list_tokens_without_their_secret_and_see_when_each_was_used(
    client, admin, token
):
    resp = await client.get("/api/v1/admin/scim-tokens", headers=bearer(admin))
    assert resp.status_code == 200
    [listed] = resp.json()
    assert listed["name"] == "Entra ID" and listed["lastUsedAt"] is None
    assert "token" not in listed and token not in resp.text
    assert listed["createdAt"]
    await client.get(f"{SCIM}/ServiceProviderConfig", headers=auth(token))
    [listed] = (await client.get("/api/v1/admin/scim-tokens", headers=bearer(admin))).json()
    assert listed["lastUsedAt"] is not None


async def test_only_admins_of_the_organization_manage_its_tokens(client, admin, token):
    employee = await add_member(client, admin)
    other = await signup(client, org="Globex")
    assert_problem(
        await client.post("/api/v1/admin/scim-tokens", json={}, headers=bearer(employee)), 403
    )
    assert_problem(await client.get("/api/v1/admin/scim-tokens", headers=bearer(employee)), 403)
    assert_problem(await client.post("/api/v1/admin/scim-tokens", json={}), 401)
    assert_problem(
        await client.post("/api/v1/admin/scim-tokens", json={"name": 5}, headers=bearer(admin)),
        400,
    )
    [mine] = (await client.get("/api/v1/admin/scim-tokens", headers=bearer(admin))).json()
    assert (await client.get("/api/v1/admin/scim-tokens", headers=bearer(other))).json() == []
    resp = await client.delete(f"/api/v1/admin/scim-tokens/{mine['id']}", headers=bearer(other))
    assert_problem(resp, 404)
    assert (await client.get(f"{SCIM}/Users", headers=auth(token))).status_code == 200
    resp = await client.delete(f"/api/v1/admin/scim-tokens/{mine['id']}", headers=bearer(employee))
    assert_problem(resp, 403)


async def test_a_token_never_reaches_another_organizations_people_or_teams(client, admin, token):
    other_admin = await signup(client, org="Globex")
    other_token = await scim_token(client, other_admin)
    theirs = await provision(client, other_token, "kim@globex.example")
    their_group = await client.post(
        f"{SCIM}/Groups",
        json={"schemas": [GROUP], "displayName": "Sales"},
        headers=auth(other_token),
    )
    group_id = their_group.json()["id"]
    for path in (f"/Users/{theirs['id']}", f"/Users/{other_admin.user_id}", f"/Groups/{group_id}"):
        assert_scim_error(await client.get(SCIM + path, headers=auth(token)), 404)
        assert_scim_error(await client.delete(SCIM + path, headers=auth(token)), 404)
    resp = await client.get(
        f"{SCIM}/Users", params={"filter": 'userName eq "kim@globex.example"'}, headers=auth(token)
    )
    assert resp.json()["totalResults"] == 0
    names = [
        g["displayName"]
        for g in (await client.get(f"{SCIM}/Groups", headers=auth(token))).json()["Resources"]
    ]
    assert "Sales" not in names
    # a group of this organization cannot take a member of another
    resp = await client.post(
        f"{SCIM}/Groups",
        json={"schemas": [GROUP], "displayName": "Mixed", "members": [{"value": theirs["id"]}]},
        headers=auth(token),
    )
    assert_scim_error(resp, 400, "invalidValue")


# -- users -------------------------------------------------------------------------------


async def test_users_are_created_read_listed_and_filtered(client, admin, token):
    created = await provision(client, token, "Pat.Lee@Acme.example")
    assert created["userName"] == "pat.lee@acme.example"
    assert created["displayName"] == "Pat Lee" and created["active"] is True
    assert created["externalId"] == "ext-Pat.Lee@Acme.example"
    assert created["name"] == {"givenName": "Pat", "familyName": "Lee"}
    assert created["meta"]["resourceType"] == "User"
    got = await client.get(f"{SCIM}/Users/{created['id']}", headers=auth(token))
    assert got.status_code == 200 and got.json() == created

    await provision(client, token, "sam@acme.example")
    resp = await client.get(
        f"{SCIM}/Users",
        params={"filter": 'userName eq "PAT.LEE@acme.example"'},
        headers=auth(token),
    )
    body = resp.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert body["totalResults"] == 1 and body["Resources"][0]["id"] == created["id"]
    # the admin who signed up is a user too (people invited by hand are found, not duplicated)
    everyone = (await client.get(f"{SCIM}/Users", headers=auth(token))).json()
    assert everyone["totalResults"] == 3
    page = (
        await client.get(f"{SCIM}/Users", params={"startIndex": 2, "count": 1}, headers=auth(token))
    ).json()
    assert page["startIndex"] == 2 and page["itemsPerPage"] == 1 and page["totalResults"] == 3
    assert page["Resources"][0]["id"] == everyone["Resources"][1]["id"]
    only = (
        await client.get(
            f"{SCIM}/Users/{created['id']}", params={"attributes": "userName"}, headers=auth(token)
        )
    ).json()
    assert set(only) == {"schemas", "id", "userName"}

    # the person exists in Chorus: an employee with no usable password
    users = (await client.get("/api/v1/admin/users", headers=bearer(admin))).json()["items"]
    mine = next(u for u in users if u["id"] == created["id"])
    assert mine["role"] == "employee" and mine["displayName"] == "Pat Lee"
    resp = await client.post(
        "/api/v1/auth/login", json={"email": "pat.lee@acme.example", "password": ""}
    )
    assert resp.status_code in (400, 401)

    again = await client.post(
        f"{SCIM}/Users", json=user_body("pat.lee@acme.example"), headers=auth(token)
    )
    assert_scim_error(again, 409, "uniqueness")


async def test_users_are_replaced_and_patched(client, admin, token):
    created = await provision(client, token, "pat@acme.example")
    replaced = await client.put(
        f"{SCIM}/Users/{created['id']}",
        json={"schemas": [USER], "userName": "pat.lee@acme.example", "displayName": "Patricia"},
        headers=auth(token),
    )
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert body["userName"] == "pat.lee@acme.example" and body["displayName"] == "Patricia"
    assert "emails" not in body and "externalId" not in body

    resp = await client.patch(
        f"{SCIM}/Users/{created['id']}",
        json={
            "schemas": [PATCH],
            "Operations": [
                {"op": "add", "path": "name.givenName", "value": "Pat"},
                {
                    "op": "Replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "p@acme.example",
                },
                {"op": "replace", "value": {"displayName": "Pat L.", "externalId": "e-1"}},
                {"op": "add", "path": "title", "value": "ignored: Chorus keeps no titles"},
            ],
        },
        headers=auth(token),
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["name"] == {"givenName": "Pat"}
    assert body["emails"] == [{"type": "work", "value": "p@acme.example"}]
    assert body["displayName"] == "Pat L." and body["externalId"] == "e-1"
    resp = await client.patch(
        f"{SCIM}/Users/{created['id']}",
        json={"schemas": [PATCH], "Operations": [{"op": "remove", "path": "emails"}]},
        headers=auth(token),
    )
    assert "emails" not in resp.json()
    got = (await client.get(f"{SCIM}/Users/{created['id']}", headers=auth(token))).json()
    assert got == resp.json()


async def poll_until_refused(client: httpx.AsyncClient, person: Account) -> None:
    """Within 5 s the person's own token answers 401 (polled; a generous limit for a slow CI)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (await client.get("/api/v1/me", headers=bearer(person))).status_code == 401:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the deactivated person's token still works")


@pytest.mark.parametrize("how", ["patch", "put", "delete"])
async def test_deprovisioning_ends_the_persons_sessions(client, admin, token, how):
    person = await add_member(client, admin, name="Leaver")
    assert (await client.get("/api/v1/me", headers=bearer(person))).status_code == 200
    path = f"{SCIM}/Users/{person.user_id}"
    if how == "patch":
        resp = await client.patch(
            path,
            json={
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "value": {"active": False}}],
            },
            headers=auth(token),
        )
        assert resp.status_code == 200 and resp.json()["active"] is False
    elif how == "put":
        resp = await client.put(
            path,
            json={"schemas": [USER], "userName": person.email, "active": False},
            headers=auth(token),
        )
        assert resp.status_code == 200 and resp.json()["active"] is False
    else:
        resp = await client.delete(path, headers=auth(token))
        assert resp.status_code == 204
        assert_scim_error(await client.get(path, headers=auth(token)), 404)
    await poll_until_refused(client, person)
    # the account stays (its points and history are the ledger's), deactivated
    users = (await client.get("/api/v1/admin/users", headers=bearer(admin))).json()["items"]
    assert next(u for u in users if u["id"] == person.user_id)["active"] is False


async def test_a_deleted_user_provisioned_again_is_the_same_account(client, admin, token):
    created = await provision(client, token, "rehire@acme.example")
    assert (
        await client.delete(f"{SCIM}/Users/{created['id']}", headers=auth(token))
    ).status_code == 204
    again = await provision(client, token, "rehire@acme.example")
    assert again["id"] == created["id"] and again["active"] is True


async def test_the_last_active_admin_is_not_deprovisioned(client, admin, token):
    resp = await client.patch(
        f"{SCIM}/Users/{admin.user_id}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
        headers=auth(token),
    )
    assert_scim_error(resp, 409)
    assert (await client.get("/api/v1/me", headers=bearer(admin))).status_code == 200


# -- groups ------------------------------------------------------------------------------


async def test_groups_are_teams_and_membership_is_the_persons_team(client, admin, token):
    pat = await add_member(client, admin, name="Pat")
    sam = await provision(client, token, "sam@acme.example")
    resp = await client.post(
        f"{SCIM}/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Sales",
            "externalId": "g-1",
            "members": [{"value": pat.user_id}],
        },
        headers=auth(token),
    )
    assert resp.status_code == 201, resp.text
    sales = resp.json()
    assert sales["displayName"] == "Sales" and sales["externalId"] == "g-1"
    assert [m["value"] for m in sales["members"]] == [pat.user_id]
    me = (await client.get("/api/v1/me", headers=bearer(pat))).json()
    assert str(me.get("teamId") or me.get("team", {}).get("id")) == sales["id"]

    # listed, filtered by displayName
    found = (
        await client.get(
            f"{SCIM}/Groups", params={"filter": 'displayName eq "sales"'}, headers=auth(token)
        )
    ).json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == sales["id"]
    # the user shows its group (read-only)
    got = (await client.get(f"{SCIM}/Users/{pat.user_id}", headers=auth(token))).json()
    assert got["groups"][0]["value"] == sales["id"] and got["groups"][0]["display"] == "Sales"

    # patch: add Sam, remove Pat
    resp = await client.patch(
        f"{SCIM}/Groups/{sales['id']}",
        json={
            "schemas": [PATCH],
            "Operations": [
                {"op": "add", "path": "members", "value": [{"value": sam["id"]}]},
                {"op": "remove", "path": f'members[value eq "{pat.user_id}"]'},
            ],
        },
        headers=auth(token),
    )
    assert resp.status_code == 200, resp.text
    assert [m["value"] for m in resp.json()["members"]] == [sam["id"]]
    got = (await client.get(f"{SCIM}/Users/{pat.user_id}", headers=auth(token))).json()
    assert "groups" not in got

    # moving Sam to another group takes Sam out of Sales (one team per person)
    support = (
        await client.post(
            f"{SCIM}/Groups",
            json={"schemas": [GROUP], "displayName": "Support", "members": [{"value": sam["id"]}]},
            headers=auth(token),
        )
    ).json()
    resp = await client.get(f"{SCIM}/Groups/{sales['id']}", headers=auth(token))
    assert "members" not in resp.json()

    # replace renames; Entra's remove with a value list empties
    resp = await client.put(
        f"{SCIM}/Groups/{support['id']}",
        json={
            "schemas": [GROUP],
            "displayName": "Customer Support",
            "members": [{"value": sam["id"]}, {"value": pat.user_id}],
        },
        headers=auth(token),
    )
    assert resp.json()["displayName"] == "Customer Support" and len(resp.json()["members"]) == 2
    resp = await client.patch(
        f"{SCIM}/Groups/{support['id']}",
        json={
            "schemas": [PATCH],
            "Operations": [
                {
                    "op": "Remove",
                    "path": "members",
                    "value": [{"value": sam["id"]}, {"value": pat.user_id}],
                }
            ],
        },
        headers=auth(token),
    )
    assert "members" not in resp.json()

    # delete: the team goes, the people stay
    assert (
        await client.delete(f"{SCIM}/Groups/{sales['id']}", headers=auth(token))
    ).status_code == 204
    assert_scim_error(await client.get(f"{SCIM}/Groups/{sales['id']}", headers=auth(token)), 404)
    assert (await client.get("/api/v1/me", headers=bearer(pat))).status_code == 200


async def test_teams_made_in_chorus_are_groups(client, admin, token):
    team = await create_team(client, admin, "Marketing")
    await add_member(client, admin, team_id=team["id"])
    got = (await client.get(f"{SCIM}/Groups/{team['id']}", headers=auth(token))).json()
    assert got["displayName"] == "Marketing" and len(got["members"]) == 1
    lean = (
        await client.get(
            f"{SCIM}/Groups/{team['id']}",
            params={"excludedAttributes": "members"},
            headers=auth(token),
        )
    ).json()
    assert "members" not in lean and lean["displayName"] == "Marketing"
    taken = await client.post(
        f"{SCIM}/Groups", json={"schemas": [GROUP], "displayName": "Marketing"}, headers=auth(token)
    )
    assert_scim_error(taken, 409, "uniqueness")


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({"schemas": [USER], "userName": 5}, "invalidValue"),
        ({"schemas": [USER]}, "invalidValue"),
        ({"schemas": [USER], "userName": "a@b.c", "active": "yes"}, "invalidValue"),
        ({"schemas": [USER], "userName": "a@b.c", "emails": {"value": "x"}}, "invalidValue"),
        ({"schemas": ["urn:example:unknown"], "userName": "a@b.c"}, "invalidValue"),
        ({"userName": "a@b.c"}, "invalidValue"),
        ({"schemas": [USER], "userName": "   "}, "invalidValue"),
        ([1, 2], "invalidSyntax"),
    ],
)
async def test_bad_users_are_scim_errors(client, token, body, scim_type):
    resp = await client.post(f"{SCIM}/Users", json=body, headers=auth(token))
    assert_scim_error(resp, 400, scim_type)


async def test_bad_requests_are_scim_errors(client, token):
    resp = await client.post(f"{SCIM}/Users", content=b"{not json", headers=auth(token))
    assert_scim_error(resp, 400, "invalidSyntax")
    big = b'{"schemas": ["' + USER.encode() + b'"], "userName": "' + b"a" * 2_000_000 + b'"}'
    assert_scim_error(await client.post(f"{SCIM}/Users", content=big, headers=auth(token)), 413)
    resp = await client.post(
        f"{SCIM}/Users",
        content=b"userName=x",
        headers={**auth(token), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_scim_error(resp, 415)
    created = await provision(client, token, "pat@acme.example")
    path = f"{SCIM}/Users/{created['id']}"
    for operations, scim_type in (
        ([{"op": "remove"}], "noTarget"),
        ([{"op": "jump", "path": "active", "value": True}], "invalidValue"),
        ([{"op": "replace", "path": 'emails[type co "w"].value', "value": "x"}], "invalidFilter"),
        ([{"op": "replace", "path": "id", "value": "x"}], "mutability"),
        ([{"op": "replace", "path": "active", "value": 3}], "invalidValue"),
        ([{"op": "replace", "path": "a b c", "value": 3}], "invalidPath"),
    ):
        resp = await client.patch(
            path, json={"schemas": [PATCH], "Operations": operations}, headers=auth(token)
        )
        assert_scim_error(resp, 400, scim_type)
    resp = await client.patch(path, json={"schemas": [USER], "Operations": []}, headers=auth(token))
    assert_scim_error(resp, 400, "invalidValue")
    resp = await client.get(
        f"{SCIM}/Users", params={"filter": 'userName sw "p"'}, headers=auth(token)
    )
    assert_scim_error(resp, 400, "invalidFilter")
    resp = await client.post(
        f"{SCIM}/Users",
        json=user_body("nul@acme.example", externalId="a\u0000b"),
        headers=auth(token),
    )
    assert_scim_error(resp, 400, "invalidValue")
    assert_scim_error(await client.get(f"{SCIM}/Users/not-an-id", headers=auth(token)), 404)
    assert_scim_error(await client.get(f"{SCIM}/Nowhere", headers=auth(token)), 404)
    resp = await client.post(f"{SCIM}/ServiceProviderConfig", json={}, headers=auth(token))
    assert resp.status_code == 405


async def test_discovery_says_what_the_server_does(client, token):
    config = (await client.get(f"{SCIM}/ServiceProviderConfig", headers=auth(token))).json()
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
    for unsupported in ("bulk", "sort", "etag", "changePassword"):
        assert config[unsupported]["supported"] is False
    types = (await client.get(f"{SCIM}/ResourceTypes", headers=auth(token))).json()
    assert {t["id"] for t in types["Resources"]} == {"User", "Group"}
    schemas = (await client.get(f"{SCIM}/Schemas", headers=auth(token))).json()
    assert USER in {s["id"] for s in schemas["Resources"]}
    user_schema = (await client.get(f"{SCIM}/Schemas/{USER}", headers=auth(token))).json()
    assert "userName" in {a["name"] for a in user_schema["attributes"]}


async def test_deprovisioning_closes_the_persons_open_live_stream(client, admin, token):
    """The Done-when of SCIM: an open live-events stream (on another API process) is told the
    session ended and closes once SCIM sets `active: false`."""
    from tests.test_live import served
    from tests.test_sessions import _stream_closes

    person = await add_member(client, admin, name="Streaming leaver")

    async def deprovision() -> None:
        resp = await client.patch(
            f"{SCIM}/Users/{person.user_id}",
            json={
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "active", "value": False}],
            },
            headers=auth(token),
        )
        assert resp.status_code == 200, resp.text

    async with served() as base:
        lines = await _stream_closes(base, person.token, deprovision)
    assert "event: session-ended" in lines
    await poll_until_refused(client, person)
