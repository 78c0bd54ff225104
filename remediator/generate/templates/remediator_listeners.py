#!/usr/bin/python
# Apache-2.0 (see the remediator project). Generated projects ship this file unchanged.
"""Read-only: which systemd units listen on the ports of the services to disable.

The catalog names the usual units (vsftpd.service, echo.socket), but a host may run the
service under its own name (a custom lab-echo.socket). This module asks the host which
unit really listens on each port, so the disable_service role switches off that one too.
It changes nothing; it supports check mode. Python 3.9+ on the host.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Protocol

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
---
module: remediator_listeners
short_description: Find the systemd units listening on given ports
description:
  - Socket units from C(systemctl list-sockets), and the units of listening processes
    (from C(ss) and C(/proc/<pid>/cgroup)).
  - Units that also listen on a port in I(keep) are left out (they serve something that
    must stay), and so are superservers and systemd itself (inetd entries are handled by
    the role, socket units are listed instead of pid 1).
options:
  ports:
    description: The ports to look up, each C({protocol, port}).
    type: list
    elements: dict
    required: true
  keep:
    description: Ports that must keep listening, each C({protocol, port}).
    type: list
    elements: dict
    default: []
author:
  - remediator
"""

RETURN = r"""
units:
  description: C("<protocol>/<port>") to the list of units found listening there.
  type: dict
  returned: always
"""

SKIP = frozenset({"inetd.service", "xinetd.service", "init.scope", "-.slice"})
PIDS = re.compile(r"pid=(\d+)")
SOCKET_TYPES = {"Stream": "tcp", "Datagram": "udp"}

Found = dict[tuple[str, str], set[str]]


class Runner(Protocol):
    """What is used of AnsibleModule: running a command without a shell."""

    def run_command(self, args: list[str]) -> tuple[int, str, str]: ...


def port_of(address: str) -> str:
    """The port of ``addr:port`` or ``[v6]:port``; "" for anything else (unix sockets)."""
    port = address.rsplit(":", 1)[-1] if ":" in address else ""
    return port if port.isdigit() else ""


def socket_units(module: Runner) -> Found:
    """(protocol, port) -> socket units, from systemctl list-sockets --show-types."""
    argv = ["systemctl", "list-sockets", "--all", "--full", "--no-legend", "--no-pager"]
    rc, out, _ = module.run_command([*argv, "--show-types"])
    found: Found = {}
    if rc != 0:
        return found
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        listen, kind, unit = fields[0], fields[1], fields[2]
        protocol = SOCKET_TYPES.get(kind)
        if protocol and port_of(listen) and unit.endswith(".socket"):
            found.setdefault((protocol, port_of(listen)), set()).add(unit)
    return found


def process_units(module: Runner) -> Found:
    """(protocol, port) -> units of the processes listening there, from ss."""
    rc, out, _ = module.run_command(["ss", "-H", "-l", "-n", "-p", "-t", "-u"])
    found: Found = {}
    if rc != 0:
        return found
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 5 or not port_of(fields[4]):
            continue
        for pid in PIDS.findall(line):
            unit = unit_of(pid)
            if unit:
                found.setdefault((fields[0], port_of(fields[4])), set()).add(unit)
    return found


def unit_of(pid: str) -> str | None:
    """The systemd unit a process belongs to, from its cgroup; None for pid 1 or unknown."""
    if pid == "1":
        return None
    try:
        text = Path(f"/proc/{pid}/cgroup").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        for part in reversed(line.split(":", 2)[-1].split("/")):
            if part.endswith((".service", ".socket", ".scope")):
                return part
    return None


def units_on(
    ports: list[dict[str, Any]], keep: list[dict[str, Any]], module: Runner
) -> dict[str, list[str]]:
    """``"<protocol>/<port>"`` -> the units found there, minus those serving kept ports."""
    listening: Found = {}
    for source in (socket_units(module), process_units(module)):
        for key, units in source.items():
            listening.setdefault(key, set()).update(units)
    kept: set[str] = set()
    for item in keep:
        kept.update(listening.get((str(item["protocol"]), str(item["port"])), set()))
    result = {}
    for item in ports:
        key = (str(item["protocol"]), str(item["port"]))
        units = listening.get(key, set()) - kept - SKIP
        result[f"{key[0]}/{key[1]}"] = sorted(u for u in units if not u.endswith(".scope"))
    return result


def main() -> None:
    """Module entry point."""
    module = AnsibleModule(
        argument_spec={
            "ports": {"type": "list", "elements": "dict", "required": True},
            "keep": {"type": "list", "elements": "dict", "default": []},
        },
        supports_check_mode=True,
    )
    units = units_on(module.params["ports"], module.params["keep"], module)
    module.exit_json(changed=False, units=units)


if __name__ == "__main__":
    main()
