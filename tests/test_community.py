"""The community space: feed order and pages, reactions (one per person, idempotent), comments
with a pace limit, kudos (a daily allowance, never for oneself), blocked words, reports and
hiding, and milestones from the rest of Chorus."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from backend.community.tables import FeedItem
from tests.helpers import add_member, assert_problem, bearer, signup


async def org(client: Any) -> dict[str, Any]:
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    pat = await add_member(client, admin, name="Pat Peer")
    return {"admin": admin, "sam": sam, "pat": pat}


async def kudos(
    client: Any, giver: Any, receiver: Any, message: str = "Thanks for the help!"
) -> Any:
    return await client.post(
        "/api/v1/kudos", json={"to": receiver.user_id, "message": message}, headers=bearer(giver)
    )


async def test_kudos_earn_points_appear_in_the_feed_and_the_profile(client):
    o = await org(client)
    resp = await kudos(client, o["sam"], o["pat"], "You saved the demo today")
    assert resp.status_code == 201, resp.text
    assert resp.json()["leftToday"] == 2
    assert (await client.get("/api/v1/me", headers=bearer(o["pat"]))).json()["points"] == 5
    feed = (await client.get("/api/v1/feed", headers=bearer(o["pat"]))).json()
    item = feed["items"][0]
    assert (item["kind"], item["text"], item["message"]) == (
        "kudos",
        "Sam Member gave kudos to Pat Peer",
        "You saved the demo today",
    )
    received = (
        await client.get(f"/api/v1/users/{o['pat'].user_id}/kudos", headers=bearer(o["admin"]))
    ).json()
    assert [(k["giver"]["displayName"], k["message"]) for k in received] == [
        ("Sam Member", "You saved the demo today")
    ]
    inbox = (await client.get("/api/v1/notifications", headers=bearer(o["pat"]))).json()["items"]
    assert [n["title"] for n in inbox] == ["Kudos from Sam Member"]


async def test_the_daily_allowance_and_no_kudos_for_oneself(client):
    o = await org(client)
    others = [o["pat"], o["admin"], await add_member(client, o["admin"], name="Kim")]
    for colleague in others:
        assert (await kudos(client, o["sam"], colleague)).status_code == 201
    fourth = await kudos(client, o["sam"], await add_member(client, o["admin"], name="Lee"))
    assert_problem(fourth, 429, detail_contains="3 kudos")
    assert int(fourth.headers["retry-after"]) > 0
    assert_problem(await kudos(client, o["pat"], o["pat"]), 422, detail_contains="someone else")
    assert (await client.get("/api/v1/me", headers=bearer(o["pat"]))).json()["points"] == 5
    stranger = await signup(client, org="Other")
    assert_problem(await kudos(client, o["sam"], stranger), 404)


async def test_reactions_are_one_per_person_and_idempotent(client):
    o = await org(client)
    await kudos(client, o["sam"], o["pat"])
    item = (await client.get("/api/v1/feed", headers=bearer(o["pat"]))).json()["items"][0]["id"]
    url = f"/api/v1/feed/{item}/reaction"
    for _ in range(3):
        assert (
            await client.put(url, json={"kind": "clap"}, headers=bearer(o["pat"]))
        ).status_code == 204
    assert (
        await client.put(url, json={"kind": "heart"}, headers=bearer(o["admin"]))
    ).status_code == 204
    seen = (await client.get("/api/v1/feed", headers=bearer(o["pat"]))).json()["items"][0]
    assert (seen["reactions"], seen["myReaction"]) == ({"clap": 1, "heart": 1}, "clap")
    assert (
        await client.put(url, json={"kind": "party"}, headers=bearer(o["pat"]))
    ).status_code == 204
    assert (await client.delete(url, headers=bearer(o["admin"]))).status_code == 204
    seen = (await client.get("/api/v1/feed", headers=bearer(o["pat"]))).json()["items"][0]
    assert (seen["reactions"], seen["myReaction"]) == ({"party": 1}, "party")
    assert_problem(await client.put(url, json={"kind": "angry"}, headers=bearer(o["pat"])), 400)
    stranger = await signup(client, org="Other")
    assert_problem(await client.put(url, json={"kind": "clap"}, headers=bearer(stranger)), 404)


async def test_feed_is_newest_first_and_pages_with_a_cursor(client):
    admin = await signup(client, org="Acme")
    people = [await add_member(client, admin, name=f"P{n}") for n in range(9)]
    for n in range(25):
        # one kudos per giver and receiver a day: each round thanks another colleague
        giver, receiver = people[n % 9], people[(n + 1 + n // 9) % 9]
        assert (await kudos(client, giver, receiver, f"kudos {n}")).status_code == 201
    first = (await client.get("/api/v1/feed", headers=bearer(admin))).json()
    assert [i["message"] for i in first["items"]] == [f"kudos {n}" for n in range(24, 4, -1)]
    second = (
        await client.get(f"/api/v1/feed?cursor={first['nextCursor']}", headers=bearer(admin))
    ).json()
    assert [i["message"] for i in second["items"]] == [f"kudos {n}" for n in range(4, -1, -1)]
    assert second["nextCursor"] is None and second["featured"] is None
    assert_problem(await client.get("/api/v1/feed?cursor=garbage!", headers=bearer(admin)), 422)


async def test_comments_are_paced_and_their_authors_delete_them(client):
    o = await org(client)
    await kudos(client, o["sam"], o["pat"])
    item = (await client.get("/api/v1/feed", headers=bearer(o["pat"]))).json()["items"][0]["id"]
    url = f"/api/v1/feed/{item}/comments"
    made = []
    for n in range(10):
        resp = await client.post(url, json={"body": f"Well deserved {n}"}, headers=bearer(o["pat"]))
        assert resp.status_code == 201, resp.text
        made.append(resp.json()["id"])
    assert_problem(await client.post(url, json={"body": "one more"}, headers=bearer(o["pat"])), 429)
    listed = (await client.get(url, headers=bearer(o["sam"]))).json()
    assert [c["body"] for c in listed] == [f"Well deserved {n}" for n in range(10)]
    assert (await client.get("/api/v1/feed", headers=bearer(o["sam"]))).json()["items"][0][
        "comments"
    ] == 10
    assert_problem(
        await client.delete(f"/api/v1/comments/{made[0]}", headers=bearer(o["sam"])), 403
    )
    assert (
        await client.delete(f"/api/v1/comments/{made[0]}", headers=bearer(o["pat"]))
    ).status_code == 204
    assert len((await client.get(url, headers=bearer(o["sam"]))).json()) == 9


async def test_blocked_words_are_refused_with_a_clear_message(client):
    o = await org(client)
    resp = await client.put(
        "/api/v1/admin/community",
        json={
            "guidelines": ["No client names", "Be kind"],
            "blockedWords": ["Confidential", "project-x"],
        },
        headers=bearer(o["admin"]),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["blockedWords"] == ["confidential", "project-x"]
    refused = await kudos(client, o["sam"], o["pat"], "Great work on PROJECT-X!")
    assert_problem(refused, 422, detail_contains="project-x")
    assert (
        await kudos(client, o["sam"], o["pat"], "Great work on project-xylophone")
    ).status_code == 201
    item = (await client.get("/api/v1/feed", headers=bearer(o["pat"]))).json()["items"][0]["id"]
    resp = await client.post(
        f"/api/v1/feed/{item}/comments",
        json={"body": "this is confidential"},
        headers=bearer(o["pat"]),
    )
    assert_problem(resp, 422, detail_contains="Confidential")
    assert (await client.get("/api/v1/community/guidelines", headers=bearer(o["sam"]))).json() == [
        "No client names",
        "Be kind",
    ]
    assert_problem(
        await client.put(
            "/api/v1/admin/community",
            json={"guidelines": [], "blockedWords": []},
            headers=bearer(o["sam"]),
        ),
        403,
    )


async def test_a_report_reaches_the_admins_who_hide_the_item(client):
    o = await org(client)
    await kudos(client, o["sam"], o["pat"], "Not nice words here")
    item = (await client.get("/api/v1/feed", headers=bearer(o["pat"]))).json()["items"][0]["id"]
    assert (
        await client.post(
            f"/api/v1/feed/{item}/report", json={"reason": "Unkind"}, headers=bearer(o["pat"])
        )
    ).status_code == 204
    assert (
        await client.post(
            f"/api/v1/feed/{item}/report", json={"reason": "Unkind"}, headers=bearer(o["pat"])
        )
    ).status_code == 204
    reports = (await client.get("/api/v1/admin/reports", headers=bearer(o["admin"]))).json()
    assert [(r["reason"], r["excerpt"], r["reporter"]["displayName"]) for r in reports] == [
        ("Unkind", "Not nice words here", "Pat Peer")
    ]
    assert_problem(await client.get("/api/v1/admin/reports", headers=bearer(o["pat"])), 403)
    resp = await client.post(
        f"/api/v1/admin/reports/{reports[0]['id']}/resolve",
        json={"action": "hide"},
        headers=bearer(o["admin"]),
    )
    assert resp.status_code == 204
    assert (await client.get("/api/v1/feed", headers=bearer(o["pat"]))).json()["items"] == []
    admin_view = (await client.get("/api/v1/feed", headers=bearer(o["admin"]))).json()["items"]
    assert [i["hidden"] for i in admin_view] == [True]
    assert (await client.get("/api/v1/admin/reports", headers=bearer(o["admin"]))).json() == []
    assert_problem(
        await client.put(
            f"/api/v1/feed/{item}/reaction", json={"kind": "clap"}, headers=bearer(o["pat"])
        ),
        404,
    )


async def test_authors_delete_their_own_kudos_only(client):
    o = await org(client)
    await kudos(client, o["sam"], o["pat"])
    item = (await client.get("/api/v1/feed", headers=bearer(o["pat"]))).json()["items"][0]["id"]
    assert_problem(await client.delete(f"/api/v1/feed/{item}", headers=bearer(o["pat"])), 403)
    assert (
        await client.delete(f"/api/v1/feed/{item}", headers=bearer(o["sam"]))
    ).status_code == 204
    assert await FeedItem.raw("SELECT 1 FROM feed_item") == []


async def test_a_badge_earned_becomes_a_feed_item_once(client):
    from backend import events

    o = await org(client)
    notice = events.UserNotice(
        org_id=__import__("uuid").UUID(o["sam"].org_id),
        user_id=__import__("uuid").UUID(o["sam"].user_id),
        kind="badge",
        data={"code": "first-share", "name": "First voice", "points": 10},
    )
    await events.user_notice(notice)
    await events.user_notice(notice)
    items = (await client.get("/api/v1/feed", headers=bearer(o["pat"]))).json()["items"]
    assert [(i["kind"], i["text"]) for i in items] == [("badge", "Sam Member earned First voice")]


async def test_colleagues_search_excludes_me_and_other_organizations(client):
    o = await org(client)
    await signup(client, org="Other", name="Sam Stranger")
    found = (await client.get("/api/v1/colleagues?q=sam", headers=bearer(o["pat"]))).json()
    assert [c["displayName"] for c in found] == ["Sam Member"]
    mine = (await client.get("/api/v1/colleagues?q=Pat", headers=bearer(o["pat"]))).json()
    assert mine == []
    assert (await client.get("/api/v1/colleagues?q=%25", headers=bearer(o["pat"]))).json() == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"to": "not-a-uuid", "message": "hi"}, 400),
        ({"message": "hi"}, 400),
        ({"to": str(uuid4()), "message": ""}, 400),
        ({"to": str(uuid4()), "message": "x" * 281}, 400),
        ({"to": str(uuid4()), "message": "hi"}, 404),
    ],
)
async def test_bad_kudos_are_refused(client, body, status):
    o = await org(client)
    assert_problem(await client.post("/api/v1/kudos", json=body, headers=bearer(o["sam"])), status)
    assert await FeedItem.raw("SELECT 1 FROM kudos") == []
