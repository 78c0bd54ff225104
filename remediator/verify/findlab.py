"""Which running lab a run record was made against, found by its controller namespace.

A run records the network namespace its Ansible ran in (``network_namespace`` in
``run.json``). Several labs can run side by side (each with its own ``--state-dir``,
prefix and subnets), so the rescan must come from the controller of *that* lab, never
from whichever lab happens to be the default: scanning from another lab's controller
would see no host at all, and every finding would end ``unknown``.
"""

from __future__ import annotations

from pathlib import Path

from remediator.errors import RefusedError
from remediator.lab import state
from remediator.lab.state import LabState


def lab_of(namespace: str, state_dir: Path | None = None) -> LabState:
    """The running lab whose controller namespace is ``namespace`` (only the one under
    ``state_dir`` when given); RefusedError if there is none."""
    if state_dir is not None:
        found = state.load(state_dir)
        labs = [found] if found is not None else []
    else:
        labs = list(state.running_labs())
    for lab in labs:
        if lab.config.controller_ns == namespace:
            return lab
    running = ", ".join(f"{lab.config.controller_ns} ({lab.config.state_dir})" for lab in labs)
    raise RefusedError(
        f"the run's lab (controller namespace {namespace}) is not up; running labs: "
        f"{running or 'none'}. Bring it up again, or give its --lab-state-dir"
    )
