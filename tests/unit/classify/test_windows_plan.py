"""Windows findings become Windows actions on a host the inventory says runs Windows.

The mixed estate: the lab's Linux scans, a Windows Server in nmap's format
(tests/fixtures/nmap/nmap_windows_server.xml, win1 at 10.40.0.5) and one in Nessus's
(tests/fixtures/nessus/windows_server.nessus, win2 at 10.40.0.6), both reached over
WinRM, plus a host the scan calls Windows and the inventory does not (the corpus's
Windows Server 2008 R2, doubt at 10.31.112.21). Under the lab policy with a ``windows``
group that allows RDP from the admins, HTTPS from anywhere and MSSQL from the app servers.

What stays a person's work on Windows as on Linux (the manual exceptions, none of which
this scan needs): patches (vulnerable-version), default credentials, backdoors,
application flaws and other unmapped findings the ASV fails (manual-review),
certificates, identifying an unknown listener (unknown-service), the management
service's own weaknesses (management), a service the policy keeps open to anyone
although the ASV fails it (allowed-service), and requiring TLS for the logins of an IIS
site (its SSL settings).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from remediator.classify.model import Decision, Harden
from remediator.classify.plan import Plan, build_plan
from remediator.classify.plan_document import FeatureOption, parse_plan, plan_text
from remediator.classify.policy.read import load_policy
from remediator.common.documents import schema
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.corpus import corpus_path
from tests.unit.generate.helpers import AS_OF, LAB_INVENTORY, LAB_POLICY, LAB_SCANS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NMAP_WINDOWS = FIXTURES / "nmap" / "nmap_windows_server.xml"
NESSUS_WINDOWS = FIXTURES / "nessus" / "windows_server.nessus"
SCAN_ONLY_WINDOWS = "nessus/defectdojo_nessus_v_unknown.xml"
WIN1, WIN2, DOUBT = "win1.lab", "win2.lab", "doubt.lab"
WINDOWS_HOSTS = {
    WIN1: {"ansible_host": "10.40.0.5", "ansible_connection": "winrm"},
    WIN2: {"ansible_host": "10.40.0.6", "ansible_connection": "winrm"},
}
WINDOWS_GROUP = """\
  windows:
    allow:
      - {service: rdp, sources: [admins], justification: admins use RDP, owner: ops}
      - {service: https, sources: [any], justification: the shop, owner: web}
      - {service: mssql, sources: [app_servers], justification: the shop's database, owner: dba}
"""
CUTS = {"disable_service", "firewall_block", "firewall_restrict"}
LINUX_FIELDS = ("units", "sockets", "inetd", "packages")


def write_inputs(
    directory: Path,
    *,
    windows: bool,
    group: str = WINDOWS_GROUP,
    variables: dict[str, str] | None = None,
    options: str = "",
) -> tuple[Path, Path]:
    """The lab inventory and policy, plus (or not) the Windows hosts and their group."""
    inventory = yaml.safe_load(LAB_INVENTORY.read_text(encoding="utf-8"))
    policy = LAB_POLICY.read_text(encoding="utf-8")
    if windows:
        hosts: dict[str, Any] = {n: {**v, **(variables or {})} for n, v in WINDOWS_HOSTS.items()}
        inventory["all"]["children"]["windows"] = {"hosts": hosts}
        inventory["all"]["children"]["legacy"] = {
            "hosts": {DOUBT: {"ansible_host": "10.31.112.21"}}
        }
        policy = policy.replace("\ngroups:\n", f"\ngroups:\n{group}", 1)
    if options:
        policy = policy.replace("  remove_packages: false", options, 1)
    directory.mkdir(parents=True, exist_ok=True)
    inventory_path, policy_path = directory / "inventory.yml", directory / "policy.yml"
    inventory_path.write_text(yaml.safe_dump(inventory), encoding="utf-8")
    policy_path.write_text(policy, encoding="utf-8")
    return inventory_path, policy_path


def plan_from(scans: Iterable[Path], inventory_path: Path, policy_path: Path) -> Plan:
    inventory = load_inventory(inventory_path)
    policy = load_policy(policy_path, inventory)
    return build_plan(load_findings(list(scans), inventory=inventory), policy, inventory, AS_OF)


def mixed_plan(directory: Path, **kwargs: Any) -> Plan:
    inventory, policy = write_inputs(directory, windows=True, **kwargs)
    scans = (*LAB_SCANS, NMAP_WINDOWS, NESSUS_WINDOWS, corpus_path(SCAN_ONLY_WINDOWS))
    return plan_from(scans, inventory, policy)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return mixed_plan(tmp_path_factory.mktemp("mixed"))


def of(plan: Plan, host: str, port: int | None = None, check: str | None = None) -> list[Decision]:
    return [
        d
        for d in plan.decisions
        if d.host == host
        and (port is None or d.port == port)
        and (check is None or d.check_id == check)
    ]


def one(plan: Plan, host: str, port: int, check: str = "port-open") -> Decision:
    found = of(plan, host, port, check)
    assert len(found) == 1, (host, port, check, found)
    return found[0]


def types(item: Decision) -> list[str]:
    return [a.type for a in item.actions]


def hardening(item: Decision) -> list[tuple[str, tuple[str, ...]]]:
    return [(a.daemon, a.settings) for a in item.actions if isinstance(a, Harden)]


def windows_services(item: Decision) -> set[str]:
    return {n for a in item.actions for n in a.to_json().get("windows_services", ())}


def test_the_windows_hosts_are_windows_and_the_doubtful_one_unknown(mixed: Plan) -> None:
    assert {n: mixed.hosts[n].os.name for n in (WIN1, WIN2, DOUBT)} == {
        WIN1: "windows",
        WIN2: "windows",
        DOUBT: "unknown",
    }


@pytest.mark.parametrize("host", [WIN1, WIN2])
def test_no_manual_task_and_no_linux_field_on_an_inventory_windows_host(
    mixed: Plan, host: str
) -> None:
    ours = of(mixed, host)
    assert ours
    for item in ours:
        assert "manual" not in types(item), (item.port, item.check_id, item.reason)
        for action in item.actions:
            fields = action.to_json()
            assert not any(fields.get(k) for k in LINUX_FIELDS), (item.port, fields)


def test_a_host_only_the_scan_calls_windows_still_gets_manual_tasks(mixed: Plan) -> None:
    ours = [d for d in of(mixed, DOUBT) if d.actions]
    assert ours
    assert all(types(d) == ["manual"] for d in ours)


@pytest.mark.parametrize("host", [WIN1, WIN2])
def test_winrm_management_is_kept_and_the_other_winrm_port_only_blocked(
    mixed: Plan, host: str
) -> None:
    for item in of(mixed, host, 5986):
        assert not CUTS & set(types(item))
    assert types(one(mixed, host, 5986)) == ["keep"]
    assert types(one(mixed, host, 5985)) == ["firewall_block"]
    assert not any("WinRM" in windows_services(d) for d in of(mixed, host))


@pytest.mark.parametrize("host", [WIN1, WIN2])
def test_msrpc_is_blocked_never_disabled(mixed: Plan, host: str) -> None:
    for item in of(mixed, host, 135):
        assert "disable_service" not in types(item)
    item = one(mixed, host, 135)
    assert types(item) == ["firewall_block"]
    assert "Windows itself depends on the RPC service" in item.reason
    assert "It is disabled" not in item.reason


@pytest.mark.parametrize("host", [WIN1, WIN2])
def test_smb_is_blocked_smb1_turned_off_and_its_feature_removal_offered(
    mixed: Plan, host: str
) -> None:
    item = one(mixed, host, 445)
    assert types(item) == ["firewall_block", "harden"]
    assert hardening(item) == [("smb", ("smb1_off",))]
    assert "LanmanServer is never disabled" in item.reason
    assert "It is disabled" not in item.reason  # the Linux removal's words, untrue here
    [option] = item.options
    assert option.to_json() == {
        "name": "remove_windows_features",
        "enabled": False,
        "irreversible": True,
        "features": ["SMB1Protocol"],
    }


def test_the_smbv1_finding_is_fixed_by_turning_smb1_off(mixed: Plan) -> None:
    item = one(mixed, WIN2, 445, "nessus:96982")
    assert item.kind == "legacy-smb"
    assert hardening(item) == [("smb", ("smb1_off",))]


def test_netbios_is_blocked_never_disabled(mixed: Plan) -> None:
    assert types(one(mixed, WIN2, 137)) == ["firewall_block"]
    assert types(one(mixed, WIN2, 139)) == ["firewall_block"]


@pytest.mark.parametrize("check", ["nessus:58453", "nessus:18405", "nessus:57690"])
def test_restricted_rdp_gets_nla_and_the_tls_security_layer(mixed: Plan, check: str) -> None:
    assert types(one(mixed, WIN2, 3389)) == ["firewall_restrict"]
    item = one(mixed, WIN2, 3389, check)
    assert item.kind == "rdp-weak-security"
    assert types(item) == ["harden"]
    assert hardening(item) == [("rdp", ("nla", "tls_security_layer"))]
    assert item.verdict == "fail"
    assert "Network Level Authentication" in item.actions[0].to_json()["clients"]


def test_rdp_without_approval_is_disabled_and_blocked_never_left_open(tmp_path: Path) -> None:
    inventory, policy = write_inputs(tmp_path, windows=True, group="  windows: {allow: []}\n")
    closed = plan_from((NESSUS_WINDOWS,), inventory, policy)
    rdp = one(closed, WIN2, 3389)
    assert types(rdp) == ["disable_service", "firewall_block"]
    assert windows_services(rdp) == {"TermService"}
    for weakness in of(closed, WIN2, 3389, "nessus:58453"):
        assert "harden" not in types(weakness)  # nothing stays reachable to harden


@pytest.mark.parametrize("port", [443, 3389])
def test_tls_findings_go_through_schannel_naming_every_tls_service(mixed: Plan, port: int) -> None:
    item = one(mixed, WIN2, port, "nessus:104743")
    assert [(a.type, a.to_json()["daemon"]) for a in item.actions] == [("enforce_tls", "schannel")]
    named = [i.split(":")[0] for i in item.client_impacts if "/tcp" in i]
    assert named == [
        "HTTPS 443/tcp (IIS or another SCHANNEL server)",
        "MSSQL 1433/tcp",
        "RDP 3389/tcp",
        "WinRM over HTTPS 5986/tcp",
    ]
    assert "Windows 7 and Server 2008 R2 without KB3080079" in " ".join(item.client_impacts)
    assert "system-wide" in item.reason


def test_sql_browser_is_disabled_and_mssql_only_restricted(mixed: Plan) -> None:
    browser = one(mixed, WIN2, 1434)
    assert types(browser) == ["disable_service", "firewall_block"]
    assert windows_services(browser) == {"SQLBrowser"}
    assert types(one(mixed, WIN2, 1433)) == ["firewall_restrict"]


def test_mssql_without_approval_is_blocked_never_stopped(tmp_path: Path) -> None:
    group = "  windows:\n    allow: []\n"
    inventory, policy = write_inputs(tmp_path, windows=True, group=group)
    plan = plan_from((NESSUS_WINDOWS,), inventory, policy)
    item = one(plan, WIN2, 1433)
    assert types(item) == ["firewall_block"]
    assert "MSSQLSERVER is never stopped" in item.reason
    assert not any("MSSQLSERVER" in windows_services(d) for d in of(plan, WIN2))


def test_iis_ftp_and_telnet_are_stopped_by_their_windows_services(mixed: Plan) -> None:
    assert windows_services(one(mixed, WIN2, 21)) == {"FTPSVC"}
    assert windows_services(one(mixed, WIN2, 23)) == {"TlntSvr"}
    http = one(mixed, WIN2, 80)  # W3SVC also serves the allowed HTTPS: only the port goes
    assert types(http) == ["firewall_block"]


def test_management_over_http_is_kept_with_a_note_recommending_https(tmp_path: Path) -> None:
    inventory, policy = write_inputs(
        tmp_path, windows=True, variables={"ansible_winrm_scheme": "http"}
    )
    plan = plan_from((NESSUS_WINDOWS,), inventory, policy)
    item = one(plan, WIN2, 5985)
    assert types(item) == ["keep"]
    assert any("5986" in note for note in item.notes)
    assert types(one(plan, WIN2, 5986)) == ["firewall_block"]


@pytest.mark.parametrize(
    ("options", "enabled"),
    [
        ("  remove_windows_features: true", True),
        ("  remove_packages: true", False),  # Linux package removal is another consent
        ("  remove_packages: true\n  remove_windows_features: false", False),
    ],
)
def test_the_smb1_feature_removal_has_its_own_consent(
    tmp_path: Path, options: str, enabled: bool
) -> None:
    plan = mixed_plan(tmp_path, options=options)
    [option] = one(plan, WIN2, 445).options
    assert (option.name, option.enabled, option.irreversible) == (
        "remove_windows_features",
        enabled,
        True,
    )


def test_an_active_exception_adds_no_hardening(tmp_path: Path) -> None:
    inventory, policy = write_inputs(tmp_path, windows=True)
    entry = (
        "exceptions:\n  - finding: win2.lab/tcp/3389/nessus:58453\n"
        "    justification: a vendor console without NLA, replaced in January\n"
        "    approved_by: ciso@example.com\n    expires: 2027-01-31\n"
    )
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("exceptions:\n", entry, 1), encoding="utf-8"
    )
    plan = plan_from((NESSUS_WINDOWS,), inventory, policy)
    item = one(plan, WIN2, 3389, "nessus:58453")
    assert (item.verdict, item.actions) == ("excepted", ())


def test_the_linux_hosts_decide_the_same_with_or_without_windows_hosts(
    mixed: Plan, tmp_path: Path
) -> None:
    inventory, policy = write_inputs(tmp_path, windows=False)
    alone = plan_from(LAB_SCANS, inventory, policy)
    linux = {d.host for d in alone.decisions}
    assert linux and not linux & {WIN1, WIN2, DOUBT}
    beside = [d.to_json() for d in mixed.decisions if d.host in linux]
    assert beside == [d.to_json() for d in alone.decisions if d.host in linux]


def test_the_mixed_plan_reads_back_with_its_windows_actions(mixed: Plan) -> None:
    document = parse_plan(plan_text(mixed.to_json()).encode("utf-8"), "plan.json")
    read = {(d.host, d.key): d for d in document.decisions}
    for item in mixed.decisions:
        if item.host in (WIN1, WIN2):
            key = "/".join(map(str, item.key))
            assert read[(item.host, key)].actions == item.actions, key
    smb = read[(WIN2, "10.40.0.6/tcp/445/port-open")]
    assert smb.remove_windows_features == FeatureOption(False, ("SMB1Protocol",))
    assert any(isinstance(a, Harden) for a in smb.actions)


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        ({"daemon": "telnetd", "settings": ["nla"]}, "daemon"),
        ({"daemon": "sshd", "settings": ["strong_algorithms"]}, "profile"),
        ({"daemon": "redis", "settings": ["requirepass"]}, "secret_var"),
        (
            {
                "daemon": "sshd",
                "settings": ["nla"],
                "profile": "ssh-2026",
                "algorithms": {
                    "kex": ["curve25519-sha256"],
                    "ciphers": ["aes128-ctr"],
                    "macs": ["hmac-sha2-256"],
                    "host_key_algorithms": ["ssh-ed25519"],
                },
            },
            "settings",
        ),
        ({"daemon": "rdp", "settings": ["smb1_off"]}, "settings"),
        ({"daemon": "smb", "settings": []}, "settings"),
    ],
)
def test_the_schema_refuses_a_harden_it_does_not_know(
    mixed: Plan, action: dict[str, Any], problem: str
) -> None:
    document = mixed.to_json()
    harden = next(a for d in document["decisions"] for a in d["actions"] if a["type"] == "harden")
    harden.update(action)
    found = schema("plan").problem(document)
    assert found is not None and problem in found
