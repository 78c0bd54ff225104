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
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from remediator.common.files import replace_text
from remediator.common.suite_report import ENV as REPORT_ENV
from remediator.run.ansible.events import Outcome, task_results
from remediator.run.ansible.hygiene import CONTROL_DIR_ENV, settle_connections
from remediator.run.ansible.runner import RunConfig, run
from remediator.run.ansible.target import Target
from remediator.run.project import HostSpec
from remediator.run.records.record import RunRecord

SUITE_TIMEOUT: Final = 900.0
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
    )
    result = run(config)
    if result.interrupted:
        raise KeyboardInterrupt
    answers = {r.host: r for r in task_results(result.events)}
    for spec in hosts:
        answer = answers.get(spec.name)
        ok = answer is not None and answer.outcome in (Outcome.OK, Outcome.CHANGED)
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
    folder.mkdir(parents=True, exist_ok=True)
    ini = folder / "pytest.ini"
    replace_text(ini, "[pytest]\n")
    control = Path(tempfile.mkdtemp(prefix="rmcp-", dir="/tmp"))  # testinfra's ssh masters
    try:
        with ExitStack() as stack:
            running = [
                (
                    spec,
                    *_start_suite(
                        target,
                        spec,
                        folder=folder,
                        name=f"{label}-{spec.name}",
                        ini=ini,
                        control=control,
                        stack=stack,
                    ),
                )
                for spec in chosen
            ]
            for spec, process, report, log in running:
                returncode = _wait_suite(process)
                yield from _suite_checks([spec], report, returncode, log)
    finally:
        settle_connections(control, timeout=0)
        shutil.rmtree(control, ignore_errors=True)


def _start_suite(
    target: Target,
    spec: HostSpec,
    *,
    folder: Path,
    name: str,
    ini: Path,
    control: Path,
    stack: ExitStack,
) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """Start pytest on one host's suite; its JSON report and output go to ``folder``."""
    report, log_path = folder / f"{name}-suite.json", folder / f"{name}-pytest.txt"
    report.unlink(missing_ok=True)
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(ini),
        "--rootdir",
        str(target.project.root),
        "-p",
        "no:cacheprovider",
        "-p",
        "remediator.common.suite_report",
        "-q",
        "--ansible-inventory",
        str(target.inventory),
        str(spec.suite),
    ]
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONDONTWRITEBYTECODE": "1",
        REPORT_ENV: str(report),
        CONTROL_DIR_ENV: str(control),
    }
    log = stack.enter_context(log_path.open("w", encoding="utf-8"))
    process = subprocess.Popen(
        target.command(argv),
        cwd=target.project.root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    stack.callback(_reap, process)
    return process, report, log_path


def _wait_suite(process: subprocess.Popen[bytes]) -> int:
    """The suite's exit code; a suite still running after ``SUITE_TIMEOUT`` is killed."""
    try:
        return process.wait(timeout=SUITE_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return -9


def _reap(process: subprocess.Popen[bytes]) -> None:
    """Leave no suite running behind an interrupt or an error."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _suite_checks(
    hosts: Sequence[HostSpec], report: Path, returncode: int, log: Path
) -> Iterator[Check]:
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        tests = data["tests"]
    except (OSError, ValueError, KeyError):
        data, tests = {}, []
    by_suite = {str(h.suite): h.name for h in hosts}
    if returncode not in (0, 1) or not tests:
        tail = log.read_text(encoding="utf-8", errors="replace")[-TAIL:] if log.exists() else ""
        for spec in hosts:
            yield Check(
                spec.name,
                "suite",
                str(spec.suite),
                False,
                detail=f"the testinfra suites did not run (pytest exit {returncode}): "
                f"{tail.strip()}",
            )
        return
    for test in tests:
        host = by_suite.get(str(test["nodeid"]).split("::", 1)[0])
        if host is None:
            continue
        outcome = test["outcome"]
        yield Check(
            host,
            "suite",
            str(test["nodeid"]),
            outcome == "passed",
            skipped=outcome == "skipped",
            detail=str(test.get("message", "")),
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
