"""Single sign-on in the browser: a new employee types their work email, follows "Continue
with SSO" to the company's OpenID provider (the real `oidc-provider`, on loopback), signs in on
its login form and lands on Home, provisioned into the default team as an employee.

The app's public URL in tests is http://testserver (the redirect URI the provider knows), so
this test's Chromium resolves `testserver` to the app's real loopback port.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Playwright, expect

from tests.e2e.conftest import CHROMIUM, FLAGS, PHONE, screenshot
from tests.helpers import bearer, create_team, signup
from tests.oidc.servers import oidc_provider

CALLBACK = "http://testserver/api/v1/auth/sso/callback"
EMAIL = "nia.new@sso-acme.test"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    clients = [
        {
            "client_id": "chorus-e2e",
            "client_secret": "e2e-client-secret",
            "redirect_uris": [CALLBACK],
            "response_types": ["code"],
            "grant_types": ["authorization_code"],
        }
    ]
    accounts = {EMAIL: {"email": EMAIL, "email_verified": True, "name": "Nia Newcomer"}}
    with oidc_provider(clients, accounts) as issuer:
        yield issuer


async def test_a_new_employee_signs_in_through_the_company_provider(
    client, playwright: Playwright, base_url: str, provider: str
):
    admin = await signup(client, org="Acme SSO")
    team = await create_team(client, admin, "Newcomers")
    resp = await client.put(
        "/api/v1/admin/sso",
        json={
            "issuer": provider,
            "clientId": "chorus-e2e",
            "clientSecret": "e2e-client-secret",
            "emailDomains": ["sso-acme.test"],
            "autoProvision": True,
            "defaultTeamId": team["id"],
            "required": True,
        },
        headers=bearer(admin),
    )
    assert resp.status_code == 200, resp.text

    port = urlsplit(base_url).port
    browser = await playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*FLAGS, f"--host-resolver-rules=MAP testserver 127.0.0.1:{port}"],
    )
    try:
        context = await browser.new_context(viewport=PHONE, base_url="http://testserver")
        page = await context.new_page()
        await page.goto("/")
        await page.get_by_label("Work email").fill(EMAIL)
        continue_sso = page.get_by_role("link", name="Continue with SSO")
        await expect(continue_sso).to_be_visible()
        await screenshot(page, "sign-in-sso")
        await continue_sso.click()

        # the provider's own sign-in form (its login field is filled from login_hint)
        await page.wait_for_url(f"{provider}/interaction/**")
        await expect(page.locator("input[name=login]")).to_have_value(EMAIL)
        await page.locator("input[name=password]").fill("any password the provider takes")
        await page.get_by_role("button", name="Sign-in").click()

        await page.wait_for_url("http://testserver/")
        await expect(page.get_by_role("heading", name="Open challenges")).to_be_visible()
        await expect(page.get_by_text("Hi, Nia")).to_be_visible()
        await page.get_by_role("link", name="Me", exact=True).click()
        await expect(page.get_by_text("Nia Newcomer")).to_be_visible()
        await expect(page.get_by_text("Newcomers · Acme SSO")).to_be_visible()
        me = await page.evaluate("fetch('/api/v1/me').then(r => r.json())")
        assert (me["email"], me["role"], me["team"]["name"]) == (EMAIL, "employee", "Newcomers")

        # a refusal comes back to the sign-in screen in words: a forged state
        await context.clear_cookies()
        await page.goto("/api/v1/auth/sso/callback?code=x&state=forged")
        await page.wait_for_url("**/signin?error=state")
        await expect(page.get_by_role("alert")).to_contain_text("try again")
    finally:
        await browser.close()
