"""No scan, policy or inventory text reaches a human's terminal (or the evidence page) raw.

Hostile strings (ESC and C1 CSI sequences, OSC title sets, BEL, DEL, newlines, bidi
overrides and isolates, zero-width characters, lone surrogates) are fed through every
human-facing renderer; what comes out holds none of them, only their visible escapes.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remediator.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "inventory"
DANGEROUS = (
    "\x1b[2J\x1b[H",  # clear screen, cursor home
    "\x9b31m",  # C1 CSI
    "\x1b]0;pwned\x07",  # OSC window title, BEL
    "\x7f\x00\x08\r\n\t\x0b\x0c",
    "\x85\u2028\u2029",
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
    "\u200b\u200c\u200d\u2060\ufeff",
    "\U000e0041",  # a tag character
)
"""Each group of characters the brief names, as an attacker would send them."""

_hostile = st.lists(
    st.one_of(
        st.sampled_from(DANGEROUS),
        st.text(alphabet=st.sampled_from("".join(DANGEROUS)), max_size=4),
        st.text(max_size=6),
    ),
    min_size=1,
    max_size=5,
).map("".join)


def bad_characters(text: str) -> set[str]:
    """Every character of ``text`` a terminal would act on (newlines between lines aside)."""
    found = set()
    for line in text.split("\n"):
        for char in line:
            category = unicodedata.category(char)
            if category in {"Cc", "Cf", "Cs", "Zl", "Zp"} or char == "\x7f":
                found.add(char)
    return found


def _findings_json(path: Path, address: str, text: str) -> None:
    document = {
        "schema": "remediator/findings/v1",
        "findings": [
            {
                "address": address,
                "protocol": "tcp",
                "port": 23,
                "check_id": f"acme:{text}",
                "title": text,
                "severity": 7.5,
                "service": text,
                "hostnames": [text, "web2"],
            },
            {
                "address": "192.0.2.10",
                "protocol": "tcp",
                "port": 21,
                "check_id": f"acme:{text}",
                "title": text,
                "severity": 7.5,
                "service": "ftp",
            },
        ],
    }
    path.write_text(json.dumps(document), encoding="utf-8")


SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(text=_hostile)
def test_property_ingest_summary_and_unmatched_line_are_terminal_safe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    scan = tmp_path / "scan.json"
    _findings_json(scan, f"10.0.0.1{text}", text)
    assert main(["ingest", str(scan), "--inventory", str(FIXTURES / "hosts.yml")]) == 0
    out = capsys.readouterr().out
    assert "unmatched addresses (1)" in out
    assert not bad_characters(out), out


POLICY = """\
version: 1
networks:
  admins: [192.0.2.1/32]
management:
  service: ssh
  sources: [admins]
groups:
  web:
    allow:
      - service: ssh
        sources: [admins]
        justification: Ansible management
        owner: platform-team
"""


@SETTINGS
@given(text=_hostile)
def test_property_plan_table_is_terminal_safe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    scan = tmp_path / "scan.json"
    _findings_json(scan, f"10.0.0.1{text}", text)
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    argv = ["plan", str(scan), "--policy", str(policy), "--as-of", "2026-11-30"]
    assert main([*argv, "--inventory", str(FIXTURES / "hosts.yml")]) == 0
    out = capsys.readouterr().out
    assert not bad_characters(out), out


@SETTINGS
@given(text=_hostile)
def test_property_dry_run_and_apply_renderers_are_terminal_safe(text: str) -> None:
    from remediator.run.preview.verdicts import FindingPreview, HostPreview, Status
    from remediator.run.render import host_lines, rollback_text, warnings_text

    finding = FindingPreview(
        key=f"10.0.0.1/tcp/23/acme:{text}",
        status=Status.WOULD_CHANGE,
        what=(text,),
        tasks=(text,),
        why=text,
    )
    host = HostPreview(name=text, findings=(finding,), manual=((text, text),), problem=text)
    out = "\n".join(host_lines(host)) + warnings_text([text])
    assert not bad_characters(out), out
    assert not bad_characters(rollback_text("run", {}))


@SETTINGS
@given(text=_hostile)
def test_property_error_lines_are_one_terminal_safe_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    # argv cannot hold NUL (C strings), so neither can the name
    missing = tmp_path / f"scan{text.replace('/', '').replace(chr(0), '')}.xml"
    assert main(["ingest", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert not bad_characters(err), err


def test_the_evidence_page_shows_bidi_and_zero_width_as_escapes(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from remediator.report.load import load_evidence
    from remediator.report.render import write_report
    from tests.unit.report.runfixture import write_run

    run = write_run(tmp_path)
    findings = json.loads((run / "findings.json").read_text("utf-8"))
    for finding in findings["findings"]:
        finding["title"] = "admin\u202egpj.exe\u200b"
    (run / "findings.json").write_text(json.dumps(findings), encoding="utf-8")
    plan = json.loads((run / "plan.json").read_text("utf-8"))
    for decision in plan["decisions"]:
        decision["title"] = "admin\u202egpj.exe\u200b"
    (run / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    now = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    _, html_path = write_report(load_evidence(run, now), tmp_path / "out")
    html = html_path.read_text("utf-8")
    assert "\u202e" not in html and "\u200b" not in html
    assert "admin\\u202egpj.exe\\u200b" in html


def test_the_one_helper_escapes_every_named_character() -> None:
    from remediator.common.text import shown

    for group in DANGEROUS:
        assert not bad_characters(shown(group).replace("\n", "?"))
        assert "\n" not in shown(group)
    assert shown("plain text, ünïcode 日本") == "plain text, ünïcode 日本"
    assert shown("\x1b[31m") == "\\x1b[31m"
    assert shown("a\u202eb") == "a\\u202eb"
    assert shown("\ud800") == "\\ud800"
    assert shown("a\tb", keep="\t") == "a\tb"


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_property_the_helper_leaves_nothing_a_terminal_acts_on(text: str) -> None:
    from remediator.common.text import shown

    out = shown(text)
    assert "\n" not in out
    assert not bad_characters(out)
    if not bad_characters(text) and "\n" not in text:
        assert out == text
