"""What the controller sees of lab hosts, asked with the tests' own clients (probes.py).

The tool's word on its own work (a dry-run saying ``compliant``, ``verify.json`` saying
``resolved``) is not proof that the hosts changed. These looks are: a TCP connect, a UDP
request the service answers, a TLS handshake pinned to one version, each from the
controller namespace, the way a rescan from outside sees the host. A test asks each look
on pristine hosts first (it must see the weakness, or it proves nothing) and again after
the change.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.lab.helpers import Lab

STARTTLS = {21: "ftp", 25: "smtp", 587: "smtp", 110: "pop3", 143: "imap"}
"""Ports whose TLS starts inside the protocol; the others handshake at once."""

UDP_PROBES = {11211: "memcached-udp", 111: "rpc-null"}
"""UDP services the probes can make answer: without an answer UDP shows nothing."""

TLS_VERSIONS = {"TLSv1.0": "TLSv1", "TLSv1.1": "TLSv1_1", "TLSv1.2": "TLSv1_2"}
"""The scanners' version names, as Python's ssl.TLSVersion spells them."""


@dataclass(frozen=True)
class Look:
    """One question for a host: does ``probe`` (a probes.py command) get an answer?"""

    host: str
    what: str
    """Shown in failures: ``23/tcp open`` or ``443/tcp TLSv1.0 handshake``."""
    probe: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.host} {self.probe[1]} {self.what}"


def connect(host: str, address: str, port: int) -> Look:
    return Look(host, f"{port}/tcp open", ("connect", address, str(port)))


def udp(host: str, address: str, port: int) -> Look:
    command = UDP_PROBES[port]
    probe = (command, address) if command == "memcached-udp" else (command, address, str(port))
    return Look(host, f"{port}/udp answers", probe)


def tls(host: str, address: str, port: int, version: str) -> Look:
    starttls = STARTTLS.get(port, "")
    probe = ("tls", address, str(port), TLS_VERSIONS[version], *([starttls] if starttls else []))
    return Look(host, f"{port}/tcp {version} handshake", probe)


def answered(lab: Lab, looks: Sequence[Look]) -> dict[Look, bool]:
    """Ask every look at once from the controller: which ones got their answer."""
    commands = json.dumps([list(look.probe) for look in looks])
    done = lab.probe("many", commands)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)["results"]
    return {look: bool(result["ok"]) for look, result in zip(looks, results, strict=True)}


def assert_answers(seen: Mapping[Look, bool], expected: bool, looks: Iterable[Look]) -> None:
    """Every look got (``expected=True``) or did not get an answer."""
    wrong = sorted(str(look) for look in looks if seen[look] is not expected)
    assert wrong == [], f"expected {'an answer' if expected else 'no answer'} from: {wrong}"


@dataclass(frozen=True)
class Promises:
    """What a plan says the controller will see after its apply: looks to fail, to answer."""

    gone: tuple[Look, ...]
    """Blocked, disabled, restricted away from the controller, or a TLS version refused."""
    kept: tuple[Look, ...]
    """Kept services the controller may reach: they must answer before and after."""


def plan_promises(plan: Mapping[str, Any], controller: Sequence[str]) -> Promises:
    """Looks for every decision of ``plan`` a client on the controller can check.

    Taken from the plan's actions (what the apply is asked to make true), not from any
    later judgement of the tool; decisions no look can check (a restriction admitting the
    controller, UDP services without a probe, certificates) are left out.
    """
    gone: dict[Look, None] = {}
    kept: dict[Look, None] = {}
    tls_fixed: set[tuple[str, str, int]] = set()
    for decision in plan["decisions"]:
        for action in decision["actions"]:
            look, goes = _look_of(decision, action, controller)
            if look is not None:
                (gone if goes else kept)[look] = None
            if action["type"] == "enforce_tls":
                tls_fixed.add((decision["host"], decision["address"], decision["port"]))
    reachable = [k for k in kept if k not in gone]
    # a kept port whose TLS was fixed must still complete a modern handshake
    modern = [
        tls(look.host, look.probe[1], int(look.probe[2]), "TLSv1.2")
        for look in reachable
        if (look.host, look.probe[1], int(look.probe[2])) in tls_fixed
    ]
    return Promises(tuple(gone), (*reachable, *modern))


def _look_of(
    decision: Mapping[str, Any], action: Mapping[str, Any], controller: Sequence[str]
) -> tuple[Look | None, bool]:
    """The look that checks ``action`` from the controller, and whether it must go."""
    kind = action["type"]
    if kind == "enforce_tls":
        return _refused_version(decision), True
    look = _port_look(decision)
    if look is None or kind in ("disable_service", "firewall_block"):
        return look, True
    admitted = _admits(action.get("sources"), controller)
    if kind == "firewall_restrict":
        return (None if admitted else look), True
    return (look if kind == "keep" and admitted else None), False


def _refused_version(decision: Mapping[str, Any]) -> Look | None:
    version = decision["check_id"].rsplit(":", 1)[-1]
    if version not in TLS_VERSIONS:
        return None
    return tls(decision["host"], decision["address"], decision["port"], version)


def _port_look(decision: Mapping[str, Any]) -> Look | None:
    host, address, port = decision["host"], decision["address"], decision["port"]
    if decision["protocol"] == "udp":
        return udp(host, address, port) if port in UDP_PROBES else None
    return connect(host, address, port)


def _admits(sources: Mapping[str, Any] | None, controller: Sequence[str]) -> bool:
    """Whether ``sources`` (a plan's sources; None is anyone) let the controller in."""
    if sources is None or sources.get("any"):
        return True
    networks = [ipaddress.ip_network(cidr) for cidr in sources.get("cidrs", ())]
    addresses = [ipaddress.ip_address(a) for a in controller]
    return any(a in n for a in addresses for n in networks if a.version == n.version)
