"""Double taps in the browser make one of each: kudos, a comment, a survey answer. The button is
disabled while its request is in flight, and the request carries an Idempotency-Key, so one
user action is one request and one row."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, Request, expect

from backend.community.tables import Comment, Kudos
from backend.surveys.tables import SurveyAnswer
from tests.e2e.conftest import PHONE, sign_in
from tests.helpers import add_member, signup
from tests.test_surveys import make_survey


async def phone(browser: Browser, base_url: str) -> Page:
    context = await browser.new_context(viewport=PHONE, base_url=base_url)
    return await context.new_page()


def record_posts(page: Page, path_ending: str) -> list[Request]:
    """Every POST the page sends to a path ending so (as the network sees it)."""
    sent: list[Request] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and urlsplit(request.url).path.endswith(path_ending):
            sent.append(request)

    page.on("request", seen)
    return sent


async def keys_of(requests: list[Request]) -> list[str | None]:
    return [await r.header_value("idempotency-key") for r in requests]


async def test_double_tapping_send_makes_one_kudos_and_one_comment(
    client: Any, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    await add_member(client, admin, name="Pat Peer")
    page = await phone(browser, base_url)
    await sign_in(page, sam.email)
    await page.get_by_role("link", name="Community").click()

    kudos_posts = record_posts(page, "/api/v1/kudos")
    await page.get_by_role("button", name="Give kudos").click()
    await page.get_by_label("Who deserves them?").fill("Pat")
    await page.get_by_role("button", name="Pat Peer").click()
    await page.get_by_label("What did they do?").fill("Thanks for covering the demo")
    await page.get_by_role("button", name="Send kudos").dblclick()
    await expect(page.get_by_text("Kudos sent to Pat Peer")).to_be_visible()
    feed = page.get_by_role("list", name="Community feed")
    card = feed.get_by_role("article", name="Sam Member gave kudos to Pat Peer")
    await expect(card).to_be_visible()
    assert await Kudos.count() == 1
    assert len(kudos_posts) == 1, await keys_of(kudos_posts)
    (key,) = await keys_of(kudos_posts)
    assert key and len(key) == 36  # a UUID per action

    comment_posts = record_posts(page, "/comments")
    await card.get_by_role("button", name="Comments (0)").click()
    await card.get_by_placeholder("Write a comment").fill("Well deserved")
    await card.get_by_role("button", name="Send").dblclick()
    await expect(card).to_contain_text("Well deserved")
    await expect(card.get_by_role("button", name="Comments (1)")).to_be_visible()
    assert await Comment.count() == 1
    assert len(comment_posts) == 1, await keys_of(comment_posts)

    # a second action is a second key
    await card.get_by_placeholder("Write a comment").fill("Really")
    await card.get_by_role("button", name="Send").click()
    await expect(card.get_by_role("button", name="Comments (2)")).to_be_visible()
    keys = await keys_of(comment_posts)
    assert len(keys) == 2 and len(set(keys)) == 2 and all(keys), keys
    assert await Comment.count() == 2
    await page.context.close()


async def test_double_tapping_a_surveys_send_answers_once(
    client: Any, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    survey = await make_survey(client, admin, title="How is sharing going?")
    page = await phone(browser, base_url)
    await sign_in(page, sam.email)
    answers = record_posts(page, f"/api/v1/surveys/{survey['id']}/responses")
    await page.get_by_role("link", name="How is sharing going?").click()
    await page.get_by_text("4", exact=True).click()
    await page.get_by_role("button", name="Send (+15 points)").dblclick()
    await expect(page.get_by_text("Thank you! +15 points when the survey closes")).to_be_visible()
    assert await SurveyAnswer.count() == 1
    assert len(answers) == 1, await keys_of(answers)
    await page.context.close()
