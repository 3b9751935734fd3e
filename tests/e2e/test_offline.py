"""Offline: the app shell and the last data come from the service worker, and a submission made
offline is queued and sent once the network is back — once."""

from __future__ import annotations

import asyncpg
from playwright.async_api import BrowserContext, Page, expect

from backend.settings import get_settings
from tests.e2e.conftest import screenshot, sign_in, wait_for_service_worker
from tests.fakes import linkedin_page
from tests.helpers import add_member, create_challenge, signup

POST_URL = "https://www.linkedin.com/posts/olive-offline_launch-activity-7200000000000000077-XyZw"


async def test_a_reload_while_offline_shows_the_app_and_the_last_update(
    client, context: BrowserContext, page: Page
):
    admin = await signup(client)
    olive = await add_member(client, admin, name="Olive Offline")
    await create_challenge(client, admin, title="Read on the train")
    await sign_in(page, olive.email)
    await wait_for_service_worker(page)
    await page.reload()  # now through the service worker: the API answers get cached
    await expect(page.get_by_role("link", name="Read on the train")).to_be_visible()

    await context.set_offline(True)
    await page.reload()
    await expect(page.get_by_role("heading", name="Hi, Olive")).to_be_visible()
    await expect(page.get_by_role("link", name="Read on the train")).to_be_visible()
    await expect(
        page.get_by_role("status").filter(has_text="Offline — showing last update from")
    ).to_be_visible()
    await screenshot(page, "home-offline")

    await context.set_offline(False)
    await page.reload()
    await expect(page.get_by_text("Offline — showing last update")).to_have_count(0)


async def test_a_submission_made_offline_goes_through_once_back_online(
    client, network, worker, context: BrowserContext, page: Page
):
    admin = await signup(client)
    olive = await add_member(client, admin, name="Olive Offline")
    challenge = await create_challenge(client, admin, title="Share from the tunnel", points=40)
    await sign_in(page, olive.email)
    await wait_for_service_worker(page)
    await page.reload()
    await page.get_by_role("link", name="Share from the tunnel").click()
    await page.get_by_role("button", name="Get my link").click()
    tracked = await page.get_by_test_id("tracked-url").input_value()
    network.linkedin_post(POST_URL.removeprefix("https://www.linkedin.com"), linkedin_page(tracked))

    await context.set_offline(True)
    await page.get_by_placeholder("Paste your post link").fill(POST_URL)
    await page.get_by_role("button", name="Submit").click()
    status = page.locator(".status-card")
    await expect(status).to_have_attribute("data-status", "queued")
    await screenshot(page, "challenge-queued-offline")
    assert await _submissions(challenge["id"]) == 0

    await context.set_offline(False)
    await expect(status).to_have_attribute("data-status", "verified", timeout=15_000)
    await page.reload()  # a later start must not send it again
    await expect(page.locator(".status-card")).to_have_attribute("data-status", "verified")
    assert await _submissions(challenge["id"]) == 1


async def _submissions(challenge_id: str) -> int:
    conn = await asyncpg.connect(get_settings().database_url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM submission WHERE challenge = $1::uuid", challenge_id
            )
        )
    finally:
        await conn.close()
