"""The console at company scale, in the browser: an admin finds one person among 2,000 and
makes them a team's lead (who then sees the team's dashboard), approves 20 shares at once,
closes a survey, and archives a challenge only after confirming. Every console screen is
photographed at 1440x900 (light and dark) and 390x844, with no horizontal overflow and nothing
serious for axe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from playwright.async_api import Browser, Page, ViewportSize, expect

from backend.orgs.tables import Team
from tests.e2e.conftest import axe_violations, screenshot, sign_in
from tests.helpers import (
    Account,
    add_member,
    bearer,
    create_challenge,
    create_team,
    run_worker_burst,
    signup,
)

DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


async def sql(query: str, *args: Any) -> list[dict[str, Any]]:
    return await Team.raw(query, *args)  # type: ignore[no-any-return]


async def add_people(org_id: str, count: int, team_id: str | None = None) -> None:
    """`count` active employees straight into the table (the API would take minutes for
    thousands); they cannot sign in, which the console does not need."""
    await sql(
        "INSERT INTO app_user (id, org, email, display_name, password_hash, role, team, active,"
        " timezone, hide_from_leaderboards, created_at, email_digest)"
        " SELECT gen_random_uuid(), {}::uuid, 'person' || lpad(n::text, 5, '0') || '@example.com',"
        " 'Person ' || lpad(n::text, 5, '0'), 'not-a-password-hash', 'employee', {}::uuid, true,"
        " 'UTC', false, now(), false FROM generate_series(1, {}) AS n",
        org_id,
        team_id,
        count,
    )


async def console_page(
    browser: Browser,
    base_url: str,
    viewport: ViewportSize = DESKTOP,
    scheme: Literal["light", "dark"] = "light",
) -> Page:
    context = await browser.new_context(
        viewport=viewport, base_url=base_url, bypass_csp=True, color_scheme=scheme
    )
    return await context.new_page()


async def no_overflow(page: Page) -> None:
    width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url}: {width[0]} px wide in a {width[1]} px window"


async def check(page: Page, name: str) -> None:
    """No overflow, nothing serious for axe, and a screenshot."""
    await no_overflow(page)
    assert await axe_violations(page) == [], page.url
    await screenshot(page, name)


async def test_an_admin_finds_one_person_among_2000_and_makes_them_a_lead(
    client, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme")
    team = await create_team(client, admin, "Platform")
    await add_people(admin.org_id, 2000, team["id"])
    zoe = await add_member(client, admin, team_id=team["id"], name="Zoë Quartermaine")
    page = await console_page(browser, base_url)
    await sign_in(page, admin.email)
    await page.get_by_role("link", name="Admin", exact=True).click()
    await page.get_by_role("navigation", name="Console").get_by_role("link", name="People").click()
    table = page.get_by_role("table", name="People")
    await expect(table.locator("tbody tr")).to_have_count(50)  # one page of 2,001
    await expect(page.get_by_role("button", name="Load more")).to_be_visible()
    await page.get_by_label("Search by name or email").fill("quarter")
    await expect(table.locator("tbody tr")).to_have_count(1)
    row = table.locator("tbody tr", has_text="Zoë Quartermaine")
    await check(page, "console-people-search-desktop")
    await row.get_by_role("button", name="Make lead of Platform: Zoë Quartermaine").click()
    await expect(page.get_by_text("Zoë Quartermaine now leads Platform.")).to_be_visible()
    await expect(row).to_contain_text("Leads Platform")
    teams = (await client.get("/api/v1/teams", headers=bearer(admin))).json()["items"]
    assert [t["leadUserIds"] for t in teams] == [[zoe.user_id]]
    await page.context.close()

    lead = await console_page(browser, base_url, PHONE)
    await sign_in(lead, zoe.email)
    await lead.get_by_role("link", name="Team", exact=True).click()
    await expect(lead.get_by_role("heading", name="Platform")).to_be_visible()
    await expect(lead.locator(".chart canvas")).to_have_count(1)
    await lead.context.close()


async def test_an_admin_approves_20_shares_at_once(
    client, network, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme")
    challenge = await create_challenge(client, admin, title="Launch day", verification="review")
    submitted = []
    for n in range(20):
        member = await add_member(client, admin, name=f"Sharer {n:02d}")
        resp = await client.post(
            f"/api/v1/challenges/{challenge['id']}/submissions",
            json={
                "network": "linkedin",
                "postUrl": f"https://www.linkedin.com/feed/update/urn:li:activity:{7000 + n}",
            },
            headers=bearer(member),
        )
        assert resp.status_code == 202, resp.text
        submitted.append(resp.json()["id"])
    await run_worker_burst()
    page = await console_page(browser, base_url)
    await sign_in(page, admin.email)
    await page.goto("/admin/review")
    await expect(page.get_by_role("article")).to_have_count(20)
    await page.get_by_label("Select all 20 shown").check()
    bar = page.get_by_role("region", name="Decide the selected shares")
    await expect(bar).to_contain_text("20 selected")
    await bar.get_by_label("Note to each of them (optional)").fill("Great shares, thank you!")
    await check(page, "console-review-bulk-desktop")
    await bar.get_by_role("button", name="Approve 20").click()
    await expect(page.get_by_text("Approved 20 shares.")).to_be_visible()
    await expect(page.locator(".result-ok", has_text="Approved")).to_have_count(20)
    rows = await sql(
        "SELECT status, count(*) AS n FROM submission WHERE challenge = {}::uuid GROUP BY status",
        challenge["id"],
    )
    assert [(r["status"], r["n"]) for r in rows] == [("verified", 20)]
    await page.get_by_role("button", name="Refresh the queue").click()
    await expect(page.get_by_text("Nothing to review")).to_be_visible()
    await page.context.close()


async def test_an_admin_closes_a_survey(client, browser: Browser, base_url: str):
    admin = await signup(client, org="Acme")
    await add_people(admin.org_id, 6)
    resp = await client.post(
        "/api/v1/admin/surveys",
        json={
            "title": "How is sharing going?",
            "questions": [{"text": "Sharing feels natural", "kind": "scale"}],
            "closesAt": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
            "points": 5,
        },
        headers=bearer(admin),
    )
    assert resp.status_code == 201, resp.text
    page = await console_page(browser, base_url)
    await sign_in(page, admin.email)
    await page.goto("/admin/surveys")
    row = page.locator(".survey-row", has_text="How is sharing going?")
    await row.get_by_role("button", name="Close How is sharing going?").click()
    dialog = page.get_by_role("dialog", name="Close “How is sharing going?” now?")
    await expect(dialog).to_be_visible()
    await check(page, "console-survey-close-dialog-desktop")
    await dialog.get_by_role("button", name="Close survey").click()
    await expect(page.get_by_text("Survey closed.")).to_be_visible()
    await expect(row).to_contain_text("Closed")
    await expect(row.get_by_role("button", name="Close How is sharing going?")).to_have_count(0)
    status = (await client.get("/api/v1/admin/surveys", headers=bearer(admin))).json()
    assert [s["status"] for s in status] == ["closed"]
    await page.context.close()


async def test_an_admin_archives_a_challenge_only_after_confirming(
    client, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme")
    challenge = await create_challenge(client, admin, title="Old news")

    async def status() -> str:
        resp = await client.get(
            f"/api/v1/admin/challenges/{challenge['id']}", headers=bearer(admin)
        )
        return resp.json()["status"]  # type: ignore[no-any-return]

    page = await console_page(browser, base_url)
    await sign_in(page, admin.email)
    await page.goto("/admin/challenges")
    row = page.get_by_role("row").filter(has_text="Old news")
    await expect(row).to_contain_text("Active")
    archive = row.get_by_role("button", name="Archive Old news")
    dialog = page.get_by_role("dialog", name="Archive “Old news”?")

    await archive.click()
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(dialog).to_have_count(0)
    assert await status() == "active"

    await archive.click()
    await expect(dialog).to_be_visible()
    await page.keyboard.press("Escape")  # Escape cancels too
    await expect(dialog).to_have_count(0)
    await expect(archive).to_be_focused()  # focus returns where it was
    assert await status() == "active"

    await archive.click()
    await dialog.get_by_role("button", name="Archive", exact=True).click()
    await expect(page.get_by_text("“Old news” archived.")).to_be_visible()
    await expect(row).to_contain_text("Archived")
    assert await status() == "archived"
    await page.context.close()


async def seed_console(client, admin: Account) -> dict[str, str]:
    """An organization with something on every console screen."""
    lead = await add_member(client, admin, name="Lee Lead")
    team = await create_team(client, admin, "Platform", lead_user_id=lead.user_id)
    await create_team(client, admin, "Sales")
    await add_people(admin.org_id, 30, team["id"])
    challenge = await create_challenge(client, admin, title="Our new office opens")
    await create_challenge(client, admin, title="A draft for later", publish=False)
    await client.post(
        "/api/v1/admin/invites", json={"email": "new@example.com"}, headers=bearer(admin)
    )
    await client.post(
        "/api/v1/admin/surveys",
        json={
            "title": "How is sharing going?",
            "questions": [{"text": "Sharing feels natural", "kind": "scale"}],
            "closesAt": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
        },
        headers=bearer(admin),
    )
    return {"team": team["id"], "challenge": challenge["id"]}


async def test_every_console_screen_fits_desktop_and_phone_light_and_dark(
    client, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme")
    ids = await seed_console(client, admin)
    screens = {
        "home": ("/admin", "Needs you now"),
        "people": ("/admin/people", "People"),
        "teams": ("/admin/teams", "Teams"),
        "team-editor": (f"/admin/teams/{ids['team']}", "Leads"),
        "invites": ("/admin/invites", "Waiting to join"),
        "review": ("/admin/review", "Review queue"),
        "challenges": ("/admin/challenges", "Challenges"),
        "challenge-editor": (f"/admin/challenges/{ids['challenge']}", "Edit challenge"),
        "challenge-results": (f"/admin/challenges/{ids['challenge']}/results", "Clicks"),
        "surveys": ("/admin/surveys", "Pulse surveys"),
        "impact": ("/admin/analytics", "Impact"),
        "community": ("/admin/community", "Community"),
        "narrative": ("/admin/pillars", "Narrative"),
        "badges": ("/admin/badges", "Badges"),
        "team-dashboard": (f"/team/{ids['team']}", "Platform"),
    }
    schemes: tuple[Literal["light", "dark"], ...] = ("light", "dark")
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        for scheme in schemes:
            page = await console_page(browser, base_url, viewport, scheme)
            await sign_in(page, admin.email)
            for name, (path, heading) in screens.items():
                await page.goto(path)
                await expect(
                    page.get_by_role("heading", name=heading, exact=True).first
                ).to_be_visible()
                await page.wait_for_load_state("networkidle")
                if size == "desktop":
                    await expect(page.get_by_role("navigation", name="Console")).to_be_visible()
                    await expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
                else:
                    await expect(page.get_by_role("navigation", name="Console")).to_be_hidden()
                await check(page, f"console-{name}-{size}-{scheme}")
            await page.context.close()
