#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache-2.0 (see the remediator project)
"""Read-only probe of systemd unit states for the disable_service role.

ansible.builtin.systemd_service cannot query a unit without also changing it, and
service_facts lists services only (no sockets, no template instances), so this module
asks systemd directly and returns structured data. It changes nothing.

Every name is reported under the unit it really is: systemd resolves the alias of a unit
it loads, but once the real unit is masked, an alias Debian ships beside it (mariadb's
mysql.service -> mariadb.service) fails to load ("File exists"), so such names are
resolved through the unit files themselves. Templates (``name@.service``) cannot be
shown at all and are read from their unit file state.

It also reports which units own a listener on the protected ports the role must never
touch (the management port, the ports the policy keeps): from /proc (listening sockets,
the processes holding them, each process's cgroup) and from systemd's socket units.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: unit_states
short_description: Report the load, active and enablement state of systemd units
description:
  - For each named unit, report C(LoadState), C(ActiveState), C(UnitFileState) and C(FragmentPath) as
    C(systemctl show) gives them, under the unit's real name (C(id)); a unit systemd does not know
    has C(load_state=not-found). An alias whose unit is masked or broken is resolved through the
    unit files. A template (C(name@.service)) has C(load_state=template).
  - For each template base name, list the loaded instances (C(name@*.service)), which is
    how C(Accept=yes) sockets run their per-connection services.
  - For each protected port, the units owning a listener on it (the processes' units, the socket
    units listening on it and the services those activate).
  - Read-only; supports check mode.
options:
  units:
    description: Full unit names (C(foo.service), C(foo.socket), C(foo@.service)).
    type: list
    elements: str
    default: []
  templates:
    description: Template base names; instances C(<name>@*.service) are listed.
    type: list
    elements: str
    default: []
  protected_ports:
    description: Ports whose listeners' units are reported in C(protected).
    type: list
    elements: dict
    default: []
    options:
      protocol:
        description: C(tcp) or C(udp).
        type: str
        required: true
        choices: [tcp, udp]
      port:
        description: The port number.
        type: int
        required: true
author:
  - remediator
"""

RETURN = r"""
units:
  description: Per requested unit, its id (real name), load_state, active_state, unit_file_state, fragment_path.
  type: dict
  returned: always
instances:
  description: Loaded instance units of the requested templates, with their active_state.
  type: dict
  returned: always
protected:
  description: Per protected port ("port/protocol"), the sorted units owning a listener on it.
  type: dict
  returned: always
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule

_PROPERTIES = ("Id", "LoadState", "ActiveState", "UnitFileState", "FragmentPath")
_UNIT_DIRS = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
)
"""Where unit files live, highest precedence first (systemd's system search path)."""
_UNIT_NAME = re.compile(r"^[\w:.\\-]+(@[\w:.\\-]*)?\.(service|socket|target|timer|path|mount)$")
_LOADED = ("loaded", "masked")
_PROC_NET = (("tcp", "tcp"), ("tcp", "tcp6"), ("udp", "udp"), ("udp", "udp6"))
_TCP_LISTEN = "0A"
_CGROUP_UNIT = re.compile(r"^[^/]+\.(service|socket|scope)$")


def _run(module: AnsibleModule, argv: list[str]) -> tuple[int, str, str]:
    rc, out, err = module.run_command(argv, environ_update={"LC_ALL": "C"})
    return rc, out, err


def _show(module: AnsibleModule, systemctl: str, unit: str) -> dict[str, str]:
    """Properties of one unit; systemctl itself answers not-found for unknown names."""
    argv = [systemctl, "show", "--property=" + ",".join(_PROPERTIES), "--", unit]
    rc, out, err = _run(module, argv)
    if rc != 0:
        module.fail_json(msg=f"systemctl show {unit} failed: {err.strip()}", rc=rc)
    props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return {
        "id": props.get("Id", unit) or unit,
        "load_state": props.get("LoadState", "not-found") or "not-found",
        "active_state": props.get("ActiveState", "inactive") or "inactive",
        "unit_file_state": props.get("UnitFileState", ""),
        "fragment_path": props.get("FragmentPath", ""),
    }


def _unit_file(name: str) -> str:
    """The path systemd would load ``name`` from (highest precedence), or ""."""
    for folder in _UNIT_DIRS:
        path = os.path.join(folder, name)
        if os.path.lexists(path):
            return path
    return ""


def _alias_of(name: str) -> str:
    """The unit ``name`` is an alias of, through symlinks between unit files; else ``name``.

    A symlink to /dev/null is a mask, not an alias; a symlink to a file of the same name
    (a linked unit) is the unit itself.
    """
    seen = {name}
    current = name
    for _hop in range(8):
        path = _unit_file(current)
        if not path or not os.path.islink(path):
            return current
        target = os.readlink(path)
        if target == "/dev/null":
            return current
        base = os.path.basename(target)
        if base == current or not _UNIT_NAME.match(base) or base in seen:
            return current
        seen.add(base)
        current = base
    return current


def _template(module: AnsibleModule, systemctl: str, unit: str) -> dict[str, str]:
    """A template has no runtime state of its own: its unit file state and path."""
    _rc, out, _err = _run(module, [systemctl, "is-enabled", "--", unit])
    state = out.strip().splitlines()[0] if out.strip() else ""
    path = _unit_file(unit)
    if not state and not path:
        return {"id": unit, "load_state": "not-found", "active_state": "inactive",
                "unit_file_state": "", "fragment_path": ""}
    if path and os.path.islink(path) and os.readlink(path) == "/dev/null":
        state = "masked"
    return {"id": unit, "load_state": "masked" if state == "masked" else "template",
            "active_state": "inactive", "unit_file_state": state, "fragment_path": path}


def _state(module: AnsibleModule, systemctl: str, unit: str) -> dict[str, str]:
    """The state of ``unit`` under its real name, whatever systemd could load."""
    if re.search(r"@\.[a-z]+$", unit):
        return _template(module, systemctl, unit)
    state = _show(module, systemctl, unit)
    if state["load_state"] in _LOADED:
        return state
    real = _alias_of(unit)
    if real != unit:
        resolved = _show(module, systemctl, real)
        resolved["alias"] = unit
        return resolved
    return state


def _instances(module: AnsibleModule, systemctl: str, base: str) -> dict[str, str]:
    """Loaded `base@*.service` instances and their active state."""
    argv = [systemctl, "list-units", "--all", "--full", "--plain", "--no-legend",
            "--type=service", "--", f"{base}@*.service"]
    rc, out, err = _run(module, argv)
    if rc != 0:
        module.fail_json(msg=f"systemctl list-units {base}@*.service failed: {err.strip()}")
    found = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0].startswith(f"{base}@"):
            found[fields[0]] = fields[2]
    return found


def _listening_inodes(wanted: set[tuple[str, int]]) -> dict[str, tuple[str, int]]:
    """Socket inode -> (protocol, port) for listeners on the wanted ports, from /proc/net."""
    found = {}
    for protocol, table in _PROC_NET:
        try:
            with open(f"/proc/net/{table}", encoding="ascii") as handle:
                lines = handle.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10:
                continue
            port = int(fields[1].rsplit(":", 1)[1], 16)
            listening = fields[3] == _TCP_LISTEN if protocol == "tcp" else True
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if listening and remote_port == 0 and (protocol, port) in wanted:
                found[fields[9]] = (protocol, port)
    return found


def _process_units(inodes: dict[str, tuple[str, int]]) -> dict[tuple[str, int], set[str]]:
    """(protocol, port) -> units of the processes holding those sockets (PID 1 aside:
    its sockets belong to socket units, which :func:`_socket_units` reports)."""
    owners: dict[tuple[str, int], set[str]] = {}
    targets = {f"socket:[{inode}]": where for inode, where in inodes.items()}
    for pid in (p for p in os.listdir("/proc") if p.isdigit() and p != "1"):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        held = set()
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link in targets:
                held.add(targets[link])
        if held:
            unit = _cgroup_unit(pid)
            for where in held:
                owners.setdefault(where, set()).add(unit or f"pid {pid}")
    return owners


def _cgroup_unit(pid: str) -> str:
    """The unit a process runs in: the innermost .service/.socket/.scope of its cgroup."""
    try:
        with open(f"/proc/{pid}/cgroup", encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return ""
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[1] in ("", "name=systemd"):
            for component in reversed(parts[2].split("/")):
                if _CGROUP_UNIT.match(component):
                    return component
    return ""


def _socket_units(
    module: AnsibleModule, systemctl: str, wanted: set[tuple[str, int]]
) -> dict[tuple[str, int], set[str]]:
    """(protocol, port) -> socket units listening there and the services they activate."""
    argv = [systemctl, "list-sockets", "--full", "--plain", "--no-legend", "--show-types"]
    rc, out, _err = _run(module, argv)
    owners: dict[tuple[str, int], set[str]] = {}
    if rc != 0:
        return owners
    kinds = {"Stream": "tcp", "Datagram": "udp"}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 3 or fields[1] not in kinds:
            continue
        match = re.search(r":(\d+)$", fields[0])
        if not match:
            continue
        where = (kinds[fields[1]], int(match.group(1)))
        if where in wanted:
            owners.setdefault(where, set()).update(
                f for f in fields[2:] if _UNIT_NAME.match(f)
            )
    return owners


def _protected(
    module: AnsibleModule, systemctl: str, ports: list[dict[str, object]]
) -> dict[str, list[str]]:
    wanted = {(str(p["protocol"]), int(str(p["port"]))) for p in ports}
    if not wanted:
        return {}
    owners = _process_units(_listening_inodes(wanted))
    for where, units in _socket_units(module, systemctl, wanted).items():
        owners.setdefault(where, set()).update(units)
    return {f"{port}/{protocol}": sorted(owners.get((protocol, port), set()))
            for protocol, port in sorted(wanted)}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "units": {"type": "list", "elements": "str", "default": []},
            "templates": {"type": "list", "elements": "str", "default": []},
            "protected_ports": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "protocol": {"type": "str", "required": True, "choices": ["tcp", "udp"]},
                    "port": {"type": "int", "required": True},
                },
            },
        },
        supports_check_mode=True,
    )
    systemctl = module.get_bin_path("systemctl", required=True)
    units = {unit: _state(module, systemctl, unit) for unit in module.params["units"]}
    instances = {}
    for base in module.params["templates"]:
        instances.update(_instances(module, systemctl, base))
    protected = _protected(module, systemctl, module.params["protected_ports"])
    module.exit_json(changed=False, units=units, instances=instances, protected=protected)


if __name__ == "__main__":
    main()
