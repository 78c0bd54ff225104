"""Running external commands side by side: scanners, each writing a file of its own.

Used by the lab's scan, the lab's rescan and ``verify --rescan-command``: a scanner mostly
waits on the network, so several run at once, and every failure is collected (with the
end of its stderr) into one :class:`ExecutionError`, never a traceback.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from remediator.errors import ExecutionError

SCAN_TIMEOUT: Final = 1800.0
"""The longest one scanner may run (a full TCP scan of a few hosts takes minutes)."""

STDERR_TAIL: Final = 800
"""How much of a failed command's stderr its error line keeps."""


def run_side_by_side(
    runs: Sequence[tuple[Sequence[str], Path]], what: str, timeout: float = SCAN_TIMEOUT
) -> None:
    """Run each ``(argv, output)`` at once and wait for all; one error naming ``what``."""
    processes = [
        subprocess.Popen(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for argv, _ in runs
    ]
    errors = []
    for process, (_, path) in zip(processes, runs, strict=True):
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            errors.append(f"{path}: timed out after {timeout:.0f} s")
            continue
        if process.returncode != 0:
            errors.append(f"{path}: exit {process.returncode}: {stderr[-STDERR_TAIL:]}")
    if errors:
        raise ExecutionError(f"{what} failed:\n" + "\n".join(errors))


def in_namespace(namespace: str, argv: Sequence[str]) -> list[str]:
    """``argv`` run inside the network namespace ``namespace`` (``ip netns exec``)."""
    return ["ip", "netns", "exec", namespace, *argv]
