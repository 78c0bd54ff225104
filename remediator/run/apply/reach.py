"""TCP connects from the controller: is an allowed service still reachable after a batch?

Run as ``python -m remediator.run.apply.reach '[["10.0.0.5", 443], ...]'`` inside whatever
network namespace reaches the hosts; prints one JSON list of results. It only opens and
closes TCP connections to the addresses it is given (the plan's own, checked to be IP
addresses by the caller) and sends nothing.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Final

CONNECT_SECONDS: Final = 3.0


def source_address(address: str) -> str:
    """The address this machine would connect from towards ``address`` (no packet sent)."""
    family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.connect((address, 9))
        return str(probe.getsockname()[0])


def connect(address: str, port: int) -> dict[str, object]:
    """Whether a TCP connection to ``address:port`` opens, and from which source."""
    try:
        source = source_address(address)
    except OSError as exc:
        return {"address": address, "port": port, "open": False, "source": None, "error": str(exc)}
    try:
        with socket.create_connection((address, port), timeout=CONNECT_SECONDS):
            return {"address": address, "port": port, "open": True, "source": source, "error": ""}
    except OSError as exc:
        return {
            "address": address,
            "port": port,
            "open": False,
            "source": source,
            "error": str(exc) or type(exc).__name__,
        }


def main(argv: list[str]) -> int:
    targets = [(str(ipaddress.ip_address(a)), int(p)) for a, p in json.loads(argv[1])]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda target: connect(*target), targets))
    sys.stdout.write(json.dumps(results) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
