"""A hardened sshd in a rescan: its algorithm listing is a fact, its weak listing is not.

nmap's ssh2-enum-algos lists what sshd offers whether or not it is weak, so the rescan
after hardening still carries an ``ssh-weak-crypto``-kind finding on every sshd. Both
files are real: nmap against the lab's five sshds before (legacy with SHA-1 and CBC
extras, the rest Debian's defaults) and after the harden role ran.
"""

from __future__ import annotations

from pathlib import Path

from remediator.classify.catalog_load import load_catalog
from remediator.ingest.findingset import load_findings
from remediator.lab.config import LabConfig
from remediator.lab.provider import nmap_commands
from remediator.verify.rescan import rescan_from
from remediator.verify.scope import Scope

FIXTURES = Path(__file__).parents[1] / "fixtures"
BEFORE = FIXTURES / "lab_ssh2_enum_algos.xml"
AFTER = FIXTURES / "lab_ssh2_enum_algos_hardened.xml"
"""The verify rescan of the lab run that hardened all five sshds (TCP, IPv4)."""


def _weak_keys(path: Path) -> set[tuple[str, int]]:
    rescan = rescan_from(load_findings([path]), load_catalog())
    return {(k.address, k.port) for k in rescan.keys if k.check_id == "ssh-weak-crypto"}


def test_the_scan_before_hardening_shows_the_weakness_on_every_sshd() -> None:
    assert _weak_keys(BEFORE) == {(f"10.213.0.{n}", 22) for n in range(10, 15)}


def test_the_rescan_after_hardening_shows_it_nowhere_though_nmap_still_lists() -> None:
    assert "ssh2-enum-algos" in AFTER.read_text(encoding="utf-8")
    assert _weak_keys(AFTER) == set()
    rescan = rescan_from(load_findings([AFTER]), load_catalog())
    assert {(a, 22) for a, _, _ in rescan.open_ports} >= {
        (f"10.213.0.{n}", 22) for n in range(10, 15)
    }


def test_the_nmap_rescan_can_see_ssh_and_ftp_weaknesses() -> None:
    rescan = rescan_from(load_findings([AFTER]), load_catalog())
    assert rescan.detects("ssh-weak-crypto") and rescan.detects("default-credentials")


def test_the_labs_rescan_looks_again_for_what_was_found_and_only_that() -> None:
    """Else their absence from the rescan would prove nothing; and a rescan looking for
    what the first scan did not would report every Debian sshd as a new weakness."""
    ports = frozenset({("tcp", 22), ("udp", 161)})
    found = Scope(("10.213.0.10",), ports, frozenset({"ssh-weak-crypto", "open-port"}))
    for argv, _ in nmap_commands(LabConfig(), found, Path("/tmp/rescan")):
        scripts = set(argv[argv.index("--script") + 1].split(","))
        assert {"ssh2-enum-algos", "ssl-enum-ciphers"} <= scripts and "ftp-anon" not in scripts
    plain = Scope(("10.213.0.10",), ports, frozenset({"open-port"}))
    for argv, _ in nmap_commands(LabConfig(), plain, Path("/tmp/rescan")):
        assert argv[argv.index("--script") + 1] == "ssl-enum-ciphers,ssl-cert"
