"""What a regenerated project keeps from the old one: everything remediator did not generate.

A file is *generated* when the old manifest lists it (and the manifest itself at the
top); everything else (``.git``, notes, tool caches under ``.ansible`` or ``.cache``, a
file that happens to be named ``remediator-manifest.json`` in a subfolder) belongs to
the user and is carried into the new tree before it is swapped in.

Carrying is by hard link where the filesystem allows it (same inode: content, mode and
owner come along, nothing is copied, and the old tree's deletion after the swap leaves
the file alive under its new name), by copy otherwise. The old tree is never modified,
so until the swap ``-o`` is the whole old project. Directories that exist in both trees
keep the old one's mode and owner; so do regenerated files, like any file the CLI writes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath

from remediator.common.files import describe
from remediator.errors import InputError


def old_entries(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every entry under ``root`` (not following links), as a relative POSIX path and lstat."""
    for directory, dirs, names in os.walk(root):
        base = Path(directory)
        for name in sorted(dirs + names):
            path = base / name
            yield (path.relative_to(root).as_posix(), path.lstat())


def user_entries(root: Path, generated: Iterable[str]) -> dict[str, os.stat_result]:
    """Non-directory entries and empty directories under ``root`` that were not generated."""
    skip = set(generated)
    found: dict[str, os.stat_result] = {}
    for relative, info in old_entries(root):
        if relative in skip:
            continue
        if stat.S_ISDIR(info.st_mode) and not _empty(root / relative):
            continue
        found[relative] = info
    return found


def _empty(directory: Path) -> bool:
    with os.scandir(directory) as entries:
        return next(entries, None) is None


def collisions(user: Mapping[str, os.stat_result], new_files: Iterable[str]) -> list[str]:
    """User paths that a new generated file (or its folder) would take.

    An empty user folder where the new project needs that folder is not in the way.
    """
    files = set(new_files)
    folders = {str(p) for f in files for p in PurePosixPath(f).parents if str(p) != "."}
    taken = []
    for relative, info in user.items():
        parents = {str(p) for p in PurePosixPath(relative).parents}
        needed_folder = relative in folders and not stat.S_ISDIR(info.st_mode)
        if relative in files or needed_folder or parents & files:
            taken.append(relative)
    return sorted(taken)


def carry(old: Path, new: Path, user: dict[str, os.stat_result], skip: Iterable[str]) -> None:
    """Link or copy each of ``user`` (minus ``skip``) from the ``old`` tree into ``new``."""
    dropped = set(skip)
    for relative, info in sorted(user.items()):
        if relative in dropped:
            continue
        source, destination = old / relative, new / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if stat.S_ISDIR(info.st_mode):
            destination.mkdir(exist_ok=True)
            continue
        try:
            os.link(source, destination, follow_symlinks=False)
        except OSError:
            _copy(source, destination, info)


def _copy(source: Path, destination: Path, info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        destination.symlink_to(source.readlink())
    elif stat.S_ISREG(info.st_mode):
        shutil.copy2(source, destination)
        _chown(destination, info)
    elif stat.S_ISFIFO(info.st_mode):
        os.mkfifo(destination, stat.S_IMODE(info.st_mode))
    else:
        raise InputError(
            f"{source}: is {describe(info.st_mode)} and cannot be carried into the "
            "regenerated project; move it out of the project directory"
        )


def keep_attributes(old: Path, new: Path, regenerated: Iterable[str]) -> None:
    """Give folders and regenerated files in ``new`` the mode and owner they had in ``old``."""
    for relative in ["", *regenerated]:
        _same_attributes(old / relative, new / relative)
    for directory, _dirs, _names in os.walk(new):
        inside = Path(directory).relative_to(new)
        if str(inside) != ".":
            _same_attributes(old / inside, Path(directory))


def _same_attributes(source: Path, destination: Path) -> None:
    try:
        info, here = source.lstat(), destination.lstat()
    except OSError:  # not in the old tree, or a file there stands where this is a folder
        return
    if stat.S_IFMT(info.st_mode) != stat.S_IFMT(here.st_mode) or stat.S_ISLNK(info.st_mode):
        return
    _chown(destination, info)
    destination.chmod(stat.S_IMODE(info.st_mode))


def _chown(path: Path, info: os.stat_result) -> None:
    """The old owner, where we may give it (root); otherwise the file stays ours."""
    here = path.lstat()
    if (here.st_uid, here.st_gid) != (info.st_uid, info.st_gid):
        with contextlib.suppress(PermissionError):
            os.chown(path, info.st_uid, info.st_gid, follow_symlinks=False)
