"""Drive the roles on lab hosts and look at the hosts from the controller.

Everything that talks to a lab host runs inside the lab's controller network namespace
(:func:`remediator.lab.ssh.controller_command`): ansible-runner (whose job events are the
record of what changed), nmap, openssl, ssh and a small Python connect probe. Arguments
are always argv lists; nothing is pasted into a shell.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from remediator.lab.config import Host, LabConfig
from remediator.lab.inventory import inventory, inventory_name
from remediator.lab.ssh import controller_command, ssh_command

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def in_controller(
    config: LabConfig, argv: Sequence[str], timeout: float = 300, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in the controller namespace; output captured as text."""
    result = subprocess.run(
        controller_command(list(argv), config),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{argv} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return result


def on_host(
    config: LabConfig,
    host: Host,
    argv: Sequence[str],
    *,
    check: bool = True,
    address: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` on a lab host over ssh from the controller."""
    result = subprocess.run(
        ssh_command(config, host, list(argv), address=address),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{host.name}: {argv} failed ({result.returncode}): {result.stdout}{result.stderr}"
        )
    return result


@dataclass(frozen=True)
class RoleRun:
    """One ansible-runner run: its status, events, and what they say changed."""

    rc: int
    status: str
    events: tuple[dict[str, Any], ...]
    stdout: str
    seconds: float

    def changed_tasks(self, host: str) -> frozenset[str]:
        """Names of the tasks (and handlers) whose result on ``host`` was changed."""
        return frozenset(
            e["event_data"]["task"]
            for e in self.events
            if e.get("event") == "runner_on_ok"
            and e["event_data"].get("host") == host
            and e["event_data"].get("res", {}).get("changed")
        )

    def changed_count(self, host: str) -> int:
        """The play recap's changed count for ``host``."""
        for event in self.events:
            if event.get("event") == "playbook_on_stats":
                return int(event["event_data"].get("changed", {}).get(host, 0))
        raise AssertionError("no playbook_on_stats event")

    def failures(self, host: str) -> list[str]:
        """Messages of failed (not ignored) results on ``host``, loop items' included."""
        messages = []
        for event in self.events:
            data = event.get("event_data", {})
            if event.get("event") != "runner_on_failed" or data.get("host") != host:
                continue
            if data.get("ignore_errors"):
                continue
            res = data.get("res", {})
            messages.append(str(res.get("msg", "")))
            messages += [str(r.get("msg", "")) for r in res.get("results", []) if r.get("failed")]
        return messages


@dataclass
class Runner:
    """Runs one role on chosen lab hosts through ansible-runner in the controller namespace."""

    config: LabConfig
    workdir: Path
    count: int = field(default=0)

    def run(
        self,
        role: str,
        host_vars: dict[str, dict[str, Any]],
        *,
        check: bool = False,
        extra_vars: dict[str, Any] | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> RoleRun:
        self.count += 1
        private = self.workdir / f"run{self.count:02d}-{role}{'-check' if check else ''}"
        (private / "project").mkdir(parents=True)
        (private / "inventory").mkdir()
        (private / "env").mkdir()
        hosts = sorted(host_vars)
        play = [
            {
                "name": f"Apply {role}",
                "hosts": ":".join(hosts),
                "gather_facts": False,
                "roles": [{"role": role}],
            }
        ]
        (private / "project" / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
        (private / "inventory" / "hosts.yml").write_text(
            yaml.safe_dump(self._inventory(host_vars)), encoding="utf-8"
        )
        (private / "env" / "extravars").write_text(
            yaml.safe_dump(extra_vars or {}), encoding="utf-8"
        )
        # ssh control sockets need a short path (sun_path is 108 bytes)
        control = Path(tempfile.mkdtemp(prefix="rmcp", dir="/tmp"))
        env = {
            "ANSIBLE_ROLES_PATH": str(REPO / "roles"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_PIPELINING": "1",
            "ANSIBLE_FORKS": "8",
            "ANSIBLE_SSH_CONTROL_PATH_DIR": str(control),
        }
        (private / "env" / "envvars").write_text(yaml.safe_dump(env), encoding="utf-8")
        argv = [
            str(BIN / "ansible-runner"),
            "run",
            str(private),
            "-p",
            "play.yml",
            "--ident",
            "run",
        ]
        if check:
            argv += ["--cmdline", "--check --diff"]
        started = time.monotonic()
        env_path = {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        process = subprocess.Popen(
            controller_command(argv, self.config),
            env={**os.environ, **env_path},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        events_dir = private / "artifacts" / "run" / "job_events"
        seen: set[str] = set()
        while process.poll() is None:
            if on_event is not None:
                self._feed(events_dir, seen, on_event)
            time.sleep(0.2)
        output = process.stdout.read() if process.stdout else ""
        if on_event is not None:
            self._feed(events_dir, seen, on_event)
        return RoleRun(
            process.returncode,
            self._status(private),
            self._events(events_dir),
            output,
            time.monotonic() - started,
        )

    def _inventory(self, host_vars: dict[str, dict[str, Any]]) -> dict[str, Any]:
        lab = inventory(self.config)["all"]["children"]["linux"]["children"]
        hosts: dict[str, Any] = {}
        for group in lab.values():
            for name, variables in group["hosts"].items():
                if name in host_vars:
                    hosts[name] = {**variables, **host_vars[name]}
        return {"all": {"hosts": hosts}}

    @staticmethod
    def _events(folder: Path) -> tuple[dict[str, Any], ...]:
        if not folder.is_dir():
            return ()
        return tuple(json.loads(p.read_text(encoding="utf-8")) for p in _event_files(folder))

    @staticmethod
    def _feed(folder: Path, seen: set[str], on_event: Callable[[dict[str, Any]], None]) -> None:
        if not folder.is_dir():
            return
        for path in _event_files(folder):
            if path.name not in seen:
                seen.add(path.name)
                on_event(json.loads(path.read_text(encoding="utf-8")))

    @staticmethod
    def _status(private: Path) -> str:
        status = private / "artifacts" / "run" / "status"
        return status.read_text(encoding="utf-8").strip() if status.is_file() else "unknown"


def _event_files(folder: Path) -> list[Path]:
    """Finished job events in order (``<counter>-<uuid>.json``; ``*-partial.json`` are not)."""
    done = [p for p in folder.glob("*.json") if p.name.split("-", 1)[0].isdigit()]
    return sorted(done, key=lambda p: int(p.name.split("-", 1)[0]))


PROBE = r"""
import json, socket, sys
from concurrent.futures import ThreadPoolExecutor

def state(probe):
    src, dst, port = probe
    family = socket.AF_INET6 if ":" in dst else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(3.0)
    try:
        if src:
            sock.bind((src, 0))
        sock.connect((dst, port))
        return "open"
    except ConnectionRefusedError:
        return "closed"
    except OSError:
        return "filtered"
    finally:
        sock.close()

with ThreadPoolExecutor(32) as pool:
    print(json.dumps(list(pool.map(state, json.loads(sys.argv[1])))))
"""


def tcp_states(config: LabConfig, probes: Sequence[tuple[str | None, str, int]]) -> list[str]:
    """open/closed/filtered for each (source or None, destination, port) TCP connect."""
    result = in_controller(config, ["python3", "-c", PROBE, json.dumps(list(probes))])
    states: list[str] = json.loads(result.stdout)
    return states


def nmap_states(
    config: LabConfig, address: str, ports: str, *, udp: bool = False
) -> dict[int, str]:
    """nmap's state per port from the controller (grepable output)."""
    argv = [
        "nmap",
        "-n",
        "-Pn",
        "-sU" if udp else "-sT",
        "-p",
        ports,
        "--max-retries",
        "2",
        "--host-timeout",
        "120s",
        "-oG",
        "-",
    ]
    if ":" in address:
        argv.append("-6")
    argv.append(address)
    output = in_controller(config, argv).stdout
    return {
        int(m.group(1)): m.group(2) for m in re.finditer(r"(\d+)/([a-z|]+)/(?:tcp|udp)/", output)
    }


@dataclass(frozen=True)
class TlsScan:
    protocols: frozenset[str]
    least_strength: str
    text: str


def ssl_enum(config: LabConfig, address: str, ports: Sequence[int]) -> dict[int, TlsScan]:
    """nmap ssl-enum-ciphers per port (STARTTLS where the port speaks it), one nmap run."""
    argv = [
        "nmap",
        "-n",
        "-Pn",
        "-sT",
        "-p",
        ",".join(map(str, ports)),
        "--script",
        "ssl-enum-ciphers",
        "--script-timeout",
        "180s",
    ]
    if ":" in address:
        argv.append("-6")
    text = in_controller(config, [*argv, address], timeout=400).stdout
    sections = re.split(r"^(?=\d+/tcp\s)", text, flags=re.M)
    result = {}
    for section in sections:
        head = re.match(r"(\d+)/tcp\s", section)
        if not head:
            continue
        protocols = frozenset(re.findall(r"^\|\s+(SSLv3|TLSv1\.[0-3]):\s*$", section, re.M))
        least = re.search(r"least strength: (\S+)", section)
        result[int(head.group(1))] = TlsScan(protocols, least.group(1) if least else "", section)
    return result


FTP_PROBE = r"""
import ftplib, json, sys
out = {}
for user, password in (("anonymous", "lab@example.org"), ("root", "wrong")):
    try:
        ftp = ftplib.FTP(sys.argv[1], timeout=10)
        try:
            out[user] = ftp.login(user, password)
        finally:
            ftp.close()
    except ftplib.all_errors as exc:
        out[user] = "error: " + str(exc)
print(json.dumps(out))
"""


def ftp_logins(config: LabConfig, address: str) -> dict[str, str]:
    """What a cleartext FTP login says, anonymous and as a local user (wrong password)."""
    result = in_controller(config, ["python3", "-c", FTP_PROBE, address])
    answers: dict[str, str] = json.loads(result.stdout)
    return answers


def tls_handshake(
    config: LabConfig, address: str, port: int, version: str, starttls: str | None = None
) -> bool:
    """Whether an openssl handshake with exactly ``version`` (tls1, tls1_1, tls1_2) works."""
    target = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    argv = [
        "openssl",
        "s_client",
        f"-{version}",
        "-cipher",
        "ALL:@SECLEVEL=0",
        "-connect",
        target,
        "-brief",
    ]
    if starttls:
        argv += ["-starttls", starttls]
    argv = ["timeout", "15", *argv]
    result = subprocess.run(
        controller_command(argv, config),
        input="",
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return "Protocol version:" in result.stdout + result.stderr and result.returncode == 0


def extra_controller_addresses(config: LabConfig) -> tuple[str, str]:
    """A second controller address per family (the first host sits at offset 10)."""
    return (str(config.controller4 + 1), str(config.controller6 + 1))


def add_controller_addresses(config: LabConfig) -> None:
    v4, v6 = extra_controller_addresses(config)
    ns = config.controller_ns
    for address, prefix in ((v4, config.subnet4.prefixlen), (v6, config.subnet6.prefixlen)):
        subprocess.run(
            ["ip", "-n", ns, "addr", "replace", f"{address}/{prefix}", "dev", "eth0"]
            + (["nodad"] if ":" in address else []),
            check=True,
        )


def remove_controller_addresses(config: LabConfig) -> None:
    v4, v6 = extra_controller_addresses(config)
    for address, prefix in ((v4, config.subnet4.prefixlen), (v6, config.subnet6.prefixlen)):
        subprocess.run(
            ["ip", "-n", config.controller_ns, "addr", "del", f"{address}/{prefix}", "dev", "eth0"],
            check=False,
            capture_output=True,
        )


def prepare_ssh_cut(config: LabConfig) -> None:
    """A table in the controller that drops new ssh connections to hosts named later.

    It matches SYN packets, not conntrack state: connections opened before the table
    existed have no conntrack entry, and their next packet would count as "new".
    """
    ruleset = (
        "table inet rmtest_cut {\n"
        " set cut4 { type ipv4_addr; }\n set cut6 { type ipv6_addr; }\n"
        " chain output {\n  type filter hook output priority 0;\n"
        "  ip daddr @cut4 tcp dport 22 tcp flags & (syn | ack) == syn drop\n"
        "  ip6 daddr @cut6 tcp dport 22 tcp flags & (syn | ack) == syn drop\n }\n}\n"
    )
    subprocess.run(
        controller_command(["nft", "-f", "-"], config), input=ruleset, text=True, check=True
    )


def cut_new_ssh(config: LabConfig, host: Host) -> None:
    """From now on, new ssh connections from the controller to ``host`` go nowhere."""
    for family, address in (("cut4", host.address4), ("cut6", host.address6)):
        subprocess.run(
            controller_command(
                ["nft", "add", "element", "inet", "rmtest_cut", family, f"{{ {address} }}"], config
            ),
            check=True,
        )


def unblock_controller(config: LabConfig) -> None:
    subprocess.run(
        controller_command(["nft", "delete", "table", "inet", "rmtest_cut"], config),
        check=False,
        capture_output=True,
    )


def name_of(host: Host) -> str:
    return inventory_name(host)


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 1.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def restart_host(config: LabConfig, host: Host) -> float:
    """Reboot the host (same overlay, fresh network namespace); seconds taken.

    ``ip netns delete`` returns before the kernel has destroyed the old namespace's veth,
    so the lab's reboot can fail re-creating ``v-<host>`` ("File exists"). Until the lab
    waits for that itself, this finishes such a reboot once the old veth is gone.
    """
    from remediator.errors import ExecutionError
    from remediator.lab.manager import reboot

    started = time.monotonic()
    try:
        reboot(config.state_dir, (host.name,), lambda _line: None)
    except ExecutionError as exc:
        if "File exists" not in str(exc):
            raise
        _finish_reboot(config, host)
    return time.monotonic() - started


def _finish_reboot(config: LabConfig, host: Host) -> None:
    from remediator.lab import host as hosts
    from remediator.lab import network
    from remediator.lab import state as lab_state
    from remediator.lab.lock import held
    from remediator.lab.manager import LOCK_FILE, wait_ready

    namespace = config.host_ns(host)
    with held(config.state_dir / LOCK_FILE, wait=True):
        subprocess.run(["ip", "netns", "delete", namespace], check=False, capture_output=True)
        port = ["ip", "-n", config.bridge_ns, "link", "show", f"v-{host.name}"]
        gone = wait_until(
            lambda: subprocess.run(port, capture_output=True, check=False).returncode != 0,
            15,
            step=0.2,
        )
        if not gone:
            raise AssertionError(f"stale veth v-{host.name} did not go away")
        network._attach(config, namespace, host.name, host.address4, host.address6)
        lab = lab_state.require(config.state_dir)
        lab_state.save(lab.with_process(host.name, hosts.boot(config, host)))
    wait_ready(config, [host])


def have_tools() -> bool:
    return all(shutil.which(tool) for tool in ("nmap", "openssl", "ssh", "ip"))
