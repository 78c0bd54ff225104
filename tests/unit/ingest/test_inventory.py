"""Inventory reading through ansible-core and the address -> host mapping."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remediator.errors import InputError
from remediator.ingest.inventory import Inventory, InventoryHost, hosts_matching, load_inventory

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "inventory"


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return load_inventory(FIXTURES / "hosts.yml")


def test_hosts_groups_and_addresses(inventory: Inventory) -> None:
    web1 = inventory.host("web1")
    assert web1.addresses == ("192.0.2.10", "2001:db8::10", "198.51.100.10")
    assert web1.groups == ("linux", "web")
    assert web1.port == 2222
    assert inventory.host("web2").port is None
    assert inventory.host("winbox").var("ansible_os_family") == "Windows"
    assert set(inventory.groups) >= {"linux", "web", "db", "windows"}
    assert [h.name for h in inventory.group_hosts("linux")] == ["web1", "web2", "db1.example.org"]


def test_match_by_ansible_host_and_further_addresses(inventory: Inventory) -> None:
    assert _name(inventory.match("192.0.2.10")) == "web1"
    assert _name(inventory.match("2001:0db8:0000::0010")) == "web1"  # v6 spelled another way
    assert _name(inventory.match("198.51.100.10")) == "web1"
    assert _name(inventory.match("203.0.113.7")) == "203.0.113.7"  # the host's name is its IP


def test_names_never_match_only_addresses_do(inventory: Inventory) -> None:
    """Issue 13: a scan's name (or a name in the address field) is scan data; it used to
    map 192.0.2.99 calling itself DB1.example.org. to that host. Now nothing by name."""
    assert inventory.match("web2") is None
    assert inventory.match("db1.example.org") is None
    assert inventory.host("db1.example.org").addresses == ()  # DNS-name ansible_host, unresolved


def test_an_address_that_is_not_an_ip_is_compared_as_written(inventory: Inventory) -> None:
    assert inventory.match("192.168.1.1001") is None
    assert inventory.match("x.x.x.x") is None


def test_ini_and_directory_inventories_read_the_same_way() -> None:
    ini = load_inventory(FIXTURES / "hosts.ini")
    assert _name(ini.match("192.0.2.10")) == "web1"
    assert ini.host("web1").port == 2222
    assert ini.host("web1").groups == ("linux", "web")
    directory = load_inventory(FIXTURES / "dir")
    mx1 = directory.host("mx1")
    assert mx1.addresses == ("192.0.2.25", "2001:db8::25")
    assert mx1.var("ansible_user") == "admin"


def test_unreadable_inventories_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such inventory"):
        load_inventory(tmp_path / "missing.yml")
    with pytest.raises(InputError, match=r"broken\.yml: not a readable Ansible inventory"):
        load_inventory(FIXTURES / "broken.yml")


def _name(host: InventoryHost | None) -> str | None:
    return host.name if host else None


addresses = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
)
names = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    hosts=st.dictionaries(
        names, st.lists(addresses, min_size=1, max_size=3, unique=True), min_size=1, max_size=6
    ),
    stranger=addresses,
)
def test_property_every_listed_address_maps_to_its_host(
    tmp_path: Path, hosts: dict[str, list[str]], stranger: str
) -> None:
    """Any address an inventory lists maps to the host listing it, in any spelling;
    an address no host lists maps to none."""
    owners: dict[str, str] = {}
    for name, listed in hosts.items():
        for address in listed:
            owners.setdefault(str(ipaddress.ip_address(address)), name)
    document = {
        "all": {
            "hosts": {
                name: {"ansible_host": listed[0], "remediator_addresses": listed[1:]}
                for name, listed in hosts.items()
            }
        }
    }
    path = tmp_path / f"inv-{abs(hash(str(hosts)))}.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    inventory = load_inventory(path)
    for address, owner in owners.items():
        exploded = ipaddress.ip_address(address).exploded
        assert _name(inventory.match(exploded)) == owner
    if str(ipaddress.ip_address(stranger)) not in owners:
        assert inventory.match(stranger) is None


def test_unreadable_inventory_is_an_error_even_when_ansible_was_imported_first() -> None:
    """Ansible reads its config at import: the strict setting must not depend on import order."""
    import subprocess
    import sys

    script = (
        "import ansible.constants\n"
        "from pathlib import Path\n"
        "from remediator.errors import InputError\n"
        "from remediator.ingest.inventory import load_inventory\n"
        "try:\n"
        f"    load_inventory(Path({str(FIXTURES / 'broken.yml')!r}))\n"
        "except InputError:\n"
        "    raise SystemExit(0)\n"
        "raise SystemExit(1)\n"
    )
    assert subprocess.run([sys.executable, "-c", script], check=False).returncode == 0


HOST_GROUPS = {"web1": ("web", "dmz"), "web2": ("web",), "db1": ("db",), "10.0.0.9": ()}


@pytest.mark.parametrize(
    ("pattern", "chosen"),
    [
        ("web", {"web1", "web2"}),
        ("web:db", {"web1", "web2", "db1"}),
        ("web,db", {"web1", "web2", "db1"}),
        ("all:!web", {"db1", "10.0.0.9"}),
        ("web:&dmz", {"web1"}),
        ("web*", {"web1", "web2"}),
        ("~^d", {"db1", "web1"}),  # db1, and the groups db and dmz
        ("10.0.0.*", {"10.0.0.9"}),
        ("db1", {"db1"}),
    ],
)
def test_a_limit_is_matched_as_ansible_matches_it(pattern: str, chosen: set[str]) -> None:
    assert hosts_matching(HOST_GROUPS, pattern, "inv") == chosen


@pytest.mark.parametrize("pattern", ["nothere", "localhost", "web:&db"])
def test_a_limit_that_matches_no_host_is_bad_input(pattern: str) -> None:
    with pytest.raises(InputError, match=r"inv: the limit .* matches no host"):
        hosts_matching(HOST_GROUPS, pattern, "inv")
