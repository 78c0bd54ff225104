"""A generated project made to run on this machine, touching only a temp directory.

It starts as a real project of the lab plan (``remediator generate``: its playbooks with
the guard play, serial, snapshot pre_tasks, block/rescue and post_tasks verification,
rollback.yml, host_vars with the real items and finding keys) for a subset of its hosts.
Only what runs on a host is swapped: the inventory makes each host local
(``ansible_connection: local``), the roles and the listener module are stand-ins, and the
testinfra suites check the stand-ins' work. Each host is a directory (``fake_root``)
whose ``state/`` the roles write, one file per finding key, and whose snapshot the fake
snapshot role copies and restores. Marker files in a host's directory make it misbehave:

* ``SLOW``: the disable_service role sleeps (seconds in the file) between two changes;
* ``REJECT``: the firewall role fails after writing its ruleset (the play's rescue restores);
* ``BREAK_SUITE``: the host's testinfra suite fails (the controller's check restores).

So dry-run, apply, batches, rollback and interrupts are exercised through real
ansible-runner and ansible-playbook runs, without a network.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from remediator.common.window import parse_window
from remediator.generate.manifest import NAME as MANIFEST
from remediator.generate.manifest import manifest_bytes, read_manifest
from remediator.generate.project import utc_text
from remediator.generate.yamlout import Value, dump
from remediator.run.project import RUN_VARS, Project
from remediator.run.varsfile import load_vars

SNAPSHOT_TOOL = r"""
import filecmp, json, os, shutil, sys

def same(a, b):
    if os.path.isdir(a) != os.path.isdir(b):
        return False
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    return not mismatch and not errors and all(
        same(os.path.join(a, d), os.path.join(b, d)) for d in cmp.common_dirs)

command, root, ident = sys.argv[1:4]
state, snap = os.path.join(root, "state"), os.path.join(root, "snapshots", ident)
if command == "take":
    if os.path.exists(os.path.join(snap, "COMPLETE")):
        print(json.dumps({"changed": False, "dir": snap}))
        sys.exit(0)
    os.makedirs(snap, exist_ok=True)
    shutil.copytree(state, os.path.join(snap, "state"), dirs_exist_ok=True)
    open(os.path.join(snap, "COMPLETE"), "w").close()
    print(json.dumps({"changed": True, "dir": snap}))
elif command == "restore":
    saved = os.path.join(snap, "state")
    changed = not same(saved, state)
    if changed and "--check" not in sys.argv:
        shutil.rmtree(state)
        shutil.copytree(saved, state)
    print(json.dumps({"changed": changed, "dir": snap}))
"""

SNAPSHOT_MAIN = """\
---
- name: Take the snapshot
  ansible.builtin.command:
    argv: ["{{ ansible_python_interpreter }}", "{{ role_path }}/files/snap.py", take,
           "{{ fake_root }}", "{{ snapshot_id }}"]
  register: __take
  changed_when: (__take.stdout | from_json).changed
  when: not ansible_check_mode
"""

SNAPSHOT_RESTORE = """\
---
- name: Find the snapshot
  ansible.builtin.stat:
    path: "{{ fake_root }}/snapshots/{{ snapshot_id }}/COMPLETE"
  register: __found

- name: Refuse when there is no snapshot to restore
  ansible.builtin.assert:
    that: __found.stat.exists
    fail_msg: "no complete snapshot {{ snapshot_id }} on {{ inventory_hostname }}"
    quiet: true

- name: Restore the snapshot
  ansible.builtin.command:
    argv: ["{{ ansible_python_interpreter }}", "{{ role_path }}/files/snap.py", restore,
           "{{ fake_root }}", "{{ snapshot_id }}"]
  register: __restore
  check_mode: false
  changed_when: (__restore.stdout | from_json).changed
"""

SNAPSHOT_CONFIRM = """\
---
- name: Disarm the revert timer
  ansible.builtin.command:
    argv: ["true"]
  changed_when: false
  when: not ansible_check_mode
"""

DISABLE_MAIN = """\
---
- name: Stop and disable the units
  ansible.builtin.copy:
    dest: "{{ fake_root }}/state/disabled-{{ item.key | hash('sha1') }}"
    content: "{{ item.key }}\\n"
    mode: "0644"
  loop: "{{ disable_service_items }}"
  loop_control:
    label: "{{ item.key }}"

- name: Take a while when the host says so (a task to interrupt)
  ansible.builtin.command:
    argv: [sleep, "{{ lookup('ansible.builtin.file', fake_root ~ '/SLOW') | trim }}"]
  changed_when: false
  when: (fake_root ~ '/SLOW') is exists

- name: Mask the units
  ansible.builtin.copy:
    dest: "{{ fake_root }}/state/masked-{{ item.key | hash('sha1') }}"
    content: "{{ item.key }}\\n"
    mode: "0644"
  loop: "{{ disable_service_items }}"
  loop_control:
    label: "{{ item.key }}"
"""

FIREWALL_MAIN = """\
---
- name: Persist the table for boot
  ansible.builtin.copy:
    dest: "{{ fake_root }}/state/ruleset"
    content: "{{ firewall_rules | map(attribute='port') | list | to_json }}\\n"
    mode: "0644"

- name: Reject the ruleset when the host says so
  ansible.builtin.fail:
    msg: the firewall rejected the ruleset
  when: (fake_root ~ '/REJECT') is exists
"""

TLS_MAIN = """\
---
- name: Rewrite TLS settings where the configuration sets them
  ansible.builtin.copy:
    dest: "{{ fake_root }}/state/tls.conf"
    content: "{{ tls_items | map(attribute='key') | join(',') }}\\n"
    mode: "0644"
  notify: Reload nginx
"""

TLS_HANDLERS = """\
---
- name: Reload nginx
  ansible.builtin.debug:
    msg: reloaded
  changed_when: true
"""

LISTENERS = """\
#!/usr/bin/python
# Stand-in for the generated project's listener probe: these hosts run no listeners.
from ansible.module_utils.basic import AnsibleModule

module = AnsibleModule(argument_spec={"ports": {"type": "list", "elements": "dict"},
                                      "keep": {"type": "list", "elements": "dict"}},
                       supports_check_mode=True)
module.exit_json(changed=False, units={})
"""

SUITE = '''\
"""Stand-in testinfra suite of one host: the fake roles' files are there."""

import hashlib

testinfra_hosts = [{target!r}]
ROOT = {root!r}
DISABLED = {keys!r}
KEYS = {{'test_fix_disabled': {keys!r}}}  # as generated suites have: test -> finding keys


def test_fix_disabled(host):
    for key in DISABLED:
        name = hashlib.sha1(key.encode()).hexdigest()
        assert host.file(f"{{ROOT}}/state/disabled-{{name}}").exists, key


def test_keep_suite_not_broken(host):
    assert not host.file(f"{{ROOT}}/BREAK_SUITE").exists
'''


@dataclass
class FakeProject:
    """A built fake project and its hosts' directories."""

    root: Path
    hosts_dir: Path
    hosts: Sequence[str] = field(default_factory=list)

    def host_root(self, name: str) -> Path:
        return self.hosts_dir / name

    def state(self, name: str) -> dict[str, bytes]:
        """Every file of the host's state, by name (what a restore must put back)."""
        folder = self.host_root(name) / "state"
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}

    def disabled(self, name: str, key: str) -> bool:
        digest = hashlib.sha1(key.encode()).hexdigest()  # noqa: S324 - a file name
        return (self.host_root(name) / "state" / f"disabled-{digest}").exists()

    def mark(self, host: str, marker: str, text: str = "") -> None:
        (self.host_root(host) / marker).write_text(text, encoding="utf-8")


def build(
    base: Path,
    source: Project,
    hosts: Sequence[str],
    *,
    window: str = "now+2h",
    now: datetime | None = None,
    broken_verify: Sequence[str] = (),
) -> FakeProject:
    """A fake of ``source`` for ``hosts`` under ``base/project``; hosts under ``base/hosts``."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    root, hosts_dir = base / "project", base / "hosts"
    shutil.copytree(source.root, root, ignore=shutil.ignore_patterns("roles", "__pycache__"))
    for path in [*root.glob("host_vars/*.yml"), *root.glob("tests/test_*.py")]:
        path.unlink()
    files: dict[str, str] = {
        "ansible.cfg": "[defaults]\ninventory = inventory.yml\nroles_path = roles\n"
        "retry_files_enabled = False\nhost_key_checking = False\n",
        "inventory.yml": _inventory(hosts_dir, hosts),
        RUN_VARS: _run_vars(root / RUN_VARS, window, now),
        "playbooks/library/remediator_listeners.py": LISTENERS,
        "roles/snapshot/files/snap.py": SNAPSHOT_TOOL,
        "roles/snapshot/tasks/main.yml": SNAPSHOT_MAIN,
        "roles/snapshot/tasks/restore.yml": SNAPSHOT_RESTORE,
        "roles/snapshot/tasks/confirm.yml": SNAPSHOT_CONFIRM,
        "roles/disable_service/tasks/main.yml": DISABLE_MAIN,
        "roles/firewall/tasks/main.yml": FIREWALL_MAIN,
        "roles/tls/tasks/main.yml": TLS_MAIN,
        "roles/tls/handlers/main.yml": TLS_HANDLERS,
    }
    for host in hosts:
        spec = source.host(host)
        files[f"host_vars/{host}.yml"] = _host_vars(
            source.root / "host_vars" / f"{host}.yml", broken=host in broken_verify
        )
        files[str(spec.suite)] = SUITE.format(
            target=f"ansible://{host}",
            root=str(hosts_dir / host),
            keys=list(spec.keys_for("disable_service")),
        )
        (hosts_dir / host / "state").mkdir(parents=True)
        (hosts_dir / host / "state" / "config").write_text("original\n", encoding="utf-8")
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    _manifest(root, source, hosts)
    return FakeProject(root, hosts_dir, list(hosts))


def _manifest(root: Path, source: Project, hosts: Sequence[str]) -> None:
    info = dict(read_manifest(source.root) or {})
    info.pop("files", None)
    info.pop("schema", None)
    info["hosts"] = {h: {"changes": True} for h in hosts}
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    (root / MANIFEST).write_bytes(manifest_bytes(info, files))


def _inventory(hosts_dir: Path, names: Sequence[str]) -> str:
    lines = [
        "all:",
        "  vars:",
        "    ansible_connection: local",
        f"    ansible_python_interpreter: {sys.executable}",
        "    ansible_become: false",
        "  hosts:",
    ]
    lines += [f'    "{name}":\n      fake_root: {hosts_dir / name}' for name in names]
    return "\n".join(lines) + "\n"


def _run_vars(path: Path, window: str, now: datetime) -> str:
    data: dict[str, Value] = dict(load_vars(path).data)
    parsed = parse_window(window, now)
    data["remediator_window"] = window
    data["remediator_generated_at"] = utc_text(now)
    data["remediator_window_openings"] = [
        {"start": utc_text(i.start), "end": utc_text(i.end)}
        for i in parsed.intervals_until(now, timedelta(days=30))
    ]
    return dump(data, sort_keys=False)


def _host_vars(path: Path, *, broken: bool) -> str:
    """The real host vars, the host-view verification emptied (these hosts are fake).

    ``broken``: the verification expects tcp/1 listening, which nothing here does.
    """
    data: dict[str, Value] = dict(load_vars(path).data)
    listening: list[Value] = [{"protocol": "tcp", "port": 1, "keys": []}] if broken else []
    data["remediator_verify"] = {"closed": [], "listening": listening, "tls": []}
    return dump(data, sort_keys=False)
