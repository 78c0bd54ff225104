"""The catalog: loads and validates, names services and kinds the same across scanners."""

from __future__ import annotations

import copy
from importlib import resources

import jsonschema
import pytest
import yaml

from remediator.classify.catalog import CatalogError
from remediator.classify.catalog_load import build_catalog, load_catalog
from remediator.classify.identify import classify_kind, identify_service
from remediator.common.documents import schema_document
from remediator.ingest.model import Service
from tests.unit.classify.helpers import corpus_finding


def raw_catalog() -> dict[str, object]:
    text = resources.files("remediator.classify").joinpath("catalog.yml").read_text("utf-8")
    data: dict[str, object] = yaml.safe_load(text)
    return data


def catalog_schema() -> dict[str, object]:
    return schema_document("catalog")


def test_catalog_loads_and_matches_its_schema() -> None:
    jsonschema.Draft202012Validator(catalog_schema()).validate(raw_catalog())
    catalog = load_catalog()
    assert catalog.weak_protocols == {"SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1"}
    assert catalog.kind("tls-protocol:TLSv1.0").auto_fail
    assert not catalog.kind("tls-protocol:TLSv1.1").auto_fail  # reference 2.3: not alone
    assert catalog.services["mysql"].asv_auto_fail
    assert catalog.kind("no-such-kind").id == "other"


def test_schema_rejects_a_malformed_port() -> None:
    data = copy.deepcopy(raw_catalog())
    data["services"][0]["ports"] = ["23/tpc"]  # type: ignore[index]
    with pytest.raises(jsonschema.ValidationError, match="23/tpc"):
        jsonschema.Draft202012Validator(catalog_schema()).validate(data)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["checks"].append({"check": "x:1", "kind": "nope"}), "unknown kind 'nope'"),
        (lambda d: d["services"][1].update(needs=["ghost"]), "needs unknown service 'ghost'"),
        (lambda d: d["services"][1].update(ports=["22/tcp"]), "22/tcp is listed by both"),
    ],
)
def test_broken_cross_references_are_refused(change: object, problem: str) -> None:
    data = copy.deepcopy(raw_catalog())
    change(data)  # type: ignore[operator]
    with pytest.raises(CatalogError, match=problem):
        build_catalog(data)  # type: ignore[arg-type]


def test_every_service_can_be_found_by_its_ports_and_names() -> None:
    catalog = load_catalog()
    for entry in catalog.services.values():
        for protocol, port in entry.ports:
            assert catalog.by_port(protocol, port) is entry
        for name in entry.names:
            assert catalog.by_name(name) is not None


@pytest.mark.parametrize(
    ("protocol", "port", "name", "product", "tunnel", "expected"),
    [
        ("tcp", 2222, "ssh", "OpenSSH", "", "ssh"),
        ("tcp", 8080, "http", "", "", "http-alt"),
        ("tcp", 8443, "http", "", "ssl", "https-alt"),
        ("tcp", 443, "http", "nginx", "ssl", "https"),
        ("tcp", 9200, "http", "Elasticsearch REST API", "", "elasticsearch"),
        ("tcp", 587, "smtp", "Postfix smtpd", "", "submission"),
        ("tcp", 995, "pop3", "Dovecot pop3d", "ssl", "pop3s"),
        ("tcp", 3389, "msrdp", "", "", "rdp"),
        ("tcp", 139, "smb", "", "", "netbios-ssn"),
        ("udp", 111, "rpc-portmapper", "", "", "rpcbind"),
        ("tcp", 514, "shell?", "", "", "rsh"),
        ("udp", 514, "syslog", "", "", "syslog"),
        ("tcp", 42, "tcpwrapped", "", "", None),
        ("tcp", 30367, "mysql", "MySQL", "", "mysql"),
    ],
)
def test_services_are_identified_by_product_name_then_port(  # noqa: PLR0917 - one per column
    protocol: str, port: int, name: str, product: str, tunnel: str, expected: str | None
) -> None:
    service = Service("192.0.2.1", protocol, port, name=name, product=product, tunnel=tunnel)
    found = identify_service(load_catalog(), protocol, port, service)
    assert (found.name if found else None) == expected


def test_daemons_and_protocols_are_recognised() -> None:
    catalog = load_catalog()
    assert catalog.daemon_for("nginx 1.22.1").name == "nginx"  # type: ignore[union-attr]
    assert catalog.daemon_for("Apache httpd 2.4.57").name == "apache2"  # type: ignore[union-attr]
    assert catalog.daemon_for("Apache Tomcat/Coyote JSP engine") is None
    assert catalog.canonical_protocol("TLSv1") == "TLSv1.0"
    assert catalog.canonical_protocol("tls1_1") == "TLSv1.1"
    assert catalog.canonical_protocol("SSL 3.0") == "SSLv3"
    assert catalog.canonical_protocol("QUIC") is None


SAME_WEAKNESS = [
    # TLS 1.0 as nmap, sslyze, Qualys and Greenbone report it: one kind, so a rescan with
    # any of them can confirm a fix reported by another.
    (
        "nmap/seccubus_nmap_script_output.xml",
        "x.x.x.x/tcp/443/nmap:ssl-enum-ciphers:TLSv1.0",
        "tls-protocol:TLSv1.0",
    ),
    (
        "other/securecodebox_sslyze_tls_v1_0_badssl.json",
        "104.154.89.105/tcp/1010/sslyze:protocol:TLSv1.0",
        "tls-protocol:TLSv1.0",
    ),
    (
        "qualys/defectdojo_qualys_sample_report.xml",
        "64.41.200.250/tcp/443/qualys:38628",
        "tls-protocol:TLSv1.0",
    ),
    (
        "openvas/defectdojo_openvas_many_vuln.xml",
        "192.168.1.1001/tcp/5432/openvas:1.3.6.1.4.1.25623.1.0.117274",
        "tls-protocol:TLSv1.0",
    ),
    # SSLv2 from nmap, Nessus (by title: the plugin's name changed across revisions), Nexpose
    ("nmap/libnmap_full_sudo6.xml", "192.168.1.1/tcp/443/nmap:sslv2", "tls-protocol:SSLv2"),
    ("nessus/rubynessus_example_v3.nessus", "10.0.0.1/tcp/25/nessus:20007", "tls-protocol:SSLv2"),
    (
        "other/defectdojo_nexpose_many_vulns.xml",
        "192.168.1.33/tcp/443/nexpose:sslv2-and-up-enabled",
        "tls-protocol:SSLv2",
    ),
    # weak ciphers
    (
        "nmap/seccubus_nmap_script_output.xml",
        "x.x.x.x/tcp/443/nmap:ssl-enum-ciphers:TLSv1.0:weak-ciphers",
        "weak-cipher",
    ),
    ("nessus/rubynessus_example_v3.nessus", "10.0.0.1/tcp/25/nessus:42873", "weak-cipher"),
    (
        "qualys/defectdojo_qualys_sample_report.xml",
        "64.41.200.250/tcp/443/qualys:38601",
        "weak-cipher",
    ),
    (
        "openvas/dradis_openvas_report_v7.xml",
        "10.10.10.10/tcp/443/openvas:1.3.6.1.4.1.25623.1.0.103440",
        "weak-cipher",
    ),
    # certificates
    ("nmap/libnmap_dionaea_scan.xml", "172.28.1.3/tcp/443/nmap:ssl-cert", "certificate"),
    ("nessus/rubynessus_example_v3.nessus", "10.0.0.1/tcp/25/nessus:57582", "certificate"),
    (
        "other/defectdojo_sslscan_many_vuln.xml",
        "www.target.com/tcp/443/sslscan:certificate:expired",
        "certificate",
    ),
    # cleartext logins
    ("nessus/rubynessus_example_v3.nessus", "10.0.0.1/tcp/23/nessus:42263", "cleartext-service"),
    (
        "openvas/defectdojo_openvas_many_vuln.xml",
        "192.168.1.1001/tcp/21/openvas:1.3.6.1.4.1.25623.1.0.108528",
        "cleartext-service",
    ),
    (
        "other/defectdojo_nexpose_many_vulns.xml",
        "192.168.1.1/tcp/23/nexpose:telnet-open-port",
        "cleartext-service",
    ),
    # the rest
    (
        "nessus/rubynessus_example_v3.nessus",
        "10.0.0.1/tcp/5900/nessus:61708",
        "default-credentials",
    ),
    ("nmap/libnmap_dionaea_scan.xml", "172.28.1.3/tcp/21/nmap:ftp-anon", "default-credentials"),
    ("nessus/rubynessus_example_v3.nessus", "10.0.0.1/tcp/21/nessus:55523", "backdoor"),
    ("nessus/rubynessus_example_v3.nessus", "10.0.0.1/tcp/0/nessus:33850", "unsupported-software"),
    (
        "nmap/defectdojo_nmap_issue4406.xml",
        "10.250.195.71/tcp/22/nmap:vulners",
        "vulnerable-version",
    ),
    (
        "other/defectdojo_sslscan_many_vuln.xml",
        "www.target.com/tcp/443/sslscan:heartbleed:TLSv1.0",
        "vulnerable-version",
    ),
    ("nessus/rubynessus_example_v3.nessus", "10.0.0.1/tcp/2049/nessus:10437", "other"),
    ("nmap/libnmap_dionaea_scan.xml", "172.28.1.3/tcp/3306/port-open", "open-port"),
]


@pytest.mark.parametrize(("relative", "key", "kind"), SAME_WEAKNESS)
def test_real_findings_get_scanner_neutral_kinds(relative: str, key: str, kind: str) -> None:
    assert classify_kind(load_catalog(), corpus_finding(relative, key)).kind == kind
