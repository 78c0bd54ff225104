"""The classify commands' work, from typed options; imported only when one of them runs.

``cli.py`` turns the command line into the options (see ``clitools.lazy_options``), so
nothing here reads an :class:`argparse.Namespace`.
"""

from __future__ import annotations

import sys
from datetime import date

from remediator.classify.catalog_load import load_catalog
from remediator.classify.model import PlanOptions, PolicyCheckOptions, PolicyInitOptions
from remediator.classify.plan import build_plan
from remediator.classify.policy.model import ALL_GROUP, Policy
from remediator.classify.policy.read import load_policy
from remediator.classify.policy.starter import starter_policy
from remediator.classify.render import render_table
from remediator.common.files import replace_text
from remediator.common.text import shown
from remediator.errors import InputError
from remediator.ingest import resolve
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import Inventory, load_inventory


def run_check(options: PolicyCheckOptions) -> int:
    """Validate a policy; print a one-line summary."""
    inventory = load_inventory(options.inventory) if options.inventory else None
    policy = load_policy(options.file, inventory)
    today = date.today()
    expired = sum(1 for e in policy.exceptions if not e.active_on(today))
    allows = sum(len(g.allow) for g in policy.groups.values())
    print(
        f"{shown(options.file)}: valid: {len(policy.groups)} groups, {allows} allow entries, "
        f"{len(policy.exceptions)} exceptions ({expired} expired as of {today.isoformat()})"
    )
    if inventory is not None:
        _warn_hosts_outside(policy, inventory)
    return 0


def _warn_hosts_outside(policy: Policy, inventory: Inventory) -> None:
    """A host no policy group covers loses every service: say so before a plan does it."""
    for host in inventory.hosts:
        if ALL_GROUP not in policy.groups and not set(host.groups) & set(policy.groups):
            print(
                f"warning: host {shown(host.name)} is in no policy group: every service found "
                f"on it is unneeded (disabled and blocked)",
                file=sys.stderr,
            )


def run_init(options: PolicyInitOptions) -> int:
    """Write the starter policy."""
    output = options.output
    if output is not None and output.exists() and not options.force:
        raise InputError(f"{output}: exists; use --force to overwrite")
    inventory = load_inventory(options.inventory, resolver=resolve.system_resolver)
    findings = load_findings(options.scans, inventory=inventory)
    text = starter_policy(findings, inventory, load_catalog(), options.admins)
    if output is None:
        sys.stdout.write(text)
    else:
        replace_text(output, text)
        print(
            f"wrote {shown(output)}: uncomment what the business needs, then "
            f"`remediator policy check {shown(output)}`",
            file=sys.stderr,
        )
    return 0


def run_plan(options: PlanOptions) -> int:
    """Build the plan; print it as a table or JSON, write it with -o."""
    inventory = load_inventory(options.inventory, resolver=resolve.system_resolver)
    policy = load_policy(options.policy, inventory)
    findings = load_findings(options.scans, options.format, inventory)
    plan = build_plan(findings, policy, inventory, options.as_of or date.today())
    text = plan.dumps()
    if options.output is not None:
        replace_text(options.output, text)
    if options.json:
        sys.stdout.write(text)
    else:
        sys.stdout.write(render_table(plan, options.limit))
        if options.output is not None:
            print(f"plan written to {shown(options.output)}")
    return 0
