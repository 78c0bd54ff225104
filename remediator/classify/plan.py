"""The plan: the frozen, single input of everything after classification.

``remediator/plan/v1`` JSON holds the date exceptions were judged on; per host its
addresses, each with its origin (``ansible_host``, ``remediator_addresses``,
``inventory_hostname`` or ``dns:<name>``: the inventory or the controller's resolver at
plan time, never the scan; generate takes the host's address from here), what the policy
allows (re-checked by later stages after every change), the management access, the ports
no change may cut (``protected_ports``: the management port and every port of a kept
service, for the disable role to check on the host), firewall backend and TLS profile; and
one decision per finding (with ``notes`` where the plan chose a firewall over disabling a
kept daemon). For the same inputs and
``as_of`` the JSON is byte-identical: nothing in it depends on the clock or on dict order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from remediator.classify.catalog import Catalog
from remediator.classify.catalog_load import load_catalog
from remediator.classify.decide import Decider
from remediator.classify.hostos import HostOs
from remediator.classify.model import Decision
from remediator.classify.plan_document import SCHEMA, plan_text
from remediator.classify.policy.host import HostPolicy
from remediator.classify.policy.kept import protected_ports
from remediator.classify.policy.model import Policy
from remediator.ingest.findingset import FindingSet
from remediator.ingest.inventory import Inventory


@dataclass(frozen=True)
class HostPlan:
    """What the policy says about one inventory host, as the plan records it."""

    name: str
    policy: HostPolicy
    inventory_groups: tuple[str, ...]
    os: HostOs
    scanned: bool

    def to_json(self, catalog: Catalog) -> dict[str, Any]:
        """The plan form."""
        hp = self.policy
        profile = catalog.profiles[hp.tls.profile]
        rank = catalog.protocol_rank
        return {
            "addresses": [{"address": a, "origin": hp.host.origin(a)} for a in hp.host.addresses],
            "inventory_groups": list(self.inventory_groups),
            "policy_groups": list(hp.groups),
            "os": self.os.name,
            "os_reason": self.os.reason,
            "scanned": self.scanned,
            "management": {
                "service": hp.management_service,
                "protocol": hp.management_port[0],
                "port": hp.management_port[1],
                "sources": hp.management_sources.to_json(),
            },
            "protected_ports": [p.to_json() for p in protected_ports(hp.kept)],
            "allowed": [
                {
                    "entry": e.path,
                    "service": e.ref.service,
                    "ports": sorted(f"{port}/{proto}" for proto, port in e.ref.ports(catalog)),
                    "sources": e.sources.to_json(),
                    "justification": e.justification,
                    "owner": e.owner,
                    "needs": list(e.needs),
                }
                for e in hp.allow
            ],
            "denied": [
                {"entry": d.path, "service": d.ref.describe(), "reason": d.reason} for d in hp.deny
            ],
            "firewall_backend": hp.firewall_backend,
            "tls": {
                "profile": hp.tls.profile,
                "min_version": hp.tls.min_version,
                "protocols": [p for p in profile.protocols if rank(p) >= rank(hp.tls.min_version)],
                "ciphers": profile.ciphers,
            },
            "remove_packages": hp.remove_packages,
        }


@dataclass(frozen=True)
class ScanAge:
    """How old the scans are on the plan's date, against the policy's limit."""

    oldest: date | None
    newest: date | None
    max_age_days: int
    as_of: date

    @property
    def age_days(self) -> int | None:
        """Days from the oldest scan to ``as_of`` (None when no scan carries a time)."""
        return (self.as_of - self.oldest).days if self.oldest else None

    @property
    def stale(self) -> bool | None:
        """Whether the oldest scan is older than the policy allows."""
        age = self.age_days
        return None if age is None else age > self.max_age_days

    def to_json(self) -> dict[str, Any]:
        """The plan form."""
        return {
            "oldest": self.oldest.isoformat() if self.oldest else None,
            "newest": self.newest.isoformat() if self.newest else None,
            "age_days": self.age_days,
            "max_age_days": self.max_age_days,
            "stale": self.stale,
        }


@dataclass(frozen=True)
class Plan:
    """Decisions for every finding plus the per-host policy they were made under."""

    as_of: date
    inventory: str
    policy: str
    scan_files: tuple[str, ...]
    scan_age: ScanAge
    hosts: Mapping[str, HostPlan]
    decisions: tuple[Decision, ...]
    unmatched: tuple[str, ...]
    catalog: Catalog
    hints: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Names the scans reported for unmatched addresses: printed beside them, never matched."""

    def summary(self) -> dict[str, Any]:
        """Counts by verdict, ASV outcome and action type."""
        verdicts = Counter(d.verdict for d in self.decisions)
        asv = Counter(d.asv for d in self.decisions)
        actions = Counter(a.type for d in self.decisions for a in d.actions)
        return {
            "decisions": len(self.decisions),
            "verdicts": {k: verdicts[k] for k in sorted(verdicts)},
            "asv": {k: asv[k] for k in sorted(asv)},
            "actions": {k: actions[k] for k in sorted(actions)},
        }

    def to_json(self) -> dict[str, Any]:
        """The ``remediator/plan/v1`` document."""
        return {
            "schema": SCHEMA,
            "as_of": self.as_of.isoformat(),
            "inventory": self.inventory,
            "policy": self.policy,
            "scan_files": list(self.scan_files),
            "scan_age": self.scan_age.to_json(),
            "summary": self.summary(),
            "hosts": {name: self.hosts[name].to_json(self.catalog) for name in sorted(self.hosts)},
            "unmatched": list(self.unmatched),
            "decisions": [d.to_json() for d in self.decisions],
        }

    def dumps(self) -> str:
        """The plan as JSON text (stable: same inputs and as_of give the same bytes), checked
        against the plan schema by :func:`~remediator.classify.plan_document.plan_text`."""
        return plan_text(self.to_json())


def build_plan(
    findings: FindingSet,
    policy: Policy,
    inventory: Inventory,
    as_of: date,
    catalog: Catalog | None = None,
) -> Plan:
    """Decide every finding and record the per-host policy: the plan later stages run."""
    catalog = catalog or load_catalog()
    decider = Decider(policy, inventory, catalog, as_of, findings)
    decisions = decider.decide_all(findings)
    seen_at: dict[str, str] = {}  # each scanned host's first address, in decision order
    for decision in decisions:
        if decision.host:
            seen_at.setdefault(decision.host, decision.address)
    hosts = {
        name: HostPlan(
            name=name,
            policy=hp,
            inventory_groups=inventory.host(name).groups,
            os=decider.hosts.os_of_host(hp.host, seen_at.get(name)),
            scanned=name in seen_at,
        )
        for name, hp in decider.hosts.all_policies().items()
    }
    times = sorted(f.source.scan_time.date() for f in findings.findings if f.source.scan_time)
    files = tuple(sorted({f.source.file for f in findings.findings}))
    return Plan(
        as_of=as_of,
        inventory=inventory.source,
        policy=policy.file,
        scan_files=files,
        scan_age=ScanAge(
            times[0] if times else None,
            times[-1] if times else None,
            policy.max_scan_age_days,
            as_of,
        ),
        hosts=hosts,
        decisions=decisions,
        unmatched=tuple(sorted(findings.unmatched)),
        catalog=catalog,
        hints={a: findings.hints.get(a, ()) for a in findings.unmatched},
    )
