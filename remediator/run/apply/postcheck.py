"""The controller's check after a batch: management connection, allowed services, suites.

The playbook verifies each host from its own view (post_tasks). What only the
controller can see is checked here, for the hosts of the batch that passed the play:

* management: a fresh Ansible connection (``ping`` with new ssh control sockets);
* allowed services: a TCP connect to every port that must keep listening, on every
  address the scan saw it on, when this controller is among its allowed sources (a port
  restricted to other sources cannot be judged from here and is reported as skipped);
* the batch's generated testinfra suites, each test's outcome read from a JSON report.

Every check is a :class:`Check`; a host with a failed one fails the batch.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from remediator.common.suites import (
    SuitePlace,
    not_run,
    read_outcomes,
    start_suite,
    wait_suite,
    write_ini,
)
from remediator.run.ansible.events import TaskOutcome, task_results
from remediator.run.ansible.hygiene import CONTROL_DIR_ENV, settle_connections
from remediator.run.ansible.runner import RunConfig, run
from remediator.run.ansible.target import Target
from remediator.run.project import HostSpec
from remediator.run.records.record import RunRecord

REACH_TIMEOUT: Final = 300.0
TAIL: Final = 1500


@dataclass(frozen=True)
class Check:
    """One thing checked on one host after its batch."""

    host: str
    kind: str
    name: str
    passed: bool
    skipped: bool = False
    detail: str = ""

    @property
    def failed(self) -> bool:
        return not self.passed and not self.skipped

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def verify_batch(
    target: Target, record: RunRecord, hosts: Sequence[HostSpec], label: str
) -> tuple[Check, ...]:
    """Every controller-side check of ``hosts``; an empty batch checks nothing."""
    if not hosts:
        return ()
    checks = [
        *management(target, record, hosts, label),
        *services(target, hosts),
        *suites(target, record, hosts, label),
    ]
    record.write(f"checks/{label}.json", [c.to_json() for c in checks])
    return tuple(checks)


def failed_hosts(checks: Sequence[Check]) -> set[str]:
    return {c.host for c in checks if c.failed}


def management(
    target: Target, record: RunRecord, hosts: Sequence[HostSpec], label: str
) -> Iterator[Check]:
    """A new Ansible connection to each host (``ping``, fresh ssh control sockets)."""
    config = RunConfig(
        private_dir=record.ansible_dir,
        ident=f"{label}-ping",
        project=target.project.root,
        inventory=target.inventory,
        module="ansible.builtin.ping",
        pattern=":".join(h.name for h in hosts),
        namespace=target.namespace,
        node=target.node,
    )
    result = run(config)
    if result.interrupted:
        raise KeyboardInterrupt
    answers = {r.host: r for r in task_results(result.events)}
    for spec in hosts:
        answer = answers.get(spec.name)
        ok = answer is not None and answer.outcome in (TaskOutcome.OK, TaskOutcome.CHANGED)
        detail = "" if ok else (answer.message if answer else "no answer to the connection")
        yield Check(spec.name, "management", "new Ansible connection", ok, detail=detail)


def services(target: Target, hosts: Sequence[HostSpec]) -> Iterator[Check]:
    """TCP connects from this controller to every kept port it is allowed to reach."""
    probes = [
        (spec, port.port, address, port.keys)
        for spec in hosts
        for port in spec.listening
        if port.protocol == "tcp"
        for address in _addresses(port.keys)
    ]
    if not probes:
        return
    argv = [
        sys.executable,
        "-m",
        "remediator.run.apply.reach",
        json.dumps([[address, port] for _, port, address, _ in probes]),
    ]
    done = subprocess.run(
        target.command(argv), capture_output=True, text=True, timeout=REACH_TIMEOUT, check=False
    )
    try:
        answers = json.loads(done.stdout)
    except json.JSONDecodeError:
        answers = [{"open": False, "source": None, "error": done.stderr[-TAIL:]}] * len(probes)
    for (spec, port, address, _keys), answer in zip(probes, answers, strict=False):
        name = f"tcp/{port} on {address} reachable"
        sources = spec.restricted.get(f"tcp/{port}")
        source = answer.get("source")
        if sources and not _among(source, sources):
            yield Check(
                spec.name,
                "service",
                name,
                False,
                skipped=True,
                detail=f"this controller ({source}) is not among the allowed sources "
                f"({', '.join(sources)})",
            )
            continue
        yield Check(
            spec.name,
            "service",
            name,
            bool(answer.get("open")),
            detail="" if answer.get("open") else str(answer.get("error", "")),
        )


def suites(
    target: Target, record: RunRecord, hosts: Sequence[HostSpec], label: str
) -> Iterator[Check]:
    """The batch's testinfra suites, one check per test; the hosts' suites run side by side.

    A suite spends most of its time waiting (connects to ports that must stay closed
    time out), so one pytest per host at once makes the check of a batch take about as
    long as its slowest host, not the sum of them.
    """
    chosen = [h for h in hosts if h.suite]
    if not chosen:
        return
    folder = record.path / "checks"
    ini = write_ini(folder)
    place = SuitePlace(target.project.root, target.inventory, target.command)
    control = Path(tempfile.mkdtemp(prefix="rmcp-", dir="/tmp"))  # testinfra's ssh masters
    try:
        with ExitStack() as stack:
            running = []
            for spec in chosen:
                name = f"{label}-{spec.name}"
                report, log = folder / f"{name}-suite.json", folder / f"{name}-pytest.txt"
                process = start_suite(
                    place, [str(spec.suite)], ini=ini, report=report, log_path=log,
                    stack=stack, env={CONTROL_DIR_ENV: str(control)},
                )  # fmt: skip
                running.append((spec, process, report, log))
            for spec, process, report, log in running:
                returncode = wait_suite(process)
                yield from _suite_checks(spec, report, returncode, log)
    finally:
        settle_connections(control, timeout=0)
        shutil.rmtree(control, ignore_errors=True)


def _suite_checks(spec: HostSpec, report: Path, returncode: int, log: Path) -> Iterator[Check]:
    """One check per test of ``spec``'s suite, or one failed check if it did not run."""
    tests = read_outcomes(report)
    problem = not_run(returncode, tests, log)
    if problem is not None:
        yield Check(spec.name, "suite", str(spec.suite), False, detail=problem)
        return
    for test in tests:
        if test.suite != str(spec.suite):
            continue
        yield Check(
            spec.name,
            "suite",
            test.nodeid,
            test.outcome == "passed",
            skipped=test.outcome == "skipped",
            detail=test.message,
        )


def _addresses(keys: Sequence[str]) -> Iterator[str]:
    for key in keys:
        try:
            yield str(ipaddress.ip_address(key.split("/", 1)[0]))
        except ValueError:
            continue


def _among(source: object, sources: Sequence[str]) -> bool:
    if not isinstance(source, str):
        return False
    try:
        address = ipaddress.ip_address(source)
        return any(address in ipaddress.ip_network(s, strict=False) for s in sources)
    except ValueError:
        return False
