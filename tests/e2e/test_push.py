"""Web Push in the browser: the subscription is made only after a tap and an explanation and
reaches the API; a push the worker sends (checked and decrypted by the local push service) is
shown by the service worker as a notification.

A real pushManager.subscribe() cannot reach a browser push service from here, so the page's
PushManager hands out a subscription of the local push service instead; the push itself is
delivered to the service worker with Chrome DevTools' ServiceWorker.deliverPushMessage.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import asyncpg
from playwright.async_api import BrowserContext, Page, expect

from backend.settings import get_settings
from tests.conftest import VAPID_PUBLIC
from tests.e2e.conftest import screenshot, sign_in, wait_for_service_worker
from tests.fakes import linkedin_page
from tests.helpers import add_member, bearer, create_challenge, signup

POST_URL = "https://www.linkedin.com/posts/pia-push_launch-activity-7200000000000000099-PqRs"

STUB = """
(() => {
  const sub = %s;
  window.subscribeCalls = [];
  let current = null;
  const fake = () => ({
    endpoint: sub.endpoint, expirationTime: null, options: {},
    toJSON: () => sub, unsubscribe: async () => { current = null; return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    window.subscribeCalls.push({ userVisibleOnly: options.userVisibleOnly, key: Array.from(key) });
    current = fake();
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
})();
"""


def _b64url(text: str) -> list[int]:
    return list(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


async def _subscription_endpoints(user_id: str) -> list[str]:
    conn = await asyncpg.connect(get_settings().database_url)
    try:
        rows = await conn.fetch(
            'SELECT endpoint FROM push_subscription WHERE "user" = $1::uuid', user_id
        )
        return [r["endpoint"] for r in rows]
    finally:
        await conn.close()


async def _registration_id(cdp: Any) -> str:
    found: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def updated(event: dict[str, Any]) -> None:
        for registration in event["registrations"]:
            if not registration.get("isDeleted") and not found.done():
                found.set_result(registration["registrationId"])

    cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
    await cdp.send("ServiceWorker.enable")
    return await asyncio.wait_for(found, 10)


async def test_push_is_enabled_after_a_tap_and_a_push_shows_a_notification(
    client, network, worker, push_service, base_url: str, context: BrowserContext, page: Page
):
    admin = await signup(client)
    pia = await add_member(client, admin, name="Pia Push")
    # no quiet hours: the default 22-7 would hold the push when CI runs at night
    prefs = (await client.get("/api/v1/me/notification-preferences", headers=bearer(pia))).json()
    put = await client.put(
        "/api/v1/me/notification-preferences",
        json={**prefs, "quietStart": None, "quietEnd": None},
        headers=bearer(pia),
    )
    assert put.status_code == 200, put.text
    challenge = await create_challenge(client, admin, title="Tell them about the launch")
    subscription = push_service.subscription()
    await context.grant_permissions(["notifications"], origin=base_url)
    await context.add_init_script(STUB % json.dumps(subscription))

    await sign_in(page, pia.email)
    await wait_for_service_worker(page)
    await page.get_by_role("link", name="Me", exact=True).click()
    assert await page.evaluate("window.subscribeCalls.length") == 0  # never asked on load
    await page.get_by_role("button", name="Notify me about new challenges").click()
    await expect(page.get_by_role("dialog", name="Stay in the loop")).to_be_visible()
    await screenshot(page, "profile-push-explained")
    assert await page.evaluate("window.subscribeCalls.length") == 0  # explained first
    await page.get_by_role("button", name="Turn on notifications").click()
    await expect(page.get_by_text("Notifications are on for this device.")).to_be_visible()
    calls = await page.evaluate("window.subscribeCalls")
    assert calls == [{"userVisibleOnly": True, "key": _b64url(VAPID_PUBLIC)}]
    assert await _subscription_endpoints(pia.user_id) == [subscription["endpoint"]]

    # A verified share: the worker pushes through the local push service, which decrypts it.
    tracked = (
        await client.post(
            f"/api/v1/challenges/{challenge['id']}/share-links",
            json={"network": "linkedin"},
            headers=bearer(pia),
        )
    ).json()["trackedUrl"]
    network.linkedin_post(POST_URL.removeprefix("https://www.linkedin.com"), linkedin_page(tracked))
    resp = await client.post(
        f"/api/v1/challenges/{challenge['id']}/submissions",
        json={"network": "linkedin", "postUrl": POST_URL},
        headers=bearer(pia),
    )
    assert resp.status_code == 202, resp.text
    for _ in range(200):
        verified = [m for m in push_service.messages if m["payload"]["category"] == "verification"]
        if verified:
            break
        await asyncio.sleep(0.05)
    assert verified, push_service.messages
    payload = verified[0]["payload"]

    # The browser's push channel, played by DevTools: the service worker shows it.
    cdp = await context.new_cdp_session(page)
    registration = await _registration_id(cdp)
    await cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": base_url, "registrationId": registration, "data": json.dumps(payload)},
    )
    shown: list[dict[str, Any]] = []
    for _ in range(100):
        shown = await page.evaluate(
            "navigator.serviceWorker.ready.then(r => r.getNotifications())"
            ".then(ns => ns.map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))"
        )
        if shown:
            break
        await asyncio.sleep(0.05)
    assert shown == [
        {
            "title": payload["title"],
            "body": payload["body"],
            "tag": "verification",
            "data": {"url": payload["url"], "id": payload["id"]},
        }
    ]
    assert payload["url"] == f"/challenges/{challenge['id']}"
