"""Live progress of a run, per batch and host, on stderr (stdout is for the report).

On a terminal a ``rich`` live table shows each host of the running batch: its phase,
the task it is in and how many changes it has made. Elsewhere (a log, CI) the same
transitions are plain lines, one per phase change, so the output stays readable.
Progress is read from the same job events as the report; nothing here parses text.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from remediator.common.text import shown
from remediator.run.ansible.events import Event, task_start


@dataclass
class _ProgressRow:
    phase: str = "waiting"
    task: str = ""
    changed: int = 0


@dataclass
class Progress:
    """Progress of one command; ``live`` draws a table, otherwise lines are printed."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    live: bool | None = None
    quiet: bool = False
    _rows: dict[str, _ProgressRow] = field(default_factory=dict)
    _title: str = ""
    _live: Live | None = None
    _console: Console | None = None

    def __post_init__(self) -> None:
        self._console = Console(file=self.stream, highlight=False, soft_wrap=True)
        if self.live is None:
            self.live = self._console.is_terminal and not self.quiet

    def batch_started(self, title: str, hosts: list[str]) -> None:
        self._title = title
        self._rows = {h: _ProgressRow() for h in hosts}
        if self.live:
            self._live = Live(self._table(), console=self._console, refresh_per_second=4)
            self._live.start()
        else:
            self.note(f"{title}: {', '.join(hosts) or 'no hosts'}")

    def event(self, event: Event) -> None:
        started = task_start(event)
        data = event.get("event_data", {})
        host = str(data.get("host") or "")
        if started is not None and started[0] in self._rows:
            row = self._rows[started[0]]
            row.task = started[1]
            self.host_state(started[0], "running" if row.phase == "waiting" else row.phase)
        elif (
            host in self._rows
            and event.get("event") == "runner_on_ok"
            and ((data.get("res") or {}).get("changed"))
        ):
            self._rows[host].changed += 1
            self._refresh()
        elif (
            host in self._rows
            and event.get("event") in ("runner_on_failed", "runner_on_unreachable")
            and not data.get("ignore_errors")
        ):
            unreachable = event.get("event") == "runner_on_unreachable"
            self.host_state(host, "unreachable" if unreachable else f"failed at {data.get('task')}")

    def host_state(self, host: str, phase: str) -> None:
        row = self._rows.setdefault(host, _ProgressRow())
        if row.phase == phase:
            return
        row.phase = phase
        if self.live:
            self._refresh()
        else:
            self.note(f"  {host}: {phase}")

    def batch_finished(self, title: str, summary: str) -> None:
        if self._live is not None:
            self._refresh()
            self._live.stop()
            self._live = None
        self.note(f"{title}: {summary}")

    def note(self, text: str) -> None:
        if self.quiet:
            return
        if self._live is not None:
            self._live.console.print(shown(text), markup=False)
        else:
            self.stream.write(shown(text) + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def _refresh(self) -> None:
        if self._live is not None:
            self._live.update(self._table())

    def _table(self) -> Table:
        table = Table(title=self._title, title_justify="left", expand=False)
        for column in ("host", "phase", "changes", "task"):
            table.add_column(column, overflow="fold")
        for host, row in self._rows.items():
            table.add_row(shown(host), shown(row.phase), str(row.changed), shown(row.task))
        return table
