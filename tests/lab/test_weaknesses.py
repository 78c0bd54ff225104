"""Every planted weakness is real: proven by using it from the controller, over v4 and v6.

Read-only: nothing here changes a host.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .helpers import Lab

pytestmark = pytest.mark.lab

FAMILIES = pytest.mark.parametrize("ipv6", [False, True], ids=["v4", "v6"])

# (host, port, STARTTLS protocol or "" for TLS from the first byte)
WEAK_TLS = [
    ("web", "443", ""),
    ("web", "8443", ""),
    ("mail", "25", "smtp"),
    ("mail", "587", "smtp"),
    ("mail", "143", "imap"),
    ("mail", "993", ""),
    ("mail", "110", "pop3"),
    ("mail", "995", ""),
]


def _probe(lab: Lab, *args: str) -> dict[str, Any]:
    done = lab.probe(*args)
    result: dict[str, Any] = json.loads(done.stdout)
    assert done.returncode == 0, result
    return result


@FAMILIES
@pytest.mark.parametrize(("host", "port", "starttls"), WEAK_TLS)
def test_tls_1_0_and_1_1_handshakes_succeed(
    lab: Lab, host: str, port: str, starttls: str, ipv6: bool
) -> None:
    address = lab.address(host, ipv6)
    for version, name in (("TLSv1", "TLSv1"), ("TLSv1_1", "TLSv1.1")):
        result = _probe(lab, "tls", address, port, version, starttls)
        assert result["version"] == name


@FAMILIES
def test_the_clean_host_refuses_tls_1_0_and_1_1_but_speaks_1_2(lab: Lab, ipv6: bool) -> None:
    address = lab.address("clean", ipv6)
    for version in ("TLSv1", "TLSv1_1"):
        done = lab.probe("tls", address, "443", version)
        assert done.returncode == 1
        assert "SSL" in json.loads(done.stdout)["error"]
    assert _probe(lab, "tls", address, "443", "TLSv1_2")["version"] == "TLSv1.2"
    assert _probe(lab, "tls", address, "443", "TLSv1_3")["version"] == "TLSv1.3"


@FAMILIES
def test_anonymous_ftp_login_works(lab: Lab, ipv6: bool) -> None:
    result = _probe(lab, "ftp-anonymous", lab.address("legacy", ipv6))
    assert result["welcome"].startswith("230")
    assert result["files"] == ["pub/README"]
    assert "Price list" in result["readme"]


@FAMILIES
def test_telnet_answers_with_option_negotiation(lab: Lab, ipv6: bool) -> None:
    result = _probe(lab, "banner", lab.address("legacy", ipv6), "23")
    assert result["hex"].startswith("ff")  # IAC: a telnet server negotiating options


@FAMILIES
def test_snmp_v2c_public_answers(lab: Lab, ipv6: bool) -> None:
    address = lab.address("legacy", ipv6)
    target = f"udp6:[{address}]:161" if ipv6 else f"udp:{address}:161"
    done = lab.in_controller(
        [
            "snmpget",
            "-v2c",
            "-c",
            "public",
            "-t",
            "3",
            "-r",
            "1",
            "-On",
            target,
            "1.3.6.1.2.1.1.5.0",
        ]
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '.1.3.6.1.2.1.1.5.0 = STRING: "legacy"'


@FAMILIES
def test_rpcbind_answers_on_its_socket(lab: Lab, ipv6: bool) -> None:
    assert _probe(lab, "connect", lab.address("legacy", ipv6), "111")["open"] is True
    enabled = lab.ssh("legacy", "systemctl", "is-enabled", "rpcbind.socket", "rpcbind.service")
    assert enabled.stdout.split() == ["enabled", "disabled"]  # started by its socket only


@FAMILIES
def test_redis_answers_ping_without_auth(lab: Lab, ipv6: bool) -> None:
    result = _probe(lab, "banner", lab.address("cache", ipv6), "6379", "PING\\r\\n")
    assert result["text"] == "+PONG\r\n"


@FAMILIES
def test_memcached_answers_over_tcp_and_udp(lab: Lab, ipv6: bool) -> None:
    address = lab.address("cache", ipv6)
    tcp = _probe(lab, "banner", address, "11211", "version\\r\\n")
    assert tcp["text"].startswith("VERSION 1.6")
    udp = _probe(lab, "memcached-udp", address)
    assert udp["text"].startswith("VERSION 1.6")


@FAMILIES
def test_the_socket_activated_echo_service_answers(lab: Lab, ipv6: bool) -> None:
    result = _probe(lab, "banner", lab.address("cache", ipv6), "7", "hello lab\\n")
    assert result["text"] == "hello lab\n"
    accept = lab.ssh("cache", "systemctl", "show", "-p", "Accept", "lab-echo.socket")
    assert accept.stdout.strip() == "Accept=yes"


def test_mariadb_greets_the_controller_on_all_ipv4_addresses(lab: Lab) -> None:
    greeting = _probe(lab, "banner", lab.address("web"), "3306")
    assert "MariaDB" in greeting["text"]
    listening = lab.ssh("web", "ss", "-Htln", "sport", "=", ":3306")
    assert listening.stdout.split()[3] == "0.0.0.0:3306"


@FAMILIES
@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_dovecot_accepts_a_plaintext_login_over_cleartext(
    lab: Lab, protocol: str, ipv6: bool
) -> None:
    address = lab.address("mail", ipv6)
    result = _probe(lab, "login", address, protocol, "alice", "alice-lab-password")
    assert result["ok"] is True, result


@FAMILIES
def test_the_clean_host_exposes_only_ssh_and_https(lab: Lab, ipv6: bool) -> None:
    listening = lab.ssh("clean", "ss", "-Htlnu")
    ports = {line.split()[4].rsplit(":", 1)[1] for line in listening.stdout.splitlines()}
    assert ports == {"22", "443"}
    address = lab.address("clean", ipv6)
    assert _probe(lab, "connect", address, "443")["open"] is True
