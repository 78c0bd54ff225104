"""Property: no disable_service ever names what the management service or a kept service uses.

Generated inventories (ansible_port or not), policies (allow entries by service or port,
needs, deny entries) and findings: real corpus findings moved onto the generated hosts,
plus the real sshd record of ``fixtures/kept-listeners.xml`` on each host's management
port and on one more port. The management port is derived independently of the code
under test (the inventory's ansible_port, else 22: ``tests.unit.classify.management``),
and every example must have examined at least one decision on it or on the management
daemon, so the property cannot pass by finding nothing to check.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from remediator.classify.catalog import ServiceEntry
from remediator.classify.catalog_load import load_catalog
from remediator.classify.model import DisableService
from remediator.classify.plan import build_plan
from remediator.classify.policy.read import load_policy
from remediator.classify.problems import PolicyFileError
from remediator.ingest.findingset import FindingSet
from remediator.ingest.inventory import Inventory, InventoryHost
from remediator.ingest.model import Finding
from remediator.ingest.reader import read_scan
from tests.unit.classify.helpers import AS_OF, HEADER, readable_corpus
from tests.unit.classify.management import management_port

CATALOG = load_catalog()
SERVICES = sorted(CATALOG.services)
GROUPS = ("g0", "g1", "g2")
SOURCES = ("[any]", "[internal]", "[admins]", "[internal, admins]")
SAFE_SOURCES = ("[any]", "[admins]", "[internal, admins]")
SCAN = Path(__file__).resolve().parent / "fixtures" / "kept-listeners.xml"
SSHD = next(f for r in read_scan(SCAN) for f in r.findings if f.port == 22)
POOL = [f for _, reports in readable_corpus() for r in reports for f in r.findings if f.port > 0]
PORTS = sorted({f.port for f in POOL if f.protocol == "tcp"} | {22, 25, 443, 2222})


@dataclass(frozen=True)
class Entry:
    """One generated allow or deny entry: by service name or by tcp port."""

    service: str | None
    port: int | None
    needs: tuple[str, ...] = ()

    @property
    def catalog_service(self) -> ServiceEntry | None:
        if self.service is not None:
            return CATALOG.services[self.service]
        return CATALOG.by_port("tcp", self.port) if self.port else None

    @property
    def ports(self) -> frozenset[tuple[str, int]]:
        if self.service is not None:
            return CATALOG.services[self.service].ports
        return frozenset({("tcp", self.port or 0)})

    def ref(self) -> str:
        return f"service: {self.service}" if self.service else f"port: {self.port}, protocol: tcp"


@dataclass(frozen=True)
class Case:
    findings: list[Finding]
    inventory: Inventory
    allow: dict[str, list[Entry]]
    deny: dict[str, list[Entry]]
    policy_text: str


def moved(finding: Finding, address: str, port: int | None = None) -> Finding:
    return replace(finding, host=replace(finding.host, address=address), port=port or finding.port)


@st.composite
def entry(draw: st.DrawFn) -> Entry:
    if draw(st.booleans()):
        return Entry(draw(st.sampled_from(SERVICES)), None)
    return Entry(None, draw(st.sampled_from(PORTS)))


def touches_management(item: Entry, ports: set[int]) -> bool:
    return item.service == "ssh" or any(p in ports for _, p in item.ports)


@st.composite
def case(draw: st.DrawFn) -> Case:
    count = draw(st.integers(1, 3))
    hosts, findings = [], []
    for index in range(count):
        address = f"10.213.0.{30 + index}"
        port = draw(st.sampled_from([None, 22, 2200, 9100]))
        groups = tuple(sorted(draw(st.sets(st.sampled_from(GROUPS), max_size=2))))
        host = InventoryHost(f"h{index}", (address,), groups, port)
        hosts.append(host)
        mport = management_port(host)
        extra = draw(st.sampled_from([p for p in (22, 2222, 8022, 443) if p != mport]))
        findings += [moved(SSHD, address, mport), moved(SSHD, address, extra)]
        findings += [moved(f, address) for f in draw(st.lists(st.sampled_from(POOL), max_size=8))]
    inventory = Inventory("generated", tuple(hosts), GROUPS)
    mports = {management_port(h) for h in hosts}
    allow: dict[str, list[Entry]] = {}
    deny: dict[str, list[Entry]] = {}
    lines = ["groups:"]
    for group in GROUPS:
        taken: set[tuple[str, int]] = set()
        allow[group], deny[group], body = [], [], []
        for item in draw(st.lists(entry(), max_size=4)):
            if item.ports & taken:
                continue  # a port allowed twice in a group is refused at load
            taken |= item.ports
            sources = draw(st.sampled_from(SOURCES))
            if touches_management(item, mports) and sources not in SAFE_SOURCES:
                sources = "[internal, admins]"  # cutting management is refused at load
            needs = ("mysql",) if draw(st.booleans()) else ()
            allow[group].append(replace(item, needs=needs))
            need_text = f", needs: [{needs[0]}]" if needs else ""
            body.append(
                f"      - {{{item.ref()}, sources: {sources}{need_text}, "
                f"justification: j, owner: o}}"
            )
        denied = [d for d in draw(st.lists(entry(), max_size=2)) if not d.ports & taken]
        denied = [d for d in denied if not touches_management(d, mports)]
        deny[group] = denied
        lines += [f"  {group}:", "    allow:", *body] if body else [f"  {group}:", "    allow: []"]
        if denied:
            lines += ["    deny:", *(f"      - {{{d.ref()}, reason: r}}" for d in denied)]
    return Case(findings, inventory, allow, deny, HEADER + "\n".join(lines) + "\n")


def provided(service: ServiceEntry | None) -> set[str]:
    if service is None:
        return set()
    return set(service.linux.runtime) | set(service.linux.packages)


def kept_ids(item: Case, host: InventoryHost) -> set[str]:
    """What the management service and every kept (allowed, not denied) service use."""
    ids = provided(CATALOG.services["ssh"])
    denies = [d for g in host.groups for d in item.deny.get(g, [])]
    for group in host.groups:
        for allowed in item.allow.get(group, []):
            if any(
                (d.service is not None and d.service == allowed.service) or d.ports & allowed.ports
                for d in denies
            ):
                continue
            service = allowed.catalog_service
            ids |= provided(service)
            for name in (*allowed.needs, *(service.needs if service else ())):
                ids |= provided(CATALOG.services.get(name))
    return ids


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case())
def test_no_disable_service_touches_management_or_kept_services(item: Case) -> None:
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "policy.yml"
        path.write_text(item.policy_text, encoding="utf-8")
        try:
            policy = load_policy(path, item.inventory)
        except PolicyFileError:
            assume(False)  # e.g. an entry both allowed and denied: refused at load, fine
            raise
        names = {h.addresses[0]: h.name for h in item.inventory.hosts}
        scanned = tuple({f.address: f.host for f in item.findings}.values())
        plan = build_plan(
            FindingSet(tuple(item.findings), scanned, host_names=names),
            policy,
            item.inventory,
            AS_OF,
        )
    hosts = {h.name: h for h in item.inventory.hosts}
    examined = 0
    for decision in plan.decisions:
        host = hosts[decision.host or ""]
        protected = kept_ids(item, host)
        if decision.port == management_port(host) or decision.service == "ssh":
            examined += 1
        for action in decision.actions:
            if isinstance(action, DisableService):
                ids = {*action.units, *action.sockets, *action.packages}
                ids |= {f"inetd:{n}" for n in action.inetd}
                assert not ids & protected, (decision.key, sorted(ids & protected))
    assert examined >= len(hosts)
    document = plan.to_json()["hosts"]
    for name, host in hosts.items():
        ports = document[name]["protected_ports"]
        assert {"protocol": "tcp", "port": management_port(host), "service": "ssh"} in ports
