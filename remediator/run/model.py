"""The run stage's frozen types of what it was asked: options of dry-run, apply, rollback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Common:
    """Options every run command shares."""

    project: Path
    inventory: Path | None
    runs_dir: Path
    json: bool
    plan: Path | None = None
    findings: Path | None = None
    execution_node: str | None = None
    """``[USER@]HOST`` Ansible runs on (through ansible-runner's stream); None: here."""


@dataclass(frozen=True)
class ApplyOptions:
    """What `apply` was asked beyond the common options (all as the user typed them)."""

    window: str
    batch: str | None
    max_fail: str | None
    approved_by: str | None
    ticket: str | None
    dry_run_id: str | None
    limit: str | None
    no_approval: bool = False
    """Apply without --approved-by and --ticket; the record and evidence say so."""


@dataclass(frozen=True)
class RollbackOptions:
    """What `rollback` was asked: the apply, and which of its hosts to restore."""

    run: str
    runs_dir: Path
    json: bool = False
    host: str | None = None
    limit: str | None = None
    execution_node: str | None = None


@dataclass(frozen=True)
class ImportOptions:
    """What `import-job` was asked: the job's events, the project it ran, who approved it."""

    source: Path
    common: Common
    dry_run_id: str | None = None
    approved_by: str | None = None
    ticket: str | None = None
