"""An fcntl lock file, so two ``lab up`` (or two cache builds) never race."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from remediator.errors import RefusedError


@contextmanager
def held(path: Path, *, wait: bool = False, what: str = "the lab") -> Iterator[None]:
    """Hold an exclusive lock on ``path`` for the block.

    Without ``wait`` a held lock is refused at once (a second ``lab up`` while one
    runs); with it, the caller queues (a test lab waiting for the shared rootfs cache).
    The kernel drops the lock when the process dies, so a crash never leaves it held.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise RefusedError(
                f"{what} is busy: another remediator holds {path}; wait for it to finish"
            ) from exc
        yield
    finally:
        os.close(fd)
