"""Qualys XML (scan results, asset data report) and CSV readers, on real exports."""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path

import pytest

from remediator.errors import ScanParseError
from remediator.ingest.formats import _qualys_asset, qualys_csv, qualys_xml
from remediator.ingest.formats._qualys_common import QidKind, cvss_score, pci_flag, qid_kind
from remediator.ingest.formats.base import Head
from remediator.ingest.model import PORT_OPEN, Finding, HostReport, SeverityLabel
from remediator.ingest.reader import choose_format
from remediator.ingest.registry import detect
from tests.corpus import corpus_files, corpus_path

INFRASCAN = "qualys/defectdojo_qualys_infrascan_webgui_multiple.xml"
ASSET_REPORT = "qualys/defectdojo_qualys_sample_report.xml"
DETECTION_CSV = "qualys/defectdojo_qualys_sample_report.csv"
MONTHLY_PCI_CSV = "qualys/defectdojo_qualys_monthly_pci_issue6932.csv"
HACKERGUARDIAN_CSV = "qualys/defectdojo_hackerguardian_many_finding.csv"
XML_FILES = (INFRASCAN, ASSET_REPORT)
CSV_FILES = (DETECTION_CSV, MONTHLY_PCI_CSV, HACKERGUARDIAN_CSV)


def read_xml(relative: str) -> list[HostReport]:
    path = corpus_path(relative)
    return list(qualys_xml.parse(path, relative))


def read_csv(path: Path) -> list[HostReport]:
    return list(qualys_csv.parse(path, path.name))


def qid_findings(hosts: list[HostReport]) -> list[Finding]:
    return [f for h in hosts for f in h.findings if f.check_id.startswith("qualys:")]


def by_key(hosts: list[HostReport]) -> dict[str, Finding]:
    return {str(f.key): f for h in hosts for f in h.findings}


# --- detection ---------------------------------------------------------------------------


@pytest.mark.parametrize("relative", XML_FILES)
def test_xml_files_are_detected_as_qualys_xml(relative: str) -> None:
    found = detect(Head.of(corpus_path(relative)), "qualys")
    assert found is not None
    assert found.name == "qualys-xml"


@pytest.mark.parametrize("relative", CSV_FILES)
def test_csv_files_are_detected_as_qualys_csv(relative: str) -> None:
    found = detect(Head.of(corpus_path(relative)), "qualys")
    assert found is not None
    assert found.name == "qualys-csv"


@pytest.mark.parametrize("relative", (*XML_FILES, *CSV_FILES))
def test_auto_detection_picks_qualys(relative: str) -> None:
    # every format's sniffer runs in registry order: none before ours may claim the file
    expected = "qualys-csv" if relative.endswith(".csv") else "qualys-xml"
    assert choose_format(corpus_path(relative)).name == expected


def test_sniffers_claim_no_other_corpus_file() -> None:
    mine = {corpus_path(r) for r in (*XML_FILES, *CSV_FILES)}
    for path in corpus_files():
        head = Head.of(path)
        claimed = qualys_xml.sniff(head) or qualys_csv.sniff(head)
        assert claimed == (path in mine), path.name


# --- scan results XML (<SCAN>) -----------------------------------------------------------


def test_infrascan_counts_match_provenance() -> None:
    hosts = read_xml(INFRASCAN)
    findings = qid_findings(hosts)
    assert [h.host.address for h in hosts] == ["10.1.10.1", "10.2.10.2"]
    assert len(findings) == 24
    types = Counter(dict(f.extra)["qualys_type"] for f in findings)
    assert types == {"VULN": 6, "INFO": 12, "SERVICE": 4, "PRACTICE": 2}
    assert sum(dict(f.extra)["pci_flag"] == "1" for f in findings) == 6


def test_infrascan_host_and_header() -> None:
    hosts = read_xml(INFRASCAN)
    first = hosts[0].host
    assert first.hostnames == ("host1.example.com",)
    assert first.os == "Ubuntu 11"
    finding = qid_findings(hosts)[0]
    assert finding.source.format == "qualys-xml"
    assert finding.source.scanner == "Qualys"
    assert finding.source.scan_time is not None
    assert finding.source.scan_time.isoformat() == "2019-04-02T10:14:53+00:00"
    # STATUS is FINISHED: no scan_status marker
    assert all("scan_status" not in dict(f.extra) for f in qid_findings(hosts))


def test_infrascan_severity_prefers_cvss3_then_cvss2_and_info_is_zero() -> None:
    found = by_key(read_xml(INFRASCAN))
    # severity 5 with CVSS base 10 but CVSS3 3.4: the v3 score wins
    shellshock_era = found["10.1.10.1/tcp/0/qualys:123168"]
    assert shellshock_era.severity.score == 3.4
    assert shellshock_era.severity.scanner_label == "severity 5"
    assert "CVE-2014-3566" in shellshock_era.cves
    assert len(shellshock_era.cves) == 19
    # no CVSS3 (empty element): CVSS base 5
    assert found["10.1.10.1/tcp/0/qualys:82024"].severity.score == 5.0
    assert found["10.1.10.1/tcp/0/qualys:82024"].cves == ("CVE-2002-0510",)
    practice = found["10.2.10.2/tcp/0/qualys:124848"]
    assert practice.severity.score == 8.1
    assert dict(practice.extra)["qualys_kind"] == "potential"
    info = found["10.1.10.1/tcp/0/qualys:45376"]
    assert info.severity.label is SeverityLabel.INFO
    assert info.severity.scanner_label == "severity 3"
    assert dict(info.extra)["category"] == "Information gathering"


def test_infrascan_redacted_service_lists_yield_no_services() -> None:
    # the 'Open TCP Services List' results were redacted to 'some output' upstream
    hosts = read_xml(INFRASCAN)
    assert all(h.services == () for h in hosts)
    assert not any(f.check_id == PORT_OPEN for h in hosts for f in h.findings)


def scan_xml(tmp_path: Path, body: str, status: str = "FINISHED") -> Path:
    path = tmp_path / "scan.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<!DOCTYPE SCAN SYSTEM "https://qualysguard.example/scan-1.dtd">\n'
        f'<SCAN value="scan/1"><HEADER><KEY value="STATUS">{status}</KEY></HEADER>{body}</SCAN>',
        encoding="utf-8",
    )
    return path


def test_scan_ports_from_cat_and_service_table(tmp_path: Path) -> None:
    body = (
        '<IP value="192.0.2.7" name="No registered hostname"><SERVICES><CAT value="TCP/IP">'
        '<SERVICE number="82023" severity="1"><TITLE>Open TCP Services List</TITLE>'
        "<RESULT>Port\tIANA Assigned Ports/Services\tDescription\tService Detected\n"
        "22\tssh\tSSH Remote Login Protocol\tssh\n443\thttps\tHTTPS\thttp over ssl</RESULT>"
        '</SERVICE></CAT></SERVICES><VULNS><CAT value="General remote services" port="443" '
        'protocol="tcp"><VULN number="38606" severity="3"><TITLE>SSLv3 Enabled</TITLE>'
        "<CVSS_BASE>-</CVSS_BASE><PCI_FLAG>1</PCI_FLAG><RESULT>SSLv3 on</RESULT></VULN>"
        "</CAT></VULNS></IP>"
    )
    (host,) = list(qualys_xml.parse(scan_xml(tmp_path, body, "CANCELED"), "scan.xml"))
    assert host.host.hostnames == ()
    assert [(s.protocol, s.port, s.name) for s in host.services] == [
        ("tcp", 22, "ssh"),
        ("tcp", 443, "http over ssl"),
    ]
    found = by_key([host])
    sslv3 = found["192.0.2.7/tcp/443/qualys:38606"]
    assert sslv3.severity.score == 5.0  # '-' is no score: Qualys level 3 -> medium band
    assert sslv3.service is not None
    assert sslv3.service.name == "http over ssl"
    assert dict(sslv3.extra)["scan_status"] == "canceled"
    assert {"192.0.2.7/tcp/22/port-open", "192.0.2.7/tcp/443/port-open"} <= set(found)


# --- asset data report XML ---------------------------------------------------------------


def test_asset_report_counts_match_provenance() -> None:
    hosts = read_xml(ASSET_REPORT)
    assert len(hosts) == 7
    findings = qid_findings(hosts)
    types = Counter(dict(f.extra)["qualys_type"] for f in findings)
    assert len(findings) == 301
    # the report's own TOTAL_VULNERABILITIES (299) counts Vuln + Ig, not the 2 Practice
    assert types == {"Ig": 209, "Vuln": 90, "Practice": 2}
    assert types["Ig"] + types["Vuln"] == 299


def test_asset_report_pci_flag_on_29_qids() -> None:
    path = corpus_path(ASSET_REPORT)
    glossary = _qualys_asset._read_glossary(path, ASSET_REPORT)
    assert len(glossary) == 93
    assert sum(d.pci == "1" for d in glossary.values()) == 29
    flagged = {
        f.check_id for f in qid_findings(read_xml(ASSET_REPORT)) if dict(f.extra)["pci_flag"] == "1"
    }
    # QID 375397 (Squid smuggling) is in the glossary but on no host
    assert len(flagged) == 28
    assert "qualys:375397" not in flagged


def test_asset_report_joins_glossary_to_hosts() -> None:
    hosts = read_xml(ASSET_REPORT)
    demo20 = next(h for h in hosts if h.host.address == "64.41.200.250")
    assert demo20.host.hostnames == ("demo20.s02.sjc01.qualys.com",)
    found = by_key([demo20])
    heartbleed = found["64.41.200.250/tcp/443/qualys:42430"]
    assert heartbleed.title == "OpenSSL Memory Leak Vulnerability (Heartbleed Bug)"
    assert heartbleed.cves == ("CVE-2014-0160",)
    assert heartbleed.severity.label is SeverityLabel.HIGH
    assert dict(heartbleed.extra)["pci_flag"] == "1"
    assert dict(heartbleed.extra)["ssl"] == "true"
    sslv3 = found["64.41.200.250/tcp/8443/qualys:38606"]
    assert sslv3.title == "SSL Server Has SSLv3 Enabled Vulnerability"
    assert sslv3.service is not None
    assert sslv3.service.name == "http over ssl"
    expired = found["64.41.200.250/tcp/443/qualys:38173"]
    assert "certificate has expired" in expired.evidence
    shellshock = found["64.41.200.250/tcp/80/qualys:13038"]
    assert shellshock.severity.score == 10.0
    assert shellshock.cves == ("CVE-2014-6271",)


def test_asset_report_services_from_open_service_lists() -> None:
    hosts = read_xml(ASSET_REPORT)
    demo20 = next(h for h in hosts if h.host.address == "64.41.200.250")
    assert sorted((s.protocol, s.port) for s in demo20.services) == [
        ("tcp", 22), ("tcp", 80), ("tcp", 111), ("tcp", 443), ("tcp", 8009), ("tcp", 8080),
        ("tcp", 8443), ("udp", 111), ("udp", 123), ("udp", 1900),
    ]  # fmt: skip
    opened = {f.port for f in demo20.findings if f.check_id == PORT_OPEN and f.protocol == "tcp"}
    assert opened == {22, 80, 111, 443, 8009, 8080, 8443}
    win7 = next(h for h in hosts if h.host.address == "64.41.200.247")
    assert win7.host.hostnames == ("trn-win7.trn.qualys.com", "TRN-WIN7")
    rdp = next(s for s in win7.services if s.port == 3389)
    assert rdp.name == "win remote desktop"


def test_asset_report_practice_scores_by_cvss3() -> None:
    found = by_key(read_xml(ASSET_REPORT))
    amd = found["64.41.200.243/tcp/0/qualys:370876"]
    assert dict(amd.extra)["qualys_kind"] == "potential"
    assert amd.severity.score == 9.0
    assert amd.severity.scanner_label == "severity 4"


def test_remote_dtd_is_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert len(read_xml(INFRASCAN)) == 2
    assert len(read_xml(ASSET_REPORT)) == 7


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE SCAN [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<SCAN value="scan/1"><HEADER><KEY value="STATUS">FINISHED</KEY></HEADER>'
        '<IP value="192.0.2.1"><OS>&x;</OS></IP></SCAN>',
        encoding="utf-8",
    )
    with pytest.raises(ScanParseError, match="entit"):
        list(qualys_xml.parse(path, "xxe.xml"))


def test_truncated_asset_report_is_a_parse_error(tmp_path: Path) -> None:
    data = corpus_path(ASSET_REPORT).read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ScanParseError, match=r"malformed XML|ends before it is complete"):
        list(qualys_xml.parse(path, "cut.xml"))


def vuln_ip(categories: str) -> str:
    return f'<IP value="192.0.2.1"><VULNS>{categories}</VULNS></IP>'


def test_non_numeric_qid_is_a_parse_error(tmp_path: Path) -> None:
    body = vuln_ip('<CAT value="x"><VULN number="abc" severity="3"/></CAT>')
    with pytest.raises(ScanParseError, match="QID 'abc' is not a number"):
        list(qualys_xml.parse(scan_xml(tmp_path, body), "scan.xml"))


def test_bad_port_is_a_parse_error(tmp_path: Path) -> None:
    body = vuln_ip('<CAT value="x" port="99999"><VULN number="1" severity="3"/></CAT>')
    with pytest.raises(ScanParseError, match="not a port number"):
        list(qualys_xml.parse(scan_xml(tmp_path, body), "scan.xml"))


def test_unknown_qualys_xml_root_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "detections.xml"
    path.write_text("<HOST_LIST_VM_DETECTION_OUTPUT/>", encoding="utf-8")
    assert not qualys_xml.sniff(Head.of(path))
    with pytest.raises(ScanParseError, match="neither <SCAN> nor <ASSET_DATA_REPORT>"):
        list(qualys_xml.parse(path, "detections.xml"))


# --- CSV -----------------------------------------------------------------------------------


def test_detection_csv() -> None:
    hosts = read_csv(corpus_path(DETECTION_CSV))
    findings = qid_findings(hosts)
    assert len(findings) == 6
    assert [h.host.address for h in hosts] == [
        "10.98.57.180", "10.98.57.151", "10.98.49.209", "10.98.35.11",
    ]  # fmt: skip
    assert hosts[0].host.hostnames == (
        "ip-10-98-57-180.eu-west-1.compute.internal",
        "EC2AMAZ-IU0C43L",
    )
    assert all(f.port == 0 and f.protocol == "tcp" for f in findings)
    assert all(h.services == () for h in hosts)
    found = by_key(hosts)
    update = found["10.98.57.180/tcp/0/qualys:91762"]
    assert update.severity.score == 9.9  # 'CVSS3 Base' 9.9, not the 8.6 'CVSS3' column
    assert update.severity.scanner_label == "severity 5"
    assert "CVE-2021-31192" in update.cves
    eol = found["10.98.57.151/tcp/0/qualys:105971"]
    assert eol.severity.score == 8.1
    assert dict(eol.extra)["pci_flag"] == "1"
    assert dict(eol.extra)["vuln_status"] == "Active"


def test_monthly_pci_csv() -> None:
    (host,) = read_csv(corpus_path(MONTHLY_PCI_CSV))
    assert host.host.address == "192.168.0.1"
    assert host.host.hostnames == ("abv.xyw.com.fj",)
    (finding,) = qid_findings([host])
    assert finding.key.port == 80
    assert finding.check_id == "qualys:86476"
    assert finding.title == "Web Server Stopped Responding"
    assert finding.severity.score == 6.4
    assert finding.severity.scanner_label == "Medium (severity 3)"
    extra = dict(finding.extra)
    assert extra["qualys_kind"] == "potential"
    assert extra["pci_flag"] == "1"  # IS_PCI=Fail
    assert extra["false_positive"] == "Requested"
    assert "did not respond" in finding.evidence
    assert [f.check_id for f in host.findings if f.check_id == PORT_OPEN] == [PORT_OPEN]


def test_hackerguardian_csv() -> None:
    hosts = read_csv(corpus_path(HACKERGUARDIAN_CSV))
    findings = qid_findings(hosts)
    assert len(findings) == 4
    assert len(hosts) == 3
    assert sorted(f.port for f in findings) == [80, 80, 443, 443]
    assert all(f.severity.score == 5.3 for f in findings)
    assert {f.severity.scanner_label for f in findings} == {"M (severity 1)", "M (severity 2)"}
    assert all(dict(f.extra)["pci_flag"] == "1" for f in findings)
    kinds = Counter(dict(f.extra)["qualys_kind"] for f in findings)
    assert kinds == {"potential": 2, "confirmed": 2}


def test_csv_header_after_preamble_rows(tmp_path: Path) -> None:
    original = corpus_path(HACKERGUARDIAN_CSV).read_text(encoding="utf-8")
    path = tmp_path / "with_preamble.csv"
    preamble = (
        '"Scan Results","01/01/2024"\n"Example Co","1 Main St","City"\n\n"Active Hosts","3"\n'
    )
    path.write_text(preamble + original, encoding="utf-8")
    assert qualys_csv.sniff(Head.of(path))
    assert len(qid_findings(read_csv(path))) == 4


def write_rows(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "rows.csv"
    header = "IP,DNS,QID,Title,Type,Severity,Port,Protocol,CVSS Base,Vuln Status\n"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_csv_band_fallback_and_fixed_rows(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path,
        "192.0.2.5,a.example,38606,SSLv3,Vuln,3,443,tcp,,Active",
        "192.0.2.5,a.example,42430,Heartbleed,Vuln,4,443,tcp,,Fixed",
        "192.0.2.5,a.example,6,DNS Host Name,Ig,1,,,,",
    )
    found = by_key(read_csv(path))
    assert found["192.0.2.5/tcp/443/qualys:38606"].severity.label is SeverityLabel.MEDIUM
    assert "192.0.2.5/tcp/443/qualys:42430" not in found  # Qualys says it is fixed
    assert found["192.0.2.5/tcp/0/qualys:6"].severity.score == 0.0


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            "192.0.2.5,a,38606,SSLv3,Vuln,3,http,tcp,,Active",
            "row 2: port 'http' is not a port number",
        ),
        (",a,38606,SSLv3,Vuln,3,443,tcp,,Active", "row 2: no IP address"),
        ("192.0.2.5,a,QID9,SSLv3,Vuln,3,443,tcp,,Active", "row 2: QID 'QID9' is not a number"),
    ],
)
def test_malformed_csv_rows(tmp_path: Path, row: str, problem: str) -> None:
    with pytest.raises(ScanParseError, match=problem):
        read_csv(write_rows(tmp_path, row))


def test_csv_without_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "no_header.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    assert not qualys_csv.sniff(Head.of(path))
    with pytest.raises(ScanParseError, match="no header row with QID and IP"):
        read_csv(path)


# --- shared vocabulary ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Vuln", QidKind.CONFIRMED),
        ("CONFIRMED", QidKind.CONFIRMED),
        ("Practice", QidKind.POTENTIAL),
        ("POTENTIAL", QidKind.POTENTIAL),
        ("Ig", QidKind.INFO),
        ("SERVICE", QidKind.INFO),
        ("something new", QidKind.CONFIRMED),
    ],
)
def test_qid_kinds(text: str, kind: QidKind) -> None:
    assert qid_kind(text) is kind


@pytest.mark.parametrize(
    ("text", "score"),
    [("9.0 (AV:N/AC:H)", 9.0), ("5", 5.0), ("", None), ("-", None), ("'-", None), ("11", None)],
)
def test_cvss_score(text: str, score: float | None) -> None:
    assert cvss_score(text) == score


@pytest.mark.parametrize(
    ("text", "flag"),
    [("1", "1"), ("yes", "1"), ("Y", "1"), ("Fail", "1"), ("0", "0"), ("no", "0"), ("", "0")],
)
def test_pci_flag(text: str, flag: str) -> None:
    assert pci_flag(text) == flag
