"""Qualys XML: scan results (``<SCAN>``, scan-1.dtd) and asset data reports.

Two unrelated layouts share the name. Scan results list each host as ``<IP value=...>``
with its QIDs grouped by kind (``VULNS``, ``PRACTICES`` = potential vulnerabilities,
``INFOS``, ``SERVICES``) and then by ``<CAT>`` (which carries the port). Asset data
reports are read by :mod:`._qualys_asset`.

Both declare a DOCTYPE with a remote DTD; it is never fetched (see
:mod:`remediator.ingest.xmlsafe`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Final
from xml.etree.ElementTree import Element

from remediator.errors import ScanParseError
from remediator.ingest.formats._qualys_asset import parse_asset_report
from remediator.ingest.formats._qualys_common import SCANNER, split_cves
from remediator.ingest.formats._qualys_hosts import (
    QidHit,
    check_qid,
    host_report,
    parse_port,
    protocol_of,
)
from remediator.ingest.formats.base import Head
from remediator.ingest.model import (
    HostReport,
    ScannedHost,
    Source,
    clip,
    normalize_address,
)
from remediator.ingest.xmlsafe import iter_elements, text_of

FORMAT: Final = "qualys-xml"
_SCAN_ROOT: Final = "SCAN"
_ASSET_ROOT: Final = "ASSET_DATA_REPORT"
_ITEM_TAGS: Final = frozenset({"VULN", "PRACTICE", "INFO", "SERVICE"})
_FINISHED: Final = frozenset({"", "FINISHED"})
_NO_NAME: Final = "No registered hostname"


def sniff(head: Head) -> bool:
    """Qualys scan results or asset data report, by root element and Qualys markers."""
    if head.xml_root == _ASSET_ROOT:
        return True
    return head.xml_root == _SCAN_ROOT and ("scan-1.dtd" in head.text or "<KEY value=" in head.text)


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """Stream the hosts of a Qualys XML report, whichever of the two layouts it is."""
    root = Head.of(path).xml_root
    if root == _ASSET_ROOT:
        yield from parse_asset_report(path, display, FORMAT)
        return
    if root != _SCAN_ROOT:
        raise ScanParseError(
            display, f"Qualys XML root <{clip(root, 40)}> is neither <SCAN> nor <ASSET_DATA_REPORT>"
        )
    yield from _parse_scan(path, display)


def _parse_scan(path: Path, display: str) -> Iterator[HostReport]:
    source = Source(FORMAT, display, SCANNER)
    status: tuple[tuple[str, str], ...] = ()
    for element in iter_elements(path, display, frozenset({"HEADER", "IP"})):
        if element.tag == "HEADER":
            source, status = _header(element, source)
        else:
            yield _scan_host(element, source, status, display)


def _header(header: Element, source: Source) -> tuple[Source, tuple[tuple[str, str], ...]]:
    """The scan date, and the scan status when the scan did not finish.

    An unfinished scan (cancelled, paused, errored) says nothing about what it did not
    reach; its findings carry ``scan_status`` so nobody reads silence as a fix.
    """
    keys = {key.get("value", ""): (key.text or "").strip() for key in header.iter("KEY")}
    status = keys.get("STATUS", "").upper()
    extra = () if status in _FINISHED else (("scan_status", clip(status.lower(), 40)),)
    return Source(FORMAT, source.file, SCANNER, scan_time=_timestamp(keys.get("DATE", ""))), extra


def _timestamp(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def _scan_host(
    element: Element, source: Source, status: tuple[tuple[str, str], ...], display: str
) -> HostReport:
    raw_address = element.get("value", "").strip()
    if not raw_address:
        raise ScanParseError(display, "an <IP> element has no value attribute")
    name = element.get("name", "").strip()
    host = ScannedHost(
        normalize_address(raw_address),
        hostnames=(clip(name),) if name and name != _NO_NAME else (),
        os=clip(text_of(element, "OS")),
    )
    hits = [
        _hit(item, category, host.address, status, display)
        for category in element.iter("CAT")
        for item in category
        if item.tag in _ITEM_TAGS
    ]
    return host_report(host, hits, source)


def _hit(
    item: Element,
    category: Element,
    address: str,
    status: tuple[tuple[str, str], ...],
    display: str,
) -> QidHit:
    where = f"host {address}"
    port = parse_port(category.get("port", ""), display, where)
    extra = [("category", clip(category.get("value", "")))]
    if category.get("fqdn"):
        extra.append(("fqdn", clip(category.get("fqdn", ""))))
    cve_ids = " ".join(text_of(cve, "ID") for cve in item.iter("CVE_ID"))
    return QidHit(
        qid=check_qid(item.get("number", ""), display, where),
        qualys_type=item.tag,
        title=text_of(item, "TITLE"),
        level=item.get("severity", ""),
        scores=(text_of(item, "CVSS3_BASE"), text_of(item, "CVSS_BASE")),
        port=port,
        protocol=protocol_of(category.get("protocol", "")),
        result=text_of(item, "RESULT"),
        cves=split_cves(cve_ids or item.get("cveid", "")),
        pci=text_of(item, "PCI_FLAG"),
        extra=(*extra, *status),
    )
