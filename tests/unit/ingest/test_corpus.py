"""Every file of the shared corpus: detected as the right format, read or cleanly refused.

Per-file counts live in each format's own test module; this one proves detection by
content and that nothing in the corpus produces a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remediator.cli import main
from remediator.errors import ScanParseError
from remediator.ingest import PORT_OPEN, choose_format, read_scan
from tests.corpus import corpus_files, corpus_root

MALFORMED = {
    "nmap/libnmap_1_hosts_incomplete.xml": "ends before it is complete",
    "nmap/nmap_zenmap_nmap_output_error.xml": "malformed XML",
    "nessus/rubynessus_example_v1.nessus": "",
}

DETECTED = {
    "other/defectdojo_masscan_many_vuln.json": "masscan",
    "other/defectdojo_nexpose_many_vulns.xml": "nexpose",
    "other/defectdojo_sslscan_many_vuln.xml": "sslscan",
    "other/securecodebox_sslyze_tls_v1_0_badssl.json": "sslyze",
    "other/defectdojo_testssl_many_vuln.csv": "testssl",
}


def expected_format(relative: str) -> str:
    if relative in DETECTED:
        return DETECTED[relative]
    family, name = relative.split("/", 1)
    if family in {"openvas", "qualys"}:
        return f"{family}-{'csv' if name.endswith('.csv') else 'xml'}"
    return family


def relative(path: Path) -> str:
    return path.relative_to(corpus_root()).as_posix()


CORPUS = [relative(p) for p in corpus_files()]


def test_corpus_is_all_there() -> None:
    assert len(CORPUS) == 37


@pytest.mark.parametrize("name", CORPUS)
def test_format_detected_from_content(name: str) -> None:
    path = corpus_root() / name
    if name == "nessus/rubynessus_example_v1.nessus":
        with pytest.raises(ScanParseError):
            list(read_scan(path))
        return
    assert choose_format(path).name == expected_format(name)


@pytest.mark.parametrize("name", [n for n in CORPUS if n not in MALFORMED])
def test_read_without_error_and_every_open_port_has_its_exposure_finding(name: str) -> None:
    reports = list(read_scan(corpus_root() / name))
    assert reports, f"{name}: no hosts read"
    for report in reports:
        open_ports = {(s.protocol, s.port) for s in report.services if s.is_open}
        exposures = {(f.protocol, f.port) for f in report.findings if f.check_id == PORT_OPEN}
        assert open_ports == exposures
        keys = [f.key for f in report.findings]
        assert len(keys) == len(set(keys)), f"{name}: two findings share a key"
        for finding in report.findings:
            assert 0.0 <= finding.severity.score <= 10.0
            assert finding.source.file == str(corpus_root() / name)


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_corpus_file_is_one_clean_line(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = corpus_root() / name
    assert main(["ingest", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"remediator: error: {path}: ")
    assert MALFORMED[name] in err


def test_whole_corpus_in_one_ingest_call_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readable = [str(corpus_root() / n) for n in CORPUS if n not in MALFORMED]
    target = tmp_path / "findings.json"
    assert main(["ingest", *readable, "-o", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"findings written to {target}" in out
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["schema"] == "remediator/findings/v1"
    assert document["unmatched"] == []
    required = {
        "address",
        "host",
        "protocol",
        "port",
        "state",
        "service",
        "product",
        "version",
        "check_id",
        "title",
        "severity",
        "severity_label",
        "source",
    }
    assert all(required <= set(f) for f in document["findings"])
    assert {f["source"]["format"] for f in document["findings"]} >= {"nmap", "nessus"}
