"""The core flow in the browser: sign in → challenge → link → paste the post → verified, with
points and the leaderboard updating live (no reload), on a phone-sized screen."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.fakes import linkedin_page
from tests.helpers import add_member, create_challenge, signup

POST_URL = "https://www.linkedin.com/posts/sam-member_launch-day-activity-7200000000000000042-AbCd"
POST_PATH = POST_URL.removeprefix("https://www.linkedin.com")


async def test_a_share_is_verified_and_the_points_and_board_update_live(
    client, network, worker, browser: Browser, base_url: str, page: Page
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    watcher = await add_member(client, admin, name="Wes Watcher")
    challenge = await create_challenge(client, admin, title="Share our launch post", points=50)

    # A colleague keeps the leaderboard open in another browser: it must move by itself.
    other = await browser.new_context(viewport=PHONE, base_url=base_url)
    board = await other.new_page()
    await sign_in(board, watcher.email)
    await board.get_by_role("link", name="Leaderboard").click()
    await expect(board.get_by_text("Nobody has points yet")).to_be_visible()

    await sign_in(page, sam.email)
    await expect(page.get_by_role("heading", name="Hi, Sam")).to_be_visible()
    await screenshot(page, "home")
    await page.get_by_role("link", name="Share our launch post").click()
    await expect(page.get_by_role("heading", name="Share our launch post")).to_be_visible()

    await page.get_by_role("button", name="Get my link").click()
    tracked = await page.get_by_test_id("tracked-url").input_value()
    assert "/s/" in tracked
    await screenshot(page, "challenge")
    network.linkedin_post(POST_PATH, linkedin_page(f"We launched! {tracked} #launch"))

    await page.get_by_placeholder("Paste your post link").fill(POST_URL)
    await page.get_by_role("button", name="Submit").click()
    status = page.locator(".status-card")
    await expect(status).to_have_attribute("data-status", "verified", timeout=15_000)
    await expect(status).to_contain_text("+50 points")
    await screenshot(page, "challenge-verified")

    # Home and the leaderboard show the new points without a reload.
    await page.evaluate("window.sameDocument = true")  # a reload would lose it
    await page.get_by_role("link", name="Home").click()
    # 50 for the share and 10 for the first-share badge it earned on the way
    await expect(page.get_by_test_id("my-points")).to_have_text("60 pts")
    await page.get_by_role("link", name="Leaderboard").click()
    await expect(page.get_by_test_id("my-rank")).to_contain_text("#1")
    await screenshot(page, "leaderboard")
    assert await page.evaluate("window.sameDocument === true")

    # first place stands on the podium
    await expect(board.locator(".podium-spot, .board-row", has_text="Sam Member")).to_contain_text(
        "60"
    )
    await other.close()

    resp = await client.get(
        f"/api/v1/challenges/{challenge['id']}", headers={"Authorization": f"Bearer {sam.token}"}
    )
    assert resp.json()["mySubmission"]["status"] == "verified"
