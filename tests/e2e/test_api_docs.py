"""The API reference at /schema renders in Chromium from Chorus's own pinned assets, under a
CSP that would block anything from elsewhere, with no CSP violation and no outside request."""

from __future__ import annotations

from playwright.async_api import Page, expect


async def test_the_api_reference_renders_from_its_own_assets(page: Page, base_url: str):
    violations: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    page.on("request", lambda r: requests.append(r.url))
    resp = await page.goto("/schema")
    assert resp is not None and resp.status == 200
    assert "script-src 'self'" in (await resp.all_headers())["content-security-policy"]
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("Chorus API")
    await expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert violations == []
    assert requests and all(url.startswith(base_url) for url in requests), requests
