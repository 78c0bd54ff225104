#!/usr/bin/python
# -*- coding: utf-8 -*-
# Apache-2.0 (see the remediator project)
"""Stop and disable, or mask, one systemd unit, whatever its load state.

ansible.builtin.systemd_service refuses any unit systemd could not load (``LoadError``
set and not masked): the alias names Debian ships beside a unit (mysql.service ->
mariadb.service) fail to load once the real unit is masked (``File exists``), and a
template (``name@.service``) or a unit file with a bad setting cannot be loaded at all.
Stopping needs a loaded unit, but disabling and masking work on unit files, so this
module decides from ``systemctl`` state what each step needs, does only that, and in
check mode reports the same decision without doing it.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: unit_off
short_description: Stop and disable, or mask, a systemd unit in any load state
description:
  - With I(state=disabled), stops the unit when it is active and disables it when its unit file
    state is enabled or linked (runtime included).
  - With I(state=masked), masks the unit unless it is masked already.
  - Works for units systemd cannot load (templates, bad settings, aliases of masked units);
    supports check mode (reports what it would do).
options:
  name:
    description: The full unit name.
    type: str
    required: true
  state:
    description: C(disabled) (stopped and disabled) or C(masked).
    type: str
    required: true
    choices: [disabled, masked]
author:
  - remediator
"""

RETURN = r"""
actions:
  description: The systemctl verbs run (or, in check mode, that would run), in order.
  type: list
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule

_RUNNING = ("active", "activating", "reloading", "deactivating", "refreshing")
_ENABLED = ("enabled", "enabled-runtime", "linked", "linked-runtime")
_MASKED = ("masked", "masked-runtime")


def _systemctl(module: AnsibleModule, systemctl: str, *args: str) -> tuple[int, str, str]:
    rc, out, err = module.run_command([systemctl, *args], environ_update={"LC_ALL": "C"})
    return rc, out.strip(), err.strip()


def _file_state(module: AnsibleModule, systemctl: str, name: str) -> str:
    """``systemctl is-enabled``'s word (its exit code says nothing more for us)."""
    _rc, out, _err = _systemctl(module, systemctl, "is-enabled", "--", name)
    return out.splitlines()[0] if out else ""


def _active(module: AnsibleModule, systemctl: str, name: str) -> str:
    if "@." in name:
        return "inactive"  # a template never runs; its instances are stopped on their own
    _rc, out, _err = _systemctl(module, systemctl, "show", "--property=ActiveState", "--", name)
    return out.partition("=")[2]


def _plan(module: AnsibleModule, systemctl: str, name: str, state: str) -> list[list[str]]:
    """The systemctl invocations ``state`` needs, from what the unit is now."""
    file_state = _file_state(module, systemctl, name)
    if state == "masked":
        return [] if file_state in _MASKED else [["mask", "--", name]]
    steps = []
    if _active(module, systemctl, name) in _RUNNING:
        steps.append(["stop", "--", name])
    if file_state in _ENABLED:
        runtime = ["--runtime"] if file_state.endswith("-runtime") else []
        steps.append(["disable", *runtime, "--", name])
    return steps


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "required": True, "choices": ["disabled", "masked"]},
        },
        supports_check_mode=True,
    )
    name, state = module.params["name"], module.params["state"]
    systemctl = module.get_bin_path("systemctl", required=True)
    steps = _plan(module, systemctl, name, state)
    actions = [step[0] for step in steps]
    if not module.check_mode:
        for step in steps:
            rc, out, err = _systemctl(module, systemctl, *step)
            if rc != 0:
                module.fail_json(msg=f"systemctl {' '.join(step)} failed: {err or out}",
                                 rc=rc, actions=actions, unit=name)
    module.exit_json(changed=bool(steps), actions=actions, unit=name)


if __name__ == "__main__":
    main()
