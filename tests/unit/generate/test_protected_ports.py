"""The disable role's on-host guard gets, per host, every port whose daemon must keep running.

The plan keeps the management port and the ports the policy allows (kept, restricted) or
blocks without disabling (a needed database, dovecot's cleartext ports while it serves
IMAPS). The catalog can be wrong about which unit serves a port, so the disable role
refuses to touch a unit listening on one of these (``disable_service_protected_ports``).
"""

from __future__ import annotations

import yaml

from tests.unit.generate.helpers import golden_plan, project


class _Loader(yaml.SafeLoader):
    """Reads the generated ``!unsafe`` strings as plain strings."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def _protected(host: str) -> set[tuple[str, int]]:
    files = project(golden_plan())
    data = yaml.load(files[f"host_vars/{host}.yml"], Loader=_Loader)  # noqa: S506
    return {(p["protocol"], p["port"]) for p in data["disable_service_protected_ports"]}


def test_the_management_port_is_protected_on_every_host() -> None:
    for host in ("cache.lab", "legacy.lab", "mail.lab", "web.lab"):
        assert ("tcp", 22) in _protected(host), host


def test_kept_restricted_and_block_only_ports_are_protected_disabled_ones_not() -> None:
    assert _protected("web.lab") == {("tcp", p) for p in (22, 80, 443, 3306, 8443)}
    assert _protected("mail.lab") == {("tcp", p) for p in (22, 25, 110, 143, 587, 993, 995)}
    assert _protected("cache.lab") == {("tcp", 22), ("tcp", 6379)}
    legacy = _protected("legacy.lab")
    # snmp is kept on legacy: the policy's protected ports name both of its catalog ports,
    # 162/udp too, though the scan saw only 161.
    assert legacy == {("tcp", 22), ("udp", 161), ("udp", 162)}
    assert not legacy & {("tcp", 21), ("tcp", 23), ("tcp", 111), ("udp", 111)}


def test_the_plans_protected_ports_reach_the_guard_even_without_a_decision() -> None:
    """A kept service the scan did not see (no decision names its port) is still protected.

    The plan's ``protected_ports`` come from the policy alone; the host vars must carry
    them, not only the ports the scan happened to report.
    """
    import json

    from remediator.classify.plan_document import parse_plan
    from tests.unit.generate.helpers import golden_plan_bytes

    document = json.loads(golden_plan_bytes())
    entry = {"protocol": "tcp", "port": 5432, "service": "postgresql"}
    document["hosts"]["legacy.lab"]["protected_ports"].append(entry)
    plan = parse_plan(json.dumps(document).encode(), "plan.json")
    data = yaml.load(project(plan)["host_vars/legacy.lab.yml"], Loader=_Loader)  # noqa: S506
    assert {"protocol": "tcp", "port": 5432} in data["disable_service_protected_ports"]
