"""The controller's resolver: inventory names to addresses, asked once, at plan time.

A scanned address maps to an inventory host only through an address the inventory
asserts or one the controller's own resolver gives for the name Ansible would connect
to (a DNS-name ``ansible_host``, or the inventory host name when there is none). Names
a scan reports (reverse DNS, NetBIOS, FQDN) are written by whoever runs the scanned
machine or its DNS zone, so they are never resolved or compared here.

The resolver is a plain function so tests inject a table instead of asking DNS; the
commands look :data:`system_resolver` up when they run, so it can be replaced there.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from typing import Final

Resolver = Callable[[str], Sequence[str]]
"""A name in, its addresses (A and AAAA, any order, duplicates allowed) out; () if none."""

_LABEL: Final = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
DNS_NAME: Final = re.compile(rf"(?=.{{1,254}}$){_LABEL}(?:\.{_LABEL})*\.?")
"""A name worth asking a resolver about: labels of letters, digits, ``_`` and ``-``."""


def system_resolver(name: str) -> tuple[str, ...]:
    """The addresses ``socket.getaddrinfo`` gives for ``name`` (A and AAAA); () if none."""
    try:
        answers = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return ()
    return tuple(
        str(info[4][0]) for info in answers if info[0] in (socket.AF_INET, socket.AF_INET6)
    )


def is_dns_name(text: str) -> bool:
    """Whether ``text`` could be a DNS name (and is not an IP address)."""
    if DNS_NAME.fullmatch(text) is None:
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return True
    return False


def resolved(resolver: Resolver, name: str) -> tuple[str, ...]:
    """The canonical IP addresses ``resolver`` gives for ``name``: IPv4 first, each once.

    Sorted, so a plan made twice against the same DNS answers is the same bytes whatever
    order the resolver returned them in; anything that is not an IP address is dropped.
    """
    found: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
    for answer in resolver(name):
        try:
            found.add(ipaddress.ip_address(str(answer).split("%", 1)[0]))
        except ValueError:
            continue
    return tuple(str(ip) for ip in sorted(found, key=lambda ip: (ip.version, int(ip))))
