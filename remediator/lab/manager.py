"""``up``, ``down``, ``reset``, ``status``: the lab's life cycle, under one lock.

``up`` refuses a subnet that overlaps the machine's routes, builds or reuses the cached
rootfs, creates the namespaces, mounts and boots every host, then waits until each
host's systemd reports the system running (reached over ssh from the controller, which
also proves the key and the routing). ``down`` undoes all of it and also finds what a
crashed run left (namespaces and nspawn processes named after the lab's prefix).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from remediator.errors import ExecutionError, RefusedError
from remediator.lab import host as hosts
from remediator.lab import limits, network, repo, state
from remediator.lab.config import Host, LabConfig
from remediator.lab.lock import held
from remediator.lab.proc import Say, capture, require_root_and_tools
from remediator.lab.rootfs import Rootfs, ensure_rootfs, planned
from remediator.lab.ssh import ensure_key, ssh_command

READY_TIMEOUT: Final = 120.0
LOCK_FILE: Final = "lab.lock"


@dataclass(frozen=True)
class UpReport:
    """What ``up`` did and how long it took (the figures CI prints)."""

    already_up: bool
    rootfs_seconds: float
    """Building the rootfs cache; 0.0 when it was cached."""
    boot_seconds: float
    """Namespaces, overlays, boot, until every host's systemd is running."""


@dataclass(frozen=True)
class HostStatus:
    host: Host
    state: str
    """running / degraded / starting / unreachable (systemd's view) or stopped."""


def up(config: LabConfig, say: Say) -> UpReport:
    """Bring the lab up; a lab that is already up is left as it is."""
    require_root_and_tools()
    with held(config.state_dir / LOCK_FILE):
        roles = list({h.role.name: h.role for h in config.hosts}.values())
        saved = state.load(config.state_dir)
        if saved is not None and _up_to_date(saved, config, planned(config.cache_dir, roles)):
            say("the lab is already up")
            return UpReport(already_up=True, rootfs_seconds=0.0, boot_seconds=0.0)
        if saved is None:
            _refuse_foreign(config)
        _teardown(config.state_dir, config.prefix, say)
        network.check_subnets(config)
        _make_room(say)
        rootfs = ensure_rootfs(config.cache_dir, roles, say)
        public_key = ensure_key(config.state_dir).with_suffix(".pub").read_text(encoding="utf-8")
        started = time.monotonic()
        lab = state.LabState(config, {h.name: rootfs.lowerdirs(h.role.name) for h in config.hosts})
        try:
            state.save(lab)
            network.create(config)
            say(f"booting {', '.join(config.host_names)} ...")
            lab = _start(lab, config.hosts, public_key)
            wait_ready(config, config.hosts)
        except BaseException:
            _teardown(config.state_dir, config.prefix, say)
            raise
        return UpReport(False, rootfs.build_seconds, time.monotonic() - started)


def down(state_dir: Path, prefix: str, say: Say) -> None:
    """Stop every host, unmount, delete namespaces and the state: nothing is left."""
    require_root_and_tools()
    with held(state_dir / LOCK_FILE):
        _teardown(state_dir, prefix, say)


def reset(state_dir: Path, names: tuple[str, ...], say: Say) -> float:
    """Restore hosts (all when ``names`` is empty) to their pristine image; seconds taken."""
    require_root_and_tools()
    with held(state_dir / LOCK_FILE):
        lab = state.require(state_dir)
        config = lab.config
        chosen = [config.host(n.removesuffix(".lab")) for n in names] or list(config.hosts)
        started = time.monotonic()
        public_key = ensure_key(state_dir).with_suffix(".pub").read_text(encoding="utf-8")
        say(f"resetting {', '.join(h.name for h in chosen)} ...")
        _make_room(say)
        hosts.stop([lab.processes[h.name] for h in chosen if h.name in lab.processes])
        for host in chosen:
            hosts.unmount(config, host)
            network.renew_host(config, host)
            lab = lab.with_process(host.name, None)
        lab = _start(lab, chosen, public_key)
        wait_ready(config, chosen)
        return time.monotonic() - started


def reboot(state_dir: Path, names: tuple[str, ...], say: Say) -> float:
    """Reboot hosts (all when ``names`` is empty), keeping their changes; seconds taken.

    Like a real reboot: a clean shutdown, then a boot of the same overlay in a fresh
    network namespace, since netfilter rules do not survive a real reboot either.
    What a remediation persisted to disk (nftables.conf, rules.v4, ...) is what comes
    back. This is how a test proves a change survives a reboot.
    """
    require_root_and_tools()
    with held(state_dir / LOCK_FILE):
        lab = state.require(state_dir)
        config = lab.config
        chosen = [config.host(n.removesuffix(".lab")) for n in names] or list(config.hosts)
        started = time.monotonic()
        say(f"rebooting {', '.join(h.name for h in chosen)} ...")
        _make_room(say)
        hosts.stop(
            [lab.processes[h.name] for h in chosen if h.name in lab.processes],
            grace=hosts.SHUTDOWN_TIMEOUT,
        )
        for host in chosen:
            network.renew_host(config, host)
            lab = lab.with_process(host.name, hosts.boot(config, host))
        state.save(lab)
        wait_ready(config, chosen)
        return time.monotonic() - started


def status(state_dir: Path) -> list[HostStatus]:
    """Each host of the running lab and what its systemd says."""
    lab = state.require(state_dir)
    result = []
    for host in lab.config.hosts:
        process = lab.processes.get(host.name)
        if process is None or not hosts.is_running(process):
            result.append(HostStatus(host, "stopped"))
            continue
        code, output = capture(
            ssh_command(lab.config, host, ["systemctl", "is-system-running"]), timeout=15
        )
        words = output.split()
        result.append(HostStatus(host, words[-1] if words and code != 255 else "unreachable"))
    return result


def memory_kib(state_dir: Path) -> int:
    """Proportional memory (PSS, KiB) of every process of the running lab's hosts."""
    lab = state.require(state_dir)
    total = 0
    for process in lab.processes.values():
        for pid in [process.pid, *hosts.pids_in_namespace(process.pid_namespace)]:
            total += _pss_kib(pid)
    return total


def wait_ready(config: LabConfig, chosen: Sequence[Host]) -> None:
    """Wait until every host's systemd has finished booting; a failed unit is an error.

    A unit that failed at boot is started once more before that: on a loaded machine a
    boot-time oneshot (systemd-user-sessions, systemd-update-utmp) can time out and
    leave a host that works "degraded". One that fails again is a real failure.
    """
    deadline = time.monotonic() + READY_TIMEOUT
    for host in chosen:
        retried = False
        while True:
            verdict, code, output = _system_state(config, host, deadline)
            if verdict == "running":
                break
            if verdict == "degraded":
                failed = _failed_units(config, host)
                if retried or not failed:
                    listing = "\n".join(failed) or "(none listed)"
                    raise ExecutionError(
                        f"lab host {host.name} booted with failed units:\n{listing}"
                    )
                _start_again(config, host, failed)
                retried = True
                continue
            if time.monotonic() > deadline:
                console = hosts.host_dir(config, host) / "console.log"
                tail = console.read_text(encoding="utf-8", errors="replace")[-1500:]
                raise ExecutionError(
                    f"lab host {host.name} not ready after {READY_TIMEOUT:.0f} s "
                    f"(ssh said: {output.strip()[-300:]!r}); console:\n{tail}"
                )
            time.sleep(0.3 if code == 255 else 0.1)


def _system_state(config: LabConfig, host: Host, deadline: float) -> tuple[str, int, str]:
    """systemd's overall state on ``host`` once booting is over (or ssh's failure)."""
    probe = ssh_command(config, host, ["systemctl", "is-system-running", "--wait"])
    code, output = capture(probe, timeout=max(1.0, deadline - time.monotonic()))
    words = output.split()
    return (words[-1] if words else ""), code, output


def _start_again(config: LabConfig, host: Host, failed: list[str]) -> None:
    """Start each failed unit once more, one at a time, in the order they failed at boot.

    ``systemctl start`` and not ``restart``: a failed unit is not running, and boot-time
    units such as systemd-tmpfiles-setup refuse a manual stop, so ``restart`` was refused
    for them. One at a time: units started in one call start side by side, since ordering
    holds only between units that both have a job, and a daemon ordered after
    sysinit.target (MariaDB, needing the /run/mysqld that tmpfiles makes) would start
    before the tmpfiles unit it depends on through that target.
    """
    show = ["systemctl", "show", "--property=Id,InactiveEnterTimestampMonotonic", "--", *failed]
    _, output = capture(ssh_command(config, host, show), timeout=15)
    for unit in failure_order(output, failed):
        capture(ssh_command(config, host, ["systemctl", "start", "--", unit]), timeout=60)


def failure_order(show_output: str, failed: Sequence[str]) -> list[str]:
    """``failed`` sorted by when each unit failed, from ``systemctl show``'s Id and
    InactiveEnterTimestampMonotonic blocks; a unit without a timestamp goes last."""
    failed_at: dict[str, int] = {}
    for block in show_output.split("\n\n"):
        fields = dict(line.partition("=")[::2] for line in block.splitlines() if "=" in line)
        stamp = fields.get("InactiveEnterTimestampMonotonic", "")
        if fields.get("Id") and stamp.isdigit():
            failed_at[fields["Id"]] = int(stamp)
    last = max(failed_at.values(), default=0) + 1
    return sorted(failed, key=lambda unit: failed_at.get(unit, last))


def _failed_units(config: LabConfig, host: Host) -> list[str]:
    listing = ["systemctl", "--failed", "--plain", "--no-legend", "--full"]
    _, output = capture(ssh_command(config, host, listing), timeout=15)
    return [line.split()[0] for line in output.splitlines() if line.split()]


def _make_room(say: Say) -> None:
    """Raise the kernel limits every booting host draws on (see :mod:`remediator.lab.limits`)."""
    was = limits.ensure_inotify_room()
    if was is not None:
        say(f"raised fs.inotify.max_user_instances from {was} to {limits.WANTED_INOTIFY_INSTANCES}")


def _start(lab: state.LabState, chosen: Sequence[Host], public_key: str) -> state.LabState:
    """Mount, personalise and boot hosts, several at once (mostly waiting on tools)."""

    def start_one(host: Host) -> tuple[str, state.HostProcess]:
        hosts.mount(lab.config, host, lab.lowerdirs[host.name])
        hosts.personalise(lab.config, host, public_key)
        return host.name, hosts.boot(lab.config, host)

    # A failure here leaves booted hosts out of the state: teardown finds them by name.
    with ThreadPoolExecutor(max_workers=len(chosen) or 1) as pool:
        started = list(pool.map(start_one, chosen))
    for name, process in started:
        lab = lab.with_process(name, process)
    state.save(lab)
    return lab


def _up_to_date(lab: state.LabState, config: LabConfig, rootfs: Rootfs) -> bool:
    """The running lab is the one asked for, on the current images, every host running."""
    wanted = {h.name: rootfs.lowerdirs(h.role.name) for h in config.hosts}
    return lab.config == config and lab.lowerdirs == wanted and _all_running(lab)


def _all_running(lab: state.LabState) -> bool:
    return all(
        name in lab.processes and hosts.is_running(lab.processes[name])
        for name in lab.config.host_names
    )


def _refuse_foreign(config: LabConfig) -> None:
    """Refuse to start over a lab of the same prefix that this state dir does not know.

    It may be another state dir's running lab; ``down`` (which removes leftovers by
    name on purpose) is the explicit way to clear it.
    """
    if network.namespaces(config.prefix) or hosts.stray_processes(config.prefix):
        raise RefusedError(
            f"a lab named {config.prefix!r} is running (or left over) but not recorded in "
            f"{config.state_dir}; run 'remediator lab down' to remove it first"
        )


def _teardown(state_dir: Path, prefix: str, say: Say) -> None:
    saved = state.load(state_dir)
    owner = None if saved else _owner(prefix, state_dir)
    if owner is not None:
        say(f"the namespaces {prefix}-* belong to the lab under {owner}: left alone")
        return
    stray = hosts.stray_processes(prefix)
    if saved is None and not stray and not network.namespaces(prefix):
        return
    say("stopping the lab ...")
    repo.stop(saved.config if saved else LabConfig(prefix=prefix, state_dir=state_dir))
    processes = list(saved.processes.values()) if saved else []
    hosts.stop(processes + stray)
    config = saved.config if saved else LabConfig(prefix=prefix, state_dir=state_dir)
    for host in config.hosts:
        hosts.unmount(config, host)
    hosts.unmount_leftovers(state_dir)
    network.destroy(prefix)
    state.forget(state_dir)


def _owner(prefix: str, state_dir: Path) -> Path | None:
    """The state dir of another running lab named ``prefix``, if one is up.

    A lab that is not up has no saved prefix: its leftovers are looked for under the
    prefix it was asked for, which may well be a running lab's (the default one's).
    """
    for lab in (*state.running_labs(state_dir), *state.running_labs()):
        if lab.config.prefix == prefix and lab.config.state_dir != state_dir:
            return lab.config.state_dir
    return None


def _pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="utf-8")
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0
