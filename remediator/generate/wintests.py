"""``tests/test_<host>.py`` of a Windows host: one pytest-testinfra test per fix and keep.

The host side is read through testinfra's ansible backend over the inventory's WinRM or
PSRP connection (``host.ansible(...)`` with ``ansible.windows`` modules; credentials stay
in the inventory or Vault); blocked and restricted ports and TLS handshakes are checked
from the controller, as a rescan sees them. Names and values are made as on Linux
(:mod:`remediator.generate.testinfra`): from protocols, ports, fixed words and catalog
service names checked by :data:`~remediator.generate.winjobs.SERVICE_NAME`, never scan text.
"""

from __future__ import annotations

from typing import Final

from remediator.generate.items import is_ip
from remediator.generate.probes import LEGACY_CIPHERS, OPENSSL_FLAGS, connect_target
from remediator.generate.safety import slug
from remediator.generate.testinfra import SuiteTest, listening_tests, reach_tests, unique_tests
from remediator.generate.winjobs import SchannelItem, WindowsJob
from remediator.generate.winvars import schannel_protocols

RDP_KEY: Final = r"HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp"
SMB_KEY: Final = r"HKLM:\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters"
HARDEN_CHECKS: Final = {
    ("rdp", "nla"): (RDP_KEY, "UserAuthentication", 1),
    ("rdp", "tls_security_layer"): (RDP_KEY, "SecurityLayer", 2),
    ("smb", "smb1_off"): (SMB_KEY, "SMB1", 0),
}
"""Each harden setting as the registry value the windows_harden role writes."""


def windows_suite_tests(job: WindowsJob) -> tuple[SuiteTest, ...]:
    """Every test of one Windows host's suite, fixes first, names unique."""
    return unique_tests(
        [
            *_services(job),
            *reach_tests(job),
            *_harden(job),
            *_schannel(job),
            *_handshakes(job),
            *listening_tests(job.listening),
        ]
    )


def _services(job: WindowsJob) -> list[SuiteTest]:
    by_service: dict[str, list[str]] = {}
    for item in job.services:
        for service in item.services:
            by_service.setdefault(service, []).append(item.key)
    return [
        SuiteTest(
            name=f"test_fix_service_off_{slug(service)}",
            kind="service_off",
            keys=tuple(dict.fromkeys(keys)),
            units=(service,),
        )
        for service, keys in sorted(by_service.items(), key=lambda pair: pair[0].lower())
    ]


def _harden(job: WindowsJob) -> list[SuiteTest]:
    by_setting: dict[tuple[str, str], list[str]] = {}
    for item in job.harden:
        for setting in item.settings:
            by_setting.setdefault((item.daemon, setting), []).append(item.key)
    specs = []
    for (daemon, setting), keys in sorted(by_setting.items()):
        key, name, value = HARDEN_CHECKS[(daemon, setting)]
        specs.append(
            SuiteTest(
                name=f"test_fix_harden_{daemon}_{setting}",
                kind="registry",
                keys=tuple(dict.fromkeys(keys)),
                port=value,
                args=(key, name),
            )
        )
    return specs


def _schannel(job: WindowsJob) -> list[SuiteTest]:
    if not job.schannel:
        return []
    keys = tuple(dict.fromkeys(i.key for i in job.schannel))
    _enabled, disabled = schannel_protocols(job.tls_protocols)
    return [
        SuiteTest(
            name=f"test_fix_schannel_{slug(name)}_off",
            kind="schannel_off",
            keys=keys,
            args=(name,),
        )
        for name in disabled
    ]


def _handshakes(job: WindowsJob) -> list[SuiteTest]:
    """Controller-side handshakes: each version the scan found that the profile excludes
    must be refused once SCHANNEL has applied its settings (at the next reboot)."""
    grouped: dict[tuple[str, int], list[SchannelItem]] = {}
    for item in job.schannel:
        if is_ip(item.address):
            grouped.setdefault((item.address, item.port), []).append(item)
    specs = []
    for (address, port), items in sorted(grouped.items()):
        found = sorted(
            {i.kind.split(":", 1)[1] for i in items if i.kind.startswith("tls-protocol:")}
        )
        connect = connect_target(address, port)
        for version in found:
            if version in OPENSSL_FLAGS and version not in job.tls_protocols:
                flag = OPENSSL_FLAGS[version]
                specs.append(
                    SuiteTest(
                        name=f"test_fix_tls_{slug(address)}_{port}_refuses_{flag}",
                        kind="tls_refuses",
                        keys=tuple(i.key for i in items),
                        args=("-connect", connect, f"-{flag}", "-cipher", LEGACY_CIPHERS),
                    )
                )
    return specs
