"""The catalog: services, TLS facts and scanner check ids, read from ``catalog.yml``.

Everything the classifier knows about the world is data in ``catalog.yml`` (checked
against ``schemas/catalog.schema.json``), so a new scanner id or service is a data change a
reviewer can read, not code. This module holds those frozen objects and their lookups
(:mod:`remediator.classify.catalog_load` reads the file); deciding what to do is
:mod:`remediator.classify.decide`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from remediator.errors import RemediatorError

PortKey = tuple[str, int]
"""``(protocol, port)``."""


class CatalogError(RemediatorError):
    """The shipped catalog is broken: a packaging or editing bug, never user input."""


@dataclass(frozen=True)
class Kind:
    """A scanner-neutral finding kind and what PCI says about it."""

    id: str
    title: str
    pci: tuple[str, ...]
    auto_fail: bool = False
    special_note: bool = False
    notes: str = ""


@dataclass(frozen=True)
class LinuxIds:
    """What provides a service on Linux: systemd units and sockets, inetd names, packages."""

    units: tuple[str, ...] = ()
    sockets: tuple[str, ...] = ()
    inetd: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()

    @property
    def runtime(self) -> frozenset[str]:
        """Units, sockets and inetd names: what is stopped when the service is disabled."""
        return frozenset((*self.units, *self.sockets, *(f"inetd:{n}" for n in self.inetd)))


@dataclass(frozen=True)
class ServiceEntry:
    """One network service the catalog knows."""

    name: str
    title: str
    ports: frozenset[PortKey]
    category: str
    names: tuple[str, ...] = ()
    products: tuple[re.Pattern[str], ...] = ()
    port_products: tuple[re.Pattern[str], ...] = ()
    """Products that mean this service only on its own ports (a generic server such as
    Windows' HTTP.sys, "Microsoft HTTPAPI httpd", is WinRM on 5985/5986, not elsewhere)."""
    cleartext: bool = False
    starttls: bool = False
    tls: bool = False
    asv_auto_fail: bool = False
    needs: tuple[str, ...] = ()
    tls_daemons: tuple[str, ...] = ()
    keep_running: str = ""
    replacement: str = ""
    asv: str = ""
    linux: LinuxIds = LinuxIds()
    windows: tuple[str, ...] = ()

    def port_list(self) -> list[str]:
        """The ports as ``port/proto`` text, sorted, for reasons and plans."""
        return [f"{port}/{proto}" for proto, port in sorted(self.ports, key=lambda k: (k[1], k[0]))]


@dataclass(frozen=True)
class Daemon:
    """A TLS-speaking daemon enforce_tls can configure, recognised by product text."""

    name: str
    products: tuple[re.Pattern[str], ...]
    unit: str


@dataclass(frozen=True)
class TlsProfile:
    """A Mozilla Server Side TLS profile."""

    name: str
    protocols: tuple[str, ...]
    ciphers: str
    oldest_clients: str

    @property
    def min_version(self) -> str:
        """The oldest protocol version the profile keeps."""
        return self.protocols[0]


@dataclass(frozen=True)
class ClientImpact:
    """A known effect on clients of enforcing TLS on some services or with some profile."""

    impact: str
    services: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckRule:
    """Scanner check ids (an fnmatch pattern) that mean one kind, maybe on one service."""

    pattern: str
    kind: str
    service: str | None = None


@dataclass(frozen=True)
class Keyword:
    """A title pattern naming a kind, for check ids the table does not list."""

    pattern: re.Pattern[str]
    kind: str


@dataclass(frozen=True)
class Catalog:
    """The whole catalog, with the indexes lookups need."""

    kinds: Mapping[str, Kind]
    services: Mapping[str, ServiceEntry]
    daemons: Mapping[str, Daemon]
    protocols: tuple[str, ...]
    weak_protocols: frozenset[str]
    protocol_aliases: Mapping[str, str]
    profiles: Mapping[str, TlsProfile]
    impacts: tuple[ClientImpact, ...]
    exact_checks: Mapping[str, CheckRule]
    pattern_checks: tuple[CheckRule, ...]
    keywords: tuple[Keyword, ...]

    def kind(self, kind_id: str) -> Kind:
        """The kind called ``kind_id`` (``other`` for one the catalog does not list)."""
        return self.kinds.get(kind_id) or self.kinds["other"]

    def by_port(self, protocol: str, port: int) -> ServiceEntry | None:
        """The service the catalog expects on ``port/protocol``."""
        for entry in self.services.values():
            if (protocol, port) in entry.ports:
                return entry
        return None

    def by_name(self, scanner_name: str) -> ServiceEntry | None:
        """The service a scanner's service name (``ssh``, ``ms-wbt-server``) means."""
        wanted = scanner_name.strip().lower()
        for entry in self.services.values():
            if wanted == entry.name or wanted in entry.names:
                return entry
        return None

    def claims_on_port(self, protocol: str, port: int, product: str) -> ServiceEntry | None:
        """The service whose own port this is and whose port products name ``product``."""
        entry = self.by_port(protocol, port)
        if entry is not None and any(p.search(product) for p in entry.port_products):
            return entry
        return None

    def by_product(self, product: str) -> ServiceEntry | None:
        """The service a scanner's product text (``MySQL``, ``Redis key-value store``) means."""
        for entry in self.services.values():
            if any(p.search(product) for p in entry.products):
                return entry
        return None

    def check_rule(self, check_id: str) -> CheckRule | None:
        """The table entry for a scanner check id: exact ids first, then patterns in order."""
        exact = self.exact_checks.get(check_id)
        if exact is not None:
            return exact
        for rule in self.pattern_checks:
            if fnmatchcase(check_id, rule.pattern):
                return rule
        return None

    def keyword_kind(self, title: str) -> str | None:
        """The kind a finding's title names, if any keyword matches it."""
        for keyword in self.keywords:
            if keyword.pattern.search(title):
                return keyword.kind
        return None

    def canonical_protocol(self, text: str) -> str | None:
        """``TLSv1`` / ``TLS 1.0`` / ``tls1_0`` -> ``TLSv1.0``; None for unknown text."""
        return self.protocol_aliases.get(text.strip().lower())

    def protocol_rank(self, protocol: str) -> int:
        """Position of a canonical protocol in age order (oldest is 0)."""
        return self.protocols.index(protocol)

    def daemon_for(self, product: str) -> Daemon | None:
        """The TLS daemon a scanner's product text names."""
        for daemon in self.daemons.values():
            if any(p.search(product) for p in daemon.products):
                return daemon
        return None
