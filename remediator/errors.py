"""One small exception hierarchy; the CLI turns each into one line and an exit code.

Exit codes are shared by every command:

* 0 ok, 1 work ran but something remains failed, 2 bad input or usage,
* 3 refused at run time, 4 execution error, 130 interrupted.
"""

from __future__ import annotations

from typing import ClassVar


class RemediatorError(Exception):
    """Base of every error remediator reports to the user as one line."""

    exit_code: ClassVar[int] = 4


class InputError(RemediatorError):
    """Bad input or usage: a malformed scan, a bad policy, a wrong argument."""

    exit_code: ClassVar[int] = 2


class ScanParseError(InputError):
    """A scan file we cannot read; the message names the file and the fault."""

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem


class PolicyError(InputError):
    """A policy file that is invalid or would be unsafe to apply."""


class RefusedError(RemediatorError):
    """Refused at run time: outside a window, or a change would cut management access."""

    exit_code: ClassVar[int] = 3


class ExecutionError(RemediatorError):
    """The work could not run: unreachable host, Ansible failure, a missing tool."""

    exit_code: ClassVar[int] = 4


class UnresolvedError(RemediatorError):
    """The work ran, but something remains failed (a batch rolled back, a finding open)."""

    exit_code: ClassVar[int] = 1
