"""Fixtures for the role tests on lab hosts, on top of tests/lab/conftest.py.

Each role module uses ``pristine_role_lab`` (hosts reset after the module, as named in
its ``LAB_RESET_HOSTS``) and a ``runner`` that plays a role through ansible-runner inside the
controller namespace.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from remediator.errors import ExecutionError
from remediator.lab import manager
from tests.lab.helpers import TIMINGS, Lab
from tests.lab.roles.harness import Runner


@pytest.fixture(scope="module")
def pristine_role_lab(lab: Lab, request: pytest.FixtureRequest) -> Iterator[Lab]:
    """Like ``pristine_lab`` (the module's ``LAB_RESET_HOSTS`` are reset after it), but
    the reset is retried when the lab trips over a stale veth (see ``reset_hosts``)."""
    names = tuple(request.module.LAB_RESET_HOSTS)
    reset_hosts(lab, names, only_down=True)
    yield lab
    reset_hosts(lab, names, only_down=False)


@pytest.fixture(scope="module")
def runner(pristine_role_lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Runner:
    workdir: Path = tmp_path_factory.mktemp("roles")
    return Runner(pristine_role_lab.config, workdir)


def reset_hosts(lab: Lab, names: tuple[str, ...], *, only_down: bool) -> None:
    """Reset ``names`` (or, with ``only_down``, those of them that do not answer).

    ``ip netns delete`` returns before the kernel has removed the old namespace's veth,
    so the lab's reset can fail re-creating ``v-<host>`` ("File exists") and leave the
    host down; such a reset is tried again, a few times at most.
    """
    pending = names
    for _attempt in range(4):
        if only_down:
            pending = tuple(n for n in pending if lab.ssh(n, "true").returncode != 0)
        if not pending:
            return
        try:
            manager.reset(lab.config.state_dir, pending, lambda _line: None)
        except ExecutionError as exc:
            if "File exists" not in str(exc):
                raise
            only_down = True
            time.sleep(2)
            continue
        return
    pytest.fail(f"lab hosts {pending} did not come back after resets", pytrace=False)


def record(stage: str, seconds: float) -> None:
    """A figure for the lab timings summary."""
    TIMINGS[f"roles: {stage}"] = seconds
