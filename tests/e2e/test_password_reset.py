"""A forgotten password in Chromium: "Forgot password?" on the sign-in screen, the email in a
real SMTP server on loopback (aiosmtpd), its link opened, a new password chosen, signed in at
once; the session that was open before answers 401."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, expect

from tests.e2e.conftest import FLAGS, PHONE, screenshot  # noqa: F401
from tests.helpers import PASSWORD, bearer, run_worker_burst, signup
from tests.test_live import served
from tests.test_mail import link_in, mailbox  # noqa: F401  (a fixture)

NEW_PASSWORD = "my brand new passphrase"


async def test_forgot_password_email_link_new_password_signed_in_and_old_session_401(
    browser: Browser,
    mailbox,  # noqa: F811
):
    # an app of its own, built from the settings with SMTP (the session's app has none)
    async with served() as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
        account = await signup(http, name="Rita Reset")
        old_session = account.token
        context = await browser.new_context(viewport=PHONE, base_url=base)
        try:
            page = await context.new_page()
            await page.goto("/")
            await page.get_by_label("Work email").fill(account.email)
            await page.get_by_role("button", name="Forgot password?").click()
            await page.get_by_role("button", name="Email me a link").click()
            await expect(page.get_by_role("status")).to_contain_text("on its way")
            await run_worker_burst()
            (message,) = mailbox.to(account.email)
            token = link_in(message, "/reset")
            await page.goto(f"/reset#token={token}")
            await expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
            await page.get_by_label("New password").fill(NEW_PASSWORD)
            await screenshot(page, "reset-password")
            await page.get_by_role("button", name="Set password and sign in").click()
            await page.get_by_role("heading", name="Open challenges").wait_for()
            assert "#token" not in page.url
        finally:
            await context.close()
        assert (await http.get("/api/v1/me", headers=bearer(old_session))).status_code == 401
        old = await http.post(
            "/api/v1/auth/login", json={"email": account.email, "password": PASSWORD}
        )
        assert old.status_code == 401
        new = await http.post(
            "/api/v1/auth/login", json={"email": account.email, "password": NEW_PASSWORD}
        )
        assert new.status_code == 200
