"""``remediator generate PLAN -o DIR``: argument parsing only; the work is in :mod:`.commands`."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from remediator.clitools import add_verb, lazy_options, options_from
from remediator.generate.model import GenerateOptions

DESCRIPTION = """\
Write a self-contained Ansible project that remediates a plan's findings.

The project holds ansible.cfg, an inventory of the plan's hosts, host_vars with each
role's items (every item carrying its finding key and reason), the roles themselves,
playbooks/remediate.yml (a window guard, serial batches, a snapshot per host, the
roles in block/rescue that restores the snapshot, verification in post_tasks),
playbooks/snapshot.yml and rollback.yml, a pytest-testinfra suite per host, a README
and remediator-manifest.json (the plan's sha256 and every file's).

The same plan and arguments give byte-identical files; scan text only ever appears as
!unsafe quoted data. An existing DIR is regenerated only if it is a project generated
before: generated files are rewritten (those no longer produced removed), everything
else in it (.git, your notes, tool caches) is kept; edited generated files are refused
unless --force. The new project replaces the old one in one atomic step.
"""

EPILOG = """\
examples:
  remediator generate plan.json -o fix-q3 --window 'Sat 22:00-02:00 Europe/Berlin'
  remediator generate plan.json -o fix-now --window now+2h --inventory hosts.yml
  remediator generate plan.json -o lab-fix --window now+4h --lab
  remediator generate plan.json -o fix-web -i hosts.yml -l 'web:&dmz' --json
  remediator generate plan.json -o fix-q3 --window 'Sat 22:00-02:00 Europe/Berlin' --awx

exit codes: 0 written, 2 bad plan, window, directory or a limit that matches no host.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``generate`` to the top-level parser."""
    parser = add_verb(
        subparsers,
        "generate",
        summary="write the Ansible project that remediates a plan",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    parser.add_argument("plan", type=Path, metavar="PLAN", help="plan.json from `remediator plan`")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="DIR",
        help="the project directory to write",
    )
    parser.add_argument(
        "--window",
        metavar="SPEC",
        help="maintenance window the playbooks refuse to run outside "
        "('START/END', 'DAYS HH:MM-HH:MM ZONE' or 'now+2h')",
    )
    parser.add_argument(
        "-i",
        "--inventory",
        type=Path,
        metavar="INVENTORY",
        help="take each host's address, port, user and groups from this inventory",
    )
    parser.add_argument(
        "--lab", action="store_true", help="for the built-in lab: no host key prompts"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="regenerate over generated files that were edited or deleted (they are "
        "listed); files remediator did not generate are kept either way",
    )
    parser.add_argument(
        "--generated-at",
        type=_instant,
        metavar="TIME",
        help="the generation time to record (ISO 8601 with offset; default now), "
        "for reproducible output",
    )
    parser.add_argument(
        "-l",
        "--limit",
        metavar="PATTERN",
        help="only the plan's hosts this Ansible host pattern selects (groups from "
        "--inventory, else those the plan recorded)",
    )
    parser.add_argument(
        "--awx",
        action="store_true",
        help="also write awx/configure.yml (awx.awx tasks: project, inventory source, "
        "dry-run and apply job templates, the window's schedule) and awx/vars.yml; "
        "see docs/awx.md",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print what was written (directory, files, hosts, manifest sha256) as JSON",
    )
    parser.set_defaults(func=lazy_options("remediator.generate.commands", "run_generate", _options))


def _options(args: argparse.Namespace) -> GenerateOptions:
    return options_from(GenerateOptions, args)


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset, e.g. {text}+00:00")
    return value
