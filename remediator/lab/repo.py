"""A small apt repository for the lab, served from the controller namespace.

Lab hosts have no route out, so a package upgrade on them needs a repository inside the
lab. :func:`build` makes flat repositories (``Packages`` beside the ``.deb`` files) from
the Debian build of a package installed on a lab host, fetched with the machine's apt:

* ``lab1`` offers the Debian build itself and ``<version>+lab1``: the same files, with a
  changelog entry naming :data:`LAB_CVE`, so that ``remediator_backport`` sees a candidate
  that fixes it;
* ``lab2`` offers the Debian build and ``<version>+lab2``, which also names the CVE but
  whose service unit listens on another port: it installs and restarts fine, and the
  finding's port no longer answers (the rollback case).

The Debian build is in both because a host keeps its installed version's file before it
upgrades, and the lab host's apt cache is empty: ``apt-get download pkg=<installed>``
must find it somewhere. :func:`serve` runs ``python3 -m http.server`` on the controller's
address as a transient systemd unit; :func:`point` gives one host the repository (a
``[trusted=yes]`` source, refreshed alone). Nothing here runs at ``lab up``: the tests
that need the repository call it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from remediator.errors import ExecutionError, InputError
from remediator.lab.config import LabConfig
from remediator.lab.proc import run, succeeds
from remediator.lab.ssh import controller_command, ssh_command

LAB_CVE: Final = "CVE-2099-99001"
"""Fictitious on purpose: the real changelogs of this era already name CVE-2026-9xxxx ids,
so a lab id must be one no real advisory can ever carry (year 2099)."""
PACKAGE: Final = "memcached"
"""Installed on the ``cache`` host, serves tcp/11211, safe to restart, not sshd."""
LAB_HOST: Final = "cache"
PORT: Final = 8099
"""Where the controller serves the repository (controller address only)."""
SOURCES_LIST: Final = "/etc/apt/sources.list.d/remediator-lab.list"
FLAVOURS: Final = ("lab1", "lab2")
BROKEN_PORT: Final = 11299
"""The port a ``lab2`` build's service listens on instead of 11211."""
CHANGELOG_DATE: Final = "Mon, 07 Dec 2026 12:00:00 +0000"
"""Fixed, so that a rebuild gives the same files."""
RECIPE: Final = "1"
"""Bump when the way builds are made changes: the cache key includes it."""

_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+~:-]*")
_NAME = re.compile(r"[a-z0-9][a-z0-9+.-]+")


@dataclass(frozen=True)
class Repo:
    """One flat repository: its folder, the package and its two versions in it."""

    path: Path
    flavour: str
    package: str
    original: str
    offered: str


def installed_version(status_text: str, package: str) -> str | None:
    """The version of ``package`` in a dpkg ``status`` file when it is installed."""
    for stanza in status_text.split("\n\n"):
        fields = dict(_fields(stanza))
        if fields.get("Package") == package and fields.get("Status", "").endswith(" installed"):
            return fields.get("Version")
    return None


def _fields(stanza: str) -> list[tuple[str, str]]:
    found = []
    for line in stanza.splitlines():
        if line and not line[0].isspace() and ":" in line:
            key, _, value = line.partition(":")
            found.append((key, value.strip()))
    return found


def lab_version(version: str, flavour: str) -> str:
    """``version`` with ``+<flavour>`` appended: sorts right after it for dpkg."""
    if flavour not in FLAVOURS or not _VERSION.fullmatch(version):
        raise InputError(f"cannot make a {flavour!r} version of {version!r}")
    return f"{version}+{flavour}"


def with_version(control: str, version: str) -> str:
    """A ``DEBIAN/control`` text with its ``Version:`` field replaced."""
    lines = control.splitlines(keepends=True)
    out = [f"Version: {version}\n" if line.startswith("Version:") else line for line in lines]
    if out == lines:
        raise InputError("the control file has no Version field")
    return "".join(out)


def changelog_entry(package: str, version: str, distribution: str, lines: list[str]) -> str:
    """One ``debian/changelog`` entry, in the format dpkg-parsechangelog reads."""
    body = "".join(f"  * {line}\n" if i == 0 else f"    {line}\n" for i, line in enumerate(lines))
    return (
        f"{package} ({version}) {distribution}; urgency=medium\n\n{body}\n"
        f" -- remediator lab <lab@remediator.invalid>  {CHANGELOG_DATE}\n\n"
    )


def distribution_of(changelog: str) -> str:
    """The distribution of the newest entry (``bookworm-security``), ``unstable`` if none."""
    head = re.match(r"^\S+ \([^)]*\) ([^;]+);", changelog)
    return head.group(1).strip() if head else "unstable"


def broken_unit(unit: str, port: int = BROKEN_PORT) -> str:
    """memcached's unit, its daemon moved to ``port`` on loopback: starts, never answers."""
    start = re.compile(r"^ExecStart=.*$", re.M)
    if not start.search(unit):
        raise InputError("the unit has no ExecStart line")
    line = f"ExecStart=/usr/bin/memcached -u memcache -l 127.0.0.1 -p {port} -U 0"
    return start.sub(lambda _m: line, unit, count=1)


def md5sums(text: str, changed: dict[str, bytes]) -> str:
    """``DEBIAN/md5sums`` with the sums of ``changed`` (path without the leading /) renewed."""
    out = []
    for line in text.splitlines():
        digest, _, path = line.partition("  ")
        if path in changed:
            digest = hashlib.md5(changed[path], usedforsecurity=False).hexdigest()
        out.append(f"{digest}  {path}")
    return "\n".join(out) + "\n"


def source_list_line(config: LabConfig) -> str:
    """The host's source for the served repository (flat, unsigned: lab only)."""
    return f"deb [trusted=yes] http://{config.controller4}:{PORT}/ ./\n"


def build(config: LabConfig, flavour: str, say: Callable[[str], None]) -> Repo:
    """The ``flavour`` repository for :data:`PACKAGE`, built once into the cache dir."""
    if flavour not in FLAVOURS:
        raise InputError(f"repository flavour {flavour!r}: use one of {', '.join(FLAVOURS)}")
    original = _installed_in_layer(config)
    offered = lab_version(original, flavour)
    key = hashlib.sha256(f"{RECIPE}:{PACKAGE}:{original}".encode()).hexdigest()[:12]
    target = config.cache_dir / f"repo-{PACKAGE}-{key}" / flavour
    if (target / "Packages").is_file():
        return Repo(target, flavour, PACKAGE, original, offered)
    say(f"building the lab repository {flavour} ({PACKAGE} {offered}) ...")
    work = target.with_name(f"{flavour}.tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    debian = _download(PACKAGE, original, work)
    lab1 = _rebuild(debian, lab_version(original, "lab1"), work, broken=False)
    built = lab1 if flavour == "lab1" else _rebuild(lab1, offered, work, broken=True)
    if flavour == "lab2":
        lab1.unlink()
    packages = _run_in(["dpkg-scanpackages", "--multiversion", "."], work)
    (work / "Packages").write_text(packages, encoding="utf-8")
    if built.name not in packages or debian.name not in packages:
        raise ExecutionError(f"dpkg-scanpackages left a package out:\n{packages}")
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    return Repo(target, flavour, PACKAGE, original, offered)


def _installed_in_layer(config: LabConfig) -> str:
    layers = sorted(config.cache_dir.glob(f"{LAB_HOST}-*/var/lib/dpkg/status"))
    versions = {
        v
        for v in (installed_version(p.read_text("utf-8", "replace"), PACKAGE) for p in layers)
        if v
    }
    if len(versions) != 1:
        raise ExecutionError(
            f"{PACKAGE} version on the {LAB_HOST} layer: found {sorted(versions) or 'none'} "
            f"under {config.cache_dir}; run 'remediator lab up' first (one {LAB_HOST} layer)"
        )
    return versions.pop()


def _download(package: str, version: str, into: Path) -> Path:
    """The Debian build, from the machine's apt (the lab was built from the same mirror)."""
    if not (_NAME.fullmatch(package) and _VERSION.fullmatch(version)):
        raise InputError(f"not a package and version: {package} {version}")
    _run_in(["apt-get", "download", f"{package}={version}"], into)
    found = sorted(into.glob(f"{package}_*.deb"))
    if len(found) != 1:
        raise ExecutionError(f"apt-get download {package}={version} gave {found}")
    return found[0]


def _run_in(argv: list[str], cwd: Path) -> str:
    """stdout of ``argv`` run in ``cwd``; ExecutionError with its output when it fails."""
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise ExecutionError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def _rebuild(deb: Path, version: str, work: Path, *, broken: bool) -> Path:
    """``deb`` repacked as ``version``: a changelog entry naming LAB_CVE prepended, and
    with ``broken`` the unit moved off the port."""
    with tempfile.TemporaryDirectory(prefix="repack-", dir=work) as tmp:
        tree = Path(tmp) / "tree"
        run(["dpkg-deb", "-R", str(deb), str(tree)], timeout=120)
        control = tree / "DEBIAN" / "control"
        name = re.search(r"^Package: (\S+)$", control.read_text("utf-8"), re.M)
        if name is None:
            raise ExecutionError(f"{deb.name}: no Package field")
        package = name.group(1)
        control.write_text(with_version(control.read_text("utf-8"), version), "utf-8")
        changed: dict[str, bytes] = {}
        log_path = f"usr/share/doc/{package}/changelog.Debian.gz"
        old = gzip.decompress((tree / log_path).read_bytes()).decode("utf-8")
        if broken:
            why = [
                f"Lab build that does not answer: the daemon listens on 127.0.0.1:{BROKEN_PORT}",
                "instead of its configured port (for the rollback test).",
            ]
            unit_path = f"lib/systemd/system/{package}.service"
            unit = broken_unit((tree / unit_path).read_text("utf-8")).encode()
            (tree / unit_path).write_bytes(unit)
            changed[unit_path] = unit
        else:
            why = [
                f"Lab build: fixes {LAB_CVE} (a fictitious CVE id of the remediator lab).",
                "The Debian build repacked: no file but this changelog differs.",
            ]
        entry = changelog_entry(package, version, distribution_of(old), why)
        data = gzip.compress((entry + old).encode("utf-8"), compresslevel=9, mtime=0)
        (tree / log_path).write_bytes(data)
        changed[log_path] = data
        sums = tree / "DEBIAN" / "md5sums"
        if sums.is_file():
            sums.write_text(md5sums(sums.read_text("utf-8"), changed), "utf-8")
        arch = re.search(r"^Architecture: (\S+)$", control.read_text("utf-8"), re.M)
        file_name = f"{package}_{version.replace(':', '%3a')}_{arch.group(1) if arch else 'all'}"
        out = work / f"{file_name}.deb"
        run(["dpkg-deb", "--root-owner-group", "-b", str(tree), str(out)], timeout=120)
    return out


def serve(config: LabConfig, repo: Repo) -> str:
    """Serve ``repo`` on the controller address (replacing what was served); the URL.

    The server runs in its own session (it outlives this process) and its PID is kept in
    the lab's state dir for :func:`stop`; ``remediator lab down`` stops it too.
    """
    stop(config)
    argv = [
        "python3",
        "-m",
        "http.server",
        "--bind",
        str(config.controller4),
        "--directory",
        str(repo.path),
        str(PORT),
    ]
    log = config.state_dir / "repo.log"
    with log.open("ab") as sink:
        server = subprocess.Popen(
            controller_command(argv, config),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _pid_file(config).write_text(f"{server.pid}\n", encoding="utf-8")
    probe = ["python3", "-c", _CONNECT, str(config.controller4), str(PORT)]
    deadline = time.monotonic() + 10
    while not succeeds(controller_command(probe, config), timeout=5):
        if server.poll() is not None or time.monotonic() > deadline:
            stop(config)
            raise ExecutionError(f"the lab repository did not start serving on {PORT} (see {log})")
        time.sleep(0.2)
    return f"http://{config.controller4}:{PORT}/"


_CONNECT = "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 2)"


def _pid_file(config: LabConfig) -> Path:
    return config.state_dir / "repo.pid"


def stop(config: LabConfig) -> None:
    """Stop serving (nothing happens when nothing is served); only the recorded server,
    and only while its command line is still the repository's."""
    pid_file = _pid_file(config)
    try:
        pid = int(pid_file.read_text(encoding="utf-8").strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        pid_file.unlink(missing_ok=True)
        return
    if b"http.server" in cmdline and str(PORT).encode() in cmdline:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.1)
    pid_file.unlink(missing_ok=True)


def point(config: LabConfig, host_name: str = LAB_HOST) -> None:
    """Give ``host_name`` the served repository and refresh that source alone (the host's
    Debian sources are unreachable from the lab, and their lists stay as they are)."""
    host = config.host(host_name)
    remote = (
        f"printf '%s' '{source_list_line(config)}' > {SOURCES_LIST} && "
        f"apt-get -q update -o Dir::Etc::sourcelist={SOURCES_LIST} "
        "-o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0"
    )
    done = subprocess.run(
        ssh_command(config, host, [remote]),
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0 or "Err:" in done.stdout:
        raise ExecutionError(
            f"{host_name}: apt-get update of the lab repository failed:\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
