"""Where the shared corpus of real scan files lives, for tests.

The corpus sits beside the repository (``../shared/corpus``) in development and CI;
``REMEDIATOR_CORPUS`` points elsewhere when it does not.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

REPO = Path(__file__).resolve().parents[1]

XML_FILES: Final = {
    "nmap": "nmap/securecodebox_nmap_service_scan.xml",
    "nessus": "nessus/rubynessus_example_v3.nessus",
    "openvas-xml": "openvas/defectdojo_openvas_many_vuln.xml",
    "qualys-xml": "qualys/defectdojo_qualys_sample_report.xml",
    "nexpose": "other/defectdojo_nexpose_many_vulns.xml",
    "sslscan": "other/defectdojo_sslscan_many_vuln.xml",
}
"""One real corpus file per XML format, for tests that vary a document's prolog or body."""


def corpus_root() -> Path:
    """The corpus folder, failing loudly when it is missing (tests must not skip it)."""
    root = Path(os.environ.get("REMEDIATOR_CORPUS", REPO.parent / "shared" / "corpus"))
    if not root.is_dir():
        raise FileNotFoundError(f"shared scan corpus not found at {root}; set REMEDIATOR_CORPUS")
    return root


def corpus_path(relative: str) -> Path:
    """A corpus file by its path relative to the corpus folder, e.g. ``nmap/x.xml``."""
    path = corpus_root() / relative
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


def corpus_files() -> list[Path]:
    """Every scan file in the corpus (PROVENANCE.md excluded)."""
    return sorted(p for p in corpus_root().rglob("*") if p.is_file() and p.name != "PROVENANCE.md")
