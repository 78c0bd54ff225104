"""Every module call in every role validates against the installed module's argument spec.

The validator (``module_args``) is first shown to fail on calls that are wrong in each
way it checks, so a clean verdict on the roles means something.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus import REPO
from tests.unit.roles.module_args import ModuleCall, module_calls, role_task_files, validate_calls

ROLES = REPO / "roles"
ROLE_NAMES = sorted(p.name for p in ROLES.iterdir() if (p / "tasks").is_dir())


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_module_call_matches_its_argument_spec(role: str) -> None:
    files = [f for f in role_task_files(ROLES) if f.relative_to(ROLES).parts[0] == role]
    calls = [call for path in files for call in module_calls(path, REPO)]
    assert calls, role
    assert validate_calls(calls, ROLES) == []


def test_the_windows_roles_call_the_windows_modules() -> None:
    """The walk reaches into blocks and per-concern files, not only main.yml."""
    calls = [c for path in role_task_files(ROLES) for c in module_calls(path, REPO)]
    modules = {call.module for call in calls}
    assert {
        "ansible.windows.win_service",
        "ansible.windows.win_regedit",
        "ansible.windows.win_powershell",
        "ansible.windows.win_optional_feature",
        "ansible.windows.win_ping",
        "community.windows.win_firewall_rule",
        "community.windows.win_scheduled_task",
        "unit_states",  # a role's own library module, validated from its DOCUMENTATION
    } <= modules
    assert any("revert_confirm.yml" in c.where and "block" in c.where for c in calls)


@pytest.mark.parametrize(
    ("module", "args", "complaint"),
    [
        ("ansible.windows.win_service", {"name": "x", "stat": "stopped"}, "unknown option 'stat'"),
        ("ansible.windows.win_service", {"name": "x", "start_mode": "off"}, "'off' is not one of"),
        ("ansible.windows.win_service", {"state": "stopped"}, "required option 'name' missing"),
        ("ansible.windows.win_regedit", {"key": "HKLM:\\X", "type": "dword"}, ""),
        ("ansible.windows.win_regedit", {"path": "HKLM:\\X", "delete_key": "perhaps"}, "bool"),
        ("community.windows.win_firewall_rule", {"name": "r", "enabled": "maybe"}, "not of type"),
        ("ansible.windows.win_powershell", {"script": "x", "depth": "deep"}, "not of type int"),
        (
            "community.windows.win_scheduled_task",
            {"name": "t", "triggers": [{"type": "someday"}]},
            "'someday' is not one of",
        ),
        (
            "community.windows.win_scheduled_task",
            {"name": "t", "actions": [{"arguments": "-x"}]},
            "required option 'path' missing",
        ),
        ("unit_states", {"units": [], "colour": "red"}, "unknown option 'colour'"),
        ("ansible.windows.win_nonesuch", {}, "not installed"),
    ],
)
def test_validator_fails_on_wrong_calls(
    module: str, args: dict[str, object], complaint: str
) -> None:
    problems = validate_calls([ModuleCall("test", module, args)], ROLES)
    if complaint:
        assert any(complaint in p for p in problems), problems
    else:
        assert problems == []  # an alias (key for path) is an option of its own name


def test_validator_leaves_jinja_values_to_the_host() -> None:
    call = ModuleCall("test", "ansible.windows.win_service", {"name": "x", "start_mode": "{{ m }}"})
    assert validate_calls([call], ROLES) == []


def test_task_file_with_two_modules_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "tasks.yml"
    bad.write_text("- name: Two\n  ansible.windows.win_ping:\n  ansible.windows.win_file:\n")
    with pytest.raises(AssertionError, match="expected one module"):
        list(module_calls(bad, tmp_path))
