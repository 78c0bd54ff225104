"""Record the job-event streams under tests/fixtures/run/ from real runs of a fake project.

    PYTHONPATH=. .venv/bin/python -m tests.unit.run.record_events

Each fixture is the complete list of events ansible-runner reported for one run of the
generated playbooks (the lab plan's project, see fakeproject.py) on local stand-in hosts.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from remediator.common.checkrun import ALWAYS_OPEN
from remediator.run.ansible.runner import RunConfig, run
from remediator.run.project import REMEDIATE
from tests.unit.run.conftest import make_lab_project
from tests.unit.run.fakeproject import build

OUT = Path(__file__).resolve().parent / "fixtures"
HOSTS = ("legacy.lab", "web.lab")


def main() -> None:
    with tempfile.TemporaryDirectory() as temp:
        source = make_lab_project(Path(temp) / "lab")
        fake = build(Path(temp) / "fake", source, HOSTS)
        fake.mark("web.lab", "REJECT")
        base: dict[str, Any] = {
            "project": fake.root,
            "inventory": fake.root / "inventory.yml",
            "playbook": REMEDIATE,
            "private_dir": Path(temp) / "pdd",
        }
        check = run(
            RunConfig(
                ident="check",
                check_mode=True,
                diff=True,
                extravars={"remediator_window_openings": list(ALWAYS_OPEN)},
                **base,
            )
        )
        apply = run(
            RunConfig(
                ident="apply",
                diff=True,
                extravars={
                    "remediator_run_id": "fixture",
                    "remediator_batch": 2,
                    "remediator_max_fail_percentage": 100,
                },
                **base,
            )
        )
        for name, result in (("fake-check", check), ("fake-apply-rescue", apply)):
            (OUT / f"{name}.json").write_text(
                json.dumps(list(result.events), indent=1) + "\n", encoding="utf-8"
            )


if __name__ == "__main__":
    main()
