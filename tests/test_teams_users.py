import uuid

from backend.orgs.tables import Team, TeamLead, User
from tests.helpers import add_member, assert_problem, bearer, create_team, signup


async def test_teams_are_listed_with_members_and_leads_for_everyone_in_the_org(client):
    admin = await signup(client)
    lead = await add_member(client, admin, role="employee")
    team = await create_team(client, admin, "Engineering", lead_user_id=lead.user_id)
    assert team["leadUserIds"] == [lead.user_id]
    assert team["members"] == 1  # the lead joined the team they lead
    await add_member(client, admin, team_id=team["id"])
    employee = await add_member(client, admin)
    resp = await client.get("/api/v1/teams", headers=bearer(employee))
    assert resp.status_code == 200
    body = resp.json()
    assert body["nextCursor"] is None
    assert body["items"] == [
        {"id": team["id"], "name": "Engineering", "members": 2, "leadUserIds": [lead.user_id]}
    ]
    me = (await client.get("/api/v1/me", headers=bearer(lead))).json()
    assert me["role"] == "lead"  # leading a team promotes an employee to lead


async def test_teams_page_with_a_cursor(client):
    admin = await signup(client)
    names = [f"Team {i:02d}" for i in range(7)]
    for name in reversed(names):
        await create_team(client, admin, name)
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/v1/teams", params=params, headers=bearer(admin))).json()
        seen += [t["name"] for t in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == names


async def test_bad_paging_parameters_are_4xx(client):
    admin = await signup(client)
    for params in (
        {"limit": 0},
        {"limit": 1000},
        {"limit": "ten"},
        {"cursor": "!!!not-ours"},
        {"cursor": "x" * 600},
    ):
        resp = await client.get("/api/v1/teams", params=params, headers=bearer(admin))
        assert 400 <= resp.status_code < 500, params
        assert resp.headers["content-type"].startswith("application/problem+json")


async def test_team_names_are_unique_per_organization_only(client):
    admin = await signup(client)
    await create_team(client, admin, "Sales")
    dup = await client.post("/api/v1/admin/teams", json={"name": "Sales"}, headers=bearer(admin))
    assert_problem(dup, 409, detail_contains="already has a team")
    other = await signup(client, org="Other")
    await create_team(client, other, "Sales")
    assert await Team.count() == 2


async def test_team_lead_must_be_in_the_same_organization(client):
    admin = await signup(client)
    other = await signup(client, org="Other")
    resp = await client.post(
        "/api/v1/admin/teams",
        json={"name": "Sneaky", "leadUserId": other.user_id},
        headers=bearer(admin),
    )
    assert_problem(resp, 404)
    assert await Team.count() == 0


async def test_teams_of_another_organization_are_invisible(client):
    admin = await signup(client)
    await create_team(client, admin, "Ours")
    other = await signup(client, org="Other")
    resp = await client.get("/api/v1/teams", headers=bearer(other))
    assert resp.json()["items"] == []


async def test_admin_lists_and_updates_users(client):
    admin = await signup(client)
    team = await create_team(client, admin, "Support")
    member = await add_member(client, admin)
    users = (await client.get("/api/v1/admin/users", headers=bearer(admin))).json()
    assert [u["id"] for u in users["items"]] == [admin.user_id, member.user_id]
    resp = await client.put(
        f"/api/v1/admin/users/{member.user_id}",
        json={"role": "lead", "teamId": team["id"]},
        headers=bearer(admin),
    )
    assert resp.status_code == 200
    assert resp.json()["role"] == "lead"
    assert resp.json()["teamId"] == team["id"]
    cleared = await client.put(
        f"/api/v1/admin/users/{member.user_id}", json={"teamId": None}, headers=bearer(admin)
    )
    assert cleared.json()["teamId"] is None
    assert cleared.json()["role"] == "lead"  # what was not sent did not change


async def test_users_page_with_a_cursor(client):
    admin = await signup(client)
    for _ in range(4):
        await add_member(client, admin)
    ids, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (
            await client.get("/api/v1/admin/users", params=params, headers=bearer(admin))
        ).json()
        ids += [u["id"] for u in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert len(ids) == len(set(ids)) == 5


async def test_demoting_a_lead_to_employee_ends_their_team_leadership(client):
    admin = await signup(client)
    lead = await add_member(client, admin)
    await create_team(client, admin, "Ops", lead_user_id=lead.user_id)
    assert await TeamLead.count() == 1
    resp = await client.put(
        f"/api/v1/admin/users/{lead.user_id}", json={"role": "employee"}, headers=bearer(admin)
    )
    assert resp.status_code == 200
    assert await TeamLead.count() == 0


async def test_the_last_admin_cannot_be_demoted_or_deactivated(client):
    admin = await signup(client)
    for body in ({"role": "employee"}, {"active": False}):
        resp = await client.put(
            f"/api/v1/admin/users/{admin.user_id}", json=body, headers=bearer(admin)
        )
        assert 400 <= resp.status_code < 500
        assert resp.headers["content-type"].startswith("application/problem+json")
    row = await User.select(User.role, User.active).first()
    assert row == {"role": "admin", "active": True}
    second = await add_member(client, admin, role="admin")
    resp = await client.put(
        f"/api/v1/admin/users/{admin.user_id}", json={"role": "employee"}, headers=bearer(second)
    )
    assert resp.status_code == 200


async def test_users_and_teams_of_another_organization_are_404(client):
    admin = await signup(client)
    other = await signup(client, org="Other")
    their_member = await add_member(client, other)
    their_team = await create_team(client, other, "Theirs")
    resp = await client.put(
        f"/api/v1/admin/users/{their_member.user_id}",
        json={"role": "admin"},
        headers=bearer(admin),
    )
    body = assert_problem(resp, 404)
    assert their_member.user_id not in body["detail"]
    mine = await add_member(client, admin)
    resp = await client.put(
        f"/api/v1/admin/users/{mine.user_id}",
        json={"teamId": their_team["id"]},
        headers=bearer(admin),
    )
    assert_problem(resp, 404)
    row = await User.select(User.role, User.team).where(User.id == their_member.user_id).first()
    assert row == {"role": "employee", "team": None}
    missing = await client.put(
        f"/api/v1/admin/users/{uuid.uuid4()}", json={"role": "admin"}, headers=bearer(admin)
    )
    assert_problem(missing, 404)
    bad_id = await client.put(
        "/api/v1/admin/users/not-a-uuid", json={"role": "admin"}, headers=bearer(admin)
    )
    assert 400 <= bad_id.status_code < 500
    assert bad_id.headers["content-type"].startswith("application/problem+json")


async def test_employees_and_leads_get_403_on_every_admin_endpoint(client):
    admin = await signup(client)
    target = await add_member(client, admin)
    calls = [
        ("POST", "/api/v1/admin/invites", {"email": "x@example.com"}),
        ("POST", "/api/v1/admin/teams", {"name": "Nope"}),
        ("GET", "/api/v1/admin/users", None),
        ("PUT", f"/api/v1/admin/users/{target.user_id}", {"role": "admin"}),
    ]
    for role in ("employee", "lead"):
        caller = await add_member(client, admin, role=role)
        for method, path, body in calls:
            resp = await client.request(method, path, json=body, headers=bearer(caller))
            assert_problem(resp, 403)
    assert await Team.count() == 0
    assert (await User.select(User.role).where(User.id == target.user_id).first())["role"] == (
        "employee"
    )


async def test_anonymous_callers_get_401_everywhere_but_public_routes(client):
    for method, path in [
        ("GET", "/api/v1/me"),
        ("PATCH", "/api/v1/me"),
        ("GET", "/api/v1/teams"),
        ("POST", "/api/v1/admin/invites"),
        ("POST", "/api/v1/admin/teams"),
        ("GET", "/api/v1/admin/users"),
        ("PUT", f"/api/v1/admin/users/{uuid.uuid4()}"),
        ("POST", "/api/v1/auth/logout"),
    ]:
        resp = await client.request(method, path, json={})
        assert_problem(resp, 401)
