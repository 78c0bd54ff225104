"""``remediator policy check|init`` and ``remediator plan``: argparse only.

Each command's arguments become its frozen options (:mod:`remediator.classify.model`) here;
:mod:`remediator.classify.commands` does the work from those options alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from remediator.classify.model import FAIL_ON, PlanOptions, PolicyCheckOptions, PolicyInitOptions
from remediator.clitools import iso_day, lazy_options, options_from
from remediator.ingest.registry import FAMILIES

COMMANDS = "remediator.classify.commands"

POLICY_DESCRIPTION = """\
Write down, once, which services each inventory group may expose, to whom and why.

A policy (YAML) lists per inventory group the allowed services (catalog name or
port/protocol) with their sources (any, named networks, CIDRs), a justification
and an owner; the management access (ssh from the admin networks) that no plan
may cut; the TLS profile; and dated exceptions. Everything not allowed is treated
as unneeded: disabled and its port blocked.
"""

CHECK_EPILOG = """\
examples:
  remediator policy check policy.yml
  remediator policy check examples/lab-policy.yml --inventory inventory/lab.yml

Errors name file:line and the path in the file (groups.web.allow[2].sources).
exit codes: 0 valid, 2 invalid.
"""

INIT_EPILOG = """\
examples:
  remediator policy init scan.xml --inventory hosts.yml -o policy.yml --admin 192.0.2.10/32

Every observed service is written as a commented proposal under the most specific
group of the host it was seen on. Without --admin the admin network is a placeholder
that `policy check` rejects until you fill it in.
exit codes: 0 written, 2 bad input (scan, inventory, or an output that exists without --force).
"""

PLAN_DESCRIPTION = """\
Decide every finding against the policy: a PCI verdict, ordered actions and a reason.

Each distinct finding (address, protocol, port, check id) gets exactly one decision:
verdict fail/pass/excepted, the predicted ASV outcome (auto_fail, fail, special_note,
pass), actions (disable_service, firewall_block, firewall_restrict, enforce_tls, keep,
manual), the reason citing the policy entry or catalog fact, and PCI DSS references.
The JSON plan (remediator/plan/v1) is the input of `remediator generate`.

Scanned addresses map to inventory hosts by address only: ansible_host (an IP),
remediator_addresses, or what this controller's resolver gives now for the name Ansible
connects to (a DNS-name ansible_host, else the host name). The plan records each host's
addresses and their origin; names the scan reports are shown beside unmatched addresses.
"""

PLAN_EPILOG = """\
examples:
  remediator plan scan.xml --policy policy.yml --inventory hosts.yml
  remediator plan findings.json --policy policy.yml --inventory hosts.yml -o plan.json
  remediator plan q3.nessus --policy policy.yml --inventory hosts.yml --as-of 2026-12-01 --json
  remediator plan scan.xml --policy policy.yml -i hosts.yml -l 'web:!web3' --rows 20
  remediator plan scan.xml --policy policy.yml -i hosts.yml -o plan.json --fail-on auto_fail,stale

--as-of (default: today) is the day exceptions are judged on; the same inputs, date
and DNS answers give a byte-identical plan.
With -l only the hosts the pattern selects are planned (and later generated); warnings
(unmatched addresses, a scan older than the policy allows) go to standard error.
exit codes: 0 planned, 1 planned but --fail-on found what it names, 2 bad input (scan,
policy, inventory, or a limit that matches no host).
"""


def _fail_on(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    wrong = [n for n in names if n not in FAIL_ON]
    if wrong or not names:
        raise argparse.ArgumentTypeError(
            f"{text!r}: choose from {', '.join(FAIL_ON)} (a comma list or repeated)"
        )
    return names


def check_options(args: argparse.Namespace) -> PolicyCheckOptions:
    """``policy check``'s arguments as its options."""
    return options_from(PolicyCheckOptions, args)


def init_options(args: argparse.Namespace) -> PolicyInitOptions:
    """``policy init``'s arguments as its options."""
    return options_from(PolicyInitOptions, args, scans=tuple(args.scans), admins=tuple(args.admin))


def plan_options(args: argparse.Namespace) -> PlanOptions:
    """``plan``'s arguments as its options."""
    fail_on = tuple(dict.fromkeys(n for names in args.fail_on for n in names))
    return options_from(PlanOptions, args, scans=tuple(args.scans), fail_on=fail_on)


def _formatter() -> type[argparse.RawDescriptionHelpFormatter]:
    return argparse.RawDescriptionHelpFormatter


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``policy`` (check, init) and ``plan`` to the top-level parser."""
    _register_policy(subparsers)
    _register_plan(subparsers)


def _register_policy(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    policy = subparsers.add_parser(
        "policy",
        help="check or start a policy file",
        description=POLICY_DESCRIPTION,
        formatter_class=_formatter(),
    )
    actions = policy.add_subparsers(dest="policy_command", metavar="{check,init}", required=True)
    check = actions.add_parser(
        "check",
        help="validate a policy file",
        epilog=CHECK_EPILOG,
        description="Validate a policy file against its schema, the "
        "catalog and (optionally) an inventory.",
        formatter_class=_formatter(),
    )
    check.add_argument("file", type=Path, metavar="FILE", help="the policy (YAML)")
    check.add_argument(
        "-i", "--inventory", type=Path, help="check group names against this inventory"
    )
    check.add_argument(
        "--json", action="store_true", help="print the result (valid, errors, warnings) as JSON"
    )
    check.set_defaults(func=lazy_options(COMMANDS, "run_check", check_options))
    init = actions.add_parser(
        "init",
        help="write a starter policy from a scan",
        epilog=INIT_EPILOG,
        description="Write a starter policy listing every observed "
        "service as a commented proposal.",
        formatter_class=_formatter(),
    )
    init.add_argument("scans", nargs="+", type=Path, metavar="SCAN", help="scan or findings files")
    init.add_argument("-i", "--inventory", type=Path, required=True, help="Ansible inventory")
    init.add_argument(
        "--admin",
        action="append",
        default=[],
        metavar="CIDR",
        help="admin network Ansible connects from (repeatable)",
    )
    init.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    init.add_argument("--force", action="store_true", help="overwrite an existing output file")
    init.set_defaults(func=lazy_options(COMMANDS, "run_init", init_options))


def _register_plan(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = subparsers.add_parser(
        "plan",
        help="decide every finding against the policy",
        description=PLAN_DESCRIPTION,
        epilog=PLAN_EPILOG,
        formatter_class=_formatter(),
    )
    plan.add_argument(
        "scans",
        nargs="+",
        type=Path,
        metavar="SCAN|FINDINGS",
        help="scan reports or findings JSON from `remediator ingest -o`",
    )
    plan.add_argument("--policy", type=Path, required=True, help="policy file (YAML)")
    plan.add_argument("-i", "--inventory", type=Path, required=True, help="Ansible inventory")
    plan.add_argument(
        "--as-of",
        type=iso_day,
        default=None,
        metavar="DATE",
        help="judge exceptions on this day (YYYY-MM-DD; default today)",
    )
    plan.add_argument(
        "--format",
        default="auto",
        choices=("auto", *FAMILIES),
        help="scanner format of the inputs (default: detect)",
    )
    plan.add_argument("-o", "--output", type=Path, help="write the JSON plan to this file")
    plan.add_argument("--json", action="store_true", help="print the JSON plan, not the table")
    plan.add_argument(
        "-l",
        "--limit",
        metavar="PATTERN",
        help="plan only the inventory hosts this Ansible host pattern selects (groups, "
        "wildcards, !, &, ':' or ','); addresses no host claims are then left out",
    )
    plan.add_argument(
        "--rows",
        type=int,
        default=None,
        metavar="N",
        help="show only the N worst decisions in the table",
    )
    plan.add_argument(
        "--fail-on",
        action="append",
        type=_fail_on,
        default=[],
        metavar="WHAT",
        help="exit 1 (after writing the plan) when a decision predicts an ASV auto_fail or "
        "fail (fail includes auto_fail), the scan is stale, or an address is unmatched; "
        "repeatable or a comma list: --fail-on auto_fail,unmatched",
    )
    plan.set_defaults(func=lazy_options(COMMANDS, "run_plan", plan_options))
