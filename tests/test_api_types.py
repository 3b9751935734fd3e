"""The PWA speaks the API the server has: its types are generated from the live OpenAPI
document, and the generated file in the repository is the one today's server gives.

`make api-types` regenerates `pwa/src/api/schema.d.ts`; this test fails when someone changed an
endpoint or a wire type and forgot to. It also holds the two copies of the server-owned paths
(backend/http/paths.py and pwa/src/serverPaths.ts) to one list.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from backend.http.paths import SERVER_PATHS, SERVER_PREFIXES

ROOT = Path(__file__).resolve().parents[1]
PWA = ROOT / "pwa"
GENERATOR = PWA / "node_modules" / ".bin" / "openapi-typescript"
GENERATED = PWA / "src" / "api" / "schema.d.ts"


def test_the_generated_api_types_match_the_live_openapi_document(tmp_path):
    if not GENERATOR.exists():
        pytest.fail("pwa/node_modules is missing: run the tests with `make test` (it runs npm ci)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHORUS_")}
    document = subprocess.run(
        [sys.executable, "-m", "backend.cli", "openapi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    (tmp_path / "openapi.json").write_text(document)
    subprocess.run(
        [str(GENERATOR), "openapi.json", "-o", "schema.d.ts"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
        timeout=300,
    )
    fresh = (tmp_path / "schema.d.ts").read_text()
    assert fresh == GENERATED.read_text(), (
        "pwa/src/api/schema.d.ts is not what today's API generates: run `make api-types`"
    )
    assert '"/api/v1/me"' in fresh  # and it is the API's, not an empty document's


def test_the_pwa_and_the_server_agree_on_the_server_owned_paths():
    source = (PWA / "src" / "serverPaths.ts").read_text()
    listed = re.search(r"SERVER_PREFIXES = (\[[^\]]*\])", source)
    assert listed is not None
    assert tuple(ast.literal_eval(listed.group(1))) == SERVER_PREFIXES
    router = (PWA / "src" / "router.ts").read_text()
    worker = (PWA / "src" / "sw.ts").read_text()
    assert "SERVER_PATH.test(" in router  # in-app links leave server paths to the browser
    assert "denylist: [SERVER_PATH]" in worker  # and the service worker never shells them


@pytest.mark.parametrize(
    ("path", "server"),
    [
        ("/api/v1/me", True),
        ("/s/abc", True),
        ("/health", True),
        ("/badges/icons/star.svg", True),
        ("/stories/a-story", True),
        ("/leaderboard", False),
        ("/settings", False),
        ("/badges", False),
        ("/scheme", False),
    ],
)
def test_server_paths_are_told_apart_from_client_routes(path, server):
    assert bool(SERVER_PATHS.match(path)) is server
