"""Per host and finding: did the run change it, was it already compliant, or can't we tell?

The same reading serves the dry-run (check mode: ``would_change``) and the apply
(``changed``): every changed result of a remediation role is mapped to its findings
(:func:`remediator.run.preview.keys.finding_keys`) and brings its diff along. A finding is
``unknown`` when the run cannot vouch for it: the host was unreachable, a task about it
failed, or the host's run stopped before its role had finished.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from remediator.run.ansible.events import Diff, TaskOutcome, TaskResult
from remediator.run.preview.keys import finding_keys
from remediator.run.project import HostSpec, Item


class Status(StrEnum):
    WOULD_CHANGE = "would_change"
    CHANGED = "changed"
    COMPLIANT = "compliant"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class FindingPreview:
    """One finding on one host: its status, the tasks and diffs behind it, and why."""

    key: str
    status: Status
    what: tuple[str, ...]
    tasks: tuple[str, ...] = ()
    diffs: tuple[Diff, ...] = ()
    why: str = ""
    irreversible: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status.value,
            "what": list(self.what),
            "tasks": list(self.tasks),
            "diffs": [{"file": d.header, "diff": d.text} for d in self.diffs],
            "why": self.why,
            "irreversible": self.irreversible,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FindingPreview:
        return cls(
            key=str(data["key"]),
            status=Status(data["status"]),
            what=tuple(data.get("what", ())),
            tasks=tuple(data.get("tasks", ())),
            diffs=tuple(Diff(d["file"], d["diff"]) for d in data.get("diffs", ())),
            why=str(data.get("why", "")),
            irreversible=bool(data.get("irreversible")),
        )


@dataclass(frozen=True)
class HostPreview:
    """Every finding of one host, and what (if anything) went wrong on it."""

    name: str
    findings: tuple[FindingPreview, ...]
    manual: tuple[tuple[str, str], ...] = ()
    problem: str = ""

    def count(self, status: Status) -> int:
        return sum(1 for f in self.findings if f.status is status)

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.name,
            "problem": self.problem,
            "findings": [f.to_json() for f in self.findings],
            "manual": [{"key": k, "task": t} for k, t in self.manual],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HostPreview:
        return cls(
            name=str(data["host"]),
            findings=tuple(FindingPreview.from_json(f) for f in data.get("findings", ())),
            manual=tuple((str(m["key"]), str(m["task"])) for m in data.get("manual", ())),
            problem=str(data.get("problem", "")),
        )


def preview_host(spec: HostSpec, results: Sequence[TaskResult], *, check: bool) -> HostPreview:
    """The findings of ``spec`` judged from the host's results of one run."""
    mine = [r for r in results if r.host == spec.name]
    stop = _first_stop(mine)
    problem = f"{stop.describe()}: {stop.message or stop.outcome.value}" if stop else ""
    if not mine:
        problem = _never_reached(spec)
    findings = tuple(_finding(spec, key, mine, stop, check=check) for key in spec.keys_for())
    return HostPreview(spec.name, findings, spec.manual, problem)


def changed_pairs(specs: Iterable[HostSpec], results: Sequence[TaskResult]) -> set[tuple[str, str]]:
    """(host, finding key) of every changed remediation result: what a run changed."""
    by_name = {s.name: s for s in specs}
    pairs: set[tuple[str, str]] = set()
    for result in results:
        spec = by_name.get(result.host)
        if spec is not None and result.changed:
            pairs.update((spec.name, key) for key in finding_keys(result, spec))
    return pairs


def _first_stop(results: Sequence[TaskResult]) -> TaskResult | None:
    """The first result that ended (or interrupted) the host's run: unreachable or failed."""
    return next(
        (
            r
            for r in results
            if r.outcome is TaskOutcome.UNREACHABLE
            or (r.outcome is TaskOutcome.FAILED and not r.ignored)
        ),
        None,
    )


def _finding(
    spec: HostSpec, key: str, results: Sequence[TaskResult], stop: TaskResult | None, *, check: bool
) -> FindingPreview:
    items = [i for i in spec.items if i.key == key]
    about = [r for r in results if key in finding_keys(r, spec)]
    changed = [r for r in about if r.changed]
    base = FindingPreview(
        key,
        Status.COMPLIANT,
        tuple(i.what for i in items),
        irreversible=any(i.irreversible for i in items),
    )
    if changed:
        why = PENDING_REBOOT if _waits_for_reboot(spec, items) else ""
        return _with(base, Status.WOULD_CHANGE if check else Status.CHANGED, changed, why)
    failed = [r for r in about if r.outcome is TaskOutcome.FAILED and not r.ignored]
    if failed:
        return _with(
            base,
            Status.UNKNOWN,
            failed,
            f"{failed[0].describe()} failed: {failed[0].message or 'no message'}",
        )
    if not results:
        return _with(base, Status.UNKNOWN, [], _never_reached(spec))
    roles = {i.role for i in items}
    if stop is not None and not all(_role_done(role, results, stop) for role in roles):
        what = "unreachable" if stop.outcome is TaskOutcome.UNREACHABLE else "failed"
        return _with(
            base,
            Status.UNKNOWN,
            [],
            f"the host's run stopped before this was checked "
            f"({what} at {stop.describe()}: {stop.message or 'no message'})",
        )
    return base


PENDING_REBOOT = (
    "pending_reboot: Windows applies this at the host's next reboot, which the run never "
    "does; reboot it, then verify"
)
"""The why of a changed item Windows reads only at boot: on the host, not yet in effect."""


def _waits_for_reboot(spec: HostSpec, items: Sequence[Item]) -> bool:
    """SCHANNEL settings, the SMB server's SMB1 switch and removed optional features."""
    return bool(spec.reboot) and any(
        i.role == "schannel" or (i.role == "windows_harden" and i.daemon == "smb") or i.irreversible
        for i in items
    )


def _never_reached(spec: HostSpec) -> str:
    """Why nothing is known of a host the run has no result for (Windows said plainly)."""
    if spec.os == "windows":
        return (
            "not run: the run never reached this Windows host "
            "(its inventory's WinRM/PSRP connection); nothing about it was checked"
        )
    return "the run never reached this host"


def _role_done(role: str, results: Sequence[TaskResult], stop: TaskResult) -> bool:
    """Whether ``role`` ran to its end on the host before ``stop`` ended the host's run."""
    ran = [r.counter for r in results if r.role == role]
    return bool(ran) and stop.role != role and max(ran) < stop.counter


def _with(
    base: FindingPreview, status: Status, results: Sequence[TaskResult], why: str
) -> FindingPreview:
    return FindingPreview(
        key=base.key,
        status=status,
        what=base.what,
        tasks=tuple(dict.fromkeys(r.describe() for r in results)),
        diffs=tuple(d for r in results for d in r.diffs),
        why=why,
        irreversible=base.irreversible,
    )
