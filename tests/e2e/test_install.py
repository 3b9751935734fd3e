"""Installability as Chromium itself judges it, in a persistent (not incognito) profile."""

from __future__ import annotations

import json
import tempfile

from playwright.async_api import Playwright

from tests.e2e.conftest import CHROMIUM, FLAGS, PHONE


async def test_chromium_reports_no_installability_errors(playwright: Playwright, base_url: str):
    with tempfile.TemporaryDirectory(prefix="chorus-profile-") as profile:
        context = await playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=FLAGS, viewport=PHONE, base_url=base_url
        )
        try:
            page = await context.new_page()
            await page.goto("/")
            await page.get_by_role("heading", name="Sign in to Chorus").wait_for()
            await page.evaluate("navigator.serviceWorker.ready")
            cdp = await context.new_cdp_session(page)
            manifest = await cdp.send("Page.getAppManifest")
            assert manifest["url"] == f"{base_url}/manifest.webmanifest"
            assert manifest["errors"] == [], manifest["errors"]
            data = json.loads(manifest["data"])
            assert data["display"] == "standalone" and data["start_url"] == "/"
            purposes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
            assert purposes >= {("192x192", p) for p in ("any", "maskable")}
            assert purposes >= {("512x512", p) for p in ("any", "maskable")}
            errors = await cdp.send("Page.getInstallabilityErrors")
            assert errors["installabilityErrors"] == []
        finally:
            await context.close()
