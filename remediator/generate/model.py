"""The generate stage's frozen types: what it was asked, and how a project is built.

:class:`GenerateOptions` is the command line as ``remediator generate`` parsed it;
:class:`Options` is what :func:`remediator.generate.project.build_project` needs (the same
plan and options give byte-identical files); :class:`InventoryEntry` is how one host is
reached, taken from the inventory, never from the scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from remediator import __version__
from remediator.common.window import Window

DEFAULT_HORIZON: Final = timedelta(days=90)
"""How far ahead of generation the window's openings are written into the project, for the
playbooks to check offline."""

DEFAULT_REVERT_AFTER: Final = 1800
"""Seconds until a host restores its snapshot by itself unless the run confirms the change
(the snapshot role's ``snapshot_revert_after``)."""


@dataclass(frozen=True)
class InventoryEntry:
    """What the generated inventory says about a host (no secrets, no paths)."""

    address: str
    port: int | None = None
    user: str | None = None
    groups: tuple[str, ...] = ()
    connection: str | None = None
    """``ansible_connection`` as the inventory says (only winrm/psrp are written)."""


@dataclass(frozen=True)
class GenerateOptions:
    """What ``remediator generate`` was asked (see ``remediator generate --help``)."""

    plan: Path
    output: Path
    window: str | None = None
    inventory: Path | None = None
    lab: bool = False
    force: bool = False
    generated_at: datetime | None = None
    limit: str | None = None
    json: bool = False
    awx: bool = False


@dataclass(frozen=True)
class Options:
    """Everything besides the plan that decides the output."""

    generated_at: datetime
    window: Window | None = None
    horizon: timedelta = DEFAULT_HORIZON
    lab: bool = False
    inventory_name: str | None = None
    inventory: Mapping[str, InventoryEntry] = field(default_factory=dict)
    revert_after: int = DEFAULT_REVERT_AFTER
    version: str = __version__
    awx: str | None = None
    """``--awx``: the name the project's AWX objects take (None: no ``awx/`` files)."""
