"""The real ``remediator`` main with the run commands registered (until the lead wires them).

``python -m tests.unit.run.climain dry-run ...`` behaves like ``remediator dry-run ...``:
the same parser, error-to-exit-code mapping, SIGTERM handling and exit 130 on interrupt.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from remediator import cli
from remediator.run import cli as run_cli


def main(argv: Sequence[str] | None = None) -> int:
    registered = cli._registrations()
    if run_cli.register not in registered:
        original = cli._registrations
        cli._registrations = lambda: [*original(), run_cli.register]
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
