"""Where a project came from: the plan it was generated from, its findings, the scan's age.

The project holds only the plan's hash. The plan file itself is found by that hash (the
one given with ``--plan``, else ``plan.json`` in or beside the project) so the run
record can keep a copy of exactly the plan that was reviewed; a plan with another hash
is refused. The findings file cannot be proven (the plan does not hash it), so it is
copied as given. The plan's ``scan_age`` says how old the scans are; an apply warns when
they are older than the policy allows (30 days unless the policy says otherwise).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from remediator.classify.plan_document import load_plan
from remediator.errors import RefusedError
from remediator.run.project import Project

DEFAULT_MAX_SCAN_AGE_DAYS: Final = 30


@dataclass(frozen=True)
class Provenance:
    """The plan and findings files behind a project, and what the plan says of the scans."""

    plan: Path | None
    findings: Path | None
    oldest_scan: date | None
    max_age_days: int = DEFAULT_MAX_SCAN_AGE_DAYS

    def scan_warning(self, today: date) -> str | None:
        """A warning when the oldest scan is older than allowed (or its age is unknown)."""
        if self.plan is None:
            return (
                "the plan file was not found (give --plan), so the scan's age is unknown: "
                f"a scan older than {self.max_age_days} days may no longer describe the hosts"
            )
        if self.oldest_scan is None:
            return "the plan records no scan time: the scan's age is unknown"
        age = (today - self.oldest_scan).days
        if age > self.max_age_days:
            return (
                f"the scan is {age} days old (oldest scan {self.oldest_scan}); the policy allows "
                f"{self.max_age_days}: rescan before trusting this remediation"
            )
        return None

    def expired_exceptions(self, today: date) -> tuple[str, ...]:
        """Findings the plan left alone under an exception that has expired by ``today``
        (``KEY (expired YYYY-MM-DD)``): the project does nothing about them, so the apply
        says so; their findings are judged open again by verify and the report."""
        if self.plan is None:
            return ()
        expired = {
            f"{d.key} (expired {d.exception.expires})"
            for d in load_plan(self.plan).decisions
            if d.exception is not None
            and d.exception.active
            and date.fromisoformat(d.exception.expires) < today
        }
        return tuple(sorted(expired))


def expired_warning(expired: tuple[str, ...]) -> str | None:
    """The apply's one-line warning about exceptions that ran out since the plan."""
    if not expired:
        return None
    return (
        f"{len(expired)} exception(s) of the plan expired since it was made: "
        f"{', '.join(expired)}; this project leaves their findings as they are: re-plan "
        "to remediate them"
    )


def find_sources(project: Project, plan: Path | None, findings: Path | None) -> Provenance:
    """The plan matching the project's hash, and the findings given or found beside it."""
    found = _plan(project, plan)
    if findings is None and found is not None and (found.parent / "findings.json").is_file():
        findings = found.parent / "findings.json"
    oldest, limit = _scan_age(found) if found else (None, DEFAULT_MAX_SCAN_AGE_DAYS)
    return Provenance(found, findings, oldest, limit)


def _plan(project: Project, given: Path | None) -> Path | None:
    if given is not None:
        digest = _sha256(given)
        if digest != project.plan_sha256:
            raise RefusedError(
                f"{given} is not the plan {project.root} was generated from "
                f"(sha256 {digest[:12]}, the project's manifest says {project.plan_sha256[:12]})"
            )
        return given
    for candidate in (project.root / "plan.json", project.root.parent / "plan.json"):
        if candidate.is_file() and _sha256(candidate) == project.plan_sha256:
            return candidate
    return None


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise RefusedError(f"{path}: cannot read the plan: {exc.strerror}") from None


def _scan_age(plan: Path) -> tuple[date | None, int]:
    try:
        age = json.loads(plan.read_text(encoding="utf-8")).get("scan_age") or {}
        limit = int(age.get("max_age_days") or DEFAULT_MAX_SCAN_AGE_DAYS)
        oldest = date.fromisoformat(age["oldest"]) if age.get("oldest") else None
    except (ValueError, TypeError, AttributeError, KeyError):
        return None, DEFAULT_MAX_SCAN_AGE_DAYS
    return oldest, limit
