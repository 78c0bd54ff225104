"""Record tests/unit/run/fixtures/lab-check.json again, from a dry-run on the lab.

    .venv/bin/remediator lab up
    PYTHONPATH=. .venv/bin/python -m tests.lab.run.record_lab_check [--state-dir DIR]

The fixture is ``remediator dry-run`` (check mode, diffs) of the lab plan's project (the
saved lab scan with examples/lab-policy.yml) on fresh lab hosts, the real roles: every
host of the running lab is reset first. The events of legacy.lab (nftables, inetd,
systemd units) and web.lab (iptables, nginx, Apache) are kept, trimmed as
tests/unit/run/eventfiles.py says. Run it when the roles change what a check run reports
(the unit tests that read the fixture name its counts), and review the diff.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from remediator.cli import main as remediator
from remediator.lab import manager, state
from remediator.lab.config import DEFAULT_STATE_DIR
from tests.lab.helpers import Lab
from tests.lab.run.conftest import lab_plan
from tests.unit.run.eventfiles import FIXTURES, trimmed

HOSTS = ("legacy.lab", "web.lab")
TARGET = FIXTURES / "lab-check.json"


def record(lab: Lab, work: Path) -> list[dict[str, Any]]:
    """The trimmed events of a dry-run of the lab plan's project on ``lab``'s fresh hosts."""
    manager.reset(lab.config.state_dir, (), print)
    run = lab_plan(lab, work)
    project = run.project("project", "now+4h", datetime.now(UTC))
    code = remediator(run.argv("dry-run", str(project)))
    if code != 0:
        raise SystemExit(f"the dry-run failed (exit {code}); see {work / 'runs'}")
    (events_dir,) = (work / "runs").glob("*-dry-run-*/ansible/artifacts/*/job_events")
    raw = [json.loads(p.read_text("utf-8")) for p in events_dir.glob("*.json")]
    return trimmed(raw, HOSTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    args = parser.parse_args()
    lab = Lab(state.require(args.state_dir).config)
    with tempfile.TemporaryDirectory() as temp:
        events = record(lab, Path(temp))
    TARGET.write_text(json.dumps(events, indent=1) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(events)} events")


if __name__ == "__main__":
    main()
