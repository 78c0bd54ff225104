"""OpenVAS/GVM XML and CSV parsers, on every OpenVAS file of the shared corpus.

"results" are the report's ``<result>`` records (CSV rows); "findings" what the parser
yields apart from ``port-open``. Results of the pseudo NVT "0" ("Open port.", OpenVAS
6/7) become only the open port, and one repeated result is folded into its first.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from remediator.errors import ScanParseError
from remediator.ingest.formats import openvas_csv, openvas_xml
from remediator.ingest.formats._openvas_common import PortRef, openvas_severity, parse_port
from remediator.ingest.formats.base import Head
from remediator.ingest.model import PORT_OPEN, Finding, HostReport
from remediator.ingest.reader import choose_format, read_scan
from remediator.ingest.xmlsafe import iter_elements
from tests.corpus import corpus_path

MANY_VULN = "openvas/defectdojo_openvas_many_vuln.xml"
DETAIL_V2 = "openvas/defectdojo_openvas_report_detail_v2.xml"
CSV = "openvas/defectdojo_openvas_report_using_openVAS.csv"
DRADIS = "openvas/dradis_openvas_report_v7.xml"
GOLISMERO = "openvas/golismero_openvas_metasploitable_all.xml"
AIRPLAY = "openvas/openvasreporting_airplay.xml"
XML_FILES = (MANY_VULN, DETAIL_V2, DRADIS, GOLISMERO, AIRPLAY)


def parse(relative: str) -> list[HostReport]:
    path = corpus_path(relative)
    module = openvas_csv if path.suffix == ".csv" else openvas_xml
    return list(module.parse(path, str(path)))


def vulns(hosts: list[HostReport]) -> list[Finding]:
    return [f for h in hosts for f in h.findings if f.check_id != PORT_OPEN]


def open_ports(hosts: list[HostReport]) -> list[str]:
    found = (f for h in hosts for f in h.findings if f.check_id == PORT_OPEN)
    return sorted(f"{f.port}/{f.protocol}" for f in found)


@dataclass(frozen=True)
class Figures:
    results: int
    hosts: tuple[str, ...]
    findings: int
    open_ports: int
    threats: dict[str, int]
    """Findings per scanner label (OpenVAS's threat, or its score where it wrote none)."""
    labels: dict[str, int]
    """Findings per normalized CVSS band."""


FIGURES = {
    MANY_VULN: Figures(
        44,
        ("192.168.1.1001",),
        44,
        14,
        {"High": 19, "Medium": 23, "4.0": 2},
        {"medium": 25, "high": 11, "critical": 8},
    ),
    DETAIL_V2: Figures(1, ("10.99.99.99",), 1, 1, {"High": 1}, {"critical": 1}),
    CSV: Figures(13, ("45.33.32.156",), 13, 2, {"Log": 12, "Low": 1}, {"info": 12, "low": 1}),
    DRADIS: Figures(6, ("10.10.10.10",), 6, 4, {"Medium": 6}, {"medium": 6}),
    GOLISMERO: Figures(
        159,
        ("10.211.55.35",),
        135,
        29,
        {"High": 45, "Medium": 25, "Low": 9, "Log": 56},
        {"info": 56, "low": 12, "medium": 35, "high": 16, "critical": 16},
    ),
    AIRPLAY: Figures(
        37,
        ("10.0.1.1",),
        30,
        8,
        {"High": 2, "Medium": 3, "Low": 2, "Log": 23},
        {"info": 23, "low": 3, "medium": 2, "critical": 2},
    ),
}


def result_elements(relative: str) -> tuple[int, int, list[str]]:
    """Every ``<result>`` element, those with an ``<nvt>``, and their NVT OIDs."""
    path = corpus_path(relative)
    every = 0
    oids: list[str] = []
    for element in iter_elements(path, str(path), frozenset({"result"})):
        every += 1
        nvt = element.find("nvt")
        if nvt is not None:
            oids.append(nvt.get("oid", ""))
    return every, len(oids), oids


@pytest.mark.parametrize("relative", sorted(FIGURES))
def test_corpus_figures(relative: str) -> None:
    expected = FIGURES[relative]
    hosts = parse(relative)
    findings = vulns(hosts)
    assert tuple(h.host.address for h in hosts) == expected.hosts
    assert len(findings) == expected.findings
    assert len({f.key for f in findings}) == expected.findings
    assert len(open_ports(hosts)) == expected.open_ports
    assert dict(Counter(f.severity.scanner_label for f in findings)) == expected.threats
    assert dict(Counter(f.severity.label.value for f in findings)) == expected.labels
    for finding in findings:
        assert re.fullmatch(r"openvas:[0-9.]+", finding.check_id)
        assert finding.source.scanner == "OpenVAS"
        assert "\n" not in finding.title
    if relative != CSV:
        assert result_elements(relative)[1] == expected.results


def test_csv_has_13_result_rows() -> None:
    path = corpus_path(CSV)
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 251  # PROVENANCE: 13 results in 251 physical lines
    hosts = parse(CSV)
    assert len(vulns(hosts)) == FIGURES[CSV].results


@pytest.mark.parametrize("relative", XML_FILES)
def test_xml_sniffed_and_chosen(relative: str) -> None:
    path = corpus_path(relative)
    assert openvas_xml.sniff(Head.of(path))
    assert not openvas_csv.sniff(Head.of(path))
    assert choose_format(path).name == "openvas-xml"


def test_csv_sniffed_and_chosen() -> None:
    path = corpus_path(CSV)
    assert openvas_csv.sniff(Head.of(path))
    assert not openvas_xml.sniff(Head.of(path))
    assert choose_format(path).name == "openvas-csv"


@pytest.mark.parametrize(
    "relative",
    [
        "nmap/libnmap_dionaea_scan.xml",
        "nessus/libnessus_nessus_report_local_3.nessus",
        "qualys/defectdojo_qualys_sample_report.xml",
        "qualys/defectdojo_qualys_sample_report.csv",
        "qualys/defectdojo_hackerguardian_many_finding.csv",
        "other/defectdojo_testssl_many_vuln.csv",
        "other/defectdojo_nexpose_many_vulns.xml",
    ],
)
def test_other_formats_are_not_sniffed(relative: str) -> None:
    head = Head.of(corpus_path(relative))
    assert not openvas_xml.sniff(head)
    assert not openvas_csv.sniff(head)


def test_provenance_many_vuln_invalid_address_stays_as_written() -> None:
    """44 results on the anonymised host 192.168.1.1001, which is no valid IP."""
    (host,) = parse(MANY_VULN)
    assert host.host.address == "192.168.1.1001"
    assert not host.host.is_ip
    assert host.host.hostnames == ("b6b9f466d63",)
    findings = vulns([host])
    assert all(f.address == "192.168.1.1001" for f in host.findings)
    titles = {f.title for f in findings}
    assert (
        "SSL/TLS: Diffie-Hellman Key Exchange Insufficient DH Group Strength Vulnerability"
        in titles
    )
    vsftpd = [f for f in findings if f.check_id == "openvas:1.3.6.1.4.1.25623.1.0.103185"]
    assert sorted(f.port for f in vsftpd) == [21, 6200]
    source = findings[0].source
    assert (source.format, source.version) == ("openvas-xml", "GMP 9.0")
    # Two results have an empty <threat>: their score, as written, is their label.
    unlabelled = [f for f in findings if f.severity.scanner_label == "4.0"]
    assert {f.severity.score for f in unlabelled} == {4.0}


def test_provenance_detail_v2_one_high_result() -> None:
    """GVM 22 (GMP 22.6): one High on 10.99.99.99, nested <report><report>."""
    (host,) = parse(DETAIL_V2)
    (finding,) = vulns([host])
    assert finding.address == "10.99.99.99"
    assert host.host.hostnames == ("server99",)
    assert finding.check_id == "openvas:1.3.6.1.4.1.25623.1.0.836484"
    assert finding.title == "Microsoft Windows Multiple Vulnerabilities (KB5062557)"
    assert (finding.protocol, finding.port) == ("tcp", 42)
    assert finding.severity.scanner_label == "High"
    assert finding.severity.score == 9.8
    assert len(finding.cves) == 93
    assert "CVE-2025-49659" in finding.cves
    assert "File checked:      C:\\Windows\\system32\\Ntoskrnl.exe" in finding.evidence
    assert ("solution_type", "VendorFix") in finding.extra
    assert finding.source.version == "GMP 22.6"
    assert finding.source.scan_time is not None
    assert finding.source.scan_time.isoformat() == "2025-08-22T15:01:38+02:00"


def test_provenance_dradis_detection_references_are_not_results() -> None:
    """8 <result> elements kept by dradis: 6 results and 2 detection references in them."""
    every, with_nvt, _oids = result_elements(DRADIS)
    assert (every, with_nvt) == (8, 6)
    (host,) = parse(DRADIS)
    assert open_ports([host]) == ["1443/tcp", "3390/tcp", "443/tcp", "8443/tcp"]
    findings = vulns([host])
    (ccs,) = [f for f in findings if f.cves == ("CVE-2014-0224",)]
    assert (ccs.port, ccs.severity.score) == (1443, 6.8)
    weak = [f for f in findings if f.title == "Check for SSL Weak Ciphers"]
    assert sorted(f.port for f in weak) == [443, 1443]
    tomcat = [f for f in findings if f.port == 8443]
    assert sorted(f.cves for f in tomcat) == [("CVE-2010-2227",), ("CVE-2010-4172",)]


def test_provenance_golismero_results_and_log_level() -> None:
    """185 <result> elements: 159 results plus 26 detection references inside them."""
    every, with_nvt, oids = result_elements(GOLISMERO)
    assert (every, with_nvt) == (185, 159)
    assert oids.count("0") == 24
    (host,) = parse(GOLISMERO)
    assert host.host.os == "Unix"
    assert host.host.hostnames == ("METASPLOITABLE",)
    findings = vulns([host])
    logs = [f for f in findings if f.severity.scanner_label == "Log"]
    assert len(logs) == 56
    assert all(f.severity.score == 0.0 for f in logs)
    # 'Check for rsh Service': Medium with an NVT CVSS of 0.0 keeps its band.
    rsh = next(f for f in findings if f.title == "Check for rsh Service")
    assert (rsh.port, rsh.severity.score, rsh.severity.label.value) == (514, 5.0, "medium")
    assert rsh.service is not None
    assert rsh.service.name == "shell"
    assert ("udp", 69) in {(s.protocol, s.port) for s in host.services}


def test_open_port_results_become_the_port_only() -> None:
    (host,) = parse(GOLISMERO)
    assert not [f for f in host.findings if f.check_id == "openvas:0"]
    path = corpus_path(GOLISMERO)
    opened = set(open_ports([host]))
    for element in iter_elements(path, str(path), frozenset({"result"})):
        nvt = element.find("nvt")
        if nvt is not None and nvt.get("oid") == "0":
            where = parse_port(element.findtext("port", ""))
            assert where is not None
            assert f"{where.port}/{where.protocol}" in opened


def test_provenance_airplay_ports_and_repeats() -> None:
    """37 results on 10.0.1.1 with ports like 'microsoft-ds (445/tcp)' and 'general/tcp'."""
    every, with_nvt, oids = result_elements(AIRPLAY)
    assert (every, with_nvt, oids.count("0")) == (37, 37, 6)
    (host,) = parse(AIRPLAY)
    assert host.host.os == "Apple Base Station"
    findings = vulns([host])
    smb = next(f for f in findings if f.title.startswith("Microsoft Windows SMB Server NTLM"))
    assert (smb.protocol, smb.port, smb.severity.score) == ("tcp", 445, 10.0)
    assert smb.service is not None
    assert smb.service.name == "microsoft-ds"
    assert smb.cves == ("CVE-2010-0020", "CVE-2010-0021", "CVE-2010-0022", "CVE-2010-0231")
    # 'SMB Test' twice on general/SMBClient: one finding, both answers kept.
    (smb_test,) = [f for f in findings if f.title == "SMB Test"]
    assert (smb_test.protocol, smb_test.port) == ("smbclient", 0)
    assert "APPLE BASE STATION" in smb_test.evidence
    assert "OS Version = Apple Base Station" in smb_test.evidence
    # A Log result that skipped its check is information, whatever the NVT's CVSS (7.8).
    switch = next(f for f in findings if f.title == "3com switch2hub")
    assert (switch.severity.score, switch.severity.scanner_label) == (0.0, "Log")
    ndmp = [f for f in findings if f.port == 10000 and f.severity.scanner_label == "High"]
    assert len(ndmp) == 1


def test_provenance_csv_results() -> None:
    """GVM CSV of scanme.nmap.org: 13 results, multi-line quoted fields."""
    (host,) = parse(CSV)
    findings = vulns([host])
    timestamps = next(f for f in findings if f.title == "TCP Timestamps Information Disclosure")
    assert (timestamps.protocol, timestamps.port) == ("tcp", 0)
    assert (timestamps.severity.score, timestamps.severity.scanner_label) == (2.6, "Low")
    assert timestamps.evidence.startswith("It was detected that the host implements RFC1323")
    assert "Packet 2: 1912049513" in timestamps.evidence
    services = [f for f in findings if f.check_id == "openvas:1.3.6.1.4.1.25623.1.0.10330"]
    assert sorted(f.port for f in services) == [80, 443]
    assert open_ports([host]) == ["443/tcp", "80/tcp"]
    source = findings[0].source
    assert source.format == "openvas-csv"
    assert source.scan_time is not None
    assert source.scan_time.isoformat() == "2024-03-18T12:46:31+00:00"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("443/tcp", PortRef("tcp", 443)),
        ("microsoft-ds (445/tcp)", PortRef("tcp", 445, "microsoft-ds")),
        ("domain (53/udp)", PortRef("udp", 53, "domain")),
        ("general/tcp", PortRef("tcp", 0)),
        ("general/SMBClient", PortRef("smbclient", 0)),
        ("general/CPE-T", PortRef("cpe-t", 0)),
        ("", PortRef("tcp", 0)),
        ("70000/tcp", None),
    ],
)
def test_port_spellings(written: str, expected: PortRef | None) -> None:
    assert parse_port(written) == expected


@pytest.mark.parametrize(
    ("severity", "cvss", "threat", "score", "label"),
    [
        ("9.8", "9.8", "High", 9.8, "High"),  # GMP: the result's own severity
        ("-1.0", "5.0", "False Positive", 0.0, "False Positive"),  # GMP override
        ("", "7.8", "Log", 0.0, "Log"),  # OMP 6: Log is information
        ("", "7.5", "High", 7.5, "High"),  # OMP 6: the NVT's CVSS
        ("", "0.0", "Medium", 5.0, "Medium"),  # OMP 6: no CVSS, the band
        ("4.0", "4.0", "", 4.0, "4.0"),  # empty threat: the score is the label
    ],
)
def test_severity_sources(severity: str, cvss: str, threat: str, score: float, label: str) -> None:
    result = openvas_severity(severity, cvss, threat)
    assert (result.score, result.scanner_label) == (score, label)


def _edited(tmp_path: Path, relative: str, old: str, new: str) -> Path:
    text = corpus_path(relative).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / Path(relative).name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_result_without_oid_is_a_parse_error(tmp_path: Path) -> None:
    path = _edited(tmp_path, DETAIL_V2, 'oid="1.3.6.1.4.1.25623.1.0.836484"', 'oid=""')
    with pytest.raises(ScanParseError, match="has no NVT OID"):
        list(read_scan(path))


def test_result_with_garbage_oid_is_a_parse_error(tmp_path: Path) -> None:
    path = _edited(
        tmp_path, DETAIL_V2, 'oid="1.3.6.1.4.1.25623.1.0.836484"', 'oid="1.3.6; rm -rf /"'
    )
    with pytest.raises(ScanParseError, match="not an OID"):
        list(read_scan(path))


def test_port_out_of_range_is_a_parse_error(tmp_path: Path) -> None:
    path = _edited(tmp_path, DETAIL_V2, "<port>42/tcp</port>", "<port>99999/tcp</port>")
    with pytest.raises(ScanParseError, match="'99999/tcp', not a port"):
        list(read_scan(path))


def test_truncated_xml_is_a_parse_error(tmp_path: Path) -> None:
    text = corpus_path(AIRPLAY).read_text(encoding="utf-8")
    path = tmp_path / "truncated.xml"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ScanParseError) as caught:
        list(read_scan(path))
    assert caught.value.file == str(path)


def test_other_xml_forced_as_openvas_is_refused() -> None:
    path = corpus_path("nessus/libnessus_nessus_report_local_3.nessus")
    with pytest.raises(ScanParseError):
        list(openvas_xml.parse(path, str(path)))


def test_csv_row_without_ip_is_a_parse_error(tmp_path: Path) -> None:
    path = _edited(tmp_path, CSV, "\n45.33.32.156,,443,tcp,", "\n,,443,tcp,")
    with pytest.raises(ScanParseError, match=r"line \d+: a result row without IP"):
        list(read_scan(path))


def test_csv_without_its_columns_is_refused() -> None:
    path = corpus_path("qualys/defectdojo_qualys_sample_report.csv")
    with pytest.raises(ScanParseError, match="not an OpenVAS CSV results export: no column"):
        list(openvas_csv.parse(path, str(path)))


def test_csv_absurd_field_is_a_parse_error(tmp_path: Path) -> None:
    path = _edited(tmp_path, CSV, "TCP Timestamps Information Disclosure", "X" * 1_000_000)
    with pytest.raises(ScanParseError, match="bad CSV"):
        list(read_scan(path))
