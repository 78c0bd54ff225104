"""``tests/test_<host>.py``: one pytest-testinfra test per fix, and per thing that must survive.

Test names are made here from protocols, ports and slugs of IP addresses — never from
scan text — and checked against a strict pattern; every value in a test is a Python
literal made by :func:`remediator.generate.safety.py_literal`. ``test_fix_*`` tests must
fail before the remediation (each asserts the opposite of what the scan saw), and
``test_keep_*`` tests pass before and after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from remediator.generate.items import PortCheck
from remediator.generate.jobs import HostJob
from remediator.generate.patch import PatchItem
from remediator.generate.probes import (
    LEGACY_CIPHERS,
    Firewalled,
    TlsProbe,
    reach_checks,
    tls_probes,
    unprobed,
    unprobed_reason,
)
from remediator.generate.safety import slug

TEST_NAME: Final = re.compile(r"test_(fix|keep)_[a-z0-9_]+")


@dataclass(frozen=True)
class SuiteTest:
    """One generated test: its name, what kind of check, and the check's values."""

    name: str
    kind: str
    keys: tuple[str, ...]
    protocol: str = ""
    port: int = 0
    address: str = ""
    units: tuple[str, ...] = ()
    inetd: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    args: tuple[str, ...] = field(default=())


def suite_module_name(host: str, taken: set[str]) -> str:
    """``test_<slug>`` for a host, unique among ``taken`` (host names may slug alike)."""
    base = f"test_{slug(host)}"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


def suite_tests(job: HostJob) -> tuple[SuiteTest, ...]:
    """Every test of one host's suite, fixes first, names unique."""
    return unique_tests(
        [
            *_closed(job),
            *reach_tests(job),
            *_tls(job),
            *_tls_logins(job),
            *_sshd(job),
            *_patch(job),
            *listening_tests(job.listening),
        ]
    )


def unique_tests(specs: list[SuiteTest]) -> tuple[SuiteTest, ...]:
    """The tests in order, a name taken twice suffixed ``_2``, ``_3``; each name checked."""
    seen: set[str] = set()
    unique = []
    for spec in specs:
        name, number = spec.name, 2
        while name in seen:
            name, number = f"{spec.name}_{number}", number + 1
        if TEST_NAME.fullmatch(name) is None:
            raise ValueError(f"generated test name {name!r} is not safe")
        seen.add(name)
        unique.append(spec if name == spec.name else _renamed(spec, name))
    return tuple(unique)


def _renamed(spec: SuiteTest, name: str) -> SuiteTest:
    return SuiteTest(
        name,
        spec.kind,
        spec.keys,
        spec.protocol,
        spec.port,
        spec.address,
        spec.units,
        spec.inetd,
        spec.sources,
        spec.args,
    )


def _closed(job: HostJob) -> list[SuiteTest]:
    specs = []
    for check in job.closed:
        items = [i for i in job.disable if (i.protocol, i.port) == (check.protocol, check.port)]
        units = sorted({u for i in items for u in (*i.units, *i.sockets)})
        inetd = sorted({n for i in items for n in i.inetd})
        specs.append(
            SuiteTest(
                name=f"test_fix_closed_{check.protocol}_{check.port}",
                kind="closed",
                keys=check.keys,
                protocol=check.protocol,
                port=check.port,
                units=tuple(units),
                inetd=tuple(inetd),
            )
        )
    return specs


def reach_tests(job: Firewalled) -> list[SuiteTest]:
    """Controller-side tests of blocked and restricted ports (the same on every OS)."""
    return [
        SuiteTest(
            name=f"test_fix_{'blocked' if r.action == 'block' else 'restricted'}_"
            f"{'udp_' if r.protocol == 'udp' else ''}{slug(r.address)}_{r.port}",
            kind="blocked" if r.action == "block" else "restricted",
            keys=r.keys,
            protocol=r.protocol,
            address=r.address,
            port=r.port,
            sources=r.sources,
            args=(r.request,) if r.request else (),
        )
        for r in reach_checks(job)
    ]


@dataclass(frozen=True)
class Unasserted:
    """A firewall change no test asserts, and why (written into the suite)."""

    key: str
    reason: str


def unasserted(job: HostJob) -> tuple[Unasserted, ...]:
    """The host's firewall items no generated test stands for."""
    return tuple(Unasserted(i.key, unprobed_reason(i)) for i in unprobed(job))


def _tls(job: HostJob) -> list[SuiteTest]:
    specs = []
    for probe in tls_probes(job):
        base = _base_args(probe)
        where = f"{slug(probe.connect.rsplit(':', 1)[0])}_{probe.port}"
        for version in probe.found:
            specs.append(
                SuiteTest(
                    name=f"test_fix_tls_{where}_refuses_{version}",
                    kind="refuses",
                    keys=probe.keys,
                    args=(*base, f"-{version}", "-cipher", LEGACY_CIPHERS),
                )
            )
        if probe.weak_ciphers:
            specs.append(
                SuiteTest(
                    name=f"test_fix_tls_{where}_refuses_weak_ciphers",
                    kind="refuses",
                    keys=probe.keys,
                    args=(*base, "-tls1_2", "-cipher", probe.weak_ciphers),
                )
            )
        specs.append(
            SuiteTest(
                name=f"test_keep_tls_{where}_accepts_{probe.accept}",
                kind="accepts",
                keys=probe.keys,
                args=(*base, f"-{probe.accept}"),
            )
        )
    return specs


LOGIN_SETTINGS: Final = {
    "dovecot": (
        "test_fix_dovecot_plaintext_logins_off",
        ("doveconf", "-h", "disable_plaintext_auth", "yes"),
    ),
    "postfix": (
        "test_fix_postfix_auth_only_over_tls",
        ("postconf", "-h", "smtpd_tls_auth_only", "yes"),
    ),
}
"""The daemon's own word on the setting that keeps logins inside TLS, where a finding
requires it (a cleartext login service the policy keeps): asked from the daemon's tool,
so the effective value is what is asserted, whatever file set it."""


def _tls_logins(job: HostJob) -> list[SuiteTest]:
    """One test per daemon whose logins a finding requires inside TLS."""
    specs = []
    for daemon, (name, args) in LOGIN_SETTINGS.items():
        items = [i for i in job.tls if i.daemon == daemon and i.require_tls]
        if items:
            keys = tuple(dict.fromkeys(i.key for i in items))
            specs.append(SuiteTest(name=name, kind="command_says", keys=keys, args=args))
    return specs


SSHD_T_KEYWORDS: Final = {
    "kex": "kexalgorithms",
    "ciphers": "ciphers",
    "macs": "macs",
    "host_key_algorithms": "hostkeyalgorithms",
}
"""Each plan list's keyword in ``sshd -T`` output (lower case there)."""


def _sshd(job: HostJob) -> list[SuiteTest]:
    """One test per hardened sshd port: the effective configuration offers only the
    profile's algorithms (the weakness the scan saw fails it before the change)."""
    specs: dict[int, SuiteTest] = {}
    for item in job.harden:
        if item.daemon != "sshd" or not item.algorithms:
            continue
        previous = specs.get(item.port)
        keys = (*previous.keys, item.key) if previous else (item.key,)
        specs[item.port] = SuiteTest(
            name=f"test_fix_sshd_{item.port}_offers_only_{slug(item.profile or 'profile')}",
            kind="sshd_profile",
            keys=keys,
            port=item.port,
            args=tuple(f"{SSHD_T_KEYWORDS[c]}={','.join(names)}" for c, names in item.algorithms),
        )
    for item in job.harden:
        if item.daemon == "redis":
            previous = specs.get(item.port)
            keys = (*previous.keys, item.key) if previous else (item.key,)
            specs[item.port] = SuiteTest(
                name=f"test_fix_redis_{item.port}_requires_a_password",
                kind="redis_auth",
                keys=keys,
                port=item.port,
            )
    keys_only = [i for i in job.harden if i.daemon == "sshd" and i.password_off]
    if keys_only:
        specs[0] = SuiteTest(
            name="test_fix_sshd_keys_only",
            kind="sshd_says",
            keys=tuple(i.key for i in keys_only),
            args=("passwordauthentication=no", "kbdinteractiveauthentication=no"),
        )
    return list(specs.values())


def _patch(job: HostJob) -> list[SuiteTest]:
    """One test per patched finding: the installed package's changelog names its CVEs (it
    fails before an upgrade, and passes before and after a backport, which changes
    nothing). Findings on one port are numbered in key order: names never come from scan
    text."""
    by_port: dict[tuple[str, int], list[PatchItem]] = {}
    for item in job.patch:
        by_port.setdefault((item.protocol, item.port), []).append(item)
    specs = []
    for (protocol, port), items in sorted(by_port.items()):
        for number, item in enumerate(sorted(items, key=lambda i: i.key), 1):
            suffix = "" if number == 1 else f"_{number}"
            specs.append(
                SuiteTest(
                    name=f"test_fix_patch_{protocol}_{port}_changelog_names_its_cves{suffix}",
                    kind="changelog_names",
                    keys=(item.key,),
                    protocol=protocol,
                    port=port,
                    args=item.cves,
                )
            )
    return specs


def _base_args(probe: TlsProbe) -> tuple[str, ...]:
    starttls = ("-starttls", probe.starttls) if probe.starttls else ()
    return ("-connect", probe.connect, *starttls)


def listening_tests(checks: tuple[PortCheck, ...]) -> list[SuiteTest]:
    """One test per port that must still listen (kept services, the management port)."""
    return [
        SuiteTest(
            name=f"test_keep_listening_{check.protocol}_{check.port}",
            kind="listening",
            keys=check.keys,
            protocol=check.protocol,
            port=check.port,
        )
        for check in checks
    ]
