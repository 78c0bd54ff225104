"""Putting hosts back to the snapshot a run took: by ``apply`` itself or by hand.

The restore is the project's own ``playbooks/rollback.yml`` with the run's snapshot id,
limited to the hosts concerned: the snapshot tool on each host puts back files, unit
states and the firewall ruleset, changing only what differs. A host that cannot be
reached is not restored by us: its host-side revert timer (armed with the snapshot)
restores it by itself; the record says so. The snapshots themselves stay on the hosts
(the restore must work without the controller); the run record keeps, per host, what
each snapshot holds and what every restore put back (``snapshots/``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from remediator.run.ansible.events import Event, TaskOutcome, task_results
from remediator.run.ansible.runner import RunConfig, run
from remediator.run.ansible.target import Target
from remediator.run.project import ROLLBACK
from remediator.run.records.record import RunRecord

SNAPSHOT_ROLE: Final = "snapshot"
TAKE_TASK: Final = "Take the snapshot"
RESTORE_TASK: Final = "Restore the snapshot"
NO_SNAPSHOT: Final = "no complete snapshot"
TAKEN: Final = "taken.json"


class Restore(StrEnum):
    RESTORED = "restored"
    NO_SNAPSHOT = "no_snapshot"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did on one host."""

    host: str
    outcome: Restore
    detail: str = ""


def rollback(
    target: Target, record: RunRecord, hosts: Sequence[str], snapshot_id: str, label: str
) -> dict[str, RestoreResult]:
    """Restore ``hosts`` to snapshot ``snapshot_id``; one result per host."""
    if not hosts:
        return {}
    config = RunConfig(
        private_dir=record.ansible_dir,
        ident=label,
        project=target.project.root,
        inventory=target.inventory,
        playbook=ROLLBACK,
        limit=":".join(hosts),
        extravars={"remediator_run_id": snapshot_id},
        namespace=target.namespace,
        node=target.node,
    )
    result = run(config)
    save_snapshot_events(record, result.events, label)
    outcomes = {host: _outcome(host, result.events) for host in hosts}
    if result.interrupted:
        raise KeyboardInterrupt
    return outcomes


def _outcome(host: str, events: Sequence[Event]) -> RestoreResult:
    results = [r for r in task_results(events) if r.host == host]
    for result in results:
        if result.outcome is TaskOutcome.UNREACHABLE:
            return RestoreResult(host, Restore.UNREACHABLE, result.message)
        if result.outcome is TaskOutcome.FAILED and NO_SNAPSHOT in result.message:
            return RestoreResult(host, Restore.NO_SNAPSHOT, result.message)
    restored = [
        r
        for r in results
        if r.role == SNAPSHOT_ROLE
        and r.task == RESTORE_TASK
        and r.outcome in (TaskOutcome.OK, TaskOutcome.CHANGED)
    ]
    if restored:
        return RestoreResult(
            host,
            Restore.RESTORED,
            "put back what differed" if restored[0].changed else "nothing differed",
        )
    failed = next((r for r in results if r.outcome is TaskOutcome.FAILED), None)
    detail = f"{failed.describe()}: {failed.message}" if failed else "the restore did not run"
    return RestoreResult(host, Restore.FAILED, detail)


def snapshotted(record: RunRecord) -> list[str]:
    """Hosts on which the run took a snapshot (so there is something to restore)."""
    return sorted(p.parent.name for p in (record.path / "snapshots").glob(f"*/{TAKEN}"))


def save_snapshot_events(record: RunRecord, events: Iterable[Event], label: str) -> None:
    """Keep each host's snapshot summary and restore report under ``snapshots/``."""
    for event in events:
        data = event.get("event_data") or {}
        if event.get("event") != "runner_on_ok" or data.get("role") != SNAPSHOT_ROLE:
            continue
        task, host = data.get("task"), str(data.get("host"))
        if task == TAKE_TASK:
            name = f"snapshots/{host}/{TAKEN}"
        elif task == RESTORE_TASK:
            name = f"snapshots/{host}/restored-by-{label}.json"
        else:
            continue
        record.write(name, {"host": host, "task": task, "result": _stdout_json(data)})


def _stdout_json(data: dict[str, Any]) -> object:
    stdout = str((data.get("res") or {}).get("stdout") or "")
    try:
        return json.loads(stdout)
    except json.JSONDecodeError:
        return {"stdout": stdout[-2000:]}
