"""Lighthouse 12 (pinned in tests/lighthouse) on the screens people open most, signed in, against
the real server, in Debian's Chromium: performance, accessibility and best practices ≥ 0.95.

Accessibility and best practices are properties of the page. Performance is measured (Lantern
simulates a mid-range phone from what it observed), and a busy machine can only make a run look
slower than the app is: a page below the bar is measured again, up to three runs, and its best
run counts. `make bench` is where speed is tracked; this holds the line on what ships.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM, ROOT
from tests.helpers import (
    PASSWORD,
    add_member,
    create_challenge,
    create_team,
    signup,
)

LIGHTHOUSE_DIR = ROOT / "tests" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "test-artifacts" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
BAR = 0.95
RUNS = 3


def _install() -> None:
    """`npm ci` in tests/lighthouse when its modules are missing (`make test` does it first)."""
    marker = LIGHTHOUSE_DIR / "node_modules" / ".package-lock.json"
    lock = LIGHTHOUSE_DIR / "package-lock.json"
    if marker.is_file() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=LIGHTHOUSE_DIR,
        check=True,
    )


async def _lighthouse(url: str, cookie: str, name: str, desktop: bool) -> dict[str, float]:
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"{name}.json"
    args = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
        "--disable-background-networking --disable-component-update --no-first-run",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
        "--max-wait-for-load=60000",
    ]
    if desktop:
        args.append("--preset=desktop")
    proc = await asyncio.create_subprocess_exec(
        *args,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(proc.communicate(), 300)  # a safety net
    assert proc.returncode == 0, output.decode(errors="replace")[-3000:]
    result: dict[str, Any] = json.loads(report.read_text())
    # the page was measured signed in: the app asked who is signed in and was told
    requests = result["audits"]["network-requests"]["details"]["items"]
    me = [r.get("statusCode") for r in requests if r["url"].endswith("/api/v1/me")]
    assert me and me[0] == 200, (name, me)
    return {c: float(result["categories"][c]["score"]) for c in CATEGORIES}


async def _best_of(url: str, cookie: str, name: str, desktop: bool = False) -> dict[str, float]:
    best: dict[str, float] = {}
    for run in range(RUNS):
        scores = await _lighthouse(url, cookie, f"{name}-{run + 1}", desktop)
        best = {c: max(best.get(c, 0.0), scores[c]) for c in CATEGORIES}
        if all(score >= BAR for score in best.values()):
            break
    return best


@pytest.fixture(scope="module")
def lighthouse_installed() -> None:
    _install()


async def test_the_most_opened_screens_score_well_in_lighthouse(
    client, base_url: str, lighthouse_installed: None
):
    admin = await signup(client, org="Acme")
    team = await create_team(client, admin, "Field")
    sam = await add_member(client, admin, team_id=team["id"], name="Sam Seller")
    challenge = await create_challenge(client, admin)
    login = await client.post("/api/v1/auth/login", json={"email": sam.email, "password": PASSWORD})
    assert login.status_code == 200
    employee = f"chorus_token={sam.token}"
    pages = {
        "home": f"{base_url}/",
        "challenge": f"{base_url}/challenges/{challenge['id']}",
        "leaderboard": f"{base_url}/leaderboard",
        "community": f"{base_url}/community",
    }
    scores = {name: await _best_of(url, employee, name) for name, url in pages.items()}
    scores["console-home"] = await _best_of(
        f"{base_url}/admin", f"chorus_token={admin.token}", "console-home", desktop=True
    )
    print(json.dumps(scores, indent=1))  # shown with -s; the reports are in test-artifacts/
    below = {
        (page, category): score
        for page, found in scores.items()
        for category, score in found.items()
        if score < BAR
    }
    assert below == {}, f"below {BAR}: {below} (reports: {REPORTS})"


def test_lighthouse_is_the_pinned_version(lighthouse_installed: None):
    package = json.loads((LIGHTHOUSE_DIR / "package.json").read_text())
    assert package["dependencies"]["lighthouse"] == "12.2.3"
    installed = json.loads(
        (LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json").read_text()
    )
    assert installed["version"] == "12.2.3"
