"""The lab repository's pure parts: versions, control and changelog edits, md5sums, unit."""

from __future__ import annotations

import hashlib
import importlib.util
import ipaddress
from pathlib import Path

import pytest

from remediator.errors import InputError
from remediator.lab import repo
from remediator.lab.config import LabConfig

REPO = Path(__file__).resolve().parents[3]
MODULE = REPO / "remediator" / "generate" / "templates" / "remediator_backport.py"

STATUS = """Package: memcached-tools
Status: install ok installed
Version: 9.9

Package: memcached
Status: deinstall ok config-files
Version: 1.0

Package: memcached
Status: install ok installed
Priority: optional
Version: 1.6.18-1+deb12u1
Description: a
 Version: 0.0 (a continuation line, not a field)
"""


def test_installed_version_reads_the_installed_stanza_only() -> None:
    assert repo.installed_version(STATUS, "memcached") == "1.6.18-1+deb12u1"
    assert repo.installed_version(STATUS, "redis-server") is None
    removed = STATUS.replace("install ok installed\nPrio", "x\nPrio")
    assert repo.installed_version(removed, "memcached") is None


def test_lab_versions_sort_after_the_debian_build() -> None:
    assert repo.lab_version("1:9.2p1-2+deb12u3", "lab1") == "1:9.2p1-2+deb12u3+lab1"
    for bad in ("lab3", ""):
        with pytest.raises(InputError):
            repo.lab_version("1.0", bad)
    with pytest.raises(InputError):
        repo.lab_version("1.0; rm -rf /", "lab1")


def test_with_version_replaces_only_the_version_field() -> None:
    control = "Package: memcached\nVersion: 1.6.18-1\nDepends: libc6\n"
    assert repo.with_version(control, "1.6.18-1+lab1") == (
        "Package: memcached\nVersion: 1.6.18-1+lab1\nDepends: libc6\n"
    )
    with pytest.raises(InputError):
        repo.with_version("Package: x\n", "1")


def test_changelog_entry_is_read_by_the_module_as_the_newest_entry() -> None:
    spec = importlib.util.spec_from_file_location("remediator_backport", MODULE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    old = (
        "memcached (1.6.18-1+deb12u1) bookworm-security; urgency=medium\n\n"
        "  * Fix CVE-2023-46852, CVE-2023-46853\n\n -- A <a@b>  Tue, 08 Sep 2026 11:52:16 +0000\n"
    )
    entry = repo.changelog_entry(
        "memcached",
        "1.6.18-1+deb12u1+lab1",
        repo.distribution_of(old),
        [f"Lab build: fixes {repo.LAB_CVE}.", "second line"],
    )
    assert entry.startswith("memcached (1.6.18-1+deb12u1+lab1) bookworm-security; urgency=medium\n")
    entries = module.parse_debian(entry + old)
    assert [e.version for e in entries] == ["1.6.18-1+deb12u1+lab1", "1.6.18-1+deb12u1"]
    assert module.naming(entries, repo.LAB_CVE) == {
        "entry": "1.6.18-1+deb12u1+lab1",
        "lines": [f"* Lab build: fixes {repo.LAB_CVE}."],
    }
    assert module.naming(entries, "CVE-2023-46852")["entry"] == "1.6.18-1+deb12u1"


def test_the_lab_cve_is_not_a_real_one() -> None:
    assert repo.LAB_CVE.startswith("CVE-2099-")


def test_distribution_defaults_to_unstable() -> None:
    assert repo.distribution_of("not a changelog") == "unstable"


def test_md5sums_renews_only_changed_paths() -> None:
    text = "aaa  usr/bin/memcached\nbbb  usr/share/doc/memcached/changelog.Debian.gz\n"
    data = b"new"
    out = repo.md5sums(text, {"usr/share/doc/memcached/changelog.Debian.gz": data})
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert out == f"aaa  usr/bin/memcached\n{digest}  usr/share/doc/memcached/changelog.Debian.gz\n"


def test_broken_unit_moves_the_daemon_off_its_port() -> None:
    wrapper = "/usr/share/memcached/scripts/systemd-memcached-wrapper /etc/memcached.conf"
    unit = f"[Service]\nExecStart={wrapper}\nPrivateTmp=true\n"
    out = repo.broken_unit(unit)
    assert f"-p {repo.BROKEN_PORT}" in out and "-l 127.0.0.1" in out
    assert "wrapper" not in out and out.endswith("PrivateTmp=true\n")
    with pytest.raises(InputError):
        repo.broken_unit("[Service]\n")


def test_source_and_unit_name_follow_the_lab_config() -> None:
    config = LabConfig(
        prefix="rml3",
        subnet4=ipaddress.IPv4Network("10.223.0.0/24"),
        subnet6=ipaddress.IPv6Network("fd00:223::/64"),
    )
    assert repo.source_list_line(config) == f"deb [trusted=yes] http://10.223.0.1:{repo.PORT}/ ./\n"


def test_build_refuses_unknown_flavours(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        repo.build(LabConfig(cache_dir=tmp_path), "lab9", lambda _line: None)


def test_stop_without_a_server_is_quiet(tmp_path: Path) -> None:
    config = LabConfig(state_dir=tmp_path)
    (tmp_path / "repo.pid").write_text("not a pid\n", encoding="utf-8")
    repo.stop(config)
    assert not (tmp_path / "repo.pid").exists()
