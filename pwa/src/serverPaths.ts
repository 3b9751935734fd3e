// Paths the server answers itself: the router and the service worker leave them to the network.
// The same list as SERVER_PREFIXES in backend/http/paths.py (tests/test_pwa.py compares them).
export const SERVER_PREFIXES = [
  "api",
  "s",
  "schema",
  "stories",
  "health",
  "ready",
  "badges/icons",
  "scim",
  "wall",
] as const;

/** `/api/...`, `/s/...`, `/health`, ...: a path the app shell must never answer. */
export const SERVER_PATH = new RegExp(`^/(${SERVER_PREFIXES.map((p) => p.replace("/", "\\/")).join("|")})(/|$)`);
