"""Posts in the employee's own words, the organization's disclosure tag and how long post texts
are kept: through the real API, the real arq worker, PostgreSQL and Redis, against the local
fake of the social networks (tests/fakes.py)."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest

from backend.challenges.service import X_MAX, x_length
from backend.points.tables import PointsLedger
from backend.submissions.tables import Submission
from tests.fakes import linkedin_page
from tests.helpers import (
    add_member,
    assert_problem,
    bearer,
    create_challenge,
    run_worker_burst,
    signup,
)
from tests.test_submissions import POST_PATH, POST_URL

SUGGESTION = (
    "Proud of what we shipped today: a faster way for every team to plan the week together, "
    "built with the people who use it."
)
PERSONAL = (
    "Three years ago I sat with our support team and watched people fight their calendars. "
    "Today that changes, and I could not be happier for the colleagues who made it happen."
)
OWN_WORDS_POINTS = 20


async def _challenge(client: Any, admin: Any, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "shareText": {"linkedin": SUGGESTION, "x": "We shipped!"},
        "ownWordsPoints": OWN_WORDS_POINTS,
        "clickPoints": 0,
    }
    body.update(overrides)
    return await create_challenge(client, admin, **body)


async def _link(client: Any, person: Any, challenge: dict[str, Any], network: str = "linkedin"):
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/share-links",
        json={"network": network},
        headers=bearer(person),
    )
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


async def _post(
    client: Any, network: Any, person: Any, challenge: dict[str, Any], n: int, text: str
) -> str:
    """`person` posts `text` (with their tracked link) on LinkedIn and claims it."""
    link = await _link(client, person, challenge)
    path = POST_PATH.replace("0001-AbCd", f"{n:04d}-AbCd")
    body = text.replace("{link}", link["trackedUrl"])
    if "{link}" not in text:
        body = f"{text} {link['trackedUrl']}"
    network.linkedin_post(path, linkedin_page(body))
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": POST_URL.replace(POST_PATH, path)},
        headers=bearer(person),
    )
    assert resp.status_code == 202, resp.text
    return str(resp.json()["id"])


async def _read(client: Any, person: Any, submission_id: str) -> dict[str, Any]:
    resp = await client.get(f"/api/v1/submissions/{submission_id}", headers=bearer(person))
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def _own_words_rows() -> list[dict[str, Any]]:
    return await (
        PointsLedger.select(PointsLedger.delta, PointsLedger.idempotency_key, PointsLedger.user)
        .where(PointsLedger.reason == "own_words")
        .order_by(PointsLedger.id)
    )


async def _settings(client: Any, admin: Any, **body: Any) -> Any:
    return await client.put("/api/v1/admin/organization", json=body, headers=bearer(admin))


# -- own words ---------------------------------------------------------------------------------


async def test_a_near_copy_earns_no_own_words_points_a_personal_post_does(client, network):
    admin = await signup(client)
    copier = await add_member(client, admin, name="Priya")
    writer = await add_member(client, admin, name="Sam")
    ch = await _challenge(client, admin)
    assert ch["ownWordsPoints"] == OWN_WORDS_POINTS
    # the copier posts the composed text as it came (the suggestion, the link, the hashtags)
    composed = (await _link(client, copier, ch))["shareText"]
    copied = await _post(client, network, copier, ch, 1, composed)
    own = await _post(client, network, writer, ch, 2, f"{PERSONAL} {{link}} #launch")
    await run_worker_burst()
    copy_read, own_read = await _read(client, copier, copied), await _read(client, writer, own)
    assert (copy_read["status"], copy_read["ownWords"], copy_read["pointsAwarded"]) == (
        "verified",
        False,
        ch["points"],
    )
    assert (own_read["status"], own_read["ownWords"], own_read["pointsAwarded"]) == (
        "verified",
        True,
        ch["points"] + OWN_WORDS_POINTS,
    )
    assert [(r["delta"], r["idempotency_key"]) for r in await _own_words_rows()] == [
        (OWN_WORDS_POINTS, f"own_words:{own}")
    ]
    # the text read is kept on the submission, and the app's challenge page shows the mark
    stored = await Submission.select(Submission.post_text).where(Submission.id == UUID(own))
    assert PERSONAL in stored[0]["post_text"]
    card = (await client.get(f"/api/v1/challenges/{ch['id']}", headers=bearer(writer))).json()
    assert card["mySubmission"]["ownWords"] is True
    mine = (await client.get("/api/v1/me/submissions", headers=bearer(writer))).json()
    assert [s["ownWords"] for s in mine["items"]] == [True]


async def test_copying_a_colleagues_post_earns_nothing_more(client, network):
    admin = await signup(client)
    first = await add_member(client, admin, name="Ana")
    second = await add_member(client, admin, name="Bo")
    ch = await _challenge(client, admin)
    original = await _post(client, network, first, ch, 1, f"{PERSONAL} {{link}}")
    await run_worker_burst()
    # the second one takes the first's words, with their own link and a word of their own
    copy = await _post(client, network, second, ch, 2, f"So true! {PERSONAL} {{link}} #launch")
    await run_worker_burst()
    assert (await _read(client, first, original))["ownWords"] is True
    copied = await _read(client, second, copy)
    assert (copied["status"], copied["ownWords"], copied["pointsAwarded"]) == (
        "verified",
        False,
        ch["points"],
    )
    assert [r["idempotency_key"] for r in await _own_words_rows()] == [f"own_words:{original}"]
    evidence = (
        await client.get("/api/v1/admin/submissions?status=verified", headers=bearer(admin))
    ).json()["items"]
    judged = {
        str(item["id"]): [e for e in item["evidence"] if e["source"] == "own_words"]
        for item in evidence
    }
    assert "colleague" in judged[copy][0]["detail"]


async def test_own_words_points_are_paid_once(app, client, network, settings):
    from backend.fetch.client import SafeFetcher
    from backend.submissions.verification import verify

    admin = await signup(client)
    writer = await add_member(client, admin, name="Lea")
    ch = await _challenge(client, admin)
    own = await _post(client, network, writer, ch, 1, f"{PERSONAL} {{link}}")
    fetcher = SafeFetcher(allow_hosts=settings.fetch_allow_list)
    try:
        results = await asyncio.gather(
            *[verify(UUID(own), fetcher=fetcher, settings=settings, attempt=1) for _ in range(4)]
        )
    finally:
        await fetcher.aclose()
    assert results.count("verified") == 1
    # and the worker's job again, after it was decided
    await app.state.redis.enqueue_job("verify_submission", own, _job_id="verify-again")
    await run_worker_burst()
    assert len(await _own_words_rows()) == 1
    me = (await client.get("/api/v1/me", headers=bearer(writer))).json()
    ledger = await PointsLedger.select(PointsLedger.delta).where(PointsLedger.reason != "badge")
    assert sum(r["delta"] for r in ledger) == ch["points"] + OWN_WORDS_POINTS
    assert me["points"] >= ch["points"] + OWN_WORDS_POINTS


async def test_own_words_points_are_validated_on_the_challenge(client):
    admin = await signup(client)
    for bad in (1001, -1, "ten", 2.5):
        resp = await client.post(
            "/api/v1/admin/challenges",
            json={
                **{
                    "title": "T",
                    "points": 10,
                    "contentUrl": "https://example.com/a",
                    "networks": ["linkedin"],
                    "startsAt": "2026-01-01T00:00:00Z",
                    "endsAt": "2027-01-01T00:00:00Z",
                },
                "ownWordsPoints": bad,
            },
            headers=bearer(admin),
        )
        assert 400 <= resp.status_code < 500, (bad, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")
    draft = await create_challenge(client, admin, publish=False)
    assert draft["ownWordsPoints"] == 0
    edited = await client.patch(
        f"/api/v1/admin/challenges/{draft['id']}",
        json={"ownWordsPoints": 15},
        headers=bearer(admin),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["ownWordsPoints"] == 15


# -- disclosure --------------------------------------------------------------------------------


async def test_a_post_without_the_disclosure_tag_goes_to_review(client, network):
    admin = await signup(client)
    forgot = await add_member(client, admin, name="Kim")
    kept = await add_member(client, admin, name="Max")
    assert (await _settings(client, admin, disclosureTag="#employee")).status_code == 200
    ch = await _challenge(client, admin)
    missing = await _post(client, network, forgot, ch, 1, f"{PERSONAL} {{link}} #launch")
    shown = await _post(client, network, kept, ch, 2, "Our team did it. {link} #launch #Employee")
    await run_worker_burst()
    held = await _read(client, forgot, missing)
    assert held["status"] == "needs_review", held
    assert "#employee" in held["reason"] and held["pointsAwarded"] == 0
    queue = (
        await client.get("/api/v1/admin/submissions?status=needs_review", headers=bearer(admin))
    ).json()["items"]
    assert [str(i["id"]) for i in queue] == [missing]
    disclosure = [e for e in queue[0]["evidence"] if e["source"] == "disclosure_missing"]
    assert [e["found"] for e in disclosure] == [False] and "#employee" in disclosure[0]["detail"]
    assert (await _read(client, kept, shown))["status"] == "verified"
    # nothing was paid for the held post; an admin approving it pays its own words too, once
    assert [r["idempotency_key"] for r in await _own_words_rows()] == [f"own_words:{shown}"]
    approved = await client.post(
        f"/api/v1/admin/submissions/{missing}/approve", json={}, headers=bearer(admin)
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["pointsAwarded"] == ch["points"] + OWN_WORDS_POINTS
    assert sorted(r["idempotency_key"] for r in await _own_words_rows()) == sorted(
        [f"own_words:{shown}", f"own_words:{missing}"]
    )


async def test_the_tag_is_in_every_composed_share_text_and_counts_on_x(client):
    admin = await signup(client)
    member = await add_member(client, admin, name="Noa")
    # 280 with the link (23) and the hashtags, before any disclosure tag
    hashtags = ["launch"]
    room = X_MAX - 23 - len(" #launch") - 1
    x_text = "w" * room
    ch = await _challenge(
        client, admin, shareText={"linkedin": SUGGESTION, "x": x_text}, hashtags=hashtags
    )
    before = await _link(client, member, ch, "x")
    assert x_length(before["shareText"]) == X_MAX and "#employee" not in before["shareText"]
    assert (await _settings(client, admin, disclosureTag="#employee")).status_code == 200
    for network_name in ("linkedin", "x"):
        text = (await _link(client, member, ch, network_name))["shareText"]
        assert text.rstrip().endswith("#employee"), text
        assert x_length(text) <= X_MAX or network_name != "x", text
    # the X text was shortened so that the link and the tags fit
    x_now = (await _link(client, member, ch, "x"))["shareText"]
    assert "…" in x_now and x_length(x_now) <= X_MAX and ch["hashtags"] == hashtags
    # a new challenge whose X post only fits without the tag is refused, naming the tag
    resp = await client.post(
        "/api/v1/admin/challenges",
        json={
            "title": "Launch",
            "points": 10,
            "contentUrl": "https://example.com/a",
            "networks": ["x"],
            "hashtags": hashtags,
            "shareText": {"x": x_text},
            "startsAt": "2026-01-01T00:00:00Z",
            "endsAt": "2030-01-01T00:00:00Z",
        },
        headers=bearer(admin),
    )
    body = assert_problem(resp, 422, detail_contains="#employee")
    assert "shareText.x" in str(body)


async def test_organization_settings_refuse_bad_input(client):
    admin = await signup(client)
    employee = await add_member(client, admin, name="Eve")
    other = await signup(client)
    got = await client.get("/api/v1/admin/organization", headers=bearer(admin))
    assert got.json() == {
        "disclosureTag": None,
        "postTextRetentionDays": 365,
        "defaultLanguage": "en",
    }
    bad_bodies: list[dict[str, Any]] = [
        {"disclosureTag": 5},
        {"disclosureTag": ["#a"]},
        {"disclosureTag": "#" + "a" * 31},
        {"disclosureTag": "employee"},
        {"disclosureTag": "#two words"},
        {"disclosureTag": "#"},
        {"disclosureTag": "#ad\u200b"},
        {"postTextRetentionDays": 0},
        {"postTextRetentionDays": 3651},
        {"postTextRetentionDays": "30"},
        {"postTextRetentionDays": None},
    ]
    for body in bad_bodies:
        resp = await _settings(client, admin, **body)
        assert 400 <= resp.status_code < 500, (body, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json"), body
    assert_problem(await _settings(client, employee, disclosureTag="#x"), 403)
    assert_problem(await client.get("/api/v1/admin/organization", headers=bearer(employee)), 403)
    resp = await client.put(
        "/api/v1/admin/organization",
        content=b'{"disclosureTag": "#' + b"a" * 2_000_000 + b'"}',
        headers={**bearer(admin), "content-type": "application/json"},
    )
    assert resp.status_code in (400, 413, 422), resp.status_code
    # another organization's admin changes only their own organization
    assert (await _settings(client, other, disclosureTag="#werbung")).status_code == 200
    ok = await _settings(client, admin, disclosureTag="#employee", postTextRetentionDays=30)
    assert ok.json() == {
        "disclosureTag": "#employee",
        "postTextRetentionDays": 30,
        "defaultLanguage": "en",
    }
    mine = (await client.get("/api/v1/admin/organization", headers=bearer(admin))).json()
    theirs = (await client.get("/api/v1/admin/organization", headers=bearer(other))).json()
    assert (mine["disclosureTag"], theirs["disclosureTag"]) == ("#employee", "#werbung")
    assert theirs["postTextRetentionDays"] == 365
    cleared = await _settings(client, admin, disclosureTag=None)
    assert cleared.json() == {
        "disclosureTag": None,
        "postTextRetentionDays": 30,
        "defaultLanguage": "en",
    }


# -- keeping texts no longer than needed ---------------------------------------------------------


async def test_the_retention_sweep_clears_old_texts_and_is_idempotent(client, network):
    from workers.tasks import clear_expired_post_texts

    admin = await signup(client)
    old_writer = await add_member(client, admin, name="Olga")
    new_writer = await add_member(client, admin, name="Nils")
    assert (await _settings(client, admin, postTextRetentionDays=30)).status_code == 200
    ch = await _challenge(client, admin)
    old = await _post(client, network, old_writer, ch, 1, f"{PERSONAL} {{link}}")
    new = await _post(client, network, new_writer, ch, 2, "Good morning, this is mine {link}")
    await run_worker_burst()
    await Submission.raw(
        "UPDATE submission SET post_text_at = now() - interval '31 days' WHERE id = {}",
        UUID(old),
    )
    assert await clear_expired_post_texts({}) == 1
    assert await clear_expired_post_texts({}) == 0
    rows = {
        str(r["id"]): r
        for r in await Submission.select(Submission.id, Submission.post_text, Submission.own_words)
    }
    assert rows[old]["post_text"] is None and rows[old]["own_words"] is True
    assert "mine" in rows[new]["post_text"]


async def test_erasing_a_person_clears_their_post_texts(client, network):
    admin = await signup(client)
    writer = await add_member(client, admin, name="Ida")
    ch = await _challenge(client, admin)
    own = await _post(client, network, writer, ch, 1, f"{PERSONAL} {{link}}")
    await run_worker_burst()
    exported = (await client.get("/api/v1/me/export", headers=bearer(writer))).json()
    assert PERSONAL in str(exported)
    erased = await client.delete(f"/api/v1/admin/users/{writer.user_id}", headers=bearer(admin))
    assert erased.status_code == 204, erased.text
    rows = await Submission.select(Submission.post_text).where(Submission.id == UUID(own))
    assert rows[0]["post_text"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<p>Hello &amp; welcome</p>", "Hello & welcome"),
        (
            '<blockquote><p lang="en">Go <a href="https://t.co/x">#launch</a></p>'
            "&mdash; A</blockquote>",
            "Go #launch",
        ),
    ],
)
def test_reading_the_text_of_an_oembed(text, expected):
    from backend.submissions.own_words import text_of_oembed

    assert text_of_oembed(text) == expected


def test_similarity_ignores_links_and_hashtags():
    from backend.submissions.own_words import judge

    same = judge(
        f"{SUGGESTION} https://chorus.example/s/abc #launch #employee",
        SUGGESTION,
        [],
        threshold=0.5,
        drop=(),
    )
    assert not same.own_words and same.closest == 1.0
    assert judge(PERSONAL, SUGGESTION, [], threshold=0.5, drop=()).own_words
    assert not judge("https://x.example #only", SUGGESTION, [], threshold=0.5, drop=()).own_words
