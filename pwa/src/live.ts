// Live events from /api/v1/events (Server-Sent Events; the browser reconnects by itself).
type Listener = (data: any) => void;

const listeners = new Map<string, Set<Listener>>();
let source: EventSource | null = null;
const KINDS = ["submission", "leaderboard", "badge", "level_up", "team_goal", "ready"];

export function startLive(): void {
  if (source || typeof EventSource === "undefined") return;
  source = new EventSource("/api/v1/events", { withCredentials: true });
  for (const kind of KINDS) {
    source.addEventListener(kind, (event) => {
      let data: unknown = null;
      try {
        data = JSON.parse((event as MessageEvent).data);
      } catch {
        return;
      }
      listeners.get(kind)?.forEach((listener) => listener(data));
    });
  }
}

export function stopLive(): void {
  source?.close();
  source = null;
}

export function onLive(kind: string, listener: Listener): () => void {
  if (!listeners.has(kind)) listeners.set(kind, new Set());
  listeners.get(kind)!.add(listener);
  return () => listeners.get(kind)!.delete(listener);
}
