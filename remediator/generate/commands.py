"""``remediator generate PLAN -o DIR``: the plan read, the project built and written."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from remediator.classify.plan_document import PlanDoc, load_plan
from remediator.common.text import shown
from remediator.common.window import parse_window
from remediator.errors import InputError
from remediator.generate.model import GenerateOptions, InventoryEntry, Options
from remediator.generate.project import build_project
from remediator.generate.roles import load_roles
from remediator.generate.writer import write_project
from remediator.ingest.inventory import load_inventory


def run_generate(asked: GenerateOptions) -> int:
    """Build the project from the plan file and write it."""
    generated_at = (asked.generated_at or datetime.now(UTC)).replace(microsecond=0)
    plan = load_plan(asked.plan)
    window = parse_window(asked.window, generated_at) if asked.window else None
    options = Options(
        generated_at=generated_at,
        window=window,
        lab=asked.lab,
        inventory_name=asked.inventory.name if asked.inventory else None,
        inventory=_inventory(asked.inventory, plan) if asked.inventory else {},
    )
    files = build_project(plan, options, load_roles())
    for change in write_project(files, asked.output, force=asked.force):
        print(f"replaced (--force): {change}", file=sys.stderr)
    hosts = sum(1 for p in files if p.startswith("host_vars/"))
    print(
        f"wrote {shown(asked.output)}: {len(files)} files, {hosts} hosts, "
        f"plan sha256 {plan.sha256[:12]}",
        file=sys.stderr,
    )
    return 0


def _inventory(path: Path, plan: PlanDoc) -> dict[str, InventoryEntry]:
    """Each plan host's connection settings from ``path``; its address from the inventory,
    else the one the plan recorded (the resolver's at plan time), never from the scan."""
    inventory = load_inventory(path)
    entries = {}
    for record in plan.hosts:
        name = record.name
        host = inventory.host(name)
        address = (
            host.var("ansible_host")
            or (host.addresses[0] if host.addresses else None)
            or (record.addresses[0] if record.addresses else None)
        )
        if address is None:
            raise InputError(
                f"{path}: host {name!r} has no ansible_host or address, and the plan "
                "recorded none for it"
            )
        entries[name] = InventoryEntry(address, host.port, host.var("ansible_user"), host.groups)
    return entries
