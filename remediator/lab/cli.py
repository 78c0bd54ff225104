"""``remediator lab``: real Debian 12 hosts that fail PCI, in network namespaces."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from remediator.clitools import add_verb
from remediator.errors import InputError
from remediator.lab import manager, scan, state
from remediator.lab.config import (
    DEFAULT_PREFIX,
    DEFAULT_STATE_DIR,
    DEFAULT_SUBNET4,
    DEFAULT_SUBNET6,
    ROLES,
    LabConfig,
    parse_subnets,
)
from remediator.lab.inventory import inventory_name, inventory_yaml
from remediator.lab.proc import require_root_and_tools
from remediator.lab.ssh import ssh_command

DESCRIPTION = """\
The lab: real Debian 12 hosts (systemd-nspawn, each in its own network namespace)
running the services that make small businesses fail a PCI ASV scan, plus one clean
control host. It is remediator's built-in target: scan it, plan, remediate, verify.

  legacy  telnet (inetd), anonymous FTP, rpcbind, SNMP 'public', MariaDB 3306  [nftables]
  web     nginx 80/443 + Apache 8443 with TLS 1.0/1.1, MariaDB on 0.0.0.0:3306  [iptables]
  mail    Postfix 25/587 + Dovecot 110/143/993/995, TLS 1.0, plaintext auth  [firewalld]
  cache   Redis without auth, memcached tcp+udp 11211, socket-activated echo/7  [ufw]
  clean   ssh and HTTPS with TLS 1.2+ only: must stay untouched  [nftables]

Hosts reach nothing but each other and the controller namespace, whose only route
is the lab subnet; ssh, ansible and nmap against the lab run there. The first 'up'
builds the rootfs cache (/var/cache/remediator/lab, 3-4 minutes); later ones
boot in seconds. Needs root, debootstrap, systemd-container, iproute2, nmap.
"""

EPILOG = """\
examples:
  remediator lab up                      build (once) and boot every host
  remediator lab status                  hosts, addresses, systemd state, memory
  remediator lab inventory > lab.yml     Ansible inventory of the lab
  remediator lab ssh web                 a root shell on web (through the controller)
  remediator lab scan -o scan.xml        nmap: scan.xml (IPv4) + scan.v6.xml (IPv6)
  remediator ingest scan.xml scan.v6.xml --inventory lab.yml
  remediator lab reset web               back to pristine in seconds
  remediator lab reboot web              reboot, keeping changes (does the fix persist?)
  remediator lab down                    stop and remove everything (the cache stays)
  ip netns exec rmlab-ctl ansible-playbook -i lab.yml site.yml

exit codes: 0 ok, 2 bad arguments, 3 refused (lab busy, subnet overlaps a route),
4 could not run (not root, tool missing, a host did not boot).
"""


Handler = Callable[[argparse.Namespace], int]
Arguments = Callable[[argparse.ArgumentParser], None]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``lab`` and its sub-commands to the top-level parser."""
    parser = add_verb(
        subparsers,
        "lab",
        summary="real Debian hosts with PCI-failing services, in network namespaces",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        metavar="DIR",
        help=f"the running lab's key, overlays and state (default {DEFAULT_STATE_DIR})",
    )
    commands = parser.add_subparsers(dest="lab_command", metavar="COMMAND", required=True)
    _add(commands, "up", "build (once) and boot the lab", _up, _up_arguments)
    _add(commands, "down", "stop every host and remove all the lab made", _down)
    _add(commands, "reset", "restore hosts to their pristine image", _reset, _reset_arguments)
    _add(commands, "reboot", "reboot hosts, keeping their changes", _reboot, _reset_arguments)
    _add(commands, "status", "hosts, addresses, state and memory", _status)
    _add(commands, "inventory", "print the lab's Ansible inventory (YAML)", _inventory)
    _add(commands, "ssh", "ssh to a lab host through the controller", _ssh, _ssh_arguments)
    _add(commands, "scan", "nmap the lab over IPv4 and IPv6 (XML)", _scan, _scan_arguments)


def _add(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    handler: Handler,
    arguments: Arguments | None = None,
) -> None:
    parser = add_verb(
        commands,
        name,
        summary=summary,
        description=f"{summary}.\n\n{_DETAILS[name]}",
        epilog=EPILOG,
    )
    if arguments is not None:
        arguments(parser)
    parser.set_defaults(func=handler)


_DETAILS = {
    "up": "Refuses a subnet that is not private or overlaps a route of this machine.\n"
    "A lab that is already up is left as it is. Prints how long each stage took.",
    "down": "Stops every host and removes its processes, mounts, namespaces, veths and\n"
    "bridge, also those a crashed run left behind. The rootfs cache and key stay.",
    "reset": "Stops the hosts (all when none is named), wipes what changed on them and\n"
    "boots them again from the cached image.",
    "reboot": "Shuts the hosts (all when none is named) down cleanly and boots the same\n"
    "overlay in a fresh network namespace: what was persisted to disk comes back,\n"
    "runtime-only firewall rules do not, as on a real reboot.",
    "status": "Shows each host's role, firewall backend, addresses and what its systemd\n"
    "reports (running, degraded, stopped), and the lab's memory (PSS).",
    "inventory": "Groups: linux > legacy, web, mail, cache, clean. Hosts are named <host>.lab;\n"
    "each has ansible_host (v4), remediator_addresses (v4, v6), the lab key and\n"
    "remediator_firewall_backend. Run ansible in the controller namespace.",
    "ssh": "Runs ssh inside the controller namespace with the lab key, as root.",
    "scan": "Runs nmap from the controller against lab host addresses only: TCP SYN and\n"
    "version detection on all 65,535 ports, UDP on the lab's UDP ports, and\n"
    "ssl-enum-ciphers/ssl-cert on every TLS and STARTTLS port. IPv4 and IPv6 run\n"
    "in parallel into two XML files. About two minutes.",
}


def _up_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--subnet", help=f"IPv4 lab subnet, private (default {DEFAULT_SUBNET4})")
    parser.add_argument("--subnet6", help=f"IPv6 lab subnet, ULA (default {DEFAULT_SUBNET6})")
    parser.add_argument(
        "--prefix",
        help=f"names of the lab's namespaces (default {DEFAULT_PREFIX}); a second lab beside the"
        " first needs its own prefix, subnets and --state-dir",
    )
    parser.add_argument(
        "--hosts",
        help=f"comma-separated hosts to run (default: all: {','.join(ROLES)})",
    )


def _reset_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("hosts", nargs="*", metavar="HOST", help="lab hosts (default: all)")


def _ssh_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("host", metavar="HOST", help="lab host, e.g. web or web.lab")
    parser.add_argument("remote", nargs=argparse.REMAINDER, metavar="COMMAND", help="to run")
    parser.add_argument("-6", dest="ipv6", action="store_true", help="connect over IPv6")


def _scan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("lab-scan.xml"),
        metavar="FILE",
        help="IPv4 scan XML (default lab-scan.xml); IPv6 goes to <stem>.v6.xml beside it",
    )
    parser.add_argument(
        "--hardening",
        action="store_true",
        help="also run ssh2-enum-algos, ssh-auth-methods, ftp-anon, redis-info, "
        "snmp-sysdescr and the mail capability scripts: what services that stay open "
        "offer (the findings harden actions answer)",
    )


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _up(args: argparse.Namespace) -> int:
    config = wanted_config(args)
    report = manager.up(config, _say)
    if not report.already_up:
        built = f"{report.rootfs_seconds:.1f} s" if report.rootfs_seconds else "cached"
        print(f"rootfs: {built}; hosts booted in {report.boot_seconds:.1f} s")
    return _status(args)


def wanted_config(args: argparse.Namespace) -> LabConfig:
    """The lab ``up`` asks for. With no lab options given, a lab this state dir already
    runs is the one wanted (so ``--state-dir X up`` leaves a second lab as it is); otherwise
    the options, each defaulting to the default lab's."""
    chosen = (args.subnet, args.subnet6, args.prefix, args.hosts)
    saved = state.load(args.state_dir)
    if saved is not None and chosen == (None, None, None, None):
        return saved.config
    subnet4, subnet6 = parse_subnets(
        args.subnet or DEFAULT_SUBNET4, args.subnet6 or DEFAULT_SUBNET6
    )
    hosts = args.hosts or ",".join(ROLES)
    return LabConfig(
        prefix=args.prefix or DEFAULT_PREFIX,
        subnet4=subnet4,
        subnet6=subnet6,
        host_names=tuple(n.strip() for n in hosts.split(",") if n.strip()),
        state_dir=args.state_dir,
    )


def _down(args: argparse.Namespace) -> int:
    saved = state.load(args.state_dir)
    prefix = saved.config.prefix if saved else LabConfig().prefix
    manager.down(args.state_dir, prefix, _say)
    print("the lab is down")
    return 0


def _reset(args: argparse.Namespace) -> int:
    seconds = manager.reset(args.state_dir, tuple(args.hosts), _say)
    print(f"reset {' '.join(args.hosts) or 'all hosts'} in {seconds:.1f} s")
    return 0


def _reboot(args: argparse.Namespace) -> int:
    seconds = manager.reboot(args.state_dir, tuple(args.hosts), _say)
    print(f"rebooted {' '.join(args.hosts) or 'all hosts'} in {seconds:.1f} s")
    return 0


def _status(args: argparse.Namespace) -> int:
    rows = manager.status(args.state_dir)
    print(f"{'HOST':<12}{'ROLE':<8}{'FIREWALL':<11}{'STATE':<12}ADDRESSES")
    for row in rows:
        host = row.host
        print(
            f"{inventory_name(host):<12}{host.role.name:<8}{host.role.firewall:<11}"
            f"{row.state:<12}{'  '.join(host.addresses)}"
        )
    config = state.require(args.state_dir).config
    print(
        f"controller: ip netns exec {config.controller_ns} ...  "
        f"({config.controller4}, {config.controller6})"
    )
    print(f"memory (PSS of all lab processes): {manager.memory_kib(args.state_dir) / 1024:.0f} MiB")
    return 0


def _inventory(args: argparse.Namespace) -> int:
    print(inventory_yaml(state.require(args.state_dir).config), end="")
    return 0


def _ssh(args: argparse.Namespace) -> int:
    require_root_and_tools()
    config = state.require(args.state_dir).config
    host = config.host(args.host.removesuffix(".lab"))
    address = str(host.address6) if args.ipv6 else None
    interactive = not args.remote
    argv = ssh_command(config, host, args.remote, batch=not interactive, address=address)
    return subprocess.run(argv, check=False).returncode


def _scan(args: argparse.Namespace) -> int:
    require_root_and_tools(("ip", "nmap"))
    config = state.require(args.state_dir).config
    if args.output.is_dir():
        raise InputError(f"{args.output} is a directory; give a file name for the XML")
    result = scan.scan(config, args.output, _say, hardening=args.hardening)
    print(f"scanned in {result.seconds:.0f} s: {' '.join(str(f) for f in result.files)}")
    return 0
