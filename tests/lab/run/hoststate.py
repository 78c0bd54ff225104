"""What a lab host is, looked at from outside it: files, firewall, units, connections.

* :func:`layer_state`: every path in the host's overlay upper layer, described (type,
  mode, owner, content hash, link target); a path absent from the upper layer is what
  the lower layers hold, unless an upper ancestor hides them: a whiteout (a directory
  deleted) or an opaque directory (deleted and made again). Two states compare path by
  path over the union of both uppers and of the lower paths such ancestors hide, so a
  file the run created, changed or deleted shows up even if it was put back, and so
  does a file that went with its directory (``systemctl disable`` removes the emptied
  ``*.wants`` directory along with its last link).
* :func:`firewall_state` / :func:`unit_states`: the live ruleset and systemd's view of
  units and sockets, read over ssh (counters dropped).
* :func:`passive_opens`: the TCP connections the host's network namespace accepted,
  read from its own ``/proc/net/snmp`` without connecting to the host.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from remediator.lab import state as lab_state
from remediator.lab.host import host_dir
from tests.lab.helpers import Lab

VOLATILE = (
    "var/lib/remediator/",  # the snapshots themselves and the snapshot tool
    "var/log/",
    "var/cache/",
    "var/tmp/",
    "tmp/",
    "root/.ansible/",
    "root/.cache/",
    "var/lib/systemd/",  # random seed, timers' last runs, unit invocation state
    "var/lib/private/",
    "etc/.pwd.lock",
    "var/lib/mysql/",  # MariaDB's data files: its aria log is rewritten at every stop/start
    # Postfix's runtime state, not its configuration (/etc/postfix): its PRNG exchange
    # file, TLS session caches and master.lock (var/lib/postfix), its queues and the
    # pid/inet.* locks of the processes it spawns for a client (var/spool/postfix). Any
    # client's connection writes them, such as the apply's own probes of the weakness
    # before its change.
    "var/lib/postfix/",
    "var/spool/postfix/",
)
"""Paths a run writes that are not the host's configuration (or that systemd churns)."""

ON_DEMAND = (
    "remediator-",  # the transient revert timers' services
    "session-",
    "user@",
    "user-runtime-dir@",
    "systemd-tmpfiles-clean",
    "polkit.service",  # D-Bus activated when firewall-cmd asks for authorization
)
"""Units that come and go by themselves, or by D-Bus activation, not by a change."""

Description = tuple[str, ...]
OPAQUE = "opaque"
"""Last field of a directory's description when overlayfs marked it opaque: the lower
layers' contents below it are hidden (it was deleted and made again in the upper layer)."""
OPAQUE_XATTRS = ("trusted.overlay.opaque", "user.overlay.opaque")


def upper_dir(lab: Lab, host: str) -> Path:
    return host_dir(lab.config, lab.config.host(host.removesuffix(".lab"))) / "upper"


def lower_dirs(lab: Lab, host: str) -> list[Path]:
    saved = lab_state.require(lab.config.state_dir)
    return [Path(p) for p in saved.lowerdirs[host.removesuffix(".lab")].split(":")]


def describe(path: Path) -> Description:
    info = path.lstat()
    owner = f"{info.st_uid}:{info.st_gid}"
    mode = f"{stat.S_IMODE(info.st_mode):o}"
    if stat.S_ISCHR(info.st_mode) and info.st_rdev == 0:
        return ("absent",)  # an overlay whiteout: deleted in the upper layer
    if stat.S_ISLNK(info.st_mode):
        return ("link", owner, str(path.readlink()))
    if stat.S_ISDIR(info.st_mode):
        return ("dir", mode, owner, OPAQUE) if _opaque(path) else ("dir", mode, owner)
    if stat.S_ISREG(info.st_mode):
        return ("file", mode, owner, hashlib.sha256(path.read_bytes()).hexdigest())
    return ("other", mode, owner)


def _opaque(path: Path) -> bool:
    for name in OPAQUE_XATTRS:
        try:
            if os.getxattr(path, name, follow_symlinks=False) == b"y":
                return True
        except OSError:
            continue
    return False


def layer_state(lab: Lab, host: str) -> dict[str, Description]:
    """Every path of the host's upper layer (relative), described."""
    upper = upper_dir(lab, host)
    found: dict[str, Description] = {}
    for folder, dirs, files in os.walk(upper):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            found[path.relative_to(upper).as_posix()] = describe(path)
    return found


def layer_differences(
    lab: Lab, host: str, before: Mapping[str, Description], after: Mapping[str, Description]
) -> dict[str, tuple[Description, Description]]:
    """Paths whose merged view differs between two layer states, volatile paths left out.

    A directory's opacity is no difference of its own (a restore that makes a deleted
    directory again leaves it opaque): it only decides what of the lower layers shows.
    """
    lowers = lower_dirs(lab, host)
    differing = {}
    paths = set(before) | set(after) | _hidden_lower_paths(lowers, (before, after))
    for relative in sorted(paths):
        if volatile(relative):
            continue
        old = _merged(before, lowers, relative)
        new = _merged(after, lowers, relative)
        if _without_opacity(old) != _without_opacity(new):
            differing[relative] = (old, new)
    return differing


def _merged(state: Mapping[str, Description], lowers: list[Path], relative: str) -> Description:
    """What the host sees at ``relative``, given its upper layer's ``state``."""
    if relative in state:
        return state[relative]
    parts = relative.split("/")
    for depth in range(1, len(parts)):
        ancestor = state.get("/".join(parts[:depth]))
        if ancestor is not None and (ancestor[0] == "absent" or ancestor[-1] == OPAQUE):
            return ("absent",)
    return _lower(lowers, relative)


def _hidden_lower_paths(
    lowers: Iterable[Path], states: Iterable[Mapping[str, Description]]
) -> set[str]:
    """Lower-layer paths below a whiteout or an opaque directory of any of ``states``."""
    roots = {
        path
        for state in states
        for path, description in state.items()
        if description[0] == "absent" or description[-1] == OPAQUE
    }
    found: set[str] = set()
    for lower in lowers:
        for root in roots:
            top = lower / root
            if top.is_symlink() or not top.is_dir():
                continue
            for folder, dirs, files in os.walk(top):
                for name in [*dirs, *files]:
                    found.add((Path(folder) / name).relative_to(lower).as_posix())
    return found


def _without_opacity(description: Description) -> Description:
    return description[:3] if description[0] == "dir" else description


def volatile(relative: str) -> bool:
    """Whether a path (relative to /) is one a run writes that is not configuration."""
    return any(relative == v.rstrip("/") or relative.startswith(v) for v in VOLATILE) or (
        "__pycache__" in relative
    )


def _lower(lowers: Iterable[Path], relative: str) -> Description:
    for lower in lowers:
        path = lower / relative
        if path.exists() or path.is_symlink():
            return describe(path)
    return ("absent",)


_COUNTER = re.compile(r"\s*counter packets \d+ bytes \d+|\[\d+:\d+\]")


def firewall_state(lab: Lab, host: str) -> str:
    """The host namespace's live netfilter: nftables (iptables-nft and firewalld included)
    and legacy iptables, read from this machine inside the namespace (no host tool needed)."""
    parts = []
    for argv in (["nft", "list", "ruleset"], ["iptables-legacy-save"], ["ip6tables-legacy-save"]):
        done = subprocess.run(
            ["ip", "netns", "exec", _namespace(lab, host), *argv],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0 or argv[0] != "nft", done.stderr
        lines = [line for line in done.stdout.splitlines() if not line.startswith("#")]
        parts.append(_COUNTER.sub("", "\n".join(lines)))
    return "\n".join(parts)


def _namespace(lab: Lab, host: str) -> str:
    return lab.config.host_ns(lab.config.host(host.removesuffix(".lab")))


def unit_states(lab: Lab, host: str) -> str:
    """systemd's units (services, sockets) with their load/active/sub and enablement."""
    done = lab.ssh(
        host.removesuffix(".lab"),
        "sh",
        "-c",
        "systemctl list-units --all --type=service,socket --no-legend --plain --no-pager;"
        " systemctl list-unit-files --type=service,socket --no-legend --no-pager",
    )
    assert done.returncode == 0, done.stderr
    lines = [
        " ".join(line.split())
        for line in done.stdout.splitlines()
        if line.split()
        and line.split()[0].endswith((".service", ".socket"))
        and not line.split()[0].startswith(ON_DEMAND)
    ]
    return "\n".join(sorted(_socket_activation_settled(lines)))


def _socket_activation_settled(lines: list[str]) -> list[str]:
    """``lines`` with what a client's connection does to a socket-activated service undone.

    A connection to a listening socket unit starts its service (the socket then reads
    ``running``). That is the socket doing its job, not a change: the apply's own probes
    of a weakness before its change connect as a scanner would. So a socket reads
    ``listening`` either way, and its same-named service's runtime line is left out (its
    enablement, from list-unit-files, is still compared): a socket or a service disabled,
    masked, stopped or left behind still shows.
    """
    sockets = {
        line.split()[0].removesuffix(".socket")
        for line in lines
        if line.split()[0].endswith(".socket")
        and line.split()[2:4] in (["active", "listening"], ["active", "running"])
    }
    settled = []
    for line in lines:
        fields = line.split()
        unit, runtime = (
            fields[0],
            len(fields) > 3 and fields[1] in ("loaded", "not-found", "masked"),
        )
        if runtime and unit.endswith(".service") and unit.removesuffix(".service") in sockets:
            continue
        spawned = runtime and unit.endswith(".socket") and fields[2:4] == ["active", "running"]
        settled.append(
            line.replace(" active running ", " active listening ", 1) if spawned else line
        )
    return settled


def passive_opens(lab: Lab, host: str) -> int:
    """TCP connections the host's namespace has accepted (Tcp PassiveOpens)."""
    done = subprocess.run(
        ["ip", "netns", "exec", _namespace(lab, host), "cat", "/proc/net/snmp"],
        capture_output=True,
        text=True,
        check=True,
    )
    tcp = [line.split() for line in done.stdout.splitlines() if line.startswith("Tcp:")]
    header, values = tcp[0], tcp[1]
    return int(values[header.index("PassiveOpens")])


def accepted_logins(lab: Lab, host: str) -> int:
    """``Accepted publickey`` lines in the host's sshd log (this read's own login included).

    sshd logs to the journal, or to /var/log/auth.log where a syslog daemon owns /dev/log
    (legacy's inetutils-syslogd); the larger count is the log that has them.
    """
    script = (
        "journalctl --no-pager -o cat SYSLOG_IDENTIFIER=sshd; echo @@split@@;"
        " cat /var/log/auth.log 2>/dev/null; true"
    )
    done = lab.ssh(host.removesuffix(".lab"), "sh", "-c", script)
    assert done.returncode == 0, done.stderr
    return max(part.count("Accepted publickey") for part in done.stdout.split("@@split@@"))


def snapshot_of(lab: Lab, host: str) -> dict[str, object]:
    """Everything a restore must put back: files (upper layer), ruleset, units and sockets."""
    return {
        "layer": layer_state(lab, host),
        "firewall": firewall_state(lab, host),
        "units": unit_states(lab, host),
    }


def restore_problems(lab: Lab, host: str, before: Mapping[str, object]) -> dict[str, object]:
    """How the host differs from ``before`` (empty when it is exactly what it was)."""
    after = snapshot_of(lab, host)
    problems: dict[str, object] = {}
    files = layer_differences(lab, host, before["layer"], after["layer"])  # type: ignore[arg-type]
    if files:
        problems["files"] = files
    if after["firewall"] != before["firewall"]:
        problems["firewall"] = _changed_lines(str(before["firewall"]), str(after["firewall"]))
    if after["units"] != before["units"]:
        problems["units"] = _changed_lines(str(before["units"]), str(after["units"]))
    return problems


def assert_restored(
    lab: Lab, hosts: Iterable[str], before: Mapping[str, Mapping[str, object]]
) -> None:
    """Every host is what it was: touched files byte-identical, same ruleset, units, sockets."""
    problems = {host: restore_problems(lab, host, before[host]) for host in hosts}
    failing = {h: p for h, p in problems.items() if p}
    assert not failing, json.dumps(failing, indent=1, default=str)[:12000]


def _changed_lines(old: str, new: str) -> dict[str, list[str]]:
    before, after = set(old.splitlines()), set(new.splitlines())
    return {"gone": sorted(before - after), "new": sorted(after - before)}
