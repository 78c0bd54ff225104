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

from remediator.generate.harden import LinuxHardenItem
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
            *_harden(job),
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
    """One test per daemon whose logins a finding requires inside TLS: the tls role's
    ``require_tls`` items, and the harden role's login items."""
    specs = []
    for daemon, (name, args) in LOGIN_SETTINGS.items():
        keys = [i.key for i in job.tls if i.daemon == daemon and i.require_tls]
        keys += [i.key for i in job.harden if i.daemon == daemon]
        if keys:
            unique = tuple(dict.fromkeys(keys))
            specs.append(SuiteTest(name=name, kind="command_says", keys=unique, args=args))
    return specs


SSHD_T_KEYWORDS: Final = {
    "kex": "kexalgorithms",
    "ciphers": "ciphers",
    "macs": "macs",
    "host_key_algorithms": "hostkeyalgorithms",
}
"""Each plan list's keyword in ``sshd -T`` output (lower case there)."""


def _harden(job: HostJob) -> list[SuiteTest]:
    """The hardened daemons' tests: each fails while the weakness the scan saw is there."""
    return [
        *_sshd_profile(job),
        *_sshd_keys_only(job),
        *_per_port(job, "redis", "test_fix_redis_{port}_requires_a_password", "redis_auth"),
        *_per_port(job, "vsftpd", "test_fix_ftp_{port}_refuses_anonymous", "ftp_no_anonymous"),
        *_snmpd(job),
    ]


def _by_port(items: list[LinuxHardenItem]) -> dict[int, list[LinuxHardenItem]]:
    """The items of each port, ports in order (a port's findings share one test)."""
    ports: dict[int, list[LinuxHardenItem]] = {}
    for item in sorted(items, key=lambda i: i.port):
        ports.setdefault(item.port, []).append(item)
    return ports


def _keys(items: list[LinuxHardenItem]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i.key for i in items))


def _per_port(job: HostJob, daemon: str, name: str, kind: str) -> list[SuiteTest]:
    """One test of ``kind`` per port of ``daemon``'s items, asked on the host itself so
    that no firewall rule stands in for the daemon's setting."""
    ports = _by_port([i for i in job.harden if i.daemon == daemon])
    return [
        SuiteTest(name=name.format(port=port), kind=kind, keys=_keys(items), port=port)
        for port, items in ports.items()
    ]


def _sshd_profile(job: HostJob) -> list[SuiteTest]:
    """One test per hardened sshd port: the effective configuration offers only the
    profile's algorithms."""
    ports = _by_port([i for i in job.harden if i.daemon == "sshd" and i.algorithms])
    specs = []
    for port, items in ports.items():
        last = items[-1]
        specs.append(
            SuiteTest(
                name=f"test_fix_sshd_{port}_offers_only_{slug(last.profile or 'profile')}",
                kind="sshd_profile",
                keys=_keys(items),
                port=port,
                args=tuple(
                    f"{SSHD_T_KEYWORDS[c]}={','.join(names)}" for c, names in last.algorithms
                ),
            )
        )
    return specs


def _sshd_keys_only(job: HostJob) -> list[SuiteTest]:
    """One test for the host: sshd takes no password or keyboard-interactive logins."""
    items = [i for i in job.harden if i.daemon == "sshd" and i.password_off]
    if not items:
        return []
    return [
        SuiteTest(
            name="test_fix_sshd_keys_only",
            kind="sshd_says",
            keys=_keys(items),
            args=("passwordauthentication=no", "kbdinteractiveauthentication=no"),
        )
    ]


def _snmpd(job: HostJob) -> list[SuiteTest]:
    """One test per snmpd port: no community is granted outside the items' sources (none
    at all where no sources are given)."""
    ports = _by_port([i for i in job.harden if i.daemon == "snmpd"])
    return [
        SuiteTest(
            name=f"test_fix_snmp_{port}_communities_within_policy",
            kind="snmp_communities",
            keys=_keys(items),
            port=port,
            sources=tuple(dict.fromkeys(s for i in items for s in i.sources)),
        )
        for port, items in ports.items()
    ]


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
