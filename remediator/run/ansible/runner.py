"""One ansible-runner invocation: a typed config checked first, events out, no secrets kept.

:class:`RunConfig` says everything about a run and :meth:`RunConfig.check` refuses a bad
one before anything starts (ansible-runner would otherwise treat a missing inventory
path as inventory *text*). :func:`run` starts ansible-runner in a thread so that the
main thread stays free for the live progress and for Ctrl-C: an interrupt cancels the
run (ansible-runner kills the playbook's process group) and the result says so; the
caller decides how to leave the hosts.

The private data dir is the audit record. ansible-runner writes the whole process
environment into ``artifacts/<ident>/command``; that file is rewritten without it as
soon as the run ends, env files are never written (``suppress_env_files``) and extra
vars go on the command line. Lab hosts are reached from the lab's controller network
namespace: a small wrapper in the private data dir (``bin/ansible-playbook``) enters it,
so nothing lab-specific reaches the generated project.
"""

from __future__ import annotations

import queue
import re
import shlex
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from remediator.common.files import replace_file
from remediator.errors import ExecutionError
from remediator.run.ansible.events import Event
from remediator.run.ansible.hygiene import (
    CONTROL_DIR_ENV,
    scrub_command,
    scrub_event,
    settle_connections,
)
from remediator.run.ansible.node import ExecutionNode
from remediator.run.ansible.stream import StreamJob, run_on_node, stage_run

IDENT: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
ENV: Final = {
    "ANSIBLE_NOCOLOR": "1",
    "ANSIBLE_FORCE_COLOR": "0",
    "ANSIBLE_RETRY_FILES_ENABLED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}
"""Environment for every run; nothing secret, nothing that changes what the project does."""
ADHOC_ENV: Final = {"ANSIBLE_LOAD_CALLBACK_PLUGINS": "1", "AD_HOC_COMMAND_ID": "1"}
"""An ad-hoc ``ansible`` run reports job events only with these (ansible-runner sets them
itself unless, as here, the executable is given)."""
POLL_SECONDS: Final = 0.2
NETNS_DIR: Final = Path("/run/netns")

OnEvent = Callable[[Event], None]


@dataclass(frozen=True)
class RunConfig:
    """Everything one ansible-runner run needs; :meth:`check` before use."""

    private_dir: Path
    ident: str
    project: Path
    inventory: Path
    playbook: str | None = None
    module: str | None = None
    module_args: str | None = None
    pattern: str = "all"
    limit: str | None = None
    check_mode: bool = False
    diff: bool = False
    extravars: Mapping[str, Any] = field(default_factory=dict)
    namespace: str | None = None
    forks: int | None = None
    node: ExecutionNode | None = None
    """Where Ansible runs: an execution node, through ansible-runner's stream (None: here)."""

    def check(self) -> None:
        """Refuse a config that cannot run, naming what is wrong (ExecutionError)."""
        problems = []
        if (self.playbook is None) == (self.module is None):
            problems.append("give exactly one of a playbook and a module")
        if not IDENT.fullmatch(self.ident):
            problems.append(f"run ident {self.ident!r} is not a safe name")
        if not self.project.is_dir():
            problems.append(f"project directory {self.project} does not exist")
        elif self.playbook is not None and not (self.project / self.playbook).is_file():
            problems.append(f"playbook {self.project / self.playbook} does not exist")
        if not self.inventory.exists():
            problems.append(f"inventory {self.inventory} does not exist")
        if self.namespace is not None and not (NETNS_DIR / self.namespace).exists():
            problems.append(f"network namespace {self.namespace} does not exist")
        if problems:
            raise ExecutionError("cannot run ansible: " + "; ".join(problems))

    @property
    def executable(self) -> str:
        return "ansible-playbook" if self.playbook is not None else "ansible"

    def arguments(self) -> list[str]:
        """Arguments after the executable that ansible-runner does not add itself."""
        args = (["--check"] if self.check_mode else []) + (["--diff"] if self.diff else [])
        if self.playbook is not None:
            return [*args, self.playbook]
        return [
            *args,
            "-m",
            str(self.module),
            *(["-a", self.module_args] if self.module_args else []),
            self.pattern,
        ]


@dataclass(frozen=True)
class RunResult:
    """How a run ended and every job event it produced, in order."""

    status: str
    rc: int
    events: tuple[Event, ...]
    seconds: float
    interrupted: bool
    artifacts: Path


def run(
    config: RunConfig, on_event: OnEvent | None = None, cancel: threading.Event | None = None
) -> RunResult:
    """Run ``config``; Ctrl-C (or ``cancel``) stops it and returns ``interrupted=True``."""
    config.check()
    if config.node is not None:
        return _run_on_node(config, config.node, on_event, cancel)
    import ansible_runner  # noqa: PLC0415 - slow import, only when something runs

    config.private_dir.mkdir(parents=True, exist_ok=True)
    stop = cancel or threading.Event()
    events: queue.Queue[Event] = queue.Queue()
    control = Path(tempfile.mkdtemp(prefix="rmcp-", dir="/tmp"))  # ssh's socket path is short

    def keep(event: dict[str, Any]) -> bool:
        scrub_event(event)
        events.put(event)
        return True

    started = time.monotonic()
    collected: list[Event] = []
    try:
        try:
            thread, runner = ansible_runner.run_async(**_kwargs(config, control, keep, stop.is_set))
        except Exception as exc:  # ansible-runner's config errors share no base class
            raise ExecutionError(f"ansible-runner could not start: {exc}") from exc
        interrupted = _wait(thread, events, collected, on_event, stop)
        settle_connections(control)
    finally:
        shutil.rmtree(control, ignore_errors=True)
    artifacts = config.private_dir / "artifacts" / config.ident
    scrub_command(artifacts)
    shutil.rmtree(artifacts / "fact_cache", ignore_errors=True)
    return RunResult(
        status=str(runner.status),
        rc=int(runner.rc if runner.rc is not None else 254),
        events=tuple(collected),
        seconds=time.monotonic() - started,
        interrupted=interrupted or stop.is_set(),
        artifacts=artifacts,
    )


def _run_on_node(
    config: RunConfig,
    node: ExecutionNode,
    on_event: OnEvent | None,
    cancel: threading.Event | None,
) -> RunResult:
    """``config`` run on ``node`` through ansible-runner's stream (see :mod:`.stream`)."""
    started = time.monotonic()
    stage_run(config.project, config.inventory, config.private_dir / "stream" / config.ident)
    job = StreamJob(
        _run_name(config.private_dir), config.private_dir, config.ident, _stream_options(config)
    )
    status, rc, events, interrupted = run_on_node(node, job, on_event, cancel)
    return RunResult(
        status=status,
        rc=rc,
        events=events,
        seconds=time.monotonic() - started,
        interrupted=interrupted,
        artifacts=config.private_dir / "artifacts" / config.ident,
    )


def _stream_options(config: RunConfig) -> dict[str, Any]:
    """The run as ansible-runner's transmit takes it (paths inside the packed dir)."""
    flags = (["--check"] if config.check_mode else []) + (["--diff"] if config.diff else [])
    what: dict[str, Any] = (
        {"playbook": config.playbook}
        if config.playbook is not None
        else {
            "module": config.module,
            "module_args": config.module_args,
            "host_pattern": config.pattern,
        }
    )
    return {
        **what,
        "ident": config.ident,
        "cmdline": shlex.join(flags) or None,
        "limit": config.limit,
        "extravars": dict(config.extravars) or None,
        "forks": config.forks,
        "envvars": dict(ENV),
        "suppress_env_files": True,
        "quiet": True,
        "settings": {"suppress_ansible_output": True},
    }


def _run_name(private_dir: Path) -> str:
    """The run's name on the node: its record's id (the private dir's parent), made safe."""
    name = re.sub(r"[^A-Za-z0-9_-]", "-", private_dir.resolve().parent.name)[:60]
    return name or "run"


def _kwargs(
    config: RunConfig,
    control: Path,
    keep: Callable[[dict[str, Any]], bool],
    cancelled: Callable[[], bool],
) -> dict[str, Any]:
    return {
        "private_data_dir": str(config.private_dir),
        "ident": config.ident,
        "project_dir": str(config.project),
        "inventory": str(config.inventory.resolve()),
        "binary": str(executable(config)),
        "cmdline": shlex.join(config.arguments()),
        "limit": config.limit,
        "extravars": dict(config.extravars) or None,
        "forks": config.forks,
        "envvars": {
            **ENV,
            **(ADHOC_ENV if config.module else {}),
            CONTROL_DIR_ENV: str(control),
        },
        "suppress_env_files": True,
        "quiet": True,
        "settings": {"pexpect_timeout": 1, "suppress_ansible_output": True},
        "event_handler": keep,
        "cancel_callback": cancelled,
    }


def _wait(
    thread: threading.Thread,
    events: queue.Queue[Event],
    collected: list[Event],
    on_event: OnEvent | None,
    stop: threading.Event,
) -> bool:
    """Feed events to ``on_event`` in this thread until the run ends; True if interrupted."""
    interrupted = False
    while True:
        try:
            thread.join(POLL_SECONDS)
            _drain(events, collected, on_event)
            if not thread.is_alive():
                break
        except KeyboardInterrupt:
            interrupted = True
            stop.set()
    _drain(events, collected, None if interrupted else on_event)
    return interrupted


def _drain(events: queue.Queue[Event], collected: list[Event], on_event: OnEvent | None) -> None:
    while True:
        try:
            event = events.get_nowait()
        except queue.Empty:
            return
        collected.append(event)
        if on_event is not None:
            on_event(event)


def executable(config: RunConfig) -> Path:
    """The ansible executable, or a wrapper that runs it in the config's network namespace."""
    name = config.executable
    beside = Path(sys.executable).parent / name
    found = beside if beside.is_file() else (Path(p) if (p := shutil.which(name)) else None)
    if found is None:
        raise ExecutionError(f"{name} not found (install ansible-core)")
    if config.namespace is None:
        return found
    wrapper = config.private_dir / "bin" / name
    wrapper.parent.mkdir(parents=True, exist_ok=True)
    argv = ["ip", "netns", "exec", config.namespace, str(found)]
    text = (
        "#!/bin/sh\n"
        "# remediator: run Ansible inside the network namespace that reaches the hosts\n"
        f'exec {shlex.join(argv)} "$@"\n'
    )
    replace_file(wrapper, text, mode=0o700)
    return wrapper
