"""A demo step's captured stdout is a real text stream: ansible-core loads without a warning.

ansible-core reconfigures ``sys.stdout`` the first time it loads; a demo step that captured
stdout in a ``StringIO`` got ``[WARNING]: failed to reconfigure stdout/stderr`` in the
middle of the demo's story. Run in a fresh interpreter: ansible loads once per process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
STEP = """
import sys
from pathlib import Path
from remediator.demo.steps import Steps
Steps(Path(sys.argv[1])).invoke(["ingest", sys.argv[2], "--inventory", sys.argv[3]])
"""


def test_a_step_that_loads_ansible_prints_no_warning(tmp_path: Path) -> None:
    examples = REPO / "examples"
    done = subprocess.run(
        [sys.executable, "-c", STEP, str(tmp_path), str(examples / "scans" / "lab-v4.xml"),
         str(examples / "lab-inventory.yml")],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )  # fmt: skip
    assert "lab-v4.xml" in done.stdout
    assert "WARNING" not in done.stdout + done.stderr
