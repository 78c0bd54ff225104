"""What lab tests get from the ``lab`` fixture: the running lab and ways to reach it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from remediator.lab.config import LabConfig
from remediator.lab.ssh import controller_command, ssh_command

PROBES = Path(__file__).resolve().parent / "probes.py"

DEFAULT_NET4, DEFAULT_NET6 = "10.213.0.", "fd00:213::"
"""How the default lab's addresses begin in the shipped scans and inventories (examples/)."""

TIMINGS: dict[str, float] = {}
"""Stage name -> seconds (or MiB), printed in the terminal summary by conftest."""


@dataclass(frozen=True)
class Lab:
    """The running lab, with helpers to reach it the way remediator does."""

    config: LabConfig

    def ssh(self, host: str, *remote: str, ipv6: bool = False) -> subprocess.CompletedProcess[str]:
        target = self.config.host(host)
        address = str(target.address6) if ipv6 else None
        argv = ssh_command(self.config, target, remote, address=address)
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)

    def in_controller(
        self, argv: Sequence[str], timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            controller_command(argv, self.config),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def probe(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run tests/lab/probes.py (a client speaking one protocol) in the controller."""
        return self.in_controller([sys.executable, str(PROBES), *args])

    def address(self, host: str, ipv6: bool = False) -> str:
        target = self.config.host(host)
        return str(target.address6 if ipv6 else target.address4)


@dataclass(frozen=True)
class LabScan:
    """``remediator lab scan`` of the pristine lab: the IPv4 and IPv6 nmap XML files."""

    v4: Path
    v6: Path

    @property
    def files(self) -> tuple[Path, Path]:
        return (self.v4, self.v6)


def for_lab(lab: Lab, source: Path, target: Path) -> Path:
    """``source`` copied to ``target`` with the default lab's addresses rewritten to ``lab``'s.

    The shipped lab scans and inventory name the default lab; a test session on a lab
    slot of its own (``REMEDIATOR_LAB_SLOT``) reads them through this.
    """
    net4 = ".".join(str(lab.config.subnet4.network_address).split(".")[:3]) + "."
    net6 = str(lab.config.subnet6.network_address)
    text = source.read_text("utf-8").replace(DEFAULT_NET4, net4).replace(DEFAULT_NET6, net6)
    target.write_text(text, encoding="utf-8")
    return target
