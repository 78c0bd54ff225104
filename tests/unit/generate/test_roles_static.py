"""Static checks of the remediation roles: lint, syntax, argument specs as the contract.

Nothing here touches a host: playbooks are syntax-checked, argument specs are exercised
with ``validate_argument_spec`` (a controller-side action) and the firewall guard with
``assert`` tasks, all against an inventory-less localhost that no task can change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
ROLES = REPO / "roles"
ROLE_NAMES = ("disable_service", "firewall", "tls")
BIN = Path(sys.executable).parent

SAMPLE_VARS: dict[str, dict[str, Any]] = {
    "disable_service": {
        "disable_service_items": [
            {
                "key": "10.0.0.5/tcp/23/port-open",
                "reason": "telnet",
                "units": ["telnet.socket"],
                "inetd": ["telnet"],
                "packages": ["telnetd"],
                "remove_package": True,
            },
        ]
    },
    "firewall": {
        "firewall_backend": "nftables",
        "firewall_rules": [
            {
                "key": "10.0.0.5/tcp/6379/port-open",
                "reason": "redis",
                "action": "restrict",
                "port": 6379,
                "sources": ["10.0.0.0/24", "fd00::/64"],
            },
        ],
        "firewall_management": {"port": 2222, "sources": ["192.0.2.0/24"]},
    },
    "tls": {
        "tls_items": [
            {
                "key": "10.0.0.5/tcp/443/nmap:ssl-enum-ciphers",
                "reason": "TLS 1.0",
                "daemon": "nginx",
            },
            {
                "key": "10.0.0.5/tcp/21/nmap:ssl-enum-ciphers",
                "reason": "FTP",
                "daemon": "vsftpd",
                "force_tls": True,
                "disable_anonymous": True,
            },
        ],
        "tls_profile": "modern",
    },
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ANSIBLE_ROLES_PATH"] = str(ROLES)
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_LOCALHOST_WARNING"] = "false"
    env["ANSIBLE_INVENTORY_UNPARSED_WARNING"] = "false"
    return env


def _run(argv: list[str], cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300, check=False
    )


def _playbook(tmp_path: Path, tasks: list[dict[str, Any]], name: str = "play.yml") -> Path:
    play = [
        {
            "name": "Static check",
            "hosts": "localhost",
            "gather_facts": False,
            "connection": "local",
            "tasks": tasks,
        }
    ]
    path = tmp_path / name
    path.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    return path


def _spec(role: str) -> dict[str, Any]:
    data = yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text("utf-8"))
    spec: dict[str, Any] = data["argument_specs"]["main"]
    return spec


def _validate(
    tmp_path: Path, role: str, provided: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    """Run only the role's argument-spec validation on `provided` (no role task runs)."""
    spec_file = tmp_path / f"{role}.json"
    spec_file.write_text(json.dumps(_spec(role)["options"]), encoding="utf-8")
    task = {
        "name": "Validate",
        "ansible.builtin.validate_argument_spec": {
            "argument_spec": "{{ lookup('ansible.builtin.file', '"
            + str(spec_file)
            + "') | from_json }}",
            "provided_arguments": provided,
        },
    }
    return _run([str(BIN / "ansible-playbook"), str(_playbook(tmp_path, [task]))])


def test_ansible_lint_production_is_clean() -> None:
    result = _run(
        [str(BIN / "ansible-lint"), "--profile", "production", "--offline", "roles", "molecule"]
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "Profile 'production' was required, and it passed" in result.stdout + result.stderr


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_role_playbook_passes_syntax_check(tmp_path: Path, role: str) -> None:
    play = [
        {
            "name": f"Use {role}",
            "hosts": "all",
            "gather_facts": False,
            "roles": [{"role": role, "vars": SAMPLE_VARS[role]}],
        }
    ]
    path = tmp_path / f"{role}.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    result = _run(
        [str(BIN / "ansible-playbook"), "--syntax-check", "-i", "lab.example,", str(path)]
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("scenario", ROLE_NAMES)
def test_molecule_playbooks_pass_syntax_check(scenario: str) -> None:
    folder = REPO / "molecule" / scenario
    for playbook in ("converge.yml", "../shared/create.yml", "../shared/destroy.yml"):
        result = _run(
            [
                str(BIN / "ansible-playbook"),
                "--syntax-check",
                "-i",
                "localhost,",
                str(folder / playbook),
            ]
        )
        assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((folder / "molecule.yml").read_text("utf-8"))
    assert config["dependency"]["enabled"] is False
    assert config["scenario"]["test_sequence"] == [
        "syntax",
        "create",
        "check",
        "converge",
        "idempotence",
        "verify",
        "destroy",
    ]


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_argument_spec_covers_every_default(role: str) -> None:
    defaults = yaml.safe_load((ROLES / role / "defaults" / "main.yml").read_text("utf-8"))
    options = _spec(role)["options"]
    assert set(defaults) <= set(options), set(defaults) - set(options)
    for name, option in options.items():
        assert option.get("description"), name
        assert option.get("type"), name
        if name in defaults:
            assert option.get("default") == defaults[name], name
        assert name.startswith(f"{role}_"), name


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_argument_spec_accepts_the_sample(tmp_path: Path, role: str) -> None:
    result = _validate(tmp_path, role, SAMPLE_VARS[role])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("role", "provided", "complaint"),
    [
        (
            "disable_service",
            {"disable_service_items": [{"reason": "no key", "units": ["x"]}]},
            "key",
        ),
        (
            "firewall",
            {"firewall_rules": [{"key": "k", "reason": "r", "action": "nuke", "port": 1}]},
            "nuke",
        ),
        ("firewall", {"firewall_backend": "pf"}, "pf"),
        ("tls", {"tls_items": [{"key": "k", "reason": "r", "daemon": "iis"}]}, "iis"),
        ("tls", {"tls_profile": "old"}, "old"),
    ],
)
def test_argument_spec_rejects_bad_items(
    tmp_path: Path, role: str, provided: dict[str, Any], complaint: str
) -> None:
    result = _validate(tmp_path, role, provided)
    assert result.returncode != 0
    assert complaint in result.stdout


def _guard(tmp_path: Path, rules: list[dict[str, Any]]) -> subprocess.CompletedProcess[str]:
    """Only the firewall role's guard (asserts, controller-side) on the given rules."""
    task = {
        "name": "Guard",
        "ansible.builtin.include_role": {"name": "firewall", "tasks_from": "guard"},
    }
    extra = {
        "firewall_rules": rules,
        "firewall_management": {"port": 2222},
        "ansible_env": {"SSH_CONNECTION": "192.0.2.1 40000 192.0.2.10 2222"},
    }
    extra_file = tmp_path / "extra.json"
    extra_file.write_text(json.dumps(extra), encoding="utf-8")
    return _run(
        [str(BIN / "ansible-playbook"), str(_playbook(tmp_path, [task])), "-e", f"@{extra_file}"]
    )


def test_firewall_refuses_a_rule_on_the_management_port(tmp_path: Path) -> None:
    rules = [
        {"key": "10.0.0.5/tcp/2222/port-open", "reason": "ssh", "action": "block", "port": 2222}
    ]
    result = _guard(tmp_path, rules)
    assert result.returncode != 0
    assert "REFUSED: firewall rule 10.0.0.5/tcp/2222/port-open" in result.stdout
    assert "tcp/2222, the port Ansible manages" in result.stdout


def test_firewall_guard_lets_other_rules_through(tmp_path: Path) -> None:
    rules = [
        {"key": "k", "reason": "r", "action": "block", "port": 22},
        {"key": "u", "reason": "r", "action": "block", "port": 2222, "protocol": "udp"},
    ]
    result = _guard(tmp_path, rules)
    assert result.returncode == 0, result.stdout + result.stderr
