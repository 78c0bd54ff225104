"""``lab scan`` sees every planted service with the right product, over v4 and v6.

The scan is the session's ``lab_scan`` (the real CLI handler, about two minutes, shared
with other lab tests) read back with remediator's own ingest, the way a user's scan would be.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.errors import RefusedError
from remediator.ingest.model import HostReport
from remediator.ingest.reader import read_scan
from remediator.lab.scan import nmap_argv

from .helpers import Lab, LabScan

pytestmark = pytest.mark.lab

# (host, protocol, port) -> (nmap service name, product); "" = nmap names no product.
EXPECTED = {
    ("legacy", "tcp", 21): ("ftp", "vsftpd"),
    ("legacy", "tcp", 22): ("ssh", "OpenSSH"),
    ("legacy", "tcp", 23): ("telnet", ""),
    ("legacy", "tcp", 111): ("rpcbind", ""),
    ("legacy", "udp", 111): ("rpcbind", ""),
    ("legacy", "udp", 161): ("snmp", "SNMPv1 server; net-snmp SNMPv3 server"),
    ("legacy", "tcp", 3306): ("mysql", "MySQL"),
    ("web", "tcp", 22): ("ssh", "OpenSSH"),
    ("web", "tcp", 80): ("http", "nginx"),
    ("web", "tcp", 443): ("http", "nginx"),
    ("web", "tcp", 3306): ("mysql", "MySQL"),
    ("web", "tcp", 8443): ("http", "Apache httpd"),
    ("mail", "tcp", 22): ("ssh", "OpenSSH"),
    ("mail", "tcp", 25): ("smtp", "Postfix smtpd"),
    ("mail", "tcp", 110): ("pop3", "Dovecot pop3d"),
    ("mail", "tcp", 143): ("imap", "Dovecot imapd"),
    ("mail", "tcp", 587): ("smtp", "Postfix smtpd"),
    ("mail", "tcp", 993): ("imap", "Dovecot imapd"),
    ("mail", "tcp", 995): ("pop3", "Dovecot pop3d"),
    ("cache", "tcp", 7): ("echo", ""),
    ("cache", "tcp", 22): ("ssh", "OpenSSH"),
    ("cache", "tcp", 6379): ("redis", "Redis key-value store"),
    ("cache", "tcp", 11211): ("memcached", "Memcached"),
    ("cache", "udp", 11211): ("memcache", ""),
    ("clean", "tcp", 22): ("ssh", "OpenSSH"),
    ("clean", "tcp", 443): ("http", "nginx"),
}
V4_ONLY = {("web", "tcp", 3306), ("legacy", "tcp", 3306)}  # MariaDB bound to 0.0.0.0, as planted
TLS_1_0 = {
    ("web", 443),
    ("web", 8443),
    ("mail", 25),
    ("mail", 587),
    ("mail", 110),
    ("mail", 143),
    ("mail", 993),
    ("mail", 995),
}


@pytest.fixture(scope="module")
def scanned(lab_scan: LabScan) -> dict[str, HostReport]:
    reports = [*read_scan(lab_scan.v4), *read_scan(lab_scan.v6)]
    return {report.host.address: report for report in reports}


def test_every_planted_service_is_seen_with_its_product(
    lab: Lab, scanned: dict[str, HostReport]
) -> None:
    for host in lab.config.hosts:
        for address, ipv6 in ((str(host.address4), False), (str(host.address6), True)):
            seen = {
                (s.protocol, s.port): (s.name, s.product)
                for s in scanned[address].services
                if s.state == "open"
            }
            expected = {
                (proto, port): service
                for (name, proto, port), service in EXPECTED.items()
                if name == host.name and not (ipv6 and (name, proto, port) in V4_ONLY)
            }
            assert seen == expected, address


def test_weak_tls_is_reported_on_every_tls_and_starttls_port(
    lab: Lab, scanned: dict[str, HostReport]
) -> None:
    for host in lab.config.hosts:
        for address in host.addresses:
            weak = {
                f.port
                for f in scanned[address].findings
                if f.check_id == "nmap:ssl-enum-ciphers:TLSv1.0"
            }
            assert weak == {port for name, port in TLS_1_0 if name == host.name}, address


def test_every_tls_port_has_its_certificate_read(lab: Lab, scanned: dict[str, HostReport]) -> None:
    for host in lab.config.hosts:
        certified = {
            f.port for f in scanned[str(host.address4)].findings if f.check_id == "nmap:ssl-cert"
        }
        expected = {port for name, port in TLS_1_0 if name == host.name}
        if host.name == "clean":
            expected = {443}
        assert certified == expected, host.name


def test_the_scan_refuses_any_target_outside_the_lab(lab: Lab, tmp_path: Path) -> None:
    output = tmp_path / "x.xml"
    for outsider in ("198.51.100.7", str(lab.config.controller4), "10.213.0.99"):
        with pytest.raises(RefusedError, match="non-lab"):
            nmap_argv(lab.config, [lab.address("web"), outsider], output)
    argv = nmap_argv(lab.config, [lab.address("web", ipv6=True)], output)
    assert argv[:4] == ["ip", "netns", "exec", lab.config.controller_ns]
    assert "-6" in argv
