"""The harden role's items: a daemon that stays reachable, configured to its profile.

The Linux role hardens sshd, Redis, vsftpd, snmpd, Dovecot and Postfix; a harden action
for another daemon becomes a README note. The algorithm lists come from the plan (whose schema
already limits each name to an algorithm's shape); they are checked again here, because
they end up as ``sshd_config`` words on the host and a plan file is only as trusted as its reviewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from remediator.classify.model import Harden
from remediator.classify.plan_document import PlanDecision
from remediator.errors import InputError
from remediator.generate.items import Note
from remediator.generate.safety import py_literal
from remediator.generate.yamlout import Value

HARDEN_UNITS: Final = {
    "sshd": "ssh.service",
    "redis": "redis-server.service",
    "vsftpd": "vsftpd.service",
    "snmpd": "snmpd.service",
    "dovecot": "dovecot.service",
    "postfix": "postfix.service",
}
"""The unit each hardened daemon runs as (Debian names), for the snapshot; its keys are
the daemons the Linux harden role is generated for (Windows has its own, rdp and smb)."""
SSHD_LISTS: Final = ("kex", "ciphers", "macs", "host_key_algorithms")
"""The plan's sshd algorithm lists, as the role's item fields (``kex`` is
``kex_algorithms`` there)."""
ROLE_FIELDS: Final = {
    "kex": "kex_algorithms",
    "ciphers": "ciphers",
    "macs": "macs",
    "host_key_algorithms": "host_key_algorithms",
}
STRONG: Final = "strong_algorithms"
NO_PASSWORDS: Final = "password_auth_off"
VARIABLE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
"""An Ansible variable name: what redis's ``password_var`` may be (it is looked up, and
the only thing about the secret the project ever holds)."""
ALGORITHM: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9@.+=_-]{0,79}")


@dataclass(frozen=True)
class LinuxHardenItem:
    """One ``harden_items`` entry: the finding, its daemon and what the role writes."""

    key: str
    reason: str
    daemon: str
    port: int
    profile: str | None
    algorithms: tuple[tuple[str, tuple[str, ...]], ...]
    password_off: bool = False
    """sshd: password and keyboard-interactive logins off (the policy's keys_only)."""
    secret_var: str | None = None
    """redis: the name of the variable holding the password."""
    sources: tuple[str, ...] = ()
    """snmpd: the CIDRs a community stays allowed from where no SNMPv3 user exists."""


def add_harden(
    decision: PlanDecision, action: Harden, out: list[LinuxHardenItem], notes: list[Note]
) -> None:
    """The item for ``action``, or a note when no Linux role hardens its daemon."""
    if action.daemon not in HARDEN_UNITS:
        notes.append(Note(decision.key, f"not hardened: no Linux role for {action.daemon}"))
        return
    if action.daemon == "redis":
        out.append(_redis(decision, action))
        return
    if action.daemon in ("vsftpd", "snmpd", "dovecot", "postfix"):
        out.append(_settings_only(decision, action))
        return
    lists = dict(action.algorithms)
    missing = [c for c in SSHD_LISTS if not lists.get(c)]
    if missing and STRONG in action.settings:
        raise InputError(
            f"plan: decision {py_literal(decision.key)} hardens sshd without "
            f"{', '.join(missing)}; regenerate the plan"
        )
    for category in SSHD_LISTS:
        bad = [n for n in lists.get(category, ()) if not ALGORITHM.fullmatch(n)]
        if bad:
            raise InputError(
                f"plan: decision {py_literal(decision.key)}: {py_literal(bad[0])} is not an "
                f"SSH algorithm name; refusing to write it into sshd_config"
            )
    out.append(
        LinuxHardenItem(
            key=decision.key,
            reason=decision.reason,
            daemon=action.daemon,
            port=action.port,
            profile=action.profile,
            algorithms=tuple((c, tuple(lists[c])) for c in SSHD_LISTS if lists.get(c)),
            password_off=NO_PASSWORDS in action.settings,
        )
    )


def _redis(decision: PlanDecision, action: Harden) -> LinuxHardenItem:
    variable = action.secret_var or ""
    if not VARIABLE.fullmatch(variable):
        raise InputError(
            f"plan: decision {py_literal(decision.key)} hardens redis without a valid "
            f"password variable name ({py_literal(variable)}); regenerate the plan"
        )
    return LinuxHardenItem(
        key=decision.key,
        reason=decision.reason,
        daemon=action.daemon,
        port=action.port,
        profile=None,
        algorithms=(),
        secret_var=variable,
    )


def _settings_only(decision: PlanDecision, action: Harden) -> LinuxHardenItem:
    """vsftpd, snmpd, dovecot and postfix: the role knows their one setting; snmpd also
    gets the sources (CIDRs the plan reader has already parsed as networks)."""
    sources = () if action.sources is None else tuple(action.sources.cidrs())
    return LinuxHardenItem(
        key=decision.key,
        reason=decision.reason,
        daemon=action.daemon,
        port=action.port,
        profile=None,
        algorithms=(),
        sources=sources,
    )


def harden_var(item: LinuxHardenItem) -> dict[str, Value]:
    """The item as the role reads it (``meta/argument_specs.yml`` of roles/harden)."""
    data: dict[str, Value] = {"key": item.key, "reason": item.reason, "daemon": item.daemon}
    for category, names in item.algorithms:
        data[ROLE_FIELDS[category]] = list[Value](names)
    if item.password_off:
        data["password_authentication"] = False
    if item.secret_var is not None:
        data["password_var"] = item.secret_var
    if item.sources:
        data["sources"] = list[Value](item.sources)
    return data
