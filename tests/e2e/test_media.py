"""An employee opens a challenge with an image and a video on a phone: both are shown (the image
with its size, lazily; the video with controls, metadata only), and "Share with the post" hands
the share sheet the files themselves (Web Share API level 2; navigator.share and canShare are
stubbed in the page and record what they were given). Where the browser cannot share files,
the same action offers each file as a download. The admin adds and deletes media in the console."""

from __future__ import annotations

import asyncio
from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.helpers import add_member, bearer, create_challenge, signup
from tests.media_files import jpeg_with_secrets, mp4

# The page's share sheet: records the files (name, type, size) and the text it was given.
SHARE_STUB = """
Object.defineProperty(Navigator.prototype, "canShare", {
  configurable: true,
  value: (data) => Boolean(data && data.files && data.files.every((f) => f instanceof File)),
});
Object.defineProperty(Navigator.prototype, "share", {
  configurable: true,
  value: async (data) => {
    window.__shared = {
      files: data.files.map((f) => ({ name: f.name, type: f.type, size: f.size })),
      text: data.text ?? null,
      title: data.title ?? null,
    };
  },
});
"""
# A browser that cannot share files (a desktop, an older phone).
NO_SHARE = """
Object.defineProperty(Navigator.prototype, "canShare", { configurable: true, value: undefined });
Object.defineProperty(Navigator.prototype, "share", { configurable: true, value: undefined });
"""

TITLE = "Our new office opens"


async def until(page: Page, function: str) -> Any:
    """The function's first truthy answer in the page (evaluated by the driver: the app's CSP
    forbids the eval that wait_for_function uses)."""
    for _ in range(300):
        answer = await page.evaluate(function)
        if answer:
            return answer
        await asyncio.sleep(0.1)
    raise AssertionError(f"never true: {function}")


async def challenge_with_media(client: Any) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    admin = await signup(client, org="Acme", name="Ann Admin")
    sam = await add_member(client, admin, name="Sam Member")
    challenge = await create_challenge(client, admin, title=TITLE)
    made = []
    for body, kind in ((jpeg_with_secrets((800, 600)), "image/jpeg"), (mp4(640, 360), "video/mp4")):
        resp = await client.post(
            f"/api/v1/admin/challenges/{challenge['id']}/media",
            content=body,
            headers={**bearer(admin), "Content-Type": kind},
        )
        assert resp.status_code == 201, resp.text
        made.append(resp.json())
    return sam, challenge, made


async def open_challenge(page: Page, email: str) -> None:
    await sign_in(page, email)
    await page.get_by_role("link", name=TITLE).click()
    await expect(page.get_by_role("heading", name=TITLE)).to_be_visible()


async def test_the_share_sheet_is_given_the_files(client, browser: Browser, base_url: str):
    sam, _, made = await challenge_with_media(client)
    image, video = made
    context = await browser.new_context(viewport=PHONE, base_url=base_url, has_touch=True)
    await context.add_init_script(SHARE_STUB)
    page = await context.new_page()
    try:
        await open_challenge(page, sam.email)
        shown = page.get_by_role("region", name="Visuals to post with it")
        picture = shown.get_by_role("img")
        await expect(picture).to_have_attribute("width", "800")
        await expect(picture).to_have_attribute("height", "600")
        await expect(picture).to_have_attribute("loading", "lazy")
        await expect(picture).to_have_attribute("src", image["url"])
        clip = shown.locator("video")
        await expect(clip).to_have_attribute("src", video["url"])
        await expect(clip).to_have_attribute("preload", "metadata")
        for flag in ("controls", "playsinline"):
            await expect(clip).to_have_attribute(flag, "")
        assert await clip.evaluate("v => v.muted") is True
        await picture.scroll_into_view_if_needed()
        await until(page, "() => document.querySelector('.media-grid img').naturalWidth === 800")
        await screenshot(page, "challenge-media")
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360

        await shown.get_by_role("button", name="Share with the post").click()
        got = await until(page, "() => window.__shared")
        assert got["files"] == [
            {"name": "our-new-office-opens-1.jpg", "type": "image/jpeg", "size": image["bytes"]},
            {"name": "our-new-office-opens-2.mp4", "type": "video/mp4", "size": video["bytes"]},
        ]
        assert got["title"] == TITLE
        # the post's text comes along, with the person's own tracked link
        assert "Proud of what we shipped today." in got["text"] and "/s/" in got["text"]
        await expect(page.get_by_test_id("media-downloads")).to_have_count(0)
    finally:
        await context.close()


async def test_without_file_sharing_the_files_download(client, browser: Browser, base_url: str):
    sam, _, made = await challenge_with_media(client)
    context = await browser.new_context(viewport=PHONE, base_url=base_url, accept_downloads=True)
    await context.add_init_script(NO_SHARE)
    page = await context.new_page()
    try:
        await open_challenge(page, sam.email)
        await page.get_by_role("button", name="Share with the post").click()
        offered = page.get_by_test_id("media-downloads")
        await expect(offered).to_be_visible()
        links = offered.get_by_role("link")
        await expect(links).to_have_count(2)
        await expect(links.nth(0)).to_have_attribute("href", made[0]["url"])
        await expect(links.nth(0)).to_have_attribute("download", "our-new-office-opens-1.jpg")
        await expect(links.nth(1)).to_have_attribute("download", "our-new-office-opens-2.mp4")
        async with page.expect_download() as waiting:
            await links.nth(1).click()
        download = await waiting.value
        assert download.suggested_filename == "our-new-office-opens-2.mp4"
        path = await download.path()
        assert path is not None and path.read_bytes() == mp4(640, 360)
        await screenshot(page, "challenge-media-downloads")
    finally:
        await context.close()


async def test_the_admin_adds_and_deletes_media_in_the_editor(
    client, browser: Browser, base_url: str, tmp_path
):
    admin = await signup(client, org="Acme", name="Ann Admin")
    challenge = await create_challenge(client, admin, title=TITLE, publish=False)
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    page = await context.new_page()
    try:
        await sign_in(page, admin.email)
        await page.goto(f"/admin/challenges/{challenge['id']}")
        editor = page.get_by_test_id("media-editor")
        await expect(editor).to_contain_text("(0 / 10)")
        picture = tmp_path / "office.jpg"
        picture.write_bytes(jpeg_with_secrets((800, 600)))
        await editor.locator("input[type=file]").set_input_files(str(picture))
        await expect(editor).to_contain_text("(1 / 10)")
        await expect(editor).to_contain_text("800 \u00d7 600")
        too_big = tmp_path / "huge.mp4"
        too_big.write_bytes(b"\0" * (26 * 1024 * 1024))
        await editor.locator("input[type=file]").set_input_files(str(too_big))
        await expect(editor.get_by_role("alert")).to_contain_text("at most 25 MB")
        renamed = tmp_path / "setup.png"
        renamed.write_bytes(b"MZ\x90\x00" + b"\0" * 2000)
        await editor.locator("input[type=file]").set_input_files(str(renamed))
        await expect(editor.get_by_role("alert")).to_contain_text("setup.png: This file is not")
        await editor.get_by_role("button", name="Delete").click()
        await page.get_by_role("dialog").get_by_role("button", name="Delete").click()
        await expect(editor).to_contain_text("(0 / 10)")
    finally:
        await context.close()
