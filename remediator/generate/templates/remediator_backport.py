#!/usr/bin/python
# Apache-2.0 (see the remediator project). Generated projects ship this file unchanged.
"""Read-mostly: is a version-based CVE finding fixed by a backport, an upgrade, or neither?

A scanner that sees "OpenSSH 9.2p1" reports every CVE fixed upstream after 9.2p1. Debian and
RHEL fix most of them by backporting the patch: the version string stays old, and only the
package's changelog says which CVEs its build fixes. This module reads that changelog on the
host (the installed package's, and the repository candidate's, fetched but not installed)
and returns a verdict with the changelog lines as evidence, so an ASV dispute can quote the
vendor's own words instead of "we believe it is patched".

Nothing here trusts scan data: CVE ids and package names are checked against strict patterns
before any command runs, commands are argv lists (never a shell), no path comes from the
scan, and every command's output is read as data. A changelog that cannot be read gives
``unknown``, never ``backported``. In mode ``upgrade`` the installed package file is kept
first (or nothing is upgraded), so the role can put it back with mode ``restore`` when the
restarted service does not answer. Python 3.9+ on the host, standard library only.
"""

from __future__ import annotations

import fnmatch
import gzip
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
---
module: remediator_backport
short_description: Decide from package changelogs whether a CVE finding is fixed on a host
description:
  - Finds the package (given, or the owner of the process listening on I(port)), reads the
    installed package's changelog and, when needed, the changelog of the candidate from the
    host's configured repositories (downloaded to a temporary directory, never installed).
  - C(backported) when the installed changelog names every CVE; C(upgrade_available) when the
    candidate's names the rest; C(upgraded) after an upgrade in mode C(upgrade);
    C(unknown) when a changelog could not be read; C(manual) otherwise.
  - Mode C(restore) installs a package file kept by an earlier upgrade.
options:
  cves:
    description: CVE ids of the finding, each C(CVE-YYYY-NNNN...).
    type: list
    elements: str
    required: true
  package:
    description: The package name, when known.
    type: str
  port:
    description: The port of the finding's service, to find the package when I(package) is
      not given.
    type: int
  protocol:
    description: The protocol of I(port).
    type: str
    choices: [tcp, udp]
    default: tcp
  mode:
    description: C(check) changes nothing; C(upgrade) upgrades to a candidate whose changelog
      names every missing CVE; C(restore) installs I(restore_file). In check mode C(upgrade)
      behaves as C(check).
    type: str
    choices: [check, upgrade, restore]
    default: check
  keep_dir:
    description: Where the installed version's package file is kept before an upgrade.
    type: path
    default: /var/backups/remediator-patch
  restore_file:
    description: For mode C(restore), a kept C(.deb) or C(.rpm) under I(keep_dir).
    type: path
  family:
    description: The packaging; C(auto) takes C(deb) when C(dpkg-query) is present, else C(rpm).
    type: str
    choices: [auto, deb, rpm]
    default: auto
  finding:
    description: The finding key this call is about, returned unchanged as C(finding) so
      that the run record attributes the result to it. Never used for anything else.
    type: str
author:
  - remediator
"""

RETURN = r"""
state:
  description: backported, upgrade_available, upgraded, unknown, manual; restored or
    restore_planned (check mode) in mode restore.
  type: str
  returned: always
package:
  description: The package judged.
  type: str
  returned: always
installed_version:
  description: Its installed version (before an upgrade).
  type: str
  returned: always
candidate_version:
  description: The repositories' candidate, null when none or not newer.
  type: str
  returned: always
cves:
  description: Per CVE, C({named_in, entry, lines}); C(named_in) is installed, candidate or
    none, C(entry) the changelog version naming it, C(lines) the lines (each at most 300
    characters).
  type: dict
  returned: always
missing:
  description: The CVEs named in no changelog read.
  type: list
  returned: always
unreadable:
  description: What could not be read, one sentence each.
  type: list
  returned: always
reason:
  description: One line saying why the state.
  type: str
  returned: always
kept:
  description: The kept package file of the previous version (mode upgrade).
  type: str
  returned: when upgraded
previous_version:
  description: The version before the upgrade.
  type: str
  returned: when upgraded
"""

CVE_ID = re.compile(r"CVE-\d{4}-\d{4,7}")
DEB_NAME = re.compile(r"[a-z0-9][a-z0-9+.-]+")
RPM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9+._-]*")
VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+~^:_-]*")
"""Versions come from command output and go into argv (``pkg=version``): checked first."""
LINE_CAP = 300
READ_CAP = 16 * 1024 * 1024

DOC_ROOT = Path("/usr/share/doc")
DPKG_CONFIG = (Path("/etc/dpkg/dpkg.cfg"), Path("/etc/dpkg/dpkg.cfg.d"))
APT_ARCHIVES = Path("/var/cache/apt/archives")
PROC = Path("/proc")


class PackageCommands(Protocol):
    """What is used of AnsibleModule: running a command without a shell."""

    def run_command(
        self,
        args: list[str],
        cwd: str | None = None,
        environ_update: dict[str, str] | None = None,
        expand_user_and_vars: bool = True,
    ) -> tuple[int, str, str]: ...


class BackportInputError(Exception):
    """Input (from scan data or the role) that is refused before any command runs."""


class BackportCommandError(Exception):
    """A command that changes the host failed; ``facts`` (what was kept) go back with it."""

    def __init__(self, message: str, **facts: str) -> None:
        super().__init__(message)
        self.facts = facts


class ChangelogEntry(NamedTuple):
    """One changelog entry: the version it describes and its text lines."""

    version: str
    lines: tuple[str, ...]


def run(host: PackageCommands, argv: list[str], cwd: str | None = None) -> tuple[int, str, str]:
    """``argv`` in the C locale; ``$x`` and ``~`` stay literal (``${Version}`` is a format)."""
    env = {"LC_ALL": "C", "DEBIAN_FRONTEND": "noninteractive"}
    return host.run_command(argv, cwd=cwd, environ_update=env, expand_user_and_vars=False)


def valid(pattern: re.Pattern[str], text: object) -> bool:
    """The whole of ``text`` matches (``$`` would let a trailing newline through)."""
    return isinstance(text, str) and pattern.fullmatch(text) is not None


def parse_debian(text: str) -> list[ChangelogEntry]:
    """Entries of a ``debian/changelog``: ``pkg (version) dists; urgency=...`` to `` -- ``."""
    header = re.compile(r"^[a-z0-9][a-z0-9+.-]*\s+\(([^()\s]+)\)\s+[^;]*;")
    entries: list[ChangelogEntry] = []
    version, lines = "", list[str]()
    for line in text.splitlines():
        found = header.match(line)
        if found:
            if version:
                entries.append(ChangelogEntry(version, tuple(lines)))
            version, lines = found.group(1), []
        elif version and line.strip() and not line.startswith(" -- "):
            lines.append(line.strip())
    if version:
        entries.append(ChangelogEntry(version, tuple(lines)))
    return entries


def parse_rpm(text: str) -> list[ChangelogEntry]:
    """Entries of ``rpm -q --changelog``: ``* Day Mon DD YYYY Name <mail> - version``."""
    entries: list[ChangelogEntry] = []
    version, lines, started = "", list[str](), False
    for line in text.splitlines():
        if re.match(r"^\* \w{3} \w{3} +\d{1,2} \d{4} ", line):
            if started:
                entries.append(ChangelogEntry(version, tuple(lines)))
            tail = line.rsplit(">", 1)[1] if ">" in line else " ".join(line.split()[5:])
            words = tail.strip().lstrip("-").split()
            version, lines, started = (words[0] if words else ""), [], True
        elif started and line.strip():
            lines.append(line.strip())
    if started:
        entries.append(ChangelogEntry(version, tuple(lines)))
    return entries


def naming(entries: list[ChangelogEntry], cve: str) -> dict[str, Any] | None:
    """The oldest entry naming ``cve`` (where the fix came in) and its lines naming it."""
    exact = re.compile(rf"(?<![\w-]){re.escape(cve)}(?!\d)", re.IGNORECASE)
    found = None
    for entry in entries:
        lines = [line[:LINE_CAP] for line in entry.lines if exact.search(line)]
        if lines:
            found = {"entry": entry.version, "lines": lines}
    return found


def rpmvercmp(one: str, two: str) -> int:  # noqa: PLR0911, PLR0912 - rpm's C, step for step
    """rpm's segment comparison of two version (or release) strings: -1, 0 or 1."""
    if one == two:
        return 0

    def alnum(c: str) -> bool:
        return c.isascii() and c.isalnum()

    i = j = 0
    while i < len(one) or j < len(two):
        while i < len(one) and not alnum(one[i]) and one[i] not in "~^":
            i += 1
        while j < len(two) and not alnum(two[j]) and two[j] not in "~^":
            j += 1
        a, b = one[i : i + 1], two[j : j + 1]
        if "~" in (a, b):  # a tilde sorts before everything, even the end
            if a != "~":
                return 1
            if b != "~":
                return -1
            i, j = i + 1, j + 1
            continue
        if "^" in (a, b):  # a caret sorts after the end, before anything else
            if not a:
                return -1
            if not b:
                return 1
            if a != "^":
                return 1
            if b != "^":
                return -1
            i, j = i + 1, j + 1
            continue
        if not (a and b):
            break
        kind = str.isdigit if a.isdigit() else str.isalpha
        si, sj = i, j
        while i < len(one) and one[i].isascii() and kind(one[i]):
            i += 1
        while j < len(two) and two[j].isascii() and kind(two[j]):
            j += 1
        left, right = one[si:i], two[sj:j]
        if not right:  # different kinds: a number is newer than letters
            return 1 if kind is str.isdigit else -1
        if kind is str.isdigit:
            left, right = left.lstrip("0"), right.lstrip("0")
            if len(left) != len(right):
                return 1 if len(left) > len(right) else -1
        if left != right:
            return 1 if left > right else -1
    if i >= len(one) and j >= len(two):
        return 0
    return 1 if i < len(one) else -1


def rpm_evr_compare(one: str, two: str) -> int:
    """Compare ``[epoch:]version[-release]`` labels as rpm does (no epoch is epoch 0)."""

    def split(label: str) -> tuple[int, str, str | None]:
        epoch, _, rest = label.rpartition(":")
        version, dash, release = rest.partition("-")
        return (int(epoch) if epoch.isdigit() else 0), version, (release if dash else None)

    (e1, v1, r1), (e2, v2, r2) = split(one), split(two)
    if e1 != e2:
        return 1 if e1 > e2 else -1
    return rpmvercmp(v1, v2) or (rpmvercmp(r1, r2) if r1 is not None and r2 is not None else 0)


def read_text(path: Path) -> str | None:
    """A changelog file's text (gunzipped), None when it cannot be read."""
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                data = handle.read(READ_CAP)
        else:
            with path.open("rb") as handle:
                data = handle.read(READ_CAP)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    return data.decode("utf-8", errors="replace")


def excluded_by(path: str) -> str | None:
    """The dpkg ``path-exclude`` filter that kept ``path`` off the disk, if one did."""
    files = [DPKG_CONFIG[0]]
    if DPKG_CONFIG[1].is_dir():
        files += sorted(p for p in DPKG_CONFIG[1].iterdir() if p.is_file())
    verdict = None  # dpkg applies the filters in order: the last match decides
    for config in files:
        for line in (read_text(config) or "").splitlines():
            option, _, pattern = line.strip().replace("=", " ", 1).partition(" ")
            pattern = pattern.strip()
            if option in ("path-exclude", "path-include") and fnmatch.fnmatchcase(path, pattern):
                verdict = f"{option}={pattern} in {config}" if option == "path-exclude" else None
    return verdict


class Packaging(Protocol):
    """What the verdict needs of a packaging system (deb or rpm), resolved once per run."""

    family: str
    name: re.Pattern[str]
    suffix: str
    host: PackageCommands

    def owner(self, path: str) -> str | None: ...
    def installed(self, package: str) -> str | None: ...
    def installed_changelog(self, package: str) -> tuple[list[ChangelogEntry] | None, str]: ...
    def candidate(self, package: str) -> str | None: ...
    def newer(self, candidate: str, installed: str) -> bool: ...
    def fetch(self, package: str, version: str, into: Path) -> Path | None: ...
    def changelog_of(self, file: Path, package: str, into: Path) -> list[ChangelogEntry] | None: ...
    def keep(self, package: str, version: str, keep_dir: Path) -> Path | None: ...
    def upgrade(self, package: str, version: str) -> tuple[int, str]: ...
    def restore(self, file: Path) -> tuple[int, str]: ...


class DebPackages:
    """dpkg and apt: versions, changelogs, candidate, keeping and installing package files."""

    family = "deb"
    name = DEB_NAME
    suffix = ".deb"

    def __init__(self, host: PackageCommands) -> None:
        self.host = host

    def owner(self, path: str) -> str | None:
        # merged /usr: the process runs /usr/sbin/x, dpkg may know it as /sbin/x
        for known in (path, path.removeprefix("/usr")) if path.startswith("/usr/") else (path,):
            rc, out, _ = run(self.host, ["dpkg-query", "-S", known])
            for line in out.splitlines() if rc == 0 else []:
                if not line.startswith("diversion ") and ": " in line:
                    return line.split(": ", 1)[0].split(",")[0].split(":")[0].strip()
        return None

    def installed(self, package: str) -> str | None:
        rc, out, _ = run(self.host, ["dpkg-query", "-W", "-f", "${Version}", package])
        return out.strip() if rc == 0 and valid(VERSION, out.strip()) else None

    def installed_changelog(self, package: str) -> tuple[list[ChangelogEntry] | None, str]:
        dirs = [package]
        rc, out, _ = run(self.host, ["dpkg-query", "-W", "-f", "${source:Package}", package])
        source = out.strip()
        if rc == 0 and source != package and valid(DEB_NAME, source):
            dirs.append(source)
        for name in dirs:
            for file in ("changelog.Debian.gz", "changelog.Debian"):
                text = read_text(DOC_ROOT / name / file)
                if text is not None:
                    return parse_debian(text), ""
        wanted = f"{DOC_ROOT}/{package}/changelog.Debian.gz"
        why = excluded_by(f"/usr/share/doc/{package}/changelog.Debian.gz")
        if why:
            return None, f"{wanted} is excluded from installs by dpkg ({why})"
        return None, f"{wanted} (or changelog.Debian, or the source package's) is missing"

    def candidate(self, package: str) -> str | None:
        rc, out, _ = run(self.host, ["apt-cache", "policy", package])
        for line in out.splitlines() if rc == 0 else []:
            key, _, value = line.strip().partition(": ")
            if key == "Candidate" and valid(VERSION, value.strip()):
                return value.strip()
        return None

    def newer(self, candidate: str, installed: str) -> bool:
        rc, _, _ = run(self.host, ["dpkg", "--compare-versions", candidate, "gt", installed])
        return rc == 0

    def fetch(self, package: str, version: str, into: Path) -> Path | None:
        run(self.host, ["apt-get", "download", f"{package}={version}"], cwd=str(into))
        return _one_file(into, f"{package}_*.deb")

    def changelog_of(self, file: Path, package: str, into: Path) -> list[ChangelogEntry] | None:
        root = into / "root"
        root.mkdir()
        rc, _, _ = run(self.host, ["dpkg-deb", "-x", str(file), str(root)])
        if rc != 0:
            return None
        for name in ("changelog.Debian.gz", "changelog.Debian"):
            path = root / "usr" / "share" / "doc" / package / name
            # a doc dir linked to another package's is not in this file: never leave root
            if path.is_file() and path.resolve().is_relative_to(root.resolve()):
                text = read_text(path)
                if text is not None:
                    return parse_debian(text)
        return None

    def keep(self, package: str, version: str, keep_dir: Path) -> Path | None:
        file_version = version.replace(":", "%3a")  # apt's name for an epoch's colon
        cached = _one_file(APT_ARCHIVES, f"{package}_{file_version}_*.deb")
        if cached is not None:
            shutil.copy2(cached, keep_dir / cached.name)
        else:
            run(self.host, ["apt-get", "download", f"{package}={version}"], cwd=str(keep_dir))
        return _one_file(keep_dir, f"{package}_{file_version}_*.deb")

    def upgrade(self, package: str, version: str) -> tuple[int, str]:
        rc, _, err = run(
            self.host,
            [
                "apt-get",
                "install",
                "-y",
                "--only-upgrade",
                "-o",
                "Dpkg::Options::=--force-confold",
                f"{package}={version}",
            ],
        )
        return rc, err

    def restore(self, file: Path) -> tuple[int, str]:
        rc, _, err = run(self.host, ["dpkg", "-i", str(file)])
        return rc, err


class RpmPackages:
    """rpm and dnf (or yum): the same questions for RPM-based hosts."""

    family = "rpm"
    name = RPM_NAME
    suffix = ".rpm"

    def __init__(self, host: PackageCommands) -> None:
        self.host = host
        self.dnf = "dnf" if shutil.which("dnf") or not shutil.which("yum") else "yum"

    def owner(self, path: str) -> str | None:
        rc, out, _ = run(self.host, ["rpm", "-qf", "--qf", "%{NAME}\n", path])
        name = out.splitlines()[0].strip() if rc == 0 and out.strip() else ""
        return name or None

    def installed(self, package: str) -> str | None:
        qf = "%{EPOCH}:%{VERSION}-%{RELEASE}\n"
        rc, out, _ = run(self.host, ["rpm", "-q", "--qf", qf, package])
        return _evr(out) if rc == 0 else None

    def installed_changelog(self, package: str) -> tuple[list[ChangelogEntry] | None, str]:
        rc, out, _ = run(self.host, ["rpm", "-q", "--changelog", package])
        entries = parse_rpm(out) if rc == 0 else []
        return (entries, "") if entries else (None, f"rpm has no changelog for {package}")

    def candidate(self, package: str) -> str | None:
        qf = "%{EPOCH}:%{VERSION}-%{RELEASE}\n"
        argv = [self.dnf, "repoquery", "--latest-limit", "1", "--qf", qf, package]
        rc, out, _ = run(self.host, argv)
        return _evr(out) if rc == 0 else None

    def newer(self, candidate: str, installed: str) -> bool:
        return rpm_evr_compare(candidate, installed) > 0

    def fetch(self, package: str, version: str, into: Path) -> Path | None:
        argv = [self.dnf, "download", "--destdir", str(into), f"{package}-{version}"]
        run(self.host, argv)
        return _one_file(into, f"{package}-{version.rpartition(':')[2]}.*.rpm")

    def changelog_of(self, file: Path, package: str, into: Path) -> list[ChangelogEntry] | None:
        rc, out, _ = run(self.host, ["rpm", "-qp", "--changelog", str(file)])
        return (parse_rpm(out) or None) if rc == 0 else None

    def keep(self, package: str, version: str, keep_dir: Path) -> Path | None:
        return self.fetch(package, version, keep_dir)

    def upgrade(self, package: str, version: str) -> tuple[int, str]:
        rc, _, err = run(self.host, [self.dnf, "upgrade", "-y", f"{package}-{version}"])
        return rc, err

    def restore(self, file: Path) -> tuple[int, str]:
        rc, _, err = run(self.host, ["rpm", "-U", "--oldpackage", str(file)])
        return rc, err


def _evr(out: str) -> str | None:
    """``E:V-R`` from rpm or dnf, without an epoch of 0 or ``(none)``; None when unfit."""
    lines = out.strip().splitlines()
    label = lines[-1].strip() if lines else ""
    for none in ("(none):", "0:"):
        label = label.removeprefix(none)
    return label if valid(VERSION, label) else None


def _one_file(folder: Path, pattern: str) -> Path | None:
    """The one regular file in ``folder`` matching ``pattern``, else None."""
    found = [p for p in folder.glob(pattern) if p.is_file() and not p.is_symlink()]
    return found[0] if len(found) == 1 else None


def listener_package(packages: Packaging, port: int, protocol: str) -> str | None:
    """The package owning the executable of the process listening on ``protocol/port``."""
    flag = "-Hltnp" if protocol == "tcp" else "-Hlunp"
    rc, out, _ = run(packages.host, ["ss", flag])
    for line in out.splitlines() if rc == 0 else []:
        fields = line.split()
        local = next((f for f in fields if re.search(r":\d+$", f)), "")
        pid = re.search(r"pid=(\d+)", line)
        if local.rsplit(":", 1)[-1] == str(port) and pid:
            try:
                exe = str((PROC / pid.group(1) / "exe").readlink())
            except OSError:
                continue
            return packages.owner(exe.removesuffix(" (deleted)"))
    return None


def check_input(params: dict[str, Any], packages: Packaging) -> None:
    """Refuse anything from the scan that is not exactly what it claims to be."""
    cves = params.get("cves") or []
    if not cves:
        raise BackportInputError("no CVE given")
    for cve in cves:
        if not valid(CVE_ID, cve):
            raise BackportInputError(f"not a CVE id: {cve!r}")
    package = params.get("package")
    if package is not None and not valid(packages.name, package):
        raise BackportInputError(f"not a {packages.family} package name: {package!r}")
    port = params.get("port")
    if package is None and (not isinstance(port, int) or not 0 < port < 65536):
        raise BackportInputError("neither a package nor a port (1-65535) is given")


def judge(params: dict[str, Any], packages: Packaging, check_mode: bool) -> dict[str, Any]:
    """The verdict for ``params`` (mode check or upgrade) as the module's return values."""
    check_input(params, packages)
    cves: list[str] = list(dict.fromkeys(params["cves"]))
    protocol = params.get("protocol") or "tcp"
    package: str | None = params.get("package") or listener_package(
        packages, params["port"], protocol
    )
    result: dict[str, Any] = {
        "changed": False,
        "package": package,
        "installed_version": None,
        "candidate_version": None,
        "cves": {cve: {"named_in": "none", "entry": None, "lines": []} for cve in cves},
        "missing": cves,
        "unreadable": [],
    }
    if package is None or not valid(packages.name, package):
        reason = f"no package found listening on {protocol}/{params.get('port')}"
        return {**result, "state": "unknown", "reason": reason}
    installed = packages.installed(package)
    if installed is None:
        return {**result, "state": "unknown", "reason": f"{package} is not installed"}
    result["installed_version"] = installed
    entries, why = packages.installed_changelog(package)
    if entries is None:
        result["unreadable"].append(why)
    if not _name(result, entries or [], cves, "installed"):
        reason = f"the changelog of {package} {installed} names every CVE"
        return {**result, "state": "backported", "reason": reason}
    upgrading = params.get("mode") == "upgrade" and not check_mode
    return _candidate(result, packages, Path(params["keep_dir"]) if upgrading else None)


def _candidate(
    result: dict[str, Any], packages: Packaging, keep_dir: Path | None
) -> dict[str, Any]:
    """The verdict from the repositories' candidate; an upgrade to it when ``keep_dir``."""
    package, installed = result["package"], result["installed_version"]
    candidate = packages.candidate(package)
    if candidate is None or not packages.newer(candidate, installed):
        return _undecided(result, package, installed, None)
    result["candidate_version"] = candidate
    with tempfile.TemporaryDirectory(prefix="remediator-backport-") as tmp:
        file = packages.fetch(package, candidate, Path(tmp))
        later = packages.changelog_of(file, package, Path(tmp)) if file else None
    if later is None:
        result["unreadable"].append(f"the changelog of candidate {package} {candidate}")
        return _undecided(result, package, installed, candidate)
    if _name(result, later, result["missing"], "candidate"):
        return _undecided(result, package, installed, candidate)
    if keep_dir is None:
        reason = f"{package} {candidate} (installed {installed}) names every missing CVE"
        return {**result, "state": "upgrade_available", "reason": reason}
    return upgrade(result, packages, keep_dir, candidate)


def _name(
    result: dict[str, Any], entries: list[ChangelogEntry], cves: list[str], where: str
) -> list[str]:
    """Record the CVEs ``entries`` name as named ``where``; return those still missing."""
    missing = []
    for cve in cves:
        found = naming(entries, cve)
        if found:
            result["cves"][cve] = {"named_in": where, **found}
        else:
            missing.append(cve)
    result["missing"] = missing
    return missing


def _undecided(
    result: dict[str, Any], package: str, installed: str, candidate: str | None
) -> dict[str, Any]:
    """``unknown`` when a changelog was not read, else ``manual``: never a guess at fixed."""
    shown = candidate or "none newer"
    if result["unreadable"]:
        reason = f"{package} {installed} (candidate {shown}): " + "; ".join(result["unreadable"])
        return {**result, "state": "unknown", "reason": reason}
    named = ", ".join(result["missing"])
    reason = f"{package} {installed} (candidate {shown}): no changelog names {named}"
    return {**result, "state": "manual", "reason": reason}


def upgrade(
    result: dict[str, Any], packages: Packaging, keep_dir: Path, candidate: str
) -> dict[str, Any]:
    """Keep the installed package file, then upgrade this package to ``candidate`` only."""
    package, installed = result["package"], result["installed_version"]
    keep_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    kept = packages.keep(package, installed, keep_dir)
    if kept is None:
        reason = f"{package} {installed}: the installed version cannot be kept for rollback"
        return {**result, "state": "manual", "reason": reason}
    rc, err = packages.upgrade(package, candidate)
    now = packages.installed(package)
    if rc != 0 or now is None or packages.newer(candidate, now):
        last = (err.strip().splitlines() or ["no error output"])[-1][:LINE_CAP]
        raise BackportCommandError(
            f"upgrading {package} to {candidate} failed (rc {rc}): {last}",
            kept=str(kept),
            previous_version=installed,
        )
    return {
        **result,
        "state": "upgraded",
        "changed": True,
        "kept": str(kept),
        "previous_version": installed,
        "reason": f"{package} upgraded from {installed} to {now}; {installed} kept in {kept}",
    }


def restore(params: dict[str, Any], packages: Packaging, check_mode: bool) -> dict[str, Any]:
    """Install a kept package file: only a regular ``.deb``/``.rpm`` directly in keep_dir."""
    keep_dir = Path(params["keep_dir"]).resolve()
    given = params.get("restore_file")
    if not given:
        raise BackportInputError("mode restore needs restore_file")
    file = Path(given)
    if (
        file.is_symlink()
        or not file.is_file()
        or file.resolve().parent != keep_dir
        or file.suffix != packages.suffix
    ):
        raise BackportInputError(f"{given} is not a kept {packages.suffix} file in {keep_dir}")
    file = file.resolve()
    if check_mode:
        return {"changed": True, "state": "restore_planned", "restore_file": str(file)}
    rc, err = packages.restore(file)
    if rc != 0:
        last = (err.strip().splitlines() or ["no error output"])[-1][:LINE_CAP]
        raise BackportCommandError(f"installing {file} failed (rc {rc}): {last}")
    return {"changed": True, "state": "restored", "restore_file": str(file)}


def packages_for(family: str, host: PackageCommands) -> Packaging:
    """The packaging, resolved once."""
    if family == "auto":
        family = "deb" if shutil.which("dpkg-query") else "rpm" if shutil.which("rpm") else ""
    if family == "deb":
        return DebPackages(host)
    if family == "rpm":
        return RpmPackages(host)
    raise BackportInputError("neither dpkg-query nor rpm is on the host")


def main() -> None:
    """Module entry point."""
    module = AnsibleModule(
        argument_spec={
            "cves": {"type": "list", "elements": "str", "required": True},
            "package": {"type": "str"},
            "port": {"type": "int"},
            "protocol": {"type": "str", "choices": ["tcp", "udp"], "default": "tcp"},
            "mode": {"type": "str", "choices": ["check", "upgrade", "restore"], "default": "check"},
            "keep_dir": {"type": "path", "default": "/var/backups/remediator-patch"},
            "restore_file": {"type": "path"},
            "family": {"type": "str", "choices": ["auto", "deb", "rpm"], "default": "auto"},
            "finding": {"type": "str"},
        },
        supports_check_mode=True,
    )
    echo = {"finding": module.params["finding"]} if module.params["finding"] else {}
    try:
        packages = packages_for(module.params["family"], module)
        if module.params["mode"] == "restore":
            module.exit_json(**restore(module.params, packages, module.check_mode), **echo)
        module.exit_json(**judge(module.params, packages, module.check_mode), **echo)
    except BackportCommandError as e:
        module.fail_json(msg=str(e), **e.facts)
    except (BackportInputError, OSError) as e:
        module.fail_json(msg=str(e))


if __name__ == "__main__":
    main()
