"""``remediator verify RUN [--rescan]``: the host tests, the rescan, one state per finding.

Reads the run record (its plan copy, project and inventory), runs every host's generated
testinfra suite in parallel, and with ``--rescan`` (lab only for now) rescans the
affected hosts and ports from the lab controller, then writes ``verify.json`` into the
record and prints the counts. The plan's exceptions are re-judged on the day verify runs
(``--as-of``): one expired since the plan covers nothing. Exit 0 only when every fixable
finding is resolved, nothing is ``open``, nothing allowed broke and nothing blocking is new
(``kept``, an allowed service still answering, never fails).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from remediator.classify.catalog_load import load_catalog
from remediator.classify.plan_document import PlanDoc, load_plan
from remediator.common import providers
from remediator.common.documents import document_text
from remediator.common.text import shown
from remediator.errors import InputError, RefusedError
from remediator.ingest import resolve
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import Inventory, hosts_matching, load_inventory
from remediator.run.ansible.target import Target
from remediator.run.project import load_project
from remediator.run.records.record import RUN_FILE, RunRecord, open_run
from remediator.verify.compare import compare
from remediator.verify.junit import write_junit
from remediator.verify.model import (
    Outcome,
    Role,
    State,
    TestResult,
    Verification,
    VerifyOptions,
)
from remediator.verify.originals import originals_of
from remediator.verify.rescan import Rescan, rescan_from
from remediator.verify.scope import Scope, scope_of
from remediator.verify.store import VERIFY_FILE, write_verification
from remediator.verify.suites import run_suites


def run_verify(asked: VerifyOptions) -> int:
    """Prove the run ``asked.run``: suites, rescan, one state per finding, ``verify.json``."""
    if asked.junit == "-" and asked.json:
        raise InputError("--json and --junit - would both write to standard output")
    record = open_run(asked.run, asked.runs_dir)
    plan = load_plan(record.path / "plan.json")
    chosen = _limited(plan, asked.limit)
    on = asked.as_of or datetime.now(UTC).date()
    originals = tuple(o for o in originals_of(plan, on) if chosen is None or o.host in chosen)
    target = _target(record)
    tests: tuple[TestResult, ...] = ()
    if not asked.no_tests:
        suites = {
            h.name: h.suite
            for h in target.project.targets
            if h.suite and (chosen is None or h.name in chosen)
        }
        tests = run_suites(target, suites, record.path / "verify", asked.workers)
    rescan = None
    if asked.rescan or asked.rescan_command:
        rescan = rescan_of(
            scope_of(originals),
            record.path / "rescan",
            namespace=target.namespace,
            inventory=target.inventory,
            command=asked.rescan_command,
            sources=asked.rescan_source,
            lab_dir=asked.lab_state_dir,
        )
    result = replace(compare(originals, rescan, tests), judged_on=on.isoformat())
    write_verification(record.path, result)
    if asked.junit is not None:
        write_junit(result, f"remediator verify {record.id}", asked.junit)
    if asked.json:
        sys.stdout.write(document_text(result.to_json()))
    else:  # beside XML on standard output, the summary goes to standard error
        summary = sys.stderr if asked.junit == "-" else sys.stdout
        summary.write(summary_text(result, record))
    return 0 if result.passed else 1


def _limited(plan: PlanDoc, limit: str | None) -> frozenset[str] | None:
    """The plan's hosts an Ansible pattern selects (None: no limit, every finding).

    Matched against the groups the plan recorded for each host, so the pattern means what
    it meant to the inventory the plan was made from; unmatched addresses have no host and
    are left out under a limit.
    """
    if limit is None:
        return None
    groups = {h.name: h.groups for h in plan.hosts}
    return hosts_matching(groups, limit, "the plan's hosts")


def summary_text(result: Verification, record: RunRecord) -> str:
    """The counts and the findings that keep verify from passing."""
    counts = result.counts()
    lines = [f"run {record.id}: " + ", ".join(f"{counts[s.value]} {s.value}" for s in State)]
    for outcome in result.outcomes:
        if _holds_back(outcome):
            o = outcome.original
            lines.append(
                f"  {outcome.state.value:8} {shown(o.host or '-')} {shown(o.finding_key)}: "
                f"{shown(outcome.reason)}"
            )
    lines += [
        f"  broken   {shown(o.original.finding_key)}: {shown(o.reason)}"
        for o in result.broken_allowed
    ]
    lines += [f"  new      {shown(n.key)} {shown(n.check_id)}" for n in result.new if n.blocking]
    lines.append(f"verification {'passed' if result.passed else 'did not pass'}; "
                 f"written to {record.path / VERIFY_FILE}")  # fmt: skip
    return "\n".join(lines) + "\n"


def _holds_back(outcome: Outcome) -> bool:
    """A fixable finding not resolved, or anything else ``open`` (an expired exception)
    that is not an allowed service's breakage (listed on its own)."""
    if outcome.original.role is Role.FIX:
        return outcome.state is not State.RESOLVED
    return outcome.state is State.OPEN and not outcome.allowed_broken


def _target(record: RunRecord) -> Target:
    info = record.info()
    project, inventory = info.ran_against(record.path / RUN_FILE)
    return Target(load_project(project), inventory, info.network_namespace or None)


def rescan_of(
    scope: Scope,
    folder: Path,
    *,
    namespace: str | None,
    inventory: Path,
    command: str | None = None,
    sources: Sequence[str] = (),
    lab_dir: Path | None = None,
) -> Rescan:
    """The rescan of ``scope``, its files written in ``folder``, read back like any scan.

    By the user's scanner ``command`` when given (never through a shell; ``sources`` are
    its own addresses), else by nmap from the provider owning the run's ``namespace`` (the
    lab's controller). Addresses are mapped to hosts by the run's ``inventory`` only.
    ``verify`` and ``watch`` both rescan through here, so both scan the same way.
    """
    if command:
        from remediator.verify.userscan import rescan_with_command  # noqa: PLC0415

        files, scanned_from = rescan_with_command(command, scope, folder), tuple(sources)
    else:
        if namespace is None:
            raise RefusedError(
                "--rescan runs nmap from the lab controller; outside the lab, give the "
                "scanner to run with --rescan-command (see --help)"
            )
        done = providers.rescan(
            namespace, scope.addresses, scope.ports, folder, lab_dir, kinds=scope.kinds
        )
        files, scanned_from = done.files, done.sources
    found = load_findings(list(files), inventory=_inventory(inventory))
    return rescan_from(
        found, load_catalog(), addresses=scope.addresses, ports=scope.ports, sources=scanned_from
    )


def _inventory(path: Path) -> Inventory:
    """The run's inventory, its DNS names resolved as at plan time (addresses map hosts)."""
    return load_inventory(path, resolver=resolve.system_resolver)
