"""The lab's SSH key and the commands that reach lab hosts through the controller.

Anything remediator runs against lab hosts (ssh, ansible, nmap, testinfra) runs inside
the controller namespace via :func:`controller_command`: that namespace routes only the
lab subnet, so nothing lab-specific has to leak into generated Ansible projects.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from remediator.common.processes import in_namespace
from remediator.lab.config import Host, LabConfig
from remediator.lab.proc import run

KEY_NAME: Final = "id_ed25519"

# Lab hosts get new host keys on every boot and reset: pinning them would only
# produce prompts. Valid for lab addresses only; never copy these to a real inventory.
NO_HOST_KEY_CHECK: Final = (
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
)


def key_path(state_dir: Path) -> Path:
    """The lab's private key (ed25519, no passphrase, root-only)."""
    return state_dir / "ssh" / KEY_NAME


def ensure_key(state_dir: Path) -> Path:
    """The lab key, generated on first use and kept across ``up``/``down``."""
    key = key_path(state_dir)
    if not key.is_file():
        key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "remediator-lab", "-f", str(key)])
    return key


def ssh_options(key: Path, *, batch: bool = True) -> list[str]:
    """ssh options for a lab host: the lab key only, no host-key prompts."""
    options = ["-i", str(key), "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=5"]
    options += NO_HOST_KEY_CHECK
    if batch:
        options += ["-o", "BatchMode=yes"]
    return options


def controller_command(argv: Sequence[str], config: LabConfig | None = None) -> list[str]:
    """``argv`` run inside the lab's controller namespace.

    Without ``config`` the running lab's (from its saved state) is used, or the default
    lab's when none is saved.
    """
    if config is None:
        from remediator.lab.state import current_config  # noqa: PLC0415  (state imports ssh)

        config = current_config()
    return in_namespace(config.controller_ns, list(argv))


def ssh_command(
    config: LabConfig,
    host: Host,
    remote: Sequence[str] = (),
    *,
    batch: bool = True,
    address: str | None = None,
) -> list[str]:
    """ssh to ``host`` as root from the controller, running ``remote`` when given."""
    argv = ["ssh", *ssh_options(key_path(config.state_dir), batch=batch)]
    argv.append(f"root@{address or host.address4}")
    if remote:
        argv += ["--", *remote]
    return controller_command(argv, config)
