"""One ansible-runner run on an execution node: transmit, ``ssh NODE worker``, process.

The controller packs what the run needs into a private data dir of its own (the project
under ``project/``, the inventory under ``inventory/``) and ``transmit`` turns it into a
stream; ``ansible-runner worker`` on the node (over SSH) unpacks it in a directory of
its own, runs it and streams back the events; ``process`` writes them into this run's
artifacts exactly where a local run writes them, and hands each to the same callback.
A run on a node therefore leaves the same record as a local one.

What a real stream meets:

* the node's tools are checked before every run (:func:`~.node.check_tools`);
* the worker sends keepalives and SSH probes the link, so a dead link ends the stream
  within a minute;
* the worker deletes its directory when it ends; when it is stopped, the stop removes it;
* an interrupt (Ctrl-C, or a cancel) stops the remote worker and every process it
  started before the local ssh is ended, and a stream cut before its end (the link
  lost) is treated the same way: the remote play must not go on unattended. Either way
  the result says ``interrupted``, and the caller settles the batch as after a local
  Ctrl-C (through the node, or by the hosts' own revert timers if it is gone).
"""

from __future__ import annotations

import contextlib
import functools
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final

from remediator.errors import ExecutionError
from remediator.run.ansible.events import Event
from remediator.run.ansible.hygiene import scrub_command, scrub_event
from remediator.run.ansible.node import (
    ExecutionNode,
    check_tools,
    remote_stop,
    remote_worker,
    worker_directory,
)

OnEvent = Callable[[Event], None]
POLL_SECONDS: Final = 0.2
STOP_TIMEOUT: Final = 60.0
CUT: Final = ("Unexpected empty line", "Failed to read from worker stream")
"""How ``process`` says the stream ended before the worker's last word."""
STDERR_TAIL: Final = 600


@dataclass(frozen=True)
class StreamJob:
    """One run to stream: its record's name, private data dir, ident, transmit options."""

    run_name: str
    private_dir: Path
    ident: str
    options: dict[str, Any]


@dataclass
class NodeRun:
    """A streamed run in progress: the ssh to the node, the events back, how it ended."""

    node: ExecutionNode
    directory: str
    on_event: OnEvent | None = None
    status: dict[str, Any] = field(default_factory=dict)
    events: queue.Queue[Event] = field(default_factory=queue.Queue)
    collected: list[Event] = field(default_factory=list)
    ssh: subprocess.Popen[bytes] | None = None

    def keep(self, event: dict[str, Any]) -> bool:
        """``process``'s event callback (its worker thread): scrub, queue, write it."""
        scrub_event(event)
        self.events.put(event)
        return True

    def remember(self, data: dict[str, Any], runner_config: object = None) -> None:
        """``process``'s status callback: keep the last status the stream gave."""
        del runner_config
        self.status = dict(data)

    @property
    def cut(self) -> bool:
        """Whether the stream ended before the worker said it was done."""
        explanation = str(self.status.get("job_explanation") or "")
        return self.status.get("status") == "error" and explanation.startswith(CUT)

    def start(self, sending: BinaryIO, job: StreamJob) -> threading.Thread:
        """Start ssh to the node's worker and ``process`` reading its answer."""
        import ansible_runner  # noqa: PLC0415 - slow import, only when something runs

        ssh = subprocess.Popen(
            self.node.ssh(remote_worker(self.directory)),
            stdin=sending,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.ssh = ssh
        process = functools.partial(
            ansible_runner.run,
            streamer="process",
            _input=ssh.stdout,
            private_data_dir=str(job.private_dir),
            ident=job.ident,
            event_handler=self.keep,
            status_handler=self.remember,
            quiet=True,
        )
        thread = threading.Thread(target=process, name=f"process-{job.ident}", daemon=True)
        thread.start()
        return thread

    def follow(self, thread: threading.Thread, stop: threading.Event) -> bool:
        """Feed events until the stream ends; on an interrupt, stop the node first.
        True when it was interrupted."""
        interrupted = False
        while thread.is_alive():
            try:
                thread.join(POLL_SECONDS)
                self.drain(show=not interrupted)
                if stop.is_set() and not interrupted:
                    interrupted = True
                    self.stop_remote()
            except KeyboardInterrupt:
                if not interrupted:
                    interrupted = True
                    stop.set()
                    self.stop_remote()
        self.drain(show=not interrupted)
        return interrupted

    def drain(self, *, show: bool) -> None:
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            self.collected.append(event)
            if show and self.on_event is not None:
                self.on_event(event)

    def stop_remote(self) -> None:
        """Stop the worker and its play on the node, then end the local ssh."""
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):  # node gone: timers act
            subprocess.run(
                self.node.ssh(remote_stop(self.directory)),
                capture_output=True,
                timeout=STOP_TIMEOUT,
                check=False,
            )
        if self.ssh is not None and self.ssh.poll() is None:
            self.ssh.terminate()


def transmit(stage: Path, stream: Path, options: dict[str, Any]) -> None:
    """Pack ``stage`` (a private data dir) and the run's options into ``stream``."""
    import ansible_runner  # noqa: PLC0415 - slow import, only when something runs

    with stream.open("w+b") as out:
        try:
            ansible_runner.run(streamer="transmit", private_data_dir=str(stage), _output=out,
                               **options)  # fmt: skip
        except Exception as exc:  # ansible-runner's config errors share no base class
            raise ExecutionError(f"ansible-runner could not pack the run: {exc}") from exc


def stage_run(project: Path, inventory: Path, stage: Path) -> None:
    """The private data dir transmit packs: the project and the inventory, copied."""
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    skip = shutil.ignore_patterns(".git", "__pycache__", ".pytest_cache")
    shutil.copytree(project, stage / "project", ignore=skip, symlinks=True)
    if inventory.is_dir():
        shutil.copytree(inventory, stage / "inventory", ignore=skip)
    else:
        (stage / "inventory").mkdir()
        shutil.copyfile(inventory, stage / "inventory" / inventory.name)


def run_on_node(
    node: ExecutionNode,
    job: StreamJob,
    on_event: OnEvent | None = None,
    cancel: threading.Event | None = None,
) -> tuple[str, int, tuple[Event, ...], bool]:
    """Stream the staged run ``job.private_dir/stream/<ident>`` to ``node``.

    Returns (status, rc, events, interrupted); the artifacts land in
    ``private_dir/artifacts/<ident>`` as a local run's do.
    """
    check_tools(node)
    stage = job.private_dir / "stream" / job.ident
    packed = job.private_dir / "stream" / f"{job.ident}.stream"
    transmit(stage, packed, job.options)
    streaming = NodeRun(node, worker_directory(job.run_name, job.ident), on_event)
    with packed.open("rb") as sending:
        thread = streaming.start(sending, job)
        interrupted = streaming.follow(thread, cancel or threading.Event())
        ssh = streaming.ssh
        _, stderr = ssh.communicate() if ssh is not None else (b"", b"")
    shutil.rmtree(stage, ignore_errors=True)
    packed.unlink(missing_ok=True)
    if streaming.cut and not interrupted:
        streaming.stop_remote()  # the link was lost: make sure the play is not still going
        interrupted = True
    artifacts = job.private_dir / "artifacts" / job.ident
    scrub_command(artifacts)  # the worker's artifacts hold the node's environment
    shutil.rmtree(artifacts / "fact_cache", ignore_errors=True)
    code = ssh.returncode if ssh is not None else None
    if not streaming.collected and not interrupted and code != 0:
        said = stderr.decode("utf-8", "replace").strip()[-STDERR_TAIL:]
        raise ExecutionError(
            f"execution node {node.destination}: the worker did not run (ssh exit {code}): {said!r}"
        )
    status = str(streaming.status.get("status") or "unknown")
    return status, _rc(artifacts), tuple(streaming.collected), interrupted


def _rc(artifacts: Path) -> int:
    try:
        return int((artifacts / "rc").read_text("utf-8").strip())
    except (OSError, ValueError):
        return 254
