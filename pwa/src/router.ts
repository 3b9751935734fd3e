// Client-side routes: the History API, and links that navigate without a reload.
import { SERVER_PATH } from "./serverPaths";
import { createStore, useStore } from "./store";

export const location = createStore<string>(window.location.pathname);

export function navigate(path: string, replace = false): void {
  if (path === window.location.pathname + window.location.search) return;
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  location.set(window.location.pathname);
  window.scrollTo(0, 0);
}

window.addEventListener("popstate", () => location.set(window.location.pathname));

// Same-origin <a href="/..."> clicks stay inside the app.
document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element).closest?.("a");
  if (!anchor || anchor.target || anchor.hasAttribute("download")) return;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin) return;
  if (SERVER_PATH.test(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});

export function usePath(): string {
  return useStore(location);
}

/** `/challenges/:id` → {id} when the path matches the pattern, else null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.replace(/\/+$/, "").split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}
