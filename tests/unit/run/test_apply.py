"""dry-run, apply and rollback end to end, through real ansible-runner runs on local hosts.

The project is the lab plan's generated project made local (fakeproject.py): the real
playbooks (guard, serial, snapshot, block/rescue, verification) with stand-in roles.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from remediator.run.apply.batches import CHECK_TO_APPLY, VERIFY_ALLOWANCE
from remediator.run.apply.lock import run_lock

from .conftest import Cli
from .fakeproject import FakeProject

pytestmark = pytest.mark.slow

CANARY = "remediator-canary-7c2e51"
MARGIN = 20
"""Seconds an apply may take, however loaded the machine, to reach its first batch."""
SLOW_BATCH = MARGIN + 5
"""Seconds the first batch of the closing-window test takes at least (its slow task)."""
Fake = Callable[..., FakeProject]
APPROVED = ("--approved-by", "alice", "--ticket", "CHG-42")
"""Every apply names who approved it and the ticket (or waives approval: one test does)."""


def would_change(dry: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (h["host"], f["key"])
        for h in dry["hosts"]
        for f in h["findings"]
        if f["status"] == "would_change"
    }


def test_dry_run_truth_and_compliance_after_apply(
    cli: Cli, make_fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMEDIATOR_TEST_SECRET", CANARY)
    fake = make_fake("legacy.lab", "web.lab")
    code, dry = cli.json("dry-run", str(fake.root))
    assert code == 0 and dry["schema"] == "remediator/dry-run/v1"
    expected = would_change(dry)
    assert {h for h, _ in expected} == {"legacy.lab", "web.lab"}
    assert dry["totals"]["unknown"] == 0
    assert fake.state("legacy.lab") == {"config": b"original\n"}  # check mode changed nothing

    code, summary = cli.json(
        "apply",
        str(fake.root),
        "--window",
        "now+1h",
        "--batch",
        "100%",
        "--dry-run-id",
        dry["run"],
        "--approved-by",
        "alice",
        "--ticket",
        "CHG-42",
    )
    assert code == 0 and summary["status"] == "applied"
    assert {tuple(pair) for pair in summary["changed"]} == expected  # dry-run truth
    assert {h["end"] for h in summary["hosts"].values()} == {"applied"}
    assert (summary["approved_by"], summary["ticket"]) == ("alice", "CHG-42")
    assert all(
        fake.disabled("legacy.lab", k)
        for h, k in expected
        if h == "legacy.lab" and "/udp/161/" not in k
    )

    code, after = cli.json("dry-run", str(fake.root))
    assert code == 0
    statuses = {(h["host"], f["key"]): f["status"] for h in after["hosts"] for f in h["findings"]}
    assert {statuses[pair] for pair in expected} == {"compliant"}

    for path in cli.runs.rglob("*"):  # no secret from the environment in any record
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    apply_dir = cli.records("apply")[0]
    for command in apply_dir.glob("ansible/artifacts/*/command"):
        assert set(json.loads(command.read_text())) == {"command", "cwd"}
    assert (apply_dir / "snapshots" / "legacy.lab" / "taken.json").is_file()
    info = json.loads((apply_dir / "run.json").read_text())
    assert info["kind"] == "apply" and info["plan_sha256"] == dry["plan_sha256"]
    assert info["approval"] == {"approved_by": "alice", "ticket": "CHG-42", "waived": False}


def test_apply_refuses_a_project_changed_since_its_dry_run(cli: Cli, make_fake: Fake) -> None:
    fake = make_fake("legacy.lab")
    code, dry = cli.json("dry-run", str(fake.root))
    with (fake.root / "host_vars" / "legacy.lab.yml").open("a") as edit:
        edit.write("# edited after review\n")
    code, _, err = cli(
        "apply", str(fake.root), *APPROVED, "--window", "now+1h", "--dry-run-id", dry["run"]
    )
    assert code == 3
    assert "changed since dry-run" in err and "host_vars/legacy.lab.yml" in err
    assert cli.records("apply") == []
    assert fake.state("legacy.lab") == {"config": b"original\n"}


def test_an_apply_may_narrow_its_dry_run_to_hosts_it_previewed(cli: Cli, make_fake: Fake) -> None:
    fake = make_fake("legacy.lab", "web.lab")
    _, legacy = cli.json("dry-run", str(fake.root), "-l", "legacy.lab")
    code, _, err = cli(
        "apply",
        str(fake.root),
        *APPROVED,
        "--window",
        "now+1h",
        "--dry-run-id",
        legacy["run"],
        "-l",
        "w*",
    )
    assert code == 3 and "the dry-run's limit was 'legacy.lab', this apply's 'w*'" in err
    _, dry = cli.json("dry-run", str(fake.root))
    code, summary = cli.json(
        "apply",
        str(fake.root),
        "--window",
        "now+1h",
        "--dry-run-id",
        dry["run"],
        "--limit",
        "w*",
        "--no-approval",
    )
    waived = {"approved_by": None, "ticket": None, "waived": True}
    assert summary["approval"] == waived
    assert code == 0 and {h: r["end"] for h, r in summary["hosts"].items()} == {
        "web.lab": "applied"
    }
    assert {h for h, _ in summary["changed"]} == {"web.lab"}
    assert fake.state("legacy.lab") == {"config": b"original\n"}
    info = json.loads((cli.records("apply")[-1] / "run.json").read_text())
    assert info["limit"] == "w*" and info["approval"] == waived


def test_apply_outside_the_window_contacts_no_host(cli: Cli, make_fake: Fake) -> None:
    fake = make_fake("legacy.lab")
    start = datetime.now(UTC) + timedelta(days=1)
    spec = f"{start:%Y-%m-%dT%H:%M}+00:00/{start + timedelta(hours=2):%Y-%m-%dT%H:%M}+00:00"
    code, _, err = cli("apply", str(fake.root), *APPROVED, "--window", spec)
    assert code == 3
    assert f"next opens {start:%Y-%m-%dT%H:%M}+00:00" in err and "No host was contacted" in err
    assert not cli.runs.exists()  # not even a dry-run: nothing ran
    assert fake.state("legacy.lab") == {"config": b"original\n"}


def test_apply_outside_the_projects_own_window(cli: Cli, make_fake: Fake) -> None:
    fake = make_fake("legacy.lab", now=datetime.now(UTC) - timedelta(hours=3), window="now+1h")
    code, _, err = cli("apply", str(fake.root), *APPROVED, "--window", "now+1h")
    assert code == 3 and "the window the project was generated for" in err
    assert not cli.runs.exists()


def test_a_closing_window_stops_after_the_running_batch(cli: Cli, make_fake: Fake) -> None:
    """The window closes ``MARGIN`` s after the first batch's estimate would end.

    Batch 1 starts if the apply reaches it within ``MARGIN`` s of ``now``; batch 2 needs
    the same estimate again (or batch 1's duration, if longer), so it is refused when
    batch 1 took more than ``MARGIN`` s, which its slow task makes sure of on any machine.
    Relying on the batch's own speed instead made the test pass or fail with the load.
    """
    fake = make_fake("legacy.lab", "web.lab")
    fake.mark("legacy.lab", "SLOW", str(SLOW_BATCH))  # batch 1 is legacy.lab (host order)
    _, dry = cli.json("dry-run", str(fake.root))
    first = dry["seconds"] * CHECK_TO_APPLY + VERIFY_ALLOWANCE
    now = datetime.now(UTC)
    end = now + timedelta(seconds=first + MARGIN)
    spec = f"{now - timedelta(minutes=1):%Y-%m-%dT%H:%M:%S}+00:00/{end:%Y-%m-%dT%H:%M:%S}+00:00"
    code, summary = cli.json(
        "apply",
        str(fake.root),
        *APPROVED,
        "--window",
        spec,
        "--batch",
        "1",
        "--dry-run-id",
        dry["run"],
    )
    assert code == 3 and summary["status"] == "stopped"
    assert [b["status"] for b in summary["batches"]] == ["applied", "not_started"]
    assert summary["hosts"]["legacy.lab"]["end"] == "applied"
    assert summary["hosts"]["web.lab"]["end"] == "not_started"
    assert "batch 2/2 not started" in summary["stopped"] and "closes at" in summary["stopped"]
    assert fake.state("web.lab") == {"config": b"original\n"}
    assert summary["batches"][0]["seconds"] >= SLOW_BATCH


def test_a_failing_batch_is_rolled_back_and_later_batches_not_started(
    cli: Cli, make_fake: Fake
) -> None:
    fake = make_fake("legacy.lab", "web.lab", "cache.lab")
    fake.mark("cache.lab", "REJECT")  # batches go in host order: cache+legacy, then web
    before = {h: fake.state(h) for h in fake.hosts}
    code, summary = cli.json(
        "apply", str(fake.root), *APPROVED, "--window", "now+1h", "--batch", "2"
    )
    assert code == 1 and summary["status"] == "failed"
    ends = {h: r["end"] for h, r in summary["hosts"].items()}
    assert ends == {
        "cache.lab": "rolled_back",
        "legacy.lab": "rolled_back",
        "web.lab": "not_started",
    }
    assert "the firewall rejected the ruleset" in summary["hosts"]["cache.lab"]["detail"]
    assert "the batch failed" in summary["hosts"]["legacy.lab"]["detail"]
    assert {h: fake.state(h) for h in fake.hosts} == before  # byte-identical
    assert [b["status"] for b in summary["batches"]] == ["rolled_back", "not_started"]


def test_a_failed_controller_check_rolls_the_host_back(cli: Cli, make_fake: Fake) -> None:
    fake = make_fake("legacy.lab")
    fake.mark("legacy.lab", "BREAK_SUITE")
    code, summary = cli.json("apply", str(fake.root), *APPROVED, "--window", "now+1h")
    assert code == 1
    result = summary["hosts"]["legacy.lab"]
    assert result["end"] == "rolled_back" and "test_keep_suite_not_broken" in result["detail"]
    checks = {c["name"]: c for c in result["checks"]}
    assert checks["new Ansible connection"]["passed"]
    assert fake.state("legacy.lab") == {"config": b"original\n"}


def test_a_failed_verification_in_the_play_rolls_back(cli: Cli, make_fake: Fake) -> None:
    fake = make_fake("legacy.lab", broken_verify=["legacy.lab"])
    code, summary = cli.json("apply", str(fake.root), *APPROVED, "--window", "now+1h")
    assert code == 1
    result = summary["hosts"]["legacy.lab"]
    assert result["end"] == "rolled_back"
    assert "No longer listening on legacy.lab: tcp/1" in result["detail"]
    assert fake.state("legacy.lab") == {"config": b"original\n"}


def test_max_fail_tolerates_a_failed_host(cli: Cli, make_fake: Fake) -> None:
    fake = make_fake("legacy.lab", "web.lab")
    fake.mark("web.lab", "REJECT")
    code, summary = cli.json(
        "apply",
        str(fake.root),
        *APPROVED,
        "--window",
        "now+1h",
        "--batch",
        "2",
        "--max-fail",
        "50%",
    )
    assert code == 1
    assert summary["hosts"]["legacy.lab"]["end"] == "applied"
    assert summary["hosts"]["web.lab"]["end"] == "rolled_back"
    assert summary["batches"][0]["status"] == "failed_hosts_restored"
    assert fake.state("web.lab") == {"config": b"original\n"}


def test_rollback_by_hand(cli: Cli, make_fake: Fake) -> None:
    fake = make_fake("legacy.lab", "web.lab")
    code, summary = cli.json(
        "apply", str(fake.root), *APPROVED, "--window", "now+1h", "--batch", "100%"
    )
    assert code == 0
    applied = fake.state("legacy.lab")
    code, out, err = cli("rollback", summary["run"], "--host", "web.lab")
    assert code == 0 and "web.lab: restored" in out
    assert fake.state("web.lab") == {"config": b"original\n"}
    assert fake.state("legacy.lab") == applied
    code, _, err = cli("rollback", str(cli.records("apply")[0]), "--host", "clean.lab")
    assert code == 2 and "took no snapshot on 'clean.lab'" in err
    code, _, err = cli("rollback", summary["run"], "-l", "clean*")
    assert code == 2 and "the limit 'clean*' matches no host" in err
    code, out, err = cli("rollback", summary["run"], "-l", "all:!web*")
    assert code == 0 and "legacy.lab: restored" in out and "web.lab" not in out
    code, result = cli.json("rollback", summary["run"])
    assert code == 0 and set(result["hosts"]) == {"legacy.lab", "web.lab"}
    assert fake.state("legacy.lab") == {"config": b"original\n"}
    record = json.loads((cli.records("apply")[0] / "summary.json").read_text())
    assert record["hosts"]["legacy.lab"]["end"] == "rolled_back"


def test_two_applies_on_one_inventory_never_overlap(cli: Cli, make_fake: Fake) -> None:
    fake = make_fake("legacy.lab")
    with run_lock(fake.root / "inventory.yml", [], "another apply (test)"):
        code, _, err = cli("apply", str(fake.root), *APPROVED, "--window", "now+1h")
    assert code == 3 and "locked by another apply (test)" in err
    assert fake.state("legacy.lab") == {"config": b"original\n"}
