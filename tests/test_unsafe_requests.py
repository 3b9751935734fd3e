"""What an unsafe request must look like: JSON endpoints take `application/json` (or `+json`)
bodies only (415 otherwise) while raw-body endpoints keep their media types, and the sign-in
endpoints refuse requests a browser sent from another site (403)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backend.community.tables import Kudos
from backend.orgs.tables import Organization
from tests.helpers import PASSWORD, add_member, assert_problem, bearer, signup, unique_email
from tests.test_stories import make_challenge, photo_with_location, write_story
from tests.test_surveys import make_survey

APP_ORIGIN = "http://testserver"  # CHORUS_PUBLIC_URL in the tests (tests/conftest.py)


async def world(client: Any) -> dict[str, Any]:
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    pat = await add_member(client, admin, name="Pat Peer")
    survey = await make_survey(client, admin)
    return {"admin": admin, "sam": sam, "pat": pat, "survey": survey}


def json_endpoints(w: dict[str, Any]) -> list[tuple[str, str, Any, dict[str, Any]]]:
    return [
        ("POST", "/api/v1/kudos", w["sam"], {"to": w["pat"].user_id, "message": "Thanks!"}),
        (
            "POST",
            f"/api/v1/surveys/{w['survey']['id']}/responses",
            w["sam"],
            {"answers": {"q1": 4}},
        ),
        ("POST", "/api/v1/admin/teams", w["admin"], {"name": "Platform"}),
        ("POST", "/api/v1/admin/invites", w["admin"], {"email": "x@example.com", "role": "lead"}),
        ("PATCH", "/api/v1/me", w["sam"], {"displayName": "Sam M."}),
        ("PUT", "/api/v1/me/notification-preferences", w["sam"], {"dailyCap": 2}),
        (
            "POST",
            "/api/v1/auth/signup",
            None,
            {"orgName": "Evil", "email": "e@example.com", "password": PASSWORD, "displayName": "E"},
        ),
        ("POST", "/api/v1/auth/login", None, {"email": w["sam"].email, "password": PASSWORD}),
    ]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", None],
)
async def test_json_sent_as_anything_else_is_415_and_changes_nothing(client, content_type):
    w = await world(client)
    orgs, kudos = await Organization.count(), await Kudos.count()
    for method, path, who, body in json_endpoints(w):
        headers = {"Content-Type": content_type} if content_type else {}
        if who is not None:
            headers |= bearer(who)
        resp = await client.request(
            method, path, content=json.dumps(body).encode(), headers=headers
        )
        client.cookies.clear()
        problem = assert_problem(resp, 415, detail_contains="application/json")
        assert problem["instance"] == path
    assert (await Organization.count(), await Kudos.count()) == (orgs, kudos)
    me = (await client.get("/api/v1/me", headers=bearer(w["sam"]))).json()
    assert me["displayName"] == "Sam Member"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.chorus+json",
    ],
)
async def test_json_and_plus_json_bodies_are_taken(client, content_type):
    w = await world(client)
    resp = await client.post(
        "/api/v1/kudos",
        content=json.dumps({"to": w["pat"].user_id, "message": "Thanks!"}).encode(),
        headers={**bearer(w["sam"]), "Content-Type": content_type},
    )
    assert resp.status_code == 201, resp.text
    assert await Kudos.count() == 1


async def test_requests_without_a_body_need_no_content_type(client):
    w = await world(client)
    challenge = await make_challenge(client, w["admin"])
    await write_story(client, w["sam"], challenge)
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/story/submit",
        headers={**bearer(w["sam"]), "Content-Type": "text/plain"},
    )
    assert resp.status_code == 200, resp.text


async def test_the_photo_upload_keeps_taking_images_and_a_key(client):
    w = await world(client)
    challenge = await make_challenge(client, w["admin"])
    await write_story(client, w["sam"], challenge)
    url = f"/api/v1/challenges/{challenge['id']}/story/photo"
    raw = photo_with_location()
    headers = {**bearer(w["sam"]), "Content-Type": "image/jpeg", "Idempotency-Key": "photo-1"}
    first = await client.put(url, content=raw, headers=headers)
    assert first.status_code == 200, first.text
    again = await client.put(url, content=raw, headers=headers)
    assert (again.status_code, again.content) == (200, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    # its own media rule still holds: a photo is an image, whatever the key
    assert_problem(
        await client.put(
            url, content=b"not an image", headers={**bearer(w["sam"]), "Content-Type": "text/plain"}
        ),
        422,
    )


def signup_body() -> dict[str, str]:
    return {
        "orgName": "Acme",
        "email": unique_email("ann"),
        "password": PASSWORD,
        "displayName": "Ann",
    }


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://testserver:8080"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": APP_ORIGIN, "Sec-Fetch-Site": "cross-site"},
    ],
    ids=["other site", "opaque", "look-alike", "other port", "cross-site", "cross-site fetch"],
)
async def test_sign_in_from_another_site_is_403_and_changes_nothing(client, headers):
    admin = await signup(client)
    orgs = await Organization.count()
    for path, body, who in [
        ("/api/v1/auth/signup", signup_body(), {}),
        ("/api/v1/auth/login", {"email": admin.email, "password": PASSWORD}, {}),
        ("/api/v1/auth/logout", {}, bearer(admin)),
    ]:
        resp = await client.post(path, json=body, headers={**headers, **who})
        assert_problem(resp, 403, detail_contains="another site")
        assert "set-cookie" not in resp.headers
    assert await Organization.count() == orgs
    assert (await client.get("/api/v1/me", headers=bearer(admin))).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": APP_ORIGIN},
        {"Origin": "HTTP://TESTSERVER:80"},
        {"Origin": APP_ORIGIN, "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
    ],
    ids=["no origin", "app origin", "app origin spelled otherwise", "same-origin", "typed"],
)
async def test_sign_in_from_the_app_or_without_origin_works(client, headers):
    body = signup_body()
    signed_up = await client.post("/api/v1/auth/signup", json=body, headers=headers)
    assert signed_up.status_code == 201, signed_up.text
    client.cookies.clear()
    login = {"email": body["email"], "password": PASSWORD}
    signed_in = await client.post("/api/v1/auth/login", json=login, headers=headers)
    assert signed_in.status_code == 200, signed_in.text
    signed_out = await client.post("/api/v1/auth/logout", json={}, headers=headers)
    assert signed_out.status_code == 204, signed_out.text
    client.cookies.clear()


async def test_the_host_the_request_came_to_is_the_apps_own_origin(client):
    # behind another name (a second domain, a plain address), the page and the API share a host
    resp = await client.post(
        "http://chorus.internal:8000/api/v1/auth/signup",
        json=signup_body(),
        headers={"Origin": "http://chorus.internal:8000"},
    )
    assert resp.status_code == 201, resp.text
    client.cookies.clear()
    other = await client.post(
        "http://chorus.internal:8000/api/v1/auth/signup",
        json=signup_body(),
        headers={"Origin": "http://elsewhere.internal:8000"},
    )
    assert_problem(other, 403)


async def test_reads_and_the_rest_of_the_api_do_not_check_origin(client):
    # single sign-on starts and returns through top-level navigations from other sites
    admin = await signup(client)
    resp = await client.get(
        "/api/v1/me", headers={**bearer(admin), "Origin": "https://evil.example"}
    )
    assert resp.status_code == 200, resp.text
