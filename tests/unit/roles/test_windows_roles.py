"""Static checks of the Windows roles (issue 16); no Windows host and no pwsh exist here.

Argument specs are the contract with the generator; the guards are asserts that run on
the controller, so they are exercised for real against localhost, where no task of the
role can run; everything else is read from the files: no reboot anywhere, no value
reaching PowerShell other than as a parameter, every script truthful in check mode.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.corpus import REPO
from tests.unit.roles.localplay import run_play, run_tool
from tests.unit.roles.module_args import BIN, module_calls, role_task_files

ROLES = REPO / "roles"
WINDOWS_ROLES = (
    "windows_services",
    "windows_firewall",
    "schannel",
    "windows_harden",
    "windows_snapshot",
)
# Scripts a scheduled task runs outside Ansible: no $Ansible, no check mode.
TASK_ONLY_SCRIPTS = {"firewall-revert.ps1"}

SAMPLE_VARS: dict[str, dict[str, Any]] = {
    "windows_services": {
        "windows_services_items": [
            {
                "key": "10.0.0.7/tcp/445/port-open",
                "reason": "SMB",
                "services": ["LanmanServer"],
                "remove_features": ["SMB1Protocol"],
            }
        ],
        "windows_services_protected_extra": ["MyAgent"],
    },
    "windows_firewall": {
        "windows_firewall_rules": [
            {"key": "k1", "reason": "r", "action": "block", "protocol": "tcp", "port": 445},
            {
                "key": "k2",
                "reason": "r",
                "action": "restrict",
                "port": 3389,
                "sources": ["10.0.0.0/24"],
            },
        ],
        "windows_firewall_management": {
            "protocol": "tcp",
            "port": 5986,
            "sources": ["192.0.2.0/24"],
        },
    },
    "schannel": {
        "schannel_items": [{"key": "k", "reason": "TLS 1.0", "port": 443, "service": "https"}],
    },
    "windows_harden": {
        "windows_harden_items": [
            {"key": "k", "reason": "r", "daemon": "rdp", "settings": ["nla", "tls_security_layer"]},
            {"key": "s", "reason": "r", "daemon": "smb", "settings": ["smb1_off"]},
        ],
    },
    "windows_snapshot": {"windows_snapshot_id": "run-1", "windows_snapshot_services": ["Spooler"]},
}


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return run_tool(argv)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def _specs(role: str) -> dict[str, dict[str, Any]]:
    return dict(_yaml(ROLES / role / "meta" / "argument_specs.yml")["argument_specs"])


def _all_options(role: str) -> dict[str, dict[str, Any]]:
    options: dict[str, dict[str, Any]] = {}
    for entry in _specs(role).values():
        options.update(entry.get("options", {}))
    return options


def _role_text(role: str) -> str:
    files = [*(ROLES / role).glob("tasks/*.yml"), *(ROLES / role).glob("vars/*.yml")]
    return "\n".join(p.read_text("utf-8") for p in files)


def _powershell_scripts(role: str) -> list[tuple[str, str]]:
    """(where, text) of every script the role hands to win_powershell, and of its files."""
    scripts = []
    for path in role_task_files(ROLES):
        if path.relative_to(ROLES).parts[0] != role:
            continue
        for call in module_calls(path, REPO):
            if call.module == "ansible.windows.win_powershell" and "script" in call.args:
                scripts.append((call.where, str(call.args["script"])))
    scripts += [(str(p), p.read_text("utf-8")) for p in (ROLES / role).glob("files/*.ps1")]
    return scripts


@pytest.mark.parametrize("role", WINDOWS_ROLES)
def test_argument_spec_matches_defaults_and_vars(role: str) -> None:
    main = _specs(role)["main"]["options"]
    defaults = _yaml(ROLES / role / "defaults" / "main.yml") or {}
    variables = _yaml(ROLES / role / "vars" / "main.yml") or {}
    public_vars = {k: v for k, v in variables.items() if not k.startswith("__")}
    for name, given in {**defaults, **public_vars}.items():
        assert name in main, name
        # a default computed from the role's vars, e.g. "{{ __x_default }}", is that value
        computed = isinstance(given, str) and "{{" in given
        value = variables[given.strip("{} ").strip()] if computed else given
        assert main[name].get("default") == value, name
    for name, option in _all_options(role).items():
        assert name.startswith(f"{role}_"), name
        assert option.get("description"), name
        assert option.get("type"), name


@pytest.mark.parametrize("role", WINDOWS_ROLES)
def test_argument_spec_names_every_variable_the_tasks_use(role: str) -> None:
    used = set(re.findall(rf"(?<![_A-Za-z0-9]){role}_[a-z0-9_]+", _role_text(role)))
    assert used, role
    assert used <= set(_all_options(role)), used - set(_all_options(role))


def test_no_role_reboots_a_host() -> None:
    """Nothing a role runs reboots (its README may say why it does not)."""
    reboot = re.compile(r"win_reboot|Restart-Computer|shutdown(\.exe)? /r")
    offenders = [
        str(p)
        for p in ROLES.rglob("*")
        if p.is_file() and p.suffix != ".md" and reboot.search(p.read_text("utf-8", "replace"))
    ]
    assert offenders == []


@pytest.mark.parametrize("role", WINDOWS_ROLES)
def test_values_reach_powershell_only_as_parameters(role: str) -> None:
    for where, text in _powershell_scripts(role):
        assert "{{" not in text and "{%" not in text, where


@pytest.mark.parametrize("role", WINDOWS_ROLES)
def test_every_script_is_truthful_in_check_mode(role: str) -> None:
    """win_powershell skips a script in check mode unless it declares ShouldProcess
    support; each one then says itself whether it changed anything."""
    for where, text in _powershell_scripts(role):
        if Path(where).name in TASK_ONLY_SCRIPTS:
            continue
        assert "[CmdletBinding(SupportsShouldProcess)]" in text, where
        assert "$Ansible.Changed" in text, where
        mutating = re.search(
            r"Disable-NetFirewallRule|Remove-Item|Set-Content|netsh|icacls|reg\.exe", text
        )
        if mutating:
            assert "CheckMode" in text, where


def test_every_windows_role_runs_on_windows_only() -> None:
    for role in WINDOWS_ROLES:
        platforms = _yaml(ROLES / role / "meta" / "main.yml")["galaxy_info"]["platforms"]
        assert [p["name"] for p in platforms] == ["Windows"], role


def test_firewall_rule_names_are_built_from_ints_and_fixed_words() -> None:
    for path in (ROLES / "windows_firewall" / "tasks").glob("*.yml"):
        for call in module_calls(path, REPO):
            if call.module == "community.windows.win_firewall_rule":
                name = str(call.args["name"])
                assert "key" not in name and "reason" not in name and "findings" not in name, name
                assert name.startswith(("remediator ", "{{ __windows_firewall_mgmt_rule }}")), name


def _play(
    tmp_path: Path, tasks: list[dict[str, Any]], extra: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    return run_play(tmp_path, tasks, extra)


def _guard(tmp_path: Path, role: str, extra: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    task = {"name": "Guard", "ansible.builtin.include_role": {"name": role, "tasks_from": "guard"}}
    return _play(tmp_path, [task], extra)


def _item(*services: str) -> dict[str, Any]:
    return {"key": "10.0.0.7/tcp/5985/port-open", "reason": "r", "services": list(services)}


@pytest.mark.parametrize(
    "service", ["WinRM", "winrm", "RpcSs", "DcomLaunch", "RpcEptMapper", "MyAgent"]
)
def test_services_guard_refuses_protected_services(tmp_path: Path, service: str) -> None:
    extra = {
        "windows_services_items": [_item("Spooler", service)],
        "windows_services_protected_extra": ["MyAgent"],
    }
    result = _guard(tmp_path, "windows_services", extra)
    assert result.returncode != 0
    assert "REFUSED: item 10.0.0.7/tcp/5985/port-open would stop" in result.stdout
    assert service.lower() in result.stdout


def test_services_guard_lets_other_services_through(tmp_path: Path) -> None:
    result = _guard(
        tmp_path, "windows_services", {"windows_services_items": [_item("Spooler", "TlntSvr")]}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _rule(
    port: int, protocol: str = "tcp", action: str = "block", sources: list[str] | None = None
) -> dict[str, Any]:
    return {
        "key": f"k/{protocol}/{port}",
        "reason": "r",
        "action": action,
        "protocol": protocol,
        "port": port,
        "sources": sources or [],
    }


@pytest.mark.parametrize(
    ("rules", "management", "complaint"),
    [
        ([_rule(5986)], {"port": 5986}, "REFUSED: firewall rule k/tcp/5986"),
        ([_rule(5985, action="restrict", sources=["10.0.0.0/8"])], {"port": 5985}, "REFUSED"),
        ([_rule(53, "udp")], {"port": 53, "protocol": "udp"}, "REFUSED"),
        ([_rule(445)], {}, "Cannot tell which port"),
        ([_rule(445, action="restrict")], {"port": 5986}, "'restrict' needs sources"),
        (
            [_rule(445, action="restrict", sources=["10.0.0.0/8; calc"])],
            {"port": 5986},
            "'restrict' needs sources",
        ),
        ([_rule(445)], {"port": 5986, "sources": ['any" -x']}, "must be IPv4/IPv6"),
    ],
)
def test_firewall_guard_refuses_before_any_change(
    tmp_path: Path, rules: list[dict[str, Any]], management: dict[str, Any], complaint: str
) -> None:
    extra = {"windows_firewall_rules": rules, "windows_firewall_management": management}
    result = _guard(tmp_path, "windows_firewall", extra)
    assert result.returncode != 0
    assert complaint in result.stdout, result.stdout


def test_firewall_guard_lets_other_rules_through(tmp_path: Path) -> None:
    rules = [
        _rule(5985),
        _rule(5986, "udp"),
        _rule(3389, action="restrict", sources=["10.0.0.0/24", "fd00::/64"]),
    ]
    extra = {"windows_firewall_rules": rules, "windows_firewall_management": {"port": 5986}}
    result = _guard(tmp_path, "windows_firewall", extra)
    assert result.returncode == 0, result.stdout + result.stderr


def test_firewall_merges_findings_per_port_and_block_wins(tmp_path: Path) -> None:
    tasks = [
        {
            "name": "Guard",
            "ansible.builtin.include_role": {
                "name": "windows_firewall",
                "tasks_from": "guard",
                "public": True,
            },
        },
        {
            "name": "Show",
            "ansible.builtin.debug": {"msg": "RULES={{ __windows_firewall_rules | to_json }}"},
        },
    ]
    rules = [
        _rule(445, action="restrict", sources=["10.0.0.0/24"]),
        {**_rule(445), "key": "second"},
        _rule(3389, action="restrict", sources=["10.0.0.2"]),
        {**_rule(3389, action="restrict", sources=["10.0.0.1"]), "key": "third"},
    ]
    extra = {"windows_firewall_rules": rules, "windows_firewall_management": {"port": 5986}}
    result = _play(tmp_path, tasks, extra)
    assert result.returncode == 0, result.stdout + result.stderr
    shown = json.loads(re.search(r'"RULES=(.*)"\n', result.stdout).group(1).replace('\\"', '"'))  # type: ignore[union-attr]
    by_id = {rule["id"]: rule for rule in shown}
    assert by_id["tcp/445"]["action"] == "block"
    assert by_id["tcp/445"]["sources"] == []
    assert by_id["tcp/445"]["findings"] == ["k/tcp/445", "second"]
    assert by_id["tcp/3389"]["action"] == "restrict"
    assert by_id["tcp/3389"]["sources"] == ["10.0.0.1", "10.0.0.2"]


def _validate(
    tmp_path: Path, role: str, provided: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    spec_file = tmp_path / f"{role}.json"
    spec_file.write_text(json.dumps(_specs(role)["main"]["options"]), encoding="utf-8")
    task = {
        "name": "Validate",
        "ansible.builtin.validate_argument_spec": {
            "argument_spec": "{{ lookup('ansible.builtin.file', '"
            + str(spec_file)
            + "') | from_json }}",
            "provided_arguments": provided,
        },
    }
    return _play(tmp_path, [task], {})


@pytest.mark.parametrize("role", WINDOWS_ROLES)
def test_argument_spec_accepts_the_sample(tmp_path: Path, role: str) -> None:
    result = _validate(tmp_path, role, SAMPLE_VARS[role])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("role", "provided", "complaint"),
    [
        ("windows_services", {"windows_services_items": [{"key": "k", "reason": "r"}]}, "services"),
        (
            "windows_firewall",
            {"windows_firewall_rules": [{"key": "k", "reason": "r", "action": "nuke", "port": 1}]},
            "nuke",
        ),
        ("windows_firewall", {"windows_firewall_profiles": ["home"]}, "home"),
        ("schannel", {"schannel_protocols_disabled": ["SSL 9.0"]}, "SSL 9.0"),
        (
            "windows_harden",
            {
                "windows_harden_items": [
                    {"key": "k", "reason": "r", "daemon": "iis", "settings": []}
                ]
            },
            "iis",
        ),
        ("windows_snapshot", {}, "windows_snapshot_id"),
    ],
)
def test_argument_spec_rejects_bad_items(
    tmp_path: Path, role: str, provided: dict[str, Any], complaint: str
) -> None:
    result = _validate(tmp_path, role, provided)
    assert result.returncode != 0
    assert complaint in result.stdout


def test_windows_roles_pass_syntax_check(tmp_path: Path) -> None:
    play = [
        {
            "name": f"Use {role}",
            "hosts": "all",
            "gather_facts": False,
            "roles": [{"role": role, "vars": SAMPLE_VARS[role]}],
        }
        for role in WINDOWS_ROLES
    ]
    play.append(
        {
            "name": "Restore",
            "hosts": "all",
            "gather_facts": False,
            "tasks": [
                {
                    "name": f"Snapshot {entry}",
                    "ansible.builtin.include_role": {
                        "name": "windows_snapshot",
                        "tasks_from": entry,
                    },
                    "vars": {"windows_snapshot_id": "run-1"},
                }
                for entry in ("arm", "confirm", "restore")
            ],
        }
    )
    path = tmp_path / "windows.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    result = _run(
        [str(BIN / "ansible-playbook"), "--syntax-check", "-i", "win.example,", str(path)]
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ansible_lint_production_is_clean_on_roles() -> None:
    result = _run(
        [str(BIN / "ansible-lint"), "--profile", "production", "--offline", "-q", "roles"]
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
