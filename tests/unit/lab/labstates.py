"""Saved lab states of labs that are not really running, for tests of what finds them."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from remediator.lab import state
from remediator.lab.config import LabConfig


def save_lab(state_dir: Path, prefix: str, third: int) -> None:
    """The state file a lab ``prefix`` on 10.``third``.0.0/24 leaves in ``state_dir``."""
    config = LabConfig(
        prefix=prefix,
        subnet4=ipaddress.IPv4Network(f"10.{third}.0.0/24"),
        subnet6=ipaddress.IPv6Network(f"fd00:{third}::/64"),
        state_dir=state_dir,
    )
    lowerdirs = {h.name: f"/var/cache/remediator/lab/{h.name}" for h in config.hosts}
    state.save(state.LabState(config, lowerdirs))
