"""Runs on an execution node: ansible-runner's stream over SSH, as AWX runs on its nodes.

The node is this machine behind a stand-in ``ssh`` (fakenode/ssh): the remote command
runs in a home of its own and its output comes back through a relay, so the stream,
the worker's own directory, a cancel and a lost link all behave as over a real link.
The project reaches the worker only through the stream (transmit packs it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from remediator.common.checkrun import check_run_vars
from remediator.errors import ExecutionError, InputError
from remediator.run.ansible import node as node_module
from remediator.run.ansible.events import Event, task_results
from remediator.run.ansible.node import (
    ExecutionNode,
    NodeTools,
    check_tools,
    parse_node,
    remote_stop,
    worker_directory,
)
from remediator.run.ansible.runner import RunConfig, run
from remediator.run.project import REMEDIATE

from .conftest import Cli
from .fakeproject import FakeProject

FAKE_SSH = Path(__file__).resolve().parent / "fakenode"
Fake = Callable[..., FakeProject]


@pytest.fixture
def node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ExecutionNode:
    """A node reached by the stand-in ssh, with its own home."""
    home = tmp_path / "node-home"
    home.mkdir()
    monkeypatch.setenv("FAKE_NODE_HOME", str(home))
    monkeypatch.setenv("FAKE_SSH_PIDS", str(tmp_path / "ssh.pids"))
    tools = Path(sys.executable).parent
    monkeypatch.setenv("PATH", f"{FAKE_SSH}:{tools}:{os.environ['PATH']}")
    return parse_node("runner@node.example")


def check_config(fake: FakeProject, private: Path, **changes: object) -> RunConfig:
    values: dict[str, object] = {
        "private_dir": private,
        "ident": "check",
        "project": fake.root,
        "inventory": fake.root / "inventory.yml",
        "playbook": REMEDIATE,
        "check_mode": True,
        "diff": True,
        "extravars": check_run_vars(),
    }
    values.update(changes)
    return RunConfig(**values)  # type: ignore[arg-type]


def outcomes(events: tuple[Event, ...]) -> list[tuple[str, str, str]]:
    return [(r.host, r.task, r.outcome.value) for r in task_results(events)]


@pytest.mark.slow
def test_a_run_on_the_node_records_what_a_local_run_records(
    tmp_path: Path, node: ExecutionNode, make_fake: Fake
) -> None:
    fake = make_fake("legacy.lab", "web.lab")
    local = run(check_config(fake, tmp_path / "local"))
    seen: list[Event] = []
    remote = run(check_config(fake, tmp_path / "remote", node=node), on_event=seen.append)
    assert (remote.status, remote.rc, remote.interrupted) == ("successful", 0, False)
    assert sorted(outcomes(remote.events)) == sorted(outcomes(local.events))  # hosts interleave
    assert list(remote.events) == seen  # live, as a local run's
    kept = {p.name for p in remote.artifacts.iterdir()}
    assert kept >= {"job_events", "rc", "status", "command"} and "fact_cache" not in kept
    assert set(json.loads((remote.artifacts / "command").read_text())) == {"command", "cwd"}
    # the worker ran the project it was sent, in a directory of its own, deleted after
    paths = {str(e.get("event_data", {}).get("task_path", "")) for e in remote.events}
    assert any("/.remediator/worker-" in p for p in paths), paths
    assert not any(str(fake.root) in p for p in paths)
    assert list((tmp_path / "node-home" / ".remediator").iterdir()) == []
    assert not (tmp_path / "remote" / "stream" / "check").exists()  # nothing staged is kept


@pytest.mark.slow
def test_a_cancel_stops_the_play_on_the_node(
    tmp_path: Path, node: ExecutionNode, make_fake: Fake
) -> None:
    fake = make_fake("legacy.lab")
    fake.mark("legacy.lab", "SLOW", "20")
    cancel = threading.Event()

    def on_event(event: Event) -> None:
        if str(event.get("event_data", {}).get("task", "")).startswith("Take a while"):
            cancel.set()

    config = check_config(fake, tmp_path / "remote", node=node, check_mode=False,
                          extravars={"remediator_run_id": "t1"}, ident="apply")  # fmt: skip
    started = time.monotonic()
    result = run(config, on_event=on_event, cancel=cancel)
    assert result.interrupted
    assert time.monotonic() - started < 20 + 60  # not waited out: the sleep was stopped
    assert_nothing_left_running(tmp_path)
    time.sleep(3)
    assert fake.disabled("legacy.lab", "10.213.0.10/tcp/23/port-open")  # half-applied
    assert not list(fake.host_root("legacy.lab").glob("state/masked-*"))  # and no further


@pytest.mark.slow
def test_a_lost_link_stops_the_play_as_an_interrupt_does(
    tmp_path: Path, node: ExecutionNode, make_fake: Fake
) -> None:
    fake = make_fake("legacy.lab")
    fake.mark("legacy.lab", "SLOW", "15")

    def on_event(event: Event) -> None:
        if str(event.get("event_data", {}).get("task", "")).startswith("Take a while"):
            pid = (tmp_path / "ssh.pids").read_text().split()[-1]  # the worker's link
            subprocess.run(["pkill", "-KILL", "-P", pid, "-x", "cat"], check=False)
            subprocess.run(["kill", "-KILL", pid], check=False)

    config = check_config(fake, tmp_path / "remote", node=node, check_mode=False,
                          extravars={"remediator_run_id": "t1"}, ident="apply")  # fmt: skip
    result = run(config, on_event=on_event)
    assert result.interrupted
    assert_nothing_left_running(tmp_path)
    time.sleep(15 + 3)  # the sleep would be over, and the play on to its next task
    assert not list(fake.host_root("legacy.lab").glob("state/masked-*"))


def assert_nothing_left_running(tmp_path: Path) -> None:
    home = str(tmp_path / "node-home")
    left = subprocess.run(["pgrep", "-af", "--", "[.]remediator/worker-"],
                          capture_output=True, text=True, check=False).stdout  # fmt: skip
    assert left == "", left
    assert list(Path(home, ".remediator").iterdir()) == []


def test_tools_unlike_the_controllers_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def answer(core: str, runner: str) -> None:
        said = (
            f"{{cpu_count: 2, errors: [], runner_version: {runner}}}\n"
            f"ansible-playbook [core {core}]\n"
        )
        done = subprocess.CompletedProcess([], 0, said, "")
        monkeypatch.setattr(node_module.subprocess, "run", lambda *a, **k: done)

    mine = NodeTools(runner=(2, 4), core=(2, 19))
    node = parse_node("node.example")
    answer("2.19.4", "2.4.0")
    assert check_tools(node, mine) == NodeTools((2, 4), (2, 19))
    answer("2.18.1", "2.4.0")
    with pytest.raises(ExecutionError, match=r"runs ansible-core 2\.18 \(controller: 2\.19\)"):
        check_tools(node, mine)
    answer("2.19.1", "1.4.7")
    with pytest.raises(ExecutionError, match=r"ansible-runner 1\.4"):
        check_tools(node, mine)


def test_a_node_that_cannot_run_the_worker_says_so(
    node: ExecutionNode, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", f"{FAKE_SSH}:/usr/bin:/bin")  # no ansible-runner "there"
    with pytest.raises(ExecutionError, match="cannot run ansible-runner and ansible-playbook"):
        check_tools(node)


@pytest.mark.parametrize(
    "text", ["-oProxyCommand=touch /tmp/x", "a b", "$(id)", "host;id", "user@", "@host", ""]
)
def test_a_node_that_could_be_an_option_or_a_command_is_refused(text: str) -> None:
    with pytest.raises(InputError, match=r"expected \[USER@\]HOST"):
        parse_node(text)


def test_nodes_and_their_commands() -> None:
    assert parse_node("ops@dmz-runner.example").destination == "ops@dmz-runner.example"
    assert parse_node("fd00:213::20").host == "fd00:213::20"
    node = ExecutionNode("10.213.0.20", "root", "rmlab-ctl")
    assert node.ssh("true")[:5] == ["ip", "netns", "exec", "rmlab-ctl", "ssh"]
    assert node.ssh("true")[-3:] == ["--", "root@10.213.0.20", "true"]
    directory = worker_directory("20261208T010000Z-apply-abc123", "batch-01")
    assert directory == ".remediator/worker-20261208T010000Z-apply-abc123-batch-01"
    stop = remote_stop(directory)
    assert "'[.]remediator/worker-20261208T010000Z-apply-abc123-batch-01'" in stop
    assert directory not in stop  # or the stop would stop the shell running it
    with pytest.raises(ValueError, match="not a worker directory"):
        remote_stop("/etc")


@pytest.mark.slow
def test_dry_run_and_rollback_through_the_node(
    cli: Cli, node: ExecutionNode, make_fake: Fake
) -> None:
    fake = make_fake("legacy.lab", "web.lab")
    code, local = cli.json("dry-run", str(fake.root))
    assert code == 0
    code, remote = cli.json("dry-run", str(fake.root), "--execution-node", node.destination)
    assert code == 0, remote
    assert statuses(remote) == statuses(local)
    assert cli.run_json(remote["run"], "run.json")["execution_node"] == "runner@node.example"

    code, applied = cli.json("apply", str(fake.root), "--window", "now+1h", "--batch", "100%",
                             "--no-approval", "--dry-run-id", local["run"])  # fmt: skip
    assert code == 0, applied
    assert fake.state("legacy.lab") != {"config": b"original\n"}
    code, _, err = cli("rollback", applied["run"], "--execution-node", node.destination)
    assert code == 0, err
    assert fake.state("legacy.lab") == {"config": b"original\n"}
    assert fake.state("web.lab") == {"config": b"original\n"}
    rolled = cli.records("apply")[0] / "ansible" / "artifacts"
    assert any(rolled.glob("rollback-*/job_events/*.json"))


def statuses(dry: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(h["host"], f["key"]): f["status"] for h in dry["hosts"] for f in h["findings"]}
