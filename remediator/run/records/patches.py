"""The patch role's verdicts, read from a run's job events: the ASV dispute's evidence.

For each patched finding the role reports what the host's package changelogs say
(``backported``, ``upgrade_available``, ``upgraded``, ``unknown``, ``manual``) with the
package, its versions and the changelog lines naming each CVE. A scanner keeps flagging a
backported version; these lines are what the dispute rests on. The verdict of the last
run that judged a finding wins: after an upgrade, the idempotence pass reads the new
package's changelog, which is the evidence the host now holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from remediator.run.ansible.events import Event

ROLE: Final = "patch"
REPORT_TASK: Final = "Report the verdict and its changelog evidence"
"""The role's task whose message is the verdict (roles/patch/tasks/item.yml)."""
STATES: Final = frozenset({"backported", "upgrade_available", "upgraded", "unknown", "manual"})
"""The module's states; anything else read from an event is recorded as ``unknown``."""
CVE_ID: Final = re.compile(r"CVE-\d{4}-\d{4,7}")
LINE_LIMIT: Final = 300
LINES_PER_CVE: Final = 5


@dataclass(frozen=True)
class PatchVerdict:
    """What one host's changelogs say about one finding's CVEs."""

    host: str
    key: str
    state: str
    package: str
    installed_version: str
    candidate_version: str | None
    reason: str
    lines: tuple[tuple[str, tuple[str, ...]], ...]
    """Per CVE, the changelog lines naming it (none when no changelog does)."""

    def to_json(self) -> dict[str, Any]:
        """The summary and evidence form."""
        return {
            "host": self.host,
            "key": self.key,
            "state": self.state,
            "package": self.package,
            "installed_version": self.installed_version,
            "candidate_version": self.candidate_version,
            "reason": self.reason,
            "cves": {cve: list(lines) for cve, lines in self.lines},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PatchVerdict:
        """The form :meth:`to_json` wrote."""
        cves = data.get("cves") or {}
        return cls(
            host=str(data["host"]),
            key=str(data["key"]),
            state=str(data["state"]),
            package=str(data.get("package") or ""),
            installed_version=str(data.get("installed_version") or ""),
            candidate_version=data.get("candidate_version"),
            reason=str(data.get("reason") or ""),
            lines=tuple((str(c), tuple(str(x) for x in v)) for c, v in cves.items()),
        )


def patch_verdicts(events: Iterable[Event]) -> dict[tuple[str, str], PatchVerdict]:
    """Each (host, finding key) the patch role judged in ``events``, the last word kept."""
    found: dict[tuple[str, str], PatchVerdict] = {}
    for event in events:
        verdict = _verdict(event)
        if verdict is not None:
            found[(verdict.host, verdict.key)] = verdict
    return found


def _verdict(event: Event) -> PatchVerdict | None:
    if event.get("event") != "runner_on_ok":
        return None
    data = event.get("event_data") or {}
    if data.get("role") != ROLE or data.get("task") != REPORT_TASK or not data.get("host"):
        return None
    res = data.get("res")
    message = res.get("msg") if isinstance(res, Mapping) else None
    if not isinstance(message, Mapping) or not message.get("finding"):
        return None
    candidate = message.get("candidate_version")
    state = str(message.get("state"))
    return PatchVerdict(
        host=str(data["host"]),
        key=str(message["finding"]),
        state=state if state in STATES else "unknown",
        package=str(message.get("package") or ""),
        installed_version=str(message.get("installed_version") or ""),
        candidate_version=str(candidate) if candidate else None,
        reason=str(message.get("reason") or "")[:LINE_LIMIT],
        lines=_lines(message.get("cves")),
    )


def _lines(cves: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(cves, Mapping):
        return ()
    out = []
    for cve, seen in sorted(cves.items()):
        if not CVE_ID.fullmatch(str(cve)):
            continue
        raw = seen.get("lines") if isinstance(seen, Mapping) else None
        lines = [str(x)[:LINE_LIMIT] for x in raw or () if isinstance(x, str | int | float)]
        out.append((str(cve), tuple(lines[:LINES_PER_CVE])))
    return tuple(out)
