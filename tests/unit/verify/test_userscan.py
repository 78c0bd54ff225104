"""The user-configured rescan command: placeholders filled per family, never a shell.

The "scanner" here is a small Python script that copies a real nmap file (the shipped lab
scan) to ``{output}`` and records its argv, so the plumbing is exercised end to end
without sending a packet anywhere.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from remediator.errors import ExecutionError, InputError
from remediator.ingest.findingset import load_findings
from remediator.verify.scope import Scope
from remediator.verify.userscan import nmap_ports, rescan_with_command, scanner_argv

REPO = Path(__file__).resolve().parents[3]
LAB_V4 = REPO / "examples" / "scans" / "lab-v4.xml"
FAKE = """
import json, shutil, sys
out = sys.argv[sys.argv.index("-oX") + 1]
shutil.copy(sys.argv[1], out)
with open(out + ".argv", "w") as f:
    json.dump(sys.argv[2:], f)
"""
SCOPE = Scope(("10.213.0.10", "fd00:213::10"), frozenset({("tcp", 23), ("tcp", 22), ("udp", 161)}))


@pytest.fixture
def scanner(tmp_path: Path) -> str:
    script = tmp_path / "fake-scanner.py"
    script.write_text(FAKE, encoding="utf-8")
    return f"{sys.executable} {script} {LAB_V4} {{v6}} -p {{ports}} -oX {{output}} {{targets}}"


def test_one_run_per_family_with_placeholders_filled(scanner: str, tmp_path: Path) -> None:
    files = rescan_with_command(scanner, SCOPE, tmp_path / "rescan")
    assert [f.name for f in files] == ["rescan-v4.out", "rescan-v6.out"]
    v4 = json.loads(Path(f"{files[0]}.argv").read_text("utf-8"))
    v6 = json.loads(Path(f"{files[1]}.argv").read_text("utf-8"))
    assert v4 == ["-p", "T:22,23,U:161", "-oX", str(files[0]), "10.213.0.10"]
    assert v6 == ["-6", "-p", "T:22,23,U:161", "-oX", str(files[1]), "fd00:213::10"]
    found = load_findings(list(files))
    assert any(f.address == "10.213.0.10" and f.port == 23 for f in found.findings)


def test_hostile_text_in_a_target_never_reaches_the_command() -> None:
    with pytest.raises(InputError, match="not an IP address"):
        scanner_argv(["nmap", "{targets}"], ["10.0.0.1;touch /tmp/pwned"], "T:22", Path("x"))


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("nmap -oX {output} 10.0.0.1", "{targets}"),
        ("nmap {targets}", "{output}"),
        ("nmap 'unbalanced {targets} {output}", "quotation"),
    ],
)
def test_a_template_missing_what_it_needs_is_refused(template: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem.replace("{", r"\{").replace("}", r"\}")):
        rescan_with_command(template, SCOPE, Path("/nonexistent"))


def test_a_failing_scanner_is_one_clear_error(tmp_path: Path) -> None:
    template = f"{sys.executable} -c 'import sys; sys.exit(3)' {{output}} {{targets}}"
    with pytest.raises(ExecutionError, match="rescan command failed"):
        rescan_with_command(template, SCOPE, tmp_path)


def test_ports_in_nmap_syntax() -> None:
    assert nmap_ports(SCOPE) == "T:22,23,U:161"
