"""Every way a command can fail, as one line on stderr and its exit code.

A :class:`~remediator.errors.RemediatorError` already carries both. An ``OSError`` that a
stage did not word (a run directory that cannot be made, a disk that fills mid-run) is
told the same way, ``remediator: error: PATH: cause``, never as a traceback: exit 2
(usage) when the path is one the user gave (on the command line or in the configuration)
or lies under one, exit 4 (execution) otherwise, and always for a full disk or an I/O
error, which no other argument would have avoided. ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from remediator.common.text import shown
from remediator.errors import ExecutionError, InputError, RemediatorError

INTERRUPTED: Final = 130
_NOT_THE_ARGUMENT: Final = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.ENOMEM})
"""Faults of the machine, not of the path the user chose."""


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed command; every error becomes one line and its exit code."""
    try:
        code: int = args.func(args)
    except RemediatorError as exc:
        if args.debug:
            raise
        return report(exc)
    except KeyboardInterrupt:
        print("remediator: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if args.debug:
            raise
        return report(os_error(exc, given_paths(args)))
    return code


def report(exc: RemediatorError) -> int:
    """Print ``exc`` as the one error line; its exit code."""
    print(f"remediator: error: {shown(exc)}", file=sys.stderr)
    return exc.exit_code


def warn(message: str) -> None:
    """One warning line on stderr."""
    print(f"remediator: warning: {shown(message)}", file=sys.stderr)


def os_error(exc: OSError, given: frozenset[Path]) -> RemediatorError:
    """``exc`` as an input error (a path the user gave) or an execution error."""
    names = [name for name in (exc.filename, exc.filename2) if name is not None]
    cause = exc.strerror or str(exc) or type(exc).__name__
    where = " -> ".join(os.fsdecode(name) for name in names)
    message = f"{where}: {cause}" if where else cause
    paths = [Path(os.fsdecode(name)) for name in names]
    if exc.errno not in _NOT_THE_ARGUMENT and any(_related(p, given) for p in paths):
        return InputError(message)
    return ExecutionError(message)


def given_paths(args: argparse.Namespace) -> frozenset[Path]:
    """The paths among the parsed arguments (``type=Path`` values, alone or in a list)."""
    return frozenset(_absolute(path) for path in _paths(vars(args).values()))


def _paths(values: Iterable[object]) -> Iterator[Path]:
    for value in values:
        if isinstance(value, Path):
            yield value
        elif isinstance(value, list | tuple):
            yield from _paths(value)


def _absolute(path: Path) -> Path:
    return path.absolute()


def _related(path: Path, given: frozenset[Path]) -> bool:
    """``path`` is a given path, lies under one, beside one (the temp file an output is
    written to first), or is a directory one would be made in."""
    here = _absolute(path)
    if os.sep not in str(path):  # a bare name: a program not found, unless given as such
        return here in given
    top = here == here.parent  # "/" is a parent of everything, and says nothing
    return any(
        here == g or g in here.parents or here.parent == g.parent or (not top and here in g.parents)
        for g in given
    )
