"""Rewards in the browser (issue 21): an employee with earned points opens Rewards from Me,
redeems a reward after a confirmation, and sees the balance fall while the leaderboard keeps
their score and rank (spending 500 of 1,200 would drop them below a colleague with 900 if it
counted); the admin fulfils the redemption in the console with a note (the voucher code); the
employee then finds the note under My rewards. Screens photographed at 360 x 780 light and dark,
no serious axe-core finding, no horizontal overflow."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import (
    PHONE,
    axe_violations,
    screenshot,
    sign_in,
    wait_for_service_worker,
)
from tests.e2e.test_console_scale import console_page
from tests.helpers import add_member, bearer, ledger_award, signup

VOUCHER = "Voucher BOOK-7Q2X — redeem at any Bookshop till"


async def _phone(browser: Browser, base_url: str, scheme: str = "light") -> Page:
    context = await browser.new_context(
        viewport=PHONE, base_url=base_url, color_scheme=scheme, bypass_csp=True
    )
    return await context.new_page()


async def _no_overflow(page: Page) -> None:
    width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url}: {width[0]} px wide in a {width[1]} px window"


async def _reward(client: Any, admin: Any, **body: Any) -> dict[str, Any]:
    resp = await client.post("/api/v1/admin/rewards", json=body, headers=bearer(admin))
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def test_an_employee_redeems_a_reward_the_admin_fulfils_it_with_a_note(
    client, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    pia = await add_member(client, admin, name="Pia Park")
    await ledger_award(admin.org_id, sam.user_id, 1200, reason="share_verified")
    await ledger_award(admin.org_id, pia.user_id, 900, reason="share_verified")
    await _reward(
        client,
        admin,
        name="Bookshop voucher",
        description="A 25 € voucher for any book you like.",
        cost=500,
        stock=3,
        perPersonLimit=1,
        valueCents=2500,
    )
    await _reward(client, admin, name="Team lunch", cost=5000)  # more than anyone has

    page = await _phone(browser, base_url)
    await sign_in(page, sam.email)

    # The board before: Sam first of two, with every point earned.
    await page.goto("/leaderboard")
    my_rank = page.get_by_test_id("my-rank")
    await expect(my_rank).to_contain_text("#1")
    await expect(my_rank).to_contain_text("1,200")
    board_before = await my_rank.inner_text()

    # Me → Rewards: the balance, the catalogue, what is out of reach and why.
    await page.get_by_role("link", name="Me", exact=True).click()
    await page.get_by_role("link", name="Rewards").click()
    await expect(page.get_by_role("heading", name="Rewards", level=1)).to_be_visible()
    balance = page.get_by_test_id("balance")
    await expect(balance).to_contain_text("1,200")
    await expect(page.get_by_text("spending never lowers your rank").first).to_be_visible()
    lunch = page.get_by_test_id("reward").filter(has_text="Team lunch")
    await expect(lunch.get_by_role("button")).to_be_disabled()
    await expect(lunch).to_contain_text("You need 3,800 points more.")
    books = page.get_by_test_id("reward").filter(has_text="Bookshop voucher")
    await expect(books).to_contain_text("3 left")
    await _no_overflow(page)
    assert await axe_violations(page) == []
    await screenshot(page, "rewards-light")

    # Redeem: a confirmation at the bottom, then the moment, the balance down by the cost.
    await books.get_by_role("button", name="Redeem for 500 points").click()
    sheet = page.get_by_role("dialog", name="Redeem Bookshop voucher?")
    await expect(sheet).to_contain_text("700 points stay to spend")
    await page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")
    await screenshot(page, "rewards-confirm")
    await sheet.get_by_role("button", name="Yes, redeem").click()
    await expect(sheet).to_have_count(0)
    await expect(page.get_by_test_id("redeem-done")).to_contain_text("Bookshop voucher")
    await expect(balance).to_contain_text("700")
    await expect(books).to_contain_text("2 left")
    await expect(books).to_contain_text("You already have this one")
    await expect(books.get_by_role("button")).to_be_disabled()
    mine = page.get_by_test_id("my-reward").filter(has_text="Bookshop voucher")
    await expect(mine).to_contain_text("Requested")
    assert await axe_violations(page) == []
    await page.evaluate("window.scrollTo(0, 0)")
    await page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")
    await screenshot(page, "rewards-redeemed")

    # The board after: the same rank and the same score.
    await page.goto("/leaderboard")
    await expect(my_rank).to_contain_text("#1")
    assert await my_rank.inner_text() == board_before
    me = (await client.get("/api/v1/me", headers=bearer(sam))).json()
    assert (me["points"], me["balance"]) == (1200, 700)

    # The admin hands it over with the voucher code.
    console = await console_page(browser, base_url)
    await sign_in(console, admin.email)
    await console.goto("/admin")
    waiting = console.locator('a.count-link[href="/admin/redemptions"]')
    await expect(waiting.locator(".big-number")).to_have_text("1")
    await waiting.click()
    await expect(console.get_by_role("heading", name="Redemptions")).to_be_visible()
    card = console.get_by_role("article", name="Bookshop voucher for Sam Member")
    await card.get_by_label("Note for Sam Member").fill(VOUCHER)
    await screenshot(console, "console-redemptions")
    await card.get_by_role("button", name="Fulfil").click()
    await expect(console.get_by_text("Fulfilled: Bookshop voucher for Sam Member.")).to_be_visible()
    await expect(card).to_contain_text(VOUCHER)
    await expect(card.get_by_role("button", name="Fulfil")).to_have_count(0)
    assert await axe_violations(console) == []
    await console.get_by_role("link", name="Rewards", exact=True).first.click()
    await expect(console.get_by_role("heading", name="Budget")).to_be_visible()
    await expect(console.locator(".reward-row", has_text="Bookshop voucher")).to_contain_text(
        "2 of 3"
    )
    await screenshot(console, "console-rewards")
    await console.context.close()

    # The employee finds the note under My rewards.
    await page.goto("/rewards")
    await expect(mine).to_contain_text("Fulfilled")
    await expect(mine).to_contain_text(VOUCHER)
    await expect(balance).to_contain_text("700")
    await _no_overflow(page)
    await mine.scroll_into_view_if_needed()
    await screenshot(page, "rewards-fulfilled-light")
    await page.context.close()

    dark = await _phone(browser, base_url, "dark")
    await sign_in(dark, sam.email)
    await dark.goto("/rewards")
    await expect(dark.get_by_test_id("my-reward")).to_contain_text(VOUCHER)
    assert await axe_violations(dark) == []
    await screenshot(dark, "rewards-dark")
    await dark.get_by_test_id("my-reward").scroll_into_view_if_needed()
    await screenshot(dark, "rewards-fulfilled-dark")
    await dark.context.close()


async def test_an_admin_keeps_the_catalogue_and_draws_a_raffle_anyone_can_check(
    client, browser: Browser, base_url: str
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    pia = await add_member(client, admin, name="Pia Park")
    earned = datetime.now(UTC) - timedelta(days=3)
    await ledger_award(admin.org_id, sam.user_id, 600, at=earned, reason="share_verified")
    await ledger_award(admin.org_id, pia.user_id, 300, at=earned, reason="share_verified")
    page = await console_page(browser, base_url)
    await sign_in(page, admin.email)

    # A new reward: the form's errors beside their fields, then the row in the catalogue.
    await page.goto("/admin/rewards")
    form = page.get_by_role("form", name="New reward")
    await form.get_by_label("Cost in points").fill("0")
    await form.get_by_role("button", name="Add reward").click()
    await expect(form.get_by_text("Please fill in a name.")).to_be_visible()
    await expect(form.get_by_text("The cost must be a whole number of at least 1.")).to_be_visible()
    await expect(form.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    await form.get_by_label("Name").fill("A day off")
    await form.get_by_label("Cost in points").fill("2000")
    await form.get_by_label("Stock in all").fill("5")
    await form.get_by_label("Value of one").fill("150")
    await form.get_by_role("button", name="Add reward").click()
    row = page.locator(".reward-row", has_text="A day off")
    await expect(row).to_contain_text("5 of 5")
    await expect(row).to_contain_text("150.00")
    assert await axe_violations(page) == []

    # Retire, after a confirmation: it leaves the employees' catalogue.
    await row.get_by_role("button", name="Retire A day off").click()
    confirm = page.get_by_role("dialog", name="Retire “A day off”?")
    await confirm.get_by_role("button", name="Retire reward").click()
    await expect(row).to_contain_text("retired")
    await expect(row.get_by_role("button", name="Bring back A day off")).to_be_visible()
    catalogue = (await client.get("/api/v1/rewards", headers=bearer(sam))).json()
    assert [r["name"] for r in catalogue["items"] if r["active"]] == []

    # A raffle over the last days: its seed hash is public from the start.
    await page.goto("/admin/raffles")
    form = page.get_by_role("form", name="New raffle")
    today = datetime.now().date()
    await form.get_by_label("Name").fill("Autumn raffle")
    await form.get_by_label("Points earned from").fill(str(today - timedelta(days=5)))
    await form.get_by_label("to (the whole day)").fill(str(today - timedelta(days=2)))
    await form.get_by_label("Winners").fill("1")
    await form.get_by_label("One ticket per").fill("100")
    await form.get_by_label("At most").fill("3")
    await form.get_by_role("button", name="Create raffle").click()
    card = page.get_by_role("article", name="Autumn raffle")
    await expect(card).to_contain_text("Open")
    seed_hash = (await card.locator("code.hash").first.inner_text()).strip()
    assert len(seed_hash) == 64

    # The draw: the seed revealed matches the hash, and the ticket list is capped per person.
    await card.get_by_role("button", name="Draw winners of Autumn raffle").click()
    await page.get_by_role("dialog").get_by_role("button", name="Draw winners").click()
    await expect(card).to_contain_text("Drawn")
    winners = card.get_by_role("list", name="Winners of Autumn raffle")
    await expect(winners.get_by_role("listitem")).to_have_count(1)
    seed = (await card.locator("code.hash").nth(1).inner_text()).strip()
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == seed_hash
    await card.get_by_text("Ticket list: 2 people, 6 tickets").click()
    await expect(card.get_by_role("table")).to_contain_text("Sam Member")
    await _no_overflow(page)
    assert await axe_violations(page) == []
    await screenshot(page, "console-raffles")
    raffles = (await client.get("/api/v1/admin/raffles", headers=bearer(admin))).json()
    drawn = raffles["items"][0]
    assert drawn["seed"] == seed and drawn["seedSha256"] == seed_hash
    assert {e["name"]: e["tickets"] for e in drawn["entries"]} == {"Sam Member": 3, "Pia Park": 3}
    await page.context.close()


async def test_offline_the_catalogue_stays_and_redeeming_waits_for_the_network(
    client, context: BrowserContext, page: Page
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    olive = await add_member(client, admin, name="Olive Offline")
    await ledger_award(admin.org_id, olive.user_id, 800, reason="share_verified")
    await _reward(client, admin, name="Cinema tickets", cost=500, stock=10)
    await _reward(client, admin, name="Coffee on us", cost=100)
    await sign_in(page, olive.email)
    await wait_for_service_worker(page)
    await page.goto("/rewards")  # through the service worker: the answers get cached
    card = page.get_by_test_id("reward").filter(has_text="Cinema tickets")
    await expect(card.get_by_role("button")).to_be_enabled()

    # A confirmation sent while the network is gone: nothing spent, the sheet stays to retry.
    await card.get_by_role("button").click()
    sheet = page.get_by_role("dialog", name="Redeem Cinema tickets?")
    await context.set_offline(True)
    await sheet.get_by_role("button", name="Yes, redeem").click()
    await expect(sheet.get_by_role("alert")).to_contain_text("You're offline — nothing was spent")
    await context.set_offline(False)
    await sheet.get_by_role("button", name="Try again").click()
    await expect(page.get_by_test_id("redeem-done")).to_contain_text("Cinema tickets")
    await expect(page.get_by_test_id("balance")).to_contain_text("300")
    mine = (await client.get("/api/v1/me/redemptions", headers=bearer(olive))).json()
    assert [r["rewardName"] for r in mine["items"]] == ["Cinema tickets"]

    # A reload while offline: the last catalogue and balance, and why Redeem waits.
    await context.set_offline(True)
    await page.reload()
    await expect(page.get_by_role("heading", name="Rewards", level=1)).to_be_visible()
    await expect(
        page.get_by_role("status").filter(has_text="Offline — showing last update from")
    ).to_be_visible()
    await expect(page.get_by_test_id("balance")).to_contain_text("300")
    await expect(card).to_contain_text("You need 200 points more.")
    coffee = page.get_by_test_id("reward").filter(has_text="Coffee on us")
    await expect(coffee).to_contain_text("You're offline — redeem once you're back online.")
    await expect(coffee.get_by_role("button")).to_be_disabled()
    await screenshot(page, "rewards-offline")
    await context.set_offline(False)
    await page.reload()
    await expect(coffee.get_by_role("button")).to_be_enabled()
