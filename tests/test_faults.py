"""Faults from outside Chorus, each with an exact invariant at the end: a push service failing
half its requests, and social networks that are slow, answer garbage, huge bodies or loop."""

from __future__ import annotations

import random
from typing import Any

import pytest

from backend.notifications.tables import PushSubscription
from tests.fakes import Answer, linkedin_page
from tests.helpers import add_member, at_noon, bearer, create_challenge, run_worker_burst, signup
from tests.test_push import _notify, _subscribe

pytestmark = pytest.mark.slow


async def test_a_push_service_failing_half_its_requests_delivers_everything_once(
    app: Any, client: Any, push_service: Any, monkeypatch: Any
) -> None:
    at_noon(monkeypatch)  # no quiet hours, whenever CI runs
    admin = await signup(client)
    people = [await add_member(client, admin) for _ in range(6)]
    subscriptions = [await _subscribe(client, p, push_service) for p in people for _ in range(2)]
    rng = random.Random(5)
    failing = 0
    for sub in subscriptions:
        sub_id = sub["endpoint"].rsplit("/", 1)[1]
        # about every other request fails: 500, 502, 503 or 429, some with Retry-After
        script = []
        for _ in range(2):
            if rng.random() < 0.5:
                status = rng.choice([500, 502, 503, 429])
                script.append((status, {"Retry-After": "0"} if status in (429, 503) else {}))
                failing += 1
            else:
                script.append((201, {}))
        push_service.script[sub_id] = script
    assert failing >= 4
    for person in people:
        await _notify(app, person, 2)
    for _ in range(6):  # retries come back after a short wait (CHORUS_PUSH_RETRY_SECONDS)
        await run_worker_burst()
    delivered: dict[tuple[str, str], int] = {}
    for message in push_service.messages:
        key = (message["subscription"], message["payload"]["title"])
        delivered[key] = delivered.get(key, 0) + 1
    expected = {
        (sub["endpoint"].rsplit("/", 1)[1], title)
        for sub in subscriptions
        for title in ("Notice 0", "Notice 1")
    }
    assert set(delivered) == expected  # every device got every notice ...
    assert set(delivered.values()) == {1}  # ... exactly once
    assert push_service.rejected == []
    kept = {r["endpoint"] for r in await PushSubscription.select(PushSubscription.endpoint)}
    assert kept == {sub["endpoint"] for sub in subscriptions}  # none wrongly deleted


BAD_NETWORK = {
    "slow": Answer(delay=10, body="late"),
    "garbage": Answer(body="\x00\xff<<<>>> not html at all <scr<script>ipt>"),
    "huge": Answer(body="<p>" + "x" * (3 * 1024 * 1024) + "</p>"),
    "loop": Answer(
        status=302, location="/linkedin/posts/loop_loop-activity-7200000000000000999-Loop"
    ),
    "server error": Answer(status=500, body="oops"),
}


async def test_bad_social_networks_end_every_submission_cleanly(client: Any, network: Any) -> None:
    admin = await signup(client)
    challenge = await create_challenge(client, admin)
    submitted = {}
    for n, (name, answer) in enumerate(BAD_NETWORK.items()):
        person = await add_member(client, admin)
        link = await client.post(
            f"/api/v1/challenges/{challenge['id']}/share-links",
            json={"network": "linkedin"},
            headers=bearer(person),
        )
        assert link.status_code == 200
        path = (
            "/posts/loop_loop-activity-7200000000000000999-Loop"
            if name == "loop"
            else f"/posts/p{n}_bad-activity-720000000000000{n:04d}-Bad{n}"
        )
        network.post_page(f"/linkedin{path}", answer)
        resp = await client.post(
            f"/api/v1/challenges/{challenge['id']}/submissions",
            json={"network": "linkedin", "postUrl": f"https://www.linkedin.com{path}"},
            headers=bearer(person),
        )
        assert resp.status_code == 202, (name, resp.text)
        submitted[name] = (person, resp.json()["id"])
    for _ in range(4):  # the verifier retries a few times, then decides
        await run_worker_burst()
    for name, (person, submission_id) in submitted.items():
        seen = (
            await client.get(f"/api/v1/submissions/{submission_id}", headers=bearer(person))
        ).json()
        assert seen["status"] in ("rejected", "needs_review"), (name, seen)
        assert seen["pointsAwarded"] == 0, name
    # a genuine post still verifies on the same network afterwards
    person = await add_member(client, admin)
    link = (
        await client.post(
            f"/api/v1/challenges/{challenge['id']}/share-links",
            json={"network": "linkedin"},
            headers=bearer(person),
        )
    ).json()
    good = "/posts/good_post-activity-7200000000000000777-Good"
    network.linkedin_post(good, linkedin_page(f"Proud! {link['trackedUrl']}"))
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": f"https://www.linkedin.com{good}"},
        headers=bearer(person),
    )
    await run_worker_burst()
    seen = (
        await client.get(f"/api/v1/submissions/{resp.json()['id']}", headers=bearer(person))
    ).json()
    assert seen["status"] == "verified"
