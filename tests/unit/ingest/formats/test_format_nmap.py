"""nmap XML: every corpus file read to the figures PROVENANCE.md states, plus NSE details.

Counts per file are hosts total, hosts up, open services and findings per severity band.
Every figure was checked against the file by hand (grep counts of ``<host``,
``<status state="up"``, ``<state state="open``, ``<script id=``), not copied from the
parser's output.
"""

from __future__ import annotations

import re
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from remediator.errors import ScanParseError
from remediator.ingest import PORT_OPEN, choose_format, read_scan
from remediator.ingest.formats import nmap
from remediator.ingest.formats.base import Head
from remediator.ingest.formats.nmap_nse import NseScript, NseTable, Where, generic_findings
from remediator.ingest.model import EVIDENCE_LIMIT, Finding, HostReport, ScannedHost, Source
from tests.corpus import corpus_path

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "nmap"


def read(relative: str) -> list[HostReport]:
    return list(read_scan(corpus_path(relative)))


def findings(reports: list[HostReport]) -> list[Finding]:
    return [f for r in reports for f in r.findings]


def by_check(reports: list[HostReport], check_id: str) -> list[Finding]:
    return [f for f in findings(reports) if f.check_id == check_id]


# file: (hosts total, hosts up, open services, findings per severity band)
FIGURES: dict[str, tuple[int, int, int, dict[str, int]]] = {
    "nmap/defectdojo_nmap_issue12411.xml": (2, 2, 4, {"info": 4}),
    # 25 port-open + 5 fingerprint-strings + rpcinfo; vulners on 22/tcp tops at CVSS 5.8.
    "nmap/defectdojo_nmap_issue4406.xml": (1, 1, 25, {"info": 31, "medium": 1}),
    "nmap/libnmap_1_hosts_down.xml": (1, 1, 0, {}),
    # 16 port-open + 38 port scripts + 17 host scripts = 71; prescript/postscript are skipped.
    "nmap/libnmap_dionaea_scan.xml": (
        1,
        1,
        16,
        {"info": 65, "medium": 3, "high": 2, "critical": 1},
    ),
    # 12 port-open + 5 http-title + 5 http-methods + 3 ssl-date + vnc-info = 26 info;
    # 3 ssl-cert (1024-bit, self-signed) medium; 3 sslv2 + 3 ssl-known-key high.
    "nmap/libnmap_full_sudo6.xml": (256, 4, 12, {"info": 26, "medium": 3, "high": 6}),
    # 4 port-open + ssh-hostkey + html-title + whois (host) = 7; dns-recursion medium.
    "nmap/nmap_ndiff_complex.xml": (1, 1, 4, {"info": 7, "medium": 1}),
    "nmap/rubynmap_down_host_scan.xml": (1, 0, 0, {}),
    # TLSv1.0, TLSv1.1 and their 3DES weak-cipher findings; the port-open is info.
    "nmap/seccubus_nmap_script_output.xml": (1, 1, 1, {"medium": 4, "info": 1}),
    "nmap/securecodebox_nmap_ftp.xml": (1, 1, 1, {"info": 2, "medium": 1}),
    # 246 down + 5 scanned up hosts + 5 up hosts known only from <hosthint> (see below).
    "nmap/securecodebox_nmap_local_network_verbose.xml": (256, 10, 21, {"info": 21}),
    "nmap/securecodebox_nmap_scanme_ipv6.xml": (1, 1, 3, {"info": 3}),
    "nmap/securecodebox_nmap_service_scan.xml": (1, 1, 2, {"info": 2}),
}


@pytest.mark.parametrize("relative", sorted(FIGURES))
def test_corpus_file_figures(relative: str) -> None:
    total, up, open_services, bands = FIGURES[relative]
    reports = read(relative)
    assert choose_format(corpus_path(relative)).name == "nmap"
    assert len(reports) == total
    assert sum(r.host.state == "up" for r in reports) == up
    assert sum(s.is_open for r in reports for s in r.services) == open_services
    assert Counter(f.severity.label.value for f in findings(reports)) == bands
    opened = sum(f.check_id == PORT_OPEN for f in findings(reports))
    assert opened == open_services


def test_full_sudo6_has_4_up_and_252_down_hosts_with_ssl_problems() -> None:
    reports = read("nmap/libnmap_full_sudo6.xml")
    states = Counter(r.host.state for r in reports)
    assert states == {"up": 4, "down": 252}
    assert all(not r.services and not r.findings for r in reports if r.host.state == "down")
    router = next(r for r in reports if r.host.address == "192.168.1.1")
    assert router.host.os == "Linux 2.6.13 (embedded)"
    telnet = next(s for s in router.services if s.port == 992)
    assert (telnet.name, telnet.product, telnet.tunnel) == ("telnet", "Sagem router telnetd", "ssl")
    certs = by_check(reports, "nmap:ssl-cert")
    assert {f.port for f in certs} == {443, 992, 8443}
    for cert in certs:
        assert cert.certificate is not None
        assert (cert.certificate.key_type, cert.certificate.key_bits) == ("rsa", 1024)
        assert cert.certificate.self_signed is True
        assert cert.certificate.expired is False  # scanned 2014, valid to 2024
        assert "1024-bit RSA key" in cert.title
    sslv2 = by_check(reports, "nmap:sslv2")
    assert len(sslv2) == 3
    assert all(f.severity.score == 7.5 for f in sslv2)
    assert all("SSL2_RC4_128_EXPORT40_WITH_MD5" in f.evidence for f in sslv2)
    assert len(by_check(reports, "nmap:ssl-known-key")) == 3
    assert by_check(reports, "nmap:vnc-info")[0].port == 5900


def test_local_network_verbose_hosts_up_from_hints() -> None:
    """PROVENANCE counts 15 up statuses: 10 in <hosthint>, 5 in <host>.

    Five hinted hosts have no <host> in this (trimmed upstream) file; they are reported
    as up without services, so hosts up is 10, as nmap's own runstats say.
    """
    path = corpus_path("nmap/securecodebox_nmap_local_network_verbose.xml")
    text = path.read_text(encoding="utf-8")
    assert len(re.findall(r'<status state="up"', text)) == 15
    assert '<hosts up="10" down="246" total="256"/>' in text
    reports = read("nmap/securecodebox_nmap_local_network_verbose.xml")
    up = [r for r in reports if r.host.state == "up"]
    scanned = {r.host.address for r in up if r.services}
    assert scanned == {"192.168.178.1", "192.168.178.32", "192.168.178.42", "192.168.178.49"} | {
        "192.168.178.166"
    }
    hinted = {r.host.address for r in up if not r.services}
    assert hinted == {"192.168.178.29", "192.168.178.50", "192.168.178.48"} | {
        "192.168.178.36",
        "192.168.178.56",
    }
    assert sum(r.host.state == "down" for r in reports) == 246
    assert sum(s.is_open for r in reports for s in r.services) == 21
    fritz = next(r for r in reports if r.host.address == "192.168.178.1")
    assert fritz.host.hostnames == ("fritz.box",)


def test_issue4406_has_25_open_tcp_ports_and_vulners_cves() -> None:
    (report,) = read("nmap/defectdojo_nmap_issue4406.xml")
    open_ports = [s for s in report.services if s.is_open]
    assert len(open_ports) == 25
    assert {s.protocol for s in open_ports} == {"tcp"}
    ssh = next(s for s in report.services if s.port == 22)
    assert (ssh.product, ssh.version, ssh.cpes) == (
        "OpenSSH",
        "7.4",
        ("cpe:/a:openbsd:openssh:7.4",),
    )
    assert sum(s.product == "MySQL" and s.version == "5.7.32" for s in report.services) == 7
    assert any(s.product == "Golang net/http server" for s in report.services)
    (vulners,) = by_check([report], "nmap:vulners")
    assert vulners.port == 22
    assert vulners.severity.score == 5.8
    assert vulners.cves[:3] == ("CVE-2019-6111", "CVE-2018-15919", "CVE-2018-15473")
    assert "CVE-2018-20685" in vulners.cves
    assert all(c.startswith("CVE-") for c in vulners.cves)
    assert len(by_check([report], "nmap:fingerprint-strings")) == 5
    assert by_check([report], "nmap:rpcinfo")[0].port == 111


def test_dionaea_services_scripts_and_ssl_cert_facts() -> None:
    (report,) = read("nmap/libnmap_dionaea_scan.xml")
    host = report.host
    assert host.address == "172.28.1.3"  # the MAC address is not an address
    assert host.hostnames == ("dionaea", "dionaea.libnmap-testing_testing_net")
    assert host.os == "Linux 4.15 - 5.6"
    products = {s.port: s.product for s in report.services}
    assert products[1433] == "Microsoft SQL Server 2000"
    assert products[3306] == "MySQL"
    assert products[21] == "Synology DiskStation NAS ftpd"
    source = report.findings[0].source
    assert source.scan_time == datetime.fromtimestamp(1606064948, tz=UTC)  # host starttime
    assert (source.scanner, source.version, source.format) == ("nmap", "7.91", "nmap")

    (cert,) = by_check([report], "nmap:ssl-cert")
    facts = cert.certificate
    assert facts is not None
    assert (cert.protocol, cert.port) == ("tcp", 443)
    assert facts.subject == (
        "commonName=Nepenthes Development Team/countryName=DE/"
        "organizationName=dionaea.carnivore.it/organizationalUnitName=anv"
    )
    assert facts.issuer == facts.subject
    assert facts.self_signed is True
    assert (facts.not_before, facts.not_after) == ("2020-11-22T17:06:58", "2021-11-22T17:06:58")
    assert facts.expired is False  # scanned the day it was made
    assert (facts.key_type, facts.key_bits) == ("rsa", 2048)
    assert facts.signature_algorithm == "md5WithRSAEncryption"
    assert facts.alt_names == ()
    assert cert.severity.label.value == "medium"
    assert "self-signed" in cert.title and "md5WithRSAEncryption" in cert.title

    (ftp,) = by_check([report], "nmap:ftp-anon")
    assert (ftp.port, ftp.severity.score) == (21, 5.3)
    (ms17,) = by_check([report], "nmap:smb-vuln-ms17-010")
    assert (ms17.protocol, ms17.port) == ("ip", 0)  # a host script
    assert ms17.cves == ("CVE-2017-0143",)
    assert ms17.severity.score == 7.5  # "Risk factor: HIGH", no CVSS given
    assert ms17.severity.scanner_label == "VULNERABLE, risk factor HIGH"
    (pulsar,) = by_check([report], "nmap:smb-double-pulsar-backdoor")
    assert pulsar.severity.score == 10.0  # its CVSSv2 score
    (vulners,) = by_check([report], "nmap:vulners")
    assert (vulners.port, vulners.severity.score) == (11211, 7.5)
    assert vulners.cves == (
        "CVE-2016-8705",
        "CVE-2016-8704",
        "CVE-2016-8706",
        "CVE-2018-1000127",
        "CVE-2017-9951",
    )
    (ccs,) = by_check([report], "nmap:ssl-ccs-injection")
    assert ccs.severity.score == 0.0  # "No reply from server (TIMEOUT)"
    (signing,) = by_check([report], "nmap:smb-security-mode")
    assert signing.severity.label.value == "medium"
    assert by_check([report], "nmap:smb-protocols")[0].evidence.endswith(
        "NT LM 0.12 (SMBv1) [dangerous, but default]"
    )
    checks = {f.check_id for f in report.findings}
    assert "nmap:broadcast-ping" not in checks  # <prescript>
    assert "nmap:reverse-index" not in checks  # <postscript>


def test_seccubus_old_text_ssl_enum_ciphers() -> None:
    (report,) = read("nmap/seccubus_nmap_script_output.xml")
    assert report.host.address == "x.x.x.x"  # anonymised upstream: kept as written
    ciphers = (
        ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "strong"),
        ("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "unknown strength"),
        ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "strong"),
        ("TLS_RSA_WITH_AES_128_CBC_SHA", "strong"),
        ("TLS_RSA_WITH_AES_256_CBC_SHA", "unknown strength"),
    )
    for protocol in ("TLSv1.0", "TLSv1.1"):
        (found,) = by_check([report], f"nmap:ssl-enum-ciphers:{protocol}")
        assert found.tls is not None
        assert found.tls.protocol == protocol
        assert tuple((c.name, c.grade) for c in found.tls.ciphers) == ciphers
        assert found.tls.least_grade == "unknown strength"
        assert (found.port, found.severity.score) == (443, 5.0)
        (weak,) = by_check([report], f"nmap:ssl-enum-ciphers:{protocol}:weak-ciphers")
        assert weak.tls is not None
        assert [c.name for c in weak.tls.ciphers] == ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"]
        assert weak.severity.label.value == "medium"
    assert not by_check([report], "nmap:ssl-enum-ciphers")


def test_securecodebox_ftp_anonymous_login_despite_spdx_comment() -> None:
    (report,) = read("nmap/securecodebox_nmap_ftp.xml")
    (ftp,) = by_check([report], "nmap:ftp-anon")
    assert ftp.title == "Anonymous FTP login allowed"
    assert ftp.evidence.startswith("Anonymous FTP login allowed (FTP code 230)")
    assert "PASV IP 127.0.0.1" in ftp.evidence
    assert ftp.severity.label.value == "medium"
    assert ftp.service is not None and ftp.service.name == "ftp"


def test_scanme_ipv6_three_open_ports() -> None:
    (report,) = read("nmap/securecodebox_nmap_scanme_ipv6.xml")
    assert report.host.address == "2600:3c01::f03c:91ff:fe18:bb2f"
    assert report.host.hostnames == ("scanme.nmap.org",)
    assert sorted(s.port for s in report.services if s.is_open) == [22, 80, 31337]


def test_service_scan_nginx_on_80_and_443_with_tunnel_ssl() -> None:
    (report,) = read("nmap/securecodebox_nmap_service_scan.xml")
    assert report.host.hostnames == ("example.com", "static.86.161.13.49.clients.your-server.de")
    web = {s.port: s for s in report.services}
    assert set(web) == {80, 443}
    assert (web[80].product, web[80].tunnel) == ("nginx", "")
    assert (web[443].product, web[443].tunnel) == ("nginx", "ssl")
    assert web[443].cpes == ("cpe:/a:igor_sysoev:nginx",)
    assert report.findings[0].source.version == "7.97"


def test_ndiff_complex_tcp_and_udp() -> None:
    (report,) = read("nmap/nmap_ndiff_complex.xml")
    states = {(s.protocol, s.port): s.state for s in report.services}
    assert states[("udp", 53)] == "open"
    assert states[("tcp", 25)] == states[("tcp", 70)] == "closed"
    assert {(f.protocol, f.port) for f in report.findings if f.check_id == PORT_OPEN} == {
        ("tcp", 22),
        ("tcp", 53),
        ("tcp", 80),
        ("udp", 53),
    }
    (whois,) = by_check([report], "nmap:whois")
    assert (whois.protocol, whois.port, whois.service) == ("ip", 0, None)
    (dns,) = by_check([report], "nmap:dns-recursion")
    assert (dns.protocol, dns.port) == ("udp", 53)
    assert by_check([report], "nmap:html-title")[0].evidence == "Go ahead and ScanMe!"


def test_issue12411_filtered_ports_are_services_not_exposures() -> None:
    reports = read("nmap/defectdojo_nmap_issue12411.xml")
    amazon = next(r for r in reports if r.host.address == "54.239.28.85")
    filtered = sorted(s.port for s in amazon.services if s.state == "filtered")
    assert filtered == [135, 139, 445]
    exposed = sorted(f.port for f in amazon.findings if f.check_id == PORT_OPEN)
    assert exposed == [80, 443]


def test_truncated_file_fails_after_the_hosts_before_the_cut() -> None:
    path = corpus_path("nmap/libnmap_1_hosts_incomplete.xml")
    stream = read_scan(path)
    first = next(stream)
    assert sum(s.is_open for s in first.services) == 5
    with pytest.raises(ScanParseError, match="ends before it is complete") as caught:
        next(stream)
    assert caught.value.file == str(path)
    with pytest.raises(ScanParseError):
        list(read_scan(path))


def test_control_character_is_a_located_error() -> None:
    path = corpus_path("nmap/nmap_zenmap_nmap_output_error.xml")
    with pytest.raises(ScanParseError, match=r"line 14, column \d+: not well-formed"):
        list(read_scan(path))


def test_modern_ssl_enum_ciphers_tables_from_a_real_loopback_scan() -> None:
    (report,) = list(read_scan(FIXTURES / "nmap_tls_loopback.xml"))
    counts = {"TLSv1.0": (16, 6), "TLSv1.1": (16, 6), "TLSv1.2": (56, 12), "TLSv1.3": (3, 0)}
    for protocol, (accepted, weak) in counts.items():
        (found,) = by_check([report], f"nmap:ssl-enum-ciphers:{protocol}")
        assert found.tls is not None
        assert len(found.tls.ciphers) == accepted
        weak_found = by_check([report], f"nmap:ssl-enum-ciphers:{protocol}:weak-ciphers")
        assert len(weak_found) == (1 if weak else 0)
        if weak:
            assert weak_found[0].tls is not None
            assert len(weak_found[0].tls.ciphers) == weak
            assert all("_anon_" in c.name and c.grade == "F" for c in weak_found[0].tls.ciphers)
    scores = {
        f.check_id.split(":")[2]: f.severity.score
        for f in by_check_prefix(report, "nmap:ssl-enum-ciphers:")
        if f.check_id.count(":") == 2
    }
    assert scores == {"TLSv1.0": 5.0, "TLSv1.1": 5.0, "TLSv1.2": 0.0, "TLSv1.3": 0.0}
    (tls13,) = by_check([report], "nmap:ssl-enum-ciphers:TLSv1.3")
    assert tls13.tls is not None and tls13.tls.least_grade == "A"
    assert tls13.tls.ciphers[0].name == "TLS_AKE_WITH_AES_128_GCM_SHA256"
    (cert,) = by_check([report], "nmap:ssl-cert")
    assert cert.certificate is not None
    assert cert.certificate.alt_names == ("shop.example.test", "www.shop.example.test", "127.0.0.1")
    assert cert.certificate.signature_algorithm == "sha256WithRSAEncryption"
    assert (cert.certificate.self_signed, cert.certificate.expired) == (True, False)
    assert cert.title == "TLS certificate: self-signed"


def by_check_prefix(report: HostReport, prefix: str) -> list[Finding]:
    return [f for f in report.findings if f.check_id.startswith(prefix)]


def test_legacy_loopback_scan_expired_weak_certificate() -> None:
    (report,) = list(read_scan(FIXTURES / "nmap_tls_legacy_loopback.xml"))
    (cert,) = by_check([report], "nmap:ssl-cert")
    facts = cert.certificate
    assert facts is not None
    assert facts.expired is True  # valid until 2025-10-01, scanned 2026-11-25
    assert (facts.key_bits, facts.signature_algorithm) == (1024, "sha1WithRSAEncryption")
    assert cert.title == (
        "TLS certificate: self-signed, expired, 1024-bit RSA key, "
        "weak signature sha1WithRSAEncryption"
    )
    protocols = {f.check_id for f in by_check_prefix(report, "nmap:ssl-enum-ciphers:")}
    assert protocols == {
        "nmap:ssl-enum-ciphers:TLSv1.0",
        "nmap:ssl-enum-ciphers:TLSv1.0:weak-ciphers",
    }
    (weak,) = by_check([report], "nmap:ssl-enum-ciphers:TLSv1.0:weak-ciphers")
    assert weak.tls is not None and len(weak.tls.ciphers) == 16  # all capped at F by SHA-1


# -- sniffing ---------------------------------------------------------------------------


def test_sniff_takes_nmap_but_not_masscan_xml() -> None:
    assert nmap.sniff(Head(b'<?xml version="1.0"?>\n<nmaprun scanner="nmap" version="7.93">'))
    assert nmap.sniff(Head(b"<!-- SPDX -->\n<?xml version='1.0'?><nmaprun start='1'>"))
    masscan = b'<?xml version="1.0"?>\r\n<!-- masscan v1.0 scan -->\r\n<nmaprun scanner="masscan">'
    assert not nmap.sniff(Head(masscan))
    assert not nmap.sniff(Head(b'<?xml version="1.0"?><NessusClientData_v2>'))


# -- severity rules on script output ---------------------------------------------------


def _where() -> Where:
    host = ScannedHost("192.0.2.1")
    return Where(host, "tcp", 443, None, Source("nmap", "test.xml", "nmap"))


def test_text_only_vulns_result_uses_its_risk_factor() -> None:
    output = "\n  VULNERABLE:\n  SSL POODLE\n    State: VULNERABLE\n    IDs:  CVE:CVE-2014-3566\n"
    output += "    Risk factor: MEDIUM\n"
    (found,) = generic_findings(NseScript("ssl-poodle", output), _where())
    assert (found.severity.score, found.cves) == (5.0, ("CVE-2014-3566",))


def test_not_vulnerable_state_is_info() -> None:
    table = NseTable("", (), (NseTable("CVE-2014-0224", (("state", "NOT VULNERABLE"),)),))
    (found,) = generic_findings(NseScript("ssl-ccs-injection", "", table), _where())
    assert found.severity.score == 0.0


def test_vulns_table_prefers_cvss_v3_score() -> None:
    scores = NseTable("scores", (("CVSSv2", "5.0 (MEDIUM)"), ("CVSSv3", "7.5 (HIGH)")))
    vuln = NseTable("CVE-2014-0160", (("title", "Heartbleed"), ("state", "VULNERABLE")), (scores,))
    (found,) = generic_findings(
        NseScript("ssl-heartbleed", "", NseTable("", (), (vuln,))), _where()
    )
    assert (found.severity.score, found.title, found.cves) == (
        7.5,
        "Heartbleed",
        ("CVE-2014-0160",),
    )


def test_vulners_text_lines_without_tables() -> None:
    output = "\n  cpe:/a:x:y:1: \n    \tCVE-2020-1938\t9.8\thttps://vulners.com/cve/CVE-2020-1938\n"
    output += "    \tEDB-ID:1\t10.0\thttps://vulners.com/exploitdb/EDB-ID:1\t*EXPLOIT*\n"
    (found,) = generic_findings(NseScript("vulners", output), _where())
    assert (found.severity.score, found.cves) == (10.0, ("CVE-2020-1938",))


# -- hostile and streaming input --------------------------------------------------------

HEADER = '<?xml version="1.0"?>\n<nmaprun scanner="nmap" start="1700000000" version="7.93">\n'


def host_xml(index: int, script_output: str = "") -> str:
    script = f'<script id="banner" output="{script_output}"/>' if script_output else ""
    return (
        f'<host starttime="1700000001"><status state="up"/>'
        f'<address addr="10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}" addrtype="ipv4"/>'
        '<hostnames><hostname name="h.example" type="PTR"/></hostnames><ports>'
        '<port protocol="tcp" portid="22"><state state="open"/>'
        '<service name="ssh" product="OpenSSH"><cpe>cpe:/a:openbsd:openssh</cpe></service></port>'
        '<port protocol="tcp" portid="443"><state state="open"/>'
        f'<service name="https"/>{script}</port>'
        "</ports></host>\n"
    )


def write_scan(path: Path, hosts: int, tail: str = "</nmaprun>\n") -> Path:
    with path.open("w", encoding="utf-8") as stream:
        stream.write(HEADER)
        for index in range(hosts):
            stream.write(host_xml(index))
        stream.write(tail)
    return path


def test_hosts_stream_out_before_a_fault_late_in_the_file(tmp_path: Path) -> None:
    path = write_scan(tmp_path / "late_fault.xml", 20_000, tail="<host><oops></host>\n")
    assert path.stat().st_size > 4 << 20  # several read chunks
    seen = 0
    with pytest.raises(ScanParseError, match="mismatched tag"):
        for report in nmap.parse(path, str(path)):
            seen += 1
            assert report.host.state == "up"
    assert seen == 20_000


def test_peak_memory_does_not_grow_with_hosts(tmp_path: Path) -> None:
    def peak(hosts: int) -> int:
        path = write_scan(tmp_path / f"flat_{hosts}.xml", hosts)
        tracemalloc.start()
        count = sum(1 for _ in nmap.parse(path, str(path)))
        _now, high = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == hosts
        return high

    small, big = peak(5_000), peak(20_000)  # 2 and 8 MB: both span several read chunks
    assert big < small * 1.2, (small, big)


def test_source_time_falls_back_to_the_run_start(tmp_path: Path) -> None:
    path = tmp_path / "no_starttime.xml"
    path.write_text(HEADER + host_xml(1).replace(' starttime="1700000001"', "") + "</nmaprun>")
    (report,) = list(nmap.parse(path, "display-name"))
    source = report.findings[0].source
    assert source.scan_time == datetime.fromtimestamp(1700000000, tz=UTC)
    assert source.file == "display-name"


def test_huge_script_output_is_clipped(tmp_path: Path) -> None:
    path = tmp_path / "big_banner.xml"
    path.write_text(HEADER + host_xml(1, "A" * 200_000) + "</nmaprun>")
    (report,) = list(nmap.parse(path, str(path)))
    (banner,) = by_check([report], "nmap:banner")
    assert len(banner.evidence) < EVIDENCE_LIMIT + 100
    assert banner.evidence.endswith("more characters cut]")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            '<host><address addr="10.0.0.1" addrtype="ipv4"/><ports>'
            '<port protocol="tcp" portid="7x"/></ports></host>',
            "port number '7x' is not 0-65535",
        ),
        (
            '<host><address addr="10.0.0.1" addrtype="ipv4"/><ports><port protocol="tcp" '
            'portid="70000"/></ports></host>',
            "port number '70000' is not 0-65535",
        ),
        ('<host><address addr="00:11:22:33:44:55" addrtype="mac"/></host>', "no IPv4 or IPv6"),
    ],
)
def test_bad_records_are_located_errors(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(HEADER + body + "\n</nmaprun>\n")
    with pytest.raises(ScanParseError, match=r"line 3, column \d+: ") as caught:
        list(read_scan(path))
    assert problem in str(caught.value)


def test_not_nmap_root_with_forced_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?><report><host/></report>')
    with pytest.raises(ScanParseError, match="not nmap XML output"):
        list(read_scan(path, "nmap"))
    empty = tmp_path / "empty_report.xml"
    empty.write_text('<?xml version="1.0"?><report/>')
    with pytest.raises(ScanParseError, match="no <nmaprun> element"):
        list(read_scan(empty, "nmap"))


def test_host_address_is_normalized(tmp_path: Path) -> None:
    path = tmp_path / "v6.xml"
    body = '<host><status state="up"/><address addr="2001:DB8:0:0::1" addrtype="ipv6"/></host>'
    path.write_text(HEADER + body + "</nmaprun>")
    (report,) = list(read_scan(path))
    assert report.host.address == "2001:db8::1"
    assert report.services == () and report.findings == ()


def test_deeply_nested_nse_tables_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "nested.xml"
    tables = "<table>" * 5_000 + "</table>" * 5_000
    body = host_xml(1).replace(
        '<service name="https"/>',
        f'<service name="https"/><script id="x" output="">{tables}</script>',
    )
    path.write_text(HEADER + body + "</nmaprun>")
    with pytest.raises(ScanParseError, match="nested deeper than 64 tables"):
        list(read_scan(path))


@pytest.mark.timeout(20)
def test_pathological_script_text_is_read_in_linear_time(tmp_path: Path) -> None:
    """Long whitespace runs in the text forms must not make the text parsers backtrack."""
    spaces = " " * 300_000
    outputs = {
        "ssl-cert": f"Subject: x{spaces}y&#xa;Issuer: x{spaces}y",
        "ssl-enum-ciphers": f"&#xa;  TLSv1.0&#xa;    Ciphers (1)&#xa;      TLS_A - x{spaces}y&#xa;",
        "smb-vuln-x": f"&#xa;    State: VULNERABLE{spaces}x&#xa;",
    }
    for script, output in outputs.items():
        path = tmp_path / f"{script}.xml"
        body = host_xml(1).replace(
            '<service name="https"/>',
            f'<service name="https"/><script id="{script}" output="{output}"/>',
        )
        path.write_text(HEADER + body + "</nmaprun>")
        (report,) = list(read_scan(path))
        assert any(f.check_id.startswith(f"nmap:{script}") for f in report.findings)


@pytest.mark.timeout(5)
def test_root_scanner_sniffing_is_bounded() -> None:
    """Thousands of '<nmaprun' in a head must not make the attribute search quadratic."""
    junk = b"<!-- " + b"<nmaprun " * 8_000 + b" -->\n"
    assert (
        nmap.root_scanner(Head(b'<?xml version="1.0"?>\n<nmaprun scanner="masscan">')) == "masscan"
    )
    assert nmap.sniff(Head(b'<?xml version="1.0"?>\n' + junk + b'<nmaprun scanner="nmap">'))


def test_out_of_range_cvss_text_is_ignored() -> None:
    output = "\n    State: VULNERABLE\n    Risk factor: LOW  CVSSv2: 99.0\n"
    (found,) = generic_findings(NseScript("smb-vuln-x", output), _where())
    assert found.severity.score == 2.0  # the risk factor; 99.0 is no CVSS score


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("port_body", "problem"),
    [
        ('<service name="https">' + "<cpe>cpe:/a:x</cpe>" * 100_000 + "</service>", "64 <cpe>"),
        ('<service name="https"/>' + '<script id="banner" output="x"/>' * 100_000, "1024 <script>"),
    ],
)
def test_absurd_repeats_on_one_port_are_refused(
    tmp_path: Path, port_body: str, problem: str
) -> None:
    path = tmp_path / "repeats.xml"
    body = host_xml(1).replace('<service name="https"/>', port_body)
    path.write_text(HEADER + body + "</nmaprun>")
    with pytest.raises(ScanParseError, match=f"more than {problem}"):
        list(read_scan(path))
