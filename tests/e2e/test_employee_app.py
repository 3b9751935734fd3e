"""The employee's app at 390 x 844 (issue 19): a rejected share fixed from its steps and found in
My shares, errors in plain words beside their field (never widening the page, never under the
sticky bars), a board that reads like a game, "Mark all read", and every screen photographed in
light and dark with no horizontal overflow and no serious axe-core finding."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from backend.notifications import service as notifications
from tests.e2e.conftest import axe_violations, screenshot, sign_in
from tests.helpers import add_member, bearer, create_challenge, create_team, ledger_award, signup

PHONE = {"width": 390, "height": 844}
FIRST = "https://www.linkedin.com/posts/sam-member_launch-activity-7200000000000000091-AbCd?x=1"
FIXED = "https://www.linkedin.com/posts/sam-member_launch-activity-7200000000000000091-AbCd"
COMPANY_PAGE = (
    "https://www.linkedin.com/company/acme-international-holdings-worldwide-incorporated"
    "-enterprise-solutions-and-services-division-of-the-northern-hemisphere/posts/"
    "?feedView=all&viewAsMember=true&trackingId=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
)


async def _phone(browser: Browser, base_url: str, scheme: str = "light") -> Any:
    # bypass_csp: axe-core is injected as an inline script
    return await browser.new_context(
        viewport=PHONE, base_url=base_url, color_scheme=scheme, bypass_csp=True
    )


async def _no_overflow(page: Page) -> None:
    width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"


async def _claim_in_review(client: Any, admin: Any) -> str:
    for _ in range(150):  # the worker sends review-policy claims to the queue
        queue = await client.get(
            "/api/v1/admin/submissions?status=needs_review", headers=bearer(admin)
        )
        if queue.json()["items"]:
            return str(queue.json()["items"][0]["id"])
    raise AssertionError("the claim never reached the review queue")


async def test_an_employee_fixes_a_rejected_share_and_finds_it_in_my_shares(
    client, worker, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    challenge = await create_challenge(
        client, admin, title="Share the launch", verification="review"
    )
    context = await _phone(browser, base_url)
    page = await context.new_page()
    try:
        await sign_in(page, sam.email)
        await page.get_by_role("link", name="Share the launch").click()

        # three steps, in order; the article is always one tap away, preview or not
        steps = page.get_by_role("list", name="Share it in three steps")
        await expect(steps.get_by_role("listitem")).to_have_count(3)
        await expect(steps.get_by_role("heading", name="Open the article")).to_be_visible()
        article = page.get_by_test_id("article-link")
        await expect(article).to_have_attribute("href", challenge["contentUrl"])
        await expect(steps.get_by_role("heading", name="Share it")).to_be_visible()
        await expect(steps.get_by_text("Paste your post's link")).to_be_visible()

        await page.get_by_placeholder("Paste your post link").fill(FIRST)
        await page.get_by_role("button", name="Submit").click()
        status = page.locator(".status-card")
        await expect(status).to_have_attribute("data-status", "pending")

        claim = await _claim_in_review(client, admin)
        note = "Paste your post's own link, not the one with tracking."
        rejected = await client.post(
            f"/api/v1/admin/submissions/{claim}/reject", json={"note": note}, headers=bearer(admin)
        )
        assert rejected.status_code == 200, rejected.text

        # the note arrives live; the link comes back in step 3, ready to be fixed
        await expect(status).to_have_attribute("data-status", "rejected")
        await expect(status).to_contain_text(note)
        await expect(page.get_by_text("Paste the fixed link to your post")).to_be_visible()
        field = page.get_by_placeholder("Paste your post link")
        await expect(field).to_have_value(FIRST)
        await _no_overflow(page)
        await screenshot(page, "employee-challenge-rejected-390")
        await field.fill(FIXED)
        await page.get_by_role("button", name="Submit").click()
        await expect(status).to_have_attribute("data-status", "pending")

        await page.get_by_role("link", name="Me", exact=True).click()
        shares = page.get_by_role("list", name="My shares")
        await expect(shares.get_by_role("listitem")).to_have_count(2)
        await expect(shares.get_by_role("listitem").first).to_contain_text("Checking")
        await expect(shares.get_by_role("listitem").nth(1)).to_contain_text(note)
        await expect(shares.get_by_role("link", name=FIXED, exact=True)).to_be_visible()
        await _no_overflow(page)
        await screenshot(page, "employee-my-shares-390")
    finally:
        await context.close()


async def test_a_long_bad_post_link_is_explained_beside_the_field_without_widening_the_page(
    client, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme")
    sam = await add_member(client, admin, name="Sam Member")
    await create_challenge(client, admin, title="Share our launch post")
    context = await _phone(browser, base_url)
    page = await context.new_page()
    try:
        await sign_in(page, sam.email)
        await page.get_by_role("link", name="Share our launch post").click()
        field = page.get_by_placeholder("Paste your post link")

        # checked before sending: empty, then not a link at all
        await page.get_by_role("button", name="Submit").click()
        error = page.locator(".field-error")
        await expect(error).to_contain_text("Please fill in your post's link")
        await field.fill("my post on linkedin")
        await page.get_by_role("button", name="Submit").click()
        await expect(error).to_contain_text("should be a full link")

        # the server's sentence, beside the field: a company page is not a post
        await field.fill(COMPANY_PAGE)
        await page.get_by_role("button", name="Submit").click()
        await expect(error).to_contain_text("company page")
        await expect(error).not_to_contain_text("postUrl")
        await expect(field).to_have_attribute("aria-invalid", "true")
        described = await field.get_attribute("aria-describedby")
        assert described and await error.get_attribute("id") in described.split()

        await _no_overflow(page)
        # the error is on screen, above the tab bar, inside the sticky step it belongs to
        box = await error.bounding_box()
        tabbar = await page.locator(".tabbar").bounding_box()
        assert box and tabbar
        assert box["y"] >= 0 and box["y"] + box["height"] <= tabbar["y"], (box, tabbar)
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        await expect(page.get_by_role("link", name="Me", exact=True)).to_be_in_viewport()
        await screenshot(page, "employee-challenge-error-390")
    finally:
        await context.close()


async def _board(client: Any) -> dict[str, Any]:
    admin = await signup(client, org="Acme", name="Ann Admin")
    team = await create_team(client, admin, "Platform")
    sam = await add_member(client, admin, team_id=team["id"], name="Sam Member")
    names = ["Pia Park", "Olu Obi", "Ines Iva", "Tom Tan"]
    for n, name in enumerate(names):
        who = await add_member(client, admin, team_id=team["id"], name=name)
        await ledger_award(admin.org_id, who.user_id, 200 - n * 40, team_id=team["id"])
    await ledger_award(admin.org_id, sam.user_id, 30, team_id=team["id"])
    return {"admin": admin, "sam": sam, "team": team}


async def test_the_board_has_a_podium_avatars_in_colour_and_every_period(
    client, browser: Browser, base_url: str
):
    org = await _board(client)
    context = await _phone(browser, base_url)
    page = await context.new_page()
    try:
        await sign_in(page, org["sam"].email)
        await page.get_by_role("link", name="Leaderboard").click()
        podium = page.get_by_role("list", name="Top three")
        await expect(podium.get_by_role("listitem")).to_have_count(3)
        await expect(podium.get_by_role("listitem").first).to_contain_text("Pia Park")
        await expect(podium.get_by_role("listitem").first).to_contain_text("1st")
        # the rest of the board goes on from 4th, me included, each with an initials avatar
        mine = page.locator(".board-row.me")
        await expect(mine).to_contain_text("Sam Member (you)")
        await expect(mine.locator(".avatar")).to_have_text("SM")
        colours = await page.locator(".avatar").evaluate_all(
            "els => els.map(e => getComputedStyle(e).backgroundColor)"
        )
        assert len(colours) == 5 and len(set(colours)) >= 2, colours
        await _no_overflow(page)
        await screenshot(page, "employee-leaderboard-podium-390")

        for period in ("This month", "Last week", "Last month", "All time", "This week"):
            await page.get_by_role("button", name=period, exact=True).click()
            await expect(page.get_by_role("button", name=period, exact=True)).to_have_attribute(
                "aria-pressed", "true"
            )
            await expect(page.locator(".skeleton")).to_have_count(0)
        await expect(podium.get_by_role("listitem")).to_have_count(3)
    finally:
        await context.close()


async def test_mark_all_read_empties_the_unread_badge(client, browser: Browser, base_url: str):
    admin = await signup(client, org="Acme")
    sam = await add_member(client, admin, name="Sam Member")
    for n in range(3):
        await notifications.notify(
            uuid.UUID(str(admin.org_id)),
            uuid.UUID(str(sam.user_id)),
            "badge",
            f"Badge {n}",
            "You earned a badge.",
            "/badges",
        )
    context = await _phone(browser, base_url)
    page = await context.new_page()
    try:
        await sign_in(page, sam.email)
        bell = page.locator("a.bell")
        await expect(bell).to_have_attribute("aria-label", "Notifications, 3 unread")
        await bell.click()
        await expect(page.locator(".inbox-item.unread")).to_have_count(3)
        await page.get_by_role("button", name="Mark all read").click()
        await expect(page.locator(".inbox-item.unread")).to_have_count(0)
        await expect(bell).to_have_attribute("aria-label", "Notifications")
        await expect(page.get_by_role("button", name="Mark all read")).to_have_count(0)
        await page.reload()  # the server agrees
        await expect(page.locator(".inbox-item")).to_have_count(3)
        await expect(page.locator(".inbox-item.unread")).to_have_count(0)
        await expect(page.locator("a.bell")).to_have_attribute("aria-label", "Notifications")
    finally:
        await context.close()


async def test_me_edits_name_time_zone_and_language(client, browser: Browser, base_url: str):
    admin = await signup(client, org="Acme")
    sam = await add_member(client, admin, name="Sam Member")
    context = await _phone(browser, base_url)
    page = await context.new_page()
    try:
        await sign_in(page, sam.email)
        await page.get_by_role("link", name="Me", exact=True).click()
        details = page.get_by_role("form", name="Your details")
        name = details.get_by_label("Your name")
        await name.fill("   ")
        await details.get_by_role("button", name="Save my details").click()
        await expect(details.locator(".field-error")).to_have_text("Please fill in your name.")
        await expect(name).to_be_focused()
        await name.fill("Samira Member")
        await details.get_by_label("Time zone").select_option("Europe/Paris")
        speaks = "language" in (await client.get("/api/v1/me", headers=bearer(sam))).json()
        if speaks:  # the API's language setting (issue 19's backend half)
            await details.get_by_label("Language").select_option("fr")
        await details.get_by_role("button", name="Save my details").click()
        await expect(page.locator(".big-name")).to_have_text("Samira Member")
        who = (await client.get("/api/v1/me", headers=bearer(sam))).json()
        assert who["displayName"] == "Samira Member" and who["timezone"] == "Europe/Paris"
        assert not speaks or who["language"] == "fr"
    finally:
        await context.close()


SCREENS = [
    ("home", "/", "Hi, Sam"),
    ("community", "/community", "Community"),
    ("leaderboard", "/leaderboard", "Leaderboard"),
    ("badges", "/badges", "Badges"),
    ("notifications", "/notifications", "Notifications"),
    ("me", "/me", "Me"),
    ("welcome", "/welcome", "How Chorus works"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_every_employee_screen_at_390_fits_and_passes_axe(
    client, browser: Browser, base_url: str, scheme: str
):
    org = await _board(client)
    challenge = await create_challenge(client, org["admin"], title="Share our launch post")
    await notifications.notify(
        uuid.UUID(str(org["admin"].org_id)),
        uuid.UUID(str(org["sam"].user_id)),
        "challenge",
        "A new challenge",
        "Share our launch post",
        f"/challenges/{challenge['id']}",
    )
    context = await _phone(browser, base_url, scheme)
    page = await context.new_page()
    found: dict[str, Any] = {}
    try:
        await page.goto("/")
        await page.get_by_role("heading", name="Sign in to Chorus").wait_for()
        await page.get_by_role("button", name="Sign in").click()  # the checks before sending
        await expect(page.locator(".field-error")).to_have_count(2)
        await _no_overflow(page)
        found["sign-in-errors"] = await axe_violations(page)
        await screenshot(page, f"employee-sign-in-errors-390-{scheme}")

        await sign_in(page, org["sam"].email)
        for name, path, heading in SCREENS:
            await page.goto(path)
            await page.get_by_role("heading", name=heading, exact=True).wait_for()
            await expect(page.locator(".skeleton")).to_have_count(0)
            await _no_overflow(page)
            found[name] = await axe_violations(page)
            await screenshot(page, f"employee-{name}-390-{scheme}")

        await page.goto(f"/challenges/{challenge['id']}")
        await page.get_by_role("button", name="Get my link").click()
        await page.get_by_test_id("tracked-url").wait_for()
        await _no_overflow(page)
        found["challenge"] = await axe_violations(page)
        await screenshot(page, f"employee-challenge-390-{scheme}")

        await page.goto(f"/challenges/{uuid.uuid4()}")
        back = page.get_by_role("link", name="Back to my challenges")
        await expect(back).to_be_visible()
        await _no_overflow(page)
        found["challenge-missing"] = await axe_violations(page)
        await screenshot(page, f"employee-challenge-missing-390-{scheme}")
        await back.click()
        await expect(page.get_by_role("heading", name="Hi, Sam")).to_be_visible()
    finally:
        await context.close()
    assert {screen: v for screen, v in found.items() if v} == {}
    assert len(found) == len(SCREENS) + 3


async def test_a_story_title_counts_to_the_apis_limit_and_optional_is_said_once(
    client, browser: Browser, base_url: str
):
    from datetime import UTC, datetime, timedelta

    admin = await signup(client, org="Acme")
    sam = await add_member(client, admin, name="Sam Member")
    for n in range(5):  # a survey asks at least five people
        await add_member(client, admin, name=f"Pat {n}")
    now = datetime.now(UTC)
    story = await client.post(
        "/api/v1/admin/challenges",
        json={
            "kind": "story",
            "title": "A customer's day got better",
            "description": "Tell us about it.",
            "points": 40,
            "startsAt": (now - timedelta(hours=1)).isoformat(),
            "endsAt": (now + timedelta(days=7)).isoformat(),
            "verification": "review",
        },
        headers=bearer(admin),
    )
    assert story.status_code == 201, story.text
    published = await client.post(
        f"/api/v1/admin/challenges/{story.json()['id']}/publish", headers=bearer(admin)
    )
    assert published.status_code == 200, published.text
    survey = await client.post(
        "/api/v1/admin/surveys",
        json={
            "title": "How is sharing going?",
            "questions": [
                {"text": "How easy is sharing?", "kind": "scale"},
                {"text": "Anything else? (optional)", "kind": "text"},
            ],
            "closesAt": (now + timedelta(days=7)).isoformat(),
        },
        headers=bearer(admin),
    )
    assert survey.status_code == 201, survey.text

    context = await _phone(browser, base_url)
    page = await context.new_page()
    try:
        await sign_in(page, sam.email)
        await page.get_by_role("link", name="A customer's day got better").click()
        editor = page.get_by_role("region", name="Your story")
        title = editor.get_by_label("Title")
        await expect(title).to_have_attribute("maxlength", "120")
        await title.fill("The pharmacy that stayed open")
        counter = page.locator("#story-title-count")
        await expect(counter).to_contain_text("29 / 120")
        assert "story-title-count" in (await title.get_attribute("aria-describedby") or "")
        await editor.get_by_role("button", name="Save draft").click()  # the story is empty
        await expect(editor.locator(".field-error")).to_have_text("Please fill in your story.")
        await _no_overflow(page)

        await page.goto("/")
        await page.get_by_role("link", name="How is sharing going?").click()
        await expect(page.get_by_text("(optional)")).to_have_count(1)
        await page.get_by_role("button", name="Send").click()  # the scale is not answered
        await expect(page.locator(".field-error")).to_have_text("Please pick a number from 1 to 5.")
        await _no_overflow(page)
        await screenshot(page, "employee-survey-error-390")
    finally:
        await context.close()


async def test_deleting_a_post_asks_first_and_cancel_keeps_it(
    client, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    pal = await add_member(client, admin, name="Pal Peer")
    given = await client.post(
        "/api/v1/kudos",
        json={"to": pal.user_id, "message": "Thanks for the demo"},
        headers=bearer(sam),
    )
    assert given.status_code == 201, given.text
    context = await _phone(browser, base_url)
    page = await context.new_page()
    try:
        await sign_in(page, sam.email)
        await page.get_by_role("link", name="Community").click()
        post = page.get_by_role("article").filter(has_text="Thanks for the demo")
        await post.get_by_role("button", name="Delete").click()
        ask = post.get_by_role("alertdialog", name="Are you sure?")
        await expect(ask).to_contain_text("cannot be brought back")
        await ask.get_by_role("button", name="Cancel").click()
        await expect(ask).to_have_count(0)
        await page.reload()
        await expect(post).to_have_count(1)  # nothing was deleted
        await post.get_by_role("button", name="Delete").click()
        await post.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
        await expect(post).to_have_count(0)
        feed = (await client.get("/api/v1/feed", headers=bearer(sam))).json()["items"]
        assert not [i for i in feed if i.get("message") == "Thanks for the demo"]
    finally:
        await context.close()
