"""Putting a finished project tree at ``-o`` in one step, and clearing what killed runs left.

Why an exchange: a directory cannot be renamed over a non-empty one, so the old writer
moved the old project aside and then the new one in: a kill between the two renames
left nothing at ``-o``. Linux (3.15+, glibc 2.28+, ext4/xfs/btrfs/tmpfs/overlayfs)
offers ``renameat2(RENAME_EXCHANGE)``, which swaps two names in one atomic step: before
it ``-o`` is the whole old project, after it the whole new one, and the staging name
now holds the old tree, to be deleted. A new ``-o`` is placed with ``RENAME_NOREPLACE``,
so a directory someone created meanwhile is never silently replaced.

Where the exchange is not available (another kernel or filesystem) the fallback keeps
the two renames but makes the gap recoverable: the old project is renamed to
``.NAME.old-*`` (never deleted before the new one is in place), and :func:`clean_stale`
at the start of the next run renames it back if ``-o`` is missing. So ``-o`` holds a
whole old or whole new project at every instant with the exchange, and after the next
run's recovery without it. No symlink is involved: ``-o`` stays a real directory.

Staging folders (``.NAME.new-*``, ``.NAME.old-*``) are held with ``flock`` while a run
uses them, so :func:`clean_stale` removes only those whose run is gone (killed), never
those of a run still going.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
from pathlib import Path
from typing import Final

from remediator.errors import InputError

_AT_FDCWD: Final = -100
_RENAME_NOREPLACE: Final = 1
_RENAME_EXCHANGE: Final = 2
_UNSUPPORTED: Final = frozenset({errno.ENOSYS, errno.EINVAL, errno.ENOTSUP})


def staging_prefix(target: Path, kind: str) -> str:
    """The name prefix of ``target``'s staging folders of ``kind`` (``new`` or ``old``)."""
    return f".{target.name}.{kind}-"


def lock(directory: Path) -> int:
    """An open descriptor holding an exclusive ``flock`` on ``directory``; close to release."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _try_lock(directory: Path) -> int | None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def clean_stale(target: Path) -> None:
    """Remove staging folders of killed runs; put back an old project a fallback swap left."""
    parent = target.parent
    if not parent.is_dir():
        return
    for kind in ("old", "new"):
        prefix = staging_prefix(target, kind)
        for entry in sorted(parent.iterdir()):
            if not entry.name.startswith(prefix) or entry.is_symlink() or not entry.is_dir():
                continue
            fd = _try_lock(entry)
            if fd is None:
                continue  # a run in progress holds it
            try:
                if kind == "old" and not os.path.lexists(target):
                    entry.rename(target)  # the fallback swap was killed between its renames
                else:
                    shutil.rmtree(entry, ignore_errors=True)
            finally:
                os.close(fd)


def place(staging: Path, target: Path) -> Path | None:
    """Put ``staging`` at ``target`` atomically; the path now holding the old tree, if any."""
    if not os.path.lexists(target):
        if not _renameat2(staging, target, _RENAME_NOREPLACE):
            staging.rename(target)
        return None
    if exchange(staging, target):
        return staging
    return _two_renames(staging, target)


def exchange(first: Path, second: Path) -> bool:
    """Swap two names atomically; False where the kernel or filesystem cannot."""
    return _renameat2(first, second, _RENAME_EXCHANGE)


def _renameat2(source: Path, destination: Path, flags: int) -> bool:
    """``renameat2``; False when unsupported here, an :class:`InputError` on a real failure."""
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    call.restype = ctypes.c_int
    if call(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(destination), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    if code == errno.EEXIST:
        raise InputError(f"{destination}: appeared while the project was written; not replaced")
    raise InputError(f"{destination}: cannot put the project in place: {os.strerror(code)}")


def _two_renames(staging: Path, target: Path) -> Path:
    """The fallback: old aside (kept, locked), new in; on failure the old one goes back."""
    old = staging.with_name(staging_prefix(target, "old") + staging.name.rsplit("-", 1)[-1])
    fd = lock(target)
    try:
        target.rename(old)
        try:
            staging.rename(target)
        except BaseException:
            old.rename(target)
            raise
    finally:
        os.close(fd)
    return old
