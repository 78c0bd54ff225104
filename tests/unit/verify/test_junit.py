"""``verify --junit``: the verification as JUnit XML, read back by a CI-grade parser.

The verification is the shipped lab scan's plan against a rescan derived from that scan
(one port closed, so one finding resolves), and the test cases are read with junitparser,
not with our own code: what counts is what a CI system makes of the file.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Skipped

from remediator.errors import InputError
from remediator.ingest.model import FindingKey
from remediator.verify.compare import compare
from remediator.verify.junit import write_junit
from remediator.verify.model import NewFinding, Role, State, Verification
from remediator.verify.originals import originals_from_plan
from tests.unit.verify.labdata import derived_rescan, lab_plan
from tests.unit.verify.test_cli import call, run_dir  # noqa: F401 - the fixture

CLOSED = "10.213.0.10/tcp/23/port-open"


@pytest.fixture(scope="module")
def verification(tmp_path_factory: pytest.TempPathFactory) -> Verification:
    originals = originals_from_plan(lab_plan(), "plan.json")
    rescan = derived_rescan(tmp_path_factory.mktemp("rescan"), {"10.213.0.10": {("tcp", 23)}})
    result = compare(originals, rescan)
    hostile = NewFinding(
        host="web.lab",
        key=FindingKey("10.213.0.11", "tcp", 8443, "port-open"),
        check_id="nmap:8443/tcp",
        title="odd \x1b[31m\ufffe title",
        severity=5.0,
        evidence="",
        blocking=True,
    )
    return replace(result, new=(hostile,))


def cases(path: Path) -> dict[str, tuple[str, str, str]]:
    """Each case by name: (class name, result kind, message), as junitparser reads them."""
    suites = list(JUnitXml.fromfile(str(path)))
    assert len(suites) == 1
    found = {}
    for case in suites[0]:
        result = case.result[0] if case.result else None
        kind = {Failure: "failure", Skipped: "skipped"}.get(type(result), "pass")
        found[case.name] = (case.classname, kind, result.message if result else "")
    return found


def test_one_case_per_finding_with_the_states_ci_understands(
    verification: Verification, tmp_path: Path
) -> None:
    path = tmp_path / "junit.xml"
    write_junit(verification, "remediator verify RUN", str(path))
    read = cases(path)
    assert len(read) == len(verification.outcomes) + len(verification.new) == 150
    expected = Counter()
    for outcome in verification.outcomes:
        name = f"{outcome.original.finding_key} {outcome.original.kind}"
        classname, kind, message = read[name]
        assert classname == outcome.original.host
        if outcome.state in (State.MANUAL, State.EXCEPTED):
            assert kind == "skipped" and message == f"{outcome.state}: {outcome.reason}"
        elif outcome.state is State.RESOLVED or outcome.original.role is Role.ALLOWED:
            assert kind == "pass", name
        else:
            assert kind == "failure" and message == outcome.reason
        expected[kind] += 1
    assert read[f"{CLOSED} open-port"][1] == "pass"
    assert expected == Counter({"failure": 65 - 1, "pass": 72 + 1, "skipped": 12})
    new = read["10.213.0.11/tcp/8443/nmap:8443/tcp port-open"]
    assert new[:2] == ("web.lab", "failure")
    assert new[2] == "new since the original scan (blocking): odd \\x1b[31m\\ufffe title"


def test_a_new_finding_that_does_not_fail_verify_passes_with_its_title(
    verification: Verification, tmp_path: Path
) -> None:
    (hostile,) = verification.new
    quiet = replace(hostile, key=replace(hostile.key, port=8080), blocking=False, title="x")
    path = tmp_path / "junit.xml"
    write_junit(replace(verification, new=(hostile, quiet)), "RUN", str(path))
    read = cases(path)
    assert read["10.213.0.11/tcp/8080/nmap:8443/tcp port-open"][:2] == ("web.lab", "pass")
    assert read["10.213.0.11/tcp/8443/nmap:8443/tcp port-open"][1] == "failure"
    suite = next(iter(JUnitXml.fromfile(str(path))))
    case = next(c for c in suite if c.name.startswith("10.213.0.11/tcp/8080/"))
    assert case.system_out == "new since the original scan (not blocking): x"


def test_the_suite_counts_what_it_holds(verification: Verification, tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit(verification, "remediator verify RUN", str(path))
    suite = next(iter(JUnitXml.fromfile(str(path))))
    assert suite.name == "remediator verify RUN"
    assert (suite.tests, suite.failures, suite.skipped, suite.errors) == (150, 65, 12, 0)


def test_verify_writes_junit_to_a_file_or_standard_output(
    run_dir: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "out.xml"
    assert call("verify", str(run_dir), "--no-tests", "--junit", str(path)) == 1
    on_disk = cases(path)
    assert len(on_disk) == 149
    capsys.readouterr()
    assert call("verify", str(run_dir), "--no-tests", "--junit", "-") == 1
    out, err = capsys.readouterr()
    assert out.startswith("<?xml") and "verification did not pass" in err
    (tmp_path / "stdout.xml").write_text(out, encoding="utf-8")
    assert cases(tmp_path / "stdout.xml") == on_disk


def test_a_limit_verifies_only_its_hosts(
    run_dir: Path,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert call("verify", str(run_dir), "--no-tests", "--json", "-l", "web*") == 1
    document = json.loads(capsys.readouterr().out)
    assert {o["host"] for o in document["outcomes"]} == {"web.lab"}
    with pytest.raises(InputError, match="the limit 'nothere' matches no host"):
        call("verify", str(run_dir), "--no-tests", "-l", "nothere")


def test_a_kept_service_passes_and_says_it_is_allowed_and_answering(
    verification: Verification, tmp_path: Path
) -> None:
    path = tmp_path / "junit.xml"
    write_junit(verification, "RUN", str(path))
    suite = next(iter(JUnitXml.fromfile(str(path))))
    kept = [o for o in verification.outcomes if o.state is State.KEPT]
    assert len(kept) == 72 and {o.original.role for o in kept} == {Role.ALLOWED}
    by_name = {c.name: c for c in suite}
    for outcome in kept:
        case = by_name[f"{outcome.original.finding_key} {outcome.original.kind}"]
        assert not case.result
        assert case.system_out.startswith("kept: allowed by the policy and still answering")
