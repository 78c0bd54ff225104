"""What a check run passes the generated playbook, wherever it runs.

A check run changes nothing, so it may run outside the maintenance window (the guard
gets openings that are always open; the apply's guard keeps the project's own), and it
previews every host at once: one batch, in parallel, where one host that cannot be
reached does not end the others' preview the way a failed batch ends an apply.
``remediator dry-run`` passes these as extra vars, and ``generate --awx`` puts them on
AWX's check-mode job template, so both previews are the same run.
"""

from __future__ import annotations

from typing import Final

ALWAYS_OPEN: Final = ({"start": "1970-01-01T00:00:00Z", "end": "9999-12-31T23:59:59Z"},)
ALL_AT_ONCE: Final = {"remediator_batch": "100%", "remediator_max_fail_percentage": 100}


def check_run_vars() -> dict[str, object]:
    """A fresh copy of the extra vars of every check run."""
    return {"remediator_window_openings": [dict(o) for o in ALWAYS_OPEN], **ALL_AT_ONCE}
