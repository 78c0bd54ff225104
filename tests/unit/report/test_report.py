"""The evidence report of a real run record: JSON and HTML agree, scan text stays text."""

from __future__ import annotations

import html as html_module
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from remediator.errors import InputError
from remediator.report.load import load_evidence
from remediator.report.render import write_report
from tests.unit.report.runfixture import HOSTILE, TELNET_V4, hand_edit, write_run

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


class Findings(HTMLParser):
    """Every element carrying data-key/data-state, every tag and every URL attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.states: list[tuple[str, str]] = []
        self.tags: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = dict(attrs)
        if "data-key" in found:
            self.states.append((str(found["data-key"]), str(found["data-state"])))
        self.urls.extend(str(v) for k, v in attrs if k in {"src", "href"})


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], str]:
    base = tmp_path_factory.mktemp("report")
    run = write_run(base, hostile=True)
    json_path, html_path = write_report(load_evidence(run, NOW), base / "out")
    return json.loads(json_path.read_text("utf-8")), html_path.read_text("utf-8")


def json_states(document: dict[str, object]) -> list[tuple[str, str]]:
    hosts = document["hosts"]
    assert isinstance(hosts, list)
    pairs = [(f["key"], f["state"]) for h in hosts for f in h["findings"]]
    new = document["new"]
    assert isinstance(new, list)
    pairs += [(f"{n['address']}/{n['protocol']}/{n['port']}/{n['check_id']}", "new") for n in new]
    return pairs


def test_json_and_html_agree(written: tuple[dict[str, object], str]) -> None:
    document, html = written
    parser = Findings()
    parser.feed(html)
    assert sorted(parser.states) == sorted(json_states(document))
    assert len(parser.states) == 149
    counts = document["counts"]
    assert counts == {
        "resolved": 1,
        "kept": 70,
        "open": 60,
        "new": 0,
        "excepted": 2,
        "manual": 10,
        "pending_reboot": 0,
        "unknown": 6,
    }
    for word, number in counts.items():
        assert re.search(rf'id="count-{word}">{number}<', html)


def test_report_carries_the_audit_facts(written: tuple[dict[str, object], str]) -> None:
    document, html = written
    run = document["run"]
    assert run["approved_by"] == "ciso@example.com" and run["ticket"] == "CHG-2001"  # type: ignore[index]
    legacy = next(h for h in document["hosts"] if h["host"] == "legacy.lab")  # type: ignore[attr-defined]
    assert legacy["snapshot_kept"] is True and legacy["apply_end"] == "applied"
    telnet = next(f for f in legacy["findings"] if f["key"] == TELNET_V4)
    assert telnet["state"] == "resolved"
    assert telnet["change"]["diffs"] == [
        {"file": "/etc/inetd.conf", "diff": "-telnet stream tcp\n"}
    ]
    cert = [f for h in document["hosts"] for f in h["findings"] if f["state"] == "excepted"]  # type: ignore[attr-defined]
    assert {f["exception"]["expires"] for f in cert} == {"2027-06-30"}
    assert "expires <strong>2027-06-30</strong>" in html
    assert "CHG-2001" in html and "now+2h" in html
    assert not document["passed"]
    # 10 manual, and 64 of the 65 findings to fix (all but the closed telnet port).
    assert len(document["for_a_person"]) == 10 + 64  # type: ignore[arg-type]
    assert TELNET_V4 not in document["for_a_person"]  # type: ignore[operator]


def test_hostile_text_stays_text(written: tuple[dict[str, object], str]) -> None:
    document, html = written
    parser = Findings()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert all(url.startswith("#") for url in parser.urls)
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;/pre&gt;" in html
    telnet = [
        f
        for h in document["hosts"]  # type: ignore[attr-defined]
        for f in h["findings"]
        if f["key"] == TELNET_V4
    ]
    assert telnet[0]["title"] == HOSTILE and telnet[0]["scanner"]["evidence"] == HOSTILE


def test_missing_verification_is_an_input_error(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    (run / "verify.json").unlink()
    with pytest.raises(InputError, match=r"verify\.json"):
        load_evidence(run, NOW)


def test_the_evidence_says_why_the_run_could_not_vouch(tmp_path: Path) -> None:
    """A change the run could not vouch for carries its why into the evidence, JSON and
    HTML: here the words a Windows host the run never reached gets (not run)."""
    run = write_run(tmp_path, hostile=False)
    not_run = "not run: the run never reached this Windows host"
    hand_edit(run / "summary.json", ("findings", 0, "findings", 0, "status"), "unknown")
    hand_edit(run / "summary.json", ("findings", 0, "findings", 0, "why"), not_run)
    json_path, html_path = write_report(load_evidence(run, NOW), tmp_path / "out")
    document = json.loads(json_path.read_text("utf-8"))
    changes = [f["change"] for h in document["hosts"] for f in h["findings"] if f["change"]]
    assert [c["why"] for c in changes] == [not_run]
    assert not_run in html_path.read_text("utf-8")


def cert_findings(document: dict[str, object]) -> list[dict[str, object]]:
    hosts = document["hosts"]
    assert isinstance(hosts, list)
    return [f for h in hosts for f in h["findings"]
            if f["check_id"] == "nmap:ssl-cert" and f["host"] == "clean.lab"]  # fmt: skip


def test_allowed_services_still_answering_are_kept_in_both_files(
    written: tuple[dict[str, object], str],
) -> None:
    document, html = written
    summary = document["summary"]
    assert isinstance(summary, list)
    assert "70 allowed services are kept: still answering, as the policy wants." in summary
    assert 'class="state state-kept">kept<' in html
    assert "Allowed by the policy and still answering" in html


def test_a_report_after_the_exception_expired_calls_it_open(tmp_path: Path) -> None:
    """verify ran while the exception held; the report, written after its expiry, no
    longer calls it active: the finding is open, "exception expired on ..."."""
    run = write_run(tmp_path)
    later = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
    json_path, html_path = write_report(load_evidence(run, later), tmp_path / "out")
    document = json.loads(json_path.read_text("utf-8"))
    certs = cert_findings(document)
    assert len(certs) == 2 and {f["state"] for f in certs} == {"open"}
    assert all(str(f["reason"]).startswith("exception expired on 2027-06-30") for f in certs)
    assert all(f["exception"]["active"] is False for f in certs)  # type: ignore[index]
    assert document["counts"]["excepted"] == 0 and not document["passed"]
    assert {str(f["key"]) for f in certs} <= set(document["for_a_person"])
    assert "expires <strong>2027-06-30</strong> (expired)" in html_path.read_text("utf-8")


def test_a_report_on_the_expiry_day_still_calls_it_excepted(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    last_day = datetime(2027, 6, 30, 23, 0, tzinfo=UTC)
    json_path, _ = write_report(load_evidence(run, last_day), tmp_path / "out")
    document = json.loads(json_path.read_text("utf-8"))
    assert {f["state"] for f in cert_findings(document)} == {"excepted"}


def test_a_verification_written_before_kept_existed_reads_as_kept(tmp_path: Path) -> None:
    """Old verify.json: no 'kept' count, allowed services 'open' "as expected"."""
    run = write_run(tmp_path)
    path = run / "verify.json"
    document = json.loads(path.read_text("utf-8"))
    for outcome in document["outcomes"]:
        if outcome["state"] == "kept":
            outcome["state"] = "open"
            outcome["reason"] = "passes the policy; the rescan still reports it, as expected"
    for counts in (document["counts"], document["fixable"]):
        counts["open"] += counts.pop("kept")
    path.write_text(json.dumps(document), encoding="utf-8")
    evidence = load_evidence(run, NOW)
    assert evidence.verification.counts()["kept"] == 70
    assert evidence.verification.counts()["open"] == 60


@pytest.mark.parametrize(
    ("approval", "statement"),
    [
        (
            {"approved_by": "J. <b>Admin</b>", "ticket": "CHG-1234", "waived": False},
            "approved by J. <b>Admin</b>, ticket CHG-1234",
        ),
        (
            {"approved_by": None, "ticket": None, "waived": True},
            "applied WITHOUT approval (--no-approval)",
        ),
        (None, "approved by ciso@example.com, ticket CHG-2001"),
    ],
    ids=["approved", "waived", "recorded-before-approval-was-required"],
)
def test_the_evidence_states_who_approved_or_that_nobody_did(
    tmp_path: Path, approval: dict[str, object] | None, statement: str
) -> None:
    run = write_run(tmp_path)
    if approval is not None:
        hand_edit(run / "run.json", ("approval",), approval)
        hand_edit(run / "run.json", ("approved_by",), approval["approved_by"])
        hand_edit(run / "run.json", ("ticket",), approval["ticket"])
    json_path, html_path = write_report(load_evidence(run, NOW), tmp_path / "out")
    facts = json.loads(json_path.read_text("utf-8"))["run"]
    assert facts["approval_statement"] == statement
    expected = approval or {
        "approved_by": "ciso@example.com",
        "ticket": "CHG-2001",
        "waived": False,
    }
    assert facts["approval"] == expected
    html = html_path.read_text("utf-8")
    shown = re.search(r'<td id="approval">(.*?)</td>', html)
    assert shown is not None
    assert html_module.unescape(re.sub(r"</?strong>", "", shown.group(1))) == statement
    assert "<b>" not in html  # the approver is text, never markup
    assert ("<strong>" in shown.group(1)) == (approval is not None and approval["waived"] is True)


AUDIT_KEYS = ("asv", "pci", "before", "after", "predicted", "applied", "rescan")


def test_every_finding_carries_every_audit_key(written: tuple[dict[str, object], str]) -> None:
    document, _html = written
    hosts = document["hosts"]
    assert isinstance(hosts, list)
    findings = [f for h in hosts for f in h["findings"]]
    missing = [(f["key"], k) for f in findings for k in AUDIT_KEYS if k not in f]
    assert missing == []
    assert all(f["asv"]["outcome"] and f["asv"]["reason"] for f in findings), "plan has asv"
    assert any(f["pci"] for f in findings)
    assert document["idempotence"] == {
        "hosts": ["legacy.lab"],
        "would_change": [],
        "unknown": [],
        "status": "successful",
        "idempotent": True,
    }
    assert document["mismatches"] == []


def test_the_weakness_before_and_its_fix_after_are_shown(
    written: tuple[dict[str, object], str],
) -> None:
    document, html = written
    hosts = document["hosts"]
    assert isinstance(hosts, list)
    (telnet,) = [f for h in hosts for f in h["findings"] if f["key"] == TELNET_V4]
    assert [c["passed"] for c in telnet["before"]] == [False, False]
    assert [c["passed"] for c in telnet["after"]] == [True]
    assert (telnet["predicted"], telnet["applied"], telnet["mismatch"]) == (
        "would_change",
        "changed",
        False,
    )
    untouched = [f for h in hosts for f in h["findings"] if f["key"] != TELNET_V4]
    assert {(f["before"], f["predicted"], f["mismatch"]) for f in untouched} == {(None, None, None)}
    assert "on-host nothing listens on tcp/23: FAILED (listening)" in html
    assert "a check-mode pass after the last batch over 1 hosts changes nothing" in html


def test_a_mismatch_is_flagged_in_both_files(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    hand_edit(run / "summary.json", ("proof", 0, "applied"), "compliant")
    json_path, html_path = write_report(load_evidence(run, NOW), tmp_path / "out")
    document = json.loads(json_path.read_text("utf-8"))
    assert document["mismatches"] == [TELNET_V4]
    assert "MISMATCH" in html_path.read_text("utf-8")
