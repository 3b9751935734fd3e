"""Who is on the other end: the client's address and scheme, through the proxies we trust.

One decision for everything that cares: sign-in throttling, click classification and HSTS.
When the peer is a trusted proxy (CHORUS_TRUSTED_PROXIES), the client is the rightmost
X-Forwarded-For hop that is not itself a trusted proxy — the leftmost entries are whatever the
client chose to send, so believing them would let anyone be anyone.
"""

from __future__ import annotations

from typing import Any

from backend.core.networks import parse_networks, within
from backend.settings import Settings


def _header_values(scope: Any, name: bytes) -> list[str]:
    return [bytes(value).decode("latin-1") for key, value in scope["headers"] if key == name]


def _peer(scope: Any) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def client_address(scope: Any, settings: Settings) -> str:
    """The address of the client as far as trusted proxies vouch for it."""
    peer = _peer(scope)
    trusted = parse_networks(settings.trusted_proxy_spec)
    if not within(peer, trusted):
        return peer
    hops = [
        hop.strip()
        for value in _header_values(scope, b"x-forwarded-for")
        for hop in value.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not within(hop, trusted):
            return hop
    return hops[0] if hops else peer  # every hop is ours: the first one is the client


def served_over_https(scope: Any, settings: Settings) -> bool:
    """The request came over HTTPS: to this process, or to a trusted proxy in front of it (the
    X-Forwarded-Proto that proxy set)."""
    if scope.get("scheme") == "https":
        return True
    if not within(_peer(scope), parse_networks(settings.trusted_proxy_spec)):
        return False
    values = [
        v.strip().lower() for h in _header_values(scope, b"x-forwarded-proto") for v in h.split(",")
    ]
    return bool(values) and values[-1] == "https"
