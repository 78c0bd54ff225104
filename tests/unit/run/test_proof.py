"""The per-finding proof of a run: checks before and after, predicted against applied."""

from __future__ import annotations

from typing import Any

from remediator.run.apply.postcheck import Check
from remediator.run.apply.proving import suite_observations
from remediator.run.preview.verdicts import FindingPreview, HostPreview, Status
from remediator.run.records.proof import (
    FindingProof,
    Idempotence,
    Observation,
    on_host_observations,
    prove,
)

TELNET = "10.0.0.5/tcp/23/telnet"
TLS = "10.0.0.5/tcp/443/tls"


def fix_check_event(host: str, phase: str, checks: list[dict[str, Any]]) -> dict[str, Any]:
    """A job event as ansible-runner writes it for the playbook's fix-check task."""
    return {
        "event": "runner_on_ok",
        "counter": 12,
        "event_data": {
            "host": host,
            "task": f"Record the fix checks {phase} the change",
            "resolved_action": "remediator_fix_checks",
            "res": {"changed": False, "phase": phase, "checks": checks},
        },
    }


def host(name: str, **statuses: Status) -> HostPreview:
    keys = {"telnet": TELNET, "tls": TLS}
    return HostPreview(name, tuple(FindingPreview(keys[k], s, ()) for k, s in statuses.items()))


def test_on_host_checks_are_read_per_finding_and_phase() -> None:
    events = [
        fix_check_event(
            "web1",
            "before",
            [
                {
                    "keys": [TELNET],
                    "name": "nothing listens on tcp/23",
                    "passed": False,
                    "detail": "listening",
                },
                {
                    "keys": [TLS],
                    "name": "handshake refused: -tls1",
                    "passed": None,
                    "detail": "no openssl client on the host",
                },
            ],
        ),
        fix_check_event("web1", "after", [{"keys": [TELNET], "name": "n", "passed": True}]),
        {"event": "runner_on_ok", "event_data": {"host": "web1", "task_action": "ping", "res": {}}},
    ]
    before = on_host_observations(events, "before")
    assert before[("web1", TELNET)] == [
        Observation("on_host", "nothing listens on tcp/23", False, "listening")
    ]
    assert before[("web1", TLS)][0].passed is None
    assert on_host_observations(events, "after") == {
        ("web1", TELNET): [Observation("on_host", "n", True)]
    }


def test_hostile_or_broken_results_do_not_break_the_reading() -> None:
    events = [
        fix_check_event("web1", "before", [{"keys": [TELNET], "passed": "yes"}, "junk"]),  # type: ignore[list-item]
        {"event": "runner_on_ok", "event_data": {"host": "web1",
                                                 "resolved_action": "remediator_fix_checks",
                                                 "res": "not a mapping"}},
    ]  # fmt: skip
    (seen,) = on_host_observations(events, "before")[("web1", TELNET)]
    assert seen.passed is None  # not a boolean: not counted as a pass


def test_suite_tests_stand_for_the_keys_their_suite_names() -> None:
    checks = [
        Check("web1", "suite", "tests/test_web1.py::test_telnet_closed[ansible://web1]", False),
        Check("web1", "suite", "tests/test_web1.py::test_https_kept", True),
        Check("web1", "suite", "tests/test_web1.py::test_skipped", False, skipped=True),
        Check("web1", "management", "new Ansible connection", True),
    ]
    keys = {
        "web1": {"test_telnet_closed": (TELNET,), "test_https_kept": (TLS,), "test_skipped": (TLS,)}
    }
    seen = suite_observations(checks, keys)
    assert [o.passed for o in seen[("web1", TELNET)]] == [False]
    assert [o.passed for o in seen[("web1", TLS)]] == [True, None]


def test_a_prediction_the_apply_did_not_keep_is_a_mismatch() -> None:
    predicted = [host("web1", telnet=Status.WOULD_CHANGE, tls=Status.COMPLIANT)]
    applied = [host("web1", telnet=Status.COMPLIANT, tls=Status.COMPLIANT)]
    proofs = {p.key: p for p in prove(predicted, applied, {}, {})}
    assert proofs[TELNET].mismatch
    assert not proofs[TLS].mismatch


def test_a_kept_prediction_and_a_host_never_applied_are_not_mismatches() -> None:
    predicted = [host("web1", telnet=Status.WOULD_CHANGE), host("db1", telnet=Status.WOULD_CHANGE)]
    applied = [host("web1", telnet=Status.CHANGED)]
    proofs = {p.host: p for p in prove(predicted, applied, {}, {})}
    assert not proofs["web1"].mismatch
    assert proofs["db1"].applied is None and not proofs["db1"].mismatch


def test_an_unknown_on_either_side_is_a_mismatch() -> None:
    predicted = [host("web1", telnet=Status.UNKNOWN)]
    applied = [host("web1", telnet=Status.CHANGED)]
    (proof,) = prove(predicted, applied, {}, {})
    assert proof.mismatch


def test_weakness_and_fix_shown_only_by_checks_that_ran() -> None:
    failed = Observation("on_host", "n", False)
    passed = Observation("suite", "t", True)
    not_run = Observation("on_host", "h", None)
    proof = FindingProof("web1", TELNET, "would_change", "changed", (failed, not_run), (passed,))
    assert proof.weakness_shown is True and proof.fixed_shown is True
    nothing = FindingProof("web1", TELNET, "would_change", "changed", (not_run,), None)
    assert nothing.weakness_shown is None and nothing.fixed_shown is None
    again = FindingProof.from_json(proof.to_json())
    assert again == proof


def test_idempotence_names_what_would_still_change() -> None:
    previews = [host("web1", telnet=Status.COMPLIANT, tls=Status.WOULD_CHANGE)]
    pass_ = Idempotence.of(["web1"], previews, "successful")
    assert not pass_.idempotent
    assert pass_.would_change == (("web1", TLS),)
    clean = Idempotence.of(["web1"], [host("web1", telnet=Status.COMPLIANT)], "successful")
    assert clean.idempotent
    assert Idempotence.from_json(pass_.to_json()) == pass_
    failed = Idempotence.of(["web1"], [host("web1", telnet=Status.COMPLIANT)], "failed")
    assert not failed.idempotent
