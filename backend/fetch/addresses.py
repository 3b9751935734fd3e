"""Which IP addresses the fetcher may connect to: public unicast addresses only.

Every address a host resolves to is judged here; an IPv6 address that embeds an IPv4 one is
judged by the IPv4 host it reaches, and a numeric host in odd notation is refused outright.
"""

from __future__ import annotations

import ipaddress
import socket

from backend.fetch.results import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges refused on top of `not ip.is_global`: the stdlib's notion of "global" differs between
# Python patch releases and misses multicast and a few special-purpose ranges, so the ranges
# that matter are spelled out here as well.
_BLOCKED_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT (shared address space)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, including cloud metadata endpoints
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, including the broadcast address
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible addresses
        "::ffff:0:0/96",  # IPv4-mapped (the mapped address is checked too, see below)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, including Teredo
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_blocked_ip(ip: IPAddress) -> bool:
    """True unless `ip` is a public unicast address we may connect to."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return True
        # Addresses that embed an IPv4 address reach that IPv4 host: judge the embedded one.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and is_blocked_ip(embedded):
            return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or any(ip in net for net in _BLOCKED_NETWORKS if net.version == ip.version)
    )


def literal_ip(host: str) -> IPAddress | None:
    """The address if `host` is a canonical IP literal, else None.

    Raises FetchError("blocked") for numeric hosts in non-canonical notation (`2130706433`,
    `0x7f.1`, `017700000001`, `127.1`): the C resolver turns those into addresses although
    `ipaddress` does not parse them, and no legitimate public URL is written that way.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        return None
    raise FetchError("blocked", f"Refusing the numeric host {host!r} in non-standard notation.")
