"""Locks that keep two applies (or an apply and a rollback) off the same hosts.

One ``fcntl`` lock per inventory file and one per target host (its name and where it
is reached: address and network namespace, see ``Target.identities``), all taken without
waiting: a second apply on the same inventory, or on the same host through another
inventory, is refused at once (exit 3) and told who holds the lock. The kernel drops
the locks when the process ends, however it ends, so a crash never leaves one behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from remediator.errors import ExecutionError, RefusedError

LOCK_DIR_ENV = "REMEDIATOR_LOCK_DIR"


def lock_dir() -> Path:
    """The directory lock files live in (created root-only; refused if someone else's)."""
    folder = Path(os.environ.get(LOCK_DIR_ENV) or tempfile.gettempdir()) / "remediator-locks"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid != os.geteuid():
        raise ExecutionError(f"{folder} belongs to another user; set {LOCK_DIR_ENV}")
    return folder


@contextmanager
def run_lock(inventory: Path, hosts: Iterable[str], holder: str) -> Iterator[None]:
    """Hold the locks of ``inventory`` and each of ``hosts`` for the block."""
    names = [f"inventory {inventory.resolve()}", *(f"host {h}" for h in sorted(set(hosts)))]
    with ExitStack() as stack:
        for name in names:
            stack.enter_context(_held(name, holder))
        yield


@contextmanager
def _held(name: str, holder: str) -> Iterator[None]:
    digest = hashlib.sha256(name.encode()).hexdigest()[:24]
    path = lock_dir() / f"{digest}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 512, 0).decode("utf-8", "replace").strip() or "another run"
            raise RefusedError(
                f"{name} is locked by {other}: two applies on one inventory never overlap; "
                "wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{holder} (pid {os.getpid()})\n".encode(), 0)
        yield
    finally:
        os.close(fd)
