"""Properties over random policies and random samples of real corpus findings.

* every distinct finding key gets exactly one decision;
* no decision closes the management port or narrows it below the admin networks,
  whatever the policy allows, denies or excepts and whichever port Ansible uses. The
  management port is derived here from the inventory alone (``tests.unit.classify.
  management``), and every example puts one finding on it (the first host's ansible_port is
  one of its scanned tcp ports), so the property cannot pass by finding nothing to check;
* the same inputs and date give the same plan bytes.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remediator.classify.catalog_load import load_catalog
from remediator.classify.plan import Plan, build_plan
from remediator.classify.policy.read import load_policy
from remediator.ingest.findingset import FindingSet
from remediator.ingest.inventory import Inventory, InventoryHost
from remediator.ingest.model import Finding
from tests.unit.classify.helpers import HEADER, readable_corpus
from tests.unit.classify.management import (
    DEFAULT_MANAGEMENT_PORT,
    check_management_decisions,
    management_port,
)

GROUPS = ("g0", "g1", "g2")
SOURCES = ("[any]", "[internal]", "[admins]", "[203.0.113.0/24]", "[internal, admins]")
SERVICES = sorted(load_catalog().services)
KINDS = sorted(load_catalog().kinds)


def all_findings() -> list[Finding]:
    return [f for _, reports in readable_corpus() for r in reports for f in r.findings]


POOL = all_findings()
TCP_POOL = [f for f in POOL if f.protocol == "tcp" and f.port > 0]
PORTS = sorted({f.port for f in POOL if f.port > 0})


@st.composite
def allow_entry(draw: st.DrawFn, management_ports: set[int]) -> tuple[frozenset[object], str]:
    if draw(st.booleans()):
        name = draw(st.sampled_from(SERVICES))
        ref, ports = f"service: {name}", load_catalog().services[name].ports
        touches = name == "ssh" or any(p in management_ports for _, p in ports)
    else:
        port = draw(st.sampled_from(PORTS))
        ref, ports = f"port: {port}, protocol: tcp", frozenset({("tcp", port)})
        touches = port in management_ports or port == 22
    sources = draw(st.sampled_from(SOURCES))
    if touches and sources not in {"[any]", "[admins]", "[internal, admins]"}:
        sources = "[internal, admins]"  # a policy cutting management is refused at load
    needs = ", needs: [mysql]" if draw(st.booleans()) else ""
    line = f"      - {{{ref}, sources: {sources}{needs}, justification: j, owner: o}}"
    return frozenset(ports), line


@st.composite
def scenario(draw: st.DrawFn) -> tuple[list[Finding], Inventory, str, date]:
    managed = draw(st.sampled_from(TCP_POOL))  # a finding on its host's management port
    findings = [managed, *draw(st.lists(st.sampled_from(POOL), max_size=59))]
    addresses = sorted({f.address for f in findings})
    hosts = []
    for index, address in enumerate(addresses):
        ports = sorted({f.port for f in findings if f.address == address and f.protocol == "tcp"})
        port = draw(st.sampled_from([None, 22, *ports[:5]]))
        if address == managed.address:
            default = managed.port == DEFAULT_MANAGEMENT_PORT and draw(st.booleans())
            port = None if default else managed.port
        groups = tuple(sorted(draw(st.sets(st.sampled_from(GROUPS), max_size=2))))
        hosts.append(InventoryHost(f"h{index}", (address,), groups, port if port else None))
    inventory = Inventory("generated", tuple(hosts), GROUPS)
    management_ports = {management_port(h) for h in hosts}
    lines = ["groups:"]
    for group in GROUPS:
        entries: list[str] = []
        taken: set[object] = set()
        for entry_ports, line in draw(st.lists(allow_entry(management_ports), max_size=4)):
            if not entry_ports & taken:  # a port allowed twice in a group is refused at load
                entries.append(line)
                taken |= entry_ports
        lines += [f"  {group}:", "    allow:", *entries] if entries else [f"  {group}: {{}}"]
    if draw(st.booleans()):
        kind = draw(st.sampled_from(KINDS))
        expires = draw(st.dates(date(2025, 1, 1), date(2028, 1, 1)))
        lines += [
            "exceptions:",
            f"  - {{kind: '{kind}', justification: j, approved_by: a, "
            f"expires: {expires.isoformat()}}}",
        ]
    as_of = date(2026, 11, 25) + timedelta(days=draw(st.integers(-400, 400)))
    return findings, inventory, HEADER + "\n".join(lines) + "\n", as_of


def plan_of(
    directory: Path, findings: list[Finding], inventory: Inventory, policy_text: str, as_of: date
) -> str:
    path = directory / "policy.yml"
    path.write_text(policy_text, encoding="utf-8")
    policy = load_policy(path, inventory)
    names = {h.addresses[0]: h.name for h in inventory.hosts}
    scanned = tuple({f.address: f.host for f in findings}.values())
    finding_set = FindingSet(tuple(findings), scanned, host_names=names)
    plan = build_plan(finding_set, policy, inventory, as_of)
    check_plan(plan, findings, inventory)
    return plan.dumps()


def check_plan(plan: Plan, findings: list[Finding], inventory: Inventory) -> None:
    keys = [d.key for d in plan.decisions]
    assert len(keys) == len(set(keys))
    assert set(keys) == {(f.address, f.protocol, f.port, f.check_id) for f in findings}
    hosts = {h.name: h for h in inventory.hosts}
    assert check_management_decisions(plan.decisions, hosts) >= 1


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_one_decision_per_finding_and_management_never_targeted(
    case: tuple[list[Finding], Inventory, str, date],
) -> None:
    findings, inventory, policy_text, as_of = case
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        first = plan_of(directory, findings, inventory, policy_text, as_of)
        again = plan_of(directory, list(reversed(findings)), inventory, policy_text, as_of)
    assert again == first
