"""Stories in the browser: an employee writes one (photo included), an admin approves and
features it, it shows in the community feed with reactions and comments, its public page has a
good preview, and sharing it earns verified points once."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image
from playwright.async_api import Browser, expect

from backend.community.tables import Story
from tests.e2e.conftest import PHONE, axe_violations, screenshot, sign_in
from tests.fakes import linkedin_page
from tests.helpers import add_member, bearer, signup

POST_URL = "https://www.linkedin.com/posts/sam-member_story-activity-7200000000000000555-StOr"


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (1600, 1200), (40, 120, 200))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 24.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


async def test_a_story_goes_from_draft_to_featured_to_shared(
    client, network, worker, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    now = datetime.now(UTC)
    challenge = (
        await client.post(
            "/api/v1/admin/challenges",
            json={
                "kind": "story",
                "title": "A customer's day got better",
                "description": "Tell us about a moment your work made a customer's day better.",
                "points": 40,
                "startsAt": (now - timedelta(hours=1)).isoformat(),
                "endsAt": (now + timedelta(days=7)).isoformat(),
                "verification": "review",
            },
            headers=bearer(admin),
        )
    ).json()
    assert (
        await client.post(
            f"/api/v1/admin/challenges/{challenge['id']}/publish", headers=bearer(admin)
        )
    ).status_code == 200
    rules = {"guidelines": ["No customer names without consent"], "blockedWords": ["confidential"]}
    assert (
        await client.put("/api/v1/admin/community", json=rules, headers=bearer(admin))
    ).status_code == 200

    context = await browser.new_context(viewport=PHONE, base_url=base_url, bypass_csp=True)
    page = await context.new_page()  # bypass_csp: axe-core is injected as an inline script
    await sign_in(page, sam.email)
    await page.get_by_role("link", name="A customer's day got better").click()
    editor = page.get_by_role("region", name="Your story")
    await editor.get_by_label("Title").fill("The pharmacy that stayed open")
    await editor.get_by_label("Your story").fill(
        "When the outage hit, our team kept a pharmacy's orders flowing all night."
    )
    submit = editor.get_by_role("button", name="Submit story")
    await expect(submit).to_be_disabled()  # the guidelines are ticked first
    await editor.get_by_label("No customer names without consent").check()
    await editor.get_by_label("A photo (optional — we remove its location)").set_input_files(
        files=[{"name": "night.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_location()}]
    )
    await expect(editor.get_by_role("img", name="Your story's photo")).to_be_visible()
    assert await axe_violations(page) == []
    await screenshot(page, "story-editor")
    await submit.click()
    await expect(editor.get_by_text("Waiting for an admin's review")).to_be_visible()

    admin_ctx = await browser.new_context(viewport=PHONE, base_url=base_url, bypass_csp=True)
    admin_page = await admin_ctx.new_page()
    await sign_in(admin_page, admin.email)
    await admin_page.get_by_role("link", name="Admin", exact=True).click()
    await admin_page.locator("a[href='/admin/community']:visible").first.click()
    card = admin_page.get_by_role("article", name="Sam Member: The pharmacy that stayed open")
    await card.get_by_role("button", name="Approve and publish").click()
    await expect(admin_page.get_by_text("Published.")).to_be_visible()
    await (
        admin_page.get_by_role("article", name="Sam Member: The pharmacy that stayed open")
        .get_by_role("button", name="Feature as story of the week")
        .click()
    )
    await expect(admin_page.get_by_text("Featured as the story of the week.")).to_be_visible()
    assert await axe_violations(admin_page) == []
    await screenshot(admin_page, "admin-community")
    await admin_ctx.close()

    await page.get_by_role("link", name="Community").click()
    featured = page.get_by_role("region", name="Story of the week")
    await expect(featured).to_contain_text("The pharmacy that stayed open")
    # the featured story is shown once, at the top (not again in the feed below)
    story_card = featured.get_by_role("article", name="Sam Member shared a story")
    await expect(
        page.get_by_role("list", name="Community feed").get_by_role(
            "article", name="Sam Member shared a story"
        )
    ).to_have_count(0)
    await story_card.get_by_role("button", name="Applause").click()
    await expect(story_card.get_by_role("button", name="Applause, 1")).to_have_attribute(
        "aria-pressed", "true"
    )
    await story_card.get_by_role("button", name="Comments (0)").click()
    await story_card.get_by_placeholder("Write a comment").fill("So proud of this team")
    await story_card.get_by_role("button", name="Send").click()
    await expect(story_card).to_contain_text("So proud of this team")
    await story_card.get_by_placeholder("Write a comment").fill("this is confidential")
    await story_card.get_by_role("button", name="Send").click()
    await expect(
        page.get_by_text("is on your organization's list of words to avoid")
    ).to_be_visible()
    assert await axe_violations(page) == []
    await screenshot(page, "community")

    slug = (await Story.raw("SELECT slug FROM story"))[0]["slug"]
    visitor = await browser.new_context(viewport=PHONE, base_url=base_url)
    public = await visitor.new_page()
    await public.goto(f"/stories/{slug}")
    await expect(
        public.get_by_role("heading", name="The pharmacy that stayed open")
    ).to_be_visible()
    assert (
        await public.locator('meta[property="og:title"]').get_attribute("content")
        == "The pharmacy that stayed open"
    )
    assert (
        await public.locator('meta[property="og:image"]').get_attribute("content") or ""
    ).endswith(f"/stories/{slug}/photo.jpg")
    description = await public.locator('meta[property="og:description"]').get_attribute("content")
    assert description and description.startswith("When the outage hit")
    await screenshot(public, "story-public-page")
    await visitor.close()

    await page.get_by_role("link", name="Home").click()
    await page.get_by_role("link", name="A customer's day got better").click()
    await expect(page.get_by_role("heading", name="Share your story")).to_be_visible()
    await page.get_by_role("button", name="Get my link").click()
    tracked = await page.get_by_test_id("tracked-url").input_value()
    network.linkedin_post(
        POST_URL.removeprefix("https://www.linkedin.com"), linkedin_page(f"My story {tracked}")
    )
    await page.get_by_placeholder("Paste your post link").fill(POST_URL)
    await page.get_by_role("button", name="Submit").click()
    await expect(page.locator(".status-card")).to_have_attribute(
        "data-status", "verified", timeout=15_000
    )
    await expect(page.get_by_placeholder("Paste your post link")).to_have_count(0)  # once only
    again = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": POST_URL},
        headers=bearer(sam),
    )
    assert again.status_code == 409
    ledger = await Story.raw(
        'SELECT reason, delta FROM points_ledger WHERE "user" = {} ORDER BY id', sam.user_id
    )
    reasons = [(r["reason"], r["delta"]) for r in ledger]
    assert reasons.count(("story", 40)) == 1 and reasons.count(("featured", 25)) == 1
    assert sum(1 for reason, _ in reasons if reason == "share_verified") == 1
    await context.close()
