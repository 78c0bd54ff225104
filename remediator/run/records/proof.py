"""Per finding, the proof an auditor asks for: the weakness seen before, gone after, as predicted.

Three questions a run record must answer for every finding it changed, without anyone
re-running a test:

* **before / after**: which fix checks failed before the change (the weakness was really
  there) and pass after it. Two sources, each an :class:`Observation`: the playbook's own
  on-host checks (the ``remediator_fix_checks`` module's results in the job events, so a
  run through AWX or an execution node carries them too) and the controller's testinfra
  suites (each test stands for the finding keys in its suite's ``KEYS``).
* **predicted / applied**: what the reviewed dry-run said would change against what the
  apply changed; a difference (a host changed by hand since the dry-run, a check mode
  that did not tell the truth) is a ``mismatch`` the evidence flags.
* **idempotence** (run level): a check-mode pass over the applied hosts after the last
  batch: nothing would change, nothing is unknown, or the findings that are not so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from remediator.run.ansible.events import Event
from remediator.run.preview.verdicts import HostPreview, Status

FIX_CHECK_MODULE: Final = "remediator_fix_checks"
"""The generated project's module whose results are the on-host fix checks."""
ON_HOST: Final = "on_host"
SUITE: Final = "suite"
AGREEING: Final = frozenset(
    {(Status.WOULD_CHANGE, Status.CHANGED), (Status.COMPLIANT, Status.COMPLIANT)}
)
"""(predicted, applied) pairs that agree; any other pair is a mismatch."""

Pair = tuple[str, str]
"""(host, finding key)."""


@dataclass(frozen=True)
class Observation:
    """One check's result at one moment: ``passed`` None when the check could not run."""

    source: str
    name: str
    passed: bool | None
    detail: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "name": self.name,
            "passed": self.passed,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Observation:
        return cls(
            source=str(data["source"]),
            name=str(data["name"]),
            passed=data.get("passed"),
            detail=str(data.get("detail", "")),
        )


Observations = dict[Pair, list[Observation]]


@dataclass(frozen=True)
class FindingProof:
    """One finding on one host: its checks before and after, its prediction and its change.

    ``before``/``after`` are None when nothing was checked at that moment (the host never
    reached it, or no check stands for the finding); ``applied`` is None for a host the
    apply never ran.
    """

    host: str
    key: str
    predicted: str | None
    applied: str | None
    before: tuple[Observation, ...] | None
    after: tuple[Observation, ...] | None

    @property
    def mismatch(self) -> bool:
        """The apply did not do what the dry-run predicted (only judged where it ran)."""
        if self.applied is None:
            return False
        if self.predicted is None:
            return True
        return (Status(self.predicted), Status(self.applied)) not in AGREEING

    @property
    def weakness_shown(self) -> bool | None:
        """A fix check failed before the change: the weakness was really there."""
        return _any_failed(self.before)

    @property
    def fixed_shown(self) -> bool | None:
        """Every fix check passed after the change (None: none ran)."""
        ran = [o for o in self.after or () if o.passed is not None]
        return all(o.passed for o in ran) if ran else None

    def to_json(self) -> dict[str, object]:
        return {
            "host": self.host,
            "key": self.key,
            "predicted": self.predicted,
            "applied": self.applied,
            "mismatch": self.mismatch,
            "before": _observations_json(self.before),
            "after": _observations_json(self.after),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FindingProof:
        return cls(
            host=str(data["host"]),
            key=str(data["key"]),
            predicted=data.get("predicted"),
            applied=data.get("applied"),
            before=_observations(data.get("before")),
            after=_observations(data.get("after")),
        )


def on_host_observations(events: Iterable[Event], phase: str) -> Observations:
    """The fix checks the playbook recorded on each host at ``phase`` (before/after)."""
    found: Observations = {}
    for event in events:
        res = _fix_check_result(event)
        if res is None or res.get("phase") != phase:
            continue
        host = str(event["event_data"]["host"])
        for check in res.get("checks") or ():
            if not isinstance(check, Mapping):
                continue
            passed = check.get("passed")
            seen = Observation(
                ON_HOST,
                str(check.get("name", "")),
                passed if isinstance(passed, bool) else None,
                str(check.get("detail", "")),
            )
            for key in check.get("keys") or ():
                found.setdefault((host, str(key)), []).append(seen)
    return found


def merge(*sources: Observations) -> Observations:
    """The observations of every source, per (host, key), in the order given."""
    merged: Observations = {}
    for source in sources:
        for pair, seen in source.items():
            merged.setdefault(pair, []).extend(seen)
    return merged


def prove(
    predicted: Iterable[HostPreview],
    applied: Iterable[HostPreview],
    before: Observations,
    after: Observations,
) -> list[FindingProof]:
    """One proof per finding the dry-run previewed, sorted by host and key."""
    said = {(h.name, f.key): f.status.value for h in predicted for f in h.findings}
    did = {(h.name, f.key): f.status.value for h in applied for f in h.findings}
    pairs = sorted(set(said) | set(did))
    return [
        FindingProof(
            host,
            key,
            said.get((host, key)),
            did.get((host, key)),
            _frozen(before.get((host, key))),
            _frozen(after.get((host, key))),
        )
        for host, key in pairs
    ]


@dataclass(frozen=True)
class Idempotence:
    """The check-mode pass after the last batch, over the hosts the apply left applied."""

    hosts: tuple[str, ...]
    would_change: tuple[Pair, ...]
    unknown: tuple[Pair, ...]
    status: str

    @property
    def idempotent(self) -> bool:
        return not self.would_change and not self.unknown and self.status == "successful"

    def to_json(self) -> dict[str, object]:
        return {
            "hosts": list(self.hosts),
            "would_change": [list(p) for p in self.would_change],
            "unknown": [list(p) for p in self.unknown],
            "status": self.status,
            "idempotent": self.idempotent,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Idempotence:
        return cls(
            hosts=tuple(data["hosts"]),
            would_change=tuple((str(h), str(k)) for h, k in data["would_change"]),
            unknown=tuple((str(h), str(k)) for h, k in data["unknown"]),
            status=str(data["status"]),
        )

    @classmethod
    def of(cls, hosts: Sequence[str], previews: Iterable[HostPreview], status: str) -> Idempotence:
        """The pass's verdict from its per-host previews."""
        previews = tuple(previews)

        def having(wanted: Status) -> tuple[Pair, ...]:
            return tuple(
                (h.name, f.key) for h in previews for f in h.findings if f.status is wanted
            )

        return cls(tuple(hosts), having(Status.WOULD_CHANGE), having(Status.UNKNOWN), status)


def _fix_check_result(event: Event) -> Mapping[str, Any] | None:
    """The result of a ``remediator_fix_checks`` task in ``event``, if it is one."""
    if event.get("event") != "runner_on_ok":
        return None
    data = event.get("event_data") or {}
    action = str(data.get("resolved_action") or data.get("task_action") or "")
    res = data.get("res")
    if action.rsplit(".", 1)[-1] != FIX_CHECK_MODULE or not isinstance(res, Mapping):
        return None
    return res if data.get("host") else None


def _any_failed(seen: tuple[Observation, ...] | None) -> bool | None:
    ran = [o for o in seen or () if o.passed is not None]
    return any(not o.passed for o in ran) if ran else None


def _frozen(seen: list[Observation] | None) -> tuple[Observation, ...] | None:
    return tuple(seen) if seen else None


def _observations_json(seen: tuple[Observation, ...] | None) -> list[dict[str, object]] | None:
    return None if seen is None else [o.to_json() for o in seen]


def _observations(data: object) -> tuple[Observation, ...] | None:
    if not isinstance(data, list):
        return None
    return tuple(Observation.from_json(o) for o in data)
