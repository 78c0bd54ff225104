"""Which finding a task result remediates: the link between job events and the plan.

The roles loop over items that each carry their finding ``key`` (or ``keys`` when one
unit serves several findings), so most results name their findings themselves. A result
without such an item (a rendered ruleset, a validated configuration, a handler) is mapped
through the role's items on that host, narrowed by what the result touched: a daemon's
configuration path or checker, a unit name, package removal. Results outside the
remediation roles (guard, snapshot, verification) remediate nothing and map to no key.
"""

from __future__ import annotations

import re
from typing import Final

from remediator.run.ansible.events import TaskResult
from remediator.run.project import ROLE_ITEMS, HostSpec

DAEMON_PATHS: Final = (
    ("/etc/nginx", "nginx"),
    ("/etc/apache2", "apache2"),
    ("/etc/postfix", "postfix"),
    ("/etc/dovecot", "dovecot"),
    ("/etc/vsftpd", "vsftpd"),
    ("/etc/ssh", "sshd"),
    ("/etc/redis", "redis"),
    ("/etc/snmp", "snmpd"),
)
DAEMON_WORDS: Final = {
    "nginx": "nginx",
    "apache": "apache2",
    "apache2": "apache2",
    "apache2ctl": "apache2",
    "apachectl": "apache2",
    "postfix": "postfix",
    "postconf": "postfix",
    "dovecot": "dovecot",
    "doveconf": "dovecot",
    "vsftpd": "vsftpd",
    "sshd": "sshd",
    "ssh": "sshd",
    "redis": "redis",
    "redis-server": "redis",
    "snmpd": "snmpd",
}
PACKAGE_ACTIONS: Final = ("package", "apt", "dnf", "yum")
_UNIT_BASE: Final = re.compile(r"^([^@.]+)")


def finding_keys(result: TaskResult, spec: HostSpec) -> tuple[str, ...]:
    """The keys of ``spec``'s findings that ``result`` is about; () for non-remediation."""
    if result.role not in ROLE_ITEMS:
        return ()
    role_keys = spec.keys_for(result.role)
    named = [k for k in result.item_keys if k in role_keys]
    if named:
        return tuple(dict.fromkeys(named))
    return _narrow(result, spec) or role_keys


def _narrow(result: TaskResult, spec: HostSpec) -> tuple[str, ...]:
    items = [i for i in spec.items if i.role == result.role]
    if result.role in {"tls", "harden"}:
        daemons = {d for d in (_daemon(h) for h in (*result.hints, result.task)) if d}
        return tuple(dict.fromkeys(i.key for i in items if i.daemon in daemons))
    if result.role == "disable_service":
        if result.action.rsplit(".", 1)[-1] in PACKAGE_ACTIONS:
            return tuple(dict.fromkeys(i.key for i in items if i.irreversible))
        if result.task.startswith(("Reload inetd", "Reload xinetd")):
            return tuple(dict.fromkeys(i.key for i in items if i.inetd))
        bases = {_unit_base(h) for h in (*result.hints, *result.item_keys)}
        return tuple(
            dict.fromkeys(i.key for i in items if bases & {_unit_base(u) for u in i.units})
        )
    return ()


def _daemon(hint: str) -> str | None:
    for prefix, daemon in DAEMON_PATHS:
        if hint.startswith(prefix):
            return daemon
    words = hint.split()
    return DAEMON_WORDS.get(words[-1].lower().removesuffix(".service")) if words else None


def _unit_base(name: str) -> str:
    match = _UNIT_BASE.match(name.rsplit("/", 1)[-1])
    return match.group(1) if match else name
