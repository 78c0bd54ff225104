"""A watch rescans every TCP port: the port list must reach nmap as ranges.

Written one by one, 65,535 ports are a ``-p`` argument of about 380 kB, over Linux's
128 kB limit for one argument (``MAX_ARG_STRLEN``): the scanner would never start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from remediator.lab.config import LabConfig
from remediator.lab.provider import nmap_commands
from remediator.verify.scope import Scope, port_ranges
from remediator.verify.userscan import nmap_ports

MAX_ARG_STRLEN: Final = 128 * 1024
EVERY_TCP_PORT: Final = frozenset(("tcp", p) for p in range(1, 65536))
FULL: Final = Scope(("10.213.0.10", "fd00:213::10"), EVERY_TCP_PORT | {("udp", 161)})


def test_consecutive_ports_are_written_as_ranges() -> None:
    assert port_ranges(range(1, 65536)) == "1-65535"
    assert port_ranges([443, 7, 21, 22, 23, 25, 22]) == "7,21-23,25,443"
    assert port_ranges([22, 23]) == "22,23"  # two ports read better listed
    assert port_ranges([]) == ""


def test_a_users_scanner_gets_every_tcp_port_in_one_short_argument() -> None:
    assert nmap_ports(FULL) == "T:1-65535,U:161"


def test_the_labs_nmap_gets_every_tcp_port_in_one_short_argument() -> None:
    commands = nmap_commands(LabConfig(), FULL, Path("/tmp/watch"))
    tcp = next(argv for argv, path in commands if path.name == "rescan-v4-tcp.xml")
    assert tcp[tcp.index("-p") + 1] == "T:1-65535"
    assert all(len(arg) < MAX_ARG_STRLEN for argv, _ in commands for arg in argv)
