"""``policy check|init`` and ``plan`` through their argparse wiring."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from remediator.classify import cli
from remediator.errors import InputError, PolicyError
from tests.corpus import corpus_path
from tests.unit.classify.helpers import HEADER, write_inventory

REPO = Path(__file__).resolve().parents[3]
META = "nessus/rubynessus_example_v3.nessus"
BODY = (
    "groups:\n  legacy:\n    allow:\n"
    "      - {service: smtp, sources: [any], justification: m, owner: o}\n"
)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="remediator")
    cli.register(top.add_subparsers(dest="command"))
    return top


def run(*argv: str) -> int:
    args = parser().parse_args(argv)
    code: int = args.func(args)
    return code


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    write_inventory(tmp_path, {"meta": ("10.0.0.1", ["legacy"], None)})
    policy = tmp_path / "policy.yml"
    policy.write_text(HEADER + BODY, encoding="utf-8")
    return tmp_path / "inventory.yml", policy


@pytest.mark.parametrize("argv", [["policy", "check"], ["policy", "init"], ["plan"]])
def test_help_teaches_with_examples(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        parser().parse_args([*argv, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "remediator " in out


def test_policy_check_ok_and_bad(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    inventory, policy = files
    assert run("policy", "check", str(policy), "--inventory", str(inventory)) == 0
    assert "valid: 1 groups, 1 allow entries" in capsys.readouterr().out
    policy.write_text(HEADER + BODY.replace("legacy", "legacyy"), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy.yml:8: groups.legacyy: unknown group"):
        run("policy", "check", str(policy), "--inventory", str(inventory))


def test_plan_writes_json_and_prints_a_table(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory, policy = files
    out = tmp_path / "plan.json"
    code = run(
        "plan",
        str(corpus_path(META)),
        "--policy",
        str(policy),
        "--inventory",
        str(inventory),
        "--as-of",
        "2026-11-25",
        "-o",
        str(out),
        "--rows",
        "3",
    )
    assert code == 0
    table = capsys.readouterr().out
    assert table.startswith("SEV") and "plan written to" in table
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["as_of"] == "2026-11-25" and document["decisions"]
    assert not list(tmp_path.glob(".plan.json.*"))  # the temp file was renamed away


def test_plan_json_is_identical_across_processes(files: tuple[Path, Path], tmp_path: Path) -> None:
    """Different hash seeds, same bytes: nothing in the plan depends on set order."""
    inventory, policy = files
    script = (
        "import sys; from tests.unit.classify.test_cli import run; sys.exit(run(*sys.argv[1:]))"
    )
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"plan-{seed}.json"
        subprocess.run(
            [
                sys.executable,
                "-c",
                script,
                "plan",
                str(corpus_path(META)),
                "--policy",
                str(policy),
                "--inventory",
                str(inventory),
                "--as-of",
                "2026-11-25",
                "-o",
                str(target),
                "--json",
            ],
            check=True,
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


def test_bad_as_of_is_a_usage_error(files: tuple[Path, Path]) -> None:
    inventory, policy = files
    with pytest.raises(SystemExit) as done:
        parser().parse_args(
            [
                "plan",
                "x",
                "--policy",
                str(policy),
                "--inventory",
                str(inventory),
                "--as-of",
                "31/12/2026",
            ]
        )
    assert done.value.code == 2


def test_policy_init_proposes_every_observed_service(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory, _ = files
    starter = tmp_path / "starter.yml"
    assert (
        run(
            "policy",
            "init",
            str(corpus_path(META)),
            "--inventory",
            str(inventory),
            "-o",
            str(starter),
            "--admin",
            "192.0.2.10/32",
        )
        == 0
    )
    text = starter.read_text(encoding="utf-8")
    for proposal in (
        "# - service: telnet",
        "# - service: mysql",
        "# - port: 8787",
        "(management port: kept whatever this list says)",
    ):
        assert proposal in text
    assert run("policy", "check", str(starter), "--inventory", str(inventory)) == 0
    with pytest.raises(InputError, match="exists; use --force"):
        run(
            "policy",
            "init",
            str(corpus_path(META)),
            "--inventory",
            str(inventory),
            "-o",
            str(starter),
        )
    capsys.readouterr()


def test_policy_init_without_admin_fails_check_at_the_placeholder(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    inventory, _ = files
    starter = tmp_path / "starter.yml"
    run("policy", "init", str(corpus_path(META)), "--inventory", str(inventory), "-o", str(starter))
    line = next(
        i
        for i, text in enumerate(starter.read_text().splitlines(), 1)
        if "REPLACE-WITH-ADMIN-CIDR" in text
    )
    with pytest.raises(PolicyError, match=rf"starter.yml:{line}: networks.admins\[0\]"):
        run("policy", "check", str(starter))


def test_plan_from_findings_json_matches_plan_from_the_scan(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`remediator ingest -o` output is a valid plan input and decides the same way."""
    from remediator.ingest import cli as ingest_cli

    top = argparse.ArgumentParser(prog="remediator")
    ingest_cli.register(top.add_subparsers(dest="command"))
    findings = tmp_path / "findings.json"
    args = top.parse_args(["ingest", str(corpus_path(META)), "-o", str(findings)])
    assert args.func(args) == 0
    inventory, policy = files
    plans = []
    for source in (corpus_path(META), findings):
        out = tmp_path / f"plan-{source.suffix}.json"
        run(
            "plan",
            str(source),
            "--policy",
            str(policy),
            "--inventory",
            str(inventory),
            "--as-of",
            "2026-11-25",
            "-o",
            str(out),
            "--json",
        )
        plans.append(json.loads(out.read_text(encoding="utf-8"))["decisions"])
    capsys.readouterr()
    summary = [
        [(d["check_id"], d["port"], d["kind"], d["verdict"], d["rule"]) for d in p] for p in plans
    ]
    assert summary[0] == summary[1] and len(summary[0]) > 100


LAN3 = "nessus/libnessus_nessus_report_local_3.nessus"
"""Three LAN hosts: .100 has auto_fail and fail findings, .101 only fail, .104 only pass."""


@pytest.fixture
def lan(tmp_path: Path) -> tuple[Path, Path]:
    """An inventory claiming two of the scan's three addresses, and a policy for one group."""
    hosts = {"aix": ("192.168.2.100", ["legacy"], None), "ubuntu": ("192.168.2.101", ["web"], None)}
    write_inventory(tmp_path, hosts)
    policy = tmp_path / "policy.yml"
    policy.write_text(HEADER + BODY, encoding="utf-8")
    return tmp_path / "inventory.yml", policy


def plan_lan(lan: tuple[Path, Path], tmp_path: Path, *extra: str) -> int:
    inventory, policy = lan
    argv = [str(corpus_path(LAN3)), "--policy", str(policy), "-i", str(inventory)]
    return run("plan", *argv, "--as-of", "2026-11-25", "-o", str(tmp_path / "plan.json"), *extra)


def test_plan_warnings_go_to_standard_error(
    lan: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert plan_lan(lan, tmp_path) == 0
    out, err = capsys.readouterr()
    assert "unmatched 192.168.2.104" in err and "WARNING: scan is" in err
    assert "unmatched" not in out and "WARNING" not in out
    assert plan_lan(lan, tmp_path, "--json") == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["unmatched"] == ["192.168.2.104"] and "unmatched 192.168.2.104" in err


@pytest.mark.parametrize(
    "case",
    [
        (["--fail-on", "auto_fail"], 1, "2 decisions predict an ASV auto-fail"),
        (["--fail-on", "unmatched"], 1, "1 addresses match no host"),
        (["--fail-on", "stale"], 1, "the scan is 4633 days old"),
        (["--fail-on", "fail", "--fail-on", "unmatched"], 1, "25 decisions predict an ASV fail"),
        (["-l", "web", "--fail-on", "auto_fail,unmatched"], 0, None),
        (["-l", "web", "--fail-on", "fail"], 1, "3 decisions predict an ASV fail or auto-fail"),
        (["-l", "all:!legacy", "--fail-on", "auto_fail"], 0, None),
    ],
)
def test_fail_on_fails_only_on_what_it_names(
    lan: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: tuple[list[str], int, str | None],
) -> None:
    fail_on, code, why = case
    assert plan_lan(lan, tmp_path, *fail_on) == code
    err = capsys.readouterr().err
    assert (why in err) if why else "--fail-on" not in err
    assert json.loads((tmp_path / "plan.json").read_text("utf-8"))["decisions"]  # still written


def test_a_limit_plans_only_the_hosts_it_selects(
    lan: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert plan_lan(lan, tmp_path, "-l", "web*") == 0
    assert "unmatched" not in capsys.readouterr().err
    plan = json.loads((tmp_path / "plan.json").read_text("utf-8"))
    assert set(plan["hosts"]) == {"ubuntu"} and plan["unmatched"] == []
    assert {d["host"] for d in plan["decisions"]} == {"ubuntu"}
    assert {d["address"] for d in plan["decisions"]} == {"192.168.2.101"}
    with pytest.raises(InputError, match="the limit 'db' matches no host"):
        plan_lan(lan, tmp_path, "-l", "db")


def test_fail_on_names_only_what_it_knows(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        parser().parse_args(["plan", "s", "--policy", "p", "-i", "i", "--fail-on", "auto_fial"])
    assert done.value.code == 2
    assert "choose from auto_fail, fail, stale, unmatched" in capsys.readouterr().err


def test_policy_check_json_says_valid_with_counts_and_warnings(
    lan: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    inventory, policy = lan
    assert run("policy", "check", str(policy), "-i", str(inventory), "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["valid"] is True and document["errors"] == []
    assert document["counts"] == {
        "groups": 1,
        "allow_entries": 1,
        "exceptions": 0,
        "expired_exceptions": 0,
    }
    assert document["warnings"] == [
        "host ubuntu is in no policy group: every service found on it is unneeded "
        "(disabled and blocked)"
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            BODY.replace("legacy", "legacyy"),
            {"line": 8, "path": "groups.legacyy", "message": "unknown group"},
        ),
        ("groups: [unclosed\n", {"line": 8, "path": None}),
    ],
)
def test_policy_check_json_names_each_error_where_it_is(
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    body: str,
    error: dict[str, object],
) -> None:
    inventory, policy = files
    policy.write_text(HEADER + body, encoding="utf-8")
    assert run("policy", "check", str(policy), "--inventory", str(inventory), "--json") == 2
    document = json.loads(capsys.readouterr().out)
    assert document["valid"] is False and document["counts"] is None
    first = document["errors"][0]
    assert first["file"] == str(policy)
    assert {k: first[k] for k in error if k != "message"} == {
        k: v for k, v in error.items() if k != "message"
    }
    assert error.get("message", first["message"]) in first["message"]
