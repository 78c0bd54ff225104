"""The run directory ``runs/<id>/``: the audit record of one dry-run or apply.

::

    runs/<id>/run.json          what ran: kind, project, inventory, hashes, who approved it
                                (or that approval was waived: ``approval``)
    runs/<id>/manifest.json     the project's manifest as it was
    runs/<id>/plan.json         the plan the project came from (when found), findings.json too
    runs/<id>/ansible/          ansible-runner's private data dir (artifacts/<ident>/job_events)
    runs/<id>/snapshots/        per host: the snapshot taken on it and every restore of it
    runs/<id>/checks/           the post-batch verification's raw results
    runs/<id>/dry-run.json      a dry-run's per-host, per-finding preview
    runs/<id>/summary.json      an apply's outcome, rewritten after every batch

Runs live under the working directory (or ``--runs-dir``), never inside the generated
project, which stays a pure output. Every file is written temp-file-then-rename, by the
one file writer; ``run.json`` is a schema-checked document (``remediator/run/v1``) read
and written only here, as a :class:`RunInfo`.
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from remediator.common.documents import document_text, read_document, write_document
from remediator.common.files import replace_text, replacing
from remediator.errors import InputError
from remediator.run.ansible.runner import IDENT
from remediator.run.records.approval import Approval

RUN_FILE: Final = "run.json"
SCHEMA: Final = "remediator/run/v1"
DOCUMENT: Final = "run"
"""The name of ``run.json``'s shipped schema (``remediator/schemas/run.schema.json``)."""
DEFAULT_RUNS_DIR: Final = Path("runs")


@dataclass(frozen=True)
class ApplyTerms:
    """What an apply was asked and under whose authority: in its ``run.json`` and summary."""

    window: str | None = None
    window_closes: str | None = None
    approval: Approval | None = None
    """None only in a record written before approval was required."""
    batch: tuple[int | str, ...] = ()
    max_fail_percent: int | None = None
    scan_warning: str | None = None
    expired_exceptions: tuple[str, ...] = ()
    """Findings left alone under an exception that has expired by the apply's day."""

    def to_json(self) -> dict[str, object]:
        """The keys an apply adds to ``run.json`` (and to ``summary.json``)."""
        return {
            "window": self.window,
            "window_closes": self.window_closes,
            "approved_by": self.approval.approved_by if self.approval else None,
            "ticket": self.approval.ticket if self.approval else None,
            **({"approval": self.approval.to_json()} if self.approval else {}),
            "batch": list(self.batch),
            "max_fail_percent": self.max_fail_percent,
            "scan_warning": self.scan_warning,
            "expired_exceptions": list(self.expired_exceptions),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApplyTerms:
        """The terms of a schema-checked document (absent keys read as None)."""
        return cls(
            window=data.get("window"),
            window_closes=data.get("window_closes"),
            approval=_approval(data),
            batch=tuple(data.get("batch", ())),
            max_fail_percent=data.get("max_fail_percent"),
            scan_warning=data.get("scan_warning"),
            expired_exceptions=tuple(data.get("expired_exceptions", ())),
        )


def _approval(data: Mapping[str, Any]) -> Approval | None:
    """The terms' approval; in a record older than ``approval``, its free-text approver and
    ticket when it named either (never a waiver: none could be given then), else None."""
    if "approval" in data:
        return Approval.from_json(data["approval"])
    if data.get("approved_by") is None and data.get("ticket") is None:
        return None
    return Approval(data.get("approved_by"), data.get("ticket"), waived=False)


@dataclass(frozen=True)
class JobOrigin:
    """Where an imported run's events came from (``remediator import-job``): the job ran
    elsewhere (AWX, an execution node, a plain ansible-runner), and was read afterwards."""

    source: str
    """The artifacts directory or AWX events file, as given."""
    kind: str
    status: str
    rc: int | None
    events: int
    snapshots: Mapping[str, str] = field(default_factory=dict)
    """Each host's snapshot id, as the job's play named it (what a rollback restores)."""
    strangers: tuple[str, ...] = ()
    """Hosts the job's events named that the project's inventory does not know (left out)."""

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": self.kind,
            "status": self.status,
            "rc": self.rc,
            "events": self.events,
            "snapshots": dict(self.snapshots),
            "strangers": list(self.strangers),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobOrigin:
        return cls(
            source=data["source"],
            kind=data["kind"],
            status=data["status"],
            rc=data.get("rc"),
            events=data["events"],
            snapshots=dict(data.get("snapshots", {})),
            strangers=tuple(data.get("strangers", ())),
        )


@dataclass(frozen=True)
class RunInfo:
    """``run.json``: what one dry-run or apply ran, written when it starts.

    Only ``id`` and ``kind`` are certain in a record (older and hand-made records carry
    no more); a command that needs the project and inventory asks :meth:`ran_against`.
    """

    id: str
    kind: str
    created: str | None = None
    project: str | None = None
    inventory: str | None = None
    network_namespace: str | None = None
    execution_node: str | None = None
    """``[USER@]HOST`` the run's Ansible ran on (its stream's worker); None: here."""
    limit: str | None = None
    manifest_sha256: str | None = None
    plan_sha256: str | None = None
    plan_file: str | None = None
    findings_file: str | None = None
    terms: ApplyTerms | None = None
    """An apply's terms; None for a dry-run."""
    imported: JobOrigin | None = None
    """The job a run was imported from; None for a run remediator ran itself."""

    def to_json(self) -> dict[str, object]:
        """The ``remediator/run/v1`` document."""
        return {
            "schema": SCHEMA,
            "id": self.id,
            "kind": self.kind,
            "created": self.created,
            "project": self.project,
            "inventory": self.inventory,
            "network_namespace": self.network_namespace,
            **({"execution_node": self.execution_node} if self.execution_node else {}),
            "limit": self.limit,
            "manifest_sha256": self.manifest_sha256,
            "plan_sha256": self.plan_sha256,
            "plan_file": self.plan_file,
            "findings_file": self.findings_file,
            **(self.terms.to_json() if self.terms else {}),
            **({"imported": self.imported.to_json()} if self.imported else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunInfo:
        """The info of a document already checked against the ``run`` schema."""
        return cls(
            id=data["id"],
            kind=data["kind"],
            created=data.get("created"),
            project=data.get("project"),
            inventory=data.get("inventory"),
            network_namespace=data.get("network_namespace"),
            execution_node=data.get("execution_node"),
            limit=data.get("limit"),
            manifest_sha256=data.get("manifest_sha256"),
            plan_sha256=data.get("plan_sha256"),
            plan_file=data.get("plan_file"),
            findings_file=data.get("findings_file"),
            terms=ApplyTerms.from_json(data) if "window" in data else None,
            imported=JobOrigin.from_json(data["imported"]) if "imported" in data else None,
        )

    def ran_against(self, where: Path) -> tuple[Path, Path]:
        """(project, inventory) of the run; InputError naming ``where`` if either is missing."""
        if self.project is None or self.inventory is None:
            raise InputError(f"{where}: the run record names no project and inventory")
        return Path(self.project), Path(self.inventory)


@dataclass(frozen=True)
class RunRecord:
    """One run directory."""

    path: Path
    id: str

    @property
    def ansible_dir(self) -> Path:
        """ansible-runner's private data dir for every ansible run of this record."""
        return self.path / "ansible"

    def write(self, name: str, document: object) -> Path:
        """A file of the record that is no document (a check's results, a restore's answer):
        indented, key-sorted JSON, its directory made first."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_text(target, document_text(document, sort_keys=True))
        return target

    def read(self, name: str) -> dict[str, Any]:
        """A JSON copy the record keeps of an input (``plan.json``), read as it is."""
        path = self.path / name
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: unreadable run record: {exc}") from None
        if not isinstance(document, dict):
            raise InputError(f"{path}: not a run record")
        return document

    def has(self, name: str) -> bool:
        return (self.path / name).is_file()

    def copy_in(self, source: Path, name: str) -> None:
        """Keep a copy of an input file (plan, findings, manifest) as it was at run time."""
        try:
            with source.open("rb") as original, replacing(self.path / name) as sink:
                shutil.copyfileobj(original, sink)
        except OSError as exc:
            raise InputError(f"{source}: cannot read: {exc.strerror}") from None

    def info(self) -> RunInfo:
        """``run.json``, checked against its schema."""
        return RunInfo.from_json(read_document(self.path / RUN_FILE, DOCUMENT))

    def write_info(self, info: RunInfo) -> Path:
        """Write ``run.json``; refused (a bug) unless it matches its schema."""
        target = self.path / RUN_FILE
        write_document(target, DOCUMENT, info.to_json(), sort_keys=True)
        return target


def new_run(runs_dir: Path, kind: str, project: Path, now: datetime) -> RunRecord:
    """A fresh run directory ``<runs_dir>/<UTC time>-<kind>-<random>``."""
    base = runs_dir.resolve()
    if base.is_relative_to(project.resolve()):
        raise InputError(
            f"runs directory {runs_dir} is inside the project {project}: the project stays "
            "a pure output; use --runs-dir elsewhere"
        )
    run_id = f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{kind}-{secrets.token_hex(3)}"
    path = base / run_id
    path.mkdir(parents=True, mode=0o700)
    return RunRecord(path, run_id)


def open_run(reference: str, runs_dir: Path) -> RunRecord:
    """A run by id (under ``runs_dir``) or by path; InputError when there is none."""
    candidates = [Path(reference)]
    if IDENT.fullmatch(reference):
        candidates.append(runs_dir / reference)
    for candidate in candidates:
        if (candidate / RUN_FILE).is_file():
            path = candidate.resolve()
            record = RunRecord(path, path.name)
            record.info()
            return record
    raise InputError(f"no run {reference!r} (looked for {' and '.join(map(str, candidates))})")
