import asyncio
from datetime import UTC, datetime, timedelta

from backend.core.tokens import token_digest
from backend.orgs.tables import Invite, TeamLead, User
from tests.helpers import (
    PASSWORD,
    add_member,
    assert_problem,
    bearer,
    create_team,
    invite,
    signup,
    unique_email,
)


async def _accept(client, token: str, name: str = "New Person"):
    resp = await client.post(
        "/api/v1/auth/accept-invite",
        json={"token": token, "displayName": name, "password": PASSWORD},
    )
    client.cookies.clear()
    return resp


async def test_an_invite_becomes_an_account_in_the_inviting_organization(client):
    admin = await signup(client)
    team = await create_team(client, admin, "Marketing")
    email = unique_email("new")
    made = await invite(client, admin, email.upper(), "employee", team["id"])
    assert made["url"].startswith("http://testserver/accept-invite#token=")
    assert made["token"] in made["url"]
    resp = await _accept(client, made["token"], "Priya")
    assert resp.status_code == 201
    me = (await client.get("/api/v1/me", headers=bearer(resp.json()["accessToken"]))).json()
    assert me["orgId"] == admin.org_id
    assert me["email"] == email.lower()
    assert me["role"] == "employee"
    assert me["team"] == {"id": team["id"], "name": "Marketing"}
    assert me["displayName"] == "Priya"


async def test_invite_tokens_are_stored_hashed(client):
    admin = await signup(client)
    made = await invite(client, admin, unique_email())
    row = await Invite.select(Invite.token_hash).first()
    assert row["token_hash"] == token_digest(made["token"])
    assert made["token"] not in row["token_hash"]


async def test_an_invite_is_single_use(client):
    admin = await signup(client)
    made = await invite(client, admin, unique_email())
    assert (await _accept(client, made["token"])).status_code == 201
    again = await _accept(client, made["token"], "Someone Else")
    assert_problem(again, 410, detail_contains="already been used")
    assert await User.count() == 2


async def test_racing_acceptances_of_one_invite_make_exactly_one_account(client):
    admin = await signup(client)
    made = await invite(client, admin, unique_email())
    results = await asyncio.gather(*[_accept(client, made["token"]) for _ in range(8)])
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 1
    assert set(codes) <= {201, 409, 410}
    assert await User.count() == 2


async def test_an_expired_invite_is_refused(client):
    admin = await signup(client)
    made = await invite(client, admin, unique_email())
    await Invite.update({Invite.expires_at: datetime.now(UTC) - timedelta(minutes=1)}).where(
        Invite.token_hash == token_digest(made["token"])
    )
    assert_problem(await _accept(client, made["token"]), 410, detail_contains="expired")
    assert await User.count() == 1


async def test_an_unknown_invite_token_is_404(client):
    await signup(client)
    resp = await _accept(client, "x" * 43)
    assert_problem(resp, 404, detail_contains="not valid")


async def test_inviting_someone_who_already_has_an_account_is_409(client):
    admin = await signup(client)
    resp = await client.post(
        "/api/v1/admin/invites", json={"email": admin.email}, headers=bearer(admin)
    )
    assert_problem(resp, 409)
    assert await Invite.count() == 0


async def test_a_lead_invited_to_a_team_leads_it(client):
    admin = await signup(client)
    team = await create_team(client, admin, "Sales")
    lead = await add_member(client, admin, role="lead", team_id=team["id"])
    me = (await client.get("/api/v1/me", headers=bearer(lead))).json()
    assert me["role"] == "lead"
    assert me["leadsTeamIds"] == [team["id"]]
    assert await TeamLead.count() == 1


async def test_only_admins_invite_and_never_into_another_organizations_team(client):
    admin = await signup(client)
    employee = await add_member(client, admin)
    lead = await add_member(client, admin, role="lead")
    for caller in (employee, lead):
        resp = await client.post(
            "/api/v1/admin/invites", json={"email": unique_email()}, headers=bearer(caller)
        )
        assert_problem(resp, 403)
    other = await signup(client, org="Other")
    their_team = await create_team(client, other, "Theirs")
    resp = await client.post(
        "/api/v1/admin/invites",
        json={"email": unique_email(), "teamId": their_team["id"]},
        headers=bearer(admin),
    )
    assert_problem(resp, 404, detail_contains="no such team")
    assert await Invite.count() == 2  # the two made by add_member
