"""A rejected share is not a dead end: the person reads the admin's note on the challenge and
sends the fixed post again from the same screen; "My shares" on Me lists every try."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.e2e.conftest import screenshot, sign_in
from tests.helpers import add_member, bearer, create_challenge, signup

FIXED = "https://www.linkedin.com/posts/sam-member_launch-activity-7200000000000000077-AbCd"


async def test_a_rejected_share_shows_the_note_and_can_be_sent_again(
    client, worker, base_url: str, page: Page
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    challenge = await create_challenge(
        client, admin, title="Share the launch", verification="review"
    )
    await sign_in(page, sam.email)
    await page.get_by_role("link", name="Share the launch").click()
    await page.get_by_placeholder("Paste your post link").fill(FIXED + "?first=1")
    await page.get_by_role("button", name="Submit").click()
    status = page.locator(".status-card")
    await expect(status).to_have_attribute("data-status", "pending")

    queue = await client.get("/api/v1/admin/submissions?status=needs_review", headers=bearer(admin))
    for _ in range(100):  # the worker sends review-policy claims to the queue
        if queue.json()["items"]:
            break
        queue = await client.get(
            "/api/v1/admin/submissions?status=needs_review", headers=bearer(admin)
        )
    claim = queue.json()["items"][0]["id"]
    rejected = await client.post(
        f"/api/v1/admin/submissions/{claim}/reject",
        json={"note": "Paste your post's own link, not the company page."},
        headers=bearer(admin),
    )
    assert rejected.status_code == 200, rejected.text

    # the live event brings the note and the paste bar back, without a reload
    await expect(status).to_have_attribute("data-status", "rejected")
    await expect(status).to_contain_text("Paste your post's own link, not the company page.")
    await expect(status).to_contain_text("2 tries left")
    await screenshot(page, "challenge-rejected")
    await page.get_by_placeholder("Paste your post link").fill(FIXED)
    await page.get_by_role("button", name="Submit").click()
    await expect(status).to_have_attribute("data-status", "pending")

    tries = (await client.get("/api/v1/me/submissions", headers=bearer(sam))).json()["items"]
    assert [t["attempt"] for t in tries] == [2, 1]
    assert tries[0]["status"] in ("pending", "needs_review") and tries[1]["status"] == "rejected"
    assert tries[0]["postUrl"] == FIXED

    await page.get_by_role("link", name="Me", exact=True).click()
    shares = page.get_by_role("list", name="My shares")
    await expect(shares.get_by_role("listitem")).to_have_count(2)
    await expect(shares).to_contain_text("Paste your post's own link, not the company page.")
    await screenshot(page, "my-shares")
    await expect(shares.get_by_role("link", name=challenge["title"]).first).to_be_visible()
