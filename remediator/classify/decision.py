"""A decision: one finding, its verdict, its ordered actions and the reason for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from remediator.classify.actions import Action

VERDICT_FAIL = "fail"
VERDICT_PASS = "pass"  # noqa: S105 - a verdict, not a password
VERDICT_EXCEPTED = "excepted"


@dataclass(frozen=True)
class ExceptionRef:
    """The policy exception a decision cites, and whether it was still valid."""

    path: str
    finding: str | None
    kind: str | None
    justification: str
    approved_by: str
    expires: date
    active: bool

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {
            "entry": self.path,
            "finding": self.finding,
            "kind": self.kind,
            "justification": self.justification,
            "approved_by": self.approved_by,
            "expires": self.expires.isoformat(),
            "status": "active" if self.active else "expired",
        }


@dataclass(frozen=True)
class Option:
    """An opt-in extra step for a decision (package removal), marked when irreversible."""

    name: str
    enabled: bool
    irreversible: bool
    detail: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {
            "name": self.name,
            "enabled": self.enabled,
            "irreversible": self.irreversible,
            "packages": list(self.detail),
        }


@dataclass(frozen=True)
class Decision:
    """What the plan does about one finding, and why."""

    host: str | None
    address: str
    protocol: str
    port: int
    service: str | None
    scanner_service: str
    check_id: str
    title: str
    kind: str
    kind_basis: str
    severity: float
    severity_label: str
    asv: str
    verdict: str
    actions: tuple[Action, ...]
    reason: str
    rule: str
    pci: tuple[str, ...]
    policy_entry: str | None = None
    justification: str | None = None
    owner: str | None = None
    exception: ExceptionRef | None = None
    options: tuple[Option, ...] = ()
    client_impacts: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, int, str]:
        """The finding key the decision answers."""
        return (self.address, self.protocol, self.port, self.check_id)

    def to_json(self) -> dict[str, Any]:
        """The plan form (keys documented in the plan schema name remediator/plan/v1).

        ``notes`` appears only when there is one, so plans without any keep their bytes.
        """
        notes = {"notes": list(self.notes)} if self.notes else {}
        return {
            "host": self.host,
            "address": self.address,
            "protocol": self.protocol,
            "port": self.port,
            "service": self.service,
            "scanner_service": self.scanner_service,
            "check_id": self.check_id,
            "title": self.title,
            "kind": self.kind,
            "kind_basis": self.kind_basis,
            "severity": self.severity,
            "severity_label": self.severity_label,
            "asv": self.asv,
            "verdict": self.verdict,
            "actions": [a.to_json() for a in self.actions],
            "reason": self.reason,
            **notes,
            "rule": self.rule,
            "policy_entry": self.policy_entry,
            "justification": self.justification,
            "owner": self.owner,
            "exception": self.exception.to_json() if self.exception else None,
            "options": [o.to_json() for o in self.options],
            "client_impacts": list(self.client_impacts),
            "pci": list(self.pci),
            "scan_files": list(self.sources),
        }
