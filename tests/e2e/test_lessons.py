"""An employee reads a lesson on a phone, fails its quiz, tries again and passes: the points are
paid once (Home shows them once, a second pass adds nothing), the card reads verified, and the
admin writes a lesson in the console's editor with its live preview."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, axe_violations, screenshot, sign_in
from tests.helpers import add_member, bearer, signup
from tests.test_lessons import ANSWERS, QUIZ, create_lesson


async def choose(page: Page, answers: list[int]) -> None:
    for n, k in enumerate(answers):
        group = page.get_by_role("group", name=f"{n + 1}. {QUIZ[n]['question']}")
        await group.get_by_label(QUIZ[n]["options"][k]).check()


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_an_employee_reads_a_lesson_fails_then_passes_and_is_paid_once(
    client, worker, browser: Browser, base_url: str, scheme: str
):
    # bypass_csp: axe-core is injected as an inline script
    context = await browser.new_context(
        viewport=PHONE, base_url=base_url, color_scheme=scheme, bypass_csp=True
    )
    page = await context.new_page()
    try:
        await _read_fail_pass(client, page, scheme)
    finally:
        await context.close()


async def _read_fail_pass(client: Any, page: Page, scheme: str) -> None:
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    lesson = await create_lesson(client, admin, points=40, passMark=100)

    await sign_in(page, sam.email)
    card = page.get_by_role("link", name=lesson["title"])
    await expect(card).to_contain_text("Lesson")
    await card.click()
    await expect(page.get_by_role("heading", name=lesson["title"])).to_be_visible()
    sections = page.get_by_role("list", name="The lesson").get_by_role("listitem")
    await expect(sections).to_have_count(2)
    await expect(sections.nth(1)).to_contain_text("One detail only you know.")
    await screenshot(page, f"lesson-{scheme}")
    assert await axe_violations(page) == []
    # one thumb on a 360 px phone: nothing wider than the screen
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360

    # not every question answered: told which, nothing sent
    await page.get_by_role("button", name="Check my answers").click()
    outcome = page.get_by_role("status").filter(has_text="question 1")
    await expect(outcome).to_contain_text("Choose an answer for question 1 first.")

    await choose(page, [ANSWERS[0], ANSWERS[1], (ANSWERS[2] + 1) % 3])
    await page.get_by_role("button", name="Check my answers").click()
    result = page.locator(".quiz-result")
    await expect(result).to_have_attribute("data-passed", "false")
    await expect(page.get_by_test_id("quiz-score")).to_have_text("67%")
    await expect(result).to_contain_text("100% passes")
    await screenshot(page, f"lesson-failed-{scheme}")
    await page.get_by_role("button", name="Try again").click()
    await expect(result).to_have_count(0)

    await choose(page, ANSWERS)
    await page.get_by_role("button", name="Check my answers").click()
    await expect(result).to_have_attribute("data-passed", "true")
    await expect(page.get_by_test_id("quiz-score")).to_have_text("100%")
    await expect(result).to_contain_text("+40 points")
    await screenshot(page, f"lesson-passed-{scheme}")

    # a second pass pays nothing
    await choose(page, [ANSWERS[0], ANSWERS[1], (ANSWERS[2] + 2) % 3])
    await choose(page, ANSWERS)
    await page.get_by_role("button", name="Check my answers").click()
    await expect(result).to_contain_text("already passed this lesson")

    await page.get_by_role("link", name="Home").click()
    await expect(page.get_by_test_id("my-points")).to_have_text("40 pts")
    card = page.get_by_role("link", name=lesson["title"])
    await expect(card).to_contain_text("Verified")

    me = (await client.get("/api/v1/me", headers=bearer(sam))).json()
    assert me["points"] == 40
    mine = (await client.get(f"/api/v1/challenges/{lesson['id']}", headers=bearer(sam))).json()
    assert mine["myLesson"] == {
        "attempts": 3,
        "passed": True,
        "bestScore": 100,
        "pointsAwarded": 40,
    }


async def test_the_admin_writes_a_lesson_with_a_live_preview(client, page: Page):
    admin = await signup(client, org="Acme", name="Ann Admin")
    await page.set_viewport_size({"width": 1280, "height": 900})
    await sign_in(page, admin.email)
    await page.goto("/admin/challenges/new")
    await page.get_by_label("Kind").select_option("lesson")
    await page.get_by_label("Title").fill("Photos that work on a phone")
    section = page.get_by_test_id("section-0")
    await section.get_by_label("Heading").fill("Light first")
    await section.get_by_label("Text").fill("Face the window.")
    preview = page.get_by_role("region", name="Preview: the lesson as people see it")
    await expect(preview).to_contain_text("Light first")
    await expect(preview).to_contain_text("Face the window.")

    await page.get_by_role("button", name="Add a section").click()
    second = page.get_by_test_id("section-1")
    await second.get_by_label("Heading").fill("Step closer")
    await second.get_by_label("Text").fill("Zoom only enlarges pixels.")
    await second.get_by_role("button", name="Up (section 2)").click()
    headings = preview.get_by_role("list", name="The lesson").get_by_role("heading")
    await expect(headings).to_have_text(["1Step closer", "2Light first"])

    question = page.get_by_test_id("question-0")
    await question.get_by_label("Question", exact=True).fill("Where should the light come from?")
    await question.get_by_label("Option 1 of question 1", exact=True).fill("Behind them")
    await question.get_by_label("Option 2 of question 1", exact=True).fill("In front of them")
    await question.get_by_role("button", name="Add an option to question 1").click()
    await question.get_by_label("Option 3 of question 1", exact=True).fill("The flash")
    await question.get_by_label("Option 2 of question 1 is the right answer").check()
    await expect(preview.get_by_role("group", name="1. Where should the light")).to_contain_text(
        "The flash"
    )
    await page.get_by_label("Pass mark").fill("100")
    await screenshot(page, "console-lesson-editor")
    await page.get_by_role("button", name="Publish").click()
    await expect(page).to_have_url(re.compile(r"/admin/challenges$"), timeout=15_000)

    made = (await client.get("/api/v1/admin/challenges", headers=bearer(admin))).json()["items"]
    assert [c["title"] for c in made] == ["Photos that work on a phone"]
    edit = (
        await client.get(f"/api/v1/admin/challenges/{made[0]['id']}", headers=bearer(admin))
    ).json()
    assert edit["status"] == "active"
    assert [s["heading"] for s in edit["lesson"]["sections"]] == ["Step closer", "Light first"]
    assert edit["lesson"]["quiz"] == [
        {
            "question": "Where should the light come from?",
            "options": ["Behind them", "In front of them", "The flash"],
            "answer": 1,
        }
    ]
    assert edit["lesson"]["passMark"] == 100

    # once someone passed it, Impact shows the lesson's completion
    sam = await add_member(client, admin, name="Sam Member")
    passed = await client.post(
        f"/api/v1/challenges/{made[0]['id']}/quiz", json={"answers": [1]}, headers=bearer(sam)
    )
    assert passed.json()["passed"], passed.text
    await page.goto("/admin/analytics")
    per_lesson = page.get_by_role("region", name="Completion per lesson")
    row = per_lesson.get_by_role("row", name="Photos that work on a phone")
    await expect(row).to_contain_text("50%")  # one of the two people (the admin and Sam)
    await expect(page.get_by_role("region", name="Completion per team")).to_contain_text("1 of 2")
    await screenshot(page, "console-lesson-analytics")
