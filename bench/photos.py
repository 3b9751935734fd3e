"""Photo figure: `/health` p99 while 4 photos of 6000x6000 (36 MP) are uploaded at once, against
`/health` p99 idle, on the same server from the same client, one right after the other.

The photos are flat PNGs, the costliest kind Chorus accepts at that size (a JPEG is decoded at
reduced scale, a PNG never is). One person of a fresh organization has 4 story drafts; a first
photo starts the server's photo processes (they start with the first photo after a restart),
then /health is asked IDLE_SAMPLES times in a row, then, ROUNDS times, the 4 uploads are sent
together and /health is asked again and again, each time as soon as it answered, until all 4
are answered. Only the answers that arrived while uploads were in work count.
"""

from __future__ import annotations

import asyncio
import io
import secrets
import time
from datetime import UTC, datetime, timedelta

import httpx

UPLOADS = 4
ROUNDS = 3  # 1 + 3 x 4 photos: inside the 20 a person may send in 10 minutes
SIDE = 6000
IDLE_SAMPLES = 500


def big_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (SIDE, SIDE), (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


async def _seed(http: httpx.AsyncClient) -> tuple[dict[str, str], list[str]]:
    """A bearer header and UPLOADS story challenges, each with the person's draft."""
    signup = await http.post(
        "/api/v1/auth/signup",
        json={
            "orgName": "Photos Co",
            "email": f"admin-{secrets.token_hex(4)}@bench.example",
            "password": secrets.token_urlsafe(16),
            "displayName": "Photos Admin",
        },
    )
    signup.raise_for_status()
    auth = {"Authorization": f"Bearer {signup.json()['accessToken']}"}
    now = datetime.now(UTC)
    challenges = []
    for n in range(UPLOADS):
        made = await http.post(
            "/api/v1/admin/challenges",
            headers=auth,
            json={
                "kind": "story",
                "title": f"Photo story {n}",
                "description": "Tell us about your week.",
                "points": 10,
                "startsAt": (now - timedelta(hours=1)).isoformat(),
                "endsAt": (now + timedelta(days=7)).isoformat(),
                "verification": "review",
            },
        )
        made.raise_for_status()
        challenge = made.json()["id"]
        published = await http.post(f"/api/v1/admin/challenges/{challenge}/publish", headers=auth)
        published.raise_for_status()
        draft = await http.put(
            f"/api/v1/challenges/{challenge}/story",
            headers=auth,
            json={"title": "A week in photos", "body": "What we did."},
        )
        draft.raise_for_status()
        challenges.append(challenge)
    return auth, challenges


async def _upload(
    http: httpx.AsyncClient, auth: dict[str, str], challenge: str, raw: bytes
) -> None:
    resp = await http.put(
        f"/api/v1/challenges/{challenge}/story/photo",
        content=raw,
        headers={**auth, "Content-Type": "image/png"},
    )
    if resp.status_code != 200:
        raise RuntimeError(f"a photo upload answered {resp.status_code}: {resp.text[:300]}")


async def _health(http: httpx.AsyncClient) -> float:
    started = time.perf_counter()
    resp = await http.get("/health")
    took = time.perf_counter() - started
    resp.raise_for_status()
    return took


async def measure(base: str) -> tuple[list[float], list[float]]:
    """(/health latencies idle, /health latencies while UPLOADS photos are in work), seconds."""
    png = big_png()
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        auth, challenges = await _seed(http)
        await _upload(http, auth, challenges[0], png)
        idle = [await _health(http) for _ in range(IDLE_SAMPLES)]
        busy: list[float] = []
        for _ in range(ROUNDS):
            uploads = [asyncio.create_task(_upload(http, auth, c, png)) for c in challenges]
            while not all(u.done() for u in uploads):
                busy.append(await _health(http))
            for upload in uploads:
                upload.result()
    return idle, busy


def run(base: str) -> tuple[list[float], list[float]]:
    return asyncio.run(measure(base))
