import msgspec

from backend.app import create_app
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
            down = await http.get("/ready")
            assert down.status_code == 503
            assert down.json() == {"status": "unavailable", "postgres": "ok", "redis": "down"}
            assert (await http.get("/health")).status_code == 200  # the process still lives
            redis.start()  # same port, no restart of the app
            assert (await http.get("/ready")).status_code == 200
    finally:
        redis.stop()
