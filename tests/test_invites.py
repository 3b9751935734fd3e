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


# -- issue 18: tokens before hashing, listing, revoking, re-sending, the accept page ---------


async def test_accept_invite_checks_the_token_before_hashing_the_password(client, monkeypatch):
    admin = await signup(client)
    hashed: list[str] = []
    from backend.orgs import service

    real = service.hash_password

    async def spy(password: str) -> str:
        hashed.append(password)
        return await real(password)

    monkeypatch.setattr(service, "hash_password", spy)
    assert_problem(await _accept(client, "bogus-token-" + "x" * 20), 404)
    made = await invite(client, admin, unique_email())
    assert (await _accept(client, made["token"])).status_code == 201
    assert len(hashed) == 1
    assert_problem(await _accept(client, made["token"]), 410)  # used: refused, nothing hashed
    assert len(hashed) == 1


async def test_wrong_invite_tokens_from_one_address_are_rate_limited(client, settings):
    for _ in range(settings.token_failures_per_ip):
        assert (await _accept(client, "bogus-token-" + unique_email())).status_code == 404
    blocked = await _accept(client, "bogus-token-" + unique_email())
    assert_problem(blocked, 429)
    assert int(blocked.headers["retry-after"]) > 0


async def test_pending_invites_are_listed_with_when_each_was_emailed(client):
    admin = await signup(client)
    waiting = await invite(client, admin, unique_email("waiting"))
    accepted = await invite(client, admin, unique_email("accepted"))
    withdrawn = await invite(client, admin, unique_email("withdrawn"))
    assert (await _accept(client, accepted["token"])).status_code == 201
    await client.delete(f"/api/v1/admin/invites/{withdrawn['inviteId']}", headers=bearer(admin))
    resp = await client.get("/api/v1/admin/invites?status=pending", headers=bearer(admin))
    assert resp.status_code == 200
    items = resp.json()["items"]
    assert [i["id"] for i in items] == [waiting["inviteId"]]
    assert items[0]["emailedAt"] is None and items[0]["invitedBy"] == "Ann Admin"
    everything = await client.get("/api/v1/admin/invites?status=all", headers=bearer(admin))
    assert len(everything.json()["items"]) == 3
    assert_problem(
        await client.get("/api/v1/admin/invites?status=bogus", headers=bearer(admin)), 400
    )
    assert_problem(await client.get("/api/v1/admin/invites?limit=1000", headers=bearer(admin)), 400)


async def test_a_revoked_invite_link_stops_working(client):
    admin = await signup(client)
    made = await invite(client, admin, unique_email())
    resp = await client.delete(f"/api/v1/admin/invites/{made['inviteId']}", headers=bearer(admin))
    assert resp.status_code == 204
    assert_problem(await _accept(client, made["token"]), 410, detail_contains="withdrawn")
    preview = await client.post("/api/v1/auth/invite-preview", json={"token": made["token"]})
    assert_problem(preview, 410)


async def test_a_resent_invite_has_a_new_link_and_the_old_one_stops_working(client):
    admin = await signup(client)
    made = await invite(client, admin, unique_email())
    resp = await client.post(
        f"/api/v1/admin/invites/{made['inviteId']}/resend", headers=bearer(admin)
    )
    assert resp.status_code == 200, resp.text
    renewed = resp.json()
    assert renewed["token"] != made["token"] and renewed["inviteId"] == made["inviteId"]
    assert renewed["url"].endswith(f"#token={renewed['token']}")
    assert_problem(await _accept(client, made["token"]), 404)
    assert (await _accept(client, renewed["token"])).status_code == 201
    # accepted: neither resent nor revoked any more
    again = await client.post(
        f"/api/v1/admin/invites/{made['inviteId']}/resend", headers=bearer(admin)
    )
    assert_problem(again, 409)
    assert_problem(
        await client.delete(f"/api/v1/admin/invites/{made['inviteId']}", headers=bearer(admin)),
        409,
    )


async def test_the_accept_page_names_the_organization_the_inviter_and_the_email(client):
    admin = await signup(client, org="Acme Rockets", name="Ann Admin")
    email = unique_email("newbie")
    made = await invite(client, admin, email)
    resp = await client.post("/api/v1/auth/invite-preview", json={"token": made["token"]})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["organization"], body["inviter"], body["email"]) == (
        "Acme Rockets",
        "Ann Admin",
        email,
    )
    assert_problem(await client.post("/api/v1/auth/invite-preview", json={"token": "x" * 40}), 404)
    assert (await _accept(client, made["token"])).status_code == 201
    assert_problem(
        await client.post("/api/v1/auth/invite-preview", json={"token": made["token"]}), 410
    )
    for bad in ({}, {"token": 5}, {"token": "short"}, {"token": "x" * 500}):
        assert_problem(await client.post("/api/v1/auth/invite-preview", json=bad), 400)


async def test_invite_admin_endpoints_guard_roles_and_organizations(client):
    admin = await signup(client)
    stranger = await signup(client, org="Elsewhere")
    employee = await add_member(client, admin)
    made = await invite(client, admin, unique_email())
    path = f"/api/v1/admin/invites/{made['inviteId']}"
    for who, status in ((employee, 403), (stranger, 404)):
        assert_problem(await client.delete(path, headers=bearer(who)), status)
        assert_problem(await client.post(f"{path}/resend", headers=bearer(who)), status)
    assert_problem(await client.get("/api/v1/admin/invites", headers=bearer(employee)), 403)
    assert (await client.get("/api/v1/admin/invites", headers=bearer(stranger))).json()[
        "items"
    ] == []
    assert_problem(await client.get("/api/v1/admin/invites"), 401)
    assert_problem(await client.delete(path), 401)
    assert (
        await client.delete("/api/v1/admin/invites/not-a-uuid", headers=bearer(admin))
    ).status_code in (
        400,
        404,
    )
    bad_send = await client.post(
        "/api/v1/admin/invites",
        json={"email": unique_email(), "send": "yes"},
        headers=bearer(admin),
    )
    assert_problem(bad_send, 400)
    # the link still works after all that
    assert (await _accept(client, made["token"])).status_code == 201
