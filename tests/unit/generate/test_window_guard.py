"""The window guard fires when the project is run by hand with ``ansible-playbook``.

The hosts' connection is a plugin that does not exist, so no test here can reach any
host: outside the window the run must stop in the guard (the connection is never even
looked up); inside it, the guard passes and the run gets as far as connecting.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from remediator.common.window import parse_window
from remediator.generate.project import Options, build_project
from tests.unit.generate.helpers import hostile_plan, roles, run_tool, write_tree

NO_CONNECTION = "remediator_no_such_connection"


def _project(tmp_path: Path, spec: str | None, now: datetime) -> Path:
    window = parse_window(spec, now) if spec else None
    opts = Options(generated_at=now, window=window)
    root = write_tree(build_project(hostile_plan(), opts, roles()), tmp_path / "project")
    inventory = root / "inventory.yml"
    inventory.write_text(
        inventory.read_text() + f"  vars:\n    ansible_connection: {NO_CONNECTION}\n",
        encoding="utf-8",
    )
    return root


def _run(root: Path, *extra: str) -> str:
    result = run_tool(["ansible-playbook", "playbooks/remediate.yml", *extra], root, timeout=300)
    assert result.returncode != 0
    return result.stdout + result.stderr


def test_outside_the_window_the_guard_stops_before_any_connection(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    past = f"{(now - timedelta(days=3)).isoformat()}/{(now - timedelta(days=2)).isoformat()}"
    output = _run(_project(tmp_path, past, now - timedelta(days=4)))
    assert "Outside the maintenance window this project was generated for" in output
    assert "Nothing was changed" in output
    assert NO_CONNECTION not in output
    assert "Remediate the plan's findings" not in output


def test_a_future_window_says_when_it_opens(tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    start = now + timedelta(days=1)
    spec = f"{start.isoformat()}/{(start + timedelta(hours=2)).isoformat()}"
    output = _run(_project(tmp_path, spec, now))
    assert f"Next opening: {start.strftime('%Y-%m-%dT%H:%M:%SZ')}" in output
    assert NO_CONNECTION not in output


def test_without_a_window_the_project_refuses(tmp_path: Path) -> None:
    output = _run(_project(tmp_path, None, datetime.now(UTC)))
    assert "Outside the maintenance window" in output and "none given" in output
    assert NO_CONNECTION not in output


def test_inside_the_window_the_run_goes_on_to_the_hosts(tmp_path: Path) -> None:
    output = _run(_project(tmp_path, "now+2h", datetime.now(UTC)))
    assert "Inside the maintenance window until" in output
    assert NO_CONNECTION in output  # it went on and tried to connect


@pytest.mark.parametrize("batch", ["1", "100%"])
def test_batch_size_comes_from_extra_vars(tmp_path: Path, batch: str) -> None:
    root = _project(tmp_path, "now+2h", datetime.now(UTC))
    output = _run(root, "-e", f"remediator_batch={batch}")
    remediation = output.split("PLAY [Remediate the plan's findings")[1].split("PLAY RECAP")[0]
    # the first batch fails to connect; max_fail_percentage 0 stops the run after it
    assert "fatal: [legacy.lab]" in remediation
    assert ("fatal: [web.lab]" in remediation) is (batch != "1")


def test_options_dataclass_is_frozen() -> None:
    opts = Options(generated_at=datetime.now(UTC))
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.lab = True  # type: ignore[misc]
