"""``remediator generate PLAN -o DIR``: the plan read, the project built and written."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from remediator.classify.plan_document import PlanDoc, load_plan
from remediator.common.documents import document_text
from remediator.common.text import shown
from remediator.common.window import parse_window
from remediator.errors import InputError
from remediator.generate.manifest import NAME as MANIFEST
from remediator.generate.model import GenerateOptions, InventoryEntry, Options
from remediator.generate.project import build_project
from remediator.generate.roles import load_roles
from remediator.generate.writer import write_project
from remediator.ingest.inventory import Inventory, hosts_matching, load_inventory


def run_generate(asked: GenerateOptions) -> int:
    """Build the project from the plan file and write it; say what was written."""
    generated_at = (asked.generated_at or datetime.now(UTC)).replace(microsecond=0)
    plan = load_plan(asked.plan)
    inventory = load_inventory(asked.inventory) if asked.inventory else None
    if asked.limit is not None:
        plan = limited(plan, asked.limit, inventory)
    window = parse_window(asked.window, generated_at) if asked.window else None
    options = Options(
        generated_at=generated_at,
        window=window,
        lab=asked.lab,
        inventory_name=asked.inventory.name if asked.inventory else None,
        inventory=_inventory(inventory, plan) if inventory is not None else {},
        awx=asked.output.resolve().name if asked.awx else None,
    )
    files = build_project(plan, options, load_roles())
    for change in write_project(files, asked.output, force=asked.force):
        print(f"replaced (--force): {change}", file=sys.stderr)
    _say_written(asked, plan, files)
    return 0


def limited(plan: PlanDoc, pattern: str, inventory: Inventory | None) -> PlanDoc:
    """The plan cut to the hosts an Ansible pattern selects, and to their decisions.

    Groups come from the inventory when one is given (what ``ansible-playbook -l`` would
    see), else from the plan's record of each host; the plan's sha256 stays the file's, so
    the project still names the plan it came from.
    """
    if inventory is not None:
        known = {h.name: h.groups for h in inventory.hosts}
        groups = {h.name: known.get(h.name, h.groups) for h in plan.hosts}
        where = inventory.source
    else:
        groups = {h.name: h.groups for h in plan.hosts}
        where = "the plan's hosts"
    chosen = hosts_matching(groups, pattern, where)
    return replace(
        plan,
        hosts=tuple(h for h in plan.hosts if h.name in chosen),
        decisions=tuple(d for d in plan.decisions if d.host in chosen),
    )


def _say_written(asked: GenerateOptions, plan: PlanDoc, files: Mapping[str, bytes]) -> None:
    """One line to stderr, or with --json the document a pipeline's next step reads."""
    hosts = sorted(
        p.removeprefix("host_vars/").removesuffix(".yml")
        for p in files
        if p.startswith("host_vars/")
    )
    if asked.json:
        document = {
            "project": str(asked.output),
            "plan": str(asked.plan),
            "plan_sha256": plan.sha256,
            "manifest_sha256": hashlib.sha256(files[MANIFEST]).hexdigest(),
            "hosts": hosts,
            "files": sorted(files),
        }
        sys.stdout.write(document_text(document))
        return
    print(
        f"wrote {shown(asked.output)}: {len(files)} files, {len(hosts)} hosts, "
        f"plan sha256 {plan.sha256[:12]}",
        file=sys.stderr,
    )


def _inventory(inventory: Inventory, plan: PlanDoc) -> dict[str, InventoryEntry]:
    """Each plan host's connection settings from the inventory; its address from the inventory,
    else the one the plan recorded (the resolver's at plan time), never from the scan."""
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
                f"{inventory.source}: host {name!r} has no ansible_host or address, and the plan "
                "recorded none for it"
            )
        entries[name] = InventoryEntry(
            address,
            host.port,
            host.var("ansible_user"),
            host.groups,
            host.var("ansible_connection"),
        )
    return entries
