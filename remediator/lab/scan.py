"""``lab scan``: the stand-in for the ASV's external scan, run from the controller.

nmap cannot mix IPv4 and IPv6 targets in one run, so two runs go in parallel and
write two XML files (``remediator ingest`` reads several): ``FILE`` for IPv4 and
``FILE``'s stem + ``.v6`` for IPv6. Each run: TCP SYN + version detection on all
65,535 ports, UDP on the lab's UDP ports, and ``ssl-enum-ciphers``/``ssl-cert`` on
every port nmap finds speaking TLS or STARTTLS (smtp, imap, pop3, ftp, ...).

Every target is checked against the lab's own host addresses before nmap starts:
this command never scans anything else.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from remediator.common.processes import run_side_by_side
from remediator.errors import RefusedError
from remediator.lab.config import LabConfig
from remediator.lab.proc import Say
from remediator.lab.ssh import controller_command

NMAP_OPTIONS: Final = (
    "-n",
    "-Pn",
    "-sS",
    "-sU",
    "-sV",
    "-T4",
    "--min-rate",
    "2000",
    "--max-retries",
    "2",
    "--script",
    "ssl-enum-ciphers,ssl-cert",
)
HARDENING_SCRIPTS: Final = (
    "ssh2-enum-algos",
    "ssh-auth-methods",
    "ftp-anon",
    "redis-info",
    "snmp-sysdescr",
    "imap-capabilities",
    "pop3-capabilities",
    "smtp-commands",
)
"""Scripts ``lab scan --hardening`` adds: what a service that stays open offers (SSH
algorithms and login methods, anonymous FTP, Redis without a password, SNMP answering
community ``public``, mail logins before TLS), the findings the harden actions answer.
Off by default, so the demo's scan stays the one its lab tests were written against."""


@dataclass(frozen=True)
class ScanResult:
    files: tuple[Path, ...]
    seconds: float


def v6_path(output: Path) -> Path:
    """Where the IPv6 half of a scan written to ``output`` goes (``x.xml`` -> ``x.v6.xml``)."""
    return output.with_name(f"{output.stem}.v6{output.suffix or '.xml'}")


def udp_ports(config: LabConfig) -> list[int]:
    return sorted({port for host in config.hosts for port in host.role.udp_ports})


def nmap_argv(
    config: LabConfig, targets: list[str], output: Path, *, hardening: bool = False
) -> list[str]:
    """One nmap run over ``targets`` (one address family), refused if any is not a lab host."""
    check_targets(config, targets)
    ports = f"T:1-65535,U:{','.join(str(p) for p in udp_ports(config))}"
    family = ["-6"] if ipaddress.ip_address(targets[0]).version == 6 else []
    options = list(NMAP_OPTIONS)
    if hardening:
        options[-1] = ",".join((options[-1], *HARDENING_SCRIPTS))
    argv = ["nmap", *options, *family, "-p", ports, "-oX", str(output), *targets]
    return controller_command(argv, config)


def check_targets(config: LabConfig, targets: list[str]) -> None:
    """Refuse any target that is not one of this lab's host addresses (or mixed families)."""
    allowed = config.lab_addresses()
    if not targets:
        raise RefusedError("no scan targets")
    outside = [t for t in targets if t not in allowed]
    if outside:
        raise RefusedError(f"refusing to scan non-lab addresses: {', '.join(outside)}")
    if len({ipaddress.ip_address(t).version for t in targets}) != 1:
        raise RefusedError("one nmap run takes one address family")


def scan(config: LabConfig, output: Path, say: Say, *, hardening: bool = False) -> ScanResult:
    """Scan every lab host over v4 and v6 in parallel; the XML files written and the time.

    ``hardening`` adds :data:`HARDENING_SCRIPTS`."""
    runs = [
        ([str(h.address4) for h in config.hosts], output),
        ([str(h.address6) for h in config.hosts], v6_path(output)),
    ]
    commands = [nmap_argv(config, targets, path, hardening=hardening) for targets, path in runs]
    for _, path in runs:
        path.parent.mkdir(parents=True, exist_ok=True)
    say(f"scanning {len(config.hosts)} lab hosts over IPv4 and IPv6 (all TCP ports) ...")
    started = time.monotonic()
    run_side_by_side(list(zip(commands, (path for _, path in runs), strict=True)), "lab scan")
    return ScanResult(tuple(path for _, path in runs), time.monotonic() - started)
