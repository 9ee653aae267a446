"""Who is on the other end of a request, as far as the app can tell.

A reverse proxy connects from its own address and says in `X-Forwarded-For` whom it serves; anyone else
could write the same header. So the header is believed only when the direct peer is one of the proxies in
`FORWARDED_ALLOW_IPS` (uvicorn's setting, read the way uvicorn reads it). A server listening on both IPv4
and IPv6 sees an IPv4 peer as `::ffff:127.0.0.1`; it is compared as `127.0.0.1`, so that the documented
settings match.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _ip(address: str | None) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return mapped or ip


def plain_address(address: str | None) -> str | None:
    """The address as written for its own family: `::ffff:127.0.0.1` becomes `127.0.0.1`."""
    ip = _ip(address)
    return str(ip) if ip is not None else address


class TrustedProxies:
    """The proxies whose forwarded headers are believed: addresses and networks, or "*" for any peer."""

    def __init__(self, setting: str) -> None:
        entries = [entry.strip() for entry in setting.split(",") if entry.strip()]
        self.anyone = "*" in entries
        self.addresses: set[IPAddress] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in entries:
            try:
                if "/" in entry:
                    self.networks.append(ipaddress.ip_network(entry, strict=False))
                elif (ip := _ip(entry)) is not None:
                    self.addresses.add(ip)
            except ValueError:
                continue  # not an address: never matches a peer's address

    def trusts(self, address: str | None) -> bool:
        ip = _ip(address)
        if ip is None:
            return False
        return self.anyone or ip in self.addresses or any(ip in network for network in self.networks)


def _host(forwarded: str) -> str:
    """An entry of X-Forwarded-For without its port: `1.2.3.4:80` and `[2001:db8::5]:80` as uvicorn parses them."""
    forwarded = forwarded.strip()
    if forwarded.startswith("[") and "]" in forwarded:
        return forwarded[1 : forwarded.index("]")]
    if forwarded.count(":") == 1:
        return forwarded.split(":")[0]
    return forwarded


def client_address(peer: str | None, forwarded_for: str | None, trusted: TrustedProxies) -> str | None:
    """The browser's address: the peer itself, or, when the peer is a trusted proxy, the rightmost address
    in X-Forwarded-For that the trusted proxies did not add (each proxy appends whom it heard from)."""
    if not trusted.trusts(peer):
        return plain_address(peer)
    hops = [_host(hop) for hop in (forwarded_for or "").split(",") if hop.strip()]
    if not hops:
        return plain_address(peer)
    for hop in reversed(hops):
        if not trusted.trusts(hop):
            return plain_address(hop)
    return plain_address(hops[0])
