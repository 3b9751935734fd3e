"""Browser tests: the built PWA in Debian's Chromium, driven by Playwright, against the real API
(served by uvicorn on 127.0.0.1), the real arq worker, PostgreSQL and Redis.

Playwright never downloads a browser here: it launches /usr/bin/chromium with the flags that
keep it off the network. Screenshots of every screen land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    async_playwright,
    expect,
)

from backend.jobs import create_job_pool
from backend.settings import get_settings
from tests.helpers import PASSWORD
from workers.settings import build_worker

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "pwa" / "dist"
AXE = ROOT / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 780}

HERE = Path(__file__).resolve().parent

# Assertions wait for the page up to this long (Playwright's default is 5 s): they are about
# what the page shows, not how fast, and CI runs on a machine that may be busy.
expect.set_options(timeout=30_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark this folder's tests `e2e` (the hook sees every collected item, so filter by path)."""
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _require_build_and_browser() -> None:
    if not (DIST / "index.html").is_file():
        pytest.fail("pwa/dist is not built: run the tests with `make test` (it builds the PWA)")
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `apt-get install chromium` (.ci/run does it)")


@pytest.fixture(scope="session")
async def base_url(app: Any) -> AsyncIterator[str]:
    """The session's app behind a real HTTP server (the browser needs a real origin)."""
    _require_build_and_browser()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", timeout_graceful_shutdown=1, ws="none"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture(scope="module")
async def worker(app: Any) -> AsyncIterator[None]:
    """The real arq worker (not burst): it verifies submissions as they come, like production.
    Stopped after the module: a worker left running would take the jobs (and hold the board
    relay) of the test files that run after it in the same process."""
    running = build_worker(await create_job_pool(get_settings().redis_url))
    task = asyncio.create_task(running.main())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    await running.close()


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield chromium
    await chromium.close()


@pytest.fixture
async def context(browser: Browser, base_url: str) -> AsyncIterator[BrowserContext]:
    ctx = await browser.new_context(viewport=PHONE, base_url=base_url, service_workers="allow")
    yield ctx
    await ctx.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


async def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    await page.goto("/")
    await page.get_by_label("Work email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Open challenges").wait_for()


async def wait_for_service_worker(page: Page) -> None:
    """Until the service worker controls the page (it claims clients once activated)."""
    await page.evaluate("navigator.serviceWorker.ready")
    await page.wait_for_function("navigator.serviceWorker.controller !== null")


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core findings on the page as it is now (its colours as they
    settle: an element still fading in would be measured half transparent)."""
    await page.emulate_media(reduced_motion="reduce")  # the app's CSS then stops animations
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "axe.run(document).then(r => ({passes: r.passes.length,"
        " violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))}))"
    )
    assert result["passes"] >= 10, result  # axe really looked at the page
    await page.emulate_media(reduced_motion="no-preference")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
