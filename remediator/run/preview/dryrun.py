"""``dry-run``: the project's own playbook in check mode with diffs, read per finding.

The check run is the real ``playbooks/remediate.yml`` with ``--check --diff``: every
changed result in its job events is mapped back to the finding(s) it remediates, so the
preview is what the apply will do, not a guess beside it. A dry-run changes nothing,
so it may run outside the maintenance window: the guard play gets an always-open window
as an extra var (the apply's guard keeps the real one), and all hosts go in one batch.

The record keeps what an apply needs to prove it runs the reviewed project: the
manifest's and plan's sha256, every project file's sha256, the inventory and limit, and
how long the check took (the apply's first estimate of a batch's duration).

``dry-run.json`` is a schema-checked document (``remediator/dry-run/v1``), written by
:func:`dry_run` and read by :func:`load_dry_run`, both here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from remediator.common.checkrun import check_run_vars
from remediator.common.documents import read_document, write_document
from remediator.errors import ExecutionError, InputError
from remediator.run.ansible.events import hosts_seen, task_results
from remediator.run.ansible.runner import RunConfig, RunResult, run
from remediator.run.ansible.target import Target
from remediator.run.preview.verdicts import HostPreview, Status, preview_host
from remediator.run.progress import Progress
from remediator.run.project import REMEDIATE, file_hashes
from remediator.run.records.record import RunRecord

SCHEMA: Final = "remediator/dry-run/v1"
RECORD: Final = "dry-run.json"
DOCUMENT: Final = "dry-run"
"""The name of ``dry-run.json``'s shipped schema."""


@dataclass(frozen=True)
class DryRun:
    """A dry-run's result: per host and finding, and the fingerprints an apply checks."""

    run_id: str
    created: str
    project: str
    inventory: str
    limit: str | None
    seconds: float
    manifest_sha256: str
    plan_sha256: str
    files: Mapping[str, str]
    hosts: tuple[HostPreview, ...]
    status: str = "successful"

    def would_change(self) -> set[tuple[str, str]]:
        """(host, finding key) of every finding the check run would change."""
        return {
            (h.name, f.key)
            for h in self.hosts
            for f in h.findings
            if f.status is Status.WOULD_CHANGE
        }

    def count(self, status: Status) -> int:
        return sum(h.count(status) for h in self.hosts)

    def to_json(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            "run": self.run_id,
            "created": self.created,
            "project": self.project,
            "inventory": self.inventory,
            "limit": self.limit,
            "seconds": round(self.seconds, 3),
            "status": self.status,
            "manifest_sha256": self.manifest_sha256,
            "plan_sha256": self.plan_sha256,
            "files": dict(self.files),
            "totals": {
                s.value: self.count(s)
                for s in (Status.WOULD_CHANGE, Status.COMPLIANT, Status.UNKNOWN)
            },
            "hosts": [h.to_json() for h in self.hosts],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DryRun:
        """The dry-run of a document already checked against the ``dry-run`` schema."""
        return cls(
            run_id=data["run"],
            created=data["created"],
            project=data["project"],
            inventory=data["inventory"],
            limit=data.get("limit"),
            seconds=float(data["seconds"]),
            manifest_sha256=data["manifest_sha256"],
            plan_sha256=data["plan_sha256"],
            files=dict(data["files"]),
            hosts=tuple(HostPreview.from_json(h) for h in data["hosts"]),
            status=data.get("status", "successful"),
        )


def dry_run(target: Target, record: RunRecord, limit: str | None, progress: Progress) -> DryRun:
    """Run the project in check mode against ``target`` and record the preview."""
    project = target.project
    files = file_hashes(project.root)
    result = check_run(target, record, limit, progress, "dry-run")
    results = task_results(result.events)
    seen = hosts_seen(result.events)
    scope = [h for h in project.targets if limit is None or h.name in seen]
    report = DryRun(
        run_id=record.id,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        project=str(project.root),
        inventory=str(target.inventory),
        limit=limit,
        seconds=result.seconds,
        manifest_sha256=project.manifest_sha256,
        plan_sha256=project.plan_sha256,
        files=files,
        hosts=tuple(preview_host(spec, results, check=True) for spec in scope),
        status=result.status,
    )
    write_dry_run(record.path / RECORD, report)
    return report


def check_run(
    target: Target, record: RunRecord, limit: str | None, progress: Progress, ident: str
) -> RunResult:
    """The project's playbook in check mode with diffs, all hosts at once, window open.

    The dry-run's preview and the apply's idempotence pass are both this run; ``ident``
    names its artifacts in the record. KeyboardInterrupt when it was interrupted; an
    ExecutionError when it failed before reaching any host.
    """
    config = RunConfig(
        private_dir=record.ansible_dir,
        ident=ident,
        project=target.project.root,
        inventory=target.inventory,
        playbook=REMEDIATE,
        limit=limit,
        check_mode=True,
        diff=True,
        extravars={
            **check_run_vars(),
            "remediator_run_id": record.id,
        },
        namespace=target.namespace,
        node=target.node,
    )
    title = f"{ident} (check mode)"
    every = [h.name for h in target.project.targets]
    named = [h for h in every if limit is not None and h in limit.split(":")]
    progress.batch_started(title, named or every)  # a limit by group shows every host
    result = run(config, on_event=progress.event)
    progress.batch_finished(title, f"{result.status} in {result.seconds:.0f} s")
    if result.interrupted:
        raise KeyboardInterrupt
    if not hosts_seen(result.events) and result.rc != 0:
        raise ExecutionError(
            f"the check run failed before reaching any host (rc {result.rc}); "
            f"see {result.artifacts / 'stdout'}"
        )
    return result


def write_dry_run(path: Path, dry: DryRun) -> None:
    """Write ``dry-run.json`` (key-sorted); refused (a bug) unless it matches its schema."""
    write_document(path, DOCUMENT, dry.to_json(), sort_keys=True)


def load_dry_run(record: RunRecord) -> DryRun:
    """The dry-run recorded in ``record``."""
    if not record.has(RECORD):
        raise InputError(f"{record.path}: not a dry-run (no {RECORD})")
    return DryRun.from_json(read_document(record.path / RECORD, DOCUMENT))


def changes_since(dry: DryRun, target: Target) -> list[str]:
    """What differs between the project now and the project the dry-run saw."""
    project = target.project
    problems = []
    if dry.plan_sha256 != project.plan_sha256:
        problems.append(f"plan sha256 {dry.plan_sha256[:12]} -> {project.plan_sha256[:12]}")
    if dry.manifest_sha256 != project.manifest_sha256:
        problems.append("the manifest changed")
    now = file_hashes(project.root)
    edited = sorted(p for p in set(now) | set(dry.files) if now.get(p) != dry.files.get(p))
    if edited:
        problems.append(
            "files changed: "
            + ", ".join(edited[:10])
            + (f" (+{len(edited) - 10} more)" if len(edited) > 10 else "")
        )
    if dry.inventory != str(target.inventory):
        problems.append(f"another inventory ({dry.inventory})")
    return problems
