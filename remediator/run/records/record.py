"""The run directory ``runs/<id>/``: the audit record of one dry-run or apply.

::

    runs/<id>/run.json          what ran: kind, project, inventory, hashes, who approved it
    runs/<id>/manifest.json     the project's manifest as it was
    runs/<id>/plan.json         the plan the project came from (when found), findings.json too
    runs/<id>/ansible/          ansible-runner's private data dir (artifacts/<ident>/job_events)
    runs/<id>/snapshots/        per host: the snapshot taken on it and every restore of it
    runs/<id>/checks/           the post-batch verification's raw results
    runs/<id>/dry-run.json      a dry-run's per-host, per-finding preview
    runs/<id>/summary.json      an apply's outcome, rewritten after every batch

Runs live under the working directory (or ``--runs-dir``), never inside the generated
project, which stays a pure output. Every file is written temp-file-then-rename.
"""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from remediator.common.files import replacing
from remediator.errors import InputError
from remediator.run.ansible.runner import IDENT
from remediator.run.records.atomic import write_json

RUN_FILE: Final = "run.json"
SCHEMA: Final = "remediator/run/v1"
DEFAULT_RUNS_DIR: Final = Path("runs")


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
        target = self.path / name
        write_json(target, document)
        return target

    def read(self, name: str) -> dict[str, Any]:
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

    def info(self) -> dict[str, Any]:
        """``run.json``, checked to be a run record."""
        document = self.read(RUN_FILE)
        if document.get("schema") != SCHEMA:
            raise InputError(f"{self.path / RUN_FILE}: not a {SCHEMA} record")
        return document


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
