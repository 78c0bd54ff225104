"""``remediator report``: argument parsing only; the work is imported when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from remediator.clitools import add_runs_dir, add_verb, lazy_options, options_from
from remediator.errors import InputError
from remediator.report.model import ReportOptions

DESCRIPTION = """\
Write the auditor's evidence of a verified run: evidence.html (one self-contained
page, for screen and print) and evidence.json, with the same state words. Per host and
finding: the scanner's evidence, the verdict and its reason, the policy entry or the
exception and its expiry, what changed (the diff), when, in which window, approved by
whom under which ticket, the snapshot kept, the tests and the rescan; a summary to
attach to an ASV rescan request or dispute; and what remains for a person.
Run `remediator verify RUN` first.

The bundle also holds manifest.json: the sha256 of each of its files and of each file of
the run record (but ansible/), and the sha256 of the previous run's manifest in the same
runs directory (evidence.json carries it as run.previous_manifest); the run record keeps
the same bytes as evidence-manifest.json, so the runs directory holds a chain.
`--verify DIR` checks a bundle offline against its manifest (offline it cannot see the
run record); with --runs-dir also that it is the manifest its run keeps there, that the
run record's files are unchanged, and that directory's whole chain.

--sign-key KEY signs manifest.json with your SSH key (ssh-keygen -Y sign, namespace
remediator-evidence) into manifest.json.sig (the run record keeps a copy as
evidence-manifest.json.sig); the signature is in no digest list. `--verify DIR
--allowed-signers FILE` then requires it to be a good signature by a key FILE allows (for
--signer IDENTITY, or the identity FILE lists for the key). Without --allowed-signers a
signature is not checked, and the output says so. remediator.cfg's [report] may hold
sign-key and allowed-signers: writing ignores the one, --verify the other.

For each finding under a policy exception (or one whose exception expired) and each
finding only a person can fix, the bundle also holds dispute/<host>-<proto>-<port>-<n>.html
and .pdf: the page an admin hands the ASV to dispute the finding or document a
compensating control, listed in dispute/index.html. --no-dispute skips them.
"""

EPILOG = """\
examples:
  remediator report 20261125T221503Z-apply-3f9c2a -o evidence
  remediator report runs/20261125T221503Z-apply-3f9c2a -o /srv/audit/q3 --runs-dir runs
  remediator report --verify /srv/audit/q3
  remediator report --verify /srv/audit/q3 --runs-dir runs
  remediator report 20261125T221503Z-apply-3f9c2a -o /srv/audit/q3 --sign-key ~/.ssh/id_ed25519
  remediator report --verify /srv/audit/q3 --allowed-signers audit/allowed_signers

exit codes: 0 written (with --verify: intact, and signed by an allowed key when
--allowed-signers is given), 1 with --verify: a bad or (with --allowed-signers) missing
signature, a file of the bundle or (with --runs-dir) of the run record altered or missing,
a file not in the manifest, a manifest that fails its schema, or a broken chain (named),
2 bad input (no such run, not verified yet, unreadable record, RUN or -o missing; no
such key or allowed-signers file, a key ssh-keygen cannot sign with, --signer without
--allowed-signers), 4 no ssh-keygen on PATH.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report`` to the top-level parser."""
    parser = add_verb(
        subparsers,
        "report",
        summary="write the evidence (HTML and JSON) of a verified run, or verify a bundle",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    parser.add_argument(
        "run", metavar="RUN", nargs="?", help="run id (under --runs-dir) or run directory"
    )
    parser.add_argument(
        "-o", "--output", type=Path, metavar="DIR", help="directory to write (required with RUN)"
    )
    parser.add_argument(
        "--verify",
        type=Path,
        metavar="DIR",
        help="check the bundle at DIR against its manifest.json instead of writing one",
    )
    _add_signing(parser)
    parser.add_argument(
        "--no-dispute",
        dest="dispute",
        action="store_false",
        help="skip the ASV dispute pages (dispute/: HTML and PDF per excepted or manual finding)",
    )
    add_runs_dir(parser)
    parser.set_defaults(
        runs_dir=None,
        func=lazy_options("remediator.report.commands", "run_report", _options),
    )


def _add_signing(parser: argparse.ArgumentParser) -> None:
    """The signature's options. Each is ignored by the mode it is not for, so that
    remediator.cfg may set both (a [report] section serves writing and --verify alike)."""
    parser.add_argument(
        "--sign-key",
        type=Path,
        metavar="KEY",
        help="sign the bundle's manifest.json with this SSH key (ssh-keygen -Y sign, namespace "
        "remediator-evidence) into manifest.json.sig; ignored with --verify",
    )
    parser.add_argument(
        "--allowed-signers",
        type=Path,
        metavar="FILE",
        help="with --verify: manifest.json.sig must be present and a good signature by a key "
        "FILE allows (ssh-keygen's allowed-signers format)",
    )
    parser.add_argument(
        "--signer",
        metavar="IDENTITY",
        help="with --allowed-signers: the identity that must have signed (default: the one "
        "FILE lists for the signing key)",
    )


def _options(args: argparse.Namespace) -> ReportOptions:
    """The options; a usage error (exit 2) for RUN with --verify, or RUN/-o missing without."""
    if args.verify is not None and (args.run is not None or args.output is not None):
        raise InputError("report: --verify DIR takes no RUN and no -o")
    if args.verify is None and (args.run is None or args.output is None):
        raise InputError("report: give RUN and -o DIR (or --verify DIR)")
    chain = args.runs_dir is not None
    runs_dir = args.runs_dir if chain else Path("runs")
    return options_from(ReportOptions, args, runs_dir=runs_dir, chain=chain)
