"""Each rule on real corpus findings: a fixture it fails and a fixture that passes.

Findings are selected by key from files of the shared corpus; the inventory and policy
around them are the test's. For rules that always fail what they decide (an unapproved
exposure), the pass fixture is the same real finding once the policy approves it: the
rule then no longer fires and the verdict is pass.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from remediator.classify.model import DisableService, EnforceTls, FirewallRestrict, Keep, Manual
from remediator.classify.plan import build_plan
from remediator.classify.policy.read import load_policy
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.corpus import corpus_path
from tests.unit.classify.helpers import AS_OF, action_types, decision, plan_for

DIONAEA = "nmap/libnmap_dionaea_scan.xml"
HONEYPOT = {"honeypot": ("172.28.1.3", ["web"], None)}
META = "nessus/rubynessus_example_v3.nessus"
METAHOST = {"meta": ("10.0.0.1", ["legacy"], None)}
K8S = "nmap/defectdojo_nmap_issue4406.xml"
K8SHOST = {"node": ("10.250.195.71", ["k8s"], None)}
SECCUBUS = "nmap/seccubus_nmap_script_output.xml"
ANON = {"anon": ("192.0.2.80", ["web"], None)}
"""The seccubus scan's host, published redacted as ``x.x.x.x``: only an address maps to an
inventory host (issue 13), so the tests read a copy with a documentation address in its place."""
GOLISMERO = "openvas/golismero_openvas_metasploitable_all.xml"
GOLHOST = {"msf": ("10.211.55.35", ["legacy"], None)}
WINDOWS = "nessus/defectdojo_nessus_v_unknown.xml"
WINHOST = {"win1": ("10.31.112.21", ["windows"], None)}
NOTHING = "groups:\n  all: {allow: []}\n"


def allow(group: str, *entries: str) -> str:
    """A groups section allowing ``entries`` (``service=https sources=any`` shorthand)."""
    lines = [f"groups:\n  {group}:\n    allow:"]
    for entry in entries:
        fields = dict(part.split("=", 1) for part in entry.split())
        lines.append(
            f"      - {{{', '.join(f'{k}: {v}' for k, v in fields.items())}, "
            f"justification: needed, owner: ops}}"
        )
    return "\n".join(lines) + "\n"


# -- unmanaged host ------------------------------------------------------------------------


def test_unmanaged_exposure_fails_with_a_manual_task(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, {"other": ("192.0.2.99", ["web"], None)}, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/21/port-open")
    assert (item.rule, item.verdict, item.host) == ("unmanaged-host", "fail", None)
    assert action_types(item) == ["manual"]
    assert "matches no inventory host" in item.reason


def test_unmanaged_informational_finding_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, {"other": ("192.0.2.99", ["web"], None)}, NOTHING)
    item = decision(plan, "172.28.1.3/ip/0/nmap:clock-skew")
    assert (item.rule, item.verdict, item.actions) == ("unmanaged-host", "pass", ())


# -- management ----------------------------------------------------------------------------


def test_management_port_is_kept_and_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, K8S, K8SHOST, NOTHING)
    item = decision(plan, "10.250.195.71/tcp/22/port-open")
    assert (item.rule, item.verdict) == ("management", "pass")
    assert action_types(item) == ["keep"]
    keep = item.actions[0]
    assert isinstance(keep, Keep) and keep.sources is not None
    assert keep.sources.cidrs() == ["192.0.2.0/24"]


def test_vulnerable_management_service_fails_but_stays_up(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, K8S, K8SHOST, NOTHING)
    item = decision(plan, "10.250.195.71/tcp/22/nmap:vulners")
    assert (item.rule, item.verdict, item.kind) == ("management", "fail", "vulnerable-version")
    assert action_types(item) == ["keep", "manual"]


def test_management_port_comes_from_ansible_port(tmp_path: Path) -> None:
    """With ansible_port 9100 the management port is 9100; ssh on 22 is an unapproved port.

    The port is blocked, but sshd is still the management service (the one Ansible
    connects through on 9100), so its units are never disabled (issue 13).
    """
    plan = plan_for(tmp_path, K8S, {"node": ("10.250.195.71", ["k8s"], 9100)}, NOTHING)
    assert decision(plan, "10.250.195.71/tcp/9100/port-open").rule == "management"
    ssh = decision(plan, "10.250.195.71/tcp/22/port-open")
    assert ssh.rule == "remote-access-exposed"
    assert action_types(ssh) == ["firewall_block"]
    assert ssh.notes == (
        "22/tcp is served by ssh, the management service; disabling it would cut "
        "management: blocked instead",
    )
    assert plan.hosts["node"].policy.management_port == ("tcp", 9100)


# -- needed by an allowed service ----------------------------------------------------------


def test_locally_needed_database_is_kept_and_blocked(tmp_path: Path) -> None:
    body = allow("k8s", "service=https-alt sources=[any] needs=[mysql]")
    plan = plan_for(tmp_path, K8S, K8SHOST, body)
    item = decision(plan, "10.250.195.71/tcp/30367/port-open")
    assert (item.rule, item.verdict, item.service) == ("needed-service", "fail", "mysql")
    assert action_types(item) == ["firewall_block"]
    assert item.policy_entry == "groups.k8s.allow[0]"


def test_network_dependency_reachable_like_its_user_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, K8S, K8SHOST, allow("k8s", "service=nfs sources=[any]"))
    item = decision(plan, "10.250.195.71/tcp/111/port-open")
    assert (item.rule, item.verdict, item.service) == ("needed-service", "pass", "rpcbind")
    assert action_types(item) == ["keep"]


# -- unknown service -----------------------------------------------------------------------


def test_unknown_service_needs_a_person(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/42/port-open")
    assert (item.rule, item.verdict, item.service) == ("unknown-service", "fail", None)
    assert action_types(item) == ["manual"]
    assert "tcpwrapped" in item.reason


def test_backdoor_on_unknown_port_is_blocked_but_not_stopped(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING)
    item = decision(plan, "10.0.0.1/tcp/1524/nessus:51988")
    assert (item.rule, item.verdict, item.asv) == ("unknown-service", "fail", "auto_fail")
    assert action_types(item) == ["firewall_block", "manual"]


def test_unknown_service_allowed_by_port_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "port=42 sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/42/port-open")
    assert (item.rule, item.verdict) == ("allowed-service", "pass")


# -- database exposed ----------------------------------------------------------------------


def test_exposed_database_is_disabled_and_blocked(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/3306/port-open")
    assert (item.rule, item.verdict, item.asv) == ("database-exposed", "fail", "auto_fail")
    assert action_types(item) == ["disable_service", "firewall_block"]
    disable = item.actions[0]
    assert isinstance(disable, DisableService)
    assert "mariadb.service" in disable.units and "mariadb.socket" in disable.sockets
    assert "1.4.4" in item.pci
    assert item.options[0].name == "remove_packages" and item.options[0].irreversible
    assert item.options[0].enabled is False


def test_database_detail_on_an_allowed_database_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=mysql sources=[internal]"))
    item = decision(plan, "172.28.1.3/tcp/3306/nmap:mysql-info")
    assert item.rule != "database-exposed"
    assert item.verdict == "pass"
    assert decision(plan, "172.28.1.3/tcp/3306/port-open").rule == "allowed-service"


# -- cleartext service ---------------------------------------------------------------------


def test_unneeded_telnet_is_disabled_with_its_inetd_entry(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING)
    item = decision(plan, "10.0.0.1/tcp/23/nessus:42263")
    assert (item.rule, item.verdict, item.kind) == (
        "cleartext-service",
        "fail",
        "cleartext-service",
    )
    disable = item.actions[0]
    assert isinstance(disable, DisableService) and disable.inetd == ("telnet",)
    assert "SSH" in item.reason


def test_allowed_ftp_with_cleartext_logins_gets_tls_for_logins(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=ftp sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/21/nessus:34324")
    assert (item.rule, item.verdict) == ("cleartext-service", "fail")
    tls = item.actions[0]
    assert isinstance(tls, EnforceTls)
    assert tls.require_tls_for_auth and tls.candidates == ("vsftpd",)
    assert any("vsftpd" in impact for impact in item.client_impacts)


def test_allowed_telnet_exposure_itself_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=telnet sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/23/port-open")
    assert (item.rule, item.verdict, item.asv) == ("allowed-service", "pass", "special_note")


# -- remote access -------------------------------------------------------------------------


def test_unneeded_remote_desktop_is_disabled(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING)
    item = decision(plan, "10.0.0.1/tcp/5900/port-open")
    assert (item.rule, item.verdict, item.service) == ("remote-access-exposed", "fail", "vnc")
    assert "2.2.7" in item.pci


def test_allowed_remote_desktop_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=vnc sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/5900/port-open")
    assert (item.rule, item.verdict) == ("allowed-service", "pass")


# -- needless exposure ---------------------------------------------------------------------


def test_unneeded_dns_is_disabled_and_blocked(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/53/port-open")
    assert (item.rule, item.verdict) == ("needless-exposure", "fail")
    assert action_types(item) == ["disable_service", "firewall_block"]


def test_windows_rpc_is_blocked_not_stopped(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/135/port-open")
    assert action_types(item) == ["firewall_block"]
    assert "Windows itself depends" in item.reason


def test_allowed_dns_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=dns sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/53/port-open")
    assert (item.rule, item.verdict) == ("allowed-service", "pass")


def test_unneeded_http_beside_allowed_https_keeps_the_web_server(tmp_path: Path) -> None:
    """Port 80 and 443 share nginx/apache2: blocking 80 must not stop the allowed 443."""
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=https sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/80/port-open")
    assert (item.rule, item.verdict) == ("needless-exposure", "fail")
    assert action_types(item) == ["firewall_block"]
    assert "also provides allowed https" in item.reason


# -- weak TLS protocol ---------------------------------------------------------------------


def test_early_tls_on_allowed_https_is_enforced(tmp_path: Path) -> None:
    plan = plan_for(
        tmp_path, _seccubus(tmp_path), ANON, allow("web", "service=https sources=[any]")
    )
    item = decision(plan, "192.0.2.80/tcp/443/nmap:ssl-enum-ciphers:TLSv1.0")
    assert (item.rule, item.verdict, item.asv) == ("weak-tls-protocol", "fail", "auto_fail")
    tls = item.actions[0]
    assert isinstance(tls, EnforceTls)
    assert (tls.profile, tls.min_version, tls.protocols) == (
        "intermediate",
        "TLSv1.2",
        ("TLSv1.2", "TLSv1.3"),
    )
    assert tls.candidates == ("nginx", "apache2")
    assert item.client_impacts


def test_early_tls_on_unneeded_service_is_not_enforced(tmp_path: Path) -> None:
    """TLS is enforced only where the service itself is allowed; else the port closes."""
    plan = plan_for(tmp_path, _seccubus(tmp_path), ANON, NOTHING)
    item = decision(plan, "192.0.2.80/tcp/443/nmap:ssl-enum-ciphers:TLSv1.0")
    assert item.rule == "needless-exposure"
    assert "enforce_tls" not in action_types(item)


def test_strong_protocol_row_passes(tmp_path: Path) -> None:
    hosts = {"gh": ("185.199.110.153", ["web"], None)}
    plan = plan_for(
        tmp_path,
        "other/defectdojo_testssl_many_vuln.csv",
        hosts,
        allow("web", "service=https sources=[any]", "service=http sources=[any]"),
    )
    item = decision(plan, "185.199.110.153/tcp/443/testssl:TLS1_2")
    assert (item.kind, item.verdict) == ("other", "pass")


# -- weak cipher ---------------------------------------------------------------------------


def test_weak_ciphers_on_allowed_https_are_enforced(tmp_path: Path) -> None:
    plan = plan_for(
        tmp_path, _seccubus(tmp_path), ANON, allow("web", "service=https sources=[any]")
    )
    item = decision(plan, "192.0.2.80/tcp/443/nmap:ssl-enum-ciphers:TLSv1.0:weak-ciphers")
    assert (item.rule, item.verdict, item.kind) == ("weak-cipher", "fail", "weak-cipher")
    tls = item.actions[0]
    assert isinstance(tls, EnforceTls) and "ECDHE-RSA-AES128-GCM-SHA256" in tls.ciphers


def test_weak_ciphers_on_allowed_smtp_warn_of_legacy_senders(tmp_path: Path) -> None:
    """Nessus named no product here: the MTAs the catalog knows for SMTP are candidates."""
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=smtp sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/25/nessus:42873")
    assert item.rule == "weak-cipher"
    tls = item.actions[0]
    assert isinstance(tls, EnforceTls)
    assert (tls.daemon, tls.candidates) == (None, ("postfix", "exim4"))
    assert any("legacy senders" in impact for impact in item.client_impacts)


def test_average_cipher_list_row_passes(tmp_path: Path) -> None:
    hosts = {"gh": ("185.199.110.153", ["web"], None)}
    plan = plan_for(
        tmp_path,
        "other/defectdojo_testssl_many_vuln.csv",
        hosts,
        allow("web", "service=https sources=[any]", "service=http sources=[any]"),
    )
    item = decision(plan, "185.199.110.153/tcp/443/testssl:cipherlist_AVERAGE")
    assert item.verdict == "pass"


# -- certificate ---------------------------------------------------------------------------


def test_self_signed_certificate_is_reported_for_a_person(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=https sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/443/nmap:ssl-cert")
    assert (item.rule, item.verdict, item.kind) == ("certificate", "fail", "certificate")
    assert action_types(item) == ["manual"]
    assert "4.2.1.1" in item.pci


def test_certificate_information_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=smtp sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/25/nessus:10863")
    assert (item.rule, item.verdict, item.actions) == ("certificate", "pass", ())


# -- vulnerable version --------------------------------------------------------------------


def test_vulnerable_php_is_a_manual_patch(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, GOLISMERO, GOLHOST, allow("legacy", "service=http sources=[any]"))
    item = decision(plan, "10.211.55.35/tcp/80/openvas:1.3.6.1.4.1.25623.1.0.110181")
    assert (item.rule, item.verdict) == ("vulnerable-version", "fail")
    manual = item.actions[0]
    assert isinstance(manual, Manual) and "Patch or upgrade" in manual.task
    assert "6.3.3" in item.pci


def test_low_vulnerable_version_is_reported_only(tmp_path: Path) -> None:
    plan = plan_for(
        tmp_path, GOLISMERO, GOLHOST, allow("legacy", "service=mysql sources=[internal]")
    )
    item = decision(plan, "10.211.55.35/tcp/3306/openvas:1.3.6.1.4.1.25623.1.0.801380")
    assert (item.rule, item.verdict, item.actions) == ("vulnerable-version", "pass", ())


# -- allowed service -----------------------------------------------------------------------


def test_allowed_from_any_is_kept(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=https sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/443/port-open")
    assert (item.rule, item.verdict) == ("allowed-service", "pass")
    assert (item.justification, item.owner) == ("needed", "ops")


def test_allowed_internally_is_restricted_not_disabled(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=smb sources=[internal]"))
    item = decision(plan, "172.28.1.3/tcp/445/port-open")
    assert (item.rule, item.verdict) == ("allowed-service", "fail")
    restrict = item.actions[0]
    assert isinstance(restrict, FirewallRestrict)
    assert restrict.sources.cidrs() == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


def test_database_allowed_from_anywhere_still_fails_the_asv(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, allow("web", "service=mysql sources=[any]"))
    item = decision(plan, "172.28.1.3/tcp/3306/port-open")
    assert (item.rule, item.verdict, item.asv) == ("allowed-service", "fail", "auto_fail")
    assert action_types(item) == ["keep", "manual"]


# -- manual review -------------------------------------------------------------------------


def test_backdoor_is_a_manual_incident(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, allow("legacy", "service=irc sources=[any]"))
    item = decision(plan, "10.0.0.1/tcp/6667/nessus:46882")
    assert (item.rule, item.verdict, item.asv) == ("manual-review", "fail", "auto_fail")
    assert "compromised" in item.actions[0].to_json()["task"]


def test_informational_host_finding_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/ip/0/nmap:clock-skew")
    assert (item.rule, item.verdict, item.actions) == ("manual-review", "pass", ())


# -- excepted ------------------------------------------------------------------------------

EXCEPTION = """\
exceptions:
  - finding: "meta/udp/69/*"
    justification: PXE boot of the lab switches
    approved_by: ciso
    expires: 2026-12-31
"""


def test_active_exception_excepts_the_finding(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING + EXCEPTION)
    item = decision(plan, "10.0.0.1/udp/69/port-open")
    assert (item.verdict, item.actions) == ("excepted", ())
    assert item.exception is not None and item.exception.active
    assert item.reason.startswith("Excepted until 2026-12-31 (exceptions[0], approved by ciso)")


def test_expired_exception_no_longer_applies(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING + EXCEPTION, as_of=date(2027, 1, 1))
    item = decision(plan, "10.0.0.1/udp/69/port-open")
    assert item.verdict == "fail"
    assert action_types(item) == ["disable_service", "firewall_block"]
    assert item.exception is not None and not item.exception.active
    assert "expired on 2026-12-31 and no longer applies" in item.reason


def test_exception_by_kind_leaves_other_findings_alone(tmp_path: Path) -> None:
    body = NOTHING + EXCEPTION.replace('"meta/udp/69/*"', '"10.0.0.1/*"').replace(
        "    justification", "    kind: default-credentials\n    justification"
    )
    plan = plan_for(tmp_path, META, METAHOST, body)
    assert decision(plan, "10.0.0.1/tcp/5900/nessus:61708").verdict == "excepted"
    assert decision(plan, "10.0.0.1/tcp/5900/port-open").verdict == "fail"


# -- windows -------------------------------------------------------------------------------


def test_windows_host_gets_manual_never_linux_tasks(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, WINDOWS, WINHOST, "groups:\n  windows: {allow: []}\n")
    item = decision(plan, "10.31.112.21/tcp/3389/port-open")
    assert (item.verdict, action_types(item)) == ("fail", ["manual"])
    assert "Windows Server 2008 R2" in item.reason
    assert "TermService" in item.actions[0].to_json()["task"]
    assert plan.hosts["win1"].windows_reason is not None


@pytest.mark.parametrize("variable", ["ansible_connection: winrm", "ansible_os_family: Windows"])
def test_windows_from_inventory_facts(tmp_path: Path, variable: str) -> None:
    inventory = tmp_path / "inventory.yml"
    plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)  # writes the policy file
    inventory.write_text(
        f"all:\n  children:\n    web:\n      hosts:\n        honeypot:\n"
        f"          ansible_host: 172.28.1.3\n          {variable}\n",
        encoding="utf-8",
    )
    inv = load_inventory(inventory)
    plan = build_plan(
        load_findings([corpus_path(DIONAEA)], inventory=inv),
        load_policy(tmp_path / "policy.yml", inv),
        inv,
        AS_OF,
    )
    item = decision(plan, "172.28.1.3/tcp/3306/port-open")
    assert action_types(item) == ["manual"]
    assert "inventory ansible_" in item.reason


# -- informational detail on an unapproved port --------------------------------------------


def test_informational_detail_on_a_closing_port_passes(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/3306/nmap:mysql-info")
    assert (item.rule, item.verdict, item.actions) == ("port-detail", "pass", ())
    assert decision(plan, "172.28.1.3/tcp/3306/port-open").verdict == "fail"


def test_failing_detail_on_a_closing_port_keeps_the_removal(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, DIONAEA, HONEYPOT, NOTHING)
    item = decision(plan, "172.28.1.3/tcp/11211/nmap:vulners")
    assert (item.rule, item.verdict) == ("database-exposed", "fail")
    assert action_types(item) == ["disable_service", "firewall_block"]
    assert "also resolves this finding (Known-vulnerable software version)" in item.reason


def _seccubus(directory: Path) -> str:
    """The redacted seccubus scan with its host at 192.0.2.80 (otherwise as published)."""
    copy = directory / "seccubus-readdressed.xml"
    text = corpus_path(SECCUBUS).read_text(encoding="utf-8")
    copy.write_text(text.replace('addr="x.x.x.x"', 'addr="192.0.2.80"'), encoding="utf-8")
    return str(copy)
