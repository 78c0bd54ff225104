"""The one way remediator writes a file: a whole new file or the old one, never a clobbered node.

Every file a command writes (a plan, findings, a starter policy, a report, a run record)
goes through :func:`replace_file`:

* the bytes go to a temp file in the target's own directory (so the final rename never
  crosses a filesystem), are flushed and ``fsync``-ed, then renamed over the target and
  the directory is ``fsync``-ed, so a crash or power loss leaves the old file or the new
  one, never half of either;
* only a regular file is ever replaced. ``-o /dev/null`` as root used to turn the device
  node into a regular file; a FIFO, socket, directory or symbolic link at the path is
  now refused with one line naming the path and what it is (:class:`InputError`,
  exit 2). A symlink is refused rather than followed: the rename would replace the link
  itself, and writing through it would let whoever planted it choose where we write;
* an existing file keeps its permission bits and owner (a plan kept 0640 for a group of
  reviewers stays 0640); a new file gets 0644, or the mode the caller asks for (0600 for
  anything holding secrets, 0700 for a wrapper script), which then always applies;
* the temp file is removed on every way out: an error, ``KeyboardInterrupt``, a
  ``SIGTERM`` the CLI turned into one. Only ``SIGKILL`` can leave a ``.NAME.*.tmp``
  beside the target, and it is never read by anything.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Final

from remediator.errors import InputError

DEFAULT_MODE: Final = 0o644
"""A new file's mode when the caller asks for none: readable like any document."""

PRIVATE_MODE: Final = 0o600
"""For files that hold secrets (run records' keys, ansible-runner's command)."""

_KINDS: Final = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def describe(mode: int) -> str:
    """What kind of node ``mode`` (an ``st_mode``) is, in words for an error line."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "not a regular file"


def existing_regular(path: Path) -> os.stat_result | None:
    """The ``lstat`` of ``path`` if it is a regular file, None if nothing is there.

    Anything else (symlink, device, FIFO, socket, directory) raises :class:`InputError`.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{path}: is {describe(info.st_mode)}; refusing to replace it "
            "(only a regular file is replaced)"
        )
    return info


def replace_file(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Write ``data`` (``str`` as UTF-8) as the whole new content of ``path``; see the module."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path, mode=mode) as sink:
        sink.write(payload)


def replace_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """:func:`replace_file` for text, named for readability at the call site."""
    replace_file(path, text, mode=mode)


@contextmanager
def replacing(path: Path, *, mode: int | None = None) -> Iterator[IO[bytes]]:
    """A binary stream whose content replaces ``path`` when the ``with`` block ends well.

    If the block raises (anything, ``KeyboardInterrupt`` included) the target is left as
    it was and the temp file is removed. ``mode`` None keeps an existing file's mode and
    owner (0644 for a new file); an explicit ``mode`` always applies.
    """
    before = existing_regular(path)
    directory = path.parent
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink:
            _set_mode_and_owner(sink.fileno(), path, before, mode)
            yield sink
            sink.flush()
            os.fsync(sink.fileno())
        _check_unchanged(path, before)
        temp.replace(path)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and _ours(exc, temp):
            raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise
    fsync_directory(directory)


def _ours(exc: OSError, temp: Path) -> bool:
    """An error of writing the temp file or renaming it (a full disk, a read-only mount).

    An ``OSError`` naming another file is the caller's own, e.g. reading the source it
    copies from, and goes up unchanged for the caller to word.
    """
    return not isinstance(exc, BrokenPipeError) and exc.filename in (None, str(temp), temp)


def _set_mode_and_owner(
    fd: int, path: Path, before: os.stat_result | None, mode: int | None
) -> None:
    """Give the temp file the owner and mode the target has (or should get)."""
    if before is not None and mode is None:
        here = os.fstat(fd)
        if (here.st_uid, here.st_gid) != (before.st_uid, before.st_gid):
            try:
                os.fchown(fd, before.st_uid, before.st_gid)
            except PermissionError:
                raise InputError(
                    f"{path}: owned by uid {before.st_uid} gid {before.st_gid}; cannot keep "
                    "that owner on the new file, so refusing to replace it"
                ) from None
        os.fchmod(fd, stat.S_IMODE(before.st_mode))  # after chown, which clears set-id bits
    else:
        os.fchmod(fd, DEFAULT_MODE if mode is None else mode)


def _check_unchanged(path: Path, before: os.stat_result | None) -> None:
    """Refuse if, while we wrote, something other than the file we checked appeared at ``path``."""
    now = existing_regular(path)
    if (now is None) != (before is None) or (
        now is not None
        and before is not None
        and (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino)
    ):
        raise InputError(f"{path}: changed by someone else while it was written; not replaced")


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
