"""The snapshot role and its host-side tool, exercised on files under a temporary directory.

The tool runs the same way on a lab host; here every path it records lives under
``tmp_path``, no unit is named and the firewall backend is ``none``, so nothing on this
machine outside ``tmp_path`` is read for changing or changed. The role runs with a local
connection, in check mode (which must write nothing) and for real (take, change, restore).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus import REPO
from tests.unit.generate.helpers import run_tool

ROLE = REPO / "roles" / "snapshot"
TOOL = ROLE / "files" / "remediator-snapshot"


def _tool(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, str(TOOL), *args], capture_output=True, text=True, check=False
    )
    result: dict[str, object] = json.loads(done.stdout)
    assert (done.returncode == 0) != bool(result.get("failed")), done
    return result


def _tree(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every path under ``root``: kind, mode and content or link target."""
    state = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            state[str(path)] = ("link", info.st_mode & 0o7777, str(path.readlink()))
        elif path.is_dir():
            state[str(path)] = ("dir", info.st_mode & 0o7777, "")
        else:
            state[str(path)] = ("file", info.st_mode & 0o7777, path.read_text())
    return state


@pytest.fixture
def etc(tmp_path: Path) -> Path:
    root = tmp_path / "etc"
    (root / "app" / "conf.d").mkdir(parents=True)
    (root / "app" / "main.conf").write_text("listen 443\nssl_protocols TLSv1 TLSv1.1;\n")
    (root / "app" / "conf.d" / "site.conf").write_text("server {}\n")
    (root / "app" / "enabled").symlink_to("main.conf")
    (root / "single.conf").write_text("telnet stream tcp nowait root /usr/sbin/telnetd\n")
    (root / "single.conf").chmod(0o640)
    return root


def _spec(etc: Path) -> str:
    paths = [str(etc / "app"), str(etc / "single.conf"), str(etc / "not-yet.conf")]
    return json.dumps({"paths": paths, "units": [], "reload": [], "firewall_backend": "none"})


def _mess_up(etc: Path) -> None:
    (etc / "app" / "main.conf").write_text("ssl_protocols TLSv1.2;\n")
    (etc / "app" / "main.conf").chmod(0o600)
    (etc / "app" / "conf.d" / "site.conf").unlink()
    (etc / "app" / "conf.d" / "remediator.conf").write_text("added\n")
    (etc / "app" / "new-dir").mkdir()
    (etc / "app" / "new-dir" / "x").write_text("x")
    (etc / "app" / "enabled").unlink()
    (etc / "app" / "enabled").symlink_to("conf.d")
    (etc / "single.conf").write_text("#telnet stream tcp nowait root /usr/sbin/telnetd\n")
    (etc / "not-yet.conf").write_text("created by a role\n")


def test_restore_puts_back_exactly_what_was_taken(etc: Path, tmp_path: Path) -> None:
    before = _tree(etc)
    snap = tmp_path / "snapshots" / "run-1"
    taken = _tool("take", "--dir", str(snap), "--spec", _spec(etc))
    assert taken["changed"] is True and taken["files"] == 3
    _mess_up(etc)
    preview = _tool("restore", "--dir", str(snap), "--check")
    assert preview["changed"] is True
    assert str(etc / "not-yet.conf") in preview["paths"]  # type: ignore[operator]
    assert _tree(etc) != before  # --check changed nothing
    restored = _tool("restore", "--dir", str(tmp_path / "snapshots" / "latest"))
    assert restored["changed"] is True
    assert _tree(etc) == before
    again = _tool("restore", "--dir", str(snap))
    assert again["changed"] is False and again["paths"] == []


def _paths(result: dict[str, object]) -> list[str]:
    paths = result["paths"]
    assert isinstance(paths, list)
    return [str(p) for p in paths]


def test_restore_removes_backups_written_beside_snapshotted_files(
    etc: Path, tmp_path: Path
) -> None:
    """``backup: true`` writes ``FILE.PID.DATE@TIME~`` beside a file, outside every tree."""
    older = etc / "single.conf.17.2026-01-02@03:04:05~"
    older.write_text("an admin's earlier backup: kept\n")
    lookalike = etc / "single.conf.orig~"
    lookalike.write_text("not Ansible's pattern: never touched\n")
    before = _tree(etc)
    snap = tmp_path / "snapshots" / "run-1"
    _tool("take", "--dir", str(snap), "--spec", _spec(etc))
    _mess_up(etc)
    added = [
        etc / "single.conf.4242.2026-11-25@12:00:00~",
        etc / "not-yet.conf.4243.2026-11-25@12:00:01~",
        etc / "app" / "main.conf.4244.2026-11-25@12:00:02~",
    ]
    for path in added:
        path.write_text("a role's backup\n")
    preview = _tool("restore", "--dir", str(snap), "--check")
    assert {str(p) for p in added} <= set(_paths(preview))
    restored = _tool("restore", "--dir", str(snap))
    assert {str(p) for p in added} <= set(_paths(restored))
    assert _tree(etc) == before
    assert older.is_file() and lookalike.is_file()


def test_an_existing_snapshot_is_never_overwritten(etc: Path, tmp_path: Path) -> None:
    snap = tmp_path / "snapshots" / "run-1"
    _tool("take", "--dir", str(snap), "--spec", _spec(etc))
    _mess_up(etc)
    second = _tool("take", "--dir", str(snap), "--spec", _spec(etc))
    assert second["changed"] is False
    _tool("restore", "--dir", str(snap))
    assert (etc / "app" / "main.conf").read_text().startswith("listen 443")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["restore", "--dir", "{snap}"], "no complete snapshot"),
        (["take", "--dir", "{snap}", "--spec", '{"units": ["--now"]}'], "not a unit name"),
        (
            ["take", "--dir", "{snap}", "--spec", '{"firewall_backend": "pf"}'],
            "unknown firewall backend",
        ),
        (
            ["take", "--dir", "{snap}", "--spec", '{"reload": [{"unit": "x", "path": "rel"}]}'],
            "bad reload entry",
        ),
    ],
)
def test_bad_requests_fail_without_a_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    snap = str(tmp_path / "s" / "x")
    result = _tool(*(a.replace("{snap}", snap) for a in args))
    assert result["failed"] is True
    assert message in str(result["msg"])


PLAYBOOK = """---
- name: Exercise the snapshot role on local files
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
    snapshot_root: {root}
    snapshot_paths: {paths}
    snapshot_units: []
    snapshot_reload: []
    snapshot_firewall_backend: none
  tasks:
    - name: Take, or restore
      ansible.builtin.include_role:
        name: snapshot
        tasks_from: "{{{{ step }}}}"
      vars:
        snapshot_id: run-1
"""


def _play(tmp_path: Path, etc: Path, step: str, *extra: str) -> subprocess.CompletedProcess[str]:
    root = tmp_path / "snapshots"
    paths = json.dumps([str(etc / "app"), str(etc / "single.conf"), str(etc / "not-yet.conf")])
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK.format(root=root, paths=paths), encoding="utf-8")
    argv = ["ansible-playbook", str(playbook), "-e", f"step={step}", *extra]
    return run_tool(argv, tmp_path, env={"ANSIBLE_ROLES_PATH": str(REPO / "roles")})


def test_role_in_check_mode_writes_nothing(etc: Path, tmp_path: Path) -> None:
    result = _play(tmp_path, etc, "main", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "snapshots").exists()


def test_role_takes_and_restores(etc: Path, tmp_path: Path) -> None:
    before = _tree(etc)
    taken = _play(tmp_path, etc, "main")
    assert taken.returncode == 0, taken.stdout + taken.stderr
    assert (tmp_path / "snapshots" / "run-1" / "COMPLETE").is_file()
    assert (tmp_path / "snapshots" / "run-1" / "remediator-snapshot").is_file()
    _mess_up(etc)
    preview = _play(tmp_path, etc, "restore", "--check")
    assert preview.returncode == 0 and "changed=1" in preview.stdout, preview.stdout
    assert _tree(etc) != before
    restored = _play(tmp_path, etc, "restore")
    assert restored.returncode == 0 and "changed=1" in restored.stdout, restored.stdout
    assert _tree(etc) == before
    again = _play(tmp_path, etc, "restore")
    assert "changed=0" in again.stdout, again.stdout


@pytest.mark.slow
def test_role_is_ansible_lint_production_clean(tmp_path: Path) -> None:
    result = run_tool(
        ["ansible-lint", "--offline", "--profile", "production", "--nocolor", str(ROLE)], REPO
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Profile 'production' was required, and it passed" in result.stdout + result.stderr


def _tool_module() -> object:
    import importlib.machinery
    import importlib.util

    loader = importlib.machinery.SourceFileLoader("remediator_snapshot", str(TOOL))
    spec = importlib.util.spec_from_loader("remediator_snapshot", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


LIVE_IPTABLES = """# Generated by iptables-save v1.8.9 (nf_tables)
*filter
:INPUT ACCEPT [120:9000]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [80:7000]
:REMEDIATOR - [0:0]
-A INPUT -j REMEDIATOR
-A REMEDIATOR -p tcp -m tcp --dport 3306 -m comment --comment "x" -j DROP
COMMIT
"""


def test_a_table_created_after_the_snapshot_is_emptied_on_restore() -> None:
    """iptables-restore only replaces the tables it is given: name the new ones, empty."""
    tool = _tool_module()
    restore_input = tool.ipt_restore_input("", LIVE_IPTABLES)  # type: ignore[attr-defined]
    assert restore_input == (
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
    )
    effective = tool.ipt_effective  # type: ignore[attr-defined]
    assert effective(restore_input) == effective("")  # restored counts as unchanged
    assert effective(LIVE_IPTABLES) != effective("")
    # counters and comments never make two dumps differ
    assert effective(LIVE_IPTABLES) == effective(LIVE_IPTABLES.replace("[120:9000]", "[1:2]"))
