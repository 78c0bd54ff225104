#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache-2.0 (see the remediator project)
"""Read-only probe of systemd unit states for the disable_service role.

ansible.builtin.systemd_service cannot query a unit without also changing it, and
service_facts lists services only (no sockets, no template instances), so this module
asks systemd directly and returns structured data. It changes nothing.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: unit_states
short_description: Report the load, active and enablement state of systemd units
description:
  - For each named unit, report C(LoadState), C(ActiveState), C(UnitFileState) and C(FragmentPath) as
    C(systemctl show) gives them; a unit systemd does not know has C(load_state=not-found).
  - For each template base name, list the loaded instances (C(name@*.service)), which is
    how C(Accept=yes) sockets run their per-connection services.
  - Read-only; supports check mode.
options:
  units:
    description: Full unit names (C(foo.service), C(foo.socket)).
    type: list
    elements: str
    default: []
  templates:
    description: Template base names; instances C(<name>@*.service) are listed.
    type: list
    elements: str
    default: []
author:
  - remediator
"""

RETURN = r"""
units:
  description: Per requested unit, its id, load_state, active_state and unit_file_state.
  type: dict
  returned: always
instances:
  description: Loaded instance units of the requested templates, with their active_state.
  type: dict
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule

_PROPERTIES = ("Id", "LoadState", "ActiveState", "UnitFileState", "FragmentPath")


def _show(module: AnsibleModule, systemctl: str, unit: str) -> dict[str, str]:
    """Properties of one unit; systemctl itself answers not-found for unknown names."""
    argv = [systemctl, "show", "--property=" + ",".join(_PROPERTIES), "--", unit]
    rc, out, err = module.run_command(argv, environ_update={"LC_ALL": "C"})
    if rc != 0:
        module.fail_json(msg=f"systemctl show {unit} failed: {err.strip()}", rc=rc)
    props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return {
        "id": props.get("Id", unit),
        "load_state": props.get("LoadState", "not-found"),
        "active_state": props.get("ActiveState", "inactive"),
        "unit_file_state": props.get("UnitFileState", ""),
        "fragment_path": props.get("FragmentPath", ""),
    }


def _instances(module: AnsibleModule, systemctl: str, base: str) -> dict[str, str]:
    """Loaded `base@*.service` instances and their active state."""
    argv = [systemctl, "list-units", "--all", "--full", "--plain", "--no-legend",
            "--type=service", "--", f"{base}@*.service"]
    rc, out, err = module.run_command(argv, environ_update={"LC_ALL": "C"})
    if rc != 0:
        module.fail_json(msg=f"systemctl list-units {base}@*.service failed: {err.strip()}")
    found = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0].startswith(f"{base}@"):
            found[fields[0]] = fields[2]
    return found


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "units": {"type": "list", "elements": "str", "default": []},
            "templates": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    systemctl = module.get_bin_path("systemctl", required=True)
    units = {unit: _show(module, systemctl, unit) for unit in module.params["units"]}
    instances = {}
    for base in module.params["templates"]:
        instances.update(_instances(module, systemctl, base))
    module.exit_json(changed=False, units=units, instances=instances)


if __name__ == "__main__":
    main()
