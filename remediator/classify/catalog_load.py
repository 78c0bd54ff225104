"""Reading ``catalog.yml``: schema-checked, cross-references checked, loaded once.

The protocol versions, their spellings and which are weak are TLS judgement, read from
``remediator/common/tls.yml`` (:mod:`remediator.common.tls`); the catalog keeps what it
does about them (kinds, profiles, client impacts).

A broken catalog is a packaging or editing bug, so it raises :class:`CatalogError` (not
an input error) naming the line; the unit tests load it on every run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from remediator.classify.catalog import (
    Catalog,
    CatalogError,
    CheckRule,
    ClientImpact,
    Daemon,
    Keyword,
    Kind,
    LinuxIds,
    PortKey,
    ServiceEntry,
    TlsProfile,
)
from remediator.classify.yamlmarks import parse_marked, render_path
from remediator.common.documents import schema_document
from remediator.common.tls import tls_judgement


def _portspec(text: str) -> frozenset[PortKey]:
    ports, proto = text.split("/")
    first, _, last = ports.partition("-")
    return frozenset((proto, p) for p in range(int(first), int(last or first) + 1))


def _regexes(items: list[str], flags: int = 0) -> tuple[re.Pattern[str], ...]:
    return tuple(_regex(p, flags) for p in items)


def _regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A compiled pattern; a broken one is a CatalogError naming it, not a traceback."""
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise CatalogError(f"catalog.yml: bad pattern {pattern!r}: {exc}") from exc


def _service(raw: Mapping[str, Any]) -> ServiceEntry:
    linux = raw.get("linux", {})
    ports = frozenset().union(*(_portspec(p) for p in raw["ports"]))
    return ServiceEntry(
        name=raw["name"],
        title=raw["title"],
        ports=ports,
        category=raw["category"],
        names=tuple(n.lower() for n in raw.get("names", ())),
        products=_regexes(raw.get("products", [])),
        port_products=_regexes(raw.get("port_products", [])),
        cleartext=raw.get("cleartext", False),
        starttls=raw.get("starttls", False),
        tls=raw.get("tls", False),
        asv_auto_fail=raw.get("asv_auto_fail", False),
        needs=tuple(raw.get("needs", ())),
        tls_daemons=tuple(raw.get("tls_daemons", ())),
        keep_running=raw.get("keep_running", ""),
        replacement=raw.get("replacement", ""),
        asv=raw.get("asv", ""),
        linux=LinuxIds(
            units=tuple(linux.get("units", ())),
            sockets=tuple(linux.get("sockets", ())),
            inetd=tuple(linux.get("inetd", ())),
            packages=tuple(linux.get("packages", ())),
        ),
        windows=tuple(raw.get("windows", ())),
    )


def build_catalog(data: Mapping[str, Any]) -> Catalog:
    """Turn validated catalog data into a :class:`Catalog` (cross-references checked)."""
    kinds = {
        k["id"]: Kind(
            k["id"],
            k["title"],
            tuple(k["pci"]),
            k.get("auto_fail", False),
            k.get("special_note", False),
            k.get("notes", ""),
        )
        for k in data["kinds"]
    }
    services = {s["name"]: _service(s) for s in data["services"]}
    tls = data["tls"]
    judged = tls_judgement()
    checks = [CheckRule(c["check"], c["kind"], c.get("service")) for c in data["checks"]]
    catalog = Catalog(
        kinds=kinds,
        services=services,
        daemons={
            d["name"]: Daemon(d["name"], _regexes(d["products"]), d["unit"])
            for d in data["daemons"]
        },
        protocols=judged.protocol_ids,
        weak_protocols=judged.weak_protocols,
        protocol_aliases=judged.alias_map(),
        profiles={
            p["name"]: TlsProfile(
                p["name"], tuple(p["protocols"]), p["ciphers"], p["oldest_clients"]
            )
            for p in tls["profiles"]
        },
        impacts=tuple(
            ClientImpact(i["impact"], tuple(i.get("services", ())), tuple(i.get("profiles", ())))
            for i in tls["client_impacts"]
        ),
        exact_checks={c.pattern: c for c in checks if not _is_pattern(c.pattern)},
        pattern_checks=tuple(c for c in checks if _is_pattern(c.pattern)),
        keywords=tuple(
            Keyword(_regex(k["pattern"], re.IGNORECASE), k["kind"]) for k in data["keywords"]
        ),
    )
    _check_references(catalog)
    return catalog


def _is_pattern(text: str) -> bool:
    return any(c in text for c in "*?[")


def _check_references(catalog: Catalog) -> None:
    """Every name the catalog uses must be defined in it."""
    problems: list[str] = []
    used_kinds = [c.kind for c in (*catalog.exact_checks.values(), *catalog.pattern_checks)]
    used_kinds += [k.kind for k in catalog.keywords]
    problems += [f"unknown kind {k!r}" for k in used_kinds if k not in catalog.kinds]
    problems += [
        f"kind tls-protocol:{p} is not defined"
        for p in catalog.weak_protocols
        if f"tls-protocol:{p}" not in catalog.kinds
    ]
    for entry in catalog.services.values():
        problems += [
            f"{entry.name}: needs unknown service {n!r}"
            for n in entry.needs
            if n not in catalog.services
        ]
        problems += [
            f"{entry.name}: unknown daemon {d!r}"
            for d in entry.tls_daemons
            if d not in catalog.daemons
        ]
    rules = (*catalog.exact_checks.values(), *catalog.pattern_checks)
    problems += [
        f"check {r.pattern}: unknown service {r.service!r}"
        for r in rules
        if r.service is not None and r.service not in catalog.services
    ]
    seen: dict[PortKey, str] = {}
    for entry in catalog.services.values():
        for key in entry.ports:
            if key in seen:
                problems.append(f"{key[1]}/{key[0]} is listed by both {seen[key]} and {entry.name}")
            seen[key] = entry.name
    if problems:
        raise CatalogError("catalog.yml: " + "; ".join(problems))


def _resource_text(name: str) -> str:
    return resources.files("remediator.classify").joinpath(name).read_text(encoding="utf-8")


@cache
def load_catalog() -> Catalog:
    """The shipped catalog, validated against its schema (read once per process)."""
    return catalog_from_text(_resource_text("catalog.yml"))


def catalog_from_text(text: str) -> Catalog:
    """A catalog from YAML ``text``: a broken one raises one CatalogError or PolicyError line."""
    document = parse_marked(text, "catalog.yml")
    schema = schema_document("catalog")
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(document.data),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if errors:
        first = errors[0]
        path = tuple(first.absolute_path)
        raise CatalogError(
            f"catalog.yml:{document.line(path)}: {render_path(path)}: {first.message}"
        )
    return build_catalog(document.data)
