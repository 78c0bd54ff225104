"""sslscan XML, sslyze JSON and testssl.sh CSV: the corpus files and hand-made variants.

Corpus figures asserted here come from /work/shared/corpus/PROVENANCE.md (sslyze: only
TLS 1.0 accepted, 10 suites; testssl: 541 rows on 4 GitHub Pages IPs, an engine_problem
WARN row with an empty IP) or were counted from the files (testssl per-severity counts).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from remediator.errors import ScanParseError
from remediator.ingest.formats import sslscan, sslyze, testssl
from remediator.ingest.formats._tls_common import canonical_protocol, grade_cipher
from remediator.ingest.formats._tls_testssl_rows import read_rows
from remediator.ingest.formats.base import Head
from remediator.ingest.model import PORT_OPEN, Finding, HostReport
from remediator.ingest.reader import read_scan
from tests.corpus import corpus_files, corpus_path

SSLSCAN = "other/defectdojo_sslscan_many_vuln.xml"
SSLYZE = "other/securecodebox_sslyze_tls_v1_0_badssl.json"
TESTSSL = "other/defectdojo_testssl_many_vuln.csv"


def read(module: Any, path: Path) -> list[HostReport]:
    reports: list[HostReport] = list(module.parse(path, str(path)))
    return reports


def by_check(report: HostReport) -> dict[str, Finding]:
    return {f.check_id: f for f in report.findings}


# --- shared vocabulary ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("SSLv2", "SSLv2"),
        ("sslv3", "SSLv3"),
        ("TLSv1", "TLSv1.0"),
        ("TLSv1.0", "TLSv1.0"),
        ("TLS1", "TLSv1.0"),
        ("TLS1_1", "TLSv1.1"),
        ("TLS_1_2", "TLSv1.2"),
        ("tlsv1.3", "TLSv1.3"),
        ("TLSv1_2", "TLSv1.2"),
        ("DTLSv1.2", None),
        ("QUIC", None),
        ("", None),
    ],
)
def test_protocol_names_are_canonical(written: str, canonical: str | None) -> None:
    assert canonical_protocol(written) == canonical


@pytest.mark.parametrize(
    ("name", "bits", "anonymous", "grade"),
    [
        ("ECDHE-RSA-AES256-GCM-SHA384", 256, False, "A"),
        ("TLS_AES_128_GCM_SHA256", 128, False, "A"),
        ("TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", 128, False, "A"),
        ("NULL-MD5", 0, False, "F"),
        ("TLS_RSA_WITH_NULL_SHA256", None, False, "F"),
        ("EXP-RC4-MD5", 40, False, "F"),
        ("TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", None, False, "F"),
        ("ADH-AES256-SHA", 256, False, "F"),
        ("TLS_ECDH_anon_WITH_AES_128_CBC_SHA", 128, False, "F"),
        ("AES128-SHA", 128, True, "F"),
        ("RC4-SHA", 128, False, "C"),
        ("TLS_RSA_WITH_RC4_128_MD5", 128, False, "C"),
        ("DES-CBC3-SHA", 112, False, "C"),
        ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", None, False, "C"),
        ("DES-CBC-SHA", 56, False, "C"),
        ("IDEA-CBC-SHA", 128, False, "C"),
        ("SOME-FUTURE-SUITE", 96, False, "C"),
    ],
)
def test_cipher_grades(name: str, bits: int | None, anonymous: bool, grade: str) -> None:
    assert grade_cipher(name, bits, anonymous=anonymous) == grade


@pytest.mark.parametrize(
    ("module", "relative"), [(sslscan, SSLSCAN), (sslyze, SSLYZE), (testssl, TESTSSL)]
)
def test_each_sniffer_claims_only_its_own_corpus_file(module: Any, relative: str) -> None:
    claimed = [p for p in corpus_files() if module.sniff(Head.of(p))]
    assert claimed == [corpus_path(relative)]


# --- sslscan ----------------------------------------------------------------------------


def test_sslscan_corpus_file() -> None:
    [report] = read(sslscan, corpus_path(SSLSCAN))
    assert report.host.address == "www.target.com"  # a name, kept as written
    assert report.host.hostnames == ("www.target.com",)
    assert [(s.protocol, s.port, s.tunnel) for s in report.services] == [("tcp", 443, "ssl")]
    findings = by_check(report)
    assert set(findings) == {
        "sslscan:protocol:TLSv1.2",
        "sslscan:heartbleed:TLSv1.0",
        "sslscan:certificate:expired",
        PORT_OPEN,
    }
    tls = findings["sslscan:protocol:TLSv1.2"].tls
    assert tls is not None
    # 1 preferred + 7 accepted; the 'not accepted' DHE-RSA-AES256-SHA256 is left out
    assert len(tls.ciphers) == 8
    assert tls.ciphers[0].name == "ECDHE-RSA-AES256-GCM-SHA384"
    assert "DHE-RSA-AES256-SHA256" not in {c.name for c in tls.ciphers}
    assert tls.least_grade == "A"
    assert findings["sslscan:protocol:TLSv1.2"].severity.score == 0.0
    heartbleed = findings["sslscan:heartbleed:TLSv1.0"]
    assert heartbleed.severity.score == 7.5
    assert heartbleed.cves == ("CVE-2014-0160",)
    expired = findings["sslscan:certificate:expired"]
    assert expired.severity.score == 5.0
    cert = expired.certificate
    assert cert is not None
    assert cert.expired is True
    assert cert.self_signed is False
    assert cert.issuer == "GlobalSign Organization Validation CA - SHA256 - G2"
    assert cert.not_after == "Mar 13 11:59:45 2019 GMT"
    assert (cert.key_type, cert.key_bits) == ("RSA", 2048)
    assert cert.alt_names == ("*.service.target.com", "service.target.com")
    assert expired.source.version == "1.11.13-static"
    assert expired.source.format == "sslscan"


SSLSCAN_2X = """<?xml version="1.0" encoding="UTF-8"?>
<document title="SSLScan Results" version="2.0.15" web="http://github.com/rbsec/sslscan">
 <ssltest host="192.0.2.10" sniname="shop.example" port="443">
  <protocol type="ssl" version="3" enabled="1" />
  <protocol type="tls" version="1.0" enabled="1" />
  <protocol type="tls" version="1.1" enabled="0" />
  <protocol type="tls" version="1.2" enabled="1" />
  <renegotiation supported="1" secure="0" />
  <compression supported="1" />
  <heartbleed sslversion="TLSv1.2" vulnerable="0" />
  <cipher status="preferred" sslversion="TLSv1.2" bits="128" cipher="ECDHE-RSA-AES128-GCM-SHA256" />
  <cipher status="accepted" sslversion="TLSv1.2" bits="128" cipher="RC4-SHA" />
  <cipher status="accepted" sslversion="TLSv1.0" bits="0" cipher="NULL-MD5" />
  <cipher status="accepted" sslversion="TLSv1.0" bits="112" cipher="DES-CBC3-SHA" />
  <certificates>
   <certificate type="full"><subject>ignored full form</subject></certificate>
   <certificate type="short">
    <signature-algorithm>sha1WithRSAEncryption</signature-algorithm>
    <pk error="false" type="RSA" bits="1024" />
    <subject><![CDATA[shop.example]]></subject>
    <altnames><![CDATA[DNS:shop.example, IP Address:192.0.2.10]]></altnames>
    <issuer><![CDATA[shop.example]]></issuer>
    <self-signed>true</self-signed>
    <not-valid-before>Jan  1 00:00:00 2020 GMT</not-valid-before>
    <not-valid-after>Jan  1 00:00:00 2030 GMT</not-valid-after>
    <expired>false</expired>
   </certificate>
  </certificates>
 </ssltest>
 <ssltest host="192.0.2.10" port="8443">
  <cipher status="accepted" sslversion="TLSv1.3" bits="256" cipher="TLS_AES_256_GCM_SHA384" />
 </ssltest>
 <ssltest host="192.0.2.99" port="443">
  <error><![CDATA[Could not open a connection to host 192.0.2.99 on port 443.]]></error>
 </ssltest>
</document>
"""


def test_sslscan_2x_layout(tmp_path: Path) -> None:
    path = tmp_path / "scan.xml"
    path.write_text(SSLSCAN_2X)
    assert sslscan.sniff(Head.of(path))
    [report] = read(sslscan, path)  # two ports of one address: one report; the error: none
    assert report.host.address == "192.0.2.10"
    assert report.host.hostnames == ("shop.example",)
    assert sorted(s.port for s in report.services) == [443, 8443]
    findings = {(f.port, f.check_id): f for f in report.findings}
    assert set(findings) == {
        (443, "sslscan:protocol:SSLv3"),
        (443, "sslscan:protocol:TLSv1.0"),
        (443, "sslscan:weak-ciphers:TLSv1.0"),
        (443, "sslscan:protocol:TLSv1.2"),
        (443, "sslscan:weak-ciphers:TLSv1.2"),
        (443, "sslscan:renegotiation:insecure"),
        (443, "sslscan:compression"),
        (443, "sslscan:certificate:self-signed"),
        (443, "sslscan:certificate:weak-signature"),
        (443, "sslscan:certificate:weak-key"),
        (443, PORT_OPEN),
        (8443, "sslscan:protocol:TLSv1.3"),
        (8443, PORT_OPEN),
    }
    assert findings[(443, "sslscan:protocol:SSLv3")].severity.score == 7.5
    assert findings[(443, "sslscan:protocol:SSLv3")].tls.ciphers == ()  # type: ignore[union-attr]
    assert findings[(443, "sslscan:protocol:TLSv1.0")].severity.score == 5.0
    weak10 = findings[(443, "sslscan:weak-ciphers:TLSv1.0")]
    assert weak10.severity.score == 7.5  # NULL-MD5 is grade F
    assert "NULL-MD5 (F)" in weak10.evidence
    assert "DES-CBC3-SHA (C)" in weak10.evidence
    weak12 = findings[(443, "sslscan:weak-ciphers:TLSv1.2")]
    assert weak12.severity.score == 5.0  # RC4 is grade C
    assert weak12.tls is not None
    assert weak12.tls.least_grade == "C"
    assert findings[(8443, "sslscan:protocol:TLSv1.3")].severity.score == 0.0
    cert = findings[(443, "sslscan:certificate:weak-key")].certificate
    assert cert is not None
    assert cert.subject == "shop.example"  # the short form, not type="full"
    assert cert.alt_names == ("shop.example", "192.0.2.10")
    assert cert.expired is False


@pytest.mark.parametrize(
    ("ssltest", "problem"),
    [
        ('<ssltest port="443"></ssltest>', "no host attribute"),
        ('<ssltest host="a.example" port="http"></ssltest>', "bad port 'http'"),
        ('<ssltest host="a.example" port="70000"></ssltest>', "bad port '70000'"),
        ('<ssltest host="a.example" port="443"><cipher>', "malformed XML"),
    ],
)
def test_sslscan_faults_are_scan_parse_errors(tmp_path: Path, ssltest: str, problem: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(f'<document title="SSLScan Results">{ssltest}</document>')
    with pytest.raises(ScanParseError, match=problem) as caught:
        read(sslscan, path)
    assert caught.value.file == str(path)


# --- sslyze -----------------------------------------------------------------------------


def test_sslyze_corpus_file_only_tls_1_0_with_ten_suites() -> None:
    [report] = read(sslyze, corpus_path(SSLYZE))
    assert report.host.address == "104.154.89.105"
    assert report.host.hostnames == ("tls-v1-0.badssl.com",)
    assert [(s.protocol, s.port) for s in report.services] == [("tcp", 1010)]
    findings = by_check(report)
    assert set(findings) == {"sslyze:protocol:TLSv1.0", PORT_OPEN}
    tls10 = findings["sslyze:protocol:TLSv1.0"]
    assert tls10.tls is not None
    assert len(tls10.tls.ciphers) == 10
    assert tls10.tls.ciphers[0].name == "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"
    assert tls10.tls.least_grade == "A"
    assert tls10.severity.score == 5.0  # early TLS fails PCI on CVSS
    assert tls10.source.version == "6.2.0"
    assert tls10.source.scan_time == datetime(2025, 11, 5, 12, 15, 53, 898117, tzinfo=UTC)


def corpus_sslyze() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(corpus_path(SSLYZE).read_text())
    return document


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


def test_sslyze_vulnerabilities_and_certificate_problems(tmp_path: Path) -> None:
    document = corpus_sslyze()
    document["date_scans_started"] = "2026-01-01T00:00:00Z"  # after not_valid_after
    results = document["server_scan_results"][0]["scan_result"]
    results["heartbleed"]["result"]["is_vulnerable_to_heartbleed"] = True
    results["robot"]["result"]["robot_result"] = "VULNERABLE_WEAK_ORACLE"
    results["tls_compression"]["result"]["supports_compression"] = True
    results["tls_fallback_scsv"]["result"]["supports_fallback_scsv"] = False
    results["openssl_ccs_injection"] = {"status": "ERROR", "result": None}
    tls12 = results["tls_1_2_cipher_suites"]["result"]
    tls12["is_tls_version_supported"] = True
    tls12["accepted_cipher_suites"] = [
        {"cipher_suite": {"name": "TLS_RSA_WITH_RC4_128_SHA", "key_size": 128}}
    ]
    deployment = results["certificate_info"]["result"]["certificate_deployments"][0]
    for validation in deployment["path_validation_results"]:
        validation["was_validation_successful"] = False
        validation["validation_error"] = "unable to get local issuer certificate"
    deployment["leaf_certificate_subject_matches_hostname"] = False
    [report] = read(sslyze, write_json(tmp_path / "scan.json", document))
    findings = by_check(report)
    assert set(findings) == {
        "sslyze:protocol:TLSv1.0",
        "sslyze:protocol:TLSv1.2",
        "sslyze:weak-ciphers:TLSv1.2",
        "sslyze:heartbleed",
        "sslyze:robot",
        "sslyze:tls_compression",
        "sslyze:tls_fallback_scsv",  # two protocols offered, so a downgrade is possible
        "sslyze:certificate:expired",
        "sslyze:certificate:untrusted",
        "sslyze:certificate:hostname-mismatch",
        PORT_OPEN,
    }
    assert findings["sslyze:heartbleed"].severity.score == 7.5
    assert findings["sslyze:robot"].severity.score == 5.0
    assert findings["sslyze:robot"].severity.scanner_label == "VULNERABLE_WEAK_ORACLE"
    assert findings["sslyze:protocol:TLSv1.2"].severity.score == 0.0
    assert "local issuer" in findings["sslyze:certificate:untrusted"].evidence
    cert = findings["sslyze:certificate:expired"].certificate
    assert cert is not None
    assert cert.subject == "CN=*.badssl.com"
    assert cert.issuer == "CN=R12,O=Let's Encrypt,C=US"
    assert (cert.key_type, cert.key_bits) == ("RSA", 2048)
    assert cert.alt_names == ("*.badssl.com", "badssl.com")
    assert cert.self_signed is False


def test_sslyze_expiry_needs_the_scan_date(tmp_path: Path) -> None:
    """Without a scan date, 'expired' is unknown rather than judged against today."""
    document = corpus_sslyze()
    del document["date_scans_started"]
    [report] = read(sslyze, write_json(tmp_path / "scan.json", document))
    assert "sslyze:certificate:expired" not in by_check(report)


def test_sslyze_address_falls_back_to_hostname_and_skips_unreachable(tmp_path: Path) -> None:
    document = corpus_sslyze()
    server = document["server_scan_results"][0]
    server["server_location"]["ip_address"] = None
    unreachable = json.loads(json.dumps(server))
    unreachable["server_location"]["hostname"] = "down.example"
    unreachable["connectivity_status"] = "ERROR"
    document["server_scan_results"].append(unreachable)
    [report] = read(sslyze, write_json(tmp_path / "scan.json", document))
    assert report.host.address == "tls-v1-0.badssl.com"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"server_scan_results": [', "malformed JSON"),
        ('{"server_scan_results": {}}', "not a list"),
        ('{"server_scan_results": [{"scan_commands_results": {}}]}', "before version 5"),
        ('{"server_scan_results": [{"scan_result": {}}]}', "server_location is missing"),
        (
            '{"server_scan_results": [{"server_location": {"hostname": "a", "port": "x"}}]}',
            "is not a port",
        ),
        ("[" * 100_000 + "]" * 100_000, "malformed JSON"),
    ],
)
def test_sslyze_faults_are_scan_parse_errors(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ScanParseError, match=problem):
        read(sslyze, path)


# --- testssl.sh -------------------------------------------------------------------------


def test_testssl_corpus_rows() -> None:
    path = corpus_path(TESTSSL)
    rows = list(read_rows(path, str(path)))
    assert len(rows) == 541
    assert Counter(r.severity for r in rows) == {
        "INFO": 360,
        "OK": 164,
        "LOW": 12,
        "HIGH": 4,
        "WARN": 1,
    }
    ips = {r.address for r in rows if r.address != "www.defectdojo.org"}
    assert ips == {"185.199.108.153", "185.199.109.153", "185.199.110.153", "185.199.111.153"}
    assert rows[0].id == "engine_problem"
    assert rows[0].line == 2


def test_testssl_corpus_findings() -> None:
    reports = read(testssl, corpus_path(TESTSSL))
    assert [r.host.address for r in reports] == [
        "www.defectdojo.org",  # the engine_problem WARN row, kept on the name it names
        "185.199.110.153",
        "185.199.108.153",
        "185.199.109.153",
        "185.199.111.153",
    ]
    labels = Counter(f.severity.scanner_label for r in reports for f in r.findings)
    assert labels == {"LOW": 12, "HIGH": 4, "WARN": 1, "OK": 4, "open": 5}
    engine = by_check(reports[0])["testssl:engine_problem"]
    assert engine.severity.score == 0.0
    for report in reports[1:]:
        assert report.host.hostnames == ("www.defectdojo.org",)
        assert [s.name for s in report.services] == ["http"]
        findings = by_check(report)
        assert set(findings) == {
            "testssl:TLS1_2",
            "testssl:cipherlist_AVERAGE",
            "testssl:HSTS",
            "testssl:BREACH",
            "testssl:LUCKY13",
            PORT_OPEN,
        }
        breach = findings["testssl:BREACH"]
        assert breach.severity.score == 7.5
        assert breach.cves == ("CVE-2013-3587",)
        assert breach.extra == (("cwe", "CWE-310"),)
        tls = findings["testssl:TLS1_2"].tls
        assert tls is not None
        assert tls.protocol == "TLSv1.2"
        assert len(tls.ciphers) == 9
        assert tls.ciphers[0].name == "ECDHE-RSA-AES128-GCM-SHA256"


HEADER = '"id","fqdn/ip","port","severity","finding","cve","cwe"\n'


def make_testssl_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "testssl.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


def test_testssl_protocols_weigh_at_least_their_pci_reading(tmp_path: Path) -> None:
    path = make_testssl_csv(
        tmp_path,
        '"TLS1","h.example/192.0.2.5","443","LOW","offered (deprecated)","",""',
        '"SSLv3","h.example/192.0.2.5","443","HIGH","offered (NOT ok)","",""',
        '"TLS1_1","h.example/192.0.2.5","443","INFO","not offered","",""',
        '"TLS1_2","h.example/192.0.2.5","443","MEDIUM","not offered","",""',
        '"cipherorder_TLSv1","h.example/192.0.2.5","443","INFO","RC4-SHA AES128-SHA","",""',
        '"DROWN","h.example/192.0.2.5","443","LOW","first","",""',
        '"DROWN","h.example/192.0.2.5","443","HIGH","second","CVE-2016-0800",""',
        '"cert_expirationStatus","h.example/192.0.2.5","443","CRITICAL","expired","",""',
        '"cert_keySize","h.example/192.0.2.5","443","INFO","RSA 1024 bits","",""',
        '"cert_chain_of_trust","h.example/192.0.2.5","443","CRITICAL","NOT ok (self signed)","",""',
    )
    [report] = read(testssl, path)
    findings = by_check(report)
    tls1 = findings["testssl:TLS1"]
    assert (tls1.severity.score, tls1.severity.scanner_label) == (5.0, "LOW")
    assert tls1.tls is not None
    assert [(c.name, c.grade) for c in tls1.tls.ciphers] == [("RC4-SHA", "C"), ("AES128-SHA", "A")]
    assert findings["testssl:SSLv3"].severity.score == 7.5
    assert "testssl:TLS1_1" not in findings  # INFO and not offered: a fact, not a finding
    missing12 = findings["testssl:TLS1_2"]  # not offered, but graded MEDIUM by testssl.sh
    assert (missing12.severity.score, missing12.tls) == (5.0, None)
    drown = findings["testssl:DROWN"]
    assert (drown.evidence, drown.cves) == ("second", ("CVE-2016-0800",))
    cert = findings["testssl:cert_expirationStatus"].certificate
    assert cert is not None
    assert (cert.expired, cert.self_signed, cert.key_type, cert.key_bits) == (
        True,
        True,
        "RSA",
        1024,
    )


def test_testssl_errors_name_the_line(tmp_path: Path) -> None:
    path = make_testssl_csv(
        tmp_path,
        '"service","h/192.0.2.5","443","INFO","a finding\nspread over\nthree lines","",""',
        '"TLS1","h/192.0.2.5","https","LOW","offered","",""',
    )
    with pytest.raises(ScanParseError, match=r"line 5: port 'https' is not a port"):
        read(testssl, path)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ('"TLS1","h/192.0.2.5","443","SEVERE","offered","",""', "line 2: unknown severity"),
        ('"TLS1","/","443","LOW","offered","",""', "line 2: no host in fqdn/ip"),
        ('"","h/192.0.2.5","443","LOW","offered","",""', "line 2: empty id"),
        ('"TLS1","h/192.0.2.5","99999","LOW","offered","",""', "line 2: port '99999'"),
    ],
)
def test_testssl_bad_rows(tmp_path: Path, row: str, problem: str) -> None:
    with pytest.raises(ScanParseError, match=problem):
        read(testssl, make_testssl_csv(tmp_path, row))


def test_testssl_not_utf8_is_a_scan_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + b'"x","h/192.0.2.5","443","LOW","caf\xe9","",""\n')
    with pytest.raises(ScanParseError, match="not UTF-8"):
        read(testssl, path)


@pytest.mark.parametrize(
    ("relative", "family", "addresses"),
    [
        (SSLSCAN, "sslscan", 1),
        (SSLYZE, "sslyze", 1),
        (TESTSSL, "testssl", 5),
    ],
)
def test_read_scan_reads_each_through_the_registry(
    relative: str, family: str, addresses: int
) -> None:
    reports = list(read_scan(corpus_path(relative), family))
    assert len(reports) == addresses
    assert all(f.source.format == family for r in reports for f in r.findings)


def test_sslyze_sniff_wants_the_key_not_a_value(tmp_path: Path) -> None:
    findings = {"address": "192.0.2.1", "port": 1, "check_id": "server_scan_results"}
    document = {"schema": "remediator/findings/v1", "findings": [findings]}
    assert not sslyze.sniff(Head.of(write_json(tmp_path / "findings.json", document)))
    assert sslyze.sniff(Head.of(write_json(tmp_path / "s.json", {"server_scan_results": []})))


@pytest.mark.parametrize(
    ("command", "result", "check", "score"),
    [
        (
            "openssl_ccs_injection",
            {"is_vulnerable_to_ccs_injection": True},
            "sslyze:openssl-ccs-injection",
            7.5,
        ),
        (
            "session_renegotiation",
            {"supports_secure_renegotiation": False},
            "sslyze:session_renegotiation:insecure",
            5.0,
        ),
        (
            "session_renegotiation",
            {
                "supports_secure_renegotiation": True,
                "is_vulnerable_to_client_renegotiation_dos": True,
            },
            "sslyze:session_renegotiation:client-dos",
            5.0,
        ),
        ("tls_1_3_early_data", {"supports_early_data": True}, "sslyze:tls_1_3_early_data", 2.0),
        ("robot", {"robot_result": "VULNERABLE_STRONG_ORACLE"}, "sslyze:robot", 7.5),
    ],
)
def test_sslyze_each_check(
    tmp_path: Path, command: str, result: dict[str, Any], check: str, score: float
) -> None:
    document = corpus_sslyze()
    document["server_scan_results"][0]["scan_result"][command] = {
        "status": "COMPLETED",
        "result": result,
    }
    [report] = read(sslyze, write_json(tmp_path / "scan.json", document))
    findings = by_check(report)
    assert set(findings) == {"sslyze:protocol:TLSv1.0", check, PORT_OPEN}
    assert findings[check].severity.score == score
