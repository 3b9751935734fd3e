"""Address ranges given in settings (trusted proxies, the networks' preview-bot ranges)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=64)
def parse_networks(spec: str) -> tuple[Network, ...]:
    """ "10.0.0.0/8, 192.0.2.7, ::1" → networks (a bare address is a /32 or /128).

    Raises ValueError naming the entry that is not an address or a CIDR.
    """
    found: list[Network] = []
    for entry in spec.split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"{entry!r} is not an IP address or CIDR range") from exc
    return tuple(found)


def within(address: str, networks: tuple[Network, ...]) -> bool:
    """Whether `address` (a textual IPv4 or IPv6 address) lies in any of `networks`."""
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)
