"""Qualys asset data report XML (``<ASSET_DATA_REPORT>``).

Each ``<HOST>`` lists its detections (``<VULN_INFO>``: QID, type, port, result), while
what a QID *is* (title, severity, CVSS, PCI flag, CVEs) sits once per QID in the
``<GLOSSARY>`` at the end of the file. The file is therefore read twice: the first pass
keeps only the glossary, the second streams the hosts and joins them to it. Both passes
free each record as they go, so memory follows the glossary, not the file.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast
from xml.etree.ElementTree import Element

from remediator.errors import ScanParseError
from remediator.ingest.formats._qualys_common import SCANNER, is_fixed, split_cves
from remediator.ingest.formats._qualys_hosts import (
    QidHit,
    check_qid,
    host_report,
    parse_port,
    protocol_of,
)
from remediator.ingest.model import HostReport, ScannedHost, Source, clip, normalize_address
from remediator.ingest.xmlsafe import iter_elements, text_of

_GLOSSARY_PASS: Final = frozenset({"HOST", "VULN_DETAILS"})
_HOST_PASS: Final = frozenset({"HOST", "HOST_LIST"})


@dataclass(frozen=True, slots=True)
class QidDetails:
    """What the glossary says about one QID."""

    title: str
    level: str
    scores: tuple[str, ...]
    pci: str
    category: str
    cves: tuple[str, ...]


_UNKNOWN_QID: Final = QidDetails("", "", (), "", "", ())


def parse_asset_report(path: Path, display: str, format_name: str) -> Iterator[HostReport]:
    """Stream the hosts of an asset data report, joined to its glossary."""
    glossary = _read_glossary(path, display)
    source = Source(format_name, display, SCANNER)
    with closing(_elements(path, display, _HOST_PASS)) as elements:
        for element in elements:
            if element.tag == "HOST_LIST":
                return
            yield _host(element, glossary, source, display)


def _read_glossary(path: Path, display: str) -> dict[str, QidDetails]:
    """QID -> details. Hosts are matched too, only so that they are freed as they pass."""
    glossary: dict[str, QidDetails] = {}
    for element in iter_elements(path, display, _GLOSSARY_PASS):
        if element.tag == "VULN_DETAILS":
            qid = text_of(element, "QID") or element.get("id", "").removeprefix("qid_")
            glossary[check_qid(qid, display, "glossary")] = _details(element)
    return glossary


def _details(element: Element) -> QidDetails:
    return QidDetails(
        title=text_of(element, "TITLE"),
        level=text_of(element, "SEVERITY"),
        scores=(text_of(element.find(".//CVSS3_BASE")), text_of(element.find(".//CVSS_BASE"))),
        pci=text_of(element, "PCI_FLAG"),
        category=text_of(element, "CATEGORY"),
        cves=split_cves(" ".join(text_of(cve, "ID") for cve in element.iter("CVE_ID"))),
    )


def _host(
    element: Element, glossary: dict[str, QidDetails], source: Source, display: str
) -> HostReport:
    raw_address = text_of(element, "IP")
    if not raw_address:
        raise ScanParseError(display, "a <HOST> has no <IP>")
    names = (text_of(element, "DNS"), text_of(element, "NETBIOS"))
    host = ScannedHost(
        normalize_address(raw_address),
        hostnames=tuple(dict.fromkeys(clip(name) for name in names if name)),
        os=clip(text_of(element, "OPERATING_SYSTEM")),
    )
    hits = [
        _hit(info, glossary, host.address, display)
        for info in element.iter("VULN_INFO")
        if not is_fixed(text_of(info, "VULN_STATUS"))
    ]
    return host_report(host, hits, source)


def _hit(info: Element, glossary: dict[str, QidDetails], address: str, display: str) -> QidHit:
    where = f"host {address}"
    qid = check_qid(text_of(info, "QID"), display, where)
    details = glossary.get(qid, _UNKNOWN_QID)
    extra = [("category", clip(details.category))]
    for key, tag in (("ssl", "SSL"), ("fqdn", "FQDN"), ("vuln_status", "VULN_STATUS")):
        value = text_of(info, tag)
        if value and value != "false":
            extra.append((key, clip(value)))
    if details is _UNKNOWN_QID:
        extra.append(("glossary", "missing"))
    port = parse_port(text_of(info, "PORT"), display, where)
    return QidHit(
        qid=qid,
        qualys_type=text_of(info, "TYPE"),
        title=details.title,
        level=details.level,
        scores=details.scores,
        port=port,
        protocol=protocol_of(text_of(info, "PROTOCOL")),
        service_name=text_of(info, "SERVICE"),
        result=text_of(info, "RESULT"),
        cves=details.cves,
        pci=details.pci,
        extra=tuple(extra),
    )


def _elements(path: Path, display: str, tags: frozenset[str]) -> Generator[Element, None, None]:
    """iter_elements as the generator it is, so that a pass can stop early and close it."""
    return cast("Generator[Element, None, None]", iter_elements(path, display, tags))
