"""Compare the shipped lab scan's plan with rescans: the state each finding ends as."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from remediator.classify.catalog_load import load_catalog
from remediator.errors import InputError
from remediator.ingest.findingset import load_findings
from remediator.verify.compare import compare
from remediator.verify.model import Original, Role, Seen, State, TestResult, Verification
from remediator.verify.originals import originals_from_plan
from remediator.verify.rescan import rescan_from
from tests.unit.classify.test_windows_plan import NESSUS_WINDOWS
from tests.unit.generate.helpers import windows_plan_bytes
from tests.unit.verify.labdata import CONTROLLER, SCANS, derived_rescan, lab_plan


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    return lab_plan()


@pytest.fixture(scope="module")
def originals(plan: dict[str, Any]) -> tuple[Original, ...]:
    return originals_from_plan(plan, "plan.json")


def outcome(result: Verification, key: str) -> State:
    found = [o.state for o in result.outcomes if o.original.finding_key == key]
    assert len(found) == 1, key
    return found[0]


def test_roles_follow_verdicts_and_actions(originals: tuple[Original, ...]) -> None:
    roles = [o.role for o in originals]
    assert len(originals) == 149
    assert roles.count(Role.EXCEPTED) == 2
    assert roles.count(Role.ALLOWED) == 72
    assert roles.count(Role.FIX) + roles.count(Role.MANUAL) == 75
    assert roles.count(Role.MANUAL) == 10


def test_rescan_kinds_are_the_plans_kinds(originals: tuple[Original, ...]) -> None:
    """The rescan's own kind identification gives exactly the plan's keys for the same scan."""
    rescan = rescan_from(load_findings(list(SCANS)), load_catalog(), sources=CONTROLLER)
    assert rescan.keys == {o.match_key for o in originals}
    assert len(rescan.keys) == 127


def test_same_scan_again_resolves_nothing(originals: tuple[Original, ...], tmp_path: Path) -> None:
    result = compare(originals, derived_rescan(tmp_path, {}))
    assert result.counts() == {
        "resolved": 0,
        "kept": 72,
        "open": 65,
        "new": 0,
        "excepted": 2,
        "manual": 10,
        "pending_reboot": 0,
        "unknown": 0,
    }
    assert not result.passed
    assert {o.state for o in result.fixable()} == {State.OPEN}


def test_closed_port_is_resolved_and_nothing_else_moves(
    originals: tuple[Original, ...], tmp_path: Path
) -> None:
    result = compare(originals, derived_rescan(tmp_path, {"10.213.0.10": {("tcp", 23)}}))
    assert outcome(result, "10.213.0.10/tcp/23/port-open") is State.RESOLVED
    assert outcome(result, "fd00:213::10/tcp/23/port-open") is State.OPEN
    assert result.counts()["resolved"] == 1
    assert result.counts()["open"] == 64
    assert result.counts()["kept"] == 72


def test_stopped_host_is_unknown_never_resolved(
    originals: tuple[Original, ...], tmp_path: Path
) -> None:
    result = compare(originals, derived_rescan(tmp_path, {"10.213.0.10": None}))
    legacy = [o for o in result.outcomes if o.original.address == "10.213.0.10"]
    assert len(legacy) == 9
    assert {o.state for o in legacy} == {State.UNKNOWN}
    assert {o.seen for o in legacy} == {Seen.NO_ANSWER}
    assert all("did not answer" in o.reason for o in legacy)
    assert result.counts()["resolved"] == 0
    assert not result.passed


def test_exception_shows_excepted_with_its_expiry(
    originals: tuple[Original, ...], tmp_path: Path
) -> None:
    rescan = derived_rescan(tmp_path, {"10.213.0.14": {("tcp", 443)}})
    result = compare(originals, rescan)
    cert = [
        o
        for o in result.outcomes
        if o.original.check_id == "nmap:ssl-cert" and o.original.host == "clean.lab"
    ]
    assert [o.state for o in cert] == [State.EXCEPTED, State.EXCEPTED]
    for item in cert:
        assert item.original.exception is not None
        assert item.original.exception.expires == "2027-06-30"
        assert item.original.exception.approved_by == "ciso@example.com"
        assert "2027-06-30" in item.reason
    assert {o.seen for o in cert} == {Seen.PORT_CLOSED, Seen.SEEN}


def test_allowed_service_gone_from_allowed_source_is_broken(
    originals: tuple[Original, ...], tmp_path: Path
) -> None:
    result = compare(originals, derived_rescan(tmp_path, {"10.213.0.11": {("tcp", 22)}}))
    broken = result.broken_allowed
    assert [o.original.finding_key for o in broken] == ["10.213.0.11/tcp/22/port-open"]
    assert not result.passed


def test_new_exposure_is_new_and_blocking(originals: tuple[Original, ...], tmp_path: Path) -> None:
    before = tuple(o for o in originals if (o.address, o.port) != ("10.213.0.13", 7))
    result = compare(before, derived_rescan(tmp_path, {}))
    assert [str(n.key) for n in result.new] == ["10.213.0.13/tcp/7/open-port"]
    assert result.new[0].blocking
    assert result.new[0].host == "cache.lab"
    assert result.counts()["new"] == 1


def test_restriction_seen_from_an_allowed_source_is_judged_by_tests(
    originals: tuple[Original, ...], tmp_path: Path
) -> None:
    """The web host may reach redis on cache: a rescan from it still sees 6379 by design."""
    rescan = replace(derived_rescan(tmp_path, {}), sources=("10.213.0.11",))
    key = "10.213.0.13/tcp/6379/port-open"
    assert outcome(compare(originals, rescan), key) is State.UNKNOWN
    passed = TestResult("cache.lab", "test_fix_redis_restricted", "passed", (key,))
    assert outcome(compare(originals, rescan, [passed]), key) is State.RESOLVED
    failed = replace(passed, outcome="failed")
    assert outcome(compare(originals, rescan, [failed]), key) is State.OPEN
    # From the controller (not an allowed source) the rescan itself decides.
    from_controller = derived_rescan(tmp_path, {"10.213.0.13": {("tcp", 6379)}})
    assert outcome(compare(originals, from_controller), key) is State.RESOLVED


def test_nmap_rescan_confirms_a_nessus_finding(tmp_path: Path) -> None:
    catalog = load_catalog()
    rule = catalog.check_rule("nessus:104743")
    assert rule is not None
    nessus = Original(
        host="mail.lab",
        address="10.213.0.12",
        protocol="tcp",
        port=25,
        check_id="nessus:104743",
        kind=rule.kind,
        title="TLS Version 1.0 Protocol Detection",
        severity=6.5,
        verdict="fail",
        actions=("enforce_tls",),
        reason="",
        role=Role.FIX,
    )
    cve = replace(nessus, check_id="nessus:11111", kind="vulnerable-version")
    still = compare([nessus, cve], derived_rescan(tmp_path, {}))
    assert [o.state for o in still.outcomes] == [State.OPEN, State.UNKNOWN]
    assert still.outcomes[1].seen is Seen.UNDETECTABLE
    gone = compare([nessus, cve], derived_rescan(tmp_path, {"10.213.0.12": {("tcp", 25)}}))
    assert [o.state for o in gone.outcomes] == [State.RESOLVED, State.RESOLVED]


def test_tests_alone_decide_without_a_rescan(originals: tuple[Original, ...]) -> None:
    fixable = [o for o in originals if o.role is Role.FIX]
    tests = [
        TestResult(o.host or "", f"test_fix_{i}", "passed", (o.finding_key,))
        for i, o in enumerate(fixable)
    ]
    result = compare(originals, None, tests)
    assert {o.state for o in result.fixable()} == {State.RESOLVED}
    assert result.passed
    assert not result.rescanned and result.tested
    one_failed = [replace(tests[0], outcome="failed"), *tests[1:]]
    assert not compare(originals, None, one_failed).passed


def test_json_form_lists_every_state(originals: tuple[Original, ...], tmp_path: Path) -> None:
    document = compare(originals, derived_rescan(tmp_path, {})).to_json()
    assert document["schema"] == "remediator/verify/v1"
    assert set(document["counts"]) == {s.value for s in State}
    assert len(document["outcomes"]) == 149


@pytest.mark.parametrize(
    "plan_doc",
    [
        {},
        {"schema": "remediator/plan/v1"},
        {"schema": "remediator/plan/v1", "decisions": [1]},
        {"schema": "remediator/plan/v1", "decisions": [{"address": "x"}]},
    ],
)
def test_malformed_plan_is_an_input_error(plan_doc: dict[str, Any]) -> None:
    with pytest.raises(InputError, match=r"plan\.json"):
        originals_from_plan(plan_doc, "plan.json")


def test_udp_silence_is_not_an_answer(originals: tuple[Original, ...], tmp_path: Path) -> None:
    """A host dropping everything: nmap shows its UDP ports open|filtered, nothing else."""
    rescan = derived_rescan(tmp_path, {}, silent=("10.213.0.13",))
    assert any(f.key.address == "10.213.0.13" and not f.replied for f in rescan.findings)
    result = compare(originals, rescan)
    cache = [o for o in result.outcomes if o.original.address == "10.213.0.13"]
    assert len(cache) == 6
    assert {o.state for o in cache} == {State.UNKNOWN}
    assert result.new == ()


def test_failed_keep_test_is_a_broken_allowed_service(originals: tuple[Original, ...]) -> None:
    fixable = [o for o in originals if o.role is Role.FIX]
    tests = [
        TestResult(o.host or "", f"test_fix_{i}", "passed", (o.finding_key,))
        for i, o in enumerate(fixable)
    ]
    ssh = "10.213.0.11/tcp/22/port-open"
    keep = TestResult("web.lab", "test_keep_management", "failed", (ssh,), "refused")
    result = compare(originals, None, [*tests, keep])
    assert [o.original.finding_key for o in result.broken_allowed] == [ssh]
    assert outcome(result, ssh) is State.OPEN
    assert not result.passed


def test_a_windows_fix_that_waits_for_a_reboot_is_pending_reboot(tmp_path: Path) -> None:
    """The Nessus Windows server rescanned unchanged: its TLS findings (SCHANNEL, applied at
    the next reboot) are pending_reboot, not open, unless a host test failed; a finding
    whose port a block closes is never pending; the verification has not passed."""
    document = json.loads(windows_plan_bytes(tmp_path / "plan"))
    originals = originals_from_plan(document, "plan.json")
    rescan = rescan_from(load_findings([NESSUS_WINDOWS]), load_catalog(), sources=CONTROLLER)
    result = compare(originals, rescan)
    win2 = [o for o in result.outcomes if o.original.host == "win2.lab"]
    tls = [o for o in win2 if o.original.kind.startswith("tls-protocol:")]
    assert tls and {o.state for o in tls} == {State.PENDING_REBOOT}
    assert all("reboot" in o.reason for o in tls)
    blocked = [o for o in win2 if "firewall_block" in o.original.actions]
    assert blocked and State.PENDING_REBOOT not in {o.state for o in blocked}
    waiting = [o for o in win2 if o.original.waits_for_reboot]  # TLS, and SMBv1's own finding
    assert {o.original.kind for o in waiting} - {o.original.kind for o in tls} == {"legacy-smb"}
    assert result.counts()["pending_reboot"] == len(waiting)
    assert not result.passed

    key = tls[0].original.finding_key
    failing = TestResult("win2.lab", "test_fix_schannel_tls_1_0_off", "failed", (key,))
    again = compare(originals, rescan, (failing,))
    assert outcome(again, key) is State.OPEN


def test_an_allowed_service_still_answering_is_kept_not_open(
    originals: tuple[Original, ...], tmp_path: Path
) -> None:
    """``open`` means "should be gone and is not": an allowed service that answers as the
    policy wants is ``kept``, and it never fails the verification."""
    result = compare(originals, derived_rescan(tmp_path, {}))
    allowed = [o for o in result.outcomes if o.original.role is Role.ALLOWED]
    assert len(allowed) == 72 and {o.state for o in allowed} == {State.KEPT}
    assert all("as intended" in o.reason for o in allowed)
    assert not [o for o in result.outcomes if o.state is State.OPEN and o.original.role
                is not Role.FIX]  # fmt: skip
    assert replace(result, outcomes=tuple(allowed)).passed  # kept never fails


def test_an_exception_expired_by_verify_day_is_open_with_its_expiry(
    plan: dict[str, Any], tmp_path: Path
) -> None:
    """The plan judged the exception active; by the verification's own day it has expired,
    so the finding is judged like a failing one: still reported, it is ``open``."""
    rescan = derived_rescan(tmp_path, {})
    late = compare(originals_from_plan(plan, "plan.json", on=date(2027, 7, 1)), rescan)
    cert = [o for o in late.outcomes if o.original.check_id == "nmap:ssl-cert"
            and o.original.host == "clean.lab"]  # fmt: skip
    assert len(cert) == 2
    assert {o.state for o in cert} == {State.OPEN}
    assert all("exception expired on 2027-06-30" in o.reason for o in cert)
    assert {o.original.role for o in cert} == {Role.MANUAL}
    assert late.counts()["excepted"] == 0


def test_an_exception_valid_on_verify_day_stays_excepted(
    plan: dict[str, Any], tmp_path: Path
) -> None:
    """Its last day still counts (the policy's own rule: active up to its expiry)."""
    on_the_day = originals_from_plan(plan, "plan.json", on=date(2027, 6, 30))
    result = compare(on_the_day, derived_rescan(tmp_path, {}))
    cert = [o for o in result.outcomes if o.original.check_id == "nmap:ssl-cert"
            and o.original.host == "clean.lab"]  # fmt: skip
    assert {o.state for o in cert} == {State.EXCEPTED}
    assert result.counts()["excepted"] == 2
