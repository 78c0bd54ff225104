"""An execution node: where Ansible runs when only that machine reaches the hosts.

``--execution-node [USER@]HOST`` names a machine (a DMZ jump host, a site's own server)
that runs ``ansible-runner worker`` for the controller, over plain SSH: the same stream
AWX and Receptor carry to their execution nodes (``transmit | worker | process``). The
node needs only ansible-runner, ansible-core and the roles' collections; the project
itself arrives in the stream, every run.

Before a run, the node's tools are checked against the controller's: the same
ansible-core major.minor (the roles are tested with one) and the same ansible-runner
major version (the stream's format). SSH runs in batch mode with keepalives, so a
dead link is noticed within a minute instead of hanging a batch.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass
from importlib.metadata import version
from typing import Final

from remediator.errors import ExecutionError, InputError

NODE: Final = re.compile(
    r"(?:(?P<user>[a-z_][a-z0-9_.-]{0,31})@)?"
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)"
)
"""``[USER@]HOST``: a host name, an IPv4 or an IPv6 address; nothing that ssh could read
as an option or a shell could expand."""
SSH_OPTIONS: Final = (
    "-o", "BatchMode=yes",
    "-o", "ConnectTimeout=15",
    "-o", "ServerAliveInterval=15",
    "-o", "ServerAliveCountMax=4",
)  # fmt: skip
"""No prompt ever (a run is unattended); a link silent for a minute is dead."""
KEEPALIVE_SECONDS: Final = 20
"""The worker sends a keepalive event when its stream has been quiet this long (a long
task must not look like a dead link to a firewall between controller and node)."""
TOOLS_TIMEOUT: Final = 60.0
TOOLS_COMMAND: Final = "ansible-runner worker --worker-info && ansible-playbook --version"
WORKERS: Final = ".remediator"
"""Where workers' directories go on a node: under the SSH user's home, mode 700 (not a
shared /tmp, where another user could plant a link)."""
SAFE_DIRECTORY: Final = re.compile(r"\.remediator/worker-[A-Za-z0-9_-]{1,120}")
"""The worker directories remediator names on a node (safe in a shell and a regex)."""
_CORE: Final = re.compile(r"\[core (\d+)\.(\d+)\.[^\]]*\]")
_RUNNER: Final = re.compile(r"runner_version: *'?(\d+)\.(\d+)")


@dataclass(frozen=True)
class ExecutionNode:
    """The machine a run's Ansible runs on, and how the controller reaches it."""

    host: str
    user: str | None = None
    namespace: str | None = None
    """The network namespace ssh runs in (the lab's controller); None: here."""

    @property
    def destination(self) -> str:
        return f"{self.user}@{self.host}" if self.user else self.host

    def ssh(self, remote: str) -> list[str]:
        """The argv running the shell command ``remote`` on the node."""
        argv = ["ssh", *SSH_OPTIONS, "--", self.destination, remote]
        return ["ip", "netns", "exec", self.namespace, *argv] if self.namespace else argv


def parse_node(text: str, namespace: str | None = None) -> ExecutionNode:
    """``[USER@]HOST`` as an :class:`ExecutionNode`; InputError naming what is wrong."""
    found = NODE.fullmatch(text)
    if found is None:
        raise InputError(
            f"--execution-node {text!r}: expected [USER@]HOST (a host name or address)"
        )
    return ExecutionNode(found["host"], found["user"], namespace)


@dataclass(frozen=True)
class NodeTools:
    """What the node runs the stream with."""

    runner: tuple[int, int]
    core: tuple[int, int]


def controller_tools() -> NodeTools:
    """The controller's own ansible-runner and ansible-core versions."""
    return NodeTools(_major_minor(version("ansible-runner")), _major_minor(version("ansible-core")))


def node_tools(node: ExecutionNode) -> NodeTools:
    """Ask the node for its tools (one ssh call); ExecutionError when it cannot say."""
    try:
        done = subprocess.run(
            node.ssh(TOOLS_COMMAND),
            capture_output=True,
            text=True,
            timeout=TOOLS_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExecutionError(f"execution node {node.destination}: {exc}") from None
    runner, core = _RUNNER.search(done.stdout), _CORE.search(done.stdout)
    if done.returncode != 0 or runner is None or core is None:
        said = (done.stderr.strip() or done.stdout.strip())[-300:]
        raise ExecutionError(
            f"execution node {node.destination}: cannot run ansible-runner and "
            f"ansible-playbook there (ssh exit {done.returncode}): {said}"
        )
    return NodeTools((int(runner[1]), int(runner[2])), (int(core[1]), int(core[2])))


def check_tools(node: ExecutionNode, here: NodeTools | None = None) -> NodeTools:
    """The node's tools, refused (ExecutionError) unless they match the controller's."""
    mine, theirs = here or controller_tools(), node_tools(node)
    problems = []
    if theirs.core != mine.core:
        problems.append(f"ansible-core {_text(theirs.core)} (controller: {_text(mine.core)})")
    if theirs.runner[0] != mine.runner[0]:
        problems.append(f"ansible-runner {_text(theirs.runner)} (controller: {_text(mine.runner)})")
    if problems:
        raise ExecutionError(
            f"execution node {node.destination} runs "
            + " and ".join(problems)
            + ": install the controller's versions there before running through it"
        )
    return theirs


def worker_directory(run: str, ident: str) -> str:
    """The node-side private data dir of one streamed run (relative to the SSH user's home)."""
    directory = f"{WORKERS}/worker-{run}-{ident}"
    if not SAFE_DIRECTORY.fullmatch(directory):
        raise ValueError(f"{directory!r} is not a worker directory remediator names")
    return directory


def remote_worker(directory: str) -> str:
    """The shell command that runs the worker in ``directory`` (deleted when it ends),
    sending keepalives."""
    worker = shlex.join(
        [
            "ansible-runner", "worker",
            "--private-data-dir", directory,
            "--delete",
            "--keepalive-seconds", str(KEEPALIVE_SECONDS),
        ]
    )  # fmt: skip
    return f"umask 077 && mkdir -p {WORKERS} && exec {worker}"


def remote_stop(directory: str) -> str:
    """The shell command that stops a worker of ``directory`` and every process it started
    (each has the directory in its command line), then removes what it left.

    Neither the pattern nor the path may appear literally in this command, or it would
    stop the shell running it (its command line holds it): the pattern starts with a
    one-character class (``[.]remediator/...`` matches the directory, not itself) and the
    path is removed through a glob that ends in one (``.../worker-...-batch-0[1]``).
    """
    if not SAFE_DIRECTORY.fullmatch(directory):
        raise ValueError(f"{directory!r} is not a worker directory remediator names")
    pattern = f"[{directory[0]}]{directory[1:]}"
    glob = f"{directory[:-1]}[{directory[-1]}]"
    return (
        f"pkill -TERM -f -- '{pattern}'; sleep 2; pkill -KILL -f -- '{pattern}'; "
        f"rm -rf -- {glob}; true"
    )


def _major_minor(text: str) -> tuple[int, int]:
    parts = re.findall(r"\d+", text)
    return (int(parts[0]), int(parts[1])) if len(parts) > 1 else (0, 0)


def _text(pair: tuple[int, int]) -> str:
    return f"{pair[0]}.{pair[1]}"
