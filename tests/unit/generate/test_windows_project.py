"""The project generated for the mixed Linux and Windows estate, as far as it can be
proven without a Windows host: every Windows task the generator writes (the Windows play,
its verification, the snapshot and rollback plays) validates against the installed
collections' argument specs (``ansible-doc --json``), and the Windows files are compared
with golden files byte for byte. (The roles' own tasks: tests/unit/roles; syntax-check and
ansible-lint production of this project: test_ansible_checks.py.)

After a deliberate change, review the diff and rewrite the golden files with

    REMEDIATOR_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/generate/test_windows_project.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from remediator.classify.plan_document import parse_plan
from tests.unit.generate.helpers import project, windows_plan_bytes, write_tree
from tests.unit.roles.module_args import ModuleCall, module_calls, validate_calls

GOLDEN = Path(__file__).resolve().parent / "golden-windows"
SUFFIX = ".golden"
UPDATE = os.environ.get("REMEDIATOR_UPDATE_GOLDEN") == "1"
WINDOWS_FILES = (
    "host_vars/win1.lab.yml",
    "host_vars/win2.lab.yml",
    "tests/test_win1_lab.py",
    "tests/test_win2_lab.py",
    "tests/remediator_windows_checks.py",
    "playbooks/remediate.yml",
    "playbooks/snapshot.yml",
    "playbooks/rollback.yml",
    "playbooks/tasks/verify_windows.yml",
    "inventory.yml",
    "README.md",
)
PLAY_SECTIONS = ("pre_tasks", "tasks", "post_tasks", "handlers")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("windows")
    return project(parse_plan(windows_plan_bytes(tmp), "plan.json"))


@pytest.fixture(scope="module")
def tree(files: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(files, tmp_path_factory.mktemp("windows-project"))


def _play_calls(playbook: Path, root: Path, scratch: Path) -> list[ModuleCall]:
    """Every module call of every play, through the same walk as a role's task file."""
    calls: list[ModuleCall] = []
    for index, play in enumerate(yaml.safe_load(playbook.read_text("utf-8"))):
        tasks = [t for section in PLAY_SECTIONS for t in play.get(section) or []]
        flat = scratch / f"{playbook.stem}-play{index}.yml"
        flat.write_text(yaml.safe_dump(tasks), encoding="utf-8")
        calls += module_calls(flat, root)
    return calls


def test_every_generated_windows_task_matches_its_argument_spec(tree: Path, tmp_path: Path) -> None:
    calls = list(module_calls(tree / "playbooks/tasks/verify_windows.yml", tree))
    for name in ("remediate", "snapshot", "rollback"):
        calls += _play_calls(tree / "playbooks" / f"{name}.yml", tmp_path, tmp_path)
    windows = {c.module for c in calls if ".windows." in c.module}
    assert {
        "ansible.windows.win_service_info",
        "ansible.windows.win_powershell",
        "ansible.windows.win_ping",
    } <= windows
    assert validate_calls(calls, tree / "roles") == []


def test_no_windows_firewall_rule_touches_winrm(files: dict[str, bytes]) -> None:
    for host in ("win1.lab", "win2.lab"):
        data = yaml.load(files[f"host_vars/{host}.yml"], Loader=_UnsafeLoader)  # noqa: S506
        management = data["windows_firewall_management"]
        assert management["port"] in (5985, 5986)
        for rule in data["windows_firewall_rules"]:
            assert (rule["protocol"], rule["port"]) != ("tcp", management["port"]), rule
        assert not any(
            name.lower() in {"winrm", "rpcss", "rpceptmapper", "dcomlaunch"}
            for item in data["windows_services_items"]
            for name in item["services"]
        )


class _UnsafeLoader(yaml.SafeLoader):
    """Reads the generated ``!unsafe`` strings as plain strings."""


_UnsafeLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def _on_disk() -> dict[str, bytes]:
    return {
        p.relative_to(GOLDEN).as_posix().removesuffix(SUFFIX): p.read_bytes()
        for p in sorted(GOLDEN.rglob(f"*{SUFFIX}"))
    }


def test_windows_files_match_the_golden_files(files: dict[str, bytes]) -> None:
    generated = {path: files[path] for path in WINDOWS_FILES}
    if UPDATE:
        for relative, data in generated.items():
            path = GOLDEN / f"{relative}{SUFFIX}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    golden = _on_disk()
    assert sorted(golden) == sorted(generated), "files added or missing: update the golden files"
    for relative in sorted(generated):
        assert generated[relative].decode() == golden[relative].decode(), relative
