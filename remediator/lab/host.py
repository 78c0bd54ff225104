"""One lab host: an overlay on the cached rootfs, booted with ``systemd-nspawn -b``.

Each host's writes land in its own upper directory under
``<state_dir>/hosts/<name>/``; wiping it restores the host to the cached image, which
is what makes ``reset`` take seconds. The nspawn process is started detached (its own
session) and its PID plus the container's PID namespace are kept in the lab state, so
``down`` finds every process of the host even if nspawn itself was killed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Final

from remediator.errors import ExecutionError
from remediator.lab.config import Host, LabConfig
from remediator.lab.network import NETNS_DIR
from remediator.lab.proc import run
from remediator.lab.state import HostProcess

STOP_GRACE: Final = 3.0
"""Seconds a container gets to shut down before it is killed, when its changes are
thrown away anyway (reset, down)."""
SHUTDOWN_TIMEOUT: Final = 60.0
"""... and when they are kept (reboot): a clean shutdown, killed only if it hangs."""
CAPABILITIES: Final = "CAP_NET_ADMIN,CAP_NET_RAW"
"""The host's root may manage its own netfilter and open raw sockets (nft, iptables)."""


def host_dir(config: LabConfig, host: Host) -> Path:
    return config.state_dir / "hosts" / host.name


def root_dir(config: LabConfig, host: Host) -> Path:
    return host_dir(config, host) / "root"


def mount(config: LabConfig, host: Host, lowerdirs: str) -> Path:
    """A fresh (empty upper) overlay of the host's rootfs at ``hosts/<name>/root``."""
    folder = host_dir(config, host)
    if folder.exists():
        shutil.rmtree(folder)
    upper, work, root = folder / "upper", folder / "work", folder / "root"
    for path in (upper, work, root):
        path.mkdir(parents=True)
    options = f"lowerdir={lowerdirs},upperdir={upper},workdir={work}"
    run(["mount", "-t", "overlay", "overlay", "-o", options, str(root)])
    return root


def unmount(config: LabConfig, host: Host) -> None:
    """Unmount the host's overlay (if mounted) and delete its upper layer."""
    folder = host_dir(config, host)
    root = folder / "root"
    if is_mounted(root):
        run(["umount", str(root)])
    if folder.exists():
        shutil.rmtree(folder)


def is_mounted(path: Path) -> bool:
    target = str(path)
    with Path("/proc/self/mounts").open(encoding="utf-8") as mounts:
        return any(line.split()[1] == target for line in mounts)


def personalise(config: LabConfig, host: Host, public_key: str) -> None:
    """Identity written into the fresh overlay before boot: name, hosts file, keys.

    Host keys are generated here (not in the cached image) so no two hosts, and no
    two boots of one host, share them.
    """
    root = root_dir(config, host)
    (root / "etc" / "hostname").write_text(f"{host.name}\n", encoding="utf-8")
    lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"]
    for other in config.hosts:
        for address in other.addresses:
            lines.append(f"{address}\t{other.name}.lab {other.name}")
    (root / "etc" / "hosts").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ssh_dir = root / "root" / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    keys = ssh_dir / "authorized_keys"
    keys.write_text(public_key, encoding="utf-8")
    keys.chmod(0o600)
    run(["ssh-keygen", "-A", "-f", str(root)])


def boot(config: LabConfig, host: Host) -> HostProcess:
    """Start ``systemd-nspawn -b`` for the host, detached; its console goes to a log."""
    root = root_dir(config, host)
    console = host_dir(config, host) / "console.log"
    argv = [
        "systemd-nspawn",
        "--boot",
        "--register=no",
        "--keep-unit",
        f"--machine={config.prefix}-{host.name}",
        f"--hostname={host.name}",
        f"--capability={CAPABILITIES}",
        f"--network-namespace-path={NETNS_DIR / config.host_ns(host)}",
        "--link-journal=no",
        "--resolv-conf=off",
        "--timezone=off",
        "--console=read-only",
        f"--directory={root}",
    ]
    with console.open("ab") as log:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # Not waited for: nspawn outlives this command. Popen would warn about a still
    # running child when collected, so mark it as handled.
    process.returncode = 0
    return HostProcess(process.pid, _container_pid_namespace(process.pid, console))


def _container_pid_namespace(pid: int, console: Path) -> str:
    """The PID namespace of the container nspawn ``pid`` starts (its first child)."""
    own = str(Path("/proc/self/ns/pid").readlink())
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        for child in _children(pid):
            try:
                namespace = str(Path(f"/proc/{child}/ns/pid").readlink())
            except OSError:
                continue
            if namespace != own:
                return namespace
        if not Path(f"/proc/{pid}").exists():
            break
        time.sleep(0.05)
    tail = console.read_text(encoding="utf-8", errors="replace")[-1500:]
    raise ExecutionError(f"systemd-nspawn did not start a container (console: {console}):\n{tail}")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="utf-8")
    except OSError:
        return []
    return [int(word) for word in text.split()]


def pids_in_namespace(pid_namespace: str) -> list[int]:
    """Every process whose PID namespace is ``pid_namespace`` (a container's)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if str((entry / "ns" / "pid").readlink()) == pid_namespace:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def is_running(process: HostProcess) -> bool:
    return bool(pids_in_namespace(process.pid_namespace))


def stop(processes: list[HostProcess], grace: float = STOP_GRACE) -> None:
    """Ask containers to shut down (SIGTERM to nspawn), then kill what is left.

    A stopped host's upper layer is thrown away, so a clean shutdown buys nothing
    beyond tidy logs: after ``grace`` seconds every process of the container is killed
    (which ends nspawn too). All are handled together, so five hosts take as long as one.
    """
    for process in processes:
        if _is_nspawn(process.pid):
            os.kill(process.pid, signal.SIGTERM)
    _wait_gone(processes, grace)
    for process in processes:
        for pid in pids_in_namespace(process.pid_namespace):
            _kill(pid)
    _wait_gone(processes, 5.0)
    for process in processes:
        if _is_nspawn(process.pid):
            _kill(process.pid)
    _wait_gone(processes, 5.0)


def _wait_gone(processes: list[HostProcess], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in processes):
        time.sleep(0.05)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _alive(process: HostProcess) -> bool:
    _reap(process.pid)
    return _is_nspawn(process.pid) or bool(pids_in_namespace(process.pid_namespace))


def _reap(pid: int) -> None:
    """Collect nspawn's exit status when this process started it (no zombie left)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _is_nspawn(pid: int) -> bool:
    """True when ``pid`` is still our systemd-nspawn (not a recycled PID)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return cmdline.startswith(b"systemd-nspawn\0")


def stray_processes(prefix: str) -> list[HostProcess]:
    """nspawn processes of the lab ``prefix`` (found by machine name), state or not."""
    marker = f"--machine={prefix}-".encode()
    found: list[HostProcess] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[0] == b"systemd-nspawn" and any(a.startswith(marker) for a in argv):
            pid = int(entry.name)
            children = _children(pid)
            namespace = _pid_namespace_of(children[0]) if children else ""
            found.append(HostProcess(pid, namespace or f"none:{pid}"))
    return found


def unmount_leftovers(state_dir: Path) -> None:
    """Unmount every mount under ``<state_dir>/hosts`` and delete that folder."""
    top = state_dir / "hosts"
    with Path("/proc/self/mounts").open(encoding="utf-8") as mounts:
        targets = [line.split()[1] for line in mounts]
    for target in sorted(targets, key=len, reverse=True):
        if Path(target).is_relative_to(top):
            run(["umount", target])
    if top.exists():
        shutil.rmtree(top)


def _pid_namespace_of(pid: int) -> str:
    try:
        return str(Path(f"/proc/{pid}/ns/pid").readlink())
    except OSError:
        return ""
