"""The generated project's module that judges a CVE finding by the package changelogs.

Changelogs are real files (``tests/unit/fixtures/changelogs/PROVENANCE.md``); the candidate
package is a real ``.deb`` built here, read by the real ``dpkg-deb`` and compared by the
real ``dpkg``; only the commands that reach a repository or change the host are faked.
"""

from __future__ import annotations

import gzip
import importlib.util
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.corpus import REPO

MODULE = REPO / "remediator" / "generate" / "templates" / "remediator_backport.py"
FIXTURES = REPO / "tests" / "unit" / "fixtures" / "changelogs"
DEB12U6 = "1:9.2p1-2+deb12u6"
DEB12U1 = "1:9.2p1-2+deb12u1"
CHANGELOG = {
    DEB12U6: FIXTURES / "openssh-client_1-9.2p1-2+deb12u6.changelog.Debian.gz",
    DEB12U1: FIXTURES / "openssh-client_1-9.2p1-2+deb12u1.changelog.Debian.gz",
}
RPM_CHANGELOG = (FIXTURES / "openssh-9.6p1-10.rpm-changelog.txt").read_text(encoding="utf-8")
MUTATING = {("apt-get", "install"), ("dpkg", "-i"), ("dnf", "upgrade"), ("rpm", "-U")}
TERRAPIN_LINE = "- [CVE-2023-48795] ssh(1), sshd(8): implement protocol extensions to"

needs_dpkg = pytest.mark.skipif(
    not (shutil.which("dpkg-deb") and shutil.which("dpkg")), reason="needs dpkg and dpkg-deb"
)

Answer = tuple[int, str, str] | Callable[[list[str], str | None], tuple[int, str, str]]


class FakeHost:
    """Answers commands by their longest matching argv prefix and records each one.

    In check mode (``read_only``) a command that changes the host fails the test at once.
    """

    def __init__(self, answers: dict[tuple[str, ...], Answer], read_only: bool) -> None:
        self.answers = answers
        self.read_only = read_only
        self.commands: list[list[str]] = []

    def run_command(
        self,
        args: list[str],
        cwd: str | None = None,
        environ_update: dict[str, str] | None = None,
        expand_user_and_vars: bool = True,
    ) -> tuple[int, str, str]:
        assert isinstance(args, list) and all(isinstance(a, str) for a in args)
        assert expand_user_and_vars is False  # "${Version}" must reach dpkg-query as written
        assert environ_update is not None and environ_update["LC_ALL"] == "C"
        if self.read_only:
            assert tuple(args[:2]) not in MUTATING, f"check mode ran {args}"
        self.commands.append(args)
        matches = [p for p in self.answers if tuple(args[: len(p)]) == p]
        if not matches:
            raise AssertionError(f"unexpected command {args}")
        answer = self.answers[max(matches, key=len)]
        return answer(args, cwd) if callable(answer) else answer

    def ran(self, *prefix: str) -> bool:
        return any(tuple(c[: len(prefix)]) == prefix for c in self.commands)


def real(args: list[str], cwd: str | None) -> tuple[int, str, str]:
    """Run a read-only dpkg command for real (version comparison, extraction)."""
    done = subprocess.run(args, capture_output=True, text=True, cwd=cwd, check=False)
    return done.returncode, done.stdout, done.stderr


def build_deb(where: Path, version: str, changelog: Path | None) -> Path:
    """A tiny real openssh-client .deb, with the changelog given (or no docs at all)."""
    root = where / f"root-{len(list(where.iterdir()))}"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: openssh-client\nVersion: {version}\nArchitecture: amd64\n"
        "Maintainer: Test <test@example.org>\nDescription: fixture\n",
        encoding="utf-8",
    )
    if changelog is not None:
        docs = root / "usr" / "share" / "doc" / "openssh-client"
        docs.mkdir(parents=True)
        shutil.copy(changelog, docs / "changelog.Debian.gz")
    out = where / f"{root.name}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(root), str(out)],
        check=True,
        capture_output=True,
    )
    return out


def policy(installed: str, candidate: str) -> tuple[int, str, str]:
    return (
        0,
        f"openssh-client:\n  Installed: {installed}\n  Candidate: {candidate}\n"
        f"  Version table:\n     {candidate} 500\n"
        "        500 http://deb.debian.org/debian bookworm/main amd64 Packages\n",
        "",
    )


def downloads(deb: Path | None) -> Answer:
    """``apt-get download pkg=ver``: writes the file into cwd as apt names it, or fails."""

    def answer(args: list[str], cwd: str | None) -> tuple[int, str, str]:
        if deb is None:
            return 100, "", "E: Can't find a source to download version"
        assert cwd is not None
        package, version = args[-1].split("=")
        shutil.copy(deb, Path(cwd) / f"{package}_{version.replace(':', '%3a')}_amd64.deb")
        return 0, "", ""

    return answer


def debian(installed: str, candidate: str, deb: Path | None, read_only: bool) -> FakeHost:
    """A Debian host with ``installed`` and a repository offering ``candidate``."""
    return FakeHost(
        {
            ("dpkg-query", "-W", "-f", "${Version}"): (0, installed, ""),
            ("dpkg-query", "-W", "-f", "${source:Package}"): (0, "openssh", ""),
            ("apt-cache", "policy"): policy(installed, candidate),
            ("dpkg", "--compare-versions"): real,
            ("dpkg-deb", "-x"): real,
            ("apt-get", "download"): downloads(deb),
        },
        read_only,
    )


@pytest.fixture
def backport(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("remediator_backport", MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "doc").mkdir()
    (tmp_path / "dpkg.cfg.d").mkdir()
    (tmp_path / "archives").mkdir()
    monkeypatch.setattr(module, "DOC_ROOT", tmp_path / "doc")
    monkeypatch.setattr(module, "DPKG_CONFIG", (tmp_path / "dpkg.cfg", tmp_path / "dpkg.cfg.d"))
    monkeypatch.setattr(module, "APT_ARCHIVES", tmp_path / "archives")
    monkeypatch.setattr(module, "PROC", tmp_path / "proc")
    monkeypatch.setattr(module.shutil, "which", lambda name: f"/usr/bin/{name}")
    return module


def install_changelog(tmp_path: Path, version: str) -> None:
    docs = tmp_path / "doc" / "openssh-client"
    docs.mkdir()
    shutil.copy(CHANGELOG[version], docs / "changelog.Debian.gz")


def params(tmp_path: Path, *cves: str, mode: str = "check") -> dict[str, object]:
    return {
        "cves": list(cves),
        "package": "openssh-client",
        "port": None,
        "protocol": "tcp",
        "mode": mode,
        "keep_dir": str(tmp_path / "keep"),
        "restore_file": None,
        "family": "deb",
    }


# --- backported ------------------------------------------------------------------------


def test_a_cve_named_in_the_installed_changelog_is_backported_with_its_line(
    backport: ModuleType, tmp_path: Path
) -> None:
    install_changelog(tmp_path, DEB12U6)
    host = debian(DEB12U6, DEB12U6, None, read_only=True)
    result = backport.judge(
        params(tmp_path, "CVE-2023-48795", "CVE-2025-32728"),
        backport.DebPackages(host),
        False,
    )
    assert result["state"] == "backported"
    assert result["changed"] is False
    assert result["installed_version"] == DEB12U6
    assert result["missing"] == []
    terrapin = result["cves"]["CVE-2023-48795"]
    assert terrapin["named_in"] == "installed"
    assert terrapin["entry"] == "1:9.2p1-2+deb12u2"
    assert terrapin["lines"] == [TERRAPIN_LINE]
    assert result["cves"]["CVE-2025-32728"]["entry"] == DEB12U6
    assert not host.ran("apt-cache")  # nothing more is asked once every CVE is named


# --- upgrade available / upgraded / nothing kept ---------------------------------------


@needs_dpkg
def test_a_candidate_naming_the_missing_cve_is_an_available_upgrade_in_check_mode(
    backport: ModuleType, tmp_path: Path
) -> None:
    install_changelog(tmp_path, DEB12U1)
    deb = build_deb(tmp_path, DEB12U6, CHANGELOG[DEB12U6])
    host = debian(DEB12U1, DEB12U6, deb, read_only=True)
    result = backport.judge(
        params(tmp_path, "CVE-2023-38408", "CVE-2023-48795", mode="upgrade"),
        backport.DebPackages(host),
        True,  # check mode: upgrade behaves as check
    )
    assert result["state"] == "upgrade_available"
    assert result["changed"] is False
    assert result["candidate_version"] == DEB12U6
    assert result["cves"]["CVE-2023-38408"]["named_in"] == "installed"
    assert result["cves"]["CVE-2023-48795"] == {
        "named_in": "candidate",
        "entry": "1:9.2p1-2+deb12u2",
        "lines": [TERRAPIN_LINE],
    }
    assert ["apt-get", "download", f"openssh-client={DEB12U6}"] in host.commands
    assert not (tmp_path / "keep").exists()


@needs_dpkg
def test_an_upgrade_keeps_the_installed_package_first_then_installs_that_version_only(
    backport: ModuleType, tmp_path: Path
) -> None:
    install_changelog(tmp_path, DEB12U1)
    deb = build_deb(tmp_path, DEB12U6, CHANGELOG[DEB12U6])
    cached = tmp_path / "archives" / "openssh-client_1%3a9.2p1-2+deb12u1_amd64.deb"
    cached.write_bytes(b"the installed package file")
    host = debian(DEB12U1, DEB12U6, deb, read_only=False)

    def install(args: list[str], cwd: str | None) -> tuple[int, str, str]:
        host.answers[("dpkg-query", "-W", "-f", "${Version}")] = (0, DEB12U6, "")
        return 0, "", ""

    host.answers[("apt-get", "install")] = install
    result = backport.judge(
        params(tmp_path, "CVE-2023-48795", mode="upgrade"), backport.DebPackages(host), False
    )
    assert result["state"] == "upgraded"
    assert result["changed"] is True
    assert result["previous_version"] == DEB12U1
    kept = Path(result["kept"])
    assert kept == tmp_path / "keep" / cached.name
    assert kept.read_bytes() == b"the installed package file"
    installs = [c for c in host.commands if c[:2] == ["apt-get", "install"]]
    assert installs == [
        [
            "apt-get",
            "install",
            "-y",
            "--only-upgrade",
            "-o",
            "Dpkg::Options::=--force-confold",
            f"openssh-client={DEB12U6}",
        ]
    ]
    assert host.commands[-2:] == [  # the version is read back, not assumed
        ["dpkg-query", "-W", "-f", "${Version}", "openssh-client"],
        ["dpkg", "--compare-versions", DEB12U6, "gt", DEB12U6],
    ]


@needs_dpkg
def test_the_installed_version_is_downloaded_to_be_kept_when_apt_has_no_copy(
    backport: ModuleType, tmp_path: Path
) -> None:
    install_changelog(tmp_path, DEB12U1)
    deb = build_deb(tmp_path, DEB12U6, CHANGELOG[DEB12U6])
    host = debian(DEB12U1, DEB12U6, deb, read_only=False)
    host.answers[("apt-get", "install")] = (1, "", "E: dpkg was interrupted")
    with pytest.raises(backport.BackportCommandError, match="dpkg was interrupted") as failed:
        backport.judge(
            params(tmp_path, "CVE-2023-48795", mode="upgrade"), backport.DebPackages(host), False
        )
    kept = tmp_path / "keep" / "openssh-client_1%3a9.2p1-2+deb12u1_amd64.deb"
    assert kept.is_file()  # a failed upgrade still says where the old package is
    assert failed.value.facts == {"kept": str(kept), "previous_version": DEB12U1}


@needs_dpkg
def test_nothing_is_upgraded_when_the_installed_version_cannot_be_kept(
    backport: ModuleType, tmp_path: Path
) -> None:
    install_changelog(tmp_path, DEB12U1)
    deb = build_deb(tmp_path, DEB12U6, CHANGELOG[DEB12U6])
    host = debian(DEB12U1, DEB12U6, deb, read_only=False)

    def only_the_candidate(args: list[str], cwd: str | None) -> tuple[int, str, str]:
        return downloads(deb if args[-1].endswith(DEB12U6) else None)(args, cwd)

    host.answers[("apt-get", "download")] = only_the_candidate
    result = backport.judge(
        params(tmp_path, "CVE-2023-48795", mode="upgrade"), backport.DebPackages(host), False
    )
    assert result["state"] == "manual"
    assert result["changed"] is False
    assert "the installed version cannot be kept for rollback" in result["reason"]
    assert not host.ran("apt-get", "install")


# --- unknown ----------------------------------------------------------------------------


def test_docs_excluded_by_dpkg_and_no_candidate_is_unknown_never_fixed(
    backport: ModuleType, tmp_path: Path
) -> None:
    shutil.copy(FIXTURES / "dpkg.cfg.d-01_nodoc", tmp_path / "dpkg.cfg.d" / "01_nodoc")
    host = debian(DEB12U6, DEB12U6, None, read_only=True)
    result = backport.judge(params(tmp_path, "CVE-2023-48795"), backport.DebPackages(host), False)
    assert result["state"] == "unknown"
    assert result["candidate_version"] is None
    (why,) = result["unreadable"]
    assert "excluded from installs by dpkg" in why
    assert "path-exclude=/usr/share/doc/*" in why
    assert why in result["reason"]


def test_a_path_include_for_changelogs_means_a_missing_file_is_just_missing(
    backport: ModuleType, tmp_path: Path
) -> None:
    shutil.copy(FIXTURES / "dpkg.cfg.d-excludes", tmp_path / "dpkg.cfg.d" / "excludes")
    changelog = "/usr/share/doc/openssh-client/changelog.Debian.gz"
    assert backport.excluded_by(changelog) is None  # the later path-include wins
    assert backport.excluded_by("/usr/share/doc/openssh-client/README").startswith(
        "path-exclude=/usr/share/doc/*"
    )
    host = debian(DEB12U6, DEB12U6, None, read_only=True)
    result = backport.judge(params(tmp_path, "CVE-2023-48795"), backport.DebPackages(host), False)
    assert result["state"] == "unknown"
    assert "is missing" in result["unreadable"][0]


def test_the_source_packages_doc_dir_is_read_when_the_binarys_has_no_changelog(
    backport: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / "doc" / "openssh").mkdir()
    shutil.copy(CHANGELOG[DEB12U6], tmp_path / "doc" / "openssh" / "changelog.Debian.gz")
    host = debian(DEB12U6, DEB12U6, None, read_only=True)
    result = backport.judge(params(tmp_path, "CVE-2023-48795"), backport.DebPackages(host), False)
    assert result["state"] == "backported"


@needs_dpkg
def test_a_candidate_without_a_changelog_is_unknown(backport: ModuleType, tmp_path: Path) -> None:
    install_changelog(tmp_path, DEB12U1)
    deb = build_deb(tmp_path, DEB12U6, None)
    host = debian(DEB12U1, DEB12U6, deb, read_only=True)
    result = backport.judge(params(tmp_path, "CVE-2023-48795"), backport.DebPackages(host), False)
    assert result["state"] == "unknown"
    assert result["unreadable"] == [f"the changelog of candidate openssh-client {DEB12U6}"]


# --- manual -----------------------------------------------------------------------------


def test_a_fix_its_changelog_does_not_name_is_manual_with_the_missing_cve(
    backport: ModuleType, tmp_path: Path
) -> None:
    # regreSSHion: deb12u3 fixed it as "Disable async-signal-unsafe code from sshsigdie()"
    install_changelog(tmp_path, DEB12U6)
    host = debian(DEB12U6, DEB12U6, None, read_only=True)
    result = backport.judge(
        params(tmp_path, "CVE-2024-6387", "CVE-2023-48795"), backport.DebPackages(host), False
    )
    assert result["state"] == "manual"
    assert result["missing"] == ["CVE-2024-6387"]
    assert result["cves"]["CVE-2024-6387"] == {"named_in": "none", "entry": None, "lines": []}
    assert result["reason"] == (
        f"openssh-client {DEB12U6} (candidate none newer): no changelog names CVE-2024-6387"
    )
    assert "\n" not in result["reason"]


@needs_dpkg
def test_a_newer_candidate_that_does_not_name_the_cve_is_manual_naming_both_versions(
    backport: ModuleType, tmp_path: Path
) -> None:
    install_changelog(tmp_path, DEB12U1)
    deb = build_deb(tmp_path, DEB12U6, CHANGELOG[DEB12U6])
    host = debian(DEB12U1, DEB12U6, deb, read_only=True)
    result = backport.judge(params(tmp_path, "CVE-2024-6387"), backport.DebPackages(host), False)
    assert result["state"] == "manual"
    assert result["reason"] == (
        f"openssh-client {DEB12U1} (candidate {DEB12U6}): no changelog names CVE-2024-6387"
    )


# --- restore ----------------------------------------------------------------------------


def kept_file(tmp_path: Path) -> Path:
    keep = tmp_path / "keep"
    keep.mkdir(exist_ok=True)
    file = keep / "openssh-client_1%3a9.2p1-2+deb12u1_amd64.deb"
    file.write_bytes(b"deb")
    return file


def restore_params(tmp_path: Path, file: Path | str) -> dict[str, object]:
    return {**params(tmp_path, "CVE-2023-48795", mode="restore"), "restore_file": str(file)}


def test_restore_installs_a_kept_file_from_keep_dir(backport: ModuleType, tmp_path: Path) -> None:
    file = kept_file(tmp_path)
    host = FakeHost({("dpkg", "-i"): (0, "", "")}, read_only=False)
    result = backport.restore(restore_params(tmp_path, file), backport.DebPackages(host), False)
    assert result == {"changed": True, "state": "restored", "restore_file": str(file)}
    assert host.commands == [["dpkg", "-i", str(file)]]


def test_restore_in_check_mode_runs_nothing(backport: ModuleType, tmp_path: Path) -> None:
    file = kept_file(tmp_path)
    host = FakeHost({}, read_only=True)
    result = backport.restore(restore_params(tmp_path, file), backport.DebPackages(host), True)
    assert result["state"] == "restore_planned"
    assert host.commands == []


@pytest.mark.parametrize(
    "where",
    [
        "outside.deb",  # not under keep_dir
        "keep/../outside.deb",  # climbs out
        "keep/link.deb",  # a symlink in keep_dir pointing out
        "keep/kept.rpm",  # not this family's package
        "keep/absent.deb",
    ],
)
def test_restore_refuses_anything_but_a_kept_package_file(
    backport: ModuleType, tmp_path: Path, where: str
) -> None:
    kept_file(tmp_path)
    (tmp_path / "outside.deb").write_bytes(b"deb")
    (tmp_path / "keep" / "kept.rpm").write_bytes(b"rpm")
    (tmp_path / "keep" / "link.deb").symlink_to(tmp_path / "outside.deb")
    host = FakeHost({}, read_only=False)
    with pytest.raises(backport.BackportInputError):
        backport.restore(
            restore_params(tmp_path, tmp_path / where), backport.DebPackages(host), False
        )
    assert host.commands == []


# --- hostile input ----------------------------------------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text())
@example(text="CVE-2023-48795\n")
@example(text="cve-2023-48795")
@example(text="CVE-2023-48795; reboot")
@example(text="CVE-2023-123")
@example(text="CVE-2023-12345678")
@example(text="")
def test_any_text_that_is_not_a_cve_id_is_refused_before_any_command(
    backport: ModuleType, tmp_path: Path, text: str
) -> None:
    host = FakeHost({}, read_only=True)
    refused = backport.CVE_ID.fullmatch(text) is None
    try:
        backport.check_input(
            {"cves": ["CVE-2023-48795", text], "package": "openssh-client"},
            backport.DebPackages(host),
        )
    except backport.BackportInputError as e:
        assert refused
        assert repr(text) in str(e) or not text
    else:
        assert not refused
    assert host.commands == []


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text())
@example(text="openssh-server\n")
@example(text="-oAPT::Get::AllowUnauthenticated=1")
@example(text="../../etc/passwd")
@example(text="OpenSSH")
@example(text="a")
def test_any_text_that_is_not_a_debian_package_name_is_refused_before_any_command(
    backport: ModuleType, tmp_path: Path, text: str
) -> None:
    host = FakeHost({}, read_only=True)
    good = backport.DEB_NAME.fullmatch(text) is not None
    call = {**params(tmp_path, "CVE-2023-48795"), "package": text}
    if good:
        backport.check_input(call, backport.DebPackages(host))
    else:
        with pytest.raises(backport.BackportInputError, match="not a deb package name"):
            backport.judge(call, backport.DebPackages(host), False)
    assert host.commands == []


def test_a_version_from_command_output_that_could_be_an_option_is_not_used(
    backport: ModuleType, tmp_path: Path
) -> None:
    host = debian("--force-all", DEB12U6, None, read_only=True)
    result = backport.judge(params(tmp_path, "CVE-2023-48795"), backport.DebPackages(host), False)
    assert result["state"] == "unknown"
    assert not host.ran("apt-cache")


# --- the listener's package -------------------------------------------------------------


def test_the_package_is_found_from_the_process_listening_on_the_port(
    backport: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / "proc" / "290").mkdir(parents=True)
    (tmp_path / "proc" / "290" / "exe").symlink_to("/usr/sbin/sshd")
    install_changelog(tmp_path, DEB12U6)
    host = debian(DEB12U6, DEB12U6, None, read_only=True)
    host.answers[("ss", "-Hltnp")] = (
        0,
        'LISTEN 0 4096 0.0.0.0:21 0.0.0.0:* users:(("vsftpd",pid=310,fd=3))\n'
        'LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=290,fd=3))\n',
        "",
    )
    host.answers[("dpkg-query", "-S")] = (0, "openssh-client: /usr/sbin/sshd\n", "")
    call = {**params(tmp_path, "CVE-2023-48795"), "package": None, "port": 22}
    result = backport.judge(call, backport.DebPackages(host), False)
    assert result["package"] == "openssh-client"
    assert result["state"] == "backported"
    assert ["dpkg-query", "-S", "/usr/sbin/sshd"] in host.commands


def test_nothing_listening_is_unknown(backport: ModuleType, tmp_path: Path) -> None:
    host = FakeHost({("ss", "-Hlunp"): (0, "", "")}, read_only=True)
    call = {**params(tmp_path, "CVE-2023-48795"), "package": None, "port": 161, "protocol": "udp"}
    result = backport.judge(call, backport.DebPackages(host), False)
    assert result["state"] == "unknown"
    assert result["reason"] == "no package found listening on udp/161"


# --- changelog parsing ------------------------------------------------------------------


def test_every_entry_of_the_real_debian_changelog_is_parsed(backport: ModuleType) -> None:
    text = gzip.decompress(CHANGELOG[DEB12U6].read_bytes()).decode()
    entries = backport.parse_debian(text)
    assert len(entries) == text.count("\nopenssh (") + 1 == 40
    assert entries[0].version == DEB12U6
    assert entries[0].lines[0].startswith("* CVE-2025-32728: sshd(8): fix the")
    assert all(not line.startswith("-- ") for e in entries for line in e.lines)


def test_a_cve_id_is_not_found_inside_a_longer_one(backport: ModuleType) -> None:
    entries = [backport.ChangelogEntry("1", ("- [CVE-2023-48795] Terrapin",))]
    assert backport.naming(entries, "CVE-2023-4879") is None
    assert backport.naming(entries, "CVE-2023-48795") is not None


def test_evidence_lines_are_capped(backport: ModuleType) -> None:
    entries = [backport.ChangelogEntry("1", ("CVE-2023-48795 " + "x" * 1000,))]
    found = backport.naming(entries, "CVE-2023-48795")
    assert found is not None and len(found["lines"][0]) == backport.LINE_CAP


def test_rpm_changelog_headers_give_the_entry_version(backport: ModuleType) -> None:
    entries = backport.parse_rpm(RPM_CHANGELOG)
    assert entries[0].version == "9.6p1-10"
    assert [e.version for e in entries if e.version.startswith("9.3p1-1 ")] == []
    assert "9.3p1-1" in [e.version for e in entries]  # "- 9.3p1-1 + 0.10.4-9"
    assert backport.naming(entries, "CVE-2023-38408") == {
        "entry": "9.3p1-5",
        "lines": ["Resolves: CVE-2023-38408"],
    }


# --- rpm --------------------------------------------------------------------------------


def rpm_host(read_only: bool = True) -> FakeHost:
    return FakeHost(
        {
            ("rpm", "-q", "--qf"): (0, "(none):9.6p1-10.fc40\n", ""),
            ("rpm", "-q", "--changelog"): (0, RPM_CHANGELOG, ""),
            ("dnf", "repoquery"): (0, "0:9.6p1-10.fc40\n", ""),
        },
        read_only,
    )


def test_rpm_a_cve_named_in_rpm_changelog_is_backported(
    backport: ModuleType, tmp_path: Path
) -> None:
    host = rpm_host()
    call = {**params(tmp_path, "CVE-2023-38408", "CVE-2023-25136"), "package": "openssh"}
    result = backport.judge(call, backport.RpmPackages(host), False)
    assert result["state"] == "backported"
    assert result["installed_version"] == "9.6p1-10.fc40"
    assert result["cves"]["CVE-2023-25136"]["entry"] == "9.0p1-15"


def test_rpm_a_rebase_that_does_not_name_the_cve_is_manual(
    backport: ModuleType, tmp_path: Path
) -> None:
    host = rpm_host()
    call = {**params(tmp_path, "CVE-2023-48795"), "package": "openssh"}
    result = backport.judge(call, backport.RpmPackages(host), False)
    assert result["state"] == "manual"
    assert result["candidate_version"] is None  # the same version is not newer
    assert not host.ran("dnf", "download")


# rpm's own tests/rpmvercmp.at (rpm-software-management/rpm 0920d333), every active case.
RPMVERCMP = """
1.0 1.0 0|1.0 2.0 -1|2.0 1.0 1|2.0.1 2.0.1 0|2.0 2.0.1 -1|2.0.1 2.0 1|2.0.1a 2.0.1a 0
2.0.1a 2.0.1 1|2.0.1 2.0.1a -1|5.5p1 5.5p1 0|5.5p1 5.5p2 -1|5.5p2 5.5p1 1|5.5p10 5.5p10 0
5.5p1 5.5p10 -1|5.5p10 5.5p1 1|10xyz 10.1xyz -1|10.1xyz 10xyz 1|xyz10 xyz10 0
xyz10 xyz10.1 -1|xyz10.1 xyz10 1|xyz.4 xyz.4 0|xyz.4 8 -1|8 xyz.4 1|xyz.4 2 -1|2 xyz.4 1
5.5p2 5.6p1 -1|5.6p1 5.5p2 1|5.6p1 6.5p1 -1|6.5p1 5.6p1 1|6.0.rc1 6.0 1|6.0 6.0.rc1 -1
10b2 10a1 1|10a2 10b2 -1|1.0aa 1.0aa 0|1.0a 1.0aa -1|1.0aa 1.0a 1|10.0001 10.0001 0
10.0001 10.1 0|10.1 10.0001 0|10.0001 10.0039 -1|10.0039 10.0001 1|4.999.9 5.0 -1
5.0 4.999.9 1|20101121 20101121 0|20101121 20101122 -1|20101122 20101121 1|2_0 2_0 0
2.0 2_0 0|2_0 2.0 0|a a 0|a+ a+ 0|a+ a_ 0|a_ a+ 0|+a +a 0|+a _a 0|_a +a 0|+_ +_ 0|_+ +_ 0
_+ _+ 0|+ _ 0|_ + 0|1.0~rc1 1.0~rc1 0|1.0~rc1 1.0 -1|1.0 1.0~rc1 1|1.0~rc1 1.0~rc2 -1
1.0~rc2 1.0~rc1 1|1.0~rc1~git123 1.0~rc1~git123 0|1.0~rc1~git123 1.0~rc1 -1
1.0~rc1 1.0~rc1~git123 1
"""
CASES = [c.split() for c in RPMVERCMP.replace("\n", "|").split("|") if c.strip()]


@pytest.mark.parametrize(("one", "two", "expected"), CASES)
def test_rpmvercmp_agrees_with_rpms_own_table(
    backport: ModuleType, one: str, two: str, expected: str
) -> None:
    assert backport.rpmvercmp(one, two) == int(expected)


@pytest.mark.parametrize(
    ("one", "two", "expected"),
    [
        ("1:9.6p1-1", "9.9p1-1", 1),  # the epoch wins
        ("0:9.6p1-10.fc40", "9.6p1-10.fc40", 0),  # no epoch is epoch 0
        ("9.6p1-10.fc40", "9.6p1-9.fc40", 1),
        ("8.7p1-38.el9_4.4", "8.7p1-38.el9", 1),  # a RHEL z-stream backport
        ("9.6p1", "9.6p1-1", 0),  # a missing release compares equal
        ("1.0^git1", "1.0", 1),  # caret: after the base version ...
        ("1.0^git1", "1.0.1", -1),  # ... but before the next one
    ],
)
def test_rpm_labels_compare_epoch_then_version_then_release(
    backport: ModuleType, one: str, two: str, expected: int
) -> None:
    assert backport.rpm_evr_compare(one, two) == expected
