import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { navigate } from "../router";
import { refreshUnread } from "../session";
import type { Notification } from "../types";

export function Inbox() {
  const [items, setItems] = useState<Notification[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

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

  return (
    <main class="screen">
      <TopBar title="Notifications" back="/" />
      {error && !items ? (
        <Failure error={error} retry={() => load(null)} />
      ) : !items ? (
        <Skeleton lines={5} />
      ) : items.length === 0 ? (
        <Empty text="Nothing here yet. We'll keep you posted — never more than a few times a day." />
      ) : (
        <ul class="inbox">
          {items.map((n) => (
            <li key={n.id}>
              <button type="button" class={`inbox-item ${n.readAt ? "" : "unread"}`} onClick={() => open(n)}>
                <span class="inbox-title">{n.title}</span>
                <span class="muted">{n.body}</span>
                <span class="muted small">
                  {new Date(n.createdAt).toLocaleString([], { dateStyle: "medium", timeStyle: "short" })}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="button secondary" onClick={() => load(cursor)}>
          Show older
        </button>
      )}
    </main>
  );
}
