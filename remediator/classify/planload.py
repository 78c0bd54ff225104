"""Reading a plan back: a ``remediator/plan/v1`` document, checked and frozen.

The plan's one loader, beside its writer (:mod:`remediator.classify.plan`), so the two
agree on one schema. Later stages (generate, run, verify) read the plan *file* and not
the in-memory :class:`~remediator.classify.plan.Plan`: the file is what the admin
reviews and what a generated project's manifest names by its sha256, so everything
downstream must come from those bytes. An in-memory plan goes through the same path
(:func:`from_plan` serialises it first), so a file and the object it was written from
always read the same. A plan may be edited by hand: every field used is type-checked by
:class:`Fields`, and a wrong one is an InputError naming the file and the field's path
(``plan.json: decisions[3].actions[0].port: expected an integer``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from remediator.classify.model import (
    Action,
    DisableService,
    EnforceTls,
    FirewallBlock,
    FirewallRestrict,
    Keep,
    Manual,
)
from remediator.classify.plan import SCHEMA as WRITTEN_SCHEMA
from remediator.classify.plan import Plan
from remediator.classify.policy.sources import ANY, Sources, make_sources, parse_network
from remediator.errors import InputError
from remediator.ingest.model import normalize_address, parse_ip

SCHEMA: Final = WRITTEN_SCHEMA
"""The schema read here: the one :mod:`remediator.classify.plan` writes."""
ACTION_TYPES: Final = frozenset(
    {"disable_service", "firewall_block", "firewall_restrict", "enforce_tls", "keep", "manual"}
)


class Fields:
    """One JSON object and where it sits in its document."""

    def __init__(self, data: object, where: str, display: str) -> None:
        if not isinstance(data, Mapping):
            raise InputError(f"{display}: {where or 'the document'}: expected an object")
        self.data: Mapping[str, Any] = data
        self.where = where
        self.display = display

    def _path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> InputError:
        """An InputError about ``key`` of this object."""
        return InputError(f"{self.display}: {self._path(key)}: {problem}")

    def _get(self, key: str) -> object:
        if key not in self.data:
            raise self.fail(key, "is missing")
        return self.data[key]

    def text(self, key: str) -> str:
        """A required string."""
        value = self._get(key)
        if not isinstance(value, str):
            raise self.fail(key, "expected text")
        return value

    def optional_text(self, key: str) -> str | None:
        """A string or null (missing counts as null)."""
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(key, "expected text or null")
        return value

    def integer(self, key: str, low: int = 0, high: int = 65535) -> int:
        """A required integer within ``[low, high]``."""
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "expected an integer")
        if not low <= value <= high:
            raise self.fail(key, f"{value} is outside {low}-{high}")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        """A boolean (``default`` when missing, if given)."""
        if key not in self.data and default is not None:
            return default
        value = self._get(key)
        if not isinstance(value, bool):
            raise self.fail(key, "expected true or false")
        return value

    def texts(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """A list of strings (``default`` when missing, if given)."""
        if key not in self.data and default is not None:
            return default
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of text")
        return tuple(value)

    def items(self, key: str) -> list[object]:
        """A required list of anything (its items checked by the caller)."""
        value = self._get(key)
        if not isinstance(value, list):
            raise self.fail(key, "expected a list")
        return value

    def child(self, key: str) -> Fields:
        """A nested object."""
        return Fields(self._get(key), self._path(key), self.display)

    def optional_child(self, key: str) -> Fields | None:
        """A nested object or null."""
        value = self.data.get(key)
        return None if value is None else Fields(value, self._path(key), self.display)

    def children(self, key: str) -> Iterator[Fields]:
        """Each object of a list."""
        value = self._get(key)
        if not isinstance(value, list):
            raise self.fail(key, "expected a list")
        for index, item in enumerate(value):
            yield Fields(item, f"{self._path(key)}[{index}]", self.display)

    def entries(self, key: str) -> Iterator[tuple[str, Fields]]:
        """Each named object of a mapping, in key order."""
        value = self._get(key)
        if not isinstance(value, Mapping):
            raise self.fail(key, "expected an object")
        for name in sorted(value):
            yield name, Fields(value[name], f"{self._path(key)}.{name}", self.display)


@dataclass(frozen=True)
class Management:
    """How Ansible reaches the host; never a target."""

    service: str
    protocol: str
    port: int
    sources: Sources


@dataclass(frozen=True)
class ProtectedPort:
    """A port whose listener no change on the host may stop (management or kept)."""

    protocol: str
    port: int
    service: str | None


@dataclass(frozen=True)
class TlsProfile:
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
    tls: TlsProfile
    protected_ports: tuple[ProtectedPort, ...] = ()


@dataclass(frozen=True)
class PackageOption:
    """The opt-in package removal of a decision."""

    enabled: bool
    packages: tuple[str, ...]


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

    @property
    def key(self) -> str:
        """The finding key as the roles carry it: ``address/protocol/port/check_id``."""
        return f"{self.address}/{self.protocol}/{self.port}/{self.check_id}"


@dataclass(frozen=True)
class PlanDoc:
    """A plan file: its hash, its hosts and its decisions."""

    sha256: str
    as_of: str
    inventory: str
    hosts: tuple[PlanHost, ...]
    decisions: tuple[PlanDecision, ...]

    def host(self, name: str) -> PlanHost | None:
        """The plan's record of a host, if it has one."""
        return next((h for h in self.hosts if h.name == name), None)


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
    top = Fields(document, "", display)
    if document.get("schema") != SCHEMA:
        raise top.fail("schema", f"expected {SCHEMA!r} (is this a plan from `remediator plan`?)")
    as_of = top.text("as_of")
    try:
        date.fromisoformat(as_of)
    except ValueError:
        raise top.fail("as_of", f"{as_of!r} is not a date") from None
    return PlanDoc(
        sha256=hashlib.sha256(raw).hexdigest(),
        as_of=as_of,
        inventory=top.text("inventory"),
        hosts=tuple(_host(name, fields) for name, fields in top.entries("hosts")),
        decisions=tuple(_decision(f) for f in top.children("decisions")),
    )


def _sources(fields: Fields) -> Sources:
    if fields.flag("any"):
        return Sources.everyone()
    try:
        networks = [parse_network(c) for c in fields.texts("cidrs") if c != ANY]
    except ValueError as exc:
        raise fields.fail("cidrs", str(exc)) from None
    return make_sources(fields.texts("names"), networks)


def _addresses(fields: Fields) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A host's addresses and their origins; a plain string (a plan written before
    origins were recorded, when every address came from the inventory) counts as one."""
    addresses: list[str] = []
    origins: list[str] = []
    for index, item in enumerate(fields.items("addresses")):
        if isinstance(item, str):
            address, origin = item, "inventory"
        else:
            entry = Fields(item, f"{fields.where}.addresses[{index}]", fields.display)
            address, origin = entry.text("address"), entry.text("origin")
        if parse_ip(address) is None:
            raise fields.fail(f"addresses[{index}]", f"{address!r} is not an IP address")
        addresses.append(normalize_address(address))
        origins.append(origin)
    return tuple(addresses), tuple(origins)


def _protected(fields: Fields, management: Management) -> tuple[ProtectedPort, ...]:
    """``protected_ports``; a plan written before the field protects its management port."""
    if "protected_ports" not in fields.data:
        return (ProtectedPort(management.protocol, management.port, management.service),)
    return tuple(
        ProtectedPort(p.text("protocol"), p.integer("port", 1), p.optional_text("service"))
        for p in fields.children("protected_ports")
    )


def _host(name: str, fields: Fields) -> PlanHost:
    management_fields = fields.child("management")
    management = Management(
        service=management_fields.text("service"),
        protocol=management_fields.text("protocol"),
        port=management_fields.integer("port", 1),
        sources=_sources(management_fields.child("sources")),
    )
    tls = fields.child("tls")
    addresses, origins = _addresses(fields)
    return PlanHost(
        name=name,
        addresses=addresses,
        origins=origins,
        groups=fields.texts("inventory_groups", ()),
        os=fields.text("os"),
        scanned=fields.flag("scanned", True),
        management=management,
        firewall_backend=fields.optional_text("firewall_backend"),
        tls=TlsProfile(
            profile=tls.text("profile"),
            min_version=tls.text("min_version"),
            protocols=tls.texts("protocols"),
            ciphers=tls.text("ciphers"),
        ),
        protected_ports=_protected(fields, management),
    )


def _decision(fields: Fields) -> PlanDecision:
    options = [o for o in fields.children("options") if o.text("name") == "remove_packages"]
    return PlanDecision(
        host=fields.optional_text("host"),
        address=fields.text("address"),
        protocol=fields.text("protocol"),
        port=fields.integer("port"),
        service=fields.optional_text("service"),
        check_id=fields.text("check_id"),
        title=fields.text("title"),
        kind=fields.text("kind"),
        verdict=fields.text("verdict"),
        actions=tuple(_action(a) for a in fields.children("actions")),
        reason=fields.text("reason"),
        notes=fields.texts("notes", ()),
        remove_packages=PackageOption(options[0].flag("enabled"), options[0].texts("packages"))
        if options
        else None,
    )


def _action(fields: Fields) -> Action:
    kind = fields.text("type")
    if kind not in ACTION_TYPES:
        raise fields.fail("type", f"unknown action type {kind!r}")
    if kind == "manual":
        return Manual(fields.text("task"))
    protocol, port = fields.text("protocol"), fields.integer("port")
    if kind == "disable_service":
        return DisableService(
            protocol=protocol,
            port=port,
            service=fields.optional_text("service"),
            units=fields.texts("units", ()),
            sockets=fields.texts("sockets", ()),
            inetd=fields.texts("inetd", ()),
            packages=fields.texts("packages", ()),
        )
    if kind == "firewall_block":
        return FirewallBlock(protocol, port)
    if kind == "firewall_restrict":
        return FirewallRestrict(protocol, port, _sources(fields.child("sources")))
    if kind == "keep":
        sources = fields.optional_child("sources")
        return Keep(protocol, port, _sources(sources) if sources else None)
    if kind == "enforce_tls":
        return EnforceTls(
            protocol=protocol,
            port=port,
            daemon=fields.optional_text("daemon"),
            candidates=fields.texts("candidates", ()),
            profile=fields.text("profile"),
            min_version=fields.text("min_version"),
            protocols=fields.texts("protocols"),
            ciphers=fields.text("ciphers"),
            require_tls_for_auth=fields.flag("require_tls_for_auth", False),
        )
    raise AssertionError(kind)  # pragma: no cover - ACTION_TYPES lists every branch
