"""Web Push through the real worker to a local push service that checks VAPID and decrypts."""

import time
from datetime import UTC, datetime
from uuid import UUID

import pytest

from backend import events
from backend.core import clock
from backend.db import DB
from backend.notifications import service as notifications
from backend.notifications.push import enqueue_push
from backend.notifications.tables import Notification, PushSubscription
from backend.notifications.vapid import public_of
from tests.helpers import (
    add_member,
    assert_problem,
    at_noon,
    bearer,
    run_worker_burst,
    signup,
)
from tests.test_submissions import _setup, _submit


@pytest.fixture(autouse=True)
def midday(monkeypatch):
    """Pushes depend on the hour (quiet hours): these tests live at noon UTC, whenever CI runs."""
    return at_noon(monkeypatch)


async def _subscribe(client, person, push_service):
    sub = push_service.subscription()
    resp = await client.post("/api/v1/push/subscriptions", json=sub, headers=bearer(person))
    assert resp.status_code == 201, resp.text
    return sub


async def test_the_public_key_is_the_servers_vapid_key(client, settings):
    resp = await client.get("/api/v1/push/public-key")
    assert resp.json() == {"publicKey": public_of(settings.vapid_private_key)}


async def test_a_verified_share_arrives_as_an_encrypted_push(client, push_service):
    _, employee, ch, _ = await _setup(client, verification="trust")
    await _subscribe(client, employee, push_service)
    await _submit(client, employee, ch)
    await run_worker_burst()
    assert push_service.rejected == []
    verdicts = [m for m in push_service.messages if m["payload"]["category"] == "verification"]
    assert len(verdicts) == 1
    message = verdicts[0]
    assert message["payload"]["title"] == "Verified! +25"
    assert message["payload"]["body"] == "Your share counts. Thank you for spreading the word."
    assert message["payload"]["url"] == f"/challenges/{ch['id']}"
    assert (message["urgency"], message["ttl"]) == ("high", "86400")
    row = await PushSubscription.select(PushSubscription.last_success_at).first()
    assert row["last_success_at"] is not None
    inbox = (await client.get("/api/v1/notifications", headers=bearer(employee))).json()
    assert "Verified! +25" in [n["title"] for n in inbox["items"]]


async def _notify(app, person, n, category="badge"):
    for i in range(n):
        made = await notifications.notify(
            UUID(person.org_id), UUID(person.user_id), category, f"Notice {i}", "Body"
        )
        if made and made[1] == "queued":
            await enqueue_push(app.state.redis, made[0])


async def test_the_fourth_non_urgent_push_of_a_day_waits_in_the_inbox(app, client, push_service):
    admin = await signup(client)
    person = await add_member(client, admin)
    await _subscribe(client, person, push_service)
    await _notify(app, person, 4)
    await run_worker_burst()
    # separate jobs, delivered in whatever order the worker runs them
    assert sorted(m["payload"]["title"] for m in push_service.messages) == [
        "Notice 0",
        "Notice 1",
        "Notice 2",
    ]
    inbox = (await client.get("/api/v1/notifications", headers=bearer(person))).json()["items"]
    held = [n for n in inbox if not n["pushed"]]
    assert [(n["title"], n["heldReason"]) for n in held] == [("Notice 3", "daily_cap")]
    # an urgent notice still goes
    made = await notifications.notify(
        UUID(person.org_id), UUID(person.user_id), "verification", "Verdict", "Yes", urgent=True
    )
    assert made is not None and made[1] == "queued"


async def test_quiet_hours_and_preferences_hold_pushes(app, client, push_service, monkeypatch):
    admin = await signup(client)
    person = await add_member(client, admin)
    await DB.run_ddl(f"UPDATE app_user SET timezone = 'Asia/Tokyo' WHERE id = '{person.user_id}'")
    resp = await client.put(
        "/api/v1/me/notification-preferences",
        json={"categories": {"level": False}, "quietStart": 22, "quietEnd": 7, "dailyCap": 5},
        headers=bearer(person),
    )
    assert resp.status_code == 200
    assert resp.json()["categories"]["level"] is False
    assert resp.json()["categories"]["badge"] is True
    late = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)  # 23:30 in Tokyo
    monkeypatch.setattr(clock, "now", lambda: late)
    org, user = UUID(person.org_id), UUID(person.user_id)
    assert (await notifications.notify(org, user, "badge", "B", "b"))[1] == "held"
    assert (await notifications.notify(org, user, "level", "L", "l"))[1] == "off"
    assert (await notifications.notify(org, user, "verification", "V", "v", urgent=True))[1] == (
        "queued"
    )
    morning = datetime(2026, 11, 26, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo
    monkeypatch.setattr(clock, "now", lambda: morning)
    assert (await notifications.notify(org, user, "badge", "B2", "b"))[1] == "queued"
    reasons = {
        r["title"]: r["held_reason"]
        for r in await Notification.select(Notification.title, Notification.held_reason)
    }
    assert reasons == {"B": "quiet_hours", "L": "preference", "V": None, "B2": None}


async def test_a_gone_subscription_is_removed_and_busy_services_are_retried(
    app, client, push_service
):
    admin = await signup(client)
    person = await add_member(client, admin)
    gone = await _subscribe(client, person, push_service)
    busy = await _subscribe(client, person, push_service)
    flaky = await _subscribe(client, person, push_service)
    push_service.script[gone["endpoint"].rsplit("/", 1)[1]] = [(410, {})]
    push_service.script[busy["endpoint"].rsplit("/", 1)[1]] = [(429, {"Retry-After": "1"})]
    push_service.script[flaky["endpoint"].rsplit("/", 1)[1]] = [(500, {})]
    await _notify(app, person, 1)
    await run_worker_burst()
    endpoints = {r["endpoint"] for r in await PushSubscription.select(PushSubscription.endpoint)}
    assert endpoints == {busy["endpoint"], flaky["endpoint"]}  # only the gone one was dropped
    delivered = sorted(m["subscription"] for m in push_service.messages)
    assert delivered == sorted(
        [busy["endpoint"].rsplit("/", 1)[1], flaky["endpoint"].rsplit("/", 1)[1]]
    )  # each once, after its retry
    assert (await Notification.select(Notification.push_state).first())["push_state"] == "sent"


async def test_a_new_challenge_a_badge_and_the_verdict_each_become_a_push(client, push_service):
    _, employee, ch, _ = await _setup(client, verification="trust")
    await _subscribe(client, employee, push_service)
    await _submit(client, employee, ch)
    await run_worker_burst()
    categories = sorted(m["payload"]["category"] for m in push_service.messages)
    assert categories == ["badge", "challenge", "verification"]
    titles = {m["payload"]["title"] for m in push_service.messages}
    assert "You earned First voice" in titles


async def test_subscriptions_are_checked_and_belong_to_their_owner(client, push_service):
    admin = await signup(client)
    person = await add_member(client, admin)
    sub = await _subscribe(client, person, push_service)
    again = await client.post("/api/v1/push/subscriptions", json=sub, headers=bearer(person))
    assert again.status_code == 200  # the same endpoint again is an update
    for endpoint in [
        "javascript:alert(1)",
        "http://push.example.com/x",
        "https://10.1.2.3/push/abc",
        "https://evil.example.com/push/abc",
    ]:
        resp = await client.post(
            "/api/v1/push/subscriptions",
            json={**sub, "endpoint": endpoint},
            headers=bearer(person),
        )
        assert_problem(resp, 422)
    for body in ({"endpoint": sub["endpoint"]}, {**sub, "keys": {"p256dh": "x"}}, ["nope"]):
        resp = await client.post("/api/v1/push/subscriptions", json=body, headers=bearer(person))
        assert resp.status_code == 400, body
    assert_problem(await client.post("/api/v1/push/subscriptions", json=sub), 401)
    other = await signup(client, org="Other")
    colleague = await add_member(client, admin)
    stolen = {**sub, "keys": {"p256dh": sub["keys"]["p256dh"], "auth": "c3RvbGVuLWF1dGg"}}
    for intruder in (other, colleague):  # another organization's admin, a colleague
        resp = await client.post(
            "/api/v1/push/subscriptions", json=stolen, headers=bearer(intruder)
        )
        assert_problem(resp, 409, detail_contains="another account")
    [row] = await PushSubscription.select(PushSubscription.user, PushSubscription.auth)
    assert (str(row["user"]), row["auth"]) == (person.user_id, sub["keys"]["auth"])
    resp = await client.delete(
        "/api/v1/push/subscriptions", params={"endpoint": sub["endpoint"]}, headers=bearer(other)
    )
    assert_problem(resp, 404)
    resp = await client.delete(
        "/api/v1/push/subscriptions", params={"endpoint": sub["endpoint"]}, headers=bearer(person)
    )
    assert resp.status_code == 204
    assert await PushSubscription.count() == 0


async def test_the_inbox_pages_newest_first_and_marks_read(app, client):
    admin = await signup(client)
    person = await add_member(client, admin)
    await _notify(app, person, 5)
    first = (
        await client.get("/api/v1/notifications", params={"limit": 3}, headers=bearer(person))
    ).json()
    assert [n["title"] for n in first["items"]] == ["Notice 4", "Notice 3", "Notice 2"]
    rest = (
        await client.get(
            "/api/v1/notifications",
            params={"limit": 3, "cursor": first["nextCursor"]},
            headers=bearer(person),
        )
    ).json()
    assert [n["title"] for n in rest["items"]] == ["Notice 1", "Notice 0"]
    target = first["items"][0]["id"]
    assert_problem(
        await client.post(f"/api/v1/notifications/{target}/read", headers=bearer(admin)), 404
    )
    resp = await client.post(f"/api/v1/notifications/{target}/read", headers=bearer(person))
    assert resp.status_code == 204
    again = (await client.get("/api/v1/notifications", headers=bearer(person))).json()["items"]
    assert again[0]["readAt"] is not None


@pytest.mark.parametrize(
    "body",
    [
        {"categories": {"gossip": True}},
        {"categories": {}, "quietStart": 22},
        {"categories": {}, "dailyCap": 99},
        {"categories": {"badge": "yes"}},
        {"categories": {}, "quietStart": 25, "quietEnd": 7},
    ],
)
async def test_bad_preferences_are_refused(client, body):
    admin = await signup(client)
    resp = await client.put("/api/v1/me/notification-preferences", json=body, headers=bearer(admin))
    assert 400 <= resp.status_code < 500
    prefs = (await client.get("/api/v1/me/notification-preferences", headers=bearer(admin))).json()
    assert prefs["dailyCap"] == 3


async def test_notices_given_twice_with_one_key_make_one_notification(client):
    admin = await signup(client)
    org, user = UUID(admin.org_id), UUID(admin.user_id)
    assert await notifications.notify(org, user, "recap", "R", "r", dedupe_key="recap:w48")
    assert await notifications.notify(org, user, "recap", "R", "r", dedupe_key="recap:w48") is None
    assert await Notification.count() == 1
    assert events.UserNotice  # the notices that feed this are published as events


async def test_a_new_challenge_is_announced_in_batches_to_its_audience_once(
    app, client, push_service, monkeypatch
):
    from backend.notifications import triggers
    from tests.helpers import create_challenge, create_team

    monkeypatch.setattr(triggers, "ANNOUNCE_BATCH", 2)  # five people: three batches
    admin = await signup(client)
    team = await create_team(client, admin, "Field")
    members = [await add_member(client, admin, team_id=team["id"]) for _ in range(5)]
    outsider = await add_member(client, admin)
    for person in (*members, outsider):
        await _subscribe(client, person, push_service)
    ch = await create_challenge(client, admin, title="Launch day", teamIds=[team["id"]])
    await run_worker_burst()
    told = [m for m in push_service.messages if m["payload"]["category"] == "challenge"]
    assert len(told) == 5
    assert told[0]["payload"]["title"] == "New challenge: Launch day"
    assert told[0]["payload"]["url"] == f"/challenges/{ch['id']}"
    # publishing again (after an unpublish) tells nobody twice
    await client.post(f"/api/v1/admin/challenges/{ch['id']}/unpublish", headers=bearer(admin))
    await client.post(f"/api/v1/admin/challenges/{ch['id']}/publish", headers=bearer(admin))
    for batch in range(3):
        await app.state.redis.enqueue_job(
            "announce_challenge_batch", ch["id"], batch, _job_id=f"again:{batch}"
        )
    await run_worker_burst()
    assert len([m for m in push_service.messages if m["payload"]["category"] == "challenge"]) == 5


async def test_the_evening_digest_sums_up_what_was_held(app, client, push_service, monkeypatch):
    from backend.notifications import triggers

    admin = await signup(client)
    person = await add_member(client, admin)
    await _subscribe(client, person, push_service)
    await _notify(app, person, 5)  # three pushed, two held by the cap
    evening = clock.now().replace(hour=18, minute=5)
    monkeypatch.setattr(clock, "now", lambda: evening)
    queued = await triggers.send_digests()
    assert len(queued) == 1
    assert await triggers.send_digests() == []  # once a day
    for notification_id in queued:
        await enqueue_push(app.state.redis, notification_id)
    await run_worker_burst()
    digest = [m for m in push_service.messages if m["payload"]["category"] == "digest"]
    assert [m["payload"]["title"] for m in digest] == ["2 updates you missed today"]
    assert digest[0]["payload"]["body"] == "Notice 4 · Notice 3"


async def test_the_monday_recap_tells_last_weeks_points_and_place(client, monkeypatch):
    from backend.notifications import triggers
    from tests.helpers import ledger_award

    admin = await signup(client)
    first, second = await add_member(client, admin), await add_member(client, admin)
    org = UUID(admin.org_id)
    wednesday = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    await ledger_award(org, UUID(first.user_id), 80, at=wednesday, announce=False)
    await ledger_award(org, UUID(second.user_id), 30, at=wednesday, announce=False)
    monday_nine = datetime(2026, 11, 23, 9, 10, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: monday_nine)
    assert len(await triggers.send_recaps()) == 2
    assert await triggers.send_recaps() == []
    recap = await Notification.select(Notification.user, Notification.body).where(
        Notification.category == "recap"
    )
    bodies = {str(r["user"]): r["body"] for r in recap}
    assert bodies[first.user_id] == "+80 points, #1 of 2. Thank you!"
    assert bodies[second.user_id] == "+30 points, #2 of 2. Thank you!"


@pytest.mark.parametrize("answered_by", ["kick", "board"])
async def test_people_passed_on_this_weeks_board_are_told_once_a_day(
    app, client, monkeypatch, answered_by
):
    """The kick's Lua call answers who an award passed (no Redis read of the trigger's own:
    ZSCORE and ZRANGEBYSCORE fail here if asked); without that answer (a failed kick, boards
    being rebuilt) the trigger asks the board, with the same outcome."""
    from redis.asyncio import Redis

    from backend.leaderboards import boards, outbox
    from tests.helpers import ledger_award

    if answered_by == "kick":

        async def refuse(*args, **kwargs):
            raise AssertionError("the kick answered this: no read of the board")

        monkeypatch.setattr(Redis, "zscore", refuse)
        monkeypatch.setattr(Redis, "zrangebyscore", refuse)
    else:
        monkeypatch.setattr(outbox, "passed_by", lambda ledger_id: None)
    admin = await signup(client)
    ahead, behind, climber = [await add_member(client, admin, name=n) for n in ("Ada", "Bo", "Cy")]
    org = UUID(admin.org_id)
    await boards.rebuild(app.state.redis, org)
    await ledger_award(org, UUID(ahead.user_id), 50)
    await ledger_award(org, UUID(behind.user_id), 30)
    await ledger_award(org, UUID(climber.user_id), 40)  # Cy passes Bo (30), not Ada (50)
    await ledger_award(org, UUID(behind.user_id), 20)  # Bo, at 50, passes Cy back
    await ledger_award(org, UUID(climber.user_id), 15)  # Cy, at 55, passes Ada and Bo again
    told = await Notification.select(Notification.user, Notification.title).where(
        Notification.category == "leaderboard"
    )
    assert sorted((str(t["user"]), t["title"]) for t in told) == sorted(
        [
            (behind.user_id, "Cy just passed you"),  # once today, though passed twice
            (climber.user_id, "Bo just passed you"),
            (ahead.user_id, "Cy just passed you"),
        ]
    )


@pytest.mark.parametrize(
    ("kind", "data", "category", "title", "urgent"),
    [
        (
            "submission",
            {"status": "verified", "pointsAwarded": 50, "challengeId": "c"},
            "verification",
            "Verified! +50",
            True,
        ),
        (
            "submission",
            {"status": "rejected", "reason": "Not public", "challengeId": "c"},
            "verification",
            "About your share",
            True,
        ),
        ("badge", {"name": "Regular", "points": 25}, "badge", "You earned Regular", False),
        ("level_up", {"level": 3, "points": 260}, "level", "Level 3!", False),
        (
            "team_goal",
            {"challengeId": "c", "bonus": 15},
            "team",
            "Your team reached its goal",
            False,
        ),
        ("streak_at_risk", {"weeks": 4, "freezes": 0}, "streak", "Keep your 4-week streak", False),
    ],
)
async def test_every_notice_becomes_its_notification(client, kind, data, category, title, urgent):
    admin = await signup(client)
    made = await notifications.on_notice(
        events.UserNotice(
            org_id=UUID(admin.org_id), user_id=UUID(admin.user_id), kind=kind, data=data
        )
    )
    assert made is not None
    row = await Notification.select(
        Notification.category, Notification.title, Notification.urgent
    ).first()
    assert (row["category"], row["title"], row["urgent"]) == (category, title, urgent)
    if kind == "submission" and data["status"] == "rejected":
        body = (await Notification.select(Notification.body).first())["body"]
        assert body == "Not public"  # the admin's note goes back to the author
    pending = await notifications.on_notice(
        events.UserNotice(
            org_id=UUID(admin.org_id),
            user_id=UUID(admin.user_id),
            kind="submission",
            data={"status": "pending"},
        )
    )
    assert pending is None  # nothing to tell while a share is still being checked


def test_what_chorus_sends_is_readable_with_the_subscriptions_private_key_only():
    import base64
    import os

    import http_ece
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from backend.notifications import push

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def browser() -> tuple[ec.EllipticCurvePrivateKey, bytes, str]:
        """A device's keys as pushManager.subscribe() makes them (RFC 8291)."""
        key = ec.generate_private_key(ec.SECP256R1())
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return key, os.urandom(16), b64(public)

    device, auth, p256dh = browser()
    body = push.payload(
        {"id": "n1", "title": "Verified! +25", "body": "Thanks", "url": "/c/1", "category": "x"}
    ).encode()
    sealed = push.encrypt(body, p256dh, b64(auth))
    plain = http_ece.decrypt(sealed, private_key=device, auth_secret=auth, version="aes128gcm")
    assert plain == body
    # RFC 8188 header: 16-byte salt, record size, then the sender's ephemeral public key
    assert int.from_bytes(sealed[16:20], "big") == 4096
    assert sealed[20] == 65 and sealed[21] == 4  # an uncompressed P-256 point
    again = push.encrypt(body, p256dh, b64(auth))
    assert again[:16] != sealed[:16] and again[21:86] != sealed[21:86]  # fresh salt and key
    other, other_auth, _ = browser()
    unreadable = pytest.raises(http_ece.ECEException, match="InvalidTag")
    with unreadable:  # another device cannot read it
        http_ece.decrypt(sealed, private_key=other, auth_secret=other_auth, version="aes128gcm")
    with pytest.raises(http_ece.ECEException, match="InvalidTag"):  # nor with another secret
        http_ece.decrypt(sealed, private_key=device, auth_secret=other_auth, version="aes128gcm")


def test_vapid_headers_are_signed_once_per_push_service_until_shortly_before_expiry(
    settings, monkeypatch
):
    from backend.notifications import push

    signer = push.VapidSigner(settings.vapid_private_key, settings.vapid_subject)
    signed = []
    original = signer._vapid.sign
    monkeypatch.setattr(
        signer._vapid, "sign", lambda claims: signed.append(claims) or original(claims)
    )
    now = 1_800_000_000.0
    monkeypatch.setattr(push.time, "time", lambda: now)
    first = signer.headers_for("https://fcm.googleapis.com/fcm/send/a")
    assert signer.headers_for("https://fcm.googleapis.com/fcm/send/b") == first
    other = signer.headers_for("https://updates.push.services.mozilla.com/wpush/v2/c")
    assert other != first
    assert [c["aud"] for c in signed] == [
        "https://fcm.googleapis.com",
        "https://updates.push.services.mozilla.com",
    ]
    assert signed[0]["exp"] == now + push.VAPID_TOKEN_LIFETIME
    now += push.VAPID_TOKEN_LIFETIME - push.VAPID_REFRESH_BEFORE - 1  # still reused
    assert signer.headers_for("https://fcm.googleapis.com/fcm/send/a") == first
    now += 2  # shortly before it expires: signed anew
    assert signer.headers_for("https://fcm.googleapis.com/fcm/send/a") != first
    assert len(signed) == 3


def test_retry_after_is_read_as_seconds_or_an_http_date():
    from email.utils import formatdate

    from backend.notifications.push import _retry_after

    assert _retry_after("7", 0.3) == 7.0
    assert _retry_after(None, 0.3) == 0.3
    assert _retry_after("soon", 0.3) == 0.3
    assert 55 <= _retry_after(formatdate(time.time() + 60, usegmt=True), 0.3) <= 60


async def test_pushes_of_several_jobs_share_one_client_and_its_connections(
    app, client, push_service
):
    from backend.notifications import push

    admin = await signup(client)
    person = await add_member(client, admin)
    await _subscribe(client, person, push_service)
    await _subscribe(client, person, push_service)
    await _notify(app, person, 2)
    await run_worker_burst()
    assert len(push_service.messages) == 4
    assert push.http_client() is push.http_client()  # the same session, connections kept
    for message in push_service.messages:
        assert (message["ttl"], message["urgency"]) == ("86400", "normal")
