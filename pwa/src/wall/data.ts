// The wall's connection to the server: its data read anew whenever the live stream nudges it,
// the stream reopened after any loss with a growing, jittered delay, and a slow poll as a net
// for what sends no nudge (a newly featured story, a new week). No session: the secret in the
// page's own path is the credential, and it never leaves this origin.
import type { components } from "../api/schema";

export type WallData = components["schemas"]["WallData"];
export type Cause = "start" | "live" | "poll" | "reconnect";
export type Status = "live" | "reconnecting" | "revoked";

export interface WallState {
  data: WallData | null;
  status: Status;
  /** What made the last successful read: the e2e test checks a live nudge did it. */
  cause: Cause | null;
  /** When the data last arrived (ms since the epoch). */
  at: number;
}

const POLL_MS = 60_000;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

export function secretOfPage(): string {
  return location.pathname.replace(/^\/wall\//, "").replace(/\/+$/, "");
}

export function connectWall(secret: string, update: (state: WallState) => void): () => void {
  const base = `/api/v1/walls/${encodeURIComponent(secret)}`;
  let state: WallState = { data: null, status: "reconnecting", cause: null, at: 0 };
  let source: EventSource | null = null;
  let reading = false;
  let again: Cause | null = null;
  let failures = 0;
  let retryTimer: number | undefined;
  let stopped = false;

  const set = (patch: Partial<WallState>) => {
    state = { ...state, ...patch };
    update(state);
  };

  function stop(revoked: boolean) {
    stopped = true;
    source?.close();
    source = null;
    window.clearTimeout(retryTimer);
    window.clearInterval(poll);
    if (revoked) set({ status: "revoked", data: null });
  }

  async function read(cause: Cause): Promise<void> {
    if (stopped) return;
    if (reading) {
      again = again ?? cause; // one more read once this one is done, whatever asked
      return;
    }
    reading = true;
    try {
      const resp = await fetch(base, { cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" });
      if (resp.status === 404) return stop(true);
      if (resp.ok) set({ data: (await resp.json()) as WallData, cause, at: Date.now() });
    } catch {
      // offline: the stream's own loss schedules the reconnect, which reads again
    } finally {
      reading = false;
      const next = again;
      again = null;
      if (next && !stopped) void read(next);
    }
  }

  function open() {
    if (stopped) return;
    source = new EventSource(`${base}/events`);
    source.addEventListener("ready", () => {
      const recovering = failures > 0 || state.data === null;
      failures = 0;
      set({ status: "live" });
      // whatever happened while the stream was down was not nudged: read it now
      void read(recovering && state.data !== null ? "reconnect" : "start");
    });
    source.addEventListener("leaderboard", () => void read("live"));
    source.addEventListener("share", () => void read("live"));
    source.addEventListener("revoked", () => void read("live"));
    source.onerror = () => {
      // the browser's own retry would hammer a server that is down: back off instead
      source?.close();
      source = null;
      if (stopped) return;
      set({ status: "reconnecting" });
      failures += 1;
      const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(failures - 1, 5));
      const delay = ceiling / 2 + Math.random() * (ceiling / 2);
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(() => {
        void read("reconnect"); // a revoked wall answers 404 here, and the wall stops
        open();
      }, delay);
    };
  }

  const poll = window.setInterval(() => void read("poll"), POLL_MS);
  // the network is back: no need to wait out the backoff
  window.addEventListener("online", () => {
    if (stopped || source) return;
    window.clearTimeout(retryTimer);
    void read("reconnect");
    open();
  });
  open();
  return () => stop(false);
}
