import { useEffect, useState } from "preact/hooks";
import { ApiError, api, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { formatDateTime, t } from "../i18n";
import { useInFlight } from "../inflight";
import { navigate } from "../router";
import { refreshUnread, unread } from "../session";
import { toast, useStore } from "../store";
import type { Notification } from "../types";

export function Inbox() {
  const [items, setItems] = useState<Notification[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, run] = useInFlight();
  const badge = useStore(unread);

  async function load(from: string | null) {
    try {
      const page = await api.get("/api/v1/notifications", { query: { limit: 20, cursor: from } });
      setItems((current) => (from && current ? [...current, ...page.items] : page.items));
      setCursor(page.nextCursor ?? null);
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  }
  useEffect(() => {
    load(null);
    const listen = (event: MessageEvent) => event.data?.type === "push" && load(null);
    navigator.serviceWorker?.addEventListener("message", listen);
    return () => navigator.serviceWorker?.removeEventListener("message", listen);
  }, []);

  async function open(item: Notification) {
    if (!item.readAt) {
      api
        .post("/api/v1/notifications/{notification_id}/read", { path: { notification_id: item.id } })
        .then(refreshUnread, () => undefined);
      setItems(
        (current) => current?.map((n) => (n.id === item.id ? { ...n, readAt: new Date().toISOString() } : n)) ?? null,
      );
    }
    if (item.url.startsWith("/")) navigate(item.url);
  }

  const markAllRead = () =>
    run(async () => {
      try {
        await readAll(items ?? []);
        const now = new Date().toISOString();
        setItems((current) => current?.map((n) => (n.readAt ? n : { ...n, readAt: now })) ?? null);
        unread.set(0);
        refreshUnread();
        toast(t("inbox.allCaughtUp"), "success");
      } catch (failure) {
        toastFailure(failure, t("inbox.couldNotMarkRead"));
      }
    });

  const unreadCount = Math.max(items?.filter((n) => !n.readAt).length ?? 0, badge);
  return (
    <main class="screen">
      <TopBar title={t("inbox.title")} back="/" />
      {unreadCount > 0 && (
        <button type="button" class="button secondary mark-all" disabled={busy} onClick={markAllRead}>
          {busy ? t("inbox.marking") : t("inbox.markAllRead")}
        </button>
      )}
      {error && !items ? (
        <Failure error={error} retry={() => load(null)} />
      ) : !items ? (
        <Skeleton lines={5} />
      ) : items.length === 0 ? (
        <Empty text={t("inbox.empty")} />
      ) : (
        <ul class="inbox">
          {items.map((n) => (
            <li key={n.id}>
              <button type="button" class={`inbox-item ${n.readAt ? "" : "unread"}`} onClick={() => open(n)}>
                <span class="inbox-title">{n.title}</span>
                <span class="muted">{n.body}</span>
                <span class="muted small">{formatDateTime(n.createdAt)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="button secondary" onClick={() => load(cursor)}>
          {t("inbox.showOlder")}
        </button>
      )}
    </main>
  );
}

/** One call for all of them; an older server without it gets one call per unread item. */
async function readAll(items: Notification[]): Promise<void> {
  try {
    await api.post("/api/v1/notifications/read-all");
  } catch (failure) {
    if (!(failure instanceof ApiError && (failure.status === 404 || failure.status === 405))) throw failure;
    await Promise.all(
      items
        .filter((n) => !n.readAt)
        .map((n) => api.post("/api/v1/notifications/{notification_id}/read", { path: { notification_id: n.id } })),
    );
  }
}
