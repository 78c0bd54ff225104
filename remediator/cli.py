"""The ``remediator`` command: thin wiring over each stage's own CLI module.

Each stage registers its sub-commands; this module only builds the parser, registers the
lab as a host provider (:mod:`remediator.common.providers`: the stages never import the
lab) and turns every :class:`~remediator.errors.RemediatorError` into one line and its
exit code.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from remediator import __version__
from remediator.classify import cli as classify_cli
from remediator.common.text import shown
from remediator.demo import cli as demo_cli
from remediator.errors import RemediatorError
from remediator.generate import cli as generate_cli
from remediator.ingest import cli as ingest_cli
from remediator.lab import cli as lab_cli
from remediator.lab.provider import register_lab
from remediator.report import cli as report_cli
from remediator.run import cli as run_cli
from remediator.verify import cli as verify_cli

DESCRIPTION = """\
remediator turns an external (PCI ASV style) scan into Ansible remediation that is
previewed, applied inside maintenance windows, and proven afterwards.

  scan --ingest--> findings --plan--> plan --generate--> Ansible project
       --dry-run/apply--> run --verify/report--> evidence
"""

EPILOG = """\
start here:
  remediator ingest scan.xml --inventory inventory.yml    what did the scan find?
  remediator <command> --help                             each command explains itself

exit codes: 0 ok, 1 work ran but something remains failed, 2 bad input or usage,
3 refused at run time, 4 execution error, 130 interrupted.
"""

INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The full parser, every stage's sub-commands registered."""
    parser = argparse.ArgumentParser(
        prog="remediator",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"remediator {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in _registrations():
        register(subparsers)
    return parser


def _registrations() -> list[ingest_cli.Register]:
    return [
        ingest_cli.register,
        lab_cli.register,
        classify_cli.register,
        generate_cli.register,
        run_cli.register,
        verify_cli.register,
        report_cli.register,
        demo_cli.register,
    ]


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the return value is the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    register_lab()
    try:
        code: int = args.func(args)
    except RemediatorError as exc:
        if args.debug:
            raise
        print(f"remediator: error: {shown(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("remediator: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
