"""``remediator import-job SOURCE --project P``: a job that ran elsewhere, as a run record.

The order is the point, as in the other run commands: everything that can refuse the
import is checked before the record is created, so a refused import leaves nothing
behind. The local project must be as generated (``verify`` runs its suites), the job's
own event must name that project's manifest with no edited file, and only then is the
record written: ``run.json`` (with where the job came from), the project's manifest,
plan and findings, the job's events under ``ansible/artifacts/imported/job_events/``,
and ``dry-run.json`` (a check-mode job) or ``summary.json`` (a real one).

It exits as the run it imports would have: 4 when a check-mode job could not preview
every host, 1 when a real job left a host failed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from remediator.common.text import shown
from remediator.errors import ExecutionError, InputError, RefusedError, UnresolvedError
from remediator.generate.manifest import changed_files
from remediator.run.ansible.target import Target, make_target
from remediator.run.apply.orchestrate import utc_now
from remediator.run.commands import emit, write_run_info
from remediator.run.imported.build import (
    OwnEvents,
    imported_apply,
    imported_dry_run,
    job_limit,
    job_started,
    own_events,
    snapshot_ids,
)
from remediator.run.imported.jobevents import JobEvents, read_job
from remediator.run.imported.mark import mismatch, project_mark
from remediator.run.model import ImportOptions
from remediator.run.preview.dryrun import DryRun, load_dry_run
from remediator.run.project import load_project
from remediator.run.provenance import find_sources
from remediator.run.records.approval import approval_of
from remediator.run.records.outcome import SUMMARY, ApplyReport
from remediator.run.records.record import ApplyTerms, JobOrigin, RunRecord, new_run, open_run
from remediator.run.render import apply_text, dry_run_text

EVENTS_DIR = "artifacts/imported/job_events"
MAX_STRANGERS = 20


def import_job_command(asked: ImportOptions) -> int:
    """Read the job at ``asked.source`` into a new run record; see the module doc."""
    common = asked.common
    project = load_project(common.project)
    edited = changed_files(project.root, project.manifest)
    if edited:
        raise InputError(
            f"{project.root}: the project was edited since it was generated "
            f"({', '.join(path for path, _ in edited[:5])}): verify could not trust its suites"
        )
    target = make_target(project, common.inventory)
    job = read_job(asked.source)
    mark = project_mark(job.events, str(asked.source))
    problem = mismatch(mark, project.manifest_sha256)
    if problem:
        raise RefusedError(f"{asked.source}: {shown(problem)}; not imported")
    own = own_events(job.events, [h.name for h in project.targets])
    if not own.hosts:
        raise InputError(f"{asked.source}: the job reached none of the project's hosts")
    dry = _tied_dry_run(asked, target) if not mark.check_mode else None
    terms = None if mark.check_mode else _terms(asked, target, own)
    provenance = find_sources(project, common.plan, common.findings)
    kind = "dry-run" if mark.check_mode else "apply"
    record = new_run(common.runs_dir, kind, project.root, utc_now())
    origin = JobOrigin(
        source=str(asked.source),
        kind=job.kind,
        status=job.status,
        rc=job.rc,
        events=len(own.events),
        snapshots=snapshot_ids(own),
        strangers=own.strangers[:MAX_STRANGERS],
    )
    write_run_info(
        record,
        kind,
        target=target,
        provenance=provenance,
        limit=job_limit(own, target),
        terms=terms,
        imported=origin,
    )
    _keep_events(record, own)
    if own.strangers:
        sys.stderr.write(
            f"warning: left out the events of {len(own.strangers)} host(s) the inventory does "
            f"not know: {shown(', '.join(own.strangers[:5]))}\n"
        )
    read = ReadJob(record, target, job, own)
    if mark.check_mode:
        return _dry_run_imported(common.json, read)
    report = ApplyReport(record, dry, (terms or ApplyTerms()).to_json())
    return _apply_imported(common.json, read, report)


@dataclass(frozen=True)
class ReadJob:
    """A job read and checked, and the record it goes into."""

    record: RunRecord
    target: Target
    job: JobEvents
    own: OwnEvents


def _dry_run_imported(as_json: bool, read: ReadJob) -> int:
    record, job = read.record, read.job
    previewed = imported_dry_run(record, read.target, job, read.own)
    emit(as_json, previewed.to_json(), dry_run_text(previewed))
    if previewed.status != "successful":
        raise ExecutionError(
            f"the imported check-mode job ended {shown(job.status)}: it could not preview "
            f"every host; see {shown(str(record.path))}"
        )
    return 0


def _apply_imported(as_json: bool, read: ReadJob, report: ApplyReport) -> int:
    imported_apply(report, read.target, read.job, read.own)
    emit(as_json, report.to_json(), apply_text(report))
    if report.status == "failed":
        raise UnresolvedError(
            f"the imported job left hosts failed; see {read.record.path / SUMMARY}"
        )
    return 0


def _tied_dry_run(asked: ImportOptions, target: Target) -> DryRun | None:
    """The dry-run the job carried out (``--dry-run-id``), proven to be of this project."""
    if asked.dry_run_id is None:
        return None
    dry = load_dry_run(open_run(asked.dry_run_id, asked.common.runs_dir))
    if dry.manifest_sha256 != target.project.manifest_sha256:
        raise RefusedError(f"dry-run {dry.run_id} previewed another project; not imported")
    return dry


def _terms(asked: ImportOptions, target: Target, own: OwnEvents) -> ApplyTerms:
    """An imported apply's terms: the project's own window and batches, and the approval
    given to the import (AWX's job events do not say who launched the job)."""
    project = target.project
    given = asked.approved_by is not None or asked.ticket is not None
    return ApplyTerms(
        window=project.window_spec or "the project's own window",
        window_closes=_closes(target, own),
        approval=approval_of(asked.approved_by, asked.ticket, no_approval=False) if given else None,
        batch=project.batch,
        max_fail_percent=project.max_fail,
    )


def _closes(target: Target, own: OwnEvents) -> str:
    """When the window the job ran in closed, by the project's own openings."""
    started = job_started(own.events)
    opening = target.project.opening(started) if started else None
    if opening is None:
        return "unknown: no opening of the project's window holds the job's start"
    return opening.end.isoformat(timespec="seconds")


def _keep_events(record: RunRecord, own: OwnEvents) -> None:
    """The job's events, as read, in the record (named by counter: never by the job)."""
    for number, event in enumerate(own.events):
        record.write(f"ansible/{EVENTS_DIR}/{number:06d}-{int(event['counter'])}.json", event)
