"""``remediator demo``: every stage's own command, in order, on the built-in lab.

Nothing here does a stage's work: each step is the ``remediator`` command a user would
type (printed before it runs), parsed by the same parser and run by the same handler
(:mod:`remediator.demo.steps`), so the demo can never drift from what the commands do.
What the demo adds is the glue a person would do by hand (the lab's inventory and the
policy for this lab, the id of the run just made, not applying a failed dry-run) and
the final verdict (:mod:`remediator.demo.verdict`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from remediator.common.files import replace_text
from remediator.demo.steps import Steps, new_run, say
from remediator.demo.verdict import clean_hosts, judge
from remediator.demo.workdir import DemoOptions, Work, lab_policy, shipped_policy
from remediator.errors import UnresolvedError
from remediator.lab import state
from remediator.lab.config import LabConfig
from remediator.lab.inventory import inventory_yaml
from remediator.lab.proc import REQUIRED_TOOLS, require_root_and_tools
from remediator.lab.scan import v6_path
from remediator.report.load import load_evidence

DEMO_TOOLS: Final = (*REQUIRED_TOOLS, "nmap")
"""What the demo runs on this machine: the lab's tools and the scanner."""


def run_demo(asked: DemoOptions) -> int:
    """The ``demo`` handler: 0 only when the loop fixed and proved everything fixable."""
    require_root_and_tools(DEMO_TOOLS)  # before anything is written: exit 4 naming them
    work = Work(asked.work_dir)
    work.root.mkdir(parents=True, exist_ok=True)
    steps = Steps(work.root / "steps")
    config = _prepare(asked, work, steps)
    _scan_and_plan(asked, work, steps)
    run = _fix(asked, work, steps)
    steps.invoke(["verify", run, "--runs-dir", str(work.runs), "--rescan",
                  "--lab-state-dir", str(asked.state_dir)])  # fmt: skip
    steps.invoke(["report", run, "--runs-dir", str(work.runs), "-o", str(work.evidence)])
    return _verdict(work, judge(load_evidence(work.runs / run), clean_hosts(config)))


def _prepare(asked: DemoOptions, work: Work, steps: Steps) -> LabConfig:
    """The lab, up and pristine (reset when it was already up); its inventory and policy."""
    lab = ["lab", "--state-dir", str(asked.state_dir)]
    if state.load(asked.state_dir) is None:
        steps.invoke([*lab, "up", "--prefix", asked.prefix, "--subnet", asked.subnet,
                      "--subnet6", asked.subnet6])  # fmt: skip
    else:
        say("\n# the lab is already up: back to pristine, so the scan sees what a first scan would")
        steps.invoke([*lab, "reset"])
    config = state.require(asked.state_dir).config
    replace_text(work.inventory, inventory_yaml(config))
    say(f"\n# the lab's inventory (remediator lab inventory): {work.inventory}")
    lab_policy(asked.policy or shipped_policy(), config, work.policy)
    say(f"# the lab policy, for this lab's addresses: {work.policy}")
    return config


def _scan_and_plan(asked: DemoOptions, work: Work, steps: Steps) -> None:
    """The scan an ASV would run, read, decided against the policy, turned into Ansible."""
    steps.invoke(["lab", "--state-dir", str(asked.state_dir), "scan", "-o", str(work.scan)])
    inventory = ["--inventory", str(work.inventory)]
    steps.invoke(["ingest", str(work.scan), str(v6_path(work.scan)), *inventory,
                  "-o", str(work.findings)])  # fmt: skip
    steps.invoke(["plan", str(work.findings), "--policy", str(work.policy), *inventory,
                  "-o", str(work.plan)])  # fmt: skip
    steps.invoke(["generate", str(work.plan), "-o", str(work.project), "--window", asked.window,
                  *inventory, "--lab"])  # fmt: skip


def _fix(asked: DemoOptions, work: Work, steps: Steps) -> str:
    """The dry-run, then the apply of exactly what it previewed; the apply's run id.

    A dry-run that could not preview every host ends the demo (exit 4, as the dry-run
    itself exits): a person would not apply what they could not review."""
    common = ["--inventory", str(work.inventory), "--runs-dir", str(work.runs),
              "--plan", str(work.plan), "--findings", str(work.findings)]  # fmt: skip
    dry = new_run(work.runs, "dry-run",
                  lambda: steps.invoke(["dry-run", str(work.project), *common]))  # fmt: skip
    apply = ["apply", str(work.project), "--window", asked.window, "--dry-run-id", dry,
             "--approved-by", "remediator demo", "--ticket", "DEMO-1", *common,
             *(["--batch", asked.batch] if asked.batch else [])]  # fmt: skip
    return new_run(work.runs, "apply", lambda: _apply(steps, apply))


def _apply(steps: Steps, argv: list[str]) -> None:
    """The apply; a failed batch (rolled back) is still verified and reported."""
    try:
        steps.invoke(argv)
    except UnresolvedError as exc:
        say(f"remediator demo: the apply did not finish: {exc}")


def _verdict(work: Work, problems: Sequence[str]) -> int:
    say(f"\nthe evidence: {work.evidence / 'evidence.html'}")
    say(f"              {work.evidence / 'evidence.json'}")
    say(f"every step's full output is under {work.root / 'steps'}/, the run records under "
        f"{work.runs}/")  # fmt: skip
    if not problems:
        say("demo passed: every fixable finding is fixed and confirmed by the rescan; the")
        say("clean host is untouched and every allowed service is kept, still answering.")
        return 0
    say("demo did not pass:")
    for problem in problems:
        say(f"  {problem}")
    return 1
