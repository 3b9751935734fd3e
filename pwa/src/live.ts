// Live events from /api/v1/events (Server-Sent Events; the browser reconnects by itself).
import { apiUrl } from "./api";

type Listener = (data: unknown) => void;

const listeners = new Map<string, Set<Listener>>();
let source: EventSource | null = null;
const KINDS = ["submission", "leaderboard", "badge", "level_up", "team_goal", "ready"];

export function startLive(): void {
  if (source || typeof EventSource === "undefined") return;
  source = new EventSource(apiUrl("/api/v1/events"), { withCredentials: true });
  for (const kind of KINDS) {
    source.addEventListener(kind, (event) => {
      let data: unknown = null;
      try {
        data = JSON.parse((event as MessageEvent).data);
      } catch {
        return;
      }
      for (const listener of listeners.get(kind) ?? []) listener(data);
    });
  }
}

export function stopLive(): void {
  source?.close();
  source = null;
}

/** Listen to one kind of event; `T` is what its data holds (the stream is not in the OpenAPI document). */
export function onLive<T = unknown>(kind: string, listener: (data: T) => void): () => void {
  const those = listeners.get(kind) ?? new Set<Listener>();
  listeners.set(kind, those);
  those.add(listener as Listener);
  return () => {
    those.delete(listener as Listener);
  };
}
