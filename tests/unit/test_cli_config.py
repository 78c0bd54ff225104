"""Option defaults from ``remediator.cfg`` and ``REMEDIATOR_*``, found the way Ansible finds
``ansible.cfg``; the command line beats the environment, which beats the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from remediator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCAN = ROOT / "tests/fixtures/nmap/nmap_tls_loopback.xml"
LAB_SCAN = ROOT / "examples/scans/lab-v4.xml"
POLICY = ROOT / "examples/lab-policy.yml"
INVENTORY = ROOT / "examples/lab-inventory.yml"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory of the test's own, a home without a configuration, and no
    ``REMEDIATOR_*`` option in the environment."""
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in list(os.environ):
        if name.startswith("REMEDIATOR_") and name != "REMEDIATOR_CORPUS":
            monkeypatch.delenv(name)
    return work


def _plan_inventory(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """The inventory a ``plan --json`` of the lab scan was made against."""
    assert main(["plan", str(LAB_SCAN), "--as-of", "2026-12-01", "--json", *extra]) == 0
    inventory: str = json.loads(capsys.readouterr().out)["inventory"]
    return inventory


def _one_error_line(capsys: pytest.CaptureFixture[str], *names: str) -> None:
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("remediator: error: "), err
    for name in names:
        assert name in err[0], err


def test_defaults_section_fills_required_options(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated / "remediator.cfg").write_text(
        f"[defaults]\npolicy = {POLICY}\ninventory = {INVENTORY}\n"
    )
    assert _plan_inventory(capsys) == str(INVENTORY)


def test_command_section_beats_defaults_environment_beats_file_command_line_beats_all(
    isolated: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / "remediator.cfg").write_text(
        f"[defaults]\npolicy = {POLICY}\ninventory = /nowhere/defaults.yml\n"
        f"[plan]\ninventory = {INVENTORY}\n"
    )
    assert _plan_inventory(capsys) == str(INVENTORY)
    other = isolated / "copy.yml"
    other.write_bytes(INVENTORY.read_bytes())
    monkeypatch.setenv("REMEDIATOR_INVENTORY", str(other))
    assert _plan_inventory(capsys) == str(other)
    assert _plan_inventory(capsys, "--inventory", str(INVENTORY)) == str(INVENTORY)


def test_keys_take_dashes_or_underscores(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated / "remediator.cfg").write_text(
        f"[plan]\npolicy = {POLICY}\ninventory = {INVENTORY}\nas-of = 2026-01-01\n"
    )
    assert main(["plan", str(LAB_SCAN), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == "2026-01-01"
    (isolated / "remediator.cfg").write_text(
        f"[plan]\npolicy = {POLICY}\ninventory = {INVENTORY}\nas_of = 2026-01-02\n"
    )
    assert main(["plan", str(LAB_SCAN), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == "2026-01-02"


def test_a_flag_from_the_file(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (isolated / "remediator.cfg").write_text("[ingest]\njson = yes\n")
    assert main(["ingest", str(SCAN), "-v"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["schema"] == "remediator/findings/v1"
    assert captured.err == "remediator: INFO: option defaults from remediator.cfg\n"


def test_the_config_variable_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "team.cfg"
    elsewhere.write_text(f"[defaults]\npolicy = {POLICY}\ninventory = {INVENTORY}\n")
    monkeypatch.setenv("REMEDIATOR_CONFIG", str(elsewhere))
    assert _plan_inventory(capsys) == str(INVENTORY)


def test_a_missing_named_config_is_an_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMEDIATOR_CONFIG", "/nowhere/remediator.cfg")
    assert main(["ingest", str(SCAN)]) == 2
    _one_error_line(capsys, "$REMEDIATOR_CONFIG=/nowhere/remediator.cfg")


def test_the_home_file_when_there_is_no_local_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "home/.remediator.cfg").write_text(
        f"[defaults]\npolicy = {POLICY}\ninventory = {INVENTORY}\n"
    )
    assert _plan_inventory(capsys) == str(INVENTORY)


def test_a_world_writable_directory_is_not_trusted(
    isolated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated / "remediator.cfg").write_text("[ingest]\njson = yes\n")
    isolated.chmod(0o777)
    assert main(["ingest", str(SCAN)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{SCAN} (nmap)")  # the summary, not JSON
    assert captured.err.startswith("remediator: warning: ignoring ")
    assert "world-writable" in captured.err


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[defaults]\ninventry = x\n", ["remediator.cfg: [defaults] inventry", "unknown option"]),
        ("[plan]\nrescan = yes\n", ["remediator.cfg: [plan] rescan", "unknown option"]),
        ("[plna]\ninventory = x\n", ["remediator.cfg: [plna] is not a command"]),
        ("[plan]\nformat = nessus2\n", ["remediator.cfg: [plan] format", "'nessus2' is not one"]),
        ("[plan]\nas-of = tomorrow\n", ["remediator.cfg: [plan] as-of", "not a date"]),
        ("[ingest]\njson = perhaps\n", ["remediator.cfg: [ingest] json", "not true or false"]),
        ("inventory = x\n", ["remediator.cfg: not a configuration file"]),
        ("[apply]\nwindow = now+2h\n", ["remediator.cfg: [apply] window", "command line"]),
    ],
)
def test_a_bad_file_is_one_line(
    text: str, names: list[str], isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated / "remediator.cfg").write_text(text)
    verb = text.split("]", maxsplit=1)[0].lstrip("[")
    argv = [verb, str(isolated)] if verb in ("plan", "apply") else ["ingest", str(SCAN)]
    assert main(argv) == 2
    _one_error_line(capsys, *names)


def test_a_bad_variable_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMEDIATOR_AS_OF", "someday")
    assert main(["plan", str(SCAN), "--policy", str(POLICY), "--inventory", str(INVENTORY)]) == 2
    _one_error_line(capsys, "$REMEDIATOR_AS_OF", "'someday' is not a date")


def test_a_value_is_checked_only_for_the_command_that_runs(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A [defaults] value one command cannot take does not stop another that lacks the option."""
    (isolated / "remediator.cfg").write_text("[defaults]\nas-of = someday\n")
    assert main(["ingest", str(SCAN)]) == 0
    capsys.readouterr()
    assert main(["plan", str(SCAN), "--policy", str(POLICY), "--inventory", str(INVENTORY)]) == 2
    _one_error_line(capsys, "remediator.cfg: [defaults] as-of", "'someday' is not a date")


def test_variables_that_name_no_option_are_left_alone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMEDIATOR_SUITE_REPORT", "/tmp/report")
    assert main(["ingest", str(SCAN)]) == 0
    assert capsys.readouterr().err == ""


def test_apply_takes_its_window_ticket_and_approver_only_from_its_command_line(
    isolated: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / "remediator.cfg").write_text("[defaults]\nwindow = now+2h\n")
    monkeypatch.setenv("REMEDIATOR_TICKET", "CHG-1")
    with pytest.raises(SystemExit) as exit_info:
        main(["apply", str(isolated), "--inventory", str(INVENTORY)])
    assert exit_info.value.code == 2  # --window is still required
    err = capsys.readouterr().err
    assert (
        "remediator.cfg: [defaults] window ignored: apply takes it only from its command line"
        in err
    )
    assert "$REMEDIATOR_TICKET ignored" in err


@pytest.mark.parametrize(
    "text",
    ["[apply]\nno-approval = yes\n", "[apply]\napproved-by = ciso\n", "[apply]\nticket = CHG-1\n"],
)
def test_an_apply_section_cannot_supply_approval(
    text: str, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated / "remediator.cfg").write_text(text)
    key = text.split("\n")[1].split(" = ", maxsplit=1)[0]
    assert main(["apply", str(isolated), "--window", "now+1h"]) == 2
    _one_error_line(capsys, f"remediator.cfg: [apply] {key}", "only from its command line")


@pytest.mark.parametrize(
    ("text", "variables"),
    [
        ("[defaults]\nno-approval = yes\n", {}),
        ("", {"REMEDIATOR_NO_APPROVAL": "1"}),
        ("[defaults]\napproved-by = ciso\n", {"REMEDIATOR_TICKET": "CHG-1"}),
    ],
    ids=["defaults-waiver", "variable-waiver", "defaults-and-variable-approval"],
)
def test_defaults_and_variables_cannot_approve_or_waive_an_apply(
    text: str,
    variables: dict[str, str],
    isolated: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Withheld from apply (said on stderr), so the apply is refused for want of approval
    before it reads the project (here an empty directory: not one)."""
    (isolated / "remediator.cfg").write_text(text)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert main(["apply", str(isolated), "--window", "now+1h"]) == 2
    err = capsys.readouterr().err
    assert "ignored: apply takes it only from its command line" in err
    assert "apply needs who approved it" in err and "not a generated project" not in err


def test_verbose_from_the_file(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    (isolated / "remediator.cfg").write_text("[defaults]\nverbose = 2\n")
    assert main(["ingest", str(SCAN)]) == 0
    assert logging.getLogger("remediator").level == logging.DEBUG


def test_help_names_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "remediator.cfg" in out
    assert "docs/config.md" in out
