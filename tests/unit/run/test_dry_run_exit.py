"""A dry-run that could not preview every host says so in its exit code.

It used to exit 0 whatever the playbook did: a dry-run whose hosts were all unreachable
(the record said 'failed') looked, to a script or CI job, like a preview with work to do.
Now it is exit 4 ("could not run"), in one line naming the record, which is still written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remediator.cli import main
from tests.unit.run.test_apply import Fake


def test_a_dry_run_that_failed_on_a_host_exits_4_and_keeps_its_record(
    make_fake: Fake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = make_fake("legacy.lab", "web.lab")
    inventory = fake.root / "inventory.yml"
    broken = '    "web.lab":\n      ansible_python_interpreter: /nonexistent/python\n'
    inventory.write_text(inventory.read_text().replace('    "web.lab":\n', broken))
    runs = tmp_path / "runs"

    code = main(["dry-run", str(fake.root), "--runs-dir", str(runs)])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 4
    assert err[-1].startswith("remediator: error: the dry-run ")
    assert "'failed'" in err[-1] and str(runs) in err[-1]
    (record,) = runs.iterdir()
    assert json.loads((record / "dry-run.json").read_text())["status"] == "failed"
