"""Rapid7 Nexpose XML reader, on a real (interrupted) Nexpose 1.0 report."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from remediator.errors import ScanParseError
from remediator.ingest.formats import nexpose
from remediator.ingest.formats.base import Head
from remediator.ingest.model import PORT_OPEN, Finding, HostReport, SeverityLabel
from remediator.ingest.reader import choose_format
from remediator.ingest.registry import detect
from tests.corpus import corpus_files, corpus_path

REPORT = "other/defectdojo_nexpose_many_vulns.xml"


@pytest.fixture(scope="module")
def hosts() -> list[HostReport]:
    return list(nexpose.parse(corpus_path(REPORT), REPORT))


def vulns(hosts: list[HostReport]) -> list[Finding]:
    return [f for h in hosts for f in h.findings if f.check_id.startswith("nexpose:")]


def by_key(hosts: list[HostReport]) -> dict[str, Finding]:
    return {str(f.key): f for h in hosts for f in h.findings}


def test_detected_and_no_other_corpus_file_claimed() -> None:
    found = detect(Head.of(corpus_path(REPORT)), "nexpose")
    assert found is not None
    assert found.name == "nexpose"
    assert choose_format(corpus_path(REPORT)).name == "nexpose"  # auto: no sniffer before ours
    for path in corpus_files():
        assert nexpose.sniff(Head.of(path)) == (path == corpus_path(REPORT)), path.name


def test_nodes(hosts: list[HostReport]) -> None:
    assert [h.host.address for h in hosts] == [
        "192.168.1.1", "192.168.1.18", "192.168.1.33", "192.168.1.34",
        "192.168.1.35", "192.168.1.37", "192.168.1.38", "192.168.1.40",
    ]  # fmt: skip
    assert all(h.host.state == "up" for h in hosts)
    named = next(h for h in hosts if h.host.address == "192.168.1.37")
    assert named.host.hostnames == ("MACBOOKPRO-C9A7",)
    assert hosts[0].host.os == "Linux 2.6.9"
    quiet = next(h for h in hosts if h.host.address == "192.168.1.35")
    assert quiet.services == ()
    assert quiet.findings == ()


def test_open_endpoints_become_services_and_port_open(hosts: list[HostReport]) -> None:
    services = [s for h in hosts for s in h.services]
    assert len(services) == 27
    assert all(s.state == "open" for s in services)
    assert Counter(s.protocol for s in services) == {"tcp": 21, "udp": 6}
    opened = [f for h in hosts for f in h.findings if f.check_id == PORT_OPEN]
    assert len(opened) == 27
    ssh = next(s for s in hosts[0].services if s.port == 22)
    assert (ssh.name, ssh.product, ssh.version) == ("ssh", "Dropbear", "0.51")


def test_only_vulnerable_tests_are_findings(hosts: list[HostReport]) -> None:
    findings = vulns(hosts)
    # 162 tests have a vulnerable-* status; repeats of one test on one port (one per URL)
    # are one finding whose instances are counted
    assert sum(int(dict(f.extra)["instances"]) for f in findings) == 162
    assert len(findings) == 28
    assert sum(f.port == 0 for f in findings) == 13  # node-level tests
    statuses = Counter(dict(f.extra)["test_status"] for f in findings)
    assert set(statuses) == {"vulnerable-exploited", "vulnerable-version"}
    not_vulnerable = "192.168.1.1/tcp/21/nexpose:ftp-proftpd-1-3-3c-backdoor"
    assert not_vulnerable not in by_key(hosts)


def test_sslv2_and_self_signed_certificate(hosts: list[HostReport]) -> None:
    found = by_key(hosts)
    sslv2 = found["192.168.1.33/tcp/443/nexpose:sslv2-and-up-enabled"]
    assert sslv2.title == "TLS/SSL Server Supports SSLv2"
    assert sslv2.severity.score == 5.8
    assert sslv2.severity.scanner_label == "severity 6"
    assert sslv2.evidence == "SSLv2 is supported"
    assert sslv2.service is not None
    assert sslv2.service.name == "https"
    self_signed = found["192.168.1.33/tcp/443/nexpose:ssl-self-signed-certificate"]
    assert self_signed.title == "Self-signed TLS/SSL certificate"
    assert self_signed.severity.score == 4.3
    assert self_signed.evidence == "TLS/SSL certificate is self-signed."
    des = found["192.168.1.34/tcp/443/nexpose:ssl-des-ciphers"]
    assert dict(des.extra)["pci_compliance_status"] == "fail"


def test_repeated_test_instances_merge_into_evidence(hosts: list[HostReport]) -> None:
    basic_auth = by_key(hosts)["192.168.1.18/tcp/80/nexpose:http-basic-auth-cleartext"]
    assert dict(basic_auth.extra)["instances"] == "134"
    assert basic_auth.evidence.startswith("[/cgi-bin/Management.asp] Running vulnerable HTTP")
    assert "characters cut]" in basic_auth.evidence


def test_node_level_tests_are_on_port_zero(hosts: list[HostReport]) -> None:
    timestamp = by_key(hosts)["192.168.1.1/tcp/0/nexpose:generic-icmp-timestamp"]
    assert timestamp.title == "ICMP timestamp response"
    assert timestamp.service is None
    assert "Remote system time" in timestamp.evidence


def test_stopped_scan_is_recorded(hosts: list[HostReport]) -> None:
    findings = vulns(hosts)
    assert all(dict(f.extra)["scan_status"] == "stopped" for f in findings)
    source = findings[0].source
    assert source.scanner == "Rapid7 Nexpose"
    assert source.version == "report format 1.0"
    assert source.scan_time == datetime(
        2013, 11, 27, 5, 2, 42, 739000, tzinfo=UTC
    )  # no zone given: UTC


def test_cves_come_from_definitions(hosts: list[HostReport]) -> None:
    with_cves = [f for f in vulns(hosts) if f.cves]
    assert with_cves
    assert all(cve.startswith("CVE-") for f in with_cves for cve in f.cves)


def write_report(
    tmp_path: Path, nodes: str, definitions: str = "", status: str = "finished"
) -> Path:
    path = tmp_path / "report.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<NexposeReport version="2.0">'
        f'<scans><scan id="1" name="x" startTime="20240101T000000000" status="{status}"/></scans>'
        f"<nodes>{nodes}</nodes><VulnerabilityDefinitions>{definitions}"
        "</VulnerabilityDefinitions></NexposeReport>",
        encoding="utf-8",
    )
    return path


ENDPOINT_TEST = (
    '<node address="192.0.2.9" status="alive"><endpoints>'
    '<endpoint protocol="tcp" port="443" status="open"><services><service name="HTTPS"><tests>'
    '<test id="X-Thing" status="vulnerable-potential"><Paragraph>seen</Paragraph></test>'
    '<test id="y-thing" status="not-vulnerable"/>'
    "</tests></service></services></endpoint></endpoints></node>"
)


def test_finished_scan_severity_band_and_missing_definition(tmp_path: Path) -> None:
    definition = '<vulnerability id="x-thing" title="A thing" severity="9" cvssScore=""/>'
    (host,) = nexpose.parse(write_report(tmp_path, ENDPOINT_TEST, definition), "r.xml")
    (finding,) = vulns([host])
    assert finding.check_id == "nexpose:x-thing"
    assert finding.title == "A thing"
    assert finding.severity.label is SeverityLabel.HIGH
    assert finding.severity.scanner_label == "severity 9 (critical)"
    assert "scan_status" not in dict(finding.extra)
    (undefined,) = vulns(list(nexpose.parse(write_report(tmp_path, ENDPOINT_TEST), "r.xml")))
    assert undefined.title == "x-thing"
    assert dict(undefined.extra)["definition"] == "missing"


def test_truncated_report_is_a_parse_error(tmp_path: Path) -> None:
    data = corpus_path(REPORT).read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(ScanParseError, match=r"malformed XML|ends before it is complete"):
        list(nexpose.parse(path, "cut.xml"))


@pytest.mark.parametrize(
    ("nodes", "problem"),
    [
        ('<node status="alive"/>', "no address"),
        (ENDPOINT_TEST.replace('port="443"', 'port="https"'), "'https' is not a port number"),
        (ENDPOINT_TEST.replace('id="X-Thing" ', ""), "a <test> has no id"),
    ],
)
def test_malformed_nodes(tmp_path: Path, nodes: str, problem: str) -> None:
    with pytest.raises(ScanParseError, match=problem):
        list(nexpose.parse(write_report(tmp_path, nodes), "r.xml"))


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE NexposeReport [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;">]><NexposeReport version="1.0"><nodes>'
        '<node address="192.0.2.1">&b;</node></nodes></NexposeReport>',
        encoding="utf-8",
    )
    with pytest.raises(ScanParseError, match="entit"):
        list(nexpose.parse(path, "bomb.xml"))
