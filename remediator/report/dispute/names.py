"""File names of the dispute pages, made only of values the run vouches for.

A page's name is ``<host>-<protocol>-<port>-<n>``: the inventory host name (one the plan
lists among its hosts, in a plain spelling), else the finding's address as an IP address
with its separators made dashes, else ``host``; ``tcp``/``udp``; the port number; and a
counter for several findings on the same port. Scan text (titles, check ids, banners)
never takes part, so ``../`` or a slash in a scan cannot place a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from remediator.ingest.model import parse_ip

PLAIN_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
"""A name that is safe as one path part: no separators, no leading dot."""
LONGEST_HOST: Final = 100
"""Longer inventory names fall back to the address (a file name holds 255 bytes)."""
PROTOCOLS: Final = frozenset({"tcp", "udp"})


class UnsafeNameError(ValueError):
    """A page name that is not a plain file name: a bug in this module, never scan data."""


def host_part(host: str | None, address: str, inventory: Iterable[str]) -> str:
    """The host's part of a page name."""
    if host is not None and host in set(inventory) and _plain(host, LONGEST_HOST):
        return host
    ip = parse_ip(address)
    if ip is not None:
        return re.sub(r"[^0-9a-fA-F]+", "-", str(ip))
    return "host"


def page_stem(host: str, protocol: str, port: int, number: int) -> str:
    """``<host>-<protocol>-<port>-<number>``, checked to be one plain file name."""
    proto = protocol if protocol in PROTOCOLS else "ip"
    stem = f"{host}-{proto}-{int(port)}-{int(number)}"
    if not _plain(stem, LONGEST_HOST + 30):
        raise UnsafeNameError(f"not a plain file name: {stem!r}")
    return stem


def _plain(name: str, longest: int) -> bool:
    return len(name) <= longest and PLAIN_NAME.fullmatch(name) is not None and ".." not in name
