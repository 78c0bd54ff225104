"""The lab as an Ansible inventory (YAML), the same shape a user's own inventory has.

Hosts are named ``<name>.lab`` (their certificates' names) so that no host shares a
name with its role group, which Ansible warns about. Each host carries both of its
addresses (``ansible_host`` v4, ``remediator_addresses`` v4 and v6, which is how
``remediator ingest --inventory`` maps scanned addresses to hosts) and the connection
settings. Ansible itself must run in the controller namespace
(:func:`remediator.lab.ssh.controller_command`); nothing here makes that happen, so the
inventory stays an ordinary one.
"""

from __future__ import annotations

from typing import Any, Final

import yaml

from remediator.lab.config import Host, LabConfig
from remediator.lab.ssh import NO_HOST_KEY_CHECK, key_path

ALL_HOSTS_GROUP: Final = "linux"


def inventory_name(host: Host) -> str:
    return f"{host.name}.lab"


def inventory(config: LabConfig) -> dict[str, Any]:
    """The inventory as data: ``all`` > ``linux`` > one group per role."""
    groups: dict[str, Any] = {}
    for host in config.hosts:
        group = groups.setdefault(host.role.name, {"hosts": {}})
        group["hosts"][inventory_name(host)] = _host_vars(config, host)
    return {"all": {"children": {ALL_HOSTS_GROUP: {"children": groups}}}}


def inventory_yaml(config: LabConfig) -> str:
    header = (
        "# remediator lab inventory: run ansible inside the lab's controller namespace\n"
        f"# (ip netns exec {config.controller_ns} ...); host keys are not checked (lab only).\n"
    )
    return header + yaml.safe_dump(
        inventory(config), sort_keys=False, default_flow_style=False, width=1000
    )


def _host_vars(config: LabConfig, host: Host) -> dict[str, Any]:
    return {
        "ansible_host": str(host.address4),
        "remediator_addresses": list(host.addresses),
        "ansible_user": "root",
        "ansible_ssh_private_key_file": str(key_path(config.state_dir)),
        "ansible_ssh_common_args": " ".join(NO_HOST_KEY_CHECK),
        "ansible_python_interpreter": "/usr/bin/python3",
        "remediator_firewall_backend": host.role.firewall,
        "remediator_lab_role": host.role.name,
    }
