"""Idempotency-Key on every unsafe API request: a retry with the same key and body answers the
first answer and changes nothing, even when the two arrive at once; another body with the same
key is 422; keys are one person's own; 5xx answers are not kept; bad keys are 400."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import pytest

from backend.challenges.tables import Challenge
from backend.community import kudos as kudos_service
from backend.community.tables import Comment, Kudos, Report
from backend.orgs.tables import Invite, Organization
from backend.submissions.tables import Submission
from backend.surveys.tables import SurveyAnswer
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    challenge_body,
    create_challenge,
    signup,
)
from tests.test_surveys import make_survey

POST_URL = "https://www.linkedin.com/posts/sam-member_launch-activity-7200000000000000042-AbCd"


def key() -> str:
    return str(uuid4())


def with_key(account: Any, idempotency_key: str) -> dict[str, str]:
    return {**bearer(account), "Idempotency-Key": idempotency_key}


def same_answer(first: Any, second: Any) -> None:
    assert second.status_code == first.status_code, (first.text, second.text)
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers


async def org(client: Any) -> dict[str, Any]:
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    pat = await add_member(client, admin, name="Pat Peer")
    return {"admin": admin, "sam": sam, "pat": pat}


async def feed_item(client: Any, o: dict[str, Any]) -> str:
    resp = await client.post(
        "/api/v1/kudos",
        json={"to": o["pat"].user_id, "message": "Thanks for the demo"},
        headers=bearer(o["sam"]),
    )
    assert resp.status_code == 201, resp.text
    items = (await client.get("/api/v1/feed", headers=bearer(o["pat"]))).json()["items"]
    return str(items[0]["id"])


async def test_a_repeated_submission_answers_the_first_answer_and_makes_one_row(client):
    o = await org(client)
    challenge = await create_challenge(client, o["admin"])
    url = f"/api/v1/challenges/{challenge['id']}/submissions"
    body = {"network": "linkedin", "postUrl": POST_URL}
    k = key()
    first = await client.post(url, json=body, headers=with_key(o["sam"], k))
    assert first.status_code == 202, first.text
    again = await client.post(url, json=body, headers=with_key(o["sam"], k))
    same_answer(first, again)
    assert await Submission.count() == 1
    # without the key, a second submission is what it always was: a conflict
    assert_problem(await client.post(url, json=body, headers=bearer(o["sam"])), 409)


async def test_an_answer_without_content_is_replayed_too(client):
    o = await org(client)
    item = await feed_item(client, o)
    url = f"/api/v1/feed/{item}/report"
    k = key()
    first = await client.post(url, json={"reason": "Unkind"}, headers=with_key(o["pat"], k))
    assert first.status_code == 204, first.text
    again = await client.post(url, json={"reason": "Unkind"}, headers=with_key(o["pat"], k))
    assert (again.status_code, again.content) == (204, b"")
    assert again.headers["idempotent-replayed"] == "true"
    assert "content-length" not in again.headers
    assert await Report.count() == 1


async def test_the_same_key_with_another_body_is_422_and_changes_nothing(client):
    o = await org(client)
    k = key()
    first = await client.post(
        "/api/v1/kudos",
        json={"to": o["pat"].user_id, "message": "Thanks!"},
        headers=with_key(o["sam"], k),
    )
    assert first.status_code == 201, first.text
    other = await client.post(
        "/api/v1/kudos",
        json={"to": o["admin"].user_id, "message": "Thanks!"},
        headers=with_key(o["sam"], k),
    )
    assert_problem(other, 422, detail_contains="Idempotency-Key")
    # the same key on another endpoint is another request too
    survey = await make_survey(client, o["admin"])
    elsewhere = await client.post(
        f"/api/v1/surveys/{survey['id']}/responses",
        json={"answers": {"q1": 4}},
        headers=with_key(o["sam"], k),
    )
    assert_problem(elsewhere, 422, detail_contains="Idempotency-Key")
    assert await Kudos.count() == 1
    assert await SurveyAnswer.count() == 0


async def test_two_identical_kudos_at_once_make_one(client):
    o = await org(client)
    k = key()
    answers = await asyncio.gather(
        *[
            client.post(
                "/api/v1/kudos",
                json={"to": o["pat"].user_id, "message": "Both taps"},
                headers=with_key(o["sam"], k),
            )
            for _ in range(2)
        ]
    )
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].content == answers[1].content
    assert sorted(a.headers.get("idempotent-replayed", "") for a in answers) == ["", "true"]
    assert await Kudos.count() == 1
    me = (await client.get("/api/v1/me", headers=bearer(o["pat"]))).json()
    assert me["points"] == 5  # paid once


async def test_comments_with_one_key_are_one_comment_even_at_once(client):
    o = await org(client)
    item = await feed_item(client, o)
    url = f"/api/v1/feed/{item}/comments"
    k = key()
    answers = await asyncio.gather(
        *[
            client.post(url, json={"body": "Well deserved"}, headers=with_key(o["pat"], k))
            for _ in range(3)
        ]
    )
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.content for a in answers}) == 1
    # exactly one of the three ran (whichever came first); the others replayed its answer
    originals = [a for a in answers if "idempotent-replayed" not in a.headers]
    assert len(originals) == 1, [dict(a.headers) for a in answers]
    later = await client.post(url, json={"body": "Well deserved"}, headers=with_key(o["pat"], k))
    same_answer(originals[0], later)
    assert await Comment.count() == 1


async def test_survey_answers_with_one_key_are_one_answer_even_at_once(client):
    o = await org(client)
    survey = await make_survey(client, o["admin"])
    url = f"/api/v1/surveys/{survey['id']}/responses"
    k = key()
    body = {"answers": {"q1": 4, "q2": "More short posts"}}
    answers = await asyncio.gather(
        client.post(url, json=body, headers=with_key(o["sam"], k)),
        client.post(url, json=body, headers=with_key(o["sam"], k)),
    )
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].json() == answers[1].json() == {"pointsAwarded": 0, "pointsWhenClosed": 15}
    assert await SurveyAnswer.count() == 1
    # a new key is a new attempt: answered already
    assert_problem(await client.post(url, json=body, headers=with_key(o["sam"], key())), 409)


async def test_admin_creates_challenges_and_invites_once_per_key(client):
    o = await org(client)
    before = await Challenge.count()
    k = key()
    body = challenge_body(title="Launch day")
    made = await asyncio.gather(
        client.post("/api/v1/admin/challenges", json=body, headers=with_key(o["admin"], k)),
        client.post("/api/v1/admin/challenges", json=body, headers=with_key(o["admin"], k)),
    )
    assert [m.status_code for m in made] == [201, 201], [m.text for m in made]
    assert made[0].json()["id"] == made[1].json()["id"]
    assert await Challenge.count() == before + 1

    invites_before = await Invite.count()
    k = key()
    invite = {"email": "new.person@example.com", "role": "employee"}
    first = await client.post("/api/v1/admin/invites", json=invite, headers=with_key(o["admin"], k))
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/admin/invites", json=invite, headers=with_key(o["admin"], k))
    same_answer(first, again)
    assert again.json()["token"] == first.json()["token"]
    assert await Invite.count() == invites_before + 1


async def test_another_persons_same_key_is_not_a_replay(client):
    o = await org(client)
    k = key()
    body = {"to": o["admin"].user_id, "message": "Thanks, boss"}
    sam = await client.post("/api/v1/kudos", json=body, headers=with_key(o["sam"], k))
    pat = await client.post("/api/v1/kudos", json=body, headers=with_key(o["pat"], k))
    assert (sam.status_code, pat.status_code) == (201, 201), (sam.text, pat.text)
    assert sam.json()["id"] != pat.json()["id"]
    assert "idempotent-replayed" not in pat.headers
    assert await Kudos.count() == 2


async def test_a_4xx_answer_is_replayed_as_the_same_4xx(client):
    o = await org(client)
    draft = await create_challenge(client, o["admin"], publish=False)
    url = f"/api/v1/challenges/{draft['id']}/submissions"
    body = {"network": "linkedin", "postUrl": POST_URL}
    k = key()
    refused = await client.post(url, json=body, headers=with_key(o["sam"], k))
    assert 400 <= refused.status_code < 500, refused.text
    published = await client.post(
        f"/api/v1/admin/challenges/{draft['id']}/publish", headers=bearer(o["admin"])
    )
    assert published.status_code == 200, published.text
    # the world changed, but this key's request was answered: the same refusal, nothing made
    again = await client.post(url, json=body, headers=with_key(o["sam"], k))
    same_answer(refused, again)
    assert await Submission.count() == 0
    fresh = await client.post(url, json=body, headers=with_key(o["sam"], key()))
    assert fresh.status_code == 202, fresh.text


async def test_a_server_error_is_not_kept_and_frees_the_key_for_a_retry(client, monkeypatch):
    o = await org(client)
    real = kudos_service.give_kudos
    calls = 0

    async def fails_once(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the first try breaks")
        return await real(*args, **kwargs)

    monkeypatch.setattr(kudos_service, "give_kudos", fails_once)
    k = key()
    body = {"to": o["pat"].user_id, "message": "Try, try again"}
    broken = await client.post("/api/v1/kudos", json=body, headers=with_key(o["sam"], k))
    assert_problem(broken, 500)
    # the lock went with the failed request: the retry runs at once, and its answer is kept
    retried = await client.post("/api/v1/kudos", json=body, headers=with_key(o["sam"], k))
    assert retried.status_code == 201, retried.text
    replayed = await client.post("/api/v1/kudos", json=body, headers=with_key(o["sam"], k))
    same_answer(retried, replayed)
    assert (calls, await Kudos.count()) == (2, 1)


async def test_answers_are_kept_in_redis_for_a_day_under_chorus_idem(client, app):
    o = await org(client)
    k = key()
    resp = await client.post(
        "/api/v1/kudos",
        json={"to": o["pat"].user_id, "message": "Kept"},
        headers=with_key(o["sam"], k),
    )
    assert resp.status_code == 201, resp.text
    names = await app.state.redis.keys("chorus:idem:*")
    assert len(names) == 1, names  # the answer; the lock is gone
    assert k.encode() not in names[0]  # the key itself is hashed
    ttl = await app.state.redis.ttl(names[0])
    assert 23 * 3600 < ttl <= 24 * 3600


@pytest.mark.parametrize(
    "value",
    [b"", b"   ", b"x" * 256, "clé".encode(), b"tab\there", b'""'],
    ids=["empty", "blank", "too long", "not ascii", "control character", "empty quoted"],
)
async def test_bad_keys_are_400_and_change_nothing(client, value):
    o = await org(client)
    resp = await client.post(
        "/api/v1/kudos",
        json={"to": o["pat"].user_id, "message": "Bad key"},
        headers=[
            (b"authorization", f"Bearer {o['sam'].token}".encode()),
            (b"idempotency-key", value),
        ],
    )
    assert_problem(resp, 400, detail_contains="Idempotency-Key")
    assert await Kudos.count() == 0


async def test_two_keys_on_one_request_are_400(client):
    o = await org(client)
    resp = await client.post(
        "/api/v1/kudos",
        json={"to": o["pat"].user_id, "message": "Two keys"},
        headers=[
            (b"authorization", f"Bearer {o['sam'].token}".encode()),
            (b"idempotency-key", b"one"),
            (b"idempotency-key", b"two"),
        ],
    )
    assert_problem(resp, 400)
    assert await Kudos.count() == 0


async def test_the_longest_key_and_the_drafts_quoted_form_are_keys(client):
    o = await org(client)
    body = {"to": o["pat"].user_id, "message": "Quoted"}
    longest = "k" * 255
    first = await client.post("/api/v1/kudos", json=body, headers=with_key(o["sam"], longest))
    assert first.status_code == 201, first.text
    quoted = await client.post(
        "/api/v1/kudos", json=body, headers=with_key(o["sam"], f'"{longest}"')
    )
    same_answer(first, quoted)
    assert await Kudos.count() == 1


async def test_sign_up_is_once_per_key_and_caller_and_sign_in_ignores_the_key(client):
    body = {
        "orgName": "Acme",
        "email": "ann@example.com",
        "password": "correct horse battery staple",
        "displayName": "Ann",
    }
    k = key()
    phone = {"Idempotency-Key": k, "User-Agent": "Phone/1"}
    first = await client.post("/api/v1/auth/signup", json=body, headers=phone)
    assert first.status_code == 201, first.text
    client.cookies.clear()
    again = await client.post("/api/v1/auth/signup", json=body, headers=phone)
    same_answer(first, again)
    assert again.headers.get_list("set-cookie") == first.headers.get_list("set-cookie")
    client.cookies.clear()
    assert await Organization.count() == 1
    # someone else (another client without a session) with the same key is not a replay
    other = await client.post(
        "/api/v1/auth/signup", json=body, headers={"Idempotency-Key": k, "User-Agent": "Laptop/2"}
    )
    assert other.status_code == 201 and "idempotent-replayed" not in other.headers, other.text
    client.cookies.clear()
    assert await Organization.count() == 2
    # signing in mints a fresh token each time and is throttled: the key is ignored there
    login = {"email": body["email"], "password": body["password"], "orgId": first.json()["orgId"]}
    for _ in range(2):
        resp = await client.post("/api/v1/auth/login", json=login, headers=phone)
        assert resp.status_code == 200 and "idempotent-replayed" not in resp.headers, resp.text
        client.cookies.clear()
