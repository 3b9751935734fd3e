// The API client: same-origin fetch with the session cookie, CSRF echo, problem details.
import { online, staleSince } from "./store";
import type { Network } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly problem: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

/** Thrown when the request could not reach the server at all. */
export class OfflineError extends Error {}

function cookie(name: string): string {
  const hit = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
}

export interface Answer<T> {
  data: T;
  status: number;
  /** The time the answer was fetched when it came from the offline cache. */
  cachedAt: Date | null;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer<T>> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = cookie("chorus_csrf");
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    online.set(false);
    throw new OfflineError("You're offline — this will work again once you're back online.");
  }
  const cachedHeader = res.headers.get("x-chorus-cached-at");
  const cachedAt = cachedHeader ? new Date(Number(cachedHeader)) : null;
  if (method === "GET") staleSince.set(cachedAt);
  if (!cachedAt) online.set(true);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const detail =
      (data && typeof data.detail === "string" && data.detail) ||
      (res.status === 503 ? "Chorus is catching its breath — try again in a moment." : res.statusText);
    throw new ApiError(res.status, detail, data ?? {});
  }
  return { data: data as T, status: res.status, cachedAt };
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path).then((a) => a.data),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body).then((a) => a.data),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, body).then((a) => a.data),
  del: (path: string) => request<null>("DELETE", path),
};

export function shareLink(challengeId: string, network: Network) {
  return api
    .post<import("./types").ShareLink>(`/api/v1/challenges/${challengeId}/share-links`, { network })
    .then((a) => a.data);
}
