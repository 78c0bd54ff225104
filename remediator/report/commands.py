"""``remediator report RUN -o DIR``: load the run's evidence and write the bundle;
``remediator report --verify DIR``: check a bundle (and a runs directory's chain) offline."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from remediator.common.text import shown
from remediator.errors import InputError
from remediator.report.dispute.build import load_package
from remediator.report.dispute.render import clear_pages, write_package
from remediator.report.load import load_evidence
from remediator.report.manifest import (
    TamperedError,
    manifest_of,
    previous_digest,
    record_digests,
    verify_bundle,
    verify_chain,
    verify_link,
    verify_record,
    write_manifest,
)
from remediator.report.model import Evidence, ReportOptions
from remediator.report.render import write_report
from remediator.report.signing import (
    Signers,
    is_signed,
    require_ssh_keygen,
    sign_bundle,
    verify_signature,
)
from remediator.run.records.record import open_run


def run_report(asked: ReportOptions) -> int:
    """The ``report`` handler: 0 when written (the verdict itself is verify's exit code);
    with ``--verify``, 0 intact and 1 tampered."""
    if asked.verify is not None:
        return verify_report(asked.verify, asked.runs_dir if asked.chain else None, _signers(asked))
    if asked.run is None or asked.output is None:
        raise InputError("report: give RUN and -o DIR (or --verify DIR)")
    if asked.sign_key is not None:
        require_ssh_keygen(asked.sign_key, "--sign-key")
    record = open_run(asked.run, asked.runs_dir)
    previous = previous_digest(record.path)
    evidence = load_evidence(record.path)
    evidence = replace(evidence, run=replace(evidence.run, previous_manifest=previous))
    json_path, html_path = write_report(evidence, asked.output)
    record_sums = record_digests(record.path, asked.output)
    dispute, dispute_line = _dispute(record.path, evidence, asked.output, asked.dispute)
    bundle_files = (html_path, json_path, *dispute)
    manifest = manifest_of(evidence.run.run_id, asked.output, bundle_files, previous, record_sums)
    manifest_path = write_manifest(record.path, asked.output, manifest)
    signature = sign_bundle(record.path, asked.output, asked.sign_key)
    for line in evidence.summary_lines():
        sys.stdout.write(f"{shown(line)}\n")
    sys.stdout.write(
        f"evidence: {shown(html_path)}\n          {shown(json_path)}\n"
        f"          {shown(manifest_path)}\n"
    )
    if signature is not None:
        sys.stdout.write(f"          {shown(signature)}\n")
    sys.stdout.write(dispute_line)
    return 0


def _dispute(
    run_dir: Path, evidence: Evidence, output: Path, wanted: bool
) -> tuple[tuple[Path, ...], str]:
    """The ASV dispute pages written into the bundle and the line that names them; with
    ``--no-dispute`` none, and an earlier report's pages removed (the manifest must list
    every file of the bundle, and a stale page must not read as current)."""
    if not wanted:
        clear_pages(output)
        return (), ""
    package = load_package(run_dir, evidence)
    written = write_package(package, output)
    if not written:
        return (), ""
    return (
        written,
        f"dispute:  {shown(written[-1])} ({len(package.cases)} findings, HTML and PDF)\n",
    )


def _signers(asked: ReportOptions) -> Signers | None:
    """Who must have signed the bundle being verified; None when not asked (then a signature
    present is left unchecked, and said so)."""
    if asked.allowed_signers is None:
        if asked.signer is not None:
            raise InputError("report: --signer needs --allowed-signers FILE")
        return None
    require_ssh_keygen(asked.allowed_signers, "--allowed-signers")
    return Signers(asked.allowed_signers, asked.signer)


def verify_report(bundle: Path, runs_dir: Path | None, signers: Signers | None = None) -> int:
    """One line: ``intact: N files`` and who signed (0), or the first bad signature, altered,
    missing or extra file or broken link (1). The signature is checked first: it vouches
    for the manifest every other check trusts."""
    if not bundle.is_dir():
        raise InputError(f"{bundle}: no such folder")
    try:
        signed_by = verify_signature(bundle, signers) if signers else None
        said = [f"{verify_bundle(bundle)} files"]
        if runs_dir is not None:
            verify_link(bundle, runs_dir)
            said.append(_record_said(verify_record(bundle, runs_dir)))
            said.append(f"chain of {verify_chain(runs_dir)} runs")
    except TamperedError as exc:
        sys.stdout.write(f"{shown(str(exc))}\n")
        return 1
    said.append(_signature_said(bundle, signed_by))
    sys.stdout.write(f"intact: {', '.join(s for s in said if s)}\n")
    return 0


def _signature_said(bundle: Path, signed_by: str | None) -> str:
    """Who signed; that a signature was not checked (it may be anyone's, or garbage); or
    nothing for an unsigned bundle verified without --allowed-signers."""
    if signed_by is not None:
        return f"signed by {signed_by}"
    return "signature not checked (no --allowed-signers)" if is_signed(bundle) else ""


def _record_said(files: int | None) -> str:
    """How much of the run record was checked: a manifest written before the record was
    listed must not read as if its record had been."""
    return "run record not in the manifest" if files is None else f"run record of {files} files"
