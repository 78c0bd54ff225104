"""The ``remediator`` command: thin wiring over each stage's own CLI module.

Each stage registers its sub-commands; this module only builds the parser, registers the
lab as a host provider (:mod:`remediator.common.providers`: the stages never import the
lab), reads configured defaults (:mod:`remediator.cliconfig`) and hands every error to
:mod:`remediator.clierrors`, which makes it one line and an exit code.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import Final

from remediator import __version__
from remediator.classify import cli as classify_cli
from remediator.cliconfig import apply_settings
from remediator.clierrors import report, run_command, warn
from remediator.clitools import (
    add_common_options,
    configure_logging,
    output_to_stdout,
    spread_common_options,
    verbosity,
)
from remediator.common.config import Settings, load_settings
from remediator.common.text import shown
from remediator.demo import cli as demo_cli
from remediator.errors import RemediatorError
from remediator.generate import cli as generate_cli
from remediator.ingest import cli as ingest_cli
from remediator.ingest.spool import spool_scope
from remediator.lab import cli as lab_cli
from remediator.lab.provider import register_lab
from remediator.report import cli as report_cli
from remediator.run import cli as run_cli
from remediator.verify import cli as verify_cli
from remediator.watch import cli as watch_cli

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

Every option may also come from remediator.cfg ($REMEDIATOR_CONFIG, ./remediator.cfg,
~/.remediator.cfg; [defaults] and per-command sections) or REMEDIATOR_<OPTION> variables;
the command line wins (docs/config.md). '-' reads a scan from standard input; -o - writes
to standard output. --debug and -v go before or after the command.

exit codes: 0 ok, 1 work ran but something remains failed, 2 bad input or usage,
3 refused at run time, 4 execution error, 130 interrupted.
"""

LOG: Final = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The full parser, every stage's sub-commands registered."""
    parser = argparse.ArgumentParser(
        prog="remediator",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"remediator {__version__}")
    add_common_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in _registrations():
        register(subparsers)
    spread_common_options(parser)
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
        watch_cli.register,
        demo_cli.register,
    ]


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _configure(parser: argparse.ArgumentParser, argv: Sequence[str]) -> Settings:
    """Configured defaults into ``parser``, for the verb ``argv`` runs."""
    settings = load_settings()
    for message in settings.warnings:
        warn(message)
    for setting in apply_settings(parser, settings, argv):
        warn(f"{setting.origin} ignored: apply takes it only from its command line")
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the return value is the process exit code."""
    parser = build_parser()
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        settings = _configure(parser, words)
    except RemediatorError as exc:
        return report(exc)
    args = parser.parse_args(words)
    if args.command is None:
        parser.print_help()
        return 2
    configure_logging(verbosity(args))
    if settings.file is not None:
        LOG.info("option defaults from %s", shown(settings.file))
    try:
        output_to_stdout(args)
    except RemediatorError as exc:
        return report(exc)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    register_lab()
    with spool_scope():
        return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
