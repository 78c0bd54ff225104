"""Running a role's tasks on localhost, as the static role tests do: a one-play playbook
of given tasks with extra vars, through this venv's ansible-playbook, roles from the
repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.corpus import REPO

BIN = Path(sys.executable).parent
ROLES = REPO / "roles"


def ansible_env() -> dict[str, str]:
    """The environment: this venv's tools first, the repository's roles, quiet output."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ANSIBLE_ROLES_PATH"] = str(ROLES)
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_LOCALHOST_WARNING"] = "false"
    env["ANSIBLE_INVENTORY_UNPARSED_WARNING"] = "false"
    return env


def run_tool(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``argv`` from the repository root with :func:`ansible_env`."""
    return subprocess.run(
        argv, cwd=REPO, env=ansible_env(), capture_output=True, text=True, timeout=300, check=False
    )


def run_play(
    tmp_path: Path, tasks: list[dict[str, Any]], extra: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    """``tasks`` as one local play with ``extra`` as extra vars."""
    play = [
        {
            "name": "Static check",
            "hosts": "localhost",
            "gather_facts": False,
            "connection": "local",
            "tasks": tasks,
        }
    ]
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    extra_file = tmp_path / "extra.json"
    extra_file.write_text(json.dumps(extra), encoding="utf-8")
    return run_tool([str(BIN / "ansible-playbook"), str(path), "-e", f"@{extra_file}"])
