"""The rescan outside the lab: a scanner command the user configures.

``--rescan-command`` is a command line template, split like a shell would (``shlex``) but
never given to one. Its placeholders are filled per run, one run per address family:

``{targets}``  a token of its own: replaced by the affected addresses, one argument each
``{ports}``    the affected ports, nmap style (``T:22,443,U:161``)
``{output}``   the file the scanner must write (any format ``remediator ingest`` reads)
``{v6}``       a token of its own: ``-6`` in the IPv6 run, dropped in the IPv4 run

e.g. ``nmap -sS -sU -sV -Pn --script ssl-enum-ciphers,ssl-cert {v6} -p {ports} -oX {output}
{targets}``. The addresses come from the run's plan and are checked to be IP addresses
before they reach the command, so nothing a scan once said is ever executed.
"""

from __future__ import annotations

import ipaddress
import shlex
from pathlib import Path
from typing import Final

from remediator.common.processes import run_side_by_side
from remediator.errors import InputError
from remediator.verify.scope import Scope, port_ranges

TARGETS: Final = "{targets}"
OUTPUT: Final = "{output}"
PORTS: Final = "{ports}"
V6: Final = "{v6}"


def check_template(template: str) -> list[str]:
    """The template's tokens; InputError unless it has {targets} and {output}."""
    try:
        tokens = shlex.split(template)
    except ValueError as exc:
        raise InputError(f"--rescan-command: {exc}") from None
    if TARGETS not in tokens:
        raise InputError("--rescan-command needs {targets} as an argument of its own")
    if not any(OUTPUT in token for token in tokens):
        raise InputError("--rescan-command needs {output}: the file the scanner writes")
    return tokens


def scanner_argv(tokens: list[str], targets: list[str], ports: str, output: Path) -> list[str]:
    """One run's argv: placeholders filled, targets checked to be IP addresses."""
    for target in targets:
        try:
            ipaddress.ip_address(target)
        except ValueError:
            raise InputError(f"rescan target {target!r} is not an IP address") from None
    family = {ipaddress.ip_address(t).version for t in targets}
    argv: list[str] = []
    for token in tokens:
        if token == TARGETS:
            argv += targets
        elif token == V6:
            argv += ["-6"] if family == {6} else []
        else:
            argv.append(token.replace(OUTPUT, str(output)).replace(PORTS, ports))
    return argv


def rescan_with_command(template: str, scope: Scope, folder: Path) -> tuple[Path, ...]:
    """Run the user's scanner over the scope, once per address family; the files written."""
    tokens = check_template(template)
    folder.mkdir(parents=True, exist_ok=True)
    ports = nmap_ports(scope)
    runs = []
    for version in (4, 6):
        targets = [a for a in scope.addresses if _version(a) == version]
        if targets:
            output = folder / f"rescan-v{version}.out"
            runs.append((scanner_argv(tokens, targets, ports, output), output))
    if not runs:
        raise InputError("the run's findings name no address to rescan")
    run_side_by_side(runs, "rescan command")
    missing = [str(path) for _, path in runs if not path.is_file()]
    if missing:
        raise InputError(f"the rescan command wrote no {OUTPUT}: {', '.join(missing)}")
    return tuple(path for _, path in runs)


def nmap_ports(scope: Scope) -> str:
    """``T:22,443,U:161``: the scope's ports in nmap's -p syntax (runs as ranges)."""
    parts = []
    for protocol, label in (("tcp", "T"), ("udp", "U")):
        ports = [p for proto, p in scope.ports if proto == protocol]
        if ports:
            parts.append(f"{label}:{port_ranges(ports)}")
    return ",".join(parts)


def _version(address: str) -> int | None:
    try:
        return ipaddress.ip_address(address).version
    except ValueError:
        return None
