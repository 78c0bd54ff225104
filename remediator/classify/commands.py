"""The classify commands' work, from typed options; imported only when one of them runs.

``cli.py`` turns the command line into the options (see ``clitools.lazy_options``), so
nothing here reads an :class:`argparse.Namespace`.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import MappingProxyType

from remediator.classify.catalog_load import load_catalog
from remediator.classify.model import FAIL_ON, PlanOptions, PolicyCheckOptions, PolicyInitOptions
from remediator.classify.plan import Plan, build_plan
from remediator.classify.policy.model import ALL_GROUP, Policy
from remediator.classify.policy.read import load_policy
from remediator.classify.policy.starter import starter_policy
from remediator.classify.problems import PolicyFileError
from remediator.classify.render import render_table, warning_lines
from remediator.common.documents import document_text
from remediator.common.files import replace_text
from remediator.common.text import shown
from remediator.errors import InputError, PolicyError
from remediator.ingest import resolve
from remediator.ingest.findingset import FindingSet, load_findings
from remediator.ingest.inventory import Inventory, hosts_matching, load_inventory


def run_check(options: PolicyCheckOptions) -> int:
    """Validate a policy; print a one-line summary, or with --json the whole verdict.

    With --json an invalid policy is a JSON answer too (exit 2), so an editor or a CI step
    can point at each error's file, line and path without parsing our prose.
    """
    inventory = load_inventory(options.inventory) if options.inventory else None
    try:
        policy = load_policy(options.file, inventory)
    except PolicyError as exc:
        if not options.json:
            raise
        _print_json(_check_document(options.file, None, _errors_of(exc, options.file), []))
        return PolicyError.exit_code
    warnings = _hosts_outside(policy, inventory) if inventory is not None else []
    if options.json:
        _print_json(_check_document(options.file, policy, [], warnings))
        return 0
    print(_check_summary(options.file, policy))
    sys.stderr.writelines(f"warning: {w}\n" for w in warnings)
    return 0


def _counts(policy: Policy, today: date) -> dict[str, int]:
    """What a valid policy holds, for the summary line and ``--json`` alike."""
    return {
        "groups": len(policy.groups),
        "allow_entries": sum(len(g.allow) for g in policy.groups.values()),
        "exceptions": len(policy.exceptions),
        "expired_exceptions": sum(1 for e in policy.exceptions if not e.active_on(today)),
    }


def _check_summary(file: Path, policy: Policy) -> str:
    today = date.today()
    counts = _counts(policy, today)
    return (
        f"{shown(file)}: valid: {counts['groups']} groups, {counts['allow_entries']} allow "
        f"entries, {counts['exceptions']} exceptions ({counts['expired_exceptions']} expired "
        f"as of {today.isoformat()})"
    )


def _check_document(
    file: Path, policy: Policy | None, errors: list[dict[str, object]], warnings: list[str]
) -> dict[str, object]:
    """``policy check --json``: the verdict, each error where it is, the warnings."""
    today = date.today()
    return {
        "file": str(file),
        "valid": policy is not None,
        "as_of": today.isoformat(),
        "counts": _counts(policy, today) if policy is not None else None,
        "errors": errors,
        "warnings": warnings,
    }


def _errors_of(exc: PolicyError, file: Path) -> list[dict[str, object]]:
    """Each problem as file/line/path/message; a YAML or I/O error is one, its line if known."""
    if isinstance(exc, PolicyFileError):
        return [
            {"file": p.file, "line": p.line, "path": p.path, "message": p.message}
            for p in exc.problems
        ]
    text = str(exc).removeprefix(f"{file}:")
    line, colon, rest = text.partition(":")
    known = bool(colon) and line.isdigit()
    return [
        {
            "file": str(file),
            "line": int(line) if known else None,
            "path": None,
            "message": (rest if known else text).strip(),
        }
    ]


def _print_json(document: object) -> None:
    sys.stdout.write(document_text(document))


def _hosts_outside(policy: Policy, inventory: Inventory) -> list[str]:
    """A host no policy group covers loses every service: say so before a plan does it."""
    return [
        f"host {shown(host.name)} is in no policy group: every service found "
        "on it is unneeded (disabled and blocked)"
        for host in inventory.hosts
        if ALL_GROUP not in policy.groups and not set(host.groups) & set(policy.groups)
    ]


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
    """Build the plan; print it as a table or JSON, write it with -o; warnings to stderr.

    Exit 1 when ``--fail-on`` names something the plan has: the plan is still written and
    printed first, so a pipeline that stops here keeps what it stopped on.
    """
    inventory = load_inventory(options.inventory, resolver=resolve.system_resolver)
    policy = load_policy(options.policy, inventory)
    findings = load_findings(options.scans, options.format, inventory)
    if options.limit is not None:
        findings, inventory = limited(findings, inventory, options.limit)
    plan = build_plan(findings, policy, inventory, options.as_of or date.today())
    _print_plan(plan, options)
    sys.stderr.writelines(f"{line}\n" for line in warning_lines(plan))
    reasons = failing(plan, options.fail_on)
    if reasons:
        print(f"plan fails --fail-on: {'; '.join(reasons)}", file=sys.stderr)
    return 1 if reasons else 0


def _print_plan(plan: Plan, options: PlanOptions) -> None:
    text = plan.dumps()
    if options.output is not None:
        replace_text(options.output, text)
    if options.json:
        sys.stdout.write(text)
    else:
        sys.stdout.write(render_table(plan, options.rows))
        if options.output is not None:
            print(f"plan written to {shown(options.output)}")


def limited(
    findings: FindingSet, inventory: Inventory, pattern: str
) -> tuple[FindingSet, Inventory]:
    """Only the inventory hosts an Ansible pattern selects, and only their findings.

    Addresses are matched against the whole inventory first, so a host left out by the
    pattern is left out, not reported as unmatched; an address no host claims has no host
    a pattern could select, so under a limit it is not planned (nor listed) at all.
    """
    groups = {h.name: h.groups for h in inventory.hosts}
    chosen = hosts_matching(groups, pattern, inventory.source)
    kept = [f for f in findings.findings if findings.inventory_host(f.host.address) in chosen]
    names = {a: n for a, n in findings.host_names.items() if n in chosen}
    narrowed = replace(
        findings,
        findings=tuple(kept),
        hosts=tuple(h for h in findings.hosts if h.address in names),
        unmatched=(),
        host_names=MappingProxyType(names),
        hints=MappingProxyType({}),
    )
    hosts = tuple(h for h in inventory.hosts if h.name in chosen)
    return narrowed, replace(inventory, hosts=hosts)


def failing(plan: Plan, fail_on: Sequence[str]) -> list[str]:
    """Why ``plan`` fails the ``--fail-on`` conditions (none: it passes them)."""
    asv = Counter(d.asv for d in plan.decisions)
    found = {
        "auto_fail": asv["auto_fail"] and f"{asv['auto_fail']} decisions predict an ASV auto-fail",
        "fail": (asv["auto_fail"] + asv["fail"])
        and f"{asv['auto_fail'] + asv['fail']} decisions predict an ASV fail or auto-fail",
        "stale": plan.scan_age.stale and f"the scan is {plan.scan_age.age_days} days old",
        "unmatched": plan.unmatched and f"{len(plan.unmatched)} addresses match no host",
    }
    return [str(found[name]) for name in FAIL_ON if name in fail_on and found[name]]
