"""The roles the generated project copies in, read once from remediator's own tree.

Copying the roles (not referencing them) is what lets the project run anywhere,
including AWX with the project directory as its root. Only what Ansible runs is copied:
role tests (molecule), caches and hidden files stay behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

from remediator.common.shipped import shipped_dir
from remediator.errors import ExecutionError

LINUX_ROLES: Final = ("disable_service", "firewall", "harden", "patch", "snapshot", "tls")
WINDOWS_ROLES: Final = (
    "schannel",
    "windows_firewall",
    "windows_harden",
    "windows_services",
    "windows_snapshot",
)
"""Copied only into a project with Windows hosts, so a Linux-only project neither carries
them nor asks for the Windows collections."""
ROLES: Final = (*LINUX_ROLES, *WINDOWS_ROLES)
"""Every role a generated playbook may include."""

_SKIP_DIRS: Final = frozenset({"molecule", "tests", "__pycache__"})
_SKIP_SUFFIXES: Final = (".pyc", ".pyo", ".orig", ".rej", "~")


def roles_dir() -> Path:
    """Where the roles are: the installed package's copy, else the checkout's ``roles/``."""
    return shipped_dir("roles")


def load_roles(root: Path | None = None) -> dict[str, bytes]:
    """``{"<role>/<path>": bytes}`` of every role file the project needs, sorted."""
    base = root or roles_dir()
    files: dict[str, bytes] = {}
    for role in ROLES:
        folder = base / role
        if not (folder / "tasks" / "main.yml").is_file():
            raise ExecutionError(
                f"role {role!r} not found under {base}: this remediator was installed "
                "without its roles (build it with `python -m build`, which copies them in)"
            )
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(base)
            if path.is_file() and _wanted(relative):
                files[relative.as_posix()] = path.read_bytes()
    return dict(sorted(files.items()))


def _wanted(relative: Path) -> bool:
    parts = relative.parts
    if any(p.startswith(".") or p in _SKIP_DIRS for p in parts):
        return False
    return not relative.name.endswith(_SKIP_SUFFIXES)


def roles_for(roles: Mapping[str, bytes], *, windows: bool) -> dict[str, bytes]:
    """The role files a project needs: the Linux roles, and the Windows ones if ``windows``."""
    wanted = ROLES if windows else LINUX_ROLES
    return {path: data for path, data in roles.items() if path.split("/", 1)[0] in wanted}
