import asyncio
import math

import msgspec

from backend.app import READY_CACHE_SECONDS, create_app
from backend.embedded import EmbeddedRedis, free_port
from tests.helpers import TMP_ROOT, assert_problem, bearer, client_for, signup


async def test_health_and_ready_answer_200(client):
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "postgres": "ok", "redis": "ok"}


async def test_every_answer_carries_a_request_id_and_security_headers(client):
    for resp in [
        await client.get("/health"),
        await client.get("/api/v1/me"),  # an error raised by the auth middleware
        await client.get("/no/such/route"),
    ]:
        assert len(resp.headers["x-request-id"]) >= 8
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert resp.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    kept = await client.get("/health", headers={"X-Request-ID": "trace-abc-12345"})
    assert kept.headers["x-request-id"] == "trace-abc-12345"
    unsafe = await client.get("/health", headers={"X-Request-ID": "bad id\twith junk"})
    assert unsafe.headers["x-request-id"] != "bad id\twith junk"


async def test_json_answers_are_never_cached(client):
    admin = await signup(client)
    for resp in [
        await client.get("/api/v1/me", headers=bearer(admin)),
        await client.get("/api/v1/me"),  # a problem detail
        await client.get("/api/v1/leaderboards/users?period=all", headers=bearer(admin)),
        await client.get("/health"),
    ]:
        assert resp.headers["content-type"].split(";")[0].endswith("json"), resp.text
        assert resp.headers.get_list("cache-control") == ["no-store"], resp.request.url
    # a handler's own policy is kept, not doubled
    assert (await client.get("/")).headers.get("cache-control") != "no-store"


async def test_problems_name_the_request_id(client):
    resp = await client.get("/api/v1/me")
    body = assert_problem(resp, 401)
    assert body["requestId"] == resp.headers["x-request-id"]


async def test_unknown_routes_and_methods_are_problem_details(client):
    assert_problem(await client.get("/api/v1/nothing-here"), 404)
    admin = await signup(client)
    assert_problem(await client.delete("/api/v1/me", headers=bearer(admin)), 405)


async def test_openapi_document_is_served(client):
    resp = await client.get("/schema/openapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["info"]["title"] == "Chorus API"
    for path in [
        "/api/v1/auth/signup",
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/teams",
        "/api/v1/admin/invites",
        "/api/v1/admin/teams",
        "/api/v1/admin/users/{user_id}",
        "/health",
        "/ready",
    ]:
        assert path in doc["paths"], path


async def test_the_home_page_is_served_without_signing_in(client):
    resp = await client.get("/")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert "Chorus" in resp.text


async def test_ready_turns_503_while_redis_is_down_and_200_when_it_returns(settings):
    port = free_port()
    redis = EmbeddedRedis(TMP_ROOT / f"ready-redis-{port}", persist=False, port=port)
    redis.start()
    try:
        app = create_app(msgspec.structs.replace(settings, redis_url=redis.url))
        async with client_for(app) as http:
            assert (await http.get("/ready")).status_code == 200
            redis.kill()
            down = await _ready_until(http, 503)  # answers are reused for up to a second
            assert down.json() == {"status": "unavailable", "postgres": "ok", "redis": "down"}
            assert (await http.get("/health")).status_code == 200  # the process still lives
            redis.start()  # same port, no restart of the app
            await _ready_until(http, 200)
    finally:
        redis.stop()


async def _ready_until(http, status: int, safety_net: float = 60.0):
    deadline = asyncio.get_running_loop().time() + safety_net
    while True:
        resp = await http.get("/ready")
        if resp.status_code == status or asyncio.get_running_loop().time() > deadline:
            assert resp.status_code == status, resp.text
            return resp
        await asyncio.sleep(0.2)


async def test_a_storm_of_ready_probes_shares_one_check_and_says_ok(app, client, monkeypatch):
    """150 parallel anonymous probes share one check on /ready's own one-connection pool: every
    answer is 200, PostgreSQL is asked once, and the pool never grows."""
    readiness = app.state.readiness
    await asyncio.sleep(1.1)  # past any answer kept from an earlier probe
    asked = 0
    real = readiness._select_one

    async def counted() -> None:
        nonlocal asked
        asked += 1
        await asyncio.sleep(0.05)  # a round trip long enough for every probe to arrive
        await real()

    monkeypatch.setattr(readiness, "_select_one", counted)
    loop = asyncio.get_running_loop()
    started = loop.time()
    answers = await asyncio.gather(*(client.get("/ready") for _ in range(150)))
    seconds = loop.time() - started
    assert [a.status_code for a in answers] == [200] * 150
    assert {a.json()["postgres"] for a in answers} == {"ok"}
    # at most one check per second the storm lasted (however busy the machine), not 150
    assert 1 <= asked <= 1 + math.ceil(seconds / READY_CACHE_SECONDS)
    assert readiness._pool.get_size() == 1


async def test_the_api_reference_is_self_hosted_under_a_strict_csp(client):
    page = await client.get("/schema")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert "http" not in csp  # no other origin allowed for anything
    html = page.text
    assert "cdn" not in html.lower() and "https://" not in html
    for asset in (
        "/api-docs/swagger-ui-bundle.js",
        "/api-docs/swagger-ui.css",
        "/api-docs/init.js",
    ):
        assert f'"{asset}" integrity="sha384-' in html
        served = await client.get(asset)  # the PWA build carries them
        assert served.status_code == 200 and len(served.content) > 10


async def test_production_serves_no_api_reference_unless_asked(settings):
    production = msgspec.structs.replace(
        settings, env="production", secret_key="x" * 48, cookie_secure=False
    )
    async with client_for(create_app(production)) as http:
        assert (await http.get("/schema")).status_code == 404
        assert (await http.get("/schema/openapi.json")).status_code == 404
    asked = msgspec.structs.replace(production, api_docs=True)
    async with client_for(create_app(asked)) as http:
        assert (await http.get("/schema")).status_code == 200
        assert (await http.get("/schema/openapi.json")).status_code == 200
