"""The lab as a host provider: where its hosts are reached from, and its rescan.

Registered with :mod:`remediator.common.providers` by the CLI (and by the tests), so runs
reach lab hosts from the lab's controller namespace and ``verify --rescan`` scans them
with ``lab scan``'s own machinery, while no product stage imports the lab.

Several labs can run side by side (each with its own ``--state-dir``, prefix and
subnets). An inventory runs in the namespace of the lab all its hosts belong to; the
rescan of a run comes from the controller of *that* lab (the namespace the run recorded),
never from whichever lab happens to be the default: scanning from another lab's
controller would see no host at all, and every finding would end ``unknown``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Final

from remediator.common import providers
from remediator.common.processes import run_side_by_side
from remediator.common.providers import RescanFiles
from remediator.errors import InputError, RefusedError
from remediator.lab import state
from remediator.lab.config import LabConfig
from remediator.lab.scan import NMAP_OPTIONS, check_targets
from remediator.lab.ssh import controller_command
from remediator.lab.state import LabState
from remediator.verify.scope import Scope, port_ranges

CONTROLLER_SUFFIX = "-ctl"
"""Every lab's controller namespace is ``<prefix>-ctl`` (:attr:`LabConfig.controller_ns`)."""


class LabProvider:
    """The running labs of this machine, as a :class:`remediator.common.providers.HostProvider`."""

    def namespace_for(self, hosts: Sequence[tuple[str, str]], where: str) -> str | None:
        """The controller namespace of the running lab holding every host, or None."""
        if not hosts:
            return None
        for lab in state.running_labs():
            inside = [address in lab.config.lab_addresses() for _, address in hosts]
            if all(inside):
                return lab.config.controller_ns
            if any(inside):
                outside = [name for (name, _), ours in zip(hosts, inside, strict=True) if not ours]
                raise InputError(
                    f"{where}: mixes hosts of the lab {lab.config.prefix} with others "
                    f"({', '.join(outside[:5])}); no single place reaches both"
                )
        return None

    def rescan(
        self,
        namespace: str,
        addresses: Sequence[str],
        ports: Collection[tuple[str, int]],
        folder: Path,
        state_dir: Path | None,
        *,
        kinds: Collection[str] = (),
    ) -> RescanFiles | None:
        """The rescan from the lab whose controller is ``namespace`` (None: not a lab's)."""
        if state_dir is None and not namespace.endswith(CONTROLLER_SUFFIX):
            return None
        config = lab_of(namespace, state_dir).config
        scope = Scope(tuple(addresses), frozenset(ports), frozenset(kinds))
        folder.mkdir(parents=True, exist_ok=True)
        runs = nmap_commands(config, scope, folder)
        run_side_by_side(runs, "rescan")
        files = tuple(path for _, path in runs)
        return RescanFiles(files, (str(config.controller4), str(config.controller6)))


def register_lab() -> None:
    """Make the labs of this machine known to runs (see :mod:`remediator.common.providers`)."""
    providers.register(_PROVIDER)


_PROVIDER = LabProvider()


def lab_of(namespace: str, state_dir: Path | None = None) -> LabState:
    """The running lab whose controller namespace is ``namespace`` (only the one under
    ``state_dir`` when given); RefusedError if there is none."""
    if state_dir is not None:
        found = state.load(state_dir)
        labs = [found] if found is not None else []
    else:
        labs = list(state.running_labs())
    for lab in labs:
        if lab.config.controller_ns == namespace:
            return lab
    running = ", ".join(f"{lab.config.controller_ns} ({lab.config.state_dir})" for lab in labs)
    raise RefusedError(
        f"the run's lab (controller namespace {namespace}) is not up; running labs: "
        f"{running or 'none'}. Bring it up again, or give its --lab-state-dir"
    )


def nmap_commands(config: LabConfig, scope: Scope, folder: Path) -> list[tuple[list[str], Path]]:
    """One nmap run per address family and protocol, each checked to target lab hosts only.

    TCP runs with ``lab scan``'s own options. UDP runs apart, with ``--version-light``:
    after a fix, a dropped UDP port is ``open|filtered`` and full version detection
    would send it every UDP probe nmap has, one wait after another (about 110 s for
    three such ports, against 20 s light); the light probes still include those
    registered for the port, which is what made it answer in the first scan.
    """
    runs = []
    for version in (4, 6):
        targets = [a for a in scope.addresses if ipaddress.ip_address(a).version == version]
        if not targets:
            continue
        check_targets(config, targets)
        for protocol, label in (("tcp", "T"), ("udp", "U")):
            ports = sorted(p for proto, p in scope.ports if proto == protocol)
            if not ports:
                continue
            output = folder / f"rescan-v{version}-{protocol}.xml"
            argv = ["nmap", *_options(protocol, scope.kinds)]
            argv += ["-6"] if version == 6 else []
            argv += ["-p", f"{label}:{port_ranges(ports)}", "-oX", str(output), *targets]
            runs.append((controller_command(argv, config), output))
    return runs


LOOK_AGAIN: Final = {
    "ssh-weak-crypto": "ssh2-enum-algos",
    "ssh-password-auth": "ssh-auth-methods",
    "default-credentials": "ftp-anon,redis-info,snmp-sysdescr",
    "cleartext-login": "imap-capabilities,pop3-capabilities,smtp-commands",
}
"""The script of ``lab scan --hardening`` that sees each kind: a rescan runs it when the
original findings had that kind, or its silence would prove nothing. Only then: a rescan
looking for what nobody found would report it as new."""


def _options(protocol: str, kinds: Collection[str] = ()) -> list[str]:
    """``lab scan``'s nmap options for one protocol's run, plus the scripts that see the
    original findings' ``kinds`` (:data:`LOOK_AGAIN`)."""
    options = [*NMAP_OPTIONS]
    extra = sorted({LOOK_AGAIN[k] for k in kinds if k in LOOK_AGAIN})
    options[-1] = ",".join((options[-1], *extra))
    if protocol == "tcp":
        return [o for o in options if o != "-sU"]
    return [*(o for o in options if o != "-sS"), "--version-light"]
