"""The paths the server answers itself, and those that need no sign-in: one list of each.

Everything else under `/` is the PWA's, answered with its app shell so that client routes
survive a reload. The PWA keeps its own copy of `SERVER_PREFIXES` in `pwa/src/serverPaths.ts`
(its router and service worker must leave these to the network); `tests/test_pwa.py` checks
that the two lists are the same.
"""

from __future__ import annotations

import re

# First path segments (or segment pairs) that belong to the server, never to the app shell.
SERVER_PREFIXES = (
    "api",
    "s",
    "schema",
    "stories",
    "health",
    "ready",
    "badges/icons",
    "scim",
    "wall",
)
SERVER_PATHS = re.compile(
    "^/(" + "|".join(re.escape(prefix) for prefix in SERVER_PREFIXES) + ")(/|$)"
)

# Answered without a session (regular expressions, as Litestar's auth `exclude` takes them):
# health probes, the API's documentation, the app shell, tracked links, badge icons and the
# public story pages, and SCIM (it checks its own tokens). The sign-in endpoints opt out one by
# one (`exclude_from_auth`).
PUBLIC_PATHS = [
    "^/health$",
    "^/health/redis$",
    "^/ready$",
    "^/schema",
    "^/$",
    "^/s/",
    "^/badges/icons/",
    "^/stories/",
    # SCIM answers its own bearer tokens (backend/scim/controller.py), never a session
    "^/scim/",
]
