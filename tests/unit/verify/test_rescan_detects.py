"""What a rescan's silence proves: only what its scanner looked for.

The first scan's nmap may have run vulners (CVEs by version); the lab's nmap rescan runs
version detection and a few scripts, never vulners. Its silence about a CVE must not
resolve the finding: it is left to the host's tests. A user's own rescan command in the
same format as the first scan (Nessus with Nessus) is taken to run the same checks.
"""

from __future__ import annotations

import json
from pathlib import Path

from remediator.classify.catalog_load import load_catalog
from remediator.ingest.findingset import load_findings
from remediator.verify.compare import observe
from remediator.verify.model import Seen
from remediator.verify.originals import originals_from_plan
from remediator.verify.rescan import Rescan, rescan_from
from tests.corpus import corpus_path
from tests.unit.classify.helpers import plan_for
from tests.unit.classify.rules.scans import K8S, K8SHOST, NOTHING

LAB_NMAP = Path(__file__).parents[1] / "fixtures" / "lab_ssh2_enum_algos.xml"


def _rescan(formats: set[str]) -> Rescan:
    return Rescan((), frozenset(), frozenset(), None, (), frozenset(formats))


def test_the_labs_nmap_rescan_cannot_see_what_vulners_found() -> None:
    assert not _rescan({"nmap"}).detects("vulnerable-version", "nmap")
    assert _rescan({"nmap"}).detects("tls-protocol:TLSv1.0", "nmap")


def test_a_users_rescan_in_the_first_scans_format_sees_what_it_saw() -> None:
    assert _rescan({"nessus"}).detects("vulnerable-version", "nessus")
    assert not _rescan({"nessus"}).detects("vulnerable-version", "qualys")


def test_a_vulners_finding_missing_from_an_nmap_rescan_is_not_gone(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, K8S, K8SHOST, NOTHING)
    originals = [
        o
        for o in originals_from_plan(json.loads(plan.dumps()), "plan.json")
        if o.check_id == "nmap:vulners"
    ]
    assert originals
    # A real nmap rescan of the same address without vulners: port 22 open, no CVE.
    text = LAB_NMAP.read_text("utf-8").replace("10.213.0.10", "10.250.195.71")
    rescan_file = tmp_path / "rescan.xml"
    rescan_file.write_text(text, encoding="utf-8")
    rescan = rescan_from(load_findings([rescan_file]), load_catalog())
    assert ("10.250.195.71", "tcp", 22) in rescan.open_ports
    assert observe(originals[0], rescan) is Seen.UNDETECTABLE
    assert corpus_path(K8S).is_file()
