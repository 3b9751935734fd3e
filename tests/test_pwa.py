"""The PWA as the API serves it: caching per kind of file, the app shell for client routes but
never for server paths, a strict Content-Security-Policy, and the first-load budget."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import msgspec
import pytest

from backend.app import create_app
from backend.pwa import CONTENT_SECURITY_POLICY
from backend.settings import get_settings
from tests.helpers import assert_problem

DIST = Path(__file__).resolve().parents[1] / "pwa" / "dist"
INDEX = (DIST / "index.html").read_text() if (DIST / "index.html").exists() else ""
JS_BUDGET = 60 * 1024
CSS_BUDGET = 15 * 1024


def first_load_assets() -> tuple[list[str], list[str]]:
    """The scripts (entry and module preloads) and stylesheets index.html makes a browser load."""
    scripts = re.findall(r'<script[^>]+src="(/assets/[^"]+\.js)"', INDEX)
    scripts += re.findall(r'<link rel="modulepreload"[^>]+href="(/assets/[^"]+\.js)"', INDEX)
    styles = re.findall(r'<link rel="stylesheet"[^>]+href="(/assets/[^"]+\.css)"', INDEX)
    return scripts, styles


def gzipped(paths: list[str]) -> int:
    return sum(len(gzip.compress((DIST / p.lstrip("/")).read_bytes(), 9)) for p in paths)


def test_the_build_exists():
    assert INDEX, "pwa/dist is missing: `make test` builds it (npm ci && npm run build in pwa/)"


def test_first_load_stays_within_the_budget():
    scripts, styles = first_load_assets()
    assert scripts and styles, INDEX
    assert gzipped(scripts) <= JS_BUDGET, f"{gzipped(scripts)} bytes of gzipped JavaScript"
    assert gzipped(styles) <= CSS_BUDGET, f"{gzipped(styles)} bytes of gzipped CSS"


async def test_the_shell_is_revalidated_and_locked_down(client):
    resp = await client.get("/")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert resp.headers["cache-control"] == "no-cache"
    assert resp.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert (
        "script-src 'self';" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    )
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert '<div id="app">' in resp.text
    again = await client.get("/", headers={"If-None-Match": resp.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    head = await client.head("/")
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/leaderboard",
        "/badges",
        "/me",
        "/challenges/6d3a3a9e-1b7c-4a55-9e1b-6c7f0b4b9d11",
        "/welcome",
        "/nowhere",
    ],
)
async def test_client_routes_open_the_app_shell(client, path):
    resp = await client.get(path)
    assert resp.status_code == 200
    assert resp.text == INDEX
    assert resp.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_immutable_and_compressed(client):
    scripts, styles = first_load_assets()
    for path in scripts + styles:
        resp = await client.get(path, headers={"Accept-Encoding": "gzip"})
        assert resp.status_code == 200
        assert resp.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert resp.headers["content-encoding"] == "gzip"
        assert resp.content == (DIST / path.lstrip("/")).read_bytes()  # httpx un-gzips it
    js = await client.get(scripts[0])
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"


async def test_service_worker_and_manifest_are_always_revalidated(client):
    sw = await client.get("/sw.js")
    assert sw.status_code == 200 and sw.headers["cache-control"] == "no-cache"
    assert "text/javascript" in sw.headers["content-type"]
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.headers["cache-control"] == "no-cache"
    body = manifest.json()
    assert body["display"] == "standalone" and body["scope"] == "/" and body["start_url"] == "/"
    for icon in body["icons"]:
        resp = await client.get(icon["src"])
        assert resp.status_code == 200 and resp.headers["content-type"] == "image/png"
        assert resp.content.startswith(b"\x89PNG")
        width = int.from_bytes(resp.content[16:20], "big")
        assert f"{width}x{width}" == icon["sizes"]


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v2/challenges", "/api"])
async def test_api_paths_never_fall_back_to_the_shell(client, path):
    assert_problem(await client.get(path, headers={"Accept": "text/html"}), 404)


async def test_other_server_paths_never_fall_back_to_the_shell(client):
    link = await client.get("/s/Zz9Zz9Zz9Z")
    assert link.status_code == 404 and '<div id="app">' not in link.text
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200 and json.loads(schema.text)["openapi"]
    assert (await client.get("/schema/nope")).text != INDEX
    for missing in ["/assets/index-missing.js", "/icons/none.png", "/nothing.css"]:
        resp = await client.get(missing)
        assert resp.status_code == 404, missing
        assert resp.text != INDEX
    assert (await client.post("/leaderboard", json={})).status_code in (404, 405)


async def test_without_a_build_the_api_says_how_to_get_one(tmp_path):
    import httpx

    settings = msgspec.structs.replace(get_settings(), pwa_dir=str(tmp_path))
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        resp = await http.get("/")
    assert resp.status_code == 200
    assert "not built" in resp.text and "make dev" in resp.text
