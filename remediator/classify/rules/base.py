"""What every rule is, and the building blocks rules share.

A rule is a small class with an ``id``, the PCI DSS requirements it rests on, a test
(:meth:`Rule.applies`) and a decision (:meth:`Rule.decide`). The ordered registry in
:mod:`remediator.classify.rules` is tried top to bottom; the first rule that applies
decides. Rules never touch I/O: they read a :class:`FindingContext` and return an
:class:`RuleOutcome`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Final, NamedTuple

from remediator.classify.context import EXPOSURE_KINDS, FindingContext, RuleOutcome
from remediator.classify.model import Action, DisableService, EnforceTls, FirewallBlock

DISABLED_AND_BLOCKED: Final = (
    "It is disabled and its port blocked (PCI DSS 2.2.4: disabling beats a firewall alone)."
)
"""How a removal says what it does (a Windows translation that only blocks replaces it)."""


class Rule(ABC):
    """One kind of finding and how the policy answers it."""

    id: ClassVar[str]
    pci: ClassVar[tuple[str, ...]]
    summary: ClassVar[str]

    @abstractmethod
    def applies(self, ctx: FindingContext) -> bool:
        """Whether this rule decides ``ctx``."""

    @abstractmethod
    def decide(self, ctx: FindingContext) -> RuleOutcome:
        """The decision for ``ctx``; called only when :meth:`applies` said yes."""


def unapproved(ctx: FindingContext) -> bool:
    """A port on a managed host the policy does not allow (needed ports are decided earlier)."""
    return ctx.host is not None and ctx.finding.port > 0 and not ctx.exposure_allowed


def also_resolves(ctx: FindingContext) -> str:
    """For a non-exposure finding on a port being closed: closing it resolves this one too."""
    if ctx.kind.id in EXPOSURE_KINDS:
        return ""
    return f" Closing the port also resolves this finding ({ctx.kind.title})."


def policy_denial(ctx: FindingContext) -> str:
    """Why the exposure is not allowed, citing the policy."""
    if ctx.denied is not None:
        why = f": {ctx.denied.reason}" if ctx.denied.reason else ""
        return f"the policy denies it ({ctx.denied.path}{why})"
    groups = ", ".join(ctx.host.groups) if ctx.host and ctx.host.groups else "none"
    return f"no allow entry of the host's policy groups ({groups}) covers it"


class Removal(NamedTuple):
    """What removing an unapproved service comes to: actions, how (for the reason), notes."""

    actions: tuple[Action, ...]
    how: str
    notes: tuple[str, ...] = ()


def removal(ctx: FindingContext) -> Removal:
    """Disable the service *and* block its port, unless something else needs it running.

    The service keeps running (only the port is blocked) when the catalog says the host
    itself uses it (``keep_running``), when its units also provide a service the policy
    allows on this host (dovecot serves both 143 and the allowed 993), or when it *is*
    the management service or a kept one listening on one more port (sshd on 2222 as
    well as 22): stopping its units would cut what the policy keeps. A package that
    also provides a kept service is never offered for removal.
    """
    protocol, port = ctx.port_key
    block = FirewallBlock(protocol, port)
    if ctx.service is not None and ctx.service.keep_running:
        return Removal((block,), f"Only the port is blocked: {ctx.service.keep_running}")
    if ctx.shared_with:
        shared = ", ".join(ctx.shared_with)
        return Removal(
            (block,),
            f"Only the port is blocked: the same daemon also provides allowed "
            f"{shared}, so it keeps running.",
        )
    kept = ctx.host.kept_as(ctx.service) if ctx.host is not None else None
    if kept is not None:
        return Removal(
            (block,),
            f"Only the port is blocked: {kept.name} is {kept.why} and keeps running.",
            (
                f"{ctx.port_label} is served by {kept.name}, {kept.why}; disabling it would "
                f"{kept.loss}: blocked instead",
            ),
        )
    service = ctx.service
    linux = service.linux if service is not None else None
    packages, notes = _removable_packages(ctx, linux.packages if linux else ())
    disable = DisableService(
        protocol=protocol,
        port=port,
        service=service.name if service else None,
        units=linux.units if linux else (),
        sockets=linux.sockets if linux else (),
        inetd=linux.inetd if linux else (),
        packages=packages,
        windows=service.windows if service else (),
    )
    return Removal((disable, block), DISABLED_AND_BLOCKED, notes)


def remove_unapproved(ctx: FindingContext, why: str, replacement: str = "") -> RuleOutcome:
    """The outcome of every "remove an unapproved service" rule: :func:`removal`, explained.

    ``why`` is the rule's own sentence (what the service is, :func:`policy_denial`, the PCI
    DSS requirement); the ASV note, how it is removed, the catalog's better alternative
    (introduced by ``replacement``, e.g. ``Use instead``) and what closing the port also
    resolves follow in the same order for every such rule. The policy always fails it.
    """
    actions, how, notes = removal(ctx)
    better = (
        f" {replacement}: {ctx.service.replacement}."
        if replacement and ctx.service and ctx.service.replacement
        else ""
    )
    return RuleOutcome(
        actions=actions,
        reason=f"{why} {asv_note(ctx)} {how}{better}{also_resolves(ctx)}",
        policy_fail=True,
        notes=notes,
    )


def _removable_packages(
    ctx: FindingContext, packages: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The packages not shared with a kept service, and a note for each one left out."""
    if ctx.host is None:
        return packages, ()
    keep: list[str] = []
    notes: list[str] = []
    for package in packages:
        owner = next((k for k in ctx.host.kept if package in k.ids), None)
        if owner is None:
            keep.append(package)
        else:
            notes.append(
                f"package {package} is not offered for removal: it also provides {owner.name}, "
                f"{owner.why}"
            )
    return tuple(keep), tuple(notes)


def enforce_tls(ctx: FindingContext, *, require_tls_for_auth: bool = False) -> EnforceTls | None:
    """The enforce_tls action for the finding's port, or None when no daemon can take it.

    The daemon is recognised from the scanner's product text; failing that, the
    service's candidate daemons are listed for the generator to probe on the host.
    """
    if ctx.host is None:
        return None
    daemon = ctx.catalog.daemon_for(ctx.product) if ctx.product else None
    candidates = ctx.service.tls_daemons if ctx.service else ()
    if daemon is None and not candidates:
        return None
    setting = ctx.host.tls
    profile = ctx.catalog.profiles[setting.profile]
    rank = ctx.catalog.protocol_rank
    protocols = tuple(p for p in profile.protocols if rank(p) >= rank(setting.min_version))
    return EnforceTls(
        protocol=ctx.finding.protocol,
        port=ctx.finding.port,
        daemon=daemon.name if daemon else None,
        candidates=(daemon.name,) if daemon else candidates,
        profile=profile.name,
        min_version=setting.min_version,
        protocols=protocols,
        ciphers=profile.ciphers,
        require_tls_for_auth=require_tls_for_auth,
    )


def client_impacts(ctx: FindingContext) -> tuple[str, ...]:
    """Known client effects of enforcing the host's TLS profile on this service."""
    if ctx.host is None:
        return ()
    name = ctx.service.name if ctx.service else ""
    profile = ctx.host.tls.profile
    return tuple(
        i.impact
        for i in ctx.catalog.impacts
        if (name and name in i.services) or profile in i.profiles
    )


def asv_note(ctx: FindingContext) -> str:
    """What the ASV would make of the finding, for reasons."""
    if ctx.asv == "auto_fail":
        return (
            f"The ASV fails this automatically ({ctx.asv_why}), whatever its CVSS "
            f"({ctx.score:.1f})."
        )
    if ctx.asv == "fail":
        return f"The ASV fails it: {ctx.asv_why}."
    if ctx.asv == "special_note":
        return f"The ASV needs a written declaration for it (special note: {ctx.asv_why})."
    return f"It does not fail the ASV scan by itself ({ctx.asv_why})."


def open_without_credentials(ctx: FindingContext, service: str) -> bool:
    """A default-credentials finding on ``service`` at a port the host's policy keeps open:
    a daemon setting fixes it, closing the port would break what the policy allows."""
    return (
        ctx.kind.id == "default-credentials"
        and ctx.service is not None
        and ctx.service.name == service
        and ctx.host is not None
        and ctx.exposure_allowed
    )
