"""The client's address as seen through the trusted reverse proxies (settings.TRUSTED_PROXIES)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen over an IPv6 socket is the IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the client, normalised; X-Forwarded-For counts only behind our proxies.

    The TCP peer (REMOTE_ADDR) is the client unless it is one of the trusted proxy networks.
    Then the X-Forwarded-For hops are read from the right (each proxy appends the address it
    saw) and the first hop that is not a trusted proxy is the client: everything to its left
    was written by the client itself and proves nothing.
    """
    if request is None:
        return None
    peer = _parse(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    address = peer
    if any(address in network for network in trusted):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
            hop_address = _parse(hop)
            if hop_address is None:
                break  # garbage from the client side: the last proxy's view stands
            address = hop_address
            if not any(address in network for network in trusted):
                break
    return address.compressed
