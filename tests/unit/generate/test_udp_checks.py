"""UDP ports closed by the firewall: a test where a request shows the port, a reason where none can.

The generated ``answers`` check runs here against real UDP sockets on the loopback: a
service that answers, one that stays silent, and a closed port (ICMP unreachable); the
same over IPv6 is in test_check_helpers.py.
Against real services (rpcbind, snmpd, memcached) it runs in the lab test
(tests/lab/test_generated_project.py), where each such test must fail before the change.
"""

from __future__ import annotations

import dataclasses
import socket
from types import ModuleType

import pytest

from remediator.classify.model import FirewallBlock
from remediator.classify.plan_document import PlanDecision, PlanDoc
from remediator.generate.jobs import build_jobs
from remediator.generate.probes import UDP_REQUESTS, UDP_SILENT
from remediator.generate.render import template_text
from remediator.generate.testinfra import suite_tests, unasserted
from tests.unit.generate.generated_checks import import_checks, udp_server
from tests.unit.generate.helpers import golden_plan, project


@pytest.fixture(scope="module")
def plan() -> PlanDoc:
    return golden_plan()


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The generated tests/remediator_checks.py, imported."""
    return import_checks(tmp_path_factory.mktemp("checks"))


def test_the_helpers_tested_here_are_the_ones_the_project_ships(plan: PlanDoc) -> None:
    """import_checks writes checks.py.j2 as shipped: so does the generator, byte for byte."""
    shipped = project(plan)["tests/remediator_checks.py"]
    assert shipped == template_text("checks.py.j2").encode("utf-8")


def test_a_service_that_answers_is_seen(checks: ModuleType) -> None:
    with udp_server("127.0.0.1", answer=True) as server:
        assert checks.answers("127.0.0.1", server.port, "memcached") is True
    assert server.received == [checks.UDP_REQUESTS["memcached"]]


def test_a_silent_port_is_not(checks: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "UDP_SECONDS", 0.2)
    with udp_server("127.0.0.1", answer=False) as server:
        assert checks.answers("127.0.0.1", server.port, "snmp") is False
    assert len(server.received) == checks.UDP_TRIES  # it did ask, each time


def test_a_closed_port_is_not(checks: ModuleType) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
    assert checks.answers("127.0.0.1", port, "dns") is False


def test_every_udp_port_of_the_generator_has_a_request_in_the_suite(checks: ModuleType) -> None:
    assert set(UDP_REQUESTS.values()) == set(checks.UDP_REQUESTS)
    assert all(isinstance(r, bytes) and r for r in checks.UDP_REQUESTS.values())


def _with_udp_blocks(plan: PlanDoc, *ports: int) -> PlanDoc:
    base = next(d for d in plan.decisions if d.host == "cache.lab" and d.check_id == "port-open")
    extra: list[PlanDecision] = [
        dataclasses.replace(
            base, protocol="udp", port=p, check_id=f"x:udp{p}", actions=(FirewallBlock("udp", p),)
        )
        for p in ports
    ]
    return dataclasses.replace(plan, decisions=(*plan.decisions, *extra))


def test_a_known_udp_port_gets_a_test_and_an_unknown_one_a_reason(plan: PlanDoc) -> None:
    changed = _with_udp_blocks(plan, 123, 5353)
    job = next(j for j in build_jobs(changed) if j.name == "cache.lab")
    tests = {t.name: t for t in suite_tests(job)}
    ntp = [t for t in tests.values() if t.port == 123]
    assert [(t.kind, t.protocol, t.args) for t in ntp] == [("blocked", "udp", ("ntp",))]
    assert not [t for t in tests.values() if t.port == 5353]
    reasons = {u.key: u.reason for u in unasserted(job)}
    assert list(reasons.values()) == [UDP_SILENT]
    assert next(iter(reasons)).endswith("/udp/5353/x:udp5353")
    module = project(changed)["tests/test_cache_lab.py"].decode()
    assert f"answers({ntp[0].address!r}, 123, 'ntp')" in module
    assert "/udp/5353/x:udp5353" in module.split("UNASSERTED = {", 1)[1]


def test_the_lab_plan_asserts_every_udp_firewall_change(plan: PlanDoc) -> None:
    """The lab's UDP blocks and restrictions (rpcbind, SNMP, memcached) are all tested."""
    udp = {i.key for j in build_jobs(plan) for i in j.firewall if i.protocol == "udp"}
    tested = {k for j in build_jobs(plan) for t in suite_tests(j) for k in t.keys}
    assert len(udp) == 6
    assert udp <= tested
    assert all(unasserted(j) == () for j in build_jobs(plan))


def test_the_suites_load(plan: PlanDoc) -> None:
    """Every generated module compiles (the template's UDP branch included)."""
    for path, data in project(_with_udp_blocks(plan, 161, 5353)).items():
        if path.startswith("tests/") and path.endswith(".py"):
            compile(data, path, "exec")
