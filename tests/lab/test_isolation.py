"""The controller reaches the lab subnet and nothing else; subnets that clash are refused."""

from __future__ import annotations

import errno
import ipaddress
import json
import subprocess

import pytest

from remediator.errors import InputError, RefusedError
from remediator.lab import network
from remediator.lab.config import LabConfig

from .helpers import Lab

pytestmark = pytest.mark.lab

# Documentation ranges (RFC 5737 / RFC 3849): never anyone's real host. With no route
# to them the kernel refuses the connect itself, so no packet leaves the namespace.
OUTSIDE = ("198.51.100.7", "2001:db8::7")


def _routes(namespace: str, family: str) -> list[dict[str, object]]:
    done = subprocess.run(
        ["ip", "-j", "-n", namespace, family, "route", "show", "table", "all"],
        capture_output=True,
        text=True,
        check=True,
    )
    routes: list[dict[str, object]] = json.loads(done.stdout)
    return routes


def test_no_namespace_of_the_lab_has_a_default_route(lab: Lab) -> None:
    config = lab.config
    spaces = [config.controller_ns, config.bridge_ns, *map(config.host_ns, config.hosts)]
    for namespace in spaces:
        for family in ("-4", "-6"):
            destinations = {str(r.get("dst")) for r in _routes(namespace, family)}
            assert "default" not in destinations, (namespace, family)


def test_the_controller_routes_only_the_lab_subnets(lab: Lab) -> None:
    config = lab.config
    for family, subnet in (("-4", config.subnet4), ("-6", config.subnet6)):
        for route in _routes(config.controller_ns, family):
            if route.get("table") == "local" or str(route.get("dst", "")).startswith(
                ("fe80", "ff00", "multicast")
            ):
                continue
            dst = ipaddress.ip_network(str(route["dst"]), strict=False)
            assert dst.subnet_of(subnet), route  # type: ignore[arg-type]


@pytest.mark.parametrize("outside", OUTSIDE)
def test_the_controller_cannot_reach_an_address_outside_the_lab(lab: Lab, outside: str) -> None:
    route = lab.in_controller(["ip", "route", "get", outside])
    assert route.returncode != 0
    assert "unreachable" in route.stderr.lower()
    done = lab.probe("connect", outside, "80")
    result = json.loads(done.stdout)
    assert result["open"] is False
    assert result["errno"] == errno.ENETUNREACH


def test_the_controller_reaches_every_lab_host(lab: Lab) -> None:
    for host in lab.config.hosts:
        for address in host.addresses:
            done = lab.probe("connect", address, "22")
            assert json.loads(done.stdout) == {"open": True}, (host.name, address)


def test_up_refuses_a_subnet_that_overlaps_a_route_of_the_machine(lab: Lab) -> None:
    clash = ipaddress.IPv4Network("10.213.77.0/24")
    # An "unreachable" route sends nothing anywhere; it only makes the subnet taken.
    subprocess.run(["ip", "route", "add", "unreachable", "10.213.77.128/25"], check=True)
    try:
        with pytest.raises(RefusedError, match="overlaps this machine's route"):
            network.check_subnets(LabConfig(subnet4=clash, state_dir=lab.config.state_dir))
    finally:
        subprocess.run(["ip", "route", "del", "unreachable", "10.213.77.128/25"], check=True)
    network.check_subnets(LabConfig(subnet4=clash, state_dir=lab.config.state_dir))


def test_up_refuses_a_subnet_that_is_not_private(lab: Lab) -> None:
    public = LabConfig(subnet4=ipaddress.IPv4Network("198.51.100.0/24"))
    with pytest.raises(InputError, match="not a private"):
        network.check_subnets(public)
    not_ula = LabConfig(subnet6=ipaddress.IPv6Network("2001:db8:213::/64"))
    with pytest.raises(InputError, match="not an IPv6 ULA"):
        network.check_subnets(not_ula)
