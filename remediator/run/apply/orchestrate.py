"""``apply``: the reviewed project, a batch at a time, inside the window, verified or undone.

Each batch is one run of the project's ``playbooks/remediate.yml`` limited to the
batch's hosts (its guard, snapshot, block/rescue and post_tasks verification all run as
generated); around it the controller does what only it can:

* before a batch: is the window still open long enough for it (:mod:`.batches`)?
* after it: the controller-side checks (:mod:`.postcheck`); when hosts failed (in the
  play or in those checks) beyond ``--max-fail``, the whole batch is restored from its
  snapshots and no later batch starts; within the tolerance only the failed hosts are.
  A batch whose play alone failed it is restored without those checks: they could not
  save it, and a failing batch should be undone as soon as possible;
* on an interrupt (Ctrl-C, SIGTERM): the playbook is stopped, and every host of the
  batch ends applied-and-verified or restored; the record says which; then exit 130.

The play's own ``max_fail_percentage`` is set to 100 for these runs: stopping the other
hosts of a batch mid-play would leave them half-changed; the controller judges the batch
after it, from every host's result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from remediator.common.window import Window
from remediator.errors import ExecutionError, RefusedError, RemediatorError
from remediator.run.ansible.events import Event, play_stats, task_results
from remediator.run.ansible.runner import RunConfig, run
from remediator.run.ansible.target import Target
from remediator.run.apply.batches import estimate, open_window, split
from remediator.run.apply.ends import deferred_signals, restored_end, snapshot_taken, why_failed
from remediator.run.apply.postcheck import Check, failed_hosts, verify_batch
from remediator.run.apply.proving import suite_observations, suites_before, test_keys
from remediator.run.apply.rollback import (
    RestoreResult,
    rollback,
    save_snapshot_events,
)
from remediator.run.apply.tracker import BatchTracker, Phase, phase_of
from remediator.run.preview.dryrun import DryRun, check_run
from remediator.run.preview.verdicts import changed_pairs, preview_host
from remediator.run.progress import Progress
from remediator.run.project import REMEDIATE
from remediator.run.records.outcome import ApplyReport, HostEnd, HostResult
from remediator.run.records.patches import patch_verdicts
from remediator.run.records.proof import Idempotence, merge, on_host_observations

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ApplyRequest:
    """What the admin asked for."""

    target: Target
    window: Window
    batch: tuple[int | str, ...]
    max_fail: int
    hosts: tuple[str, ...] | None = None
    """The hosts to apply (a subset of those the dry-run previewed); None: all of them."""


@dataclass
class Apply:
    """One apply in progress: its request, record, report and live progress."""

    request: ApplyRequest
    report: ApplyReport
    progress: Progress
    clock: Clock = utc_now

    def run(self) -> ApplyReport:
        """Every batch that fits the window; the report says how each host ended."""
        chosen = self.request.hosts
        reviewed = self._reviewed()
        hosts = [h.name for h in reviewed.hosts if chosen is None or h.name in chosen]
        batches = split(hosts, self.request.batch)
        durations: list[float] = []
        index = 0
        try:
            for index, names in enumerate(batches, 1):
                seconds = estimate(reviewed.seconds, durations)
                reason = self._gate(index, len(batches), seconds)
                if reason:
                    self.report.not_started(batches, index, reason)
                    break
                started = time.monotonic()
                over = self._batch(index, len(batches), names)
                durations.append(time.monotonic() - started)
                self.report.save()
                if over and index < len(batches):
                    self.report.not_started(batches, index + 1, f"batch {index} failed")
                    break
            self._idempotence()
        except (KeyboardInterrupt, RemediatorError) as exc:
            self._abandon(batches, index, exc)
            raise
        self.report.finish()
        return self.report

    def _reviewed(self) -> DryRun:
        """The dry-run this apply carries out (only an imported job's report has none)."""
        if self.report.dry is None:
            raise ExecutionError("an apply runs only what a dry-run previewed; it has none")
        return self.report.dry

    def _idempotence(self) -> None:
        """After the last batch: the playbook in check mode over the hosts left applied.

        A second run must change nothing; what would still change, or cannot be told, is
        named per finding in the record (the apply's own result is not changed by it).
        """
        applied = sorted(h for h, r in self.report.hosts.items() if r.end is HostEnd.APPLIED)
        if not applied:
            return
        target = self.request.target
        record = self.report.record
        result = check_run(target, record, ":".join(applied), self.progress, "idempotence")
        results = task_results(result.events)
        previews = [preview_host(target.project.host(h), results, check=True) for h in applied]
        self.report.idempotence = Idempotence.of(applied, previews, result.status)
        self.report.judged(patch_verdicts(result.events))
        self.report.save()

    def _abandon(self, batches: list[tuple[str, ...]], index: int, exc: BaseException) -> None:
        """Record an apply that ends early: the batches after ``index`` never start."""
        interrupted = isinstance(exc, KeyboardInterrupt)
        reason = "interrupted" if interrupted else f"stopped by an error: {exc}"
        recorded = {b["batch"] for b in self.report.batches}
        first = index + 1 if index in recorded else max(index, 1)
        if first <= len(batches) and not recorded & set(range(first, len(batches) + 1)):
            self.report.not_started(batches, first, reason)
        self.report.status = "interrupted" if interrupted else "error"
        self.report.save()

    def _gate(self, index: int, total: int, seconds: float) -> str:
        now = self.clock()
        try:
            window = open_window(self.request.window, self.request.target.project, now)
        except RefusedError as exc:
            return f"batch {index}/{total} not started: {exc}"
        if window.fits(now, seconds):
            return ""
        return (
            f"batch {index}/{total} not started: it needs about {seconds:.0f} s and "
            f"{window.what} closes at {window.closes.isoformat(timespec='seconds')}"
        )

    def _batch(self, index: int, total: int, names: tuple[str, ...]) -> bool:
        """Run one batch; True when it failed beyond the tolerance (later batches stop)."""
        label = f"batch-{index:02d}"
        tracker = BatchTracker(names, self.progress)
        self.progress.batch_started(f"batch {index}/{total}", list(names))
        started = time.monotonic()
        before: tuple[Check, ...] = ()
        try:
            before = self._before(names, label)
            stats = play_stats(self._play(label, names, tracker))
            passed = [
                h
                for h in names
                if tracker.phase(h) is Phase.CONFIRMED
                and (s := stats.get(h)) is not None
                and not s.failures
                and not s.unreachable
            ]
            self._record_findings(tracker)
            # a batch the play already failed is restored whatever the checks would say
            lost = self._over([h for h in names if h not in passed], names)
            checks = () if lost else self._verify(passed, label)
            failed = [h for h in names if h not in passed or h in failed_hosts(checks)]
            over = self._over(failed, names)
            restores = self._restore(list(names) if over else failed, f"{label}-rollback")
            self._observe(names, tracker, before, checks)
        except KeyboardInterrupt:
            with deferred_signals():
                self._interrupted(index, names, tracker, label, before)
            raise
        self._conclude(index, names, tracker, checks, restores)
        status = "rolled_back" if over else "failed_hosts_restored" if failed else "applied"
        self.report.add_batch(index, names, time.monotonic() - started, status)
        self.progress.batch_finished(f"batch {index}/{total}", status.replace("_", " "))
        return over

    def _before(self, names: Sequence[str], label: str) -> tuple[Check, ...]:
        """The batch's suites before its change: a failing fix test shows the weakness."""
        project = self.request.target.project
        for host in names:
            self.progress.host_state(host, "checking before")
        return suites_before(
            self.request.target, self.report.record, [project.host(h) for h in names], label
        )

    def _observe(
        self,
        names: Sequence[str],
        tracker: BatchTracker,
        before: Sequence[Check],
        after: Sequence[Check],
    ) -> None:
        """Record the batch's checks before and after its change, per finding."""
        project = self.request.target.project
        keys = test_keys(self.request.target, [project.host(h) for h in names])
        events = tracker.events
        self.report.observed(
            merge(on_host_observations(events, "before"), suite_observations(before, keys)),
            merge(on_host_observations(events, "after"), suite_observations(after, keys)),
        )
        self.report.judged(patch_verdicts(events))

    def _over(self, failed: Sequence[str], names: Sequence[str]) -> bool:
        """Whether ``failed`` hosts of the batch ``names`` exceed the tolerance."""
        return bool(failed) and len(failed) * 100 > self.request.max_fail * len(names)

    def _play(self, label: str, names: Sequence[str], tracker: BatchTracker) -> tuple[Event, ...]:
        """The batch's run of the playbook; KeyboardInterrupt when it was interrupted."""
        result = run(self._config(label, names), on_event=tracker.feed)
        save_snapshot_events(self.report.record, result.events, label)
        if result.interrupted:
            raise KeyboardInterrupt
        return result.events

    def _config(self, label: str, names: Sequence[str]) -> RunConfig:
        target = self.request.target
        return RunConfig(
            private_dir=self.report.record.ansible_dir,
            ident=label,
            project=target.project.root,
            inventory=target.inventory,
            playbook=REMEDIATE,
            limit=":".join(names),
            diff=True,
            extravars={
                "remediator_run_id": self.report.record.id,
                "remediator_batch": len(names),
                "remediator_max_fail_percentage": 100,
            },
            namespace=target.namespace,
            node=target.node,
        )

    def _verify(self, hosts: Sequence[str], label: str) -> tuple[Check, ...]:
        project = self.request.target.project
        for host in hosts:
            self.progress.host_state(host, "verifying")
        specs = [project.host(h) for h in hosts]
        return verify_batch(self.request.target, self.report.record, specs, label)

    def _restore(self, hosts: Sequence[str], label: str) -> dict[str, RestoreResult]:
        for host in hosts:
            self.progress.host_state(host, "rolling back")
        record = self.report.record
        return rollback(self.request.target, record, hosts, record.id, label)

    def _record_findings(self, tracker: BatchTracker) -> None:
        project = self.request.target.project
        results = task_results(tracker.events)
        specs = [project.host(h) for h in tracker.hosts]
        self.report.changed |= changed_pairs(specs, results)
        for spec in specs:
            self.report.findings[spec.name] = preview_host(spec, results, check=False)

    def _conclude(
        self,
        index: int,
        names: Sequence[str],
        tracker: BatchTracker,
        checks: Sequence[Check],
        restores: dict[str, RestoreResult],
        *,
        cause: str = "the batch failed",
    ) -> None:
        results = task_results(tracker.events)
        for host in names:
            mine = tuple(c for c in checks if c.host == host)
            why = why_failed(host, results, mine)
            if host in restores:
                end, detail = restored_end(restores[host], self.request.target.project.revert_after)
                if end is HostEnd.PENDING_REVERT and not snapshot_taken(host, results):
                    end, detail = HostEnd.UNTOUCHED, "unreachable before its snapshot was taken"
                detail = f"{why}; {detail}" if why else f"{cause}; {detail}"
            else:
                end, detail = HostEnd.APPLIED, "applied and verified"
            self.report.hosts[host] = HostResult(host, end, index, detail, mine)
            self.progress.host_state(host, end.value.replace("_", " "))

    def _interrupted(
        self,
        index: int,
        names: Sequence[str],
        tracker: BatchTracker,
        label: str,
        before: Sequence[Check],
    ) -> None:
        """Leave every host of the interrupted batch applied-and-verified or restored."""
        self.progress.close()
        self.progress.note(f"interrupted: settling batch {index} host by host")
        results = task_results(tracker.events)
        confirmed = [h for h in names if phase_of(h, results) is Phase.CONFIRMED]
        checks = self._verify(confirmed, f"{label}-interrupted")
        self._record_findings(tracker)
        bad = failed_hosts(checks)
        undo = [
            h
            for h in names
            if phase_of(h, results) is not Phase.UNTOUCHED and (h not in confirmed or h in bad)
        ]
        restores = self._restore(undo, f"{label}-interrupted-rollback")
        self._observe(names, tracker, before, checks)
        cause = "interrupted before its change was confirmed"
        self._conclude(index, names, tracker, checks, restores, cause=cause)
        for host in names:
            if phase_of(host, results) is Phase.UNTOUCHED:
                self.report.hosts[host] = HostResult(
                    host, HostEnd.UNTOUCHED, index, "interrupted before this host was changed"
                )
        self.report.add_batch(index, names, 0.0, "interrupted")
        self.report.status = "interrupted"
        self.report.save()
