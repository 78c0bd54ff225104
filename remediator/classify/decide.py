"""From findings to decisions: every distinct finding key gets exactly one decision.

For each finding this module gathers the facts (:class:`FindingContext`: kind, service on
the port, the host's policy entries, what needs the service), lets the first applicable
rule decide, applies an exception or the Windows fallback, and checks the invariants no
rule may break: the management connection is never a target, and nothing the
management service or a kept service runs on is disabled (refused, exit 2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase

from remediator.classify.catalog import Catalog, ServiceEntry
from remediator.classify.context import FindingContext, Need, RuleOutcome, predict_asv
from remediator.classify.hostos import LINUX, WINDOWS
from remediator.classify.hosts import HostResolver
from remediator.classify.identify import best_service, classify_kind, identify_service
from remediator.classify.model import (
    REMOVE_PACKAGES,
    VERDICT_EXCEPTED,
    VERDICT_FAIL,
    VERDICT_PASS,
    Action,
    Decision,
    DisableService,
    ExceptionRef,
    FirewallRestrict,
    Option,
    changes,
)
from remediator.classify.policy.host import HostPolicy
from remediator.classify.policy.kept import refuse_kept_cut
from remediator.classify.policy.model import Policy
from remediator.classify.rules import RULES, ExceptedRule, ExceptionMatch, Rule, WindowsRule
from remediator.classify.rules.windows import WindowsHost
from remediator.classify.windows.hardening import feature_options
from remediator.classify.windows.schannel import HostPort
from remediator.classify.windows.services import windows_identity
from remediator.errors import RemediatorError
from remediator.ingest.findingset import FindingSet
from remediator.ingest.inventory import Inventory
from remediator.ingest.model import Finding, Service

PortId = tuple[str, str, int]


class ManagementGuardError(RemediatorError):
    """A decision would cut the management connection: a bug, refused before any plan exists."""


@dataclass(frozen=True)
class PortFacts:
    """What every finding on one port says about the service there."""

    service: Service | None
    hint: str | None


def _rank(finding: Finding) -> tuple[float, str, str, str]:
    """Order among findings sharing a key: highest score first, then by text (stable)."""
    return (-finding.severity.score, finding.source.file, finding.title, finding.evidence)


def unique_findings(findings: Iterable[Finding]) -> list[tuple[Finding, tuple[str, ...]]]:
    """One finding per key (highest severity wins), with every file that reported it.

    The choice depends only on the findings, not on the order the scans were given in.
    """
    best: dict[object, Finding] = {}
    files: dict[object, set[str]] = {}
    for finding in findings:
        key = finding.key
        files.setdefault(key, set()).add(finding.source.file)
        current = best.get(key)
        if current is None or _rank(finding) < _rank(current):
            best[key] = finding
    return [(best[k], tuple(sorted(files[k]))) for k in best]


def port_facts(catalog: Catalog, findings: Iterable[Finding]) -> dict[PortId, PortFacts]:
    """Per port: the most telling service record and the service a check id implies."""
    grouped: dict[PortId, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault((finding.address, finding.protocol, finding.port), []).append(finding)
    facts: dict[PortId, PortFacts] = {}
    for port_id, items in grouped.items():
        hints = (catalog.check_rule(c) for c in sorted({f.check_id for f in items}))
        hint = next((h.service for h in hints if h is not None and h.service), None)
        facts[port_id] = PortFacts(best_service(items), hint)
    return facts


class Decider:
    """Decides every finding of one scan set against one policy on one date."""

    def __init__(
        self,
        policy: Policy,
        inventory: Inventory,
        catalog: Catalog,
        as_of: date,
        findings: FindingSet,
    ) -> None:
        self.policy = policy
        self.catalog = catalog
        self.as_of = as_of
        self.hosts = HostResolver(policy, inventory, catalog, findings)
        self.facts = port_facts(catalog, findings.findings)

    def decide_all(self, findings: FindingSet) -> tuple[Decision, ...]:
        """One decision per distinct finding key, sorted by host, address, port, check."""
        decisions = [self.decide(f, files) for f, files in unique_findings(findings.findings)]
        return tuple(sorted(decisions, key=lambda d: (d.host or "", d.key)))

    def decide(self, finding: Finding, files: tuple[str, ...] = ()) -> Decision:
        """The decision for one finding."""
        ctx = self.context(finding)
        rule = next(r for r in RULES if r.applies(ctx))
        outcome = rule.decide(ctx)
        match = self._exception(ctx)
        if match is not None:
            outcome = ExceptedRule().adjust(outcome, match)
        host_os = self.hosts.os_of(finding.address)
        if host_os.name != LINUX and ctx.host is not None:
            host = WindowsHost(host_os, self._host_ports(ctx.host, finding.address))
            excepted = match is not None and match.active
            outcome = WindowsRule().adjust(ctx, rule.id, outcome, host, excepted=excepted)
        _guard_management(ctx, outcome.actions)
        if ctx.host is not None:
            where = f"{ctx.port_label} of {ctx.host.host.name} ({finding.address})"
            refuse_kept_cut(ctx.host.kept, outcome.actions, where, windows=host_os.name == WINDOWS)
        return self._decision(ctx, rule, outcome, match, files)

    def context(self, finding: Finding) -> FindingContext:
        """Gather the facts rules decide on."""
        kind_match = classify_kind(self.catalog, finding)
        facts = self.facts.get(
            (finding.address, finding.protocol, finding.port), PortFacts(None, None)
        )
        hint = facts.hint or kind_match.service_hint
        service = None
        if finding.port > 0:
            service = self._service_on(
                finding.address, finding.protocol, finding.port, facts.service, hint
            )
        host = self.hosts.policy_for(finding.address)
        key = (finding.protocol, finding.port)
        kind = self.catalog.kind(kind_match.kind)
        asv, asv_why = predict_asv(kind, finding.severity.score, service, finding.port)
        return FindingContext(
            finding=finding,
            kind=kind,
            basis=kind_match.basis,
            service=service,
            scanner_service=facts.service.name if facts.service else "",
            product=" ".join(p for p in (facts.service.product, facts.service.version) if p)
            if facts.service
            else "",
            host=host,
            allowed=host.allowed(key, service, self.catalog) if host and finding.port else (),
            denied=host.denied(key, service, self.catalog) if host and finding.port else None,
            needs=self._needs(host, service),
            shared_with=self._shared(host, service),
            asv=asv,
            asv_why=asv_why,
            catalog=self.catalog,
        )

    def _service_on(
        self, address: str, protocol: str, port: int, seen: Service | None, hint: str | None
    ) -> ServiceEntry | None:
        """The catalog service on a port; on a Windows host, as Windows serves it."""
        service = identify_service(self.catalog, protocol, port, seen, hint)
        if self.hosts.os_of(address).name == WINDOWS:
            return windows_identity(self.catalog, protocol, port, service)
        return service

    def _host_ports(self, host: HostPolicy, address: str) -> tuple[HostPort, ...]:
        """Every port the scans show on the host (any of its addresses), with its service."""
        addresses = {address, *host.host.addresses}
        found: dict[tuple[str, int], HostPort] = {}
        for (where, protocol, port), facts in sorted(self.facts.items()):
            if where not in addresses or port <= 0 or (protocol, port) in found:
                continue
            tunnel = facts.service is not None and facts.service.tunnel.lower() == "ssl"
            service = self._service_on(where, protocol, port, facts.service, facts.hint)
            found[(protocol, port)] = HostPort(protocol, port, service, tunnel)
        return tuple(sorted(found.values(), key=lambda p: (p.port, p.protocol)))

    def _needs(self, host: HostPolicy | None, service: ServiceEntry | None) -> tuple[Need, ...]:
        if host is None or service is None:
            return ()
        found: list[Need] = []
        for entry in host.allow:
            if service.name in entry.needs:
                found.append(Need(entry, entry.ref.describe(), local=True))
            provider = self._entry_service(entry.ref.service, entry.ref.port)
            if provider is not None and service.name in provider.needs:
                found.append(Need(entry, provider.name, local=False))
        return tuple(found)

    def _entry_service(self, name: str | None, port: tuple[str, int] | None) -> ServiceEntry | None:
        if name is not None:
            return self.catalog.services.get(name)
        return self.catalog.by_port(*port) if port else None

    def _shared(self, host: HostPolicy | None, service: ServiceEntry | None) -> tuple[str, ...]:
        """Allowed services on the host that run on the same units as ``service``."""
        if host is None or service is None or not service.linux.runtime:
            return ()
        names: dict[str, None] = {}
        for entry in host.allow:
            other = self._entry_service(entry.ref.service, entry.ref.port)
            if (
                other is not None
                and other.name != service.name
                and (other.linux.runtime & service.linux.runtime)
            ):
                names[other.name] = None
        return tuple(names)

    def _exception(self, ctx: FindingContext) -> ExceptionMatch | None:
        finding = ctx.finding
        subjects = [str(finding.key)]
        if ctx.host is not None:
            subjects.append(
                f"{ctx.host.host.name}/{finding.protocol}/{finding.port}/{finding.check_id}"
            )
        for exc in self.policy.exceptions:
            if exc.finding is not None and not any(fnmatchcase(s, exc.finding) for s in subjects):
                continue
            if exc.kind is not None and not fnmatchcase(ctx.kind.id, exc.kind):
                continue
            return ExceptionMatch(exc, self.as_of)
        return None

    def _decision(
        self,
        ctx: FindingContext,
        rule: Rule,
        outcome: RuleOutcome,
        match: ExceptionMatch | None,
        files: tuple[str, ...],
    ) -> Decision:
        finding = ctx.finding
        if match is not None and match.active:
            verdict = VERDICT_EXCEPTED
        elif outcome.policy_fail or ctx.failing or changes(outcome.actions):
            verdict = VERDICT_FAIL
        else:
            verdict = VERDICT_PASS
        entry = outcome.entry
        return Decision(
            host=ctx.host.host.name if ctx.host else None,
            address=finding.address,
            protocol=finding.protocol,
            port=finding.port,
            service=ctx.service.name if ctx.service else None,
            scanner_service=ctx.scanner_service,
            check_id=finding.check_id,
            title=finding.title,
            kind=ctx.kind.id,
            kind_basis=ctx.basis,
            severity=finding.severity.score,
            severity_label=finding.severity.label.value,
            asv=ctx.asv,
            asv_reason=ctx.asv_why,
            verdict=verdict,
            actions=outcome.actions,
            reason=" ".join(outcome.reason.split()),
            rule=rule.id,
            pci=_pci(ctx.kind.pci, rule.pci),
            policy_entry=entry.path if entry else None,
            justification=entry.justification if entry else None,
            owner=entry.owner if entry else None,
            exception=_exception_ref(match),
            options=_options(ctx.host, outcome.actions),
            client_impacts=outcome.impacts,
            sources=files,
            notes=outcome.notes,
        )


def _pci(*groups: tuple[str, ...]) -> tuple[str, ...]:
    refs = dict.fromkeys(r for g in groups for r in g)
    return tuple(sorted(refs, key=lambda r: tuple(int(p) for p in r.split("."))))


def _exception_ref(match: ExceptionMatch | None) -> ExceptionRef | None:
    if match is None:
        return None
    exc = match.exception
    return ExceptionRef(
        exc.path,
        exc.finding,
        exc.kind,
        exc.justification,
        exc.approved_by,
        exc.expires,
        match.active,
    )


def _options(host: HostPolicy | None, actions: tuple[Action, ...]) -> tuple[Option, ...]:
    """The opt-in, irreversible removals a decision offers: packages of a disabled Linux
    service, the SMB1Protocol feature where SMB 1 is turned off; each its own consent."""
    enabled = host.remove_packages if host else False
    windows = feature_options(actions, host.remove_windows_features if host else False)
    packages = tuple(p for a in actions if isinstance(a, DisableService) for p in a.packages)
    if not packages:
        return windows
    return (Option(REMOVE_PACKAGES, enabled, True, packages), *windows)


def _guard_management(ctx: FindingContext, actions: tuple[Action, ...]) -> None:
    """Refuse any decision that would close or narrow the management port."""
    host = ctx.host
    if host is None or not host.is_management(*ctx.port_key):
        return
    for action in actions:
        if action.type in {"disable_service", "firewall_block"} or (
            isinstance(action, FirewallRestrict)
            and not action.sources.covers(host.management_sources)
        ):
            raise ManagementGuardError(
                f"refusing to plan {action.type} on {ctx.port_label} of {host.host.name}: it is "
                f"the management connection"
            )
