"""The demo's work directory, and the shipped lab policy made to fit the lab that runs.

The shipped policy (``examples/lab-policy.yml``) names the default lab's addresses
(its admins, app servers, monitoring). A lab brought up on other subnets (``lab up
--subnet``, e.g. one per engineer or CI job) gets the same policy with those addresses
moved to its own subnets: otherwise the controller would not be an admin and the plan
would cut its own management access.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from remediator.common.files import replace_text
from remediator.common.shipped import shipped_dir
from remediator.errors import InputError
from remediator.lab.config import DEFAULT_SUBNET4, DEFAULT_SUBNET6, LabConfig

SHIPPED_POLICY: Final = shipped_dir("examples") / "lab-policy.yml"


@dataclass(frozen=True)
class DemoOptions:
    """What ``remediator demo`` was asked (see ``remediator demo --help``)."""

    work_dir: Path
    state_dir: Path
    prefix: str
    subnet: str
    subnet6: str
    window: str
    policy: Path | None = None
    batch: str | None = None


@dataclass(frozen=True)
class Work:
    """Where each step's output goes under the demo's work directory."""

    root: Path

    @property
    def inventory(self) -> Path:
        return self.root / "lab.yml"

    @property
    def policy(self) -> Path:
        return self.root / "lab-policy.yml"

    @property
    def scan(self) -> Path:
        """The IPv4 scan; ``lab scan`` writes the IPv6 one beside it (``.v6.xml``)."""
        return self.root / "lab-scan.xml"

    @property
    def findings(self) -> Path:
        return self.root / "findings.json"

    @property
    def plan(self) -> Path:
        return self.root / "plan.json"

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def evidence(self) -> Path:
        return self.root / "evidence"


def shipped_policy() -> Path:
    """The lab policy shipped in the source tree; InputError when it is not there."""
    if not SHIPPED_POLICY.is_file():
        raise InputError(
            f"the shipped lab policy {SHIPPED_POLICY} is missing (remediator installed without "
            "its examples); give one with --policy"
        )
    return SHIPPED_POLICY


def lab_policy(source: Path, config: LabConfig, target: Path) -> Path:
    """``source`` written to ``target`` with the default lab's addresses moved to ``config``'s."""
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: unreadable policy: {exc}") from None
    for old, new in _moves(config):
        text = text.replace(old, new)
    replace_text(target, text)
    return target


def _moves(config: LabConfig) -> list[tuple[str, str]]:
    """(default prefix, this lab's prefix) for each address family whose subnet differs."""
    default4 = ipaddress.IPv4Network(DEFAULT_SUBNET4)
    default6 = ipaddress.IPv6Network(DEFAULT_SUBNET6)
    moves = []
    if config.subnet4 != default4:
        if config.subnet4.prefixlen != default4.prefixlen:
            raise InputError(f"lab subnet {config.subnet4}: the demo needs a /24; use --policy")
        moves.append((_head4(default4), _head4(config.subnet4)))
    if config.subnet6 != default6:
        if config.subnet6.prefixlen != default6.prefixlen:
            raise InputError(f"lab subnet {config.subnet6}: the demo needs a /64; use --policy")
        moves.append((str(default6.network_address), str(config.subnet6.network_address)))
    return moves


def _head4(network: ipaddress.IPv4Network) -> str:
    """``10.213.0.`` of ``10.213.0.0/24``."""
    return str(network.network_address).rsplit(".", 1)[0] + "."
