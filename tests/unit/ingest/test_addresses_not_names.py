"""A finding reaches an inventory host only through an address, never through a name.

Reverse DNS, NetBIOS and FQDN fields of a scan are written by whoever controls the
scanned machine or its DNS zone; if such a name could pick an inventory host, the
attacker's address would get (and even become, in the generated inventory) the real
host's remediation. These tests pin that down at each stage: ingest's mapping, the
plan's recorded addresses and where each came from, and generate's inventory.
DNS is never queried for real: every test that resolves injects a fake resolver.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remediator.classify.plan import build_plan
from remediator.classify.plan_document import from_plan, parse_plan
from remediator.classify.policy.read import load_policy
from remediator.cli import main
from remediator.errors import InputError
from remediator.generate.project import Options, build_project
from remediator.generate.roles import load_roles
from remediator.ingest.findingset import HostMatcher, load_findings
from remediator.ingest.inventory import Inventory, load_inventory
from remediator.ingest.model import ScannedHost

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "inventory"
TAKEOVER = FIXTURES / "name-takeover.csv"
AS_OF = date(2026, 11, 30)
GENERATED_AT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
POLICY = """\
version: 1
networks:
  admins: [192.0.2.1/32]
management:
  service: ssh
  sources: [admins]
groups:
  linux:
    allow:
      - service: ssh
        sources: [admins]
        justification: Ansible management
        owner: platform-team
"""
DNS = {
    "db1.example.org": ("2001:db8::20", "192.0.2.20", "192.0.2.20"),
    "app1.example.org": ("192.0.2.30",),
}


class FakeResolver:
    """Answers from a table and counts the questions (real DNS is never asked)."""

    def __init__(self, table: dict[str, Sequence[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    def __call__(self, name: str) -> Sequence[str]:
        self.asked.append(name)
        return self.table.get(name, ())


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return load_inventory(FIXTURES / "hosts.yml")


def _policy(tmp_path: Path, inventory: Inventory) -> object:
    path = tmp_path / "policy.yml"
    path.write_text(POLICY)
    return load_policy(path, inventory)


def test_a_scan_hostname_equal_to_an_inventory_name_does_not_map_to_it(
    inventory: Inventory,
) -> None:
    """192.0.2.99 calls itself web2 and DB1.example.org.: it stays unmatched."""
    found = load_findings([TAKEOVER], inventory=inventory)
    assert found.inventory_host("192.0.2.99") is None
    assert "192.0.2.99" in found.unmatched
    # web2's own address keeps mapping to web2 though the scan calls it web1
    assert found.inventory_host("192.0.2.11") == "web2"


def test_a_name_spelled_as_the_scanned_address_does_not_map(inventory: Inventory) -> None:
    """A scan whose 'address' is a host name is scan data too: no host by name."""
    assert HostMatcher(inventory)(ScannedHost("web2")) is None
    assert HostMatcher(inventory)(ScannedHost("DB1.EXAMPLE.ORG")) is None


def test_the_plan_gives_the_named_addresses_no_host(tmp_path: Path, inventory: Inventory) -> None:
    policy = _policy(tmp_path, inventory)
    plan = build_plan(load_findings([TAKEOVER], inventory=inventory), policy, inventory, AS_OF)  # type: ignore[arg-type]
    hosts = {d.address: d.host for d in plan.decisions}
    assert hosts["192.0.2.99"] is None
    assert hosts["192.0.2.11"] == "web2"
    assert "192.0.2.99" in plan.unmatched


def test_plan_output_prints_scan_names_beside_unmatched_addresses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    argv = ["plan", str(TAKEOVER), "--policy", str(policy)]
    assert main([*argv, "--inventory", str(FIXTURES / "hosts.yml"), "--as-of", "2026-11-30"]) == 0
    out = capsys.readouterr().err  # plan warnings go to stderr (issue 15)
    line = next(x for x in out.splitlines() if "192.0.2.99" in x and "unmatched" in x)
    assert "web2" in line
    assert "DB1.example.org." in line


def test_ingest_prints_scan_names_as_hints_beside_unmatched(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ingest", str(TAKEOVER), "--inventory", str(FIXTURES / "hosts.yml")]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("unmatched"))
    assert "192.0.2.99" in line
    assert "web2" in line  # a hint, printed beside the address


def _doc_with_addresses(plan_json: str, host: str, addresses: list[object]) -> bytes:
    document = json.loads(plan_json)
    document["hosts"][host]["addresses"] = addresses
    return json.dumps(document, indent=2).encode("utf-8")


def _plan_json(tmp_path: Path) -> str:
    """A plan with decisions for web2 (scanned on its inventory address 192.0.2.11)."""
    inv = load_inventory(FIXTURES / "hosts.yml")
    policy = _policy(tmp_path, inv)
    return build_plan(load_findings([TAKEOVER], inventory=inv), policy, inv, AS_OF).dumps()  # type: ignore[arg-type]


def test_generate_refuses_a_host_whose_address_the_plan_does_not_give(tmp_path: Path) -> None:
    """A plan (hand-edited, or from before this fix) with decisions for a host that has
    no recorded address: generate must not take the decision's scanned address."""
    raw = _doc_with_addresses(_plan_json(tmp_path), "web2", [])
    plan = parse_plan(raw, "plan.json")
    with pytest.raises(InputError, match=r"web2") as caught:
        build_project(plan, Options(generated_at=GENERATED_AT), load_roles())
    assert "\n" not in str(caught.value)


def test_generate_cli_refuses_with_exit_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(_doc_with_addresses(_plan_json(tmp_path), "web2", []))
    assert main(["generate", str(path), "-o", str(tmp_path / "project")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "web2" in err
    assert not (tmp_path / "project" / "inventory.yml").exists()


def test_generate_takes_the_plans_recorded_address(tmp_path: Path) -> None:
    plan = parse_plan(_plan_json(tmp_path).encode("utf-8"), "plan.json")
    files = build_project(plan, Options(generated_at=GENERATED_AT), load_roles())
    hosts = yaml.safe_load(files["inventory.yml"])["all"]["hosts"]
    assert hosts["web2"]["ansible_host"] == "192.0.2.11"


def test_the_plan_records_where_each_address_came_from(tmp_path: Path) -> None:
    document = json.loads(_plan_json(tmp_path))
    assert document["hosts"]["web1"]["addresses"] == [
        {"address": "192.0.2.10", "origin": "ansible_host"},
        {"address": "2001:db8::10", "origin": "remediator_addresses"},
        {"address": "198.51.100.10", "origin": "remediator_addresses"},
    ]
    assert document["hosts"]["203.0.113.7"]["addresses"] == [
        {"address": "203.0.113.7", "origin": "inventory_hostname"}
    ]


def test_dns_name_ansible_host_is_resolved_once_through_the_injected_resolver() -> None:
    resolver = FakeResolver(dict(DNS))
    inventory = load_inventory(FIXTURES / "by-dns.yml", resolver=resolver)
    assert sorted(resolver.asked) == ["app1.example.org", "db1.example.org"]  # web2 has an IP
    db1 = inventory.host("db1")
    assert db1.addresses == ("192.0.2.20", "2001:db8::20")
    assert db1.origin("192.0.2.20") == "dns:db1.example.org"
    assert inventory.match("2001:db8:0:0::20") is db1
    assert inventory.match("192.0.2.30") is inventory.host("app1.example.org")
    assert inventory.match("192.0.2.11") is inventory.host("web2")


def test_unresolvable_names_give_no_address_and_no_error() -> None:
    inventory = load_inventory(FIXTURES / "by-dns.yml", resolver=FakeResolver({}))
    assert inventory.host("db1").addresses == ()
    assert inventory.match("192.0.2.20") is None


def test_resolved_addresses_reach_the_plan_and_a_byte_identical_project(tmp_path: Path) -> None:
    resolver = FakeResolver(dict(DNS))
    inventory = load_inventory(FIXTURES / "by-dns.yml", resolver=resolver)
    scan = tmp_path / "scan.csv"
    scan.write_text("address,port,service\n192.0.2.20,23,telnet\n192.0.2.30,21,ftp\n")
    policy = _policy(tmp_path, inventory)
    plan = build_plan(load_findings([scan], inventory=inventory), policy, inventory, AS_OF)  # type: ignore[arg-type]
    assert {d.address: d.host for d in plan.decisions} == {
        "192.0.2.20": "db1",
        "192.0.2.30": "app1.example.org",
    }
    document = json.loads(plan.dumps())
    assert document["hosts"]["db1"]["addresses"] == [
        {"address": "192.0.2.20", "origin": "dns:db1.example.org"},
        {"address": "2001:db8::20", "origin": "dns:db1.example.org"},
    ]
    asked = len(resolver.asked)
    first = build_project(from_plan(plan), Options(generated_at=GENERATED_AT), load_roles())
    second = build_project(
        parse_plan(plan.dumps().encode(), "plan.json"),
        Options(generated_at=GENERATED_AT),
        load_roles(),
    )
    assert len(resolver.asked) == asked  # generate never resolves
    hosts = yaml.safe_load(first["inventory.yml"])["all"]["hosts"]
    assert hosts["db1"]["ansible_host"] == "192.0.2.20"
    assert hosts["app1.example.org"]["ansible_host"] == "192.0.2.30"
    assert {k: v for k, v in first.items() if k != "remediator-manifest.json"} == {
        k: v for k, v in second.items() if k != "remediator-manifest.json"
    }


def test_plan_cli_resolves_through_the_default_resolver_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from remediator.ingest import resolve

    resolver = FakeResolver(dict(DNS))
    monkeypatch.setattr(resolve, "system_resolver", resolver)
    scan = tmp_path / "scan.csv"
    scan.write_text("address,port,service\n192.0.2.20,23,telnet\n")
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    out = tmp_path / "plan.json"
    argv = ["plan", str(scan), "--policy", str(policy), "--inventory"]
    assert main([*argv, str(FIXTURES / "by-dns.yml"), "--as-of", "2026-11-30", "-o", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["hosts"]["db1"]["addresses"][0] == {
        "address": "192.0.2.20",
        "origin": "dns:db1.example.org",
    }
    assert sorted(set(resolver.asked)) == ["app1.example.org", "db1.example.org"]


BY_ADDRESS = {"192.0.2.10": "web1", "192.0.2.11": "web2", "2001:db8::10": "web1"}
"""The hosts of ``fixtures/inventory/hosts.yml`` the sampled addresses belong to."""

_NAMES = st.sampled_from(["web1", "WEB2", "db1.example.org", "DB1.example.org.", "203.0.113.7"])


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    address=st.sampled_from(["192.0.2.10", "192.0.2.11", "192.0.2.99", "2001:db8::10", "x"]),
    names=st.lists(st.one_of(_NAMES, st.text(max_size=30)), max_size=4),
)
def test_property_no_scan_name_changes_which_host_an_address_maps_to(
    inventory: Inventory, address: str, names: list[str]
) -> None:
    plain = HostMatcher(inventory)(ScannedHost(address))
    named = HostMatcher(inventory)(ScannedHost(address, tuple(names)))
    assert plain == BY_ADDRESS.get(address)  # the property is about real matches too
    assert named == plain


def test_generate_with_inventory_takes_its_address_else_the_plans(tmp_path: Path) -> None:
    """--inventory: a DNS-name ansible_host is kept as written; a host with neither
    ansible_host nor an address gets the plan's resolver address, never a scanned one."""
    inventory = load_inventory(FIXTURES / "by-dns.yml", resolver=FakeResolver(dict(DNS)))
    scan = tmp_path / "scan.csv"
    scan.write_text("address,port,service\n192.0.2.20,23,telnet\n192.0.2.30,21,ftp\n")
    policy = _policy(tmp_path, inventory)
    plan = build_plan(load_findings([scan], inventory=inventory), policy, inventory, AS_OF)  # type: ignore[arg-type]
    path = tmp_path / "plan.json"
    path.write_text(plan.dumps())
    out = tmp_path / "project"
    argv = ["generate", str(path), "-o", str(out), "--inventory", str(FIXTURES / "by-dns.yml")]
    assert main(argv) == 0
    hosts = yaml.safe_load((out / "inventory.yml").read_text())["all"]["hosts"]
    assert hosts["db1"]["ansible_host"] == "db1.example.org"
    assert hosts["app1.example.org"]["ansible_host"] == "192.0.2.30"


def test_an_address_the_inventory_asserts_wins_over_one_dns_gives() -> None:
    """db1's DNS answer names web2's ansible_host: the address stays web2's."""
    resolver = FakeResolver({"db1.example.org": ("192.0.2.11",)})
    inventory = load_inventory(FIXTURES / "by-dns.yml", resolver=resolver)
    assert inventory.host("db1").addresses == ("192.0.2.11",)
    assert inventory.match("192.0.2.11") is inventory.host("web2")
