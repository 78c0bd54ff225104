"""The controller's share of the before/after proof: the suites before a batch, read per finding.

The playbook records its on-host fix checks itself (:mod:`remediator.run.records.proof`).
The controller adds its view: each batch's testinfra suites run once before the play
(a fix test failing there shows the weakness present from outside: a port reachable, a
weak handshake accepted) and once after it, within the batch's verification
(:func:`remediator.run.apply.postcheck.verify_batch`). A test stands for the finding keys
its suite's ``KEYS`` names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from remediator.generate.suites import read_suite
from remediator.run.ansible.target import Target
from remediator.run.apply.postcheck import Check, suites
from remediator.run.project import HostSpec
from remediator.run.records.proof import SUITE, Observation, Observations
from remediator.run.records.record import RunRecord

TestKeys = Mapping[str, Mapping[str, tuple[str, ...]]]
"""host -> test function name -> the finding keys it stands for."""


def suites_before(
    target: Target, record: RunRecord, hosts: Sequence[HostSpec], label: str
) -> tuple[Check, ...]:
    """The batch's suites before its change; recorded as ``checks/<label>-before.json``."""
    chosen = [h for h in hosts if h.suite]
    if not chosen:
        return ()
    checks = tuple(suites(target, record, chosen, f"{label}-before"))
    record.write(f"checks/{label}-before.json", [c.to_json() for c in checks])
    return checks


def test_keys(
    target: Target, hosts: Iterable[HostSpec]
) -> dict[str, Mapping[str, tuple[str, ...]]]:
    """The keys each host's suite tests stand for, read from the suites' ``KEYS``."""
    root = target.project.root
    return {h.name: read_suite(root / str(h.suite), root).keys for h in hosts if h.suite}


def suite_observations(checks: Iterable[Check], keys: TestKeys) -> Observations:
    """Each suite test's outcome, under every finding key its test stands for."""
    found: Observations = {}
    for check in checks:
        if check.kind != "suite" or check.host not in keys:
            continue
        name = check.name.split("::", 1)[-1].split("[", 1)[0]
        seen = Observation(SUITE, check.name, None if check.skipped else check.passed, check.detail)
        for key in keys[check.host].get(name, ()):
            found.setdefault((check.host, key), []).append(seen)
    return found
