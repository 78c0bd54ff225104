#!/usr/bin/python
# Apache-2.0 (see the remediator project). Generated projects ship this file unchanged.
"""Read-only: the fix checks of a host's findings, as data, before and after the change.

An auditor asks two things of a fix: was the weakness there (the check failed before the
change) and is it gone (the check passes after). The playbook runs this module before
its roles and again after its verification, and each result travels in the job events
(so a run through AWX or an execution node carries it as well as a local one). It never
fails on a failing check: a failing check before the change is the point. It changes
nothing and supports check mode. Python 3.9+ on the host.

Checks, each tied to the findings (keys) it proves:

* a disabled service's port: nothing listens on it (``ss``);
* a TLS service: each handshake the profile excludes is refused (``openssl s_client``).

A blocked or restricted port is not checked here: from the host itself its own traffic
never crosses the input rules, so only a view from outside (the controller's suites and
the rescan) can prove it.
"""

from __future__ import annotations

import shutil
from typing import Any, Protocol

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
---
module: remediator_fix_checks
short_description: Run the fix checks of the plan's findings on a host, as data
description:
  - For each port whose service is disabled, whether anything listens on it.
  - For each TLS service, whether each handshake the profile excludes is refused.
  - Never fails because a check fails; the results are returned for the run record.
options:
  closed:
    description: Ports that must end with nothing listening, each C({protocol, port, keys}).
    type: list
    elements: dict
    default: []
  tls:
    description: TLS services, each C({port, keys, refuse}) with C(refuse) a list of
      C(openssl s_client) argument lists that must fail.
    type: list
    elements: dict
    default: []
  phase:
    description: When the checks run, recorded with the results.
    type: str
    choices: [before, after]
    required: true
author:
  - remediator
"""

RETURN = r"""
phase:
  description: The I(phase) given.
  type: str
  returned: always
checks:
  description: One entry per check, C({keys, name, passed, detail}); C(passed) is null
    when the check could not run (no C(openssl) on the host).
  type: list
  returned: always
"""

HANDSHAKE_TIMEOUT = "15"


class HostCommands(Protocol):
    """What is used of AnsibleModule: running a command without a shell."""

    def run_command(self, args: list[str], data: str | None = None) -> tuple[int, str, str]: ...


def port_of(address: str) -> str:
    """The port of ``addr:port`` or ``[v6]:port``; "" for anything else."""
    port = address.rsplit(":", 1)[-1] if ":" in address else ""
    return port if port.isdigit() else ""


def listening(module: HostCommands) -> set[tuple[str, str]] | None:
    """(protocol, port) of every listening socket; None when ``ss`` could not tell."""
    rc, out, _ = module.run_command(["ss", "-H", "-l", "-n", "-t", "-u"])
    if rc != 0:
        return None
    found = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 5 and port_of(fields[4]):
            found.add((fields[0], port_of(fields[4])))
    return found


def closed_checks(ports: list[dict[str, Any]], module: HostCommands) -> list[dict[str, Any]]:
    """One check per port that must end closed: nothing listens on it."""
    if not ports:
        return []
    found = listening(module)
    checks = []
    for port in ports:
        where = f"{port['protocol']}/{port['port']}"
        check: dict[str, Any] = {
            "keys": list(port.get("keys", [])),
            "name": f"nothing listens on {where}",
        }
        if found is None:
            check.update(passed=None, detail="ss could not list the listening sockets")
        else:
            there = (str(port["protocol"]), str(port["port"])) in found
            check.update(passed=not there, detail="listening" if there else "")
        checks.append(check)
    return checks


def tls_checks(services: list[dict[str, Any]], module: HostCommands) -> list[dict[str, Any]]:
    """One check per excluded handshake of each TLS service: it must be refused."""
    if not services:
        return []
    openssl = shutil.which("openssl")
    checks = []
    for service in services:
        for argv in service.get("refuse", []):
            check: dict[str, Any] = {
                "keys": list(service.get("keys", [])),
                "name": "handshake refused: " + " ".join(str(a) for a in argv),
            }
            if openssl is None:
                check.update(passed=None, detail="no openssl client on the host")
            else:
                command = ["timeout", HANDSHAKE_TIMEOUT, openssl, "s_client", *map(str, argv)]
                rc, _, _ = module.run_command(command, data="Q")
                refused = rc not in (0, 124)
                detail = "" if refused else "timed out" if rc == 124 else "the handshake worked"
                check.update(passed=refused, detail=detail)
            checks.append(check)
    return checks


def main() -> None:
    """Module entry point."""
    module = AnsibleModule(
        argument_spec={
            "closed": {"type": "list", "elements": "dict", "default": []},
            "tls": {"type": "list", "elements": "dict", "default": []},
            "phase": {"type": "str", "choices": ["before", "after"], "required": True},
        },
        supports_check_mode=True,
    )
    checks = [
        *closed_checks(module.params["closed"], module),
        *tls_checks(module.params["tls"], module),
    ]
    module.exit_json(changed=False, phase=module.params["phase"], checks=checks)


if __name__ == "__main__":
    main()
