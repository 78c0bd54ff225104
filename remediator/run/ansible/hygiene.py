"""Leaving no trace a run should not leave: secrets in the record, processes on the hosts.

* :func:`scrub_event` drops the hosts' session environment from gathered facts before
  ansible-runner writes an event; :func:`scrub_command` rewrites ``artifacts/<ident>/command``
  without the process environment ansible-runner puts there.
* :func:`settle_connections` waits for what a stopped run still has working on its hosts
  (Ansible's workers and ssh clients outlive the playbook) and ends its ssh masters.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path
from typing import Any, Final

from remediator.common.files import PRIVATE_MODE, replace_file

CONTROL_DIR_ENV: Final = "ANSIBLE_SSH_CONTROL_PATH_DIR"
"""The ssh connection plugin's setting for where ControlPersist sockets go. Each run gets
a directory of its own: a master left in the shared default (``~/.ansible/cp``) by
another run, or by a testinfra suite, to a host that was rebuilt since would take this
run's connection and hang it ("timed out during banner exchange")."""
SETTLE_SECONDS: Final = 300.0
"""How long a stopped run's in-flight modules may take to finish on their hosts."""
POLL_SECONDS: Final = 0.2


def scrub_event(event: dict[str, Any]) -> None:
    """Drop the hosts' process environment from gathered facts before the event is written.

    ansible-runner writes each event as this callback leaves it. ``ansible_env`` (the
    environment of the session on the host; on a local connection, the controller's own)
    is the one fact that routinely carries credentials, and no report needs it.
    """
    res = (event.get("event_data") or {}).get("res")
    facts = res.get("ansible_facts") if isinstance(res, dict) else None
    if isinstance(facts, dict):
        facts.pop("ansible_env", None)
        facts.pop("env", None)


def settle_connections(control: Path, timeout: float = SETTLE_SECONDS) -> None:
    """Wait for what this run still has working on its hosts, then end its ssh masters.

    Stopping the playbook does not stop everything it started: Ansible's workers and its
    ssh clients run in sessions of their own, and a worker still running carries a module
    that is still changing its host. Each of them inherited :data:`CONTROL_DIR_ENV`
    (this run's own directory); they are waited for (so nobody restores a host while a
    change is landing on it), and then the ControlPersist masters left are ended.
    """
    marker = f"{CONTROL_DIR_ENV}={control}".encode() + b"\0"
    deadline = time.monotonic() + timeout
    while True:
        found = _processes(marker)
        working = [pid for pid, argv in found if b"[mux]" not in argv]
        if not working or time.monotonic() > deadline:
            break
        time.sleep(POLL_SECONDS)
    for pid, _ in _processes(marker):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)


def _processes(marker: bytes) -> list[tuple[int, bytes]]:
    """(pid, argv) of every process whose environment holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker not in (entry / "environ").read_bytes():
                continue
            found.append((int(entry.name), (entry / "cmdline").read_bytes()))
        except OSError:
            continue
    return found


def scrub_command(artifacts: Path) -> None:
    """Rewrite ``artifacts/<ident>/command`` without the environment ansible-runner put in it."""
    path = artifacts / "command"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    kept = (
        {"command": data.get("command"), "cwd": data.get("cwd")} if isinstance(data, dict) else {}
    )
    replace_file(path, json.dumps(kept) + "\n", mode=PRIVATE_MODE)
