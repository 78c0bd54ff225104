"""``remediator demo``: argument parsing only; the work is imported when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from remediator.clitools import add_verb, lazy_options, options_from
from remediator.demo.workdir import DemoOptions
from remediator.lab.config import (
    DEFAULT_PREFIX,
    DEFAULT_STATE_DIR,
    DEFAULT_SUBNET4,
    DEFAULT_SUBNET6,
)

DESCRIPTION = """\
The whole loop on the built-in lab, each step the command you would type yourself:

  lab up -> lab scan -> ingest -> plan (the shipped lab policy) -> generate
  -> dry-run -> apply (in a now+... window) -> verify --rescan -> report

A lab that is already up is reset to pristine first, so the scan finds what a first
ASV scan would. Everything is written under --work-dir: the scans, the inventory, the
plan, the Ansible project, the run records (runs/) and the evidence (evidence/).
Needs root (the lab). About ten minutes on two cores.
"""

EPILOG = """\
examples:
  sudo remediator demo
  sudo remediator demo -w /tmp/demo

exit codes: 0 every fixable finding fixed and confirmed by the rescan, the clean host
and every allowed service untouched; 1 otherwise (the evidence says what remains);
2 bad input; 3 refused; 4 a step could not run.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo`` to the top-level parser."""
    parser = add_verb(
        subparsers,
        "demo",
        summary="the whole loop on the lab: scan, plan, fix, verify, evidence",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    parser.add_argument(
        "-w",
        "--work-dir",
        type=Path,
        default=Path("remediator-demo"),
        metavar="DIR",
        help="where every output goes (default: ./remediator-demo)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        metavar="DIR",
        help=f"the lab's state dir, as `remediator lab --state-dir` (default {DEFAULT_STATE_DIR})",
    )
    parser.add_argument(
        "--prefix", default=DEFAULT_PREFIX, help="lab namespace prefix, when it is brought up"
    )
    parser.add_argument(
        "--subnet", default=DEFAULT_SUBNET4, help="lab IPv4 subnet, when brought up"
    )
    parser.add_argument(
        "--subnet6", default=DEFAULT_SUBNET6, help="lab IPv6 subnet, when brought up"
    )
    parser.add_argument(
        "--policy",
        type=Path,
        metavar="FILE",
        help="policy to plan with (default: the shipped examples/lab-policy.yml)",
    )
    parser.add_argument(
        "--window", default="now+2h", metavar="SPEC", help="maintenance window (default now+2h)"
    )
    parser.add_argument(
        "--batch", metavar="N|N%", help="hosts per apply batch (default: the project's serial)"
    )
    parser.set_defaults(func=lazy_options("remediator.demo.commands", "run_demo", _options))


def _options(args: argparse.Namespace) -> DemoOptions:
    return options_from(DemoOptions, args)
