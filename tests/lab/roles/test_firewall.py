"""firewall on lab hosts, one host per backend: legacy nftables, web iptables, mail
firewalld (installed, stopped: the role switches it on), cache ufw (installed, inactive).

One module-scoped scenario runs every step on the four hosts at once: check mode on the
fresh hosts, converge, converge again, a rule on the management port (refused), a change
whose confirmation is cut off (reverted by the host), a reboot. Ports are probed with TCP
connects from the controller's own address and from a second one that the restrict
rules allow, over IPv4 and IPv6.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from remediator.lab.config import Host, LabConfig
from tests.lab.helpers import Lab
from tests.lab.roles.conftest import record
from tests.lab.roles.harness import (
    RoleRun,
    Runner,
    add_controller_addresses,
    cut_new_ssh,
    extra_controller_addresses,
    name_of,
    on_host,
    prepare_ssh_cut,
    remove_controller_addresses,
    restart_host,
    tcp_states,
    unblock_controller,
    wait_until,
)

pytestmark = pytest.mark.lab
LAB_RESET_HOSTS = ("legacy", "web", "mail", "cache")

CONFIRM_TIMEOUT = 20
# host: (backend, blocked port, restricted port, port blocked by the reverted change)
PLAN = {
    "legacy": ("nftables", 23, 21, 111),
    "web": ("iptables", 80, 443, 8443),
    "mail": ("firewalld", 110, 143, 995),
    "cache": ("ufw", 11211, 6379, 7),
}
ARM_TASK = "Arm the automatic revert, seconds until it fires"


def host_vars(
    config: LabConfig, *, extra: bool = False, management: bool = False
) -> dict[str, dict[str, Any]]:
    second4, second6 = extra_controller_addresses(config)
    result = {}
    for name, (backend, blocked, restricted, later) in PLAN.items():
        host = config.host(name)
        a = host.address4
        rules = [
            {
                "key": f"{a}/tcp/{blocked}/port-open",
                "reason": "not for the internet",
                "action": "block",
                "port": blocked,
            },
            {
                "key": f"{a}/tcp/{restricted}/port-open",
                "reason": "admins only",
                "action": "restrict",
                "port": restricted,
                "sources": [second4, f"{second6}/128"],
            },
        ]
        if extra:
            rules.append(
                {
                    "key": f"{a}/tcp/{later}/port-open",
                    "reason": "later change",
                    "action": "block",
                    "port": later,
                }
            )
        if management:
            rules.append(
                {
                    "key": f"{a}/tcp/22/port-open",
                    "reason": "ssh exposed",
                    "action": "block",
                    "port": 22,
                }
            )
        result[name_of(host)] = {
            "firewall_backend": backend,
            "firewall_rules": rules,
            "firewall_management": {"sources": [f"{config.controller6}/128"]},
            "firewall_confirm_timeout": CONFIRM_TIMEOUT,
        }
    return result


def ports(config: LabConfig, *, extra_port: bool = False) -> dict[tuple[str, str | None, int], str]:
    """Port state per (host address, source, port): the blocked port and ssh from the
    controller's own address (source None), the restricted port from it and from the
    second address. Sources are bound explicitly: with two addresses on one interface
    the kernel might pick either."""
    second4, second6 = extra_controller_addresses(config)
    own = {"v4": str(config.controller4), "v6": str(config.controller6)}
    keys: list[tuple[str, str | None, int]] = []
    for name, (_backend, blocked, restricted, later) in PLAN.items():
        host = config.host(name)
        for address, second in ((str(host.address4), second4), (str(host.address6), second6)):
            keys += [
                (address, None, blocked),
                (address, None, restricted),
                (address, second, restricted),
                (address, None, 22),
            ]
            if extra_port:
                keys.append((address, None, later))
    probes = [(src or own["v6" if ":" in dst else "v4"], dst, port) for dst, src, port in keys]
    return dict(zip(keys, tcp_states(config, probes), strict=True))


def ruleset(config: LabConfig, host: Host) -> str:
    """The host's live ruleset, without counters and timestamps."""
    backend = PLAN[host.name][0]
    if backend == "nftables":
        text = on_host(config, host, ["nft", "list", "ruleset"]).stdout
    elif backend == "firewalld":  # no nft binary there: firewalld's own runtime view
        text = on_host(config, host, ["firewall-cmd", "--list-all-zones"]).stdout
    else:
        text = "".join(
            on_host(config, host, [tool]).stdout for tool in ("iptables-save", "ip6tables-save")
        )
    # `ufw enable` leaves ufw6-user-limit empty where `ufw reload` fills it: rules ufw
    # owns either way, so those chains are left out of the comparison.
    lines = [
        re.sub(r"\[\d+:\d+\]", "", line)
        for line in text.splitlines()
        if not line.startswith("#") and not re.match(r"-A ufw6?-user-limit", line)
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class Scenario:
    hosts: dict[str, Host]
    second: dict[str, str]
    before: dict[tuple[str, str | None, int], str]
    check: RoleRun
    converge: RoleRun
    after: dict[tuple[str, str | None, int], str]
    ssh6: dict[str, int]
    again: RoleRun
    converged_rules: dict[str, str]
    refused: RoleRun
    refused_rules: dict[str, str]
    cut: RoleRun
    cut_reverted: bool
    reverted_rules: dict[str, str]
    reverted_ports: dict[tuple[str, str | None, int], str]
    rebooted: dict[tuple[str, str | None, int], str]


@pytest.fixture(scope="module")
def scenario(pristine_role_lab: Lab, runner: Runner) -> Any:
    role_lab = pristine_role_lab.config
    hosts = {name: role_lab.host(name) for name in PLAN}
    add_controller_addresses(role_lab)
    try:
        yield _play(role_lab, runner, hosts)
    finally:
        unblock_controller(role_lab)
        remove_controller_addresses(role_lab)


def _play(config: LabConfig, runner: Runner, hosts: dict[str, Host]) -> Scenario:
    before = ports(config)
    check = runner.run("firewall", host_vars(config), check=True)
    converge = runner.run("firewall", host_vars(config))
    after = ports(config)
    ssh6 = {
        name: on_host(config, host, ["true"], check=False, address=str(host.address6)).returncode
        for name, host in hosts.items()
    }
    again = runner.run("firewall", host_vars(config))
    converged = {name: ruleset(config, host) for name, host in hosts.items()}
    refused = runner.run("firewall", host_vars(config, management=True))
    refused_rules = {name: ruleset(config, host) for name, host in hosts.items()}

    # Each host's new connections are cut once its revert timer is armed: the change then
    # goes through the open connection, and the confirmation cannot come.
    cut_done: set[str] = set()
    by_name = {name_of(host): host for host in hosts.values()}
    prepare_ssh_cut(config)

    def cut_on_arm(event: dict[str, Any]) -> None:
        data = event.get("event_data", {})
        if event.get("event") == "runner_on_ok" and data.get("task") == ARM_TASK:
            cut_new_ssh(config, by_name[data["host"]])
            cut_done.add(data["host"])

    cut = runner.run("firewall", host_vars(config, extra=True), on_event=cut_on_arm)
    unblock_controller(config)
    extra_open = wait_until(
        lambda: all(
            state == "open"
            for (_dst, _src, port), state in ports(config, extra_port=True).items()
            if port in {later for *_rest, later in PLAN.values()}
        ),
        timeout=CONFIRM_TIMEOUT + 30,
    )
    reverted_rules = {name: ruleset(config, host) for name, host in hosts.items()}
    reverted_ports = ports(config, extra_port=True)
    for host in hosts.values():
        restart_host(config, host)
    rebooted = ports(config, extra_port=True)
    for stage, run in (
        ("check", check),
        ("converge", converge),
        ("idempotence", again),
        ("refused", refused),
        ("cut + revert", cut),
    ):
        record(f"firewall {stage} (4 backends)", run.seconds)
    second4, second6 = extra_controller_addresses(config)
    return Scenario(
        hosts,
        {"v4": second4, "v6": second6},
        before,
        check,
        converge,
        after,
        ssh6,
        again,
        converged,
        refused,
        refused_rules,
        cut,
        cut_done == set(by_name) and extra_open,
        reverted_rules,
        reverted_ports,
        rebooted,
    )


BACKENDS = pytest.mark.parametrize("name", list(PLAN))


def _addresses(s: Scenario, name: str) -> list[tuple[str, str]]:
    host = s.hosts[name]
    return [(str(host.address4), "v4"), (str(host.address6), "v6")]


@BACKENDS
def test_ports_answer_before(scenario: Scenario, name: str) -> None:
    _backend, blocked, restricted, _later = PLAN[name]
    second = scenario.second
    for address, family in _addresses(scenario, name):
        assert scenario.before[(address, None, blocked)] == "open", (address, blocked)
        assert scenario.before[(address, None, restricted)] == "open", (address, restricted)
        assert scenario.before[(address, second[family], restricted)] == "open"


@BACKENDS
def test_check_mode_reports_exactly_what_converge_changes(scenario: Scenario, name: str) -> None:
    host = name_of(scenario.hosts[name])
    assert scenario.check.rc == 0, scenario.check.stdout[-4000:]
    assert scenario.converge.rc == 0, scenario.converge.stdout[-4000:]
    predicted = scenario.check.changed_tasks(host)
    assert predicted
    assert predicted == scenario.converge.changed_tasks(host)


@BACKENDS
def test_blocked_port_filtered_on_v4_and_v6(scenario: Scenario, name: str) -> None:
    blocked = PLAN[name][1]
    for address, _family in _addresses(scenario, name):
        assert scenario.after[(address, None, blocked)] == "filtered", address


@BACKENDS
def test_restricted_port_answers_only_allowed_sources(scenario: Scenario, name: str) -> None:
    restricted = PLAN[name][2]
    second = scenario.second
    for address, family in _addresses(scenario, name):
        assert scenario.after[(address, None, restricted)] == "filtered", address
        assert scenario.after[(address, second[family], restricted)] == "open", address


@BACKENDS
def test_ssh_still_works(scenario: Scenario, name: str) -> None:
    for address, _family in _addresses(scenario, name):
        assert scenario.after[(address, None, 22)] == "open", address
    assert scenario.ssh6[name] == 0


@BACKENDS
def test_second_converge_changes_nothing(scenario: Scenario, name: str) -> None:
    assert scenario.again.rc == 0, scenario.again.stdout[-3000:]
    assert scenario.again.changed_count(name_of(scenario.hosts[name])) == 0


@BACKENDS
def test_rule_on_management_port_is_refused_untouched(scenario: Scenario, name: str) -> None:
    host = name_of(scenario.hosts[name])
    assert scenario.refused.rc != 0
    messages = " ".join(scenario.refused.failures(host))
    assert "REFUSED" in messages and "tcp/22" in messages, messages
    assert scenario.refused.changed_count(host) == 0
    assert scenario.refused_rules[name] == scenario.converged_rules[name]


@BACKENDS
def test_cut_confirmation_restores_previous_ruleset(scenario: Scenario, name: str) -> None:
    host = name_of(scenario.hosts[name])
    assert scenario.cut.rc != 0
    assert any("No new connection reached" in m for m in scenario.cut.failures(host))
    assert scenario.cut_reverted
    assert scenario.reverted_rules[name] == scenario.converged_rules[name]
    later = PLAN[name][3]
    for address, _family in _addresses(scenario, name):
        assert scenario.reverted_ports[(address, None, later)] == "open"
        assert scenario.reverted_ports[(address, None, PLAN[name][1])] == "filtered"


@BACKENDS
def test_rules_survive_a_reboot(scenario: Scenario, name: str) -> None:
    _backend, blocked, restricted, later = PLAN[name]
    second = scenario.second
    for address, family in _addresses(scenario, name):
        assert scenario.rebooted[(address, None, blocked)] == "filtered"
        assert scenario.rebooted[(address, None, restricted)] == "filtered"
        assert scenario.rebooted[(address, second[family], restricted)] == "open"
        assert scenario.rebooted[(address, None, later)] == "open"
        assert scenario.rebooted[(address, None, 22)] == "open"
