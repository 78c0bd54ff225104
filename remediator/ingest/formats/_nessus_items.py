"""One Nessus ``<ReportItem>`` as a service and a finding.

Rules, from the .nessus v2 files in the corpus:

* every item on a port (``port > 0``) shows the port open, whatever the plugin; the port
  scanners (11219 SYN, 34277 UDP, 10335 TCP, 14272 netstat...) are only the plainest case.
  An item with pluginID 0 (older Nessus: "port open, nothing else") gives the port only;
* the check id is ``nessus:<pluginID>``, except for compliance checks: one plugin
  (21157 "Unix Compliance Checks", 21156 for Windows...) reports every check of an audit
  file, so their id adds a stable digest of the check's name and of the object it
  examined (``File : /etc/crontab``): ``nessus:21157:<12 hex digits>``. The digest leaves
  out the result and the values seen, so a check keeps its key when it starts to pass;
* severity: the CVSS v3 base score, else the v2 base score, else Nessus's 0-4 band.
  The label is Nessus's ``risk_factor`` (or the band number). A passed compliance check
  is information (score 0, label ``PASSED``), a failed one gets its band. Nessus's band is
  its ``risk_factor`` word (else the 0-4 ``severity`` attribute), because Nessus 4 marks
  informational plugins ``severity="1"`` with risk factor None.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from typing import Final

from remediator.ingest.formats._nessus_sink import Captured, ItemRecord, port_number
from remediator.ingest.formats.base import SEVERITY_WORDS
from remediator.ingest.model import (
    EVIDENCE_LIMIT,
    FIELD_LIMIT,
    Finding,
    ScannedHost,
    Service,
    Severity,
    SeverityLabel,
    Source,
    clip,
    clip_evidence,
)

NO_PLUGIN: Final = "0"
"""pluginID of the bare "port is open" items older Nessus writes."""

SCAN_INFO_PLUGIN: Final = "19506"
"""'Nessus Scan Information': its output names the Nessus version."""

COMPLIANCE_FAMILY: Final = "Policy Compliance"

_BANDS: Final[dict[str, SeverityLabel]] = {
    "0": SeverityLabel.INFO,
    "1": SeverityLabel.LOW,
    "2": SeverityLabel.MEDIUM,
    "3": SeverityLabel.HIGH,
    "4": SeverityLabel.CRITICAL,
}
_CVE: Final = re.compile(r"CVE-\d{4}-\d{4,}")
_VERSION: Final = re.compile(r"Nessus version\s*:\s*(\d[\w.\-]*)")
_CHECK_LINE: Final = re.compile(r'\s*"(?P<name>.+)"\s*:\s*\[(?P<result>[A-Z ]+)\]\s*$')
_SUBJECT_LINE: Final = re.compile(r"^\s*File\s*:\s*(\S.*?)\s*$", re.MULTILINE)
_DIGEST_LENGTH: Final = 12


def scanner_version(item: ItemRecord) -> str:
    """The Nessus version plugin 19506 reports, '' for any other item."""
    if item.attrs.get("pluginID", "").strip() != SCAN_INFO_PLUGIN:
        return ""
    match = _VERSION.search(item.text("plugin_output"))
    return match.group(1) if match else ""


def item_service(item: ItemRecord, address: str) -> Service | None:
    """The port an item shows open, None for host-level items (port 0)."""
    port = port_number(item.attrs.get("port", ""))
    if not port:
        return None
    name = item.attrs.get("svc_name", "").strip()
    return Service(address, _protocol(item), port, name=clip(name))


def item_finding(
    item: ItemRecord, host: ScannedHost, source: Source, service: Service | None
) -> Finding | None:
    """The finding an item reports, None for a bare open-port item (pluginID 0)."""
    plugin = item.attrs.get("pluginID", "").strip()
    if plugin == NO_PLUGIN:
        return None
    plugin_name = item.attrs.get("pluginName", "").strip() or f"Nessus plugin {plugin}"
    compliance = _Compliance.of(item)
    check_id = f"nessus:{plugin}"
    title = plugin_name
    if compliance is not None:
        check_id = f"{check_id}:{compliance.digest}"
        title = f"{plugin_name}: {compliance.name}" if compliance.name else plugin_name
    return Finding(
        host=host,
        protocol=_protocol(item),
        port=port_number(item.attrs.get("port", "")) or 0,
        check_id=check_id,
        title=clip(title),
        severity=compliance.severity(item) if compliance else _severity(item),
        source=source,
        service=service,
        evidence=_evidence(item, compliance is not None),
        cves=_cves(item),
        extra=_extra(item, compliance),
    )


def _protocol(item: ItemRecord) -> str:
    return clip(item.attrs.get("protocol", "").strip().lower() or "tcp", 16)


def _score(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and 0.0 <= value <= 10.0 else None


def _band(item: ItemRecord, *, risk_first: bool) -> SeverityLabel:
    """Nessus's band: from ``risk_factor`` or the ``severity`` attribute, in the order asked.

    Ordinary plugins trust ``risk_factor`` first: Nessus 4 files write ``severity="1"`` with
    ``risk_factor`` None on informational plugins. Compliance items have no useful
    ``risk_factor``; their ``severity`` attribute is the band of the failure.
    """
    by_attr = _BANDS.get(item.attrs.get("severity", "").strip())
    by_risk = SEVERITY_WORDS.get(item.text("risk_factor").lower())
    first, second = (by_risk, by_attr) if risk_first else (by_attr, by_risk)
    return first or second or SeverityLabel.INFO


def _label(item: ItemRecord) -> str:
    return clip(item.text("risk_factor") or item.attrs.get("severity", "").strip(), 64)


def _severity(item: ItemRecord) -> Severity:
    for name in ("cvss3_base_score", "cvss_base_score"):
        score = _score(item.text(name))
        if score is not None:
            return Severity(score, _label(item))
    return Severity.from_label(_band(item, risk_first=True), _label(item))


def _clip_captured(value: Captured | None) -> str:
    if value is None:
        return ""
    if not value.truncated:
        return clip_evidence(value.text)
    text = value.text.strip()[:EVIDENCE_LIMIT]
    return f"{text}... [{value.length - EVIDENCE_LIMIT} more characters cut]"


def _evidence(item: ItemRecord, compliance: bool) -> str:
    if compliance:
        return _clip_captured(item.captured("description"))
    if item.text("plugin_output"):
        return _clip_captured(item.captured("plugin_output"))
    return _clip_captured(item.captured("synopsis"))


def _cves(item: ItemRecord) -> tuple[str, ...]:
    found = (match.group(0) for text in item.texts("cve") for match in _CVE.finditer(text.upper()))
    return tuple(dict.fromkeys(found))


def _extra(item: ItemRecord, compliance: _Compliance | None) -> tuple[tuple[str, str], ...]:
    pairs = (
        ("plugin_family", item.attrs.get("pluginFamily", "").strip()),
        ("nessus_severity", item.attrs.get("severity", "").strip()),
        ("cvss_vector", item.text("cvss3_vector") or item.text("cvss_vector")),
        ("solution", item.text("solution")),
        ("compliance_result", compliance.result if compliance else ""),
    )
    return tuple((key, clip(value, FIELD_LIMIT)) for key, value in pairs if value)


@dataclass(frozen=True, slots=True)
class _Compliance:
    """What a compliance-check item says: which check, with what result, and its digest."""

    name: str
    result: str
    digest: str

    @classmethod
    def of(cls, item: ItemRecord) -> _Compliance | None:
        """The compliance facts of ``item``, None when it is an ordinary plugin."""
        is_compliance = (
            item.attrs.get("pluginFamily", "").strip() == COMPLIANCE_FAMILY
            or item.text("compliance").lower() == "true"
            or bool(item.text("compliance-check-name"))
        )
        if not is_compliance:
            return None
        description = item.text("description")
        match = _CHECK_LINE.match(description.split("\n", 1)[0])
        name = item.text("compliance-check-name") or (match["name"] if match else "")
        result = item.text("compliance-result") or (match["result"] if match else "")
        check = item.text("compliance-check-id") or name or description
        identity = "\x1f".join([check, *_SUBJECT_LINE.findall(description)])
        digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()
        return cls(clip(name), result.strip().upper(), digest[:_DIGEST_LENGTH])

    def severity(self, item: ItemRecord) -> Severity:
        """Passed is information; any other result keeps Nessus's band."""
        if self.result == "PASSED":
            return Severity(0.0, self.result)
        return Severity.from_label(
            _band(item, risk_first=False), clip(self.result, 64) or _label(item)
        )
