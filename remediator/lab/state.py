"""The running lab's record: its config, the rootfs it boots from, each host's process.

``up`` writes ``<state_dir>/state.json`` (temp file + rename), ``down`` removes it, and
every other command reads it, so ``inventory``, ``ssh`` and ``scan`` always describe the
lab that is actually running, with the subnet it was started with.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from remediator.common.files import replace_text
from remediator.errors import ExecutionError
from remediator.lab.config import DEFAULT_STATE_DIR, LabConfig

STATE_FILE: Final = "state.json"
SCHEMA: Final = "remediator-lab-state/1"
LAB_POINTERS: Final = DEFAULT_STATE_DIR.parent / "labs"
"""Where a lab whose ``--state-dir`` is elsewhere leaves a pointer to it (a symlink named for
its prefix): dry-run, apply and rescans find a lab by its state, so ``lab up --state-dir
/anywhere`` (``demo --state-dir``) must be findable as well as the default and its siblings."""


@dataclass(frozen=True)
class HostProcess:
    """A booted host: the systemd-nspawn process and the container's PID namespace."""

    pid: int
    pid_namespace: str
    """``pid:[inode]`` of the container, to find every process of it when stopping."""


@dataclass(frozen=True)
class LabState:
    config: LabConfig
    lowerdirs: dict[str, str]
    """Overlay ``lowerdir=`` per host (its role layer above the base)."""
    processes: dict[str, HostProcess] = field(default_factory=dict)

    def with_process(self, name: str, process: HostProcess | None) -> LabState:
        processes = dict(self.processes)
        if process is None:
            processes.pop(name, None)
        else:
            processes[name] = process
        return LabState(self.config, self.lowerdirs, processes)


def state_path(state_dir: Path) -> Path:
    return state_dir / STATE_FILE


def save(state: LabState) -> None:
    config = state.config
    data = {
        "schema": SCHEMA,
        "prefix": config.prefix,
        "subnet4": str(config.subnet4),
        "subnet6": str(config.subnet6),
        "hosts": list(config.host_names),
        "state_dir": str(config.state_dir),
        "cache_dir": str(config.cache_dir),
        "lowerdirs": state.lowerdirs,
        "processes": {
            name: {"pid": p.pid, "pid_namespace": p.pid_namespace}
            for name, p in state.processes.items()
        },
    }
    path = state_path(config.state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_text(path, json.dumps(data, indent=2) + "\n")
    _point_to(config)


def _point_to(config: LabConfig) -> None:
    """Leave a pointer to a state dir that :func:`running_labs` would not find by itself."""
    target = config.state_dir.resolve()
    if target.parent == DEFAULT_STATE_DIR.parent.resolve():
        return
    link = LAB_POINTERS / config.prefix
    if link.is_symlink() and link.resolve() == target:
        return
    LAB_POINTERS.mkdir(parents=True, exist_ok=True)
    staged = LAB_POINTERS / f".{config.prefix}.new"
    staged.unlink(missing_ok=True)
    staged.symlink_to(target)
    staged.replace(link)


def load(state_dir: Path = DEFAULT_STATE_DIR) -> LabState | None:
    """The saved state, or None when no lab is up under ``state_dir``."""
    path = state_path(state_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        _check_schema(data)
        config = LabConfig(
            prefix=data["prefix"],
            subnet4=ipaddress.IPv4Network(data["subnet4"]),
            subnet6=ipaddress.IPv6Network(data["subnet6"]),
            host_names=tuple(data["hosts"]),
            state_dir=Path(data["state_dir"]),
            cache_dir=Path(data["cache_dir"]),
        )
        processes = {
            name: HostProcess(int(p["pid"]), str(p["pid_namespace"]))
            for name, p in data["processes"].items()
        }
        return LabState(config, dict(data["lowerdirs"]), processes)
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise ExecutionError(
            f"{path}: unreadable lab state ({exc}); run 'remediator lab down'"
        ) from exc


def require(state_dir: Path = DEFAULT_STATE_DIR) -> LabState:
    """The saved state, or a one-line error telling the user to bring the lab up."""
    state = load(state_dir)
    if state is None:
        raise ExecutionError("the lab is not up; run 'remediator lab up' first")
    return state


def current_config(state_dir: Path = DEFAULT_STATE_DIR) -> LabConfig:
    """The running lab's config, or the default one when no lab is up."""
    state = load(state_dir)
    return state.config if state is not None else LabConfig(state_dir=state_dir)


def forget(state_dir: Path) -> None:
    """The lab under ``state_dir`` is down: its state and any pointer to it go."""
    state_path(state_dir).unlink(missing_ok=True)
    if LAB_POINTERS.is_dir():
        for link in LAB_POINTERS.iterdir():
            if link.is_symlink() and link.resolve() == state_dir.resolve():
                link.unlink()


def _check_schema(data: dict[str, object]) -> None:
    if data.get("schema") != SCHEMA:
        raise ValueError(f"schema {data.get('schema')!r}, expected {SCHEMA}")


def running_labs(default: Path = DEFAULT_STATE_DIR) -> Iterator[LabState]:
    """Every lab up on this machine: the one under ``default`` first, then those with a
    state directory of their own beside it (``remediator lab --state-dir``, one per test
    slot), then those a pointer in :data:`LAB_POINTERS` names (a state dir anywhere else).
    Whatever must reach a lab host from the right controller namespace — dry-run, apply,
    a rescan — finds its lab here, never by assuming the default one; unreadable state
    files (a foreign or half-written one) are passed over, not fatal."""
    siblings = sorted(p.parent for p in default.parent.glob(f"*/{STATE_FILE}"))
    pointed = sorted(LAB_POINTERS.glob("*")) if LAB_POINTERS.is_dir() else []
    for folder in dict.fromkeys(p.resolve() for p in [default, *siblings, *pointed]):
        try:
            lab = load(folder)
        except (OSError, ExecutionError):
            continue
        if lab is not None:
            yield lab
