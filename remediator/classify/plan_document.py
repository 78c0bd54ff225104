"""The plan document, both ways: ``remediator/plan/v1`` checked against its schema and frozen.

The plan's one reader beside its writer. :class:`~remediator.classify.plan.Plan` builds the
document; :func:`plan_text` checks and serialises it; :func:`load_plan` /
:func:`parse_plan` check a plan file against ``remediator/schemas/plan.schema.json`` and
freeze it as a :class:`PlanDoc`. Every later stage (generate, run, verify, report) reads
the plan *file* through here, never the in-memory plan: the file is what the admin
reviews and what a generated project's manifest names by its sha256, so everything
downstream must come from those bytes (:func:`from_plan` takes an in-memory plan through
its text, so a file and the object it was written from always read the same).

A plan may be edited by hand: a wrong field is one :class:`DocumentError` line naming the
file, the JSON path and the schema version
(``plan.json: $.decisions[3].port: expected an integer (schema remediator/plan/v1)``).
The schema checks shapes and types; what JSON Schema cannot say (a date, an IP address,
a CIDR without host bits) is checked here while freezing, in the same wording.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from jsonschema import ValidationError

from remediator.classify.model import (
    Action,
    DisableService,
    EnforceTls,
    FirewallBlock,
    FirewallRestrict,
    Harden,
    Keep,
    Manual,
    Patch,
)
from remediator.classify.policy.sources import ANY, Sources, make_sources, parse_network
from remediator.common.documents import (
    DocumentError,
    describe_error,
    document_text,
    dotted_path,
    expected_types,
    schema,
)
from remediator.errors import InputError
from remediator.ingest.model import FindingKey, normalize_address, parse_ip

if TYPE_CHECKING:
    from remediator.classify.plan import Plan

SCHEMA: Final = "remediator/plan/v1"
"""The version every plan is written with and read as (the schema's ``schema`` const)."""
NAME: Final = "plan"
"""The shipped schema's name: ``remediator/schemas/plan.schema.json``."""

JsonPath = tuple[str | int, ...]
"""Where a value sits in the document: keys and list indexes from the top."""


@dataclass(frozen=True)
class Management:
    """How Ansible reaches the host; never a target."""

    service: str
    protocol: str
    port: int
    sources: Sources


@dataclass(frozen=True)
class PlanProtectedPort:
    """A port whose listener no change on the host may stop (management or kept)."""

    protocol: str
    port: int
    service: str | None


@dataclass(frozen=True)
class PlanTlsProfile:
    """The TLS settings the host's policy asks for."""

    profile: str
    min_version: str
    protocols: tuple[str, ...]
    ciphers: str


@dataclass(frozen=True)
class PlanHost:
    """One inventory host as the plan records it."""

    name: str
    addresses: tuple[str, ...]
    origins: tuple[str, ...]
    """Where each of :attr:`addresses` came from (``ansible_host``, ``dns:<name>`` ...)."""
    groups: tuple[str, ...]
    os: str
    scanned: bool
    management: Management
    firewall_backend: str | None
    tls: PlanTlsProfile
    protected_ports: tuple[PlanProtectedPort, ...] = ()


@dataclass(frozen=True)
class PackageOption:
    """The opt-in package removal of a decision."""

    enabled: bool
    packages: tuple[str, ...]


@dataclass(frozen=True)
class FeatureOption:
    """The opt-in removal of Windows optional features (SMB1Protocol) of a decision."""

    enabled: bool
    features: tuple[str, ...]


@dataclass(frozen=True)
class PlanException:
    """The policy exception a decision cites, as the plan recorded it (verify reports it)."""

    entry: str
    justification: str
    approved_by: str
    expires: str
    active: bool


@dataclass(frozen=True)
class PlanDecision:
    """One finding's decision: what to do and why."""

    host: str | None
    address: str
    protocol: str
    port: int
    service: str | None
    check_id: str
    title: str
    kind: str
    verdict: str
    actions: tuple[Action, ...]
    reason: str
    remove_packages: PackageOption | None
    notes: tuple[str, ...] = ()
    severity: float = 0.0
    policy_entry: str | None = None
    justification: str | None = None
    exception: PlanException | None = None
    remove_windows_features: FeatureOption | None = None
    asv: str = ""
    """The ASV outcome the plan predicts (``fail``, ``pass`` ...); "" in a plan without it."""
    asv_reason: str = ""
    """Why: the reference's rule that decided the ASV outcome."""
    pci: tuple[str, ...] = ()
    """The PCI DSS requirements the decision rests on."""
    owner: str | None = None
    """Who answers for the service, from the policy entry."""

    @property
    def finding_key(self) -> FindingKey:
        """The key of the finding this decision answers."""
        return FindingKey(self.address, self.protocol, self.port, self.check_id)

    @property
    def key(self) -> str:
        """The finding key as the roles carry it: ``address/protocol/port/check_id``."""
        return str(self.finding_key)


@dataclass(frozen=True)
class PlanDoc:
    """A plan file: its hash, its hosts and its decisions."""

    sha256: str
    as_of: str
    inventory: str
    hosts: tuple[PlanHost, ...]
    decisions: tuple[PlanDecision, ...]
    scan_files: tuple[str, ...] = ()

    def host(self, name: str) -> PlanHost | None:
        """The plan's record of a host, if it has one."""
        return next((h for h in self.hosts if h.name == name), None)


def plan_text(document: Mapping[str, Any]) -> str:
    """The plan document as the bytes written, after checking it against its own schema.

    A plan its readers would refuse is a bug of the writer, stopped before anything is
    written or printed.
    """
    schema(NAME).check(document, "plan (as written)", describe_plan_error)
    return document_text(document)


def load_plan(path: Path) -> PlanDoc:
    """Read and check a plan file; InputError for anything that is not a v1 plan."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the plan: {exc.strerror}") from exc
    return parse_plan(raw, str(path))


def from_plan(plan: Plan) -> PlanDoc:
    """The generator's view of an in-memory plan, through its JSON form."""
    return parse_plan(plan.dumps().encode("utf-8"), "plan")


def parse_plan(raw: bytes, display: str) -> PlanDoc:
    """A plan document from its bytes (their sha256 is the plan's identity)."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{display}: not a JSON plan: {exc}") from None
    return plan_from_document(document, display, hashlib.sha256(raw).hexdigest())


def plan_from_document(document: object, display: str, sha256: str = "") -> PlanDoc:
    """An already-parsed plan document, checked against the schema and frozen."""
    schema(NAME).check(document, display, describe_plan_error)
    assert isinstance(document, dict)  # noqa: S101 - the schema says "type": "object"
    fail = _PlanFailer(display)
    as_of = document["as_of"]
    try:
        date.fromisoformat(as_of)
    except ValueError:
        raise fail(("as_of",), f"{as_of!r} is not a date") from None
    hosts = document["hosts"]
    return PlanDoc(
        sha256=sha256,
        as_of=as_of,
        inventory=document["inventory"],
        hosts=tuple(_host(name, hosts[name], fail) for name in sorted(hosts)),
        decisions=tuple(
            _decision(d, ("decisions", i), fail) for i, d in enumerate(document["decisions"])
        ),
        scan_files=tuple(document.get("scan_files", ())),
    )


def describe_plan_error(error: ValidationError) -> str:
    """A schema violation in the words plan readers have always used: ``$.a.b: expected text``."""
    parts = list(error.absolute_path)
    value: Any = error.validator_value
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = next(str(k) for k in value if k not in error.instance)
        return f"{dotted_path([*parts, missing])}: is missing"
    path = dotted_path(parts)
    if error.validator == "type":
        return f"{path}: expected {expected_types(value)}"
    if error.validator in ("minimum", "maximum") and isinstance(error.schema, Mapping):
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        return f"{path}: {error.instance} is outside {low}-{high}"
    if error.validator == "enum" and parts[-1:] == ["type"]:
        return f"{path}: unknown action type {error.instance!r}"
    if error.validator == "const" and parts == ["schema"]:
        return f"{path}: expected {value!r} (is this a plan from `remediator plan`?)"
    return describe_error(error)


class _PlanFailer:
    """Makes the error of a value the schema allows but the plan cannot mean."""

    def __init__(self, display: str) -> None:
        self.display = display

    def __call__(self, parts: Iterable[str | int], problem: str) -> DocumentError:
        return DocumentError(f"{self.display}: {dotted_path(parts)}: {problem} (schema {SCHEMA})")


def _sources(raw: Mapping[str, Any], at: JsonPath, fail: _PlanFailer) -> Sources:
    if raw["any"]:
        return Sources.everyone()
    try:
        networks = [parse_network(c) for c in raw["cidrs"] if c != ANY]
    except ValueError as exc:
        raise fail((*at, "cidrs"), str(exc)) from None
    return make_sources(raw["names"], networks)


def _addresses(
    raw: list[Any], at: JsonPath, fail: _PlanFailer
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A host's addresses and their origins; a plain string (a plan written before
    origins were recorded, when every address came from the inventory) counts as one."""
    addresses: list[str] = []
    origins: list[str] = []
    for index, item in enumerate(raw):
        address, origin = (
            (item, "inventory")
            if isinstance(item, str)
            else (
                item["address"],
                item["origin"],
            )
        )
        if parse_ip(address) is None:
            raise fail((*at, index), f"{address!r} is not an IP address")
        addresses.append(normalize_address(address))
        origins.append(origin)
    return tuple(addresses), tuple(origins)


def _protected(raw: Mapping[str, Any], management: Management) -> tuple[PlanProtectedPort, ...]:
    """``protected_ports``; a plan written before the field protects its management port."""
    if "protected_ports" not in raw:
        return (PlanProtectedPort(management.protocol, management.port, management.service),)
    return tuple(
        PlanProtectedPort(p["protocol"], p["port"], p.get("service"))
        for p in raw["protected_ports"]
    )


def _host(name: str, raw: Mapping[str, Any], fail: _PlanFailer) -> PlanHost:
    at: JsonPath = ("hosts", name)
    manage = raw["management"]
    management = Management(
        service=manage["service"],
        protocol=manage["protocol"],
        port=manage["port"],
        sources=_sources(manage["sources"], (*at, "management", "sources"), fail),
    )
    tls = raw["tls"]
    addresses, origins = _addresses(raw["addresses"], (*at, "addresses"), fail)
    return PlanHost(
        name=name,
        addresses=addresses,
        origins=origins,
        groups=tuple(raw.get("inventory_groups", ())),
        os=raw["os"],
        scanned=raw.get("scanned", True),
        management=management,
        firewall_backend=raw.get("firewall_backend"),
        tls=PlanTlsProfile(
            tls["profile"], tls["min_version"], tuple(tls["protocols"]), tls["ciphers"]
        ),
        protected_ports=_protected(raw, management),
    )


def _decision(raw: Mapping[str, Any], at: JsonPath, fail: _PlanFailer) -> PlanDecision:
    options = [o for o in raw["options"] if o["name"] == "remove_packages"]
    features = [o for o in raw["options"] if o["name"] == "remove_windows_features"]
    exception = raw.get("exception")
    return PlanDecision(
        host=raw.get("host"),
        address=raw["address"],
        protocol=raw["protocol"],
        port=raw["port"],
        service=raw.get("service"),
        check_id=raw["check_id"],
        title=raw["title"],
        kind=raw["kind"],
        verdict=raw["verdict"],
        actions=tuple(_action(a, (*at, "actions", i), fail) for i, a in enumerate(raw["actions"])),
        reason=raw["reason"],
        notes=tuple(raw.get("notes", ())),
        remove_packages=PackageOption(options[0]["enabled"], tuple(options[0]["packages"]))
        if options
        else None,
        severity=float(raw.get("severity", 0.0)),
        policy_entry=raw.get("policy_entry"),
        justification=raw.get("justification"),
        exception=_exception(exception) if exception is not None else None,
        remove_windows_features=FeatureOption(
            features[0]["enabled"], tuple(features[0]["features"])
        )
        if features
        else None,
        asv=raw.get("asv", ""),
        asv_reason=raw.get("asv_reason", ""),
        pci=tuple(raw.get("pci", ())),
        owner=raw.get("owner"),
    )


def _exception(raw: Mapping[str, Any]) -> PlanException:
    return PlanException(
        entry=raw.get("entry", ""),
        justification=raw.get("justification", ""),
        approved_by=raw.get("approved_by", ""),
        expires=raw.get("expires", ""),
        active=raw.get("status") == "active",
    )


def _action(raw: Mapping[str, Any], at: JsonPath, fail: _PlanFailer) -> Action:
    kind = raw["type"]
    if kind == "manual":
        return Manual(raw["task"])
    protocol, port = raw["protocol"], raw["port"]
    if kind == "disable_service":
        return DisableService(
            protocol=protocol,
            port=port,
            service=raw.get("service"),
            units=tuple(raw.get("units", ())),
            sockets=tuple(raw.get("sockets", ())),
            inetd=tuple(raw.get("inetd", ())),
            packages=tuple(raw.get("packages", ())),
            windows=tuple(raw.get("windows_services", ())),
        )
    if kind in PORT_ACTIONS:
        return _port_action(kind, raw, at, fail)
    if kind == "patch":
        return Patch(protocol, port, tuple(raw["cves"]), raw.get("package"))
    return EnforceTls(  # the schema allows no other type
        protocol=protocol,
        port=port,
        daemon=raw.get("daemon"),
        candidates=tuple(raw.get("candidates", ())),
        profile=raw["profile"],
        min_version=raw["min_version"],
        protocols=tuple(raw["protocols"]),
        ciphers=raw["ciphers"],
        require_tls_for_auth=raw.get("require_tls_for_auth", False),
    )


def _harden(raw: Mapping[str, Any], at: JsonPath, fail: _PlanFailer) -> Harden:
    algorithms = raw.get("algorithms") or {}
    sources = raw.get("sources")
    return Harden(
        raw["protocol"],
        raw["port"],
        raw["daemon"],
        tuple(raw["settings"]),
        raw["clients"],
        profile=raw.get("profile"),
        algorithms=tuple((c, tuple(names)) for c, names in algorithms.items()),
        weak=tuple(raw.get("weak", ())),
        secret_var=raw.get("secret_var"),
        sources=_sources(sources, (*at, "sources"), fail) if sources is not None else None,
    )


PORT_ACTIONS: Final = frozenset({"firewall_block", "firewall_restrict", "harden", "keep"})
"""Action types made of a port and at most one more fact."""


def _port_action(kind: str, raw: Mapping[str, Any], at: JsonPath, fail: _PlanFailer) -> Action:
    protocol, port = raw["protocol"], raw["port"]
    if kind == "firewall_block":
        return FirewallBlock(protocol, port)
    if kind == "firewall_restrict":
        return FirewallRestrict(protocol, port, _sources(raw["sources"], (*at, "sources"), fail))
    if kind == "harden":
        return _harden(raw, at, fail)
    sources = raw.get("sources")
    kept = _sources(sources, (*at, "sources"), fail) if sources is not None else None
    return Keep(protocol, port, kept)
