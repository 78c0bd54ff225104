"""A job run elsewhere, read into the documents a local run writes: a dry-run or an apply.

A check-mode job is read exactly as ``dry-run`` reads its own check run (per host and
finding: would change, compliant, unknown). A real job is read as one batch of an apply:
each host's end comes from how far its events show it got through the generated play,
whose snapshot, rescue and host-side confirmation ran wherever the job ran:

* confirmed (verified from its own view, the host-side restore disarmed): applied;
* restored by the play's rescue: rolled back;
* snapshot taken but never confirmed (the job failed, was cancelled or lost the host):
  pending its host-side timer, which restores the snapshot by itself;
* no snapshot: untouched (nothing was changed).

The controller-side checks of a local apply (a new management connection, the allowed
services, the testinfra suites) did not run: the host details say so, and ``verify``
runs the suites and the rescan. Only the project's own hosts are read: an event about
any other host is left out, so no name from the job becomes a path or a host choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from remediator.run.ansible.events import Event, HostStats, TaskResult, play_stats, task_results
from remediator.run.ansible.runner import IDENT
from remediator.run.ansible.target import Target
from remediator.run.apply.ends import snapshot_taken, why_failed
from remediator.run.apply.rollback import save_snapshot_events
from remediator.run.apply.tracker import Phase, phase_of
from remediator.run.imported.jobevents import JobEvents
from remediator.run.preview.dryrun import RECORD, DryRun, write_dry_run
from remediator.run.preview.verdicts import changed_pairs, preview_host
from remediator.run.project import file_hashes
from remediator.run.records.outcome import FAILED_ENDS, ApplyReport, HostEnd, HostResult
from remediator.run.records.patches import patch_verdicts
from remediator.run.records.proof import on_host_observations
from remediator.run.records.record import RunRecord

SNAPSHOT_FACT: Final = "remediator_snapshot_id"
ELSEWHERE: Final = "the controller-side checks did not run (it ran elsewhere); verify runs them"


@dataclass(frozen=True)
class OwnEvents:
    """The job's events about the project's hosts (and those about no host), and the
    names of other hosts it spoke of."""

    events: tuple[Event, ...]
    hosts: tuple[str, ...]
    """The project's hosts the job reached, in the project's order."""
    strangers: tuple[str, ...]


def own_events(events: Iterable[Event], project_hosts: Sequence[str]) -> OwnEvents:
    """Split the job's events by whether the project's inventory knows their host."""
    known = set(project_hosts)
    kept, seen, strangers = [], set(), set()
    for event in events:
        host = (event.get("event_data") or {}).get("host")
        if host is None or host in known:
            kept.append(event)
            if host is not None:
                seen.add(host)
        else:
            strangers.add(str(host))
    return OwnEvents(
        tuple(kept), tuple(h for h in project_hosts if h in seen), tuple(sorted(strangers))
    )


def imported_dry_run(record: RunRecord, target: Target, job: JobEvents, own: OwnEvents) -> DryRun:
    """The check-mode job as ``dry-run.json``, exactly as a local dry-run reads its own."""
    project = target.project
    results = task_results(own.events)
    started = job_started(own.events)
    dry = DryRun(
        run_id=record.id,
        created=started.isoformat(timespec="seconds") if started else "",
        project=str(project.root),
        inventory=str(target.inventory),
        limit=job_limit(own, target),
        seconds=job_seconds(own.events),
        manifest_sha256=project.manifest_sha256,
        plan_sha256=project.plan_sha256,
        files=file_hashes(project.root),
        hosts=tuple(preview_host(project.host(h), results, check=True) for h in own.hosts),
        status=job.status,
    )
    write_dry_run(record.path / RECORD, dry)
    return dry


def imported_apply(report: ApplyReport, target: Target, job: JobEvents, own: OwnEvents) -> None:
    """Fill ``report`` from the real job's events, as one batch of an apply, and save it."""
    project = target.project
    results = task_results(own.events)
    specs = [project.host(h) for h in own.hosts]
    report.changed |= changed_pairs(specs, results)
    for spec in specs:
        report.findings[spec.name] = preview_host(spec, results, check=False)
    report.observed(
        on_host_observations(own.events, "before"), on_host_observations(own.events, "after")
    )
    report.judged(patch_verdicts(own.events))
    save_snapshot_events(report.record, own.events, "job")
    stats = play_stats(own.events)
    for host in own.hosts:
        end, detail = host_end(host, results, stats.get(host), project.revert_after)
        report.hosts[host] = HostResult(host, end, 1, detail)
    failed = any(r.end in FAILED_ENDS for r in report.hosts.values())
    status = "failed_hosts_restored" if failed else "applied"
    if job.status not in ("successful", "failed"):
        report.stopped = f"the job ended {job.status}"
    report.add_batch(1, own.hosts, job_seconds(own.events), status)
    report.finish()


def host_end(
    host: str, results: Sequence[TaskResult], stats: HostStats | None, revert_after: int
) -> tuple[HostEnd, str]:
    """How ``host`` ended in the job, and why, from how far its events got."""
    phase = phase_of(host, list(results))
    why = why_failed(host, results, ())
    if phase is Phase.CONFIRMED:
        later = f"; afterwards {why}" if why and stats and stats.failures else ""
        return HostEnd.APPLIED, f"applied and verified from the host's own view; {ELSEWHERE}{later}"
    if phase is Phase.RESTORED:
        return HostEnd.ROLLED_BACK, f"{why or 'a change failed'}; the play restored its snapshot"
    if snapshot_taken(host, results):
        return HostEnd.PENDING_REVERT, (
            f"{why or 'the job ended'} before this host was confirmed: its host-side timer "
            f"restores the snapshot at most {revert_after} s after it was taken"
        )
    untouched = "no snapshot was taken, so nothing was changed"
    return HostEnd.UNTOUCHED, f"{why}; {untouched}" if why else untouched


def snapshot_ids(own: OwnEvents) -> dict[str, str]:
    """Each host's snapshot id, as the play named it (a rollback needs it); ids that are
    not safe names are left out (the rollback then finds no snapshot to restore)."""
    ids: dict[str, str] = {}
    for event in own.events:
        data = event.get("event_data") or {}
        res = data.get("res")
        facts = res.get("ansible_facts") if isinstance(res, Mapping) else None
        value = facts.get(SNAPSHOT_FACT) if isinstance(facts, Mapping) else None
        mine = event.get("event") == "runner_on_ok" and data.get("host")
        if mine and isinstance(value, str) and IDENT.fullmatch(value):
            ids[str(data["host"])] = value
    return ids


def job_limit(own: OwnEvents, target: Target) -> str | None:
    """The job's hosts as a limit, when it reached fewer than the project's."""
    every = [h.name for h in target.project.targets]
    return None if set(every) <= set(own.hosts) else ":".join(own.hosts)


def job_seconds(events: Sequence[Event]) -> float:
    """From the first event to the last, by their ``created`` times (0 when unknown)."""
    times = [t for e in events if (t := _time(e)) is not None]
    return (max(times) - min(times)).total_seconds() if len(times) > 1 else 0.0


def job_started(events: Sequence[Event]) -> datetime | None:
    """When the job's first event was created (None when no event says)."""
    times = [t for e in events if (t := _time(e)) is not None]
    return min(times) if times else None


def _time(event: Event) -> datetime | None:
    created = event.get("created")
    if not isinstance(created, str):
        return None
    try:
        moment = datetime.fromisoformat(created)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # runner: UTC
