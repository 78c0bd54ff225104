"""Running the system tools the lab is made of (ip, debootstrap, systemd-nspawn, ...).

Every command is an argv list (never a shell line), and every failure becomes an
:class:`~remediator.errors.ExecutionError` that names the command and shows the end
of its output, so ``remediator lab`` reports one readable line instead of a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from remediator.errors import ExecutionError

Say = Callable[[str], None]
"""Where progress lines go (stderr for the CLI, the terminal for pytest)."""

TAIL_CHARS: Final = 1500

REQUIRED_TOOLS: Final = (
    "ip",
    "debootstrap",
    "systemd-nspawn",
    "unshare",
    "chroot",
    "mount",
    "umount",
    "ssh",
    "ssh-keygen",
    "setsid",
)
SCAN_TOOLS: Final = ("nmap",)


def quiet(_line: str) -> None:
    """A Say that drops progress lines."""


def missing_tools(names: Sequence[str]) -> list[str]:
    """The tools among ``names`` not found on PATH."""
    return [name for name in names if shutil.which(name) is None]


def require_root_and_tools(names: Sequence[str] = REQUIRED_TOOLS) -> None:
    """Refuse early, in one line, when the lab cannot work on this machine."""
    if os.geteuid() != 0:
        raise ExecutionError("the lab needs root (network namespaces, mounts, systemd-nspawn)")
    missing = missing_tools(names)
    if missing:
        raise ExecutionError(
            f"the lab needs these tools, missing on PATH: {', '.join(missing)} "
            "(Debian: apt-get install debootstrap systemd-container iproute2 "
            "openssh-client nmap)"
        )


def run(
    argv: Sequence[str],
    *,
    log: Path | None = None,
    input_text: str | None = None,
    timeout: float | None = None,
) -> str:
    """Run ``argv``; return its stdout, or raise ExecutionError with its output's tail.

    With ``log`` the output is appended to that file instead (long builds), and the
    error quotes the file's tail.
    """
    try:
        if log is None:
            done = subprocess.run(
                list(argv),
                input=input_text,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            output = done.stdout + done.stderr
        else:
            with log.open("a", encoding="utf-8") as sink:
                sink.write(f"\n$ {' '.join(argv)}\n")
                sink.flush()
                done = subprocess.run(
                    list(argv),
                    input=input_text,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    text=True,
                    timeout=timeout,
                    check=False,
                )
            output = log.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError as exc:
        raise ExecutionError(f"{argv[0]}: not found on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise ExecutionError(f"{' '.join(argv[:3])} ...: timed out after {timeout} s") from exc
    if done.returncode != 0:
        where = f" (full log: {log})" if log else ""
        raise ExecutionError(
            f"{' '.join(argv[:4])} ... failed with exit {done.returncode}{where}:\n"
            f"{output[-TAIL_CHARS:].strip()}"
        )
    return done.stdout if log is None else ""


def capture(argv: Sequence[str], timeout: float) -> tuple[int, str]:
    """Exit code and stdout+stderr of ``argv``; 124 when it timed out (probes)."""
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError:
        return 127, f"{argv[0]}: not found"
    except subprocess.TimeoutExpired:
        return 124, "timed out"
    return done.returncode, done.stdout + done.stderr


def succeeds(argv: Sequence[str], timeout: float | None = None) -> bool:
    """True when ``argv`` exits 0; its output is discarded (probes, clean-up)."""
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
