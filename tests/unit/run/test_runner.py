"""The ansible-runner wrapper: config checked first, events out, no secrets kept, cancel."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from remediator.common.checkrun import ALWAYS_OPEN
from remediator.errors import ExecutionError
from remediator.run.ansible.events import Event, task_results
from remediator.run.ansible.runner import RunConfig, executable, run
from remediator.run.project import REMEDIATE

from .fakeproject import FakeProject

CANARY = "remediator-canary-4f1d9e"


def config(tmp_path: Path, **changes: object) -> RunConfig:
    values: dict[str, object] = {
        "private_dir": tmp_path / "pdd",
        "ident": "t",
        "project": tmp_path,
        "inventory": tmp_path / "inv.yml",
        "playbook": "site.yml",
    }
    values.update(changes)
    return RunConfig(**values)  # type: ignore[arg-type]


def test_a_bad_config_is_refused_before_anything_runs(tmp_path: Path) -> None:
    (tmp_path / "site.yml").write_text("[]\n")
    (tmp_path / "inv.yml").write_text("all: {}\n")
    config(tmp_path).check()
    cases: dict[str, dict[str, object]] = {
        "exactly one of a playbook and a module": {"module": "ping"},
        "playbook .* does not exist": {"playbook": "missing.yml"},
        "inventory .* does not exist": {"inventory": tmp_path / "nope.yml"},
        "not a safe name": {"ident": "../x"},
        "network namespace .* does not exist": {"namespace": "no-such-ns-7"},
    }
    for message, change in cases.items():
        with pytest.raises(ExecutionError, match=message):
            config(tmp_path, **change).check()


def test_arguments_of_playbook_and_module_runs(tmp_path: Path) -> None:
    playbook = config(tmp_path, check_mode=True, diff=True)
    assert playbook.arguments() == ["--check", "--diff", "site.yml"]
    module = config(tmp_path, playbook=None, module="ansible.builtin.ping", pattern="a:b")
    assert module.arguments() == ["-m", "ansible.builtin.ping", "a:b"]
    assert module.executable == "ansible"


def test_the_namespace_wrapper_only_enters_the_namespace(tmp_path: Path) -> None:
    plain = executable(config(tmp_path))
    assert plain.name == "ansible-playbook" and plain.is_file()
    wrapper = executable(config(tmp_path, namespace="rmlab-ctl"))
    assert wrapper == tmp_path / "pdd" / "bin" / "ansible-playbook"
    assert wrapper.stat().st_mode & 0o777 == 0o700
    lines = wrapper.read_text().splitlines()
    assert lines[0] == "#!/bin/sh"
    assert lines[-1] == f'exec ip netns exec rmlab-ctl {plain} "$@"'


@pytest.mark.slow
def test_a_run_keeps_events_and_no_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_fake: Callable[..., FakeProject]
) -> None:
    monkeypatch.setenv("REMEDIATOR_TEST_SECRET", CANARY)
    fake = make_fake("legacy.lab")
    seen: list[Event] = []
    result = run(
        RunConfig(
            private_dir=tmp_path / "pdd",
            ident="check",
            project=fake.root,
            inventory=fake.root / "inventory.yml",
            playbook=REMEDIATE,
            check_mode=True,
            diff=True,
            extravars={"remediator_window_openings": list(ALWAYS_OPEN)},
        ),
        on_event=seen.append,
    )
    assert (result.status, result.rc, result.interrupted) == ("successful", 0, False)
    assert list(result.events) == seen and seen[-1]["event"] == "playbook_on_stats"
    assert any(r.changed for r in task_results(result.events))
    command = json.loads((result.artifacts / "command").read_text())
    assert set(command) == {"command", "cwd"}
    assert "--check" in command["command"] and str(fake.root) == command["cwd"]
    assert not (tmp_path / "pdd" / "env").exists()
    for path in (tmp_path / "pdd").rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    assert not list(fake.host_root("legacy.lab").glob("state/disabled-*"))  # check mode


@pytest.mark.slow
def test_cancel_stops_the_playbook(tmp_path: Path, make_fake: Callable[..., FakeProject]) -> None:
    fake = make_fake("legacy.lab")
    fake.mark("legacy.lab", "SLOW", "8")
    cancel = threading.Event()
    cancelled_at: list[float] = []

    def on_event(event: Event) -> None:
        data = event.get("event_data", {})
        if event["event"] == "runner_on_start" and data.get("task", "").startswith("Take a while"):
            cancelled_at.append(time.monotonic())
            cancel.set()

    result = run(
        RunConfig(
            private_dir=tmp_path / "pdd",
            ident="apply",
            project=fake.root,
            inventory=fake.root / "inventory.yml",
            playbook=REMEDIATE,
            extravars={"remediator_run_id": "t1"},
        ),
        on_event=on_event,
        cancel=cancel,
    )
    returned = time.monotonic()
    assert result.interrupted and result.status == "canceled"
    # the in-flight task (an 8 s sleep) was waited for before run() returned, and then
    # the run ended: measured from the cancel, so a slow start on a loaded machine
    # (the guard play, facts, snapshot before the task) does not count
    assert result.seconds >= 8
    assert returned - cancelled_at[0] < 8 + 30
    # half-applied (first change made, second not): what an apply must settle
    assert fake.disabled("legacy.lab", "10.213.0.10/tcp/23/port-open")
    assert not list(fake.host_root("legacy.lab").glob("state/masked-*"))
    playbooks = [
        p
        for p in Path("/proc").iterdir()
        if p.name.isdigit()
        and b"ansible-playbook" in _cmdline(p)
        and str(fake.root).encode() in _cmdline(p)
    ]
    assert playbooks == []


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""
