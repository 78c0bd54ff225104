"""tls on lab hosts: nginx and Apache (web), Postfix and Dovecot (mail, STARTTLS
included), vsftpd (legacy: TLS off and anonymous on until the role runs).

One module-scoped scenario: scan the weak daemons, try a cipher list nginx rejects (the
old configuration and the running daemon must stay), check mode on the fresh hosts,
converge, scan again, converge again.

Every daemon serves IPv6 too, and every check is made over both addresses of the host:
a scanner (or an attacker) reaching the IPv6 listener must find it as strong as the
IPv4 one. So that this means something for nginx, web's site is first split the way
many sites are written, one server block per family, each with its own (weak) TLS
settings (:data:`SPLIT_SITE`): a role that fixed only the server block of the scanned
IPv4 address would leave the IPv6 one weak, and the IPv6 checks catch it.
"""

from __future__ import annotations

import hashlib
import shlex
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from remediator.lab.config import Host, LabConfig
from tests.lab.helpers import Lab
from tests.lab.roles.conftest import record
from tests.lab.roles.harness import (
    RoleRun,
    Runner,
    TlsScan,
    ftp_logins,
    name_of,
    on_host,
    ssl_enum,
    tls_handshake,
)

pytestmark = pytest.mark.lab
LAB_RESET_HOSTS = ("web", "mail", "legacy")

PORTS = {"web": (443, 8443), "mail": (25, 587, 110, 143, 993, 995), "legacy": (21,)}
STARTTLS = {21: "ftp", 25: "smtp", 587: "smtp", 110: "pop3", 143: "imap"}
NGINX_FILES = ("/etc/nginx/nginx.conf", "/etc/nginx/sites-available/default")
FAMILIES = ("ipv4", "ipv6")

SPLIT_SITE = """\
# remediator lab (web), as tests/lab/roles/test_tls.py splits it: one server block per
# address family, each with TLS settings of its own, as weak as the lab's.
server {
    listen 80 default_server;
    listen 443 ssl default_server;
    server_name web.lab;
    ssl_certificate /etc/ssl/lab/server.crt;
    ssl_certificate_key /etc/ssl/lab/server.key;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers ALL:!aNULL:!eNULL:@SECLEVEL=0;
    ssl_prefer_server_ciphers off;
    root /var/www/html;
    index index.html index.nginx-debian.html;
}

server {
    listen [::]:80 default_server;
    listen [::]:443 ssl default_server;
    server_name web.lab;
    ssl_certificate /etc/ssl/lab/server.crt;
    ssl_certificate_key /etc/ssl/lab/server.key;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers ALL:!aNULL:!eNULL:@SECLEVEL=0;
    ssl_prefer_server_ciphers off;
    root /var/www/html;
    index index.html index.nginx-debian.html;
}
"""
WRITE_FILE = "import sys; open(sys.argv[1], 'w').write(sys.argv[2])"


def host_vars(config: LabConfig) -> dict[str, dict[str, Any]]:
    def key(name: str, port: int) -> str:
        return f"{config.host(name).address4}/tcp/{port}/nmap:ssl-enum-ciphers"

    return {
        name_of(config.host("web")): {
            "tls_items": [
                {"key": key("web", 443), "reason": "TLS 1.0/1.1, weak ciphers", "daemon": "nginx"},
                {
                    "key": key("web", 8443),
                    "reason": "TLS 1.0/1.1, weak ciphers",
                    "daemon": "apache2",
                },
            ]
        },
        name_of(config.host("mail")): {
            "tls_items": [
                {"key": key("mail", 25), "reason": "TLS 1.0 on SMTP", "daemon": "postfix"},
                {
                    "key": key("mail", 993),
                    "reason": "TLS 1.0 on IMAP/POP3",
                    "daemon": "dovecot",
                    "require_tls": True,
                },
            ]
        },
        name_of(config.host("legacy")): {
            "tls_items": [
                {
                    "key": key("legacy", 21),
                    "reason": "cleartext FTP logins",
                    "daemon": "vsftpd",
                    "force_tls": True,
                    "disable_anonymous": True,
                }
            ],
            "tls_self_signed_if_missing": True,
        },
    }


Where = tuple[str, str, int]
"""(family, host name, port): one listener of a daemon."""


def address(host: Host, family: str) -> str:
    return str(host.address6 if family == "ipv6" else host.address4)


def scans(config: LabConfig, hosts: dict[str, Host]) -> dict[Where, TlsScan]:
    """ssl-enum-ciphers on every TLS port over both families, all hosts scanned at once."""
    targets = [(family, name) for family in FAMILIES for name in PORTS]
    with ThreadPoolExecutor(len(targets)) as pool:
        found = pool.map(
            lambda t: (t, ssl_enum(config, address(hosts[t[1]], t[0]), PORTS[t[1]])), targets
        )
        return {
            (family, name, port): scan
            for (family, name), by_port in found
            for port, scan in by_port.items()
        }


def handshakes(config: LabConfig, hosts: dict[str, Host], version: str) -> dict[Where, bool]:
    return {
        (family, name, port): tls_handshake(
            config, address(hosts[name], family), port, version, STARTTLS.get(port)
        )
        for family in FAMILIES
        for name, ports in PORTS.items()
        for port in ports
    }


def split_nginx_site(config: LabConfig, web: Host) -> None:
    """Give nginx one server block per address family (:data:`SPLIT_SITE`), reloaded."""
    path = "/etc/nginx/sites-available/default"
    on_host(config, web, [shlex.join(["python3", "-c", WRITE_FILE, path, SPLIT_SITE])])
    on_host(config, web, ["nginx", "-t"])
    on_host(config, web, ["systemctl", "reload", "nginx"])


def nginx_state(config: LabConfig, web: Host) -> tuple[str, str]:
    """Digest of nginx's files and its main PID: both must survive a rejected change."""
    text = "".join(on_host(config, web, ["cat", path]).stdout for path in NGINX_FILES)
    pid = on_host(config, web, ["systemctl", "show", "-p", "MainPID", "--value", "nginx"])
    return hashlib.sha256(text.encode()).hexdigest(), pid.stdout.strip()


@dataclass(frozen=True)
class Scenario:
    hosts: dict[str, Host]
    tls10_before: dict[Where, bool]
    ftp_before: dict[str, str]
    nginx_before: tuple[str, str]
    rejected: RoleRun
    nginx_after_rejection: tuple[str, str]
    tls10_after_rejection: bool
    check: RoleRun
    converge: RoleRun
    after: dict[Where, TlsScan]
    tls10_after: dict[Where, bool]
    tls12_after: dict[Where, bool]
    ftp_after: dict[str, dict[str, str]]
    """family -> what a cleartext login says over that family's address"""
    again: RoleRun


@pytest.fixture(scope="module")
def scenario(pristine_role_lab: Lab, runner: Runner) -> Scenario:
    role_lab = pristine_role_lab.config
    hosts = {name: role_lab.host(name) for name in PORTS}
    wanted = host_vars(role_lab)
    split_nginx_site(role_lab, hosts["web"])
    tls10_before = handshakes(role_lab, hosts, "tls1")
    ftp_before = ftp_logins(role_lab, str(hosts["legacy"].address4))
    nginx_before = nginx_state(role_lab, hosts["web"])
    web = name_of(hosts["web"])
    bad = {web: {"tls_items": wanted[web]["tls_items"][:1]}}
    rejected = runner.run("tls", bad, extra_vars={"tls_ciphers": ["NOT-A-CIPHER"]})
    nginx_after_rejection = nginx_state(role_lab, hosts["web"])
    tls10_after_rejection = tls_handshake(role_lab, str(hosts["web"].address4), 443, "tls1")
    check = runner.run("tls", wanted, check=True)
    converge = runner.run("tls", wanted)
    for stage, run in (("rejected", rejected), ("check", check), ("converge", converge)):
        record(f"tls {stage}", run.seconds)
    return Scenario(
        hosts,
        tls10_before,
        ftp_before,
        nginx_before,
        rejected,
        nginx_after_rejection,
        tls10_after_rejection,
        check,
        converge,
        scans(role_lab, hosts),
        handshakes(role_lab, hosts, "tls1"),
        handshakes(role_lab, hosts, "tls1_2"),
        {family: ftp_logins(role_lab, address(hosts["legacy"], family)) for family in FAMILIES},
        runner.run("tls", wanted),
    )


ALL_PORTS = [
    (family, name, port) for family in FAMILIES for name, ports in PORTS.items() for port in ports
]


@pytest.mark.parametrize(("family", "name", "port"), ALL_PORTS)
def test_weak_tls_or_cleartext_before(
    scenario: Scenario, family: str, name: str, port: int
) -> None:
    """A TLS 1.0 handshake (the PCI automatic failure) works everywhere, over IPv4 and
    IPv6; vsftpd has no TLS at all yet, so even that fails there (the weakness is the
    cleartext login)."""
    assert scenario.tls10_before[(family, name, port)] == (name != "legacy")


def test_cleartext_ftp_logins_before(scenario: Scenario) -> None:
    assert scenario.ftp_before["anonymous"].startswith("230"), scenario.ftp_before


def test_rejected_configuration_leaves_nginx_untouched(scenario: Scenario) -> None:
    host = name_of(scenario.hosts["web"])
    assert scenario.rejected.rc != 0
    messages = " ".join(scenario.rejected.failures(host))
    assert "rejected the new TLS configuration" in messages, messages
    assert "Reload nginx" not in scenario.rejected.changed_tasks(host)
    assert scenario.nginx_after_rejection == scenario.nginx_before
    assert scenario.tls10_after_rejection  # the old configuration is still the one served


def test_check_mode_reports_exactly_what_converge_changes(scenario: Scenario) -> None:
    assert scenario.check.rc == 0, scenario.check.stdout[-4000:]
    assert scenario.converge.rc == 0, scenario.converge.stdout[-4000:]
    for host in scenario.hosts.values():
        predicted = scenario.check.changed_tasks(name_of(host))
        assert predicted, host.name
        assert predicted == scenario.converge.changed_tasks(name_of(host)), host.name


@pytest.mark.parametrize(("family", "name", "port"), ALL_PORTS)
def test_only_tls12_and_up_with_strong_ciphers_after(
    scenario: Scenario, family: str, name: str, port: int
) -> None:
    where = (family, name, port)
    scan = scenario.after[where]
    assert scan.protocols, scan.text
    assert scan.protocols <= {"TLSv1.2", "TLSv1.3"}, scan.text
    assert scan.least_strength == "A", scan.text
    assert not scenario.tls10_after[where]
    assert scenario.tls12_after[where], "a TLS 1.2 handshake must still work"


@pytest.mark.parametrize("family", FAMILIES)
def test_ftp_logins_need_tls_and_anonymous_is_off(scenario: Scenario, family: str) -> None:
    answers = scenario.ftp_after[family]
    assert not answers["anonymous"].startswith("230"), answers
    assert "encryption" in answers["root"], answers


def test_second_converge_changes_nothing(scenario: Scenario) -> None:
    assert scenario.again.rc == 0, scenario.again.stdout[-3000:]
    for host in scenario.hosts.values():
        assert scenario.again.changed_count(name_of(host)) == 0, host.name
