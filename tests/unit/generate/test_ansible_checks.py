"""Generated projects pass ``ansible-playbook --syntax-check`` and ansible-lint (production).

Projects of several plans: the hostile scan, the representative (golden) plan, a plan
with nothing to change, the mixed Linux and Windows estate (the Windows play and roles),
and the whole shared corpus planned against an inventory made
from the corpus's addresses (so the project is not empty); each with its ``--awx``
playbook. ansible-lint runs offline:
it must not install anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from remediator.classify.plan_document import PlanDoc, parse_plan
from tests.unit.generate.helpers import (
    FIXTURES,
    corpus_inventory,
    golden_plan,
    hostile_plan,
    options,
    plan_of,
    project,
    readable_corpus,
    run_tool,
    windows_plan_bytes,
    write_tree,
)

PLAYBOOKS = (
    "playbooks/remediate.yml",
    "playbooks/snapshot.yml",
    "playbooks/rollback.yml",
    "awx/configure.yml",
)
EMPTY_PLAN = (
    b'{"schema": "remediator/plan/v1", "as_of": "2026-11-30", "inventory": "hosts.yml",'
    b' "hosts": {}, "decisions": []}'
)


def _corpus_plan(tmp: Path) -> PlanDoc:
    scans = list(readable_corpus())
    return plan_of(scans, FIXTURES / "corpus-policy.yml", corpus_inventory(scans, tmp / "inv.yml"))


PLANS: dict[str, Callable[[Path], PlanDoc]] = {
    "hostile": lambda tmp: hostile_plan(),
    "golden": lambda tmp: golden_plan(),
    "empty": lambda tmp: parse_plan(EMPTY_PLAN, "plan.json"),
    "corpus": _corpus_plan,
    "windows": lambda tmp: parse_plan(windows_plan_bytes(tmp), "plan.json"),
}


@pytest.fixture(scope="module", params=sorted(PLANS))
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp(request.param)
    plan = PLANS[request.param](tmp)
    with_awx = replace(options(lab=request.param == "hostile"), awx="remediator-test")
    return write_tree(project(plan, with_awx), tmp / "project")


def test_syntax_check(generated: Path) -> None:
    for playbook in PLAYBOOKS:
        result = run_tool(["ansible-playbook", "--syntax-check", playbook], generated)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_ansible_lint_production(generated: Path) -> None:
    result = run_tool(
        ["ansible-lint", "--offline", "--profile", "production", "--nocolor"], generated
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Profile 'production' was required, and it passed" in result.stdout + result.stderr


def test_corpus_project_is_not_empty(tmp_path: Path) -> None:
    files = project(_corpus_plan(tmp_path))
    host_vars = [p for p in files if p.startswith("host_vars/")]
    assert len(host_vars) >= 20
    remediate = files["playbooks/remediate.yml"].decode()
    assert remediate.count('\n    - "') >= 20  # the play targets hosts with changes
    assert sum(data.count(b"key: !unsafe") for p, data in files.items() if p in host_vars) > 100
