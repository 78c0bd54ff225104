"""Reading a policy file: schema first, then the checks a schema cannot express.

:func:`load_policy` is the policy package's entry point and its top module: it imports
the others (model, schema, guard) and none of them imports it back.

The schema catches shape errors (a missing ``justification``, a misspelt key). What needs
context is checked here: CIDRs, network and service names (against the catalog), group
names (against the inventory), dates, and the rule that no policy may cut the management
connection. Every problem is collected with its line so the user fixes them in one go.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from remediator.classify.catalog import Catalog, PortKey
from remediator.classify.catalog_load import load_catalog
from remediator.classify.policy.guard import management_conflicts, management_cuts
from remediator.classify.policy.model import (
    ALL_GROUP,
    DEFAULT_MANAGEMENT_SERVICE,
    DEFAULT_MAX_SCAN_AGE_DAYS,
    AllowEntry,
    DenyEntry,
    GroupPolicy,
    ManagementAccess,
    Policy,
    PolicyException,
    ServiceRef,
    TlsSetting,
)
from remediator.classify.policy.schema import schema_problems
from remediator.classify.policy.sources import (
    ANY,
    IPNetwork,
    Sources,
    make_sources,
    overlaps,
    parse_network,
)
from remediator.classify.problems import PolicyFileError, Problem
from remediator.classify.yamlmarks import (
    MarkedDocument,
    PathPart,
    load_marked,
    parse_path,
    render_path,
)
from remediator.ingest.inventory import Inventory

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NETWORK_NAME = re.compile(r"[a-z][a-z0-9_-]*")
MIN_TLS_VERSION = "TLSv1.2"
"""PCI DSS 4.2.1: no SSL or early TLS; TLS 1.2 is the oldest version a policy may keep."""

Parts = tuple[PathPart, ...]


def load_policy(
    path: Path, inventory: Inventory | None = None, catalog: Catalog | None = None
) -> Policy:
    """Read and validate the policy at ``path``; group names are checked against ``inventory``.

    Raises :class:`PolicyFileError` (a :class:`PolicyError`, exit 2) listing every problem
    with its ``file:line: path``.
    """
    return read_policy(path, inventory, catalog or load_catalog())


def read_policy(path: Path, inventory: Inventory | None, catalog: Catalog) -> Policy:
    """Load, validate and build the policy at ``path`` (see :func:`load_policy`)."""
    document = load_marked(path)
    reader = _Reader(document, catalog, inventory)
    reader.validate_schema()
    policy = reader.build()
    conflicts = management_conflicts(policy, inventory, document)
    reader.problems.extend(conflicts or management_cuts(policy, catalog, inventory, document))
    reader.raise_problems()
    return policy


class _Reader:
    """Builds a Policy from schema-valid data, collecting every semantic problem."""

    def __init__(self, doc: MarkedDocument, catalog: Catalog, inventory: Inventory | None) -> None:
        self.doc = doc
        self.catalog = catalog
        self.inventory = inventory
        self.problems: list[Problem] = []
        self.networks: dict[str, Sources] = {}

    def problem(self, parts: Parts, message: str) -> None:
        self.problems.append(
            Problem(self.doc.file, self.doc.line(parts), render_path(parts), message)
        )

    def raise_problems(self) -> None:
        if self.problems:
            raise PolicyFileError(self.problems)

    def validate_schema(self) -> None:
        for parts, message in schema_problems(self.doc.data):
            self.problem(parts, message)
        self.raise_problems()

    def build(self) -> Policy:
        data: Mapping[str, Any] = self.doc.data
        self.networks = self._networks(data.get("networks") or {})
        policy = Policy(
            file=self.doc.file,
            networks=dict(self.networks),
            management=self._management(data["management"], ("management",)),
            tls=self._tls(data.get("tls"), ("tls",)) or TlsSetting("intermediate", MIN_TLS_VERSION),
            firewall_backend=(data.get("firewall") or {}).get("backend"),
            max_scan_age_days=data.get("max_scan_age_days", DEFAULT_MAX_SCAN_AGE_DAYS),
            remove_packages=(data.get("options") or {}).get("remove_packages", False),
            remove_windows_features=(data.get("options") or {}).get(
                "remove_windows_features", False
            ),
            groups={name: self._group(name, raw or {}) for name, raw in data["groups"].items()},
            exceptions=tuple(self._exceptions(data.get("exceptions") or [])),
        )
        self.raise_problems()
        return policy

    # -- networks and sources -------------------------------------------------------------

    def _networks(self, raw: Mapping[str, list[str]]) -> dict[str, Sources]:
        result: dict[str, Sources] = {}
        for name, items in raw.items():
            parsed = self._cidr_list(("networks", name), list(enumerate(items)))
            result[name] = make_sources([name], (n for _, n in parsed))
        return result

    def _cidr_list(self, parts: Parts, items: list[tuple[int, str]]) -> list[tuple[str, IPNetwork]]:
        """Parse ``(index, text)`` CIDRs, reporting bad ones and overlaps at their index."""
        parsed: list[tuple[str, IPNetwork]] = []
        index_of: dict[str, int] = {}
        for index, text in items:
            try:
                network = parse_network(text)
            except ValueError as exc:
                self.problem((*parts, index), str(exc))
                continue
            parsed.append((text, network))
            index_of.setdefault(text, index)
        for first, second in overlaps(parsed):
            self.problem((*parts, index_of[second]), f"{second} overlaps {first} in the same list")
        return parsed

    def sources(self, parts: Parts, items: list[str]) -> Sources:
        """Resolve a ``sources`` list: 'any', network names and literal CIDRs."""
        names: list[str] = []
        networks: list[IPNetwork] = []
        literals: list[tuple[int, str]] = []
        for index, text in enumerate(items):
            if text == ANY:
                if len(items) > 1:
                    self.problem(
                        (*parts, index), "'any' already includes every address; list it alone"
                    )
                names.append(ANY)
            elif text in self.networks:
                names.append(text)
                networks.extend(self.networks[text].networks)
            elif _NETWORK_NAME.fullmatch(text):
                known = ", ".join(sorted(self.networks)) or "none defined"
                self.problem((*parts, index), f"unknown network {text!r} (networks: {known})")
            else:
                literals.append((index, text))
        parsed = self._cidr_list(parts, literals)
        names.extend(text for text, _ in parsed)
        networks.extend(network for _, network in parsed)
        return make_sources(names, networks)

    # -- sections -------------------------------------------------------------------------

    def _management(self, raw: Mapping[str, Any], parts: Parts) -> ManagementAccess:
        service = raw.get("service", DEFAULT_MANAGEMENT_SERVICE)
        if service not in self.catalog.services:
            self.problem((*parts, "service"), self._unknown_service(service))
        sources = self.sources((*parts, "sources"), raw["sources"])
        return ManagementAccess(service, raw.get("port"), sources, render_path(parts))

    def _tls(self, raw: Mapping[str, Any] | None, parts: Parts) -> TlsSetting | None:
        if raw is None:
            return None
        profile = self.catalog.profiles[raw["profile"]]
        wanted = raw.get("min_version", profile.min_version)
        version = self.catalog.canonical_protocol(str(wanted))
        where = (*parts, "min_version")
        if version is None:
            self.problem(
                where,
                f"unknown protocol version {wanted!r} (known: {', '.join(self.catalog.protocols)})",
            )
            return TlsSetting(profile.name, profile.min_version)
        rank = self.catalog.protocol_rank
        if rank(version) < rank(MIN_TLS_VERSION):
            self.problem(
                where, f"{version} is early TLS/SSL; PCI DSS 4.2.1 needs {MIN_TLS_VERSION} or newer"
            )
        elif rank(version) < rank(profile.min_version):
            self.problem(
                where,
                f"profile {profile.name} offers only "
                f"{', '.join(profile.protocols)}; {version} contradicts it",
            )
        return TlsSetting(profile.name, version)

    def _unknown_service(self, name: str) -> str:
        return f"unknown service {name!r}: not in the catalog (use port: and protocol: instead)"

    def _ref(self, parts: Parts, raw: Mapping[str, Any]) -> ServiceRef | None:
        service, port = raw.get("service"), raw.get("port")
        if (service is None) == (port is None):
            self.problem(parts, "name exactly one of 'service' or 'port'")
            return None
        if service is not None:
            if "protocol" in raw:
                self.problem((*parts, "protocol"), "'protocol' goes with 'port', not 'service'")
            if service not in self.catalog.services:
                self.problem((*parts, "service"), self._unknown_service(service))
                return None
            return ServiceRef(service=service)
        return ServiceRef(port=(str(raw.get("protocol", "tcp")), int(raw["port"])))

    def _group(self, name: str, raw: Mapping[str, Any]) -> GroupPolicy:
        parts: Parts = ("groups", name)
        if self.inventory is not None and name != ALL_GROUP and name not in self.inventory.groups:
            known = ", ".join(self.inventory.groups) or "none"
            self.problem(
                parts,
                f"unknown group {name!r}: not in inventory "
                f"{self.inventory.source} (groups: {known})",
            )
        allow = tuple(self._allows(name, raw.get("allow") or []))
        deny = tuple(self._denies(name, raw.get("deny") or []))
        self._conflicts(allow, deny)
        return GroupPolicy(
            name=name,
            allow=allow,
            deny=deny,
            tls=self._tls(raw.get("tls"), (*parts, "tls")),
            firewall_backend=(raw.get("firewall") or {}).get("backend"),
            remove_packages=(raw.get("options") or {}).get("remove_packages"),
            remove_windows_features=(raw.get("options") or {}).get("remove_windows_features"),
            sshd_keys_only=((raw.get("harden") or {}).get("sshd") or {}).get("keys_only"),
            redis_password_var=((raw.get("harden") or {}).get("redis") or {}).get("password_var"),
            management=(
                self._management(raw["management"], (*parts, "management"))
                if raw.get("management")
                else None
            ),
        )

    def _allows(self, group: str, items: list[Mapping[str, Any]]) -> Iterator[AllowEntry]:
        seen: dict[frozenset[PortKey], str] = {}
        for index, raw in enumerate(items):
            parts: Parts = ("groups", group, "allow", index)
            ref = self._ref(parts, raw)
            sources = self.sources((*parts, "sources"), raw["sources"])
            if ref is None:
                continue
            ports = ref.ports(self.catalog)
            for other_ports, other_path in seen.items():
                if ports & other_ports:
                    self.problem(parts, f"{ref.describe()} is already allowed by {other_path}")
            seen[ports] = render_path(parts)
            needs = tuple(raw.get("needs", ()))
            for n_index, name in enumerate(needs):
                if name not in self.catalog.services:
                    self.problem((*parts, "needs", n_index), self._unknown_service(name))
            yield AllowEntry(
                group,
                ref,
                sources,
                raw["justification"].strip(),
                raw["owner"].strip(),
                render_path(parts),
                self.doc.line(parts),
                needs,
            )

    def _denies(self, group: str, items: list[Mapping[str, Any]]) -> Iterator[DenyEntry]:
        for index, raw in enumerate(items):
            parts: Parts = ("groups", group, "deny", index)
            ref = self._ref(parts, raw)
            if ref is not None:
                yield DenyEntry(
                    group,
                    ref,
                    str(raw.get("reason", "")).strip(),
                    render_path(parts),
                    self.doc.line(parts),
                )

    def _conflicts(self, allow: tuple[AllowEntry, ...], deny: tuple[DenyEntry, ...]) -> None:
        for entry in deny:
            for allowed in allow:
                if entry.ref.ports(self.catalog) & allowed.ref.ports(self.catalog):
                    self.problem(
                        parse_path(entry.path),
                        f"{entry.ref.describe()} is both allowed "
                        f"({allowed.path}) and denied in the same group",
                    )

    def _exceptions(self, items: list[Mapping[str, Any]]) -> Iterator[PolicyException]:
        for index, raw in enumerate(items):
            parts: Parts = ("exceptions", index)
            if "finding" not in raw and "kind" not in raw:
                self.problem(parts, "an exception needs 'finding' (a key pattern) or 'kind'")
            kind = raw.get("kind")
            if kind is not None and not self._kind_pattern_known(kind):
                self.problem(
                    (*parts, "kind"),
                    f"unknown kind {kind!r} (known: {', '.join(sorted(self.catalog.kinds))})",
                )
            expires = self._date((*parts, "expires"), raw["expires"])
            if expires is not None:
                yield PolicyException(
                    index,
                    raw.get("finding"),
                    kind,
                    raw["justification"].strip(),
                    raw["approved_by"].strip(),
                    expires,
                    render_path(parts),
                    self.doc.line(parts),
                )

    def _kind_pattern_known(self, pattern: str) -> bool:
        return any(fnmatchcase(kind, pattern) for kind in self.catalog.kinds)

    def _date(self, parts: Parts, text: str) -> date | None:
        if not _DATE.match(text):
            self.problem(parts, f"{text!r} is not a date written YYYY-MM-DD")
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.problem(parts, f"{text!r} is not a real calendar date")
            return None
