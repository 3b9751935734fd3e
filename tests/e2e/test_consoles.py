"""The consoles in the browser: a team lead reads the dashboard and nudges kindly; an admin
writes and publishes a challenge with a live preview, clears the review queue, invites people
from a CSV file, reads the impact figures and runs a pulse survey that an employee answers."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Browser, Page, expect

from backend.surveys.tables import Survey
from tests.e2e.conftest import PHONE, axe_violations, screenshot, sign_in
from tests.helpers import (
    add_member,
    bearer,
    create_challenge,
    create_team,
    run_worker_burst,
    signup,
)


async def sql(query: str, *args: Any) -> list[dict[str, Any]]:
    return await Survey.raw(query, *args)  # type: ignore[no-any-return]


async def admin_page(browser: Browser, base_url: str) -> Page:
    context = await browser.new_context(viewport=PHONE, base_url=base_url, bypass_csp=True)
    return await context.new_page()


async def open_admin(page: Page, section: str) -> None:
    await page.get_by_role("link", name="Admin", exact=True).click()
    await page.get_by_role("link", name=re.compile(f"^{section}")).click()


async def test_a_lead_reads_the_dashboard_and_nudges_quiet_members(
    client, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme")
    lead = await add_member(client, admin, name="Lee Lead")
    team = await create_team(client, admin, "Platform", lead_user_id=lead.user_id)
    quiet = await add_member(client, admin, team_id=team["id"], name="Quinn Quiet")
    # a newcomer is not "quiet" in their first days: Quinn joined a month ago
    await sql(
        "UPDATE app_user SET created_at = now() - interval '30 days' WHERE id = {}::uuid",
        quiet.user_id,
    )
    page = await admin_page(browser, base_url)
    await sign_in(page, lead.email)
    await page.get_by_role("link", name="Team", exact=True).click()
    await expect(page.get_by_role("heading", name="Platform")).to_be_visible()
    await expect(page.locator(".board-row", has_text="Quinn Quiet")).to_contain_text(
        "no activity yet"
    )
    await expect(page.locator(".chart canvas")).to_have_count(1)  # drawn by uPlot
    assert await axe_violations(page) == []
    await screenshot(page, "team-dashboard")
    await page.get_by_role("button", name="Nudge 1 quiet member").click()
    await expect(page.get_by_text("Sent a friendly nudge to 1 person.")).to_be_visible()
    await expect(page.locator(".board-row", has_text="Quinn Quiet")).to_contain_text(
        "nudged this week"
    )
    inbox = (await client.get("/api/v1/notifications", headers=bearer(quiet))).json()["items"]
    assert [n["category"] for n in inbox] == ["nudge"]
    await page.context.close()


async def test_an_admin_writes_and_publishes_a_challenge_with_a_live_preview(
    client, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    employee = await add_member(client, admin)
    page = await admin_page(browser, base_url)
    await sign_in(page, admin.email)
    await open_admin(page, "Challenges")
    await page.get_by_role("link", name="New challenge").click()
    await page.get_by_label("Title").fill("Our new office opens")
    await page.get_by_label("What to share (URL of the news)").fill(
        "https://example.com/news/office"
    )
    await page.get_by_label("Suggested text for X").fill("Come and see us!")
    # "Come and see us!" + the link (23) + " " separators: 16 + 1 + 23 = 40
    await expect(page.get_by_test_id("count-x")).to_contain_text("40 / 280")
    await page.get_by_label("Suggested text for X").fill("x" * 300)
    await expect(page.get_by_test_id("count-x")).to_have_class("over")
    await page.get_by_label("Suggested text for X").fill("Come and see us!")
    preview = page.get_by_role("region", name="Preview on X")  # the network being written
    await expect(preview).to_contain_text("Come and see us! https://chorus.example/s/")
    assert await axe_violations(page) == []
    await screenshot(page, "admin-challenge-editor")
    await page.get_by_role("button", name="Publish").click()
    await expect(page.get_by_role("heading", name="Challenges")).to_be_visible()
    await expect(page.get_by_role("row").filter(has_text="Our new office opens")).to_contain_text(
        "Active"
    )
    listed = (await client.get("/api/v1/challenges", headers=bearer(employee))).json()["items"]
    assert [(c["title"], c["shareText"]["x"]) for c in listed] == [
        ("Our new office opens", "Come and see us!")
    ]
    await page.context.close()


async def test_an_admin_clears_the_review_queue(client, network, browser: Browser, base_url: str):
    admin = await signup(client, org="Acme")
    employee = await add_member(client, admin, name="Rita Review")
    challenge = await create_challenge(client, admin, title="Tell the story", verification="review")
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={
            "network": "linkedin",
            "postUrl": "https://www.linkedin.com/feed/update/urn:li:activity:123",
        },
        headers=bearer(employee),
    )
    assert resp.status_code == 202, resp.text
    await run_worker_burst()
    page = await admin_page(browser, base_url)
    await sign_in(page, admin.email)
    await open_admin(page, "Review queue")
    card = page.get_by_role("article", name="Rita Review: Tell the story")
    await expect(card).to_be_visible()
    assert await axe_violations(page) == []
    await screenshot(page, "admin-review-queue")
    await card.get_by_label("Note to Rita Review (optional)").fill("Lovely post!")
    await card.get_by_role("button", name="Approve").click()
    await expect(page.get_by_text("Nothing to review")).to_be_visible()
    mine = (
        await client.get(f"/api/v1/submissions/{resp.json()['id']}", headers=bearer(employee))
    ).json()
    assert (mine["status"], mine["pointsAwarded"]) == ("verified", 50)
    await page.context.close()


async def test_an_admin_invites_people_from_a_csv_file(client, browser: Browser, base_url: str):
    admin = await signup(client, org="Acme")
    await create_team(client, admin, "Sales")
    page = await admin_page(browser, base_url)
    await sign_in(page, admin.email)
    await open_admin(page, "Invites")
    upload = page.get_by_label("CSV file")
    bad = b"email,team\nok@example.com,Sales\nnot-an-email,\n"
    await upload.set_input_files(files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}])
    await expect(page.get_by_role("table")).to_contain_text("not an email address")
    good = b"email,role,team\nana@example.com,employee,Sales\nbo@example.com,lead,\n"
    await upload.set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": good}]
    )
    await expect(page.get_by_text("people.csv: 2 ready to invite.")).to_be_visible()
    await page.get_by_role("button", name="Invite 2 people").click()
    await expect(page.get_by_role("button", name="Download the 2 invite links")).to_be_visible()
    assert await axe_violations(page) == []
    await screenshot(page, "admin-people")
    rows = await sql("SELECT email FROM invite WHERE accepted_at IS NULL ORDER BY email")
    assert [r["email"] for r in rows] == ["ana@example.com", "bo@example.com"]
    await page.context.close()


async def test_an_admin_reads_the_impact_and_runs_a_survey(client, browser: Browser, base_url: str):
    admin = await signup(client, org="Acme")
    employee = await add_member(client, admin, name="Sam Member")
    for n in range(3):  # a survey asks at least five people
        await add_member(client, admin, name=f"Colleague {n}")
    await create_challenge(client, admin, title="Launch week")
    page = await admin_page(browser, base_url)
    await sign_in(page, admin.email)
    await open_admin(page, "Impact")
    await expect(page.get_by_role("table", name="Per challenge")).to_contain_text("Launch week")
    await page.get_by_label("Label").fill("Brand launch post")
    await page.get_by_label("Where it leads (URL)").fill("https://example.com/brand")
    await page.get_by_role("button", name="Create official link").click()
    await expect(page.locator(".board-row", has_text="Brand launch post")).to_contain_text("/s/")
    # the fair-play panel: nothing set aside yet in this organization
    await expect(page.get_by_role("heading", name="Fair play")).to_be_visible()
    await expect(page.get_by_text("Nothing unusual in this range.")).to_be_visible()
    assert await axe_violations(page) == []
    await screenshot(page, "admin-impact")
    csv_link = await page.get_by_role("link", name="Download as CSV").get_attribute("href")
    assert csv_link and csv_link.startswith("/api/v1/admin/analytics/export.csv?from=")

    await page.get_by_role("link", name="Admin", exact=True).click()
    await page.get_by_role("link", name=re.compile("^Pulse surveys")).click()
    await page.get_by_label("Title").fill("How is sharing going?")
    await page.get_by_role("textbox", name="Question 1").fill("Sharing feels natural")
    await page.get_by_role("button", name="Add a question").click()
    await page.get_by_role("textbox", name="Question 2").fill("What would help?")
    await page.locator(".question-row").nth(1).get_by_label("Answer").select_option("text")
    await page.get_by_role("button", name="Send survey").click()
    row = page.locator(".board-row", has_text="How is sharing going?")
    await expect(row).to_contain_text("5 invited · results after it closes")
    assert await axe_violations(page) == []

    other = await admin_page(browser, base_url)
    await sign_in(other, employee.email)
    await other.get_by_role("link", name="How is sharing going?").click()
    await other.get_by_text("4", exact=True).click()
    await other.get_by_label("What would help? (optional)").fill("Shorter texts")
    assert await axe_violations(other) == []
    await screenshot(other, "survey")
    await expect(other.get_by_text("Your 10 points arrive when it closes")).to_be_visible()
    await other.get_by_role("button", name="Send (+10 points)").click()
    await expect(other.get_by_text("Thank you! +10 points when the survey closes")).to_be_visible()
    await other.context.close()
    assert (await client.get("/api/v1/me", headers=bearer(employee))).json()["points"] == 0

    # While it runs the admin sees who was asked, never how many answered; then closes it.
    await row.get_by_role("link", name="How is sharing going?").click()
    await expect(page.get_by_text("5 invited · results after it closes")).to_be_visible()
    await screenshot(page, "survey-running")
    await page.get_by_role("button", name="Close now").click()
    await page.get_by_role("dialog").get_by_role("button", name="Close survey").click()
    await expect(
        page.get_by_text("Fewer than 5 answers: results are hidden to keep answers anonymous.")
    ).to_be_visible()
    await expect(page.get_by_role("button", name="Close now")).to_have_count(0)
    assert await axe_violations(page) == []
    await screenshot(page, "survey-closed")
    await page.context.close()
    assert (await client.get("/api/v1/me", headers=bearer(employee))).json()["points"] == 10


async def test_employees_never_see_the_consoles(client, page: Page):
    admin = await signup(client, org="Acme")
    employee = await add_member(client, admin)
    await sign_in(page, employee.email)
    await expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    await expect(page.get_by_role("link", name="Team", exact=True)).to_have_count(0)
    await page.goto("/admin/analytics")
    await expect(page.get_by_role("heading", name="Nothing here")).to_be_visible()
