// Who is signed in: undefined while we ask, null when nobody is.
import { ApiError, api } from "./api";
import { locale, matchLocale, preferredLocale, rememberLocale, setLocale } from "./i18n";
import { startLive, stopLive } from "./live";
import { disablePush } from "./push";
import { createStore } from "./store";
import type { Me } from "./types";

export const me = createStore<Me | null | undefined>(undefined);
export const unread = createStore<number>(0);

export async function loadMe(): Promise<Me | null> {
  try {
    const who = await api.get("/api/v1/me");
    await followLanguage(who.language ?? null);
    me.set(who);
    startLive();
    refreshUnread();
    return who;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      me.set(null);
      stopLive();
      return null;
    }
    if (me.get() === undefined) me.set(null);
    throw error;
  }
}

/** The person's language, once known, is the app's (and the next visit's first render's). */
export async function followLanguage(chosen: string | null): Promise<void> {
  rememberLocale(chosen);
  const wanted = matchLocale(chosen) ?? preferredLocale();
  if (wanted !== locale.get()) await setLocale(wanted).catch(() => undefined);
}

export function refreshUnread(): void {
  api
    .get("/api/v1/notifications", { query: { limit: 50 } })
    .then((page) => unread.set(page.items.filter((n) => !n.readAt).length))
    .catch(() => undefined);
}

export async function signOut(): Promise<void> {
  try {
    // This device's push subscription belongs to the person leaving: the next one to sign in
    // here subscribes afresh (the API refuses to hand one person's endpoint to another).
    await disablePush();
  } catch {
    // push was off, or the API is unreachable: signing out goes on
  }
  try {
    await api.post("/api/v1/auth/logout");
  } catch {
    // signed out locally all the same
  }
  stopLive();
  // Nothing personal stays on a shared device.
  if ("caches" in window) await caches.delete("chorus-api");
  me.set(null);
}
