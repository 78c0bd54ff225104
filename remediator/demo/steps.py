"""Each demo step: the ``remediator`` command a user would type, run in this process.

The command is printed before it runs; what it prints on stdout (tables, summaries) is
kept whole in ``<work>/steps/NN-<command>.txt`` and shown here in short when long (the
dry-run's per-finding preview runs to a thousand lines), so the demo reads as a story
of ten commands. Live progress (stderr) is left as it is.
"""

from __future__ import annotations

import contextlib
import io
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from remediator.common.files import replace_text
from remediator.common.text import shown
from remediator.errors import ExecutionError

HEAD: Final = 14
TAIL: Final = 8


@dataclass
class Steps:
    """Runs steps in order, numbering their logs under ``folder``."""

    folder: Path
    done: list[str] = field(default_factory=list)

    def invoke(self, argv: Sequence[str]) -> int:
        """Run ``remediator ARGV`` as typed; its exit code (errors propagate as raised)."""
        from remediator.cli import build_parser  # noqa: PLC0415 - the CLI registers demo

        say("\n$ remediator " + " ".join(shlex.quote(a) for a in argv))
        args = build_parser().parse_args(list(argv))
        name = "-".join(str(n) for n in (args.command, getattr(args, "lab_command", None)) if n)
        self.done.append(name)
        log = self.folder / f"{len(self.done):02d}-{name}.txt"
        out = _Capture()
        try:
            with contextlib.redirect_stdout(out):
                code: int = args.func(args)
        finally:
            self.folder.mkdir(parents=True, exist_ok=True)
            replace_text(log, out.text())
            say(shortened(out.text(), log))
        return code


class _Capture(io.TextIOWrapper):
    """A step's stdout, kept in memory; a real text stream (ansible-core reconfigures
    ``sys.stdout`` when it first loads, and warns about a ``StringIO`` that cannot be)."""

    def __init__(self) -> None:
        self._bytes = io.BytesIO()
        super().__init__(self._bytes, encoding="utf-8", errors="replace", write_through=True)

    def text(self) -> str:
        self.flush()
        return self._bytes.getvalue().decode("utf-8", "replace")


def new_run(runs: Path, kind: str, step: Callable[[], object]) -> str:
    """Run ``step``; the id of the one ``kind`` run record it made under ``runs``."""
    before = _records(runs, kind)
    step()
    made = sorted(_records(runs, kind) - before)
    if len(made) != 1:
        raise ExecutionError(f"expected one new {kind} record under {runs}, found {made}")
    return made[0]


def shortened(text: str, log: Path) -> str:
    """``text`` itself when short, else its head and tail around a pointer to ``log``."""
    lines = text.rstrip("\n").splitlines()
    if len(lines) <= HEAD + TAIL + 2:
        return "\n".join(lines)
    skipped = len(lines) - HEAD - TAIL
    return "\n".join([*lines[:HEAD], f"  [... {skipped} more lines in {log} ...]", *lines[-TAIL:]])


def say(line: str) -> None:
    """One line of the demo's own narration on stdout (each line terminal-safe: errors and
    problems it quotes may carry scan text)."""
    sys.stdout.write("\n".join(shown(part, keep="\t") for part in line.split("\n")) + "\n")
    sys.stdout.flush()


def _records(runs: Path, kind: str) -> set[str]:
    return {p.name for p in runs.glob(f"*-{kind}-*") if (p / "run.json").is_file()}
