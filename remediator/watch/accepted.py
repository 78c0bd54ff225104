"""The accepted state of a verified run: its plan's decisions and what verify recorded.

Read only from the run record's own copies (``run.json``, ``plan.json``, ``verify.json``),
through their schema-checked readers; the plan's exceptions are re-judged on the watch's
day (``--as-of``), as verify and report re-judge them on theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from remediator.classify.plan_document import load_plan
from remediator.errors import InputError
from remediator.report.manifest import runs_in
from remediator.run.records.record import RUN_FILE, RunInfo, RunRecord, open_run
from remediator.verify.model import Original, Verification
from remediator.verify.originals import originals_of
from remediator.verify.store import VERIFY_FILE, read_verification


@dataclass(frozen=True)
class Accepted:
    """A verified run as watch compares with it."""

    record: RunRecord
    info: RunInfo
    originals: tuple[Original, ...]
    """Every decision of the run's plan, its exception re-judged on the watch's day."""
    verification: Verification
    """What verify recorded, each outcome re-attached to its (re-judged) decision."""

    @property
    def inventory(self) -> Path:
        """The inventory the run ran against: the only thing that names hosts."""
        if self.info.inventory is None:
            raise InputError(
                f"{self.record.path / RUN_FILE}: the run record names no inventory, and "
                "watch maps scanned addresses to hosts by the run's inventory only"
            )
        return Path(self.info.inventory)


def accepted_state(reference: str | None, runs_dir: Path, on: date) -> Accepted:
    """The accepted state of run ``reference`` (None: the newest verified run in ``runs_dir``)."""
    record = verified_run(reference, runs_dir)
    plan = load_plan(record.path / "plan.json")
    originals = originals_of(plan, on)
    verification = read_verification(record.path, originals)
    return Accepted(record, record.info(), originals, verification)


def verified_run(reference: str | None, runs_dir: Path) -> RunRecord:
    """The run ``reference`` names, or the newest under ``runs_dir`` holding a ``verify.json``;
    InputError when it is not verified (or no run is)."""
    if reference is not None:
        record = open_run(reference, runs_dir)
        if not (record.path / VERIFY_FILE).is_file():
            raise InputError(
                f"{record.path}: not verified yet (no {VERIFY_FILE}); run "
                f"`remediator verify {record.id} --rescan` first"
            )
        return record
    for path in reversed(runs_in(runs_dir)):
        if (path / VERIFY_FILE).is_file() and (path / RUN_FILE).is_file():
            return open_run(str(path), runs_dir)
    raise InputError(
        f"no verified run under {runs_dir} (give RUN or --runs-dir; "
        "`remediator verify RUN --rescan` verifies one)"
    )
