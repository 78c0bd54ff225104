"""What a finding is: its scanner-neutral kind, and which catalog service is on its port.

Kinds come from the catalog's check table, then from structured facts the parser kept
(TLS protocol, certificate flags), then from title keywords, then from CVEs; the first
that answers wins and the answer records how it was reached, so a reviewer can see why
a finding was treated as it was. Services are recognised from the scanner's product and
service name before the port number, since ssh on 2222 is still ssh; a port-specific
entry of the same category wins (``http`` on 8080 is ``http-alt``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from remediator.classify.catalog import Catalog, ServiceEntry
from remediator.ingest.model import Finding, Service

OTHER = "other"
_UNHELPFUL_NAMES = frozenset({"", "unknown", "general", "tcpwrapped", "generic"})


@dataclass(frozen=True)
class KindMatch:
    """A finding's kind, the catalog service its check implies (if any), and why."""

    kind: str
    service_hint: str | None
    basis: str


def classify_kind(catalog: Catalog, finding: Finding) -> KindMatch:
    """The kind of ``finding`` and how it was decided."""
    rule = catalog.check_rule(finding.check_id)
    if rule is not None:
        return KindMatch(rule.kind, rule.service, f"check {rule.pattern}")
    if finding.tls is not None:
        protocol = catalog.canonical_protocol(finding.tls.protocol)
        if protocol in catalog.weak_protocols:
            return KindMatch(f"tls-protocol:{protocol}", None, "TLS protocol facts")
    certificate = finding.certificate
    if certificate is not None and (certificate.expired or certificate.self_signed):
        return KindMatch("certificate", None, "certificate facts")
    keyword = catalog.keyword_kind(finding.title)
    if keyword is not None:
        return KindMatch(keyword, None, "title keyword")
    if finding.cves:
        return KindMatch("vulnerable-version", None, "CVE references")
    return KindMatch(OTHER, None, "no catalog match")


def best_service(findings: Iterable[Finding]) -> Service | None:
    """The most telling service record among one port's findings (product beats name).

    Ties are broken on the records' text, so the answer does not depend on the order
    the scans were read in.
    """
    services = [f.service for f in findings if f.service is not None]
    if not services:
        return None
    return min(
        services,
        key=lambda s: (
            not s.product,
            s.name.lower().rstrip("?") in _UNHELPFUL_NAMES,
            s.product,
            s.version,
            s.name,
            s.tunnel,
            s.extra_info,
        ),
    )


def _by_scanner_name(catalog: Catalog, service: Service) -> ServiceEntry | None:
    name = service.name.strip().lower().rstrip("?")
    if name in _UNHELPFUL_NAMES:
        return None
    if service.tunnel.lower() == "ssl" and not name.startswith("ssl/"):
        found = catalog.by_name(f"ssl/{name}")
        if found is not None:
            return found
    return catalog.by_name(name) or catalog.by_name(name.removeprefix("ssl/"))


def identify_service(
    catalog: Catalog, protocol: str, port: int, service: Service | None, hint: str | None = None
) -> ServiceEntry | None:
    """The catalog service on ``port/protocol`` given what the scanner said about it."""
    on_port = catalog.by_port(protocol, port)
    if service is not None and service.product:
        claimed = catalog.claims_on_port(protocol, port, service.product)
        if claimed is not None:
            return claimed
    told: ServiceEntry | None = None
    if service is not None and service.product:
        told = catalog.by_product(service.product)
    if told is None and service is not None:
        told = _by_scanner_name(catalog, service)
    if told is None and hint is not None:
        told = catalog.services.get(hint)
    if told is None:
        return on_port
    if on_port is not None and on_port.category == told.category:
        return on_port
    return told
