"""Every employee screen at 360 x 780, light and dark: no serious or critical axe-core finding,
a screenshot of each, and people's own text always shown as text, never run as HTML."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, axe_violations, screenshot, sign_in
from tests.helpers import (
    PASSWORD,
    add_member,
    create_challenge,
    create_team,
    invite,
    ledger_award,
    signup,
)

HOSTILE = '<img src=x onerror="window.pwned=1">Eve'


async def _org(client: Any) -> dict[str, Any]:
    admin = await signup(client, org="Acme")
    team = await create_team(client, admin, "Platform")
    other = await create_team(client, admin, "Design")
    sam = await add_member(client, admin, team_id=team["id"], name="Sam Member")
    eve = await add_member(client, admin, team_id=other["id"], name=HOSTILE)
    peers = [await add_member(client, admin, team_id=team["id"], name=f"Pat {n}") for n in range(3)]
    for rank, who in enumerate([eve, *peers]):
        await ledger_award(
            admin.org_id,
            who.user_id,
            120 - rank * 20,
            team_id=other["id"] if who is eve else team["id"],
        )
    await ledger_award(admin.org_id, sam.user_id, 30, team_id=team["id"])
    await create_challenge(client, admin, title="Share our launch post", points=50)
    await create_challenge(client, admin, title="Our <script>alert(1)</script> story", points=20)
    return {"admin": admin, "sam": sam, "eve": eve}


SCREENS = [
    ("home", "/", "Hi, Sam"),
    ("leaderboard", "/leaderboard", "Leaderboard"),
    ("badges", "/badges", "Badges"),
    ("notifications", "/notifications", "Notifications"),
    ("profile", "/me", "Me"),
    ("rewards", "/rewards", "Rewards"),
    ("welcome", "/welcome", "How Chorus works"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_every_screen_is_accessible_and_photographed(
    client, browser: Browser, base_url: str, scheme: str
):
    org = await _org(client)
    context = await browser.new_context(
        viewport=PHONE,
        base_url=base_url,
        color_scheme=scheme,
        bypass_csp=True,  # to inject axe
    )
    page = await context.new_page()
    found: dict[str, Any] = {}
    try:
        await page.goto("/")
        await page.get_by_role("heading", name="Sign in to Chorus").wait_for()
        found["sign-in"] = await axe_violations(page)
        await screenshot(page, f"sign-in-{scheme}")

        made = await invite(client, org["admin"], f"new.{scheme}@example.com")
        await page.goto(f"/accept-invite#token={made['token']}")
        # the page names the inviting organization once it has read the invite
        await page.get_by_role("heading", name="Join Acme on Chorus").wait_for()
        await expect(page.get_by_text(f"new.{scheme}@example.com")).to_be_visible()
        found["accept-invite"] = await axe_violations(page)
        await screenshot(page, f"accept-invite-{scheme}")

        await sign_in(page, org["sam"].email)
        for name, path, heading in SCREENS:
            await page.goto(path)
            await page.get_by_role("heading", name=heading, exact=True).wait_for()
            await page.locator(".skeleton").first.wait_for(state="detached")
            found[name] = await axe_violations(page)
            await screenshot(page, f"{name}-{scheme}")

        await page.goto("/leaderboard")
        await page.get_by_role("button", name="Teams").click()
        await page.get_by_role("button", name="Per person").click()
        await expect(page.locator(".board-row").first).to_be_visible()
        found["leaderboard-teams"] = await axe_violations(page)
        await screenshot(page, f"leaderboard-teams-{scheme}")

        await page.goto("/")
        await page.get_by_role("link", name="Share our launch post").click()
        await page.get_by_role("button", name="Get my link").click()
        await page.get_by_test_id("tracked-url").wait_for()
        found["challenge"] = await axe_violations(page)
        await screenshot(page, f"challenge-{scheme}")
    finally:
        await context.close()
    assert {screen: v for screen, v in found.items() if v} == {}
    assert len(found) == 4 + len(SCREENS)  # sign-in, accept-invite, leaderboard-teams, challenge


async def test_peoples_text_is_shown_as_text_never_run(client, page: Page):
    org = await _org(client)
    await page.goto("/")
    await page.get_by_label("Work email").fill(org["eve"].email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Hi, <img")).to_be_visible()
    await expect(
        page.get_by_role("link", name="Our <script>alert(1)</script> story")
    ).to_be_visible()
    await page.get_by_role("link", name="Leaderboard").click()
    await expect(page.locator(".podium-spot.me, .board-row.me")).to_contain_text(HOSTILE)
    await page.get_by_role("link", name="Me", exact=True).click()
    await expect(page.locator(".big-name")).to_have_text(HOSTILE)
    assert await page.evaluate("window.pwned") is None
    assert await page.locator("img[src='x']").count() == 0
    assert await page.locator("script:has-text('alert(1)')").count() == 0


async def test_an_invited_employee_joins_and_lands_on_how_it_works(client, page: Page):
    admin = await signup(client, org="Acme")
    await create_challenge(client, admin, title="Your first one")
    made = await invite(client, admin, "nina.new@example.com")
    await page.goto(made["url"].replace("http://testserver", ""))
    await page.get_by_label("Your name").fill("Nina New")
    await page.get_by_label("Password (at least 10 characters)").fill("a long enough passphrase")
    await page.get_by_role("button", name="Join").click()
    await expect(page.get_by_role("heading", name="How Chorus works")).to_be_visible()
    assert "token" not in page.url  # the invite token left the address bar
    await page.get_by_role("link", name="Show me my first challenge").click()
    await expect(page.get_by_role("heading", name="Hi, Nina")).to_be_visible()
    await expect(page.get_by_role("link", name="Your first one")).to_be_visible()
