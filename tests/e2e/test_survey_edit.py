"""An admin edits a survey in the console: before anyone answered, anything (the new title is
what employees see); after one answer, only its end, and only later, with the reason shown."""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.async_api import Browser, expect

from tests.e2e.conftest import axe_violations, screenshot, sign_in
from tests.e2e.test_console_scale import console_page
from tests.helpers import add_member, bearer, signup
from tests.test_surveys import answer, make_survey

TITLE = "How is sharing going?"
RENAMED = "How is sharing going, honestly?"


async def test_an_admin_edits_a_survey_before_answers_then_only_extends_it(
    client, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme")
    sam = await add_member(client, admin, name="Sam Member")
    survey = await make_survey(client, admin, title=TITLE)
    page = await console_page(browser, base_url)
    await sign_in(page, admin.email)
    await page.goto("/admin/surveys")

    # Nobody answered: the same form as creation, prefilled, and every field can change.
    row = page.locator(".survey-row", has_text=TITLE)
    await row.get_by_role("button", name=f"Edit {TITLE}").click()
    form = page.get_by_role("form", name=f"Edit {TITLE}")
    await expect(form.get_by_label("Title")).to_have_value(TITLE)
    await expect(form.get_by_role("textbox", name="Question 1")).to_have_value(
        "Sharing our news feels natural"
    )
    await expect(form.get_by_label("Title")).to_be_enabled()
    await form.get_by_label("Title").fill("")
    await form.get_by_role("button", name="Save survey").click()
    await expect(form.get_by_text("Please fill in a title.")).to_be_visible()  # beside the field
    await form.get_by_label("Title").fill(RENAMED)
    await form.get_by_role("button", name="Save survey").click()
    await expect(page.get_by_text("Survey saved.")).to_be_visible()
    await expect(page.locator(".survey-row", has_text=RENAMED)).to_be_visible()
    await expect(page.get_by_role("heading", name="New survey")).to_be_visible()
    assert await axe_violations(page) == []

    other = await console_page(browser, base_url)
    await sign_in(other, sam.email)
    await expect(other.get_by_role("link", name=RENAMED)).to_be_visible()
    await other.context.close()

    # One answer in: only the end can move, later, and the form says why.
    assert (await answer(client, survey, sam, {"q1": 4})).status_code == 201
    await page.goto(f"/admin/surveys/{survey['id']}")
    await page.get_by_role("button", name="Edit survey").click()
    form = page.get_by_role("form", name=f"Edit {RENAMED}")
    await expect(form.get_by_text("People have already answered this survey")).to_be_visible()
    await expect(form.get_by_label("Title")).to_be_disabled()
    await expect(form.get_by_role("textbox", name="Question 1")).to_be_disabled()
    await expect(form.get_by_label("Points for answering")).to_be_disabled()
    closes = form.get_by_label("Closes")
    await expect(closes).to_be_enabled()
    shown = datetime.fromisoformat(await closes.input_value())
    await closes.fill((shown - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    await form.get_by_role("button", name="Save survey").click()
    await expect(form.get_by_text("the end can only move later")).to_be_visible()
    await screenshot(page, "console-survey-edit-answered")
    await closes.fill((shown + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    await form.get_by_role("button", name="Save survey").click()
    await expect(page.get_by_text("Survey saved.")).to_be_visible()
    await expect(form).to_have_count(0)
    assert await axe_violations(page) == []
    await page.context.close()

    after = (
        await client.get(f"/api/v1/admin/surveys/{survey['id']}", headers=bearer(admin))
    ).json()
    assert after["title"] == RENAMED and after["hasAnswers"] is True
    moved = datetime.fromisoformat(after["closesAt"]) - datetime.fromisoformat(survey["closesAt"])
    assert timedelta(days=2, hours=23) < moved < timedelta(days=3, minutes=1)
    assert [q["text"] for q in after["questions"]] == [q["text"] for q in survey["questions"]]
