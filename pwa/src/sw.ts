/// <reference lib="webworker" />
// Chorus's service worker: the app shell offline, API reads network-first with a cached
// fallback, submissions made offline queued and sent once (with the key they were made with),
// and Web Push.
import { Queue } from "workbox-background-sync";
import { clientsClaim } from "workbox-core";
import { ExpirationPlugin } from "workbox-expiration";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { CacheFirst, NetworkFirst } from "workbox-strategies";
import type { paths } from "./api/schema";
import { SERVER_PATH } from "./serverPaths";

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

self.skipWaiting();
clientsClaim();
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Client-side routes open the app shell; server paths never do.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL("/index.html"), {
    denylist: [SERVER_PATH],
  }),
);

registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith("/badges/icons/"),
  new CacheFirst({ cacheName: "chorus-icons", plugins: [new ExpirationPlugin({ maxEntries: 100 })] }),
);

const API_CACHE = "chorus-api";
const STAMP = "x-chorus-cached-at";

async function withHeader(response: Response, name: string, value: string): Promise<Response> {
  const headers = new Headers(response.headers);
  headers.set(name, value);
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}

// Challenge media: a URL names one file forever. Images cache-first; videos (and the app's own
// fetch of a file to share) go straight to the network, which answers their range requests.
const MEDIA = /^\/api\/v1\/challenges\/[^/]+\/media\//;
registerRoute(
  ({ url, request }) =>
    url.origin === self.location.origin && request.destination === "image" && MEDIA.test(url.pathname),
  new CacheFirst({ cacheName: "chorus-media", plugins: [new ExpirationPlugin({ maxEntries: 60 })] }),
);

// API reads: the network first; offline, the last answer, stamped with when it was fetched.
registerRoute(
  ({ url, request }) =>
    url.origin === self.location.origin &&
    request.method === "GET" &&
    url.pathname.startsWith("/api/") &&
    !MEDIA.test(url.pathname) &&
    url.pathname !== "/api/v1/events",
  new NetworkFirst({
    cacheName: API_CACHE,
    networkTimeoutSeconds: 5,
    plugins: [
      {
        cacheWillUpdate: async ({ response }) =>
          response.status === 200 ? withHeader(response, "x-chorus-fetched-at", String(Date.now())) : null,
        cachedResponseWillBeUsed: async ({ cachedResponse }) =>
          cachedResponse
            ? withHeader(cachedResponse, STAMP, cachedResponse.headers.get("x-chorus-fetched-at") ?? String(Date.now()))
            : null,
      },
      new ExpirationPlugin({ maxEntries: 200, maxAgeSeconds: 7 * 24 * 3600 }),
    ],
  }),
);

async function tellClients(message: Record<string, unknown>): Promise<void> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) client.postMessage(message);
}

const challengeOf = (url: string) => /\/api\/v1\/challenges\/([^/]+)\/submissions$/.exec(new URL(url).pathname)?.[1];

let replaying: Promise<void> | null = null;

/** Send what was queued, oldest first; each request leaves the queue before it is sent. */
async function replay(queue: Queue): Promise<void> {
  for (let entry = await queue.shiftRequest(); entry; entry = await queue.shiftRequest()) {
    let response: Response;
    try {
      response = await fetch(entry.request.clone());
    } catch (error) {
      await queue.unshiftRequest(entry);
      throw error; // still offline: the sync event (or the next start) tries again
    }
    // The request goes out as it was queued, Idempotency-Key included: if an earlier try did
    // reach the API (only its answer was lost), the API answers that first answer again (202)
    // instead of acting twice. 409: another try of the same share had arrived before.
    const body = await response.json().catch(() => null);
    await tellClients({
      type: "submission-sent",
      challengeId: challengeOf(entry.request.url),
      status: response.status,
      body,
    });
  }
}

const submissions = new Queue("chorus-submissions", {
  maxRetentionTime: 7 * 24 * 60, // minutes: a week on a train is plenty
  onSync: async ({ queue }) => {
    replaying ??= replay(queue).finally(() => (replaying = null));
    await replaying;
  },
});

/** The request with an Idempotency-Key of its own (the app's requests bring one), so that every
 * send of it, first try and replays alike, is one action to the API. */
function withIdempotencyKey(request: Request): Request {
  if (request.headers.has("Idempotency-Key")) return request;
  const headers = new Headers(request.headers);
  headers.set("Idempotency-Key", crypto.randomUUID());
  return new Request(request, { headers });
}

registerRoute(
  ({ url }) => url.origin === self.location.origin && challengeOf(url.href) !== undefined,
  async ({ request: sent }) => {
    const request = withIdempotencyKey(sent);
    try {
      return await fetch(request.clone());
    } catch {
      await submissions.pushRequest({ request });
      await tellClients({ type: "submission-queued", challengeId: challengeOf(request.url) });
      return new Response(JSON.stringify({ status: "queued" }), {
        status: 202,
        headers: { "Content-Type": "application/json" },
      });
    }
  },
  "POST",
);

self.addEventListener("message", (event) => {
  if (event.data?.type === "replay-submissions") {
    replaying ??= replay(submissions).finally(() => (replaying = null));
    event.waitUntil(replaying.catch(() => undefined));
  }
});

interface PushPayload {
  id?: string;
  title?: string;
  body?: string;
  url?: string;
  category?: string;
}

self.addEventListener("push", (event) => {
  let payload: PushPayload = {};
  try {
    payload = event.data?.json() ?? {};
  } catch {
    payload = { body: event.data?.text() };
  }
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(payload.title || "Chorus", {
        body: payload.body ?? "",
        icon: "/icons/icon-192.png",
        badge: "/icons/maskable-192.png",
        tag: payload.category, // a newer push of the same kind replaces the older one
        data: { url: payload.url || "/", id: payload.id },
      }),
      tellClients({ type: "push", id: payload.id }),
    ]),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url ?? "/", self.location.origin);
  const url = target.origin === self.location.origin ? target.pathname + target.search : "/";
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        open.postMessage({ type: "navigate", url });
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const raw = atob((base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

// The API paths this worker calls itself (type-checked against the OpenAPI document).
const PUBLIC_KEY = "/api/v1/push/public-key" satisfies keyof paths;
const SUBSCRIPTIONS = "/api/v1/push/subscriptions" satisfies keyof paths;

async function csrfToken(): Promise<string> {
  const store = (self as unknown as { cookieStore?: { get(name: string): Promise<{ value: string } | null> } })
    .cookieStore;
  return (await store?.get("chorus_csrf"))?.value ?? "";
}

// The browser replaced our subscription (keys rotated, expiry): subscribe again and tell the API.
self.addEventListener("pushsubscriptionchange", ((
  event: Event & {
    oldSubscription?: PushSubscription | null;
    newSubscription?: PushSubscription | null;
    waitUntil(promise: Promise<unknown>): void;
  },
) => {
  event.waitUntil(
    (async () => {
      let fresh = event.newSubscription ?? null;
      if (!fresh) {
        const { publicKey } = await (await fetch(PUBLIC_KEY)).json();
        fresh = await self.registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(publicKey),
        });
      }
      const headers = { "Content-Type": "application/json", "X-CSRF-Token": await csrfToken() };
      const json = fresh.toJSON();
      await fetch(SUBSCRIPTIONS, {
        method: "POST",
        credentials: "same-origin",
        headers,
        body: JSON.stringify({ endpoint: json.endpoint, keys: json.keys }),
      });
      if (event.oldSubscription && event.oldSubscription.endpoint !== fresh.endpoint) {
        await fetch(`${SUBSCRIPTIONS}?endpoint=${encodeURIComponent(event.oldSubscription.endpoint)}`, {
          method: "DELETE",
          credentials: "same-origin",
          headers,
        });
      }
    })(),
  );
}) as EventListener);
