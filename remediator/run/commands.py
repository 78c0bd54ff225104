"""The three run commands as functions of their options: dry-run, apply, rollback.

Order matters and is the point of this module: an apply checks its approval before
anything else (a refused apply has done nothing), the window before it contacts any
host, takes the inventory lock before it changes anything, proves (or runs) the
dry-run it is tied to, and only then creates its record and starts batches.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from remediator.common.documents import document_text
from remediator.common.text import shown
from remediator.common.window import parse_window
from remediator.errors import ExecutionError, InputError, RefusedError, UnresolvedError
from remediator.ingest.inventory import hosts_matching, load_inventory
from remediator.run.ansible.target import Target, execution_node, make_target, reach_namespace
from remediator.run.apply.batches import open_window, parse_percent, parse_size
from remediator.run.apply.lock import run_lock
from remediator.run.apply.orchestrate import Apply, ApplyRequest, utc_now
from remediator.run.apply.rollback import Restore, RestoreResult, rollback, snapshotted
from remediator.run.model import ApplyOptions, Common, RollbackOptions
from remediator.run.preview.dryrun import DryRun, changes_since, dry_run, load_dry_run
from remediator.run.progress import Progress
from remediator.run.project import load_project
from remediator.run.provenance import Provenance, expired_warning, find_sources
from remediator.run.records.approval import approval_of
from remediator.run.records.outcome import (
    SUMMARY,
    ApplyReport,
    note_rollback,
    summary_document,
)
from remediator.run.records.record import (
    RUN_FILE,
    ApplyTerms,
    JobOrigin,
    RunInfo,
    RunRecord,
    new_run,
    open_run,
)
from remediator.run.render import apply_text, dry_run_text, rollback_text, warnings_text


def dry_run_command(common: Common, limit: str | None) -> int:
    """``remediator dry-run``: preview per host and finding; 0 even when there is work.

    A preview the playbook could not finish (a host unreachable, a task failed) is shown
    and recorded like any, then ends in exit 4: to a script, "nothing could be previewed"
    must not look like "previewed, with work to do".
    """
    target = make_target(load_project(common.project), common.inventory, common.execution_node)
    if limit is not None:
        limit_hosts(target.inventory, limit, [h.name for h in target.project.targets])
    provenance = find_sources(target.project, common.plan, common.findings)
    dry = _new_dry_run(common, target, provenance, limit, Progress(quiet=common.json))
    emit(common.json, dry.to_json(), dry_run_text(dry))
    if dry.status != "successful":
        raise ExecutionError(
            f"the dry-run {dry.run_id} ended {dry.status!r}: it could not preview every host; "
            f"see {shown(common.runs_dir / dry.run_id)}"
        )
    return 0


def apply_command(common: Common, options: ApplyOptions) -> int:
    """``remediator apply``: see :mod:`remediator.run.apply.orchestrate`; exit 0, 1, 3 or 130."""
    with interruptible():
        return _apply(common, options)


@contextmanager
def interruptible() -> Iterator[None]:
    """Ctrl-C (SIGINT) interrupts the apply, even if this process inherited it ignored.

    A shell without job control starts background commands with SIGINT ignored, and
    Python then never raises KeyboardInterrupt: ``kill -INT`` of such an apply (or a CI
    job's interrupt) would be lost and the apply would carry on. An interrupted apply
    settles its hosts and exits 130, which is what SIGINT must mean here.
    """
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if previous is signal.SIG_IGN:
            signal.signal(signal.SIGINT, previous)


def _apply(common: Common, options: ApplyOptions) -> int:
    approval = approval_of(options.approved_by, options.ticket, no_approval=options.no_approval)
    now = utc_now()
    window = parse_window(options.window, now)
    project = load_project(common.project)
    batch = (parse_size(options.batch),) if options.batch else project.batch or (1,)
    max_fail = parse_percent(options.max_fail) if options.max_fail else project.max_fail
    target = make_target(project, common.inventory)
    hosts = [h.name for h in project.targets]
    if options.limit is not None:  # bad input before any refusal
        chosen = limit_hosts(target.inventory, options.limit, hosts)
        hosts = [h for h in hosts if h in chosen]
    opened = open_window(window, project, now)  # before any host is contacted
    provenance = find_sources(project, common.plan, common.findings)
    progress = Progress(quiet=common.json)
    with run_lock(target.inventory, target.identities(hosts), f"remediator apply {project.root}"):
        warning = provenance.scan_warning(now.date())
        expired = provenance.expired_exceptions(now.date())
        said = [w for w in (warning, expired_warning(expired)) if w]
        if said:
            sys.stderr.write(warnings_text(said))
        dry = _reviewed(common, options, target, provenance, progress)
        record = new_run(common.runs_dir, "apply", project.root, utc_now())
        request = ApplyTerms(
            window=window.spec,
            window_closes=opened.closes.isoformat(timespec="seconds"),
            approval=approval,
            batch=tuple(batch),
            max_fail_percent=max_fail,
            scan_warning=warning,
            expired_exceptions=expired,
        )
        write_run_info(
            record,
            "apply",
            target=target,
            provenance=provenance,
            limit=options.limit or dry.limit,
            terms=request,
        )
        report = ApplyReport(record, dry, request.to_json())
        try:
            only = tuple(hosts) if options.limit is not None else None
            Apply(ApplyRequest(target, window, batch, max_fail, only), report, progress).run()
        except KeyboardInterrupt:
            progress.close()
            emit(common.json, report.to_json(), apply_text(report))
            raise
        finally:
            progress.close()
    emit(common.json, report.to_json(), apply_text(report))
    return _apply_exit(report)


def _apply_exit(report: ApplyReport) -> int:
    if report.status == "failed":
        raise UnresolvedError(
            f"a batch failed and was rolled back; see {report.record.path / SUMMARY}"
        )
    if report.status == "stopped":
        raise RefusedError(report.stopped)
    return 0


def rollback_command(options: RollbackOptions) -> int:
    """``remediator rollback RUN [--host H] [-l PATTERN]``: restore an apply's hosts."""
    record = open_run(options.run, options.runs_dir)
    info = record.info()
    if info.kind != "apply":
        raise InputError(f"{record.path}: run {record.id} is a {info.kind}, not an apply")
    project_dir, inventory = info.ran_against(record.path / RUN_FILE)
    project = load_project(project_dir)
    node = options.execution_node or info.execution_node
    target = (
        Target(project, inventory, None, execution_node(node))
        if node
        else Target(project, inventory, reach_namespace(inventory))
    )
    summary = summary_document(record)
    hosts = _to_restore(record, inventory, options)
    label = f"rollback-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    with run_lock(inventory, target.identities(hosts), f"remediator rollback {record.id}"):
        results = _restore_snapshots(target, record, info, hosts, label)
    note_rollback(record, summary, results, label)
    record.write(
        f"{label}.json",
        {n: {"outcome": r.outcome.value, "detail": r.detail} for n, r in results.items()},
    )
    document = {
        "run": record.id,
        "rollback": label,
        "hosts": {n: {"outcome": r.outcome.value, "detail": r.detail} for n, r in results.items()},
    }
    emit(options.json, document, rollback_text(record.id, results))
    if any(r.outcome not in (Restore.RESTORED, Restore.NO_SNAPSHOT) for r in results.values()):
        raise UnresolvedError(f"not every host was restored; see {record.path / (label + '.json')}")
    return 0


def _restore_snapshots(
    target: Target, record: RunRecord, info: RunInfo, hosts: list[str], label: str
) -> dict[str, RestoreResult]:
    """Restore each host to the snapshot its run took: named by the run's id, or (a job
    imported from elsewhere) as the job's play named it on that host."""
    named = info.imported.snapshots if info.imported else {}
    groups: dict[str, list[str]] = {}
    for host in hosts:
        groups.setdefault(named.get(host, record.id), []).append(host)
    results = {}
    for number, (snapshot, members) in enumerate(sorted(groups.items()), 1):
        part = label if len(groups) == 1 else f"{label}-{number}"
        results.update(rollback(target, record, members, snapshot, part))
    return results


def _to_restore(record: RunRecord, inventory: Path, options: RollbackOptions) -> list[str]:
    """The snapshotted hosts ``--host`` or ``-l`` names (all of them without either)."""
    taken = snapshotted(record)
    hosts = [options.host] if options.host else taken
    if options.host and options.host not in taken:
        raise InputError(
            f"run {record.id} took no snapshot on {options.host!r}; "
            f"snapshots: {', '.join(taken) or 'none'}"
        )
    if options.limit is None:
        return hosts
    chosen = limit_hosts(inventory, options.limit, hosts)
    return [h for h in hosts if h in chosen]


def limit_hosts(inventory: Path, limit: str, among: list[str]) -> frozenset[str]:
    """The hosts of ``among`` an Ansible pattern selects, groups taken from ``inventory``.

    Matched by ansible-core (:func:`~remediator.ingest.inventory.hosts_matching`), so a
    limit that selects no host is refused here, before any host is contacted.
    """
    groups = {h.name: h.groups for h in load_inventory(inventory).hosts}
    return hosts_matching({h: groups.get(h, ()) for h in among}, limit, str(inventory))


def _reviewed(
    common: Common,
    options: ApplyOptions,
    target: Target,
    provenance: Provenance,
    progress: Progress,
) -> DryRun:
    """The dry-run the apply is tied to: the one named (proven unchanged) or a new one."""
    if options.dry_run_id is None:
        dry = _new_dry_run(common, target, provenance, options.limit, progress)
        if not common.json:
            sys.stdout.write(dry_run_text(dry) + "\n")
        return dry
    dry = load_dry_run(open_run(options.dry_run_id, common.runs_dir))
    problems = changes_since(dry, target)
    if options.limit is not None and options.limit != dry.limit:
        every = [h.name for h in target.project.targets]
        chosen = limit_hosts(target.inventory, options.limit, every)
        if not chosen <= {h.name for h in dry.hosts}:
            problems.append(
                f"the dry-run's limit was {dry.limit!r}, this apply's {options.limit!r} "
                "(a limit selecting only hosts the dry-run previewed may narrow it)"
            )
    if problems:
        raise RefusedError(
            f"the project or its plan changed since dry-run {dry.run_id}: "
            + "; ".join(problems)
            + ". Dry-run it again and review the result."
        )
    return dry


def _new_dry_run(
    common: Common,
    target: Target,
    provenance: Provenance,
    limit: str | None,
    progress: Progress,
) -> DryRun:
    record = new_run(common.runs_dir, "dry-run", target.project.root, utc_now())
    write_run_info(record, "dry-run", target=target, provenance=provenance, limit=limit, terms=None)
    try:
        return dry_run(target, record, limit, progress)
    finally:
        progress.close()


def write_run_info(
    record: RunRecord,
    kind: str,
    *,
    target: Target,
    provenance: Provenance,
    limit: str | None,
    terms: ApplyTerms | None,
    imported: JobOrigin | None = None,
) -> None:
    """Start the record: ``run.json`` and its copies of the manifest, plan and findings."""
    project = target.project
    record.copy_in(project.root / "remediator-manifest.json", "manifest.json")
    if provenance.plan is not None:
        record.copy_in(provenance.plan, "plan.json")
    if provenance.findings is not None:
        record.copy_in(provenance.findings, "findings.json")
    record.write_info(
        RunInfo(
            id=record.id,
            kind=kind,
            created=utc_now().isoformat(timespec="seconds"),
            project=str(project.root),
            inventory=str(target.inventory),
            network_namespace=target.namespace,
            execution_node=target.node.destination if target.node else None,
            limit=limit,
            manifest_sha256=project.manifest_sha256,
            plan_sha256=project.plan_sha256,
            plan_file=str(provenance.plan) if provenance.plan else None,
            findings_file=str(provenance.findings) if provenance.findings else None,
            terms=terms,
            imported=imported,
        )
    )


def emit(as_json: bool, document: object, text: str, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    out.write(document_text(document) if as_json else text)
    out.flush()
