"""The client address a sign-in is counted against, and when ``X-Forwarded-For`` is believed.

Anyone can send ``X-Forwarded-For``: believed from anyone, it lets one client appear as a new
address on every attempt and escape the per-address lockout. It is believed only when the direct
peer is one of the configured reverse proxies (``OPENKAMP_TRUSTED_PROXIES``, empty by default:
never). Then the address is the right-most entry that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def parse_proxies(spec: str) -> tuple[Network, ...]:
    """``"10.0.0.1, 192.168.0.0/24"`` as networks; entries that are not addresses are skipped."""
    nets: list[Network] = []
    for part in spec.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            continue
    return tuple(nets)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(peer: str, headers: Mapping[str, str], trusted_proxies: str) -> str:
    """The address to count a sign-in against: the direct peer, unless the peer is a trusted
    proxy, in which case the nearest untrusted address in ``X-Forwarded-For``."""
    proxies = parse_proxies(trusted_proxies)
    if not proxies or not _trusted(peer, proxies):
        return peer
    forwarded = [p.strip() for p in headers.get("x-forwarded-for", "").split(",") if p.strip()]
    for hop in reversed(forwarded):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage from beyond the proxy: count it against the proxy
    return peer
