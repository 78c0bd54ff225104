"""Folding repeated reports of one weakness into one finding (Nessus and OpenVAS).

Both scanners sometimes report the same plugin/NVT twice on one port: Nessus's "PHP
Unsupported Version Detection" once per PHP install it saw behind port 80, OpenVAS's
"SMB Test" once per answer. That is one weakness (one key), but each report carries its
own evidence, which a reviewer wants to see. :func:`~remediator.ingest.formats.base.assemble_host`
keeps only the first of equal keys, so these parsers fold the repeats in first: the
evidence of every report is kept (within the evidence cap), CVEs are united and the
highest severity wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Final

from remediator.ingest.model import Finding, clip_evidence

EVIDENCE_SEPARATOR: Final = "\n---\n"
"""Between the evidence texts of repeated reports folded into one finding."""


def merge_duplicates(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """``findings`` with each key once, repeats folded into the first, order kept."""
    merged: dict[tuple[str, int, str], Finding] = {}
    for finding in findings:
        slot = (finding.protocol, finding.port, finding.check_id)
        first = merged.get(slot)
        merged[slot] = finding if first is None else _fold(first, finding)
    return tuple(merged.values())


def _fold(first: Finding, repeat: Finding) -> Finding:
    evidence = first.evidence
    if repeat.evidence and repeat.evidence != first.evidence:
        joined = f"{first.evidence}{EVIDENCE_SEPARATOR}{repeat.evidence}"
        evidence = clip_evidence(joined) if first.evidence else repeat.evidence
    severity = repeat.severity if repeat.severity.score > first.severity.score else first.severity
    cves = tuple(dict.fromkeys((*first.cves, *repeat.cves)))
    return replace(first, evidence=evidence, severity=severity, cves=cves)
