"""Nessus v2 parser, on every .nessus file of the shared corpus.

"items" are the ``<ReportItem>`` elements read (counted from the parser's own stream
records); "findings" are what the parser yields apart from ``port-open``, after repeats
of one key were folded (two files report one plugin twice on one port).
"""

from __future__ import annotations

import re
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from remediator.errors import ScanParseError
from remediator.ingest.formats import nessus
from remediator.ingest.formats._nessus_openvas_merge import EVIDENCE_SEPARATOR
from remediator.ingest.formats._nessus_sink import NessusHostRecord, NessusSink
from remediator.ingest.formats.base import Head
from remediator.ingest.model import EVIDENCE_LIMIT, PORT_OPEN, Finding, HostReport
from remediator.ingest.reader import read_scan
from remediator.ingest.xmlsafe import stream_elements
from tests.corpus import corpus_path

V_UNKNOWN = "nessus/defectdojo_nessus_v_unknown.xml"
CVSSV3 = "nessus/defectdojo_nessus_with_cvssv3.nessus"
LOCAL_3 = "nessus/libnessus_nessus_report_local_3.nessus"
LOCALPCI = "nessus/libnessus_nessus_report_localpci.nessus"
V1 = "nessus/rubynessus_example_v1.nessus"
V3 = "nessus/rubynessus_example_v3.nessus"
COMPLIANCE = "nessus/seccubus_compliance.nessus"


def records(path: Path) -> list[NessusHostRecord]:
    sink = NessusSink()
    found: list[NessusHostRecord] = []
    for _ in stream_elements(path, str(path), sink):
        found.extend(sink.done)
        sink.done.clear()
    return found


def parse(relative: str) -> list[HostReport]:
    path = corpus_path(relative)
    return list(nessus.parse(path, str(path)))


def vulns(hosts: list[HostReport]) -> list[Finding]:
    return [f for h in hosts for f in h.findings if f.check_id != PORT_OPEN]


def open_ports(hosts: list[HostReport]) -> set[tuple[str, str, int]]:
    return {
        (f.address, f.protocol, f.port)
        for h in hosts
        for f in h.findings
        if f.check_id == PORT_OPEN
    }


@dataclass(frozen=True)
class Figures:
    hosts: int
    items: int
    findings: int
    open_ports: int
    item_severities: dict[str, int]
    """Items per Nessus ``severity`` attribute (0 info .. 4 critical)."""
    labels: dict[str, int]
    """Findings per normalized CVSS band."""


FIGURES = {
    V_UNKNOWN: Figures(
        7, 296, 296, 87, {"0": 266, "1": 7, "2": 23}, {"info": 266, "low": 7, "medium": 23}
    ),
    CVSSV3: Figures(
        1,
        49,
        48,
        1,
        {"0": 23, "1": 1, "2": 13, "3": 10, "4": 2},
        {"info": 23, "low": 1, "medium": 12, "high": 11, "critical": 1},
    ),
    LOCAL_3: Figures(
        3,
        106,
        106,
        16,
        {"0": 71, "1": 10, "2": 20, "3": 3, "4": 2},
        {"info": 71, "low": 10, "medium": 20, "high": 3, "critical": 2},
    ),
    LOCALPCI: Figures(
        1,
        167,
        166,
        19,
        {"0": 94, "1": 5, "2": 44, "3": 21, "4": 3},
        {"info": 93, "low": 5, "medium": 44, "high": 20, "critical": 4},
    ),
    V3: Figures(
        1,
        155,
        155,
        36,
        {"0": 118, "1": 8, "2": 16, "3": 5, "4": 8},
        {"info": 118, "low": 8, "medium": 16, "high": 4, "critical": 9},
    ),
    COMPLIANCE: Figures(
        1,
        398,
        396,
        1,
        {"0": 2, "1": 44, "2": 200, "3": 152},
        {"info": 44, "medium": 200, "high": 152},
    ),
}


@pytest.mark.parametrize("relative", sorted(FIGURES))
def test_corpus_figures(relative: str) -> None:
    expected = FIGURES[relative]
    items = [item for record in records(corpus_path(relative)) for item in record.items]
    hosts = parse(relative)
    findings = vulns(hosts)
    assert len(hosts) == expected.hosts
    assert len(items) == expected.items
    assert dict(Counter(item.attrs["severity"] for item in items)) == expected.item_severities
    assert len(findings) == expected.findings
    assert len({f.key for f in findings}) == expected.findings
    assert len(open_ports(hosts)) == expected.open_ports
    assert dict(Counter(f.severity.label.value for f in findings)) == expected.labels
    for host in hosts:
        for finding in host.findings:
            assert finding.source.format == "nessus"
            assert finding.source.scanner == "Nessus"
            assert finding.check_id == PORT_OPEN or finding.check_id.startswith("nessus:")
            assert len(finding.evidence) < EVIDENCE_LIMIT + 64


@pytest.mark.parametrize("relative", [*sorted(FIGURES), V1])
def test_sniffed_from_content(relative: str) -> None:
    assert nessus.sniff(Head.of(corpus_path(relative)))


@pytest.mark.parametrize(
    "relative",
    [
        "nmap/libnmap_dionaea_scan.xml",
        "openvas/defectdojo_openvas_many_vuln.xml",
        "qualys/defectdojo_qualys_sample_report.xml",
        "other/defectdojo_nexpose_many_vulns.xml",
    ],
)
def test_other_formats_are_not_sniffed(relative: str) -> None:
    assert not nessus.sniff(Head.of(corpus_path(relative)))


def test_nessus_v1_is_refused_with_its_name() -> None:
    path = corpus_path(V1)
    with pytest.raises(ScanParseError, match=r"Nessus v1 .*not supported") as caught:
        list(read_scan(path))
    assert caught.value.file == str(path)


def test_provenance_v_unknown_netbios_hosts() -> None:
    """7 hosts, 296 items; names are NetBIOS names, the address comes from host-ip."""
    hosts = parse(V_UNKNOWN)
    assert [h.host.address for h in hosts][:2] == ["10.31.112.29", "10.31.112.26"]
    first = hosts[0].host
    assert first.hostnames == ("qa3app09",)
    assert first.os == "Microsoft Windows Server 2008 R2 Standard Service Pack 1"
    source = hosts[0].findings[0].source
    assert source.version == "5.2.1"
    assert source.scan_time is not None
    assert source.scan_time.isoformat() == "2013-07-01T11:33:11+00:00"  # no zone given: UTC


def test_name_is_the_address_when_there_is_no_host_ip(tmp_path: Path) -> None:
    """The same real file with its host-ip properties removed keeps the NetBIOS names."""
    text = corpus_path(V_UNKNOWN).read_text(encoding="utf-8")
    stripped = re.sub(r'<tag name="host-ip">[^<]*</tag>\n', "", text)
    assert stripped != text
    path = tmp_path / "no_host_ip.nessus"
    path.write_text(stripped, encoding="utf-8")
    hosts = list(nessus.parse(path, str(path)))
    assert len(hosts) == 7
    assert hosts[0].host.address == "qa3app09"
    assert not hosts[0].host.is_ip
    assert "QA3APP09" not in hosts[0].host.hostnames  # same name, other case: not repeated
    assert len(vulns(hosts)) == 296


def test_provenance_cvssv3_two_critical_items_are_one_weakness() -> None:
    """49 items, 2 critical: both are 'PHP Unsupported Version Detection' on 80/tcp."""
    items = [i for r in records(corpus_path(CVSSV3)) for i in r.items]
    critical = [i for i in items if i.attrs["severity"] == "4"]
    assert len(items) == 49
    assert [i.attrs["pluginID"] for i in critical] == ["58987", "58987"]
    (host,) = parse(CVSSV3)
    (php,) = [f for f in host.findings if f.check_id == "nessus:58987"]
    assert php.port == 80
    assert php.severity.score == 10.0
    assert php.severity.scanner_label == "Critical"
    assert EVIDENCE_SEPARATOR in php.evidence
    assert "X-Powered-By: PHP/5.6.40" in php.evidence
    assert "Installed version : 5.1.6" in php.evidence


def test_cvss3_score_wins_over_cvss2() -> None:
    (host,) = parse(CVSSV3)
    by_id = {f.check_id: f for f in host.findings}
    assert by_id["nessus:142591"].severity.score == 7.5  # cvss3 7.5, cvss2 5.0
    assert by_id["nessus:142591"].severity.scanner_label == "Medium"
    assert by_id["nessus:31649"].severity.score == 7.5  # cvss2 only
    assert ("cvss_vector", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H") in by_id[
        "nessus:58987"
    ].extra
    info = by_id["nessus:19506"]
    assert info.port == 0
    assert info.severity.score == 0.0
    assert info.severity.scanner_label == "None"


def test_cvssv3_host_and_source() -> None:
    (host,) = parse(CVSSV3)
    assert host.host.address == "44.228.249.3"
    assert host.host.hostnames[0] == "testphp.vulnweb.com"
    source = host.findings[0].source
    assert source.version == "10.1.1"
    assert source.scan_time is not None
    assert source.scan_time.utcoffset() is not None  # from HOST_START_TIMESTAMP


def test_provenance_local_3_hosts_and_items() -> None:
    assert len(records(corpus_path(LOCAL_3))) == 3
    hosts = parse(LOCAL_3)
    assert [h.host.address for h in hosts] == ["192.168.2.104", "192.168.2.101", "192.168.2.100"]
    assert hosts[1].host.os == "AIX 5.3"


def test_port_scanner_items_and_findings_on_ports_open_the_port() -> None:
    (record_104, record_101, record_100) = records(corpus_path(LOCAL_3))
    hosts = parse(LOCAL_3)
    for record, host in zip((record_104, record_101, record_100), hosts, strict=True):
        opened = {(f.protocol, f.port) for f in host.findings if f.check_id == PORT_OPEN}
        scanned = {
            (i.attrs["protocol"], int(i.attrs["port"]))
            for i in record.items
            if i.attrs["pluginID"] == "11219"
        }
        on_ports = {(i.attrs["protocol"], int(i.attrs["port"])) for i in record.items}
        assert scanned <= opened
        assert opened == {p for p in on_ports if p[1] > 0}
        assert all(f.port > 0 for f in host.findings if f.check_id == PORT_OPEN)
    assert ("udp", 123) in {(s.protocol, s.port) for s in hosts[1].services}
    ssh = next(s for s in hosts[1].services if s.port == 22)
    assert ssh.name == "ssh"


def test_provenance_localpci_severities() -> None:
    """167 ReportItems: 3 critical, 21 high, 44 medium in Nessus's own rating."""
    (record,) = records(corpus_path(LOCALPCI))
    assert len(record.items) == 167
    (host,) = parse(LOCALPCI)
    findings = vulns([host])
    by_label = Counter(f.severity.scanner_label for f in findings)
    assert (by_label["Critical"], by_label["High"], by_label["Medium"]) == (3, 21, 44)
    # CentOS krb5 errata: Nessus says High, its CVSS v2 9.3 is critical on the CVSS v3 scale.
    krb5 = next(f for f in findings if f.check_id == "nessus:67093")
    assert (krb5.severity.scanner_label, krb5.severity.label.value) == ("High", "critical")
    assert "CVE-2012-1015" in krb5.cves
    pci = [f.title for f in findings if f.title.startswith("PCI DSS Compliance")]
    assert "PCI DSS Compliance : Handling False Positives" in pci
    # Service Detection twice on 8834/tcp (www and TLS): one finding, both outputs kept.
    service = next(f for f in findings if f.key.check_id == "nessus:22964" and f.port == 8834)
    assert "web server is running on this port through TLSv1" in service.evidence
    assert "A TLSv1 server answered on this port" in service.evidence


def test_provenance_example_v3_critical_items() -> None:
    """155 items, 8 critical (vsftpd backdoor, UnrealIRCd, weak Debian keys, VNC...)."""
    (record,) = records(corpus_path(V3))
    assert len(record.items) == 155
    (host,) = parse(V3)
    critical = [f for f in vulns([host]) if f.severity.scanner_label == "Critical"]
    assert len(critical) == 8
    titles = " | ".join(f.title for f in critical)
    assert "UnrealIRCd Backdoor" in titles
    assert "VNC Server 'password' Password" in titles
    assert host.host.address == "10.0.0.1"


def test_provenance_compliance_checks_never_share_a_key() -> None:
    """394 items of plugin 21157, each its own check_id; the result is not in the key."""
    (record,) = records(corpus_path(COMPLIANCE))
    compliance_items = [i for i in record.items if i.attrs["pluginID"] == "21157"]
    assert len(compliance_items) == 394
    (host,) = parse(COMPLIANCE)
    checks = [f for f in host.findings if f.check_id.startswith("nessus:21157:")]
    assert len(checks) == 394
    assert len({f.key for f in checks}) == 394
    assert all(re.fullmatch(r"nessus:21157:[0-9a-f]{12}", f.check_id) for f in checks)
    assert Counter(f.severity.scanner_label for f in checks) == {"FAILED": 352, "PASSED": 42}
    assert all(f.severity.score == 0.0 for f in checks if f.severity.scanner_label == "PASSED")
    crontab = [f for f in checks if "Checking if /etc/cron* are OK." in f.title]
    assert len(crontab) == 2  # same check on /etc/crontab and /etc/cron.deny
    assert {"File : /etc/crontab" in f.evidence for f in crontab} == {True, False}
    grub = next(
        f for f in checks if f.title.endswith("SN.4 Additional GRUB Security - /boot/grub/menu.lst")
    )
    assert (
        grub.check_id == "nessus:21157:498a51f402ce"
    )  # stable across releases: keys compare scans
    assert grub.severity.label.value == "high"
    assert ("compliance_result", "FAILED") in grub.extra


def test_plugin_zero_items_only_open_their_port() -> None:
    (host,) = parse(COMPLIANCE)
    assert not [f for f in host.findings if f.check_id == "nessus:0"]
    assert [(f.protocol, f.port) for f in host.findings if f.check_id == PORT_OPEN] == [("tcp", 22)]
    # Nessus 4 writes severity="1" with risk factor None on informational plugins.
    detection = next(f for f in host.findings if f.check_id == "nessus:22964")
    assert detection.severity.score == 0.0


def test_long_plugin_output_is_clipped(tmp_path: Path) -> None:
    text = corpus_path(LOCAL_3).read_text(encoding="utf-8")
    marker = "<plugin_output>"
    huge = "A" * 200_000
    path = tmp_path / "long_output.nessus"
    path.write_text(text.replace(marker, marker + huge, 1), encoding="utf-8")
    hosts = list(nessus.parse(path, str(path)))
    clipped = [f for f in vulns(hosts) if f.evidence.startswith("AAAA")]
    assert len(clipped) == 1
    assert len(clipped[0].evidence) < EVIDENCE_LIMIT + 64
    assert re.search(r"\.\.\. \[\d+ more characters cut\]$", clipped[0].evidence)


def test_bad_port_is_a_parse_error_with_its_line(tmp_path: Path) -> None:
    text = corpus_path(LOCAL_3).read_text(encoding="utf-8")
    path = tmp_path / "bad_port.nessus"
    path.write_text(text.replace('port="2222"', 'port="twenty"', 1), encoding="utf-8")
    with pytest.raises(ScanParseError, match=r"line \d+, column \d+: .*port 'twenty'"):
        list(nessus.parse(path, str(path)))


def test_truncated_file_yields_complete_hosts_then_fails(tmp_path: Path) -> None:
    text = corpus_path(LOCAL_3).read_text(encoding="utf-8")
    third = text.index('<ReportHost name="192.168.2.100">')
    path = tmp_path / "truncated.nessus"
    path.write_text(text[: third + 2000], encoding="utf-8")
    stream = nessus.parse(path, str(path))
    assert next(stream).host.address == "192.168.2.104"
    assert next(stream).host.address == "192.168.2.101"
    with pytest.raises(ScanParseError) as caught:
        next(stream)
    assert caught.value.file == str(path)


def test_other_xml_forced_as_nessus_is_refused() -> None:
    path = corpus_path("nmap/libnmap_dionaea_scan.xml")
    with pytest.raises(ScanParseError, match="not a Nessus v2 file: found <nmaprun>"):
        list(read_scan(path, "nessus"))


def _replicated(tmp_path: Path, copies: int) -> Path:
    """The localpci file with its one ReportHost repeated under ``copies`` addresses."""
    text = corpus_path(LOCALPCI).read_text(encoding="utf-8")
    start = text.index("<ReportHost ")
    end = text.index("</ReportHost>") + len("</ReportHost>")
    path = tmp_path / f"replicated_{copies}.nessus"
    with path.open("w", encoding="utf-8") as stream:
        stream.write(text[:start])
        for n in range(copies):
            stream.write(text[start:end].replace("127.0.0.1", f"10.9.{n // 250}.{n % 250 + 1}"))
        stream.write(text[end:])
    return path


def _peak_while_streaming(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        hosts = sum(1 for _ in nessus.parse(path, str(path)))
        return hosts, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_follows_one_host_not_the_file(tmp_path: Path) -> None:
    small = _replicated(tmp_path, 4)
    large = _replicated(tmp_path, 40)
    assert large.stat().st_size > 15_000_000
    small_hosts, small_peak = _peak_while_streaming(small)
    large_hosts, large_peak = _peak_while_streaming(large)
    assert (small_hosts, large_hosts) == (4, 40)
    assert large_peak < large.stat().st_size / 2
    assert large_peak < small_peak + 2_000_000
