"""Dry-run truth on fresh lab hosts: what it says would change is what apply changes; the
hosts, probed from the controller with the tests' own clients (not the tool's word), show
every planned fix in effect and every kept service answering; and safe to repeat: after the
apply, a dry-run sees nothing left to do (none unknown) and a second apply of the same
project (the next window, a scheduled re-run) changes nothing.

The plan masks legacy's MariaDB, named with the alias names Debian ships beside it
(mysql.service, mysqld.service), which no longer load once it is masked. The one apply
of the module is shared: the repeat costs a dry-run and an apply with nothing to do.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.lab.outside import answered, assert_answers, plan_promises

from .conftest import TARGETS, LabRun

pytestmark = pytest.mark.lab


def test_dry_run_matches_apply_and_apply_leaves_all_compliant(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str]
) -> None:
    project, dry = lab_run.reviewed(capsys)  # the check run of these pristine hosts
    would = {
        (h["host"], f["key"])
        for h in dry["hosts"]
        for f in h["findings"]
        if f["status"] == "would_change"
    }
    unknown = [
        (h["host"], f["key"], f["why"])
        for h in dry["hosts"]
        for f in h["findings"]
        if f["status"] == "unknown"
    ]
    assert unknown == []
    assert {h for h, _ in would} == set(TARGETS)
    assert any(h == "legacy.lab" and "/tcp/3306/" in k for h, k in would), "no alias package"
    config = lab_run.lab.config
    promises = plan_promises(
        json.loads(lab_run.plan.read_bytes()), (str(config.controller4), str(config.controller6))
    )
    looks = (*promises.gone, *promises.kept)
    assert len(promises.gone) > 30 and len(promises.kept) > 20, promises
    before = answered(lab_run.lab, looks)
    assert_answers(before, True, looks)  # each weakness is there to be fixed: the looks see it

    code, summary = lab_run.cli_json(
        capsys,
        "apply",
        str(project),
        "--window",
        "now+1h",
        "--batch",
        "100%",
        "--dry-run-id",
        dry["run"],
        "--approved-by",
        "lab-test",
        "--ticket",
        "LAB-7",
    )
    assert code == 0, summary["hosts"]
    assert {h: r["end"] for h, r in summary["hosts"].items()} == dict.fromkeys(TARGETS, "applied")
    changed = {tuple(pair) for pair in summary["changed"]}
    assert changed == would, {"only dry-run": would - changed, "only apply": changed - would}
    assert_proof_recorded(summary, would)
    after = answered(lab_run.lab, looks)
    assert_answers(after, False, promises.gone)
    assert_answers(after, True, promises.kept)

    code, again_dry = lab_run.cli_json(capsys, "dry-run", str(project))
    assert code == 0, again_dry["hosts"]
    hosts = again_dry["hosts"]
    status = {(h["host"], f["key"]): f["status"] for h in hosts for f in h["findings"]}
    not_compliant = {pair: status.get(pair) for pair in would if status.get(pair) != "compliant"}
    assert not_compliant == {}
    left = {pair: s for pair, s in status.items() if s in {"unknown", "would_change"}}
    assert left == {}, [f["why"] for h in hosts for f in h["findings"] if f.get("why")]

    # the same project applied again: nothing changes, nothing fails, nothing rolls back
    code, again = lab_run.cli_json(
        capsys,
        "apply",
        str(project),
        "--window",
        "now+1h",
        "--batch",
        "100%",
        "--dry-run-id",
        again_dry["run"],
        "--approved-by",
        "lab-test",
        "--ticket",
        "LAB-7",
    )
    assert code == 0, again["hosts"]
    assert {h: r["end"] for h, r in again["hosts"].items()} == dict.fromkeys(TARGETS, "applied")
    assert again["changed"] == []
    assert [p for p in again["proof"] if p["mismatch"]] == []

    # a host changed by hand after the dry-run: the apply's change is flagged, not hidden
    opened = lab_run.lab.ssh(
        "cache", "sh", "-c", "systemctl unmask lab-echo.socket && systemctl start lab-echo.socket"
    )
    assert opened.returncode == 0, opened.stderr
    code, forced = lab_run.cli_json(
        capsys, "apply", str(project), "--window", "now+1h", "--batch", "100%",
        "--dry-run-id", again_dry["run"], "--limit", "cache.lab",
        "--approved-by", "lab-test", "--ticket", "LAB-7",
    )  # fmt: skip
    assert code == 0, forced["hosts"]
    flagged = [(p["host"], p["key"]) for p in forced["proof"] if p["mismatch"]]
    ports = sorted((h, k.split("/", 1)[1]) for h, k in flagged)  # each address family's
    assert ports == [("cache.lab", "tcp/7/port-open")] * 2, flagged
    (echo,) = [p for p in forced["proof"] if (p["host"], p["key"]) == flagged[0]]
    assert (echo["predicted"], echo["applied"]) == ("compliant", "changed")
    assert any(o["passed"] is False for o in echo["before"]), echo  # reopened by hand
    assert forced["idempotence"]["idempotent"], forced["idempotence"]


def assert_proof_recorded(summary: dict[str, Any], would: set[tuple[str, str]]) -> None:
    """The apply recorded, per finding, the weakness before, its fix after, and no mismatch;
    and a check-mode pass after it that changes nothing."""
    proofs = {(p["host"], p["key"]): p for p in summary["proof"]}
    assert {pair for pair, p in proofs.items() if p["mismatch"]} == set()
    sources = {o["source"] for p in proofs.values() for o in p["before"] or ()}
    assert sources == {"on_host", "suite"}, sources
    shown = [
        pair for pair in would if any(o["passed"] is False for o in proofs[pair]["before"] or ())
    ]
    assert set(shown) == would, sorted(would - set(shown))  # each weakness proven present
    failed_after = {
        pair: [o["name"] for o in p["after"] if o["passed"] is False]
        for pair, p in proofs.items()
        if any(o["passed"] is False for o in p["after"] or ())
    }
    assert failed_after == {}
    unproven = [pair for pair in would if not proofs[pair]["after"]]
    assert unproven == []  # and each checked again after the change
    assert summary["idempotence"]["idempotent"], summary["idempotence"]
    assert set(summary["idempotence"]["hosts"]) == set(TARGETS)
