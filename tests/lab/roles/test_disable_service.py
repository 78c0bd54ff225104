"""disable_service on lab hosts: telnet (inetd, v4+v6), rpcbind (service + socket),
snmpd (package removal), MariaDB named by its unit and both alias names Debian ships
(mysql.service, mysqld.service) on legacy; an Accept=yes socket on cache.

One module-scoped scenario runs the role once per mode on both hosts (check on the fresh
hosts, converge, converge again, check again, reboot); the tests read its observations,
each first asserting the weakness was there. The second converge and check run over units
the first one masked, alias names of a masked unit included: safe to repeat.

The on-host guard: asked to disable ssh (by its alias sshd) while 22/tcp is protected, the
role fails before any change, naming the unit and the port.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from remediator.lab.config import Host, LabConfig
from tests.lab.helpers import Lab
from tests.lab.roles.conftest import record
from tests.lab.roles.harness import RoleRun, Runner, name_of, nmap_states, on_host, restart_host

pytestmark = pytest.mark.lab
LAB_RESET_HOSTS = ("legacy", "cache")

LEGACY_UNITS = (
    "rpcbind.service",
    "rpcbind.socket",
    "snmpd.service",
    "mariadb.service",
    "mysql.service",
    "ssh.service",
)
PROTECTED = [{"protocol": "tcp", "port": 22}]
"""The management port, as the generated project protects it."""


def items(config: LabConfig) -> dict[str, dict[str, Any]]:
    legacy, cache = config.host("legacy"), config.host("cache")
    a, c = legacy.address4, cache.address4
    return {
        name_of(legacy): {
            "disable_service_items": [
                {
                    "key": f"{a}/tcp/23/port-open",
                    "reason": "telnet is cleartext",
                    "units": ["telnet.socket"],
                    "inetd": ["telnet"],
                },
                {
                    "key": f"{a}/tcp/111/port-open",
                    "reason": "rpcbind not needed",
                    "units": ["rpcbind.service"],
                    "sockets": ["rpcbind.socket"],
                },
                {
                    "key": f"{a}/udp/161/port-open",
                    "reason": "SNMP public community",
                    "units": ["snmpd"],
                    "packages": ["snmpd"],
                    "remove_package": True,
                },
                {
                    # as the plan names it (the catalog's mysql entry)
                    "key": f"{a}/tcp/3306/port-open",
                    "reason": "forgotten database",
                    "units": ["mariadb.service", "mysql.service", "mysqld.service"],
                    "sockets": ["mariadb.socket"],
                    "packages": ["mariadb-server", "mysql-server"],
                },
            ],
            "disable_service_protected_ports": PROTECTED,
        },
        name_of(cache): {
            "disable_service_items": [
                {
                    "key": f"{c}/tcp/7/port-open",
                    "reason": "forgotten echo service",
                    "units": ["lab-echo.socket"],
                },
            ],
            "disable_service_protected_ports": PROTECTED,
        },
    }


def ssh_items(config: LabConfig) -> dict[str, dict[str, Any]]:
    """A wrong catalog entry: the management daemon named (by its alias) for disabling."""
    legacy = config.host("legacy")
    return {
        name_of(legacy): {
            "disable_service_items": [
                {
                    "key": f"{legacy.address4}/tcp/2222/port-open",
                    "reason": "a second sshd listener",
                    "units": ["sshd"],
                },
            ],
            "disable_service_protected_ports": PROTECTED,
        }
    }


@dataclass(frozen=True)
class Look:
    """What the controller and systemctl say about the two hosts at one moment."""

    tcp: dict[str, dict[int, str]]
    udp161: str
    units: dict[str, tuple[str, str]]
    inetd_telnet: list[str]
    snmpd_installed: bool


def look(config: LabConfig, legacy: Host, cache: Host) -> Look:
    tcp = {}
    for address in legacy.addresses:
        tcp[address] = nmap_states(config, address, "23,111,3306")
    for address in cache.addresses:
        tcp[address] = nmap_states(config, address, "7")
    udp = nmap_states(config, str(legacy.address4), "161", udp=True).get(161, "")
    units = {}
    for host, names in ((legacy, LEGACY_UNITS), (cache, ("lab-echo.socket",))):
        for unit in names:
            active = on_host(config, host, ["systemctl", "is-active", unit], check=False)
            enabled = on_host(config, host, ["systemctl", "is-enabled", unit], check=False)
            units[unit] = (active.stdout.strip(), enabled.stdout.strip())
    inetd = on_host(config, legacy, ["cat", "/etc/inetd.conf"]).stdout.splitlines()
    snmpd = on_host(config, legacy, ["dpkg", "-s", "snmpd"], check=False)
    return Look(
        tcp,
        udp,
        units,
        [line for line in inetd if line.startswith("telnet")],
        "Status: install ok installed" in snmpd.stdout,
    )


def ssh_state(config: LabConfig, host: Host) -> tuple[str, str, str]:
    """22/tcp from the controller, and ssh.service's active and enabled state (or
    "unreachable" when ssh no longer answers)."""
    port = nmap_states(config, str(host.address4), "22").get(22, "")
    active = on_host(config, host, ["systemctl", "is-active", "ssh.service"], check=False)
    if active.returncode == 255:
        return (port, "unreachable", "unreachable")
    enabled = on_host(config, host, ["systemctl", "is-enabled", "ssh.service"], check=False)
    return (port, active.stdout.strip(), enabled.stdout.strip())


@dataclass(frozen=True)
class Scenario:
    legacy: Host
    cache: Host
    before: Look
    check: RoleRun
    converge: RoleRun
    after: Look
    again: RoleRun
    check_again: RoleRun
    rebooted: Look
    refused: RoleRun
    ssh_after_refusal: tuple[str, str, str]


@pytest.fixture(scope="module")
def scenario(pristine_role_lab: Lab, runner: Runner) -> Scenario:
    role_lab = pristine_role_lab.config
    legacy, cache = role_lab.host("legacy"), role_lab.host("cache")
    before = look(role_lab, legacy, cache)
    wanted = items(role_lab)
    check = runner.run("disable_service", wanted, check=True)
    converge = runner.run("disable_service", wanted)
    after = look(role_lab, legacy, cache)
    again = runner.run("disable_service", wanted)
    check_again = runner.run("disable_service", wanted, check=True)
    restart_host(role_lab, legacy)
    restart_host(role_lab, cache)
    rebooted = look(role_lab, legacy, cache)
    refused = runner.run("disable_service", ssh_items(role_lab))
    ssh_after_refusal = ssh_state(role_lab, legacy)
    for stage, run in (
        ("check", check),
        ("converge", converge),
        ("idempotence", again),
        ("check after converge", check_again),
        ("guard refusal", refused),
    ):
        record(f"disable_service {stage} (legacy+cache)", run.seconds)
    return Scenario(
        legacy,
        cache,
        before,
        check,
        converge,
        after,
        again,
        check_again,
        rebooted,
        refused,
        ssh_after_refusal,
    )


def test_weaknesses_are_there_before(scenario: Scenario) -> None:
    v4, v6 = scenario.legacy.addresses
    assert scenario.before.tcp[v4] == {23: "open", 111: "open", 3306: "open"}
    assert scenario.before.tcp[v6] == {23: "open", 111: "open", 3306: "closed"}  # v4 only
    for address in scenario.cache.addresses:
        assert scenario.before.tcp[address] == {7: "open"}, address
    assert scenario.before.udp161 == "open"
    assert scenario.before.units["rpcbind.socket"] == ("active", "enabled")
    assert scenario.before.units["lab-echo.socket"] == ("active", "enabled")
    assert scenario.before.units["snmpd.service"][0] == "active"
    assert scenario.before.units["mariadb.service"] == ("active", "enabled")
    assert scenario.before.units["mysql.service"][0] == "active"  # the alias resolves
    assert len(scenario.before.inetd_telnet) == 2  # tcp and tcp6
    assert scenario.before.snmpd_installed


def test_check_mode_reports_exactly_what_converge_changes(scenario: Scenario) -> None:
    assert scenario.check.rc == 0, scenario.check.stdout[-3000:]
    assert scenario.converge.rc == 0, scenario.converge.stdout[-3000:]
    for host in (scenario.legacy, scenario.cache):
        predicted = scenario.check.changed_tasks(name_of(host))
        assert predicted, host.name
        assert predicted == scenario.converge.changed_tasks(name_of(host)), host.name


def test_ports_closed_from_the_controller_on_v4_and_v6(scenario: Scenario) -> None:
    for address in scenario.legacy.addresses:
        assert scenario.after.tcp[address] == {23: "closed", 111: "closed", 3306: "closed"}
    for address in scenario.cache.addresses:
        assert scenario.after.tcp[address] == {7: "closed"}, address
    assert scenario.after.udp161 in {"closed", "open|filtered"}
    assert scenario.after.udp161 != scenario.before.udp161


def _off(state: tuple[str, str]) -> bool:
    """Stopped, and masked or at least disabled (a unit file in /etc cannot be masked)."""
    return state[0] == "inactive" and state[1] in {"masked", "disabled"}


def test_units_and_sockets_inactive_and_masked(scenario: Scenario) -> None:
    for unit in ("rpcbind.service", "rpcbind.socket", "mariadb.service"):
        assert scenario.after.units[unit] == ("inactive", "masked"), unit
    # lab-echo.socket is an admin's unit file in /etc/systemd/system: no mask possible
    assert scenario.after.units["lab-echo.socket"] == ("inactive", "disabled")


def test_inetd_entries_commented_out(scenario: Scenario) -> None:
    assert scenario.after.inetd_telnet == []


def test_package_removed_when_the_item_opts_in(scenario: Scenario) -> None:
    assert not scenario.after.snmpd_installed
    assert scenario.after.units["snmpd.service"][0] == "inactive"


def test_missing_units_are_reported_not_failed(scenario: Scenario) -> None:
    assert "telnet.socket" in scenario.converge.stdout
    assert "not on this host" in scenario.converge.stdout


def test_second_converge_changes_nothing(scenario: Scenario) -> None:
    """Masked units and the alias names of a masked unit (mysql.service, mysqld.service
    load as `error` once mariadb.service is masked) are not a failure the second time."""
    assert scenario.again.rc == 0, scenario.again.stdout[-3000:]
    for host in (scenario.legacy, scenario.cache):
        assert scenario.again.changed_count(name_of(host)) == 0, scenario.again.stdout[-3000:]


def test_check_mode_after_converge_predicts_no_change(scenario: Scenario) -> None:
    run = scenario.check_again
    assert run.rc == 0, run.stdout[-3000:]
    for host in (scenario.legacy, scenario.cache):
        assert run.changed_tasks(name_of(host)) == frozenset(), run.stdout[-3000:]


def test_guard_refuses_the_management_daemon_and_changes_nothing(scenario: Scenario) -> None:
    run = scenario.refused
    assert run.rc != 0
    messages = run.failures(name_of(scenario.legacy))
    assert any("ssh.service" in m and "22/tcp" in m for m in messages), messages
    assert run.changed_count(name_of(scenario.legacy)) == 0
    assert scenario.before.units["ssh.service"] == ("active", "enabled")
    assert scenario.ssh_after_refusal == ("open", "active", "enabled")


def test_reboot_keeps_everything_off(scenario: Scenario) -> None:
    assert scenario.rebooted.tcp == scenario.after.tcp
    for unit in ("rpcbind.service", "rpcbind.socket", "lab-echo.socket", "mariadb.service"):
        assert _off(scenario.rebooted.units[unit]), (unit, scenario.rebooted.units[unit])
    assert scenario.rebooted.inetd_telnet == []
