from tests.helpers import add_member, bearer, create_team, signup


async def test_me_describes_the_signed_in_person(client):
    admin = await signup(client, org="Acme", name="Ann Admin")
    team = await create_team(client, admin, "Marketing")
    member = await add_member(client, admin, team_id=team["id"], name="Priya")
    body = (await client.get("/api/v1/me", headers=bearer(member))).json()
    assert body == {
        "id": member.user_id,
        "email": member.email,
        "displayName": "Priya",
        "role": "employee",
        "orgId": admin.org_id,
        "orgName": "Acme",
        "team": {"id": team["id"], "name": "Marketing"},
        "timezone": "UTC",
        "hideFromLeaderboards": False,
        "language": None,
        "leadsTeamIds": [],
        "points": 0,
        "balance": 0,
        "level": 1,
        "nextLevelPoints": 100,
        "streakWeeks": 0,
        "streakFreezes": 0,
        "badges": [],
    }


async def test_people_update_their_own_profile_and_privacy(client):
    admin = await signup(client)
    member = await add_member(client, admin)
    resp = await client.patch(
        "/api/v1/me",
        json={"displayName": "  Sam  ", "timezone": "Asia/Tokyo", "hideFromLeaderboards": True},
        headers=bearer(member),
    )
    assert resp.status_code == 200
    body = resp.json()
    assert (body["displayName"], body["timezone"], body["hideFromLeaderboards"]) == (
        "Sam",
        "Asia/Tokyo",
        True,
    )
    # a partial update leaves the rest alone, and nobody else changed
    resp = await client.patch("/api/v1/me", json={"timezone": "UTC"}, headers=bearer(member))
    assert resp.json()["hideFromLeaderboards"] is True
    admin_me = (await client.get("/api/v1/me", headers=bearer(admin))).json()
    assert admin_me["displayName"] == "Ann Admin"
    assert admin_me["hideFromLeaderboards"] is False


async def test_user_text_is_kept_as_text(client):
    admin = await signup(client, name="<script>alert(1)</script>")
    body = (await client.get("/api/v1/me", headers=bearer(admin))).json()
    assert body["displayName"] == "<script>alert(1)</script>"
    resp = await client.patch(
        "/api/v1/me",
        json={"displayName": "Robert'); DROP TABLE app_user;--"},
        headers=bearer(admin),
    )
    assert resp.json()["displayName"] == "Robert'); DROP TABLE app_user;--"
    assert (await client.get("/api/v1/me", headers=bearer(admin))).status_code == 200
