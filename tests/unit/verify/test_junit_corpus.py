"""``verify --junit`` on a scan written by someone else: a CI parser reads every finding.

The plan is a real Nessus report (three LAN hosts, two of them in the inventory) under a
small policy; the "rescan" is the same report, so nothing was fixed: every failing finding
a fix was planned for must come out a JUnit failure, every allowed one a pass, and each
case grouped under its inventory host. Read back with junitparser, as CI systems do.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Skipped

from remediator.classify.catalog_load import load_catalog
from remediator.ingest.findingset import load_findings
from remediator.verify.compare import compare
from remediator.verify.junit import write_junit
from remediator.verify.model import Role, State
from remediator.verify.originals import originals_from_plan
from remediator.verify.rescan import rescan_from
from tests.corpus import corpus_path
from tests.unit.classify.test_cli import LAN3, lan, plan_lan  # noqa: F401 - the fixture


def test_every_finding_of_a_corpus_scan_is_a_case_ci_reads(
    lan: tuple[Path, Path],  # noqa: F811 - the fixture
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert plan_lan(lan, tmp_path) == 0
    capsys.readouterr()
    plan = json.loads((tmp_path / "plan.json").read_text("utf-8"))
    originals = originals_from_plan(plan, "plan.json")
    rescan = rescan_from(load_findings([corpus_path(LAN3)]), load_catalog())
    result = compare(originals, rescan)
    path = tmp_path / "verify.xml"

    write_junit(result, "remediator verify lan", str(path))

    (suite,) = list(JUnitXml.fromfile(str(path)))
    cases = {case.name: case for case in suite}
    assert len(cases) == suite.tests == len(result.outcomes) + len(result.new)
    assert {case.classname for case in suite} == {"aix", "ubuntu", "192.168.2.104"}  # unmatched
    for outcome in result.outcomes:
        o = outcome.original
        case = cases[f"{o.finding_key} {o.kind}"]
        kinds = {type(r) for r in case.result}
        if o.role is Role.FIX:
            assert outcome.state is not State.RESOLVED  # nothing was fixed
            assert kinds == {Failure}, o.finding_key
        elif outcome.state is State.KEPT:
            assert o.role is Role.ALLOWED and kinds == set(), o.finding_key  # answering
            assert case.system_out.startswith("kept: allowed by the policy"), o.finding_key
        elif outcome.state in (State.MANUAL, State.EXCEPTED):
            assert kinds == {Skipped}, o.finding_key
        else:
            assert kinds == {Failure}, (o.finding_key, outcome.state)
    assert suite.failures >= sum(o.original.role is Role.FIX for o in result.outcomes) > 0
