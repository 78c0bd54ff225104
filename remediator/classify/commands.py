"""The classify commands' work; imported only when one of them runs (see clitools.lazy)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from remediator.classify.catalog_load import load_catalog
from remediator.classify.plan import build_plan
from remediator.classify.policy.model import ALL_GROUP
from remediator.classify.policy.read import load_policy
from remediator.classify.policy.starter import starter_policy
from remediator.classify.render import render_table
from remediator.common.files import replace_text
from remediator.common.text import shown
from remediator.errors import InputError
from remediator.ingest import resolve
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory


def run_check(args: argparse.Namespace) -> int:
    """Validate a policy; print a one-line summary."""
    inventory = load_inventory(args.inventory) if args.inventory else None
    policy = load_policy(args.file, inventory)
    today = date.today()
    expired = sum(1 for e in policy.exceptions if not e.active_on(today))
    allows = sum(len(g.allow) for g in policy.groups.values())
    print(
        f"{shown(args.file)}: valid: {len(policy.groups)} groups, {allows} allow entries, "
        f"{len(policy.exceptions)} exceptions ({expired} expired as of {today.isoformat()})"
    )
    if inventory is not None:
        for host in inventory.hosts:
            if ALL_GROUP not in policy.groups and not set(host.groups) & set(policy.groups):
                print(
                    f"warning: host {shown(host.name)} is in no policy group: every service found "
                    f"on it is unneeded (disabled and blocked)",
                    file=sys.stderr,
                )
    return 0


def run_init(args: argparse.Namespace) -> int:
    """Write the starter policy."""
    if args.output is not None and args.output.exists() and not args.force:
        raise InputError(f"{args.output}: exists; use --force to overwrite")
    inventory = load_inventory(args.inventory, resolver=resolve.system_resolver)
    findings = load_findings(args.scans, inventory=inventory)
    text = starter_policy(findings, inventory, load_catalog(), args.admin)
    if args.output is None:
        sys.stdout.write(text)
    else:
        replace_text(args.output, text)
        print(
            f"wrote {shown(args.output)}: uncomment what the business needs, then "
            f"`remediator policy check {shown(args.output)}`",
            file=sys.stderr,
        )
    return 0


def run_plan(args: argparse.Namespace) -> int:
    """Build the plan; print it as a table or JSON, write it with -o."""
    inventory = load_inventory(args.inventory, resolver=resolve.system_resolver)
    policy = load_policy(args.policy, inventory)
    findings = load_findings(args.scans, args.format, inventory)
    plan = build_plan(findings, policy, inventory, args.as_of or date.today())
    text = plan.dumps()
    if args.output is not None:
        replace_text(args.output, text)
    if args.json:
        sys.stdout.write(text)
    else:
        sys.stdout.write(render_table(plan, args.limit))
        if args.output is not None:
            print(f"plan written to {shown(args.output)}")
    return 0
