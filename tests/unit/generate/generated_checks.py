"""The generated suites' code, imported, and real things on this machine to run it against.

A generated project's ``tests/remediator_checks.py`` is ``checks.py.j2`` as shipped
(:func:`remediator.generate.project.build_project` copies it with
:func:`~remediator.generate.render.template_text`, unrendered), and each
``tests/test_<host>.py`` imports its helpers by that module name. The tests here write
both into a directory and import them, then point them at loopback sockets, a real
``openssl s_server`` and the local host of testinfra: a check is only shown to work when
it says yes to a real yes and no to a real no.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from remediator.generate.render import template_text

CHECKS_MODULE = "remediator_checks"
"""The name generated suites import the helpers by (``from remediator_checks import ...``)."""

INETD_CONF = "/etc/inetd.conf"

TLS_START_SECONDS = 5.0

needs_openssl = pytest.mark.skipif(
    shutil.which("openssl") is None,
    reason="no openssl here: the TLS checks run openssl s_client against an openssl s_server",
)


def import_path(path: Path, name: str) -> ModuleType:
    """Execute the Python file at ``path`` as a new module called ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def import_checks(directory: Path) -> ModuleType:
    """The project's ``tests/remediator_checks.py``, written into ``directory`` and imported."""
    path = directory / f"{CHECKS_MODULE}.py"
    path.write_text(template_text("checks.py.j2"), "utf-8")
    return import_path(path, f"{CHECKS_MODULE}_under_test")


def import_suite(path: Path, checks: ModuleType) -> ModuleType:
    """A generated ``test_<host>.py``, imported with ``checks`` as its ``remediator_checks``.

    The suite binds the helpers when it is imported, so ``sys.modules`` is only borrowed
    for the import and left as it was.
    """
    saved = sys.modules.get(CHECKS_MODULE)
    sys.modules[CHECKS_MODULE] = checks
    try:
        return import_path(path, f"{path.stem}_under_test")
    finally:
        if saved is None:
            del sys.modules[CHECKS_MODULE]
        else:
            sys.modules[CHECKS_MODULE] = saved


def family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


@contextlib.contextmanager
def tcp_listener(address: str) -> Iterator[int]:
    """A TCP socket listening on ``address`` (an ephemeral port, yielded) until the block ends."""
    with socket.socket(family(address), socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        sock.listen()
        yield sock.getsockname()[1]


def closed_port(address: str, kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    """A port that was bound on ``address`` a moment ago and is closed now: nothing is there."""
    with socket.socket(family(address), kind) as sock:
        sock.bind((address, 0))
        port: int = sock.getsockname()[1]
    return port


@dataclasses.dataclass
class UdpServer:
    """A UDP socket that answers every datagram (or stays silent), and what it received."""

    port: int
    received: list[bytes]


@contextlib.contextmanager
def udp_server(address: str, *, answer: bool) -> Iterator[UdpServer]:
    """A UDP service on ``address`` until the block ends; then the port is closed."""
    sock = socket.socket(family(address), socket.SOCK_DGRAM)
    sock.bind((address, 0))
    sock.settimeout(0.05)
    server = UdpServer(sock.getsockname()[1], [])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(65535)
            except TimeoutError:
                continue
            server.received.append(data)
            if answer:
                sock.sendto(b"answer", peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join()
        sock.close()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A throwaway P-256 key and self-signed certificate for ``openssl s_server``."""
    key, cert = directory / "key.pem", directory / "cert.pem"
    new_key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    files = ("-keyout", str(key), "-out", str(cert))
    subprocess.run(
        ["openssl", "req", "-x509", *new_key, "-subj", "/CN=localhost", "-days", "1", *files],
        check=True,
        capture_output=True,
    )
    return key, cert


@contextlib.contextmanager
def tls_server(key: Path, cert: Path, *options: str) -> Iterator[int]:
    """``openssl s_server OPTIONS`` on 127.0.0.1 (an ephemeral port, yielded) until the block ends.

    s_server quits when its stdin ends, so stdin stays an open pipe; its output goes to a
    file next to the key, read for the ``ACCEPT address:port`` line it prints once it listens.
    """
    log = key.parent / f"s_server-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                "openssl",
                "s_server",
                "-accept",
                "127.0.0.1:0",
                "-key",
                str(key),
                "-cert",
                str(cert),
                *options,
            ],
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield _accept_port(server, log)
    finally:
        server.terminate()
        server.wait(timeout=5)
        assert server.stdin is not None
        server.stdin.close()


def _accept_port(server: subprocess.Popen[bytes], log: Path) -> int:
    deadline = time.monotonic() + TLS_START_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        for line in log.read_text("utf-8", "replace").splitlines():
            if line.startswith("ACCEPT "):
                return int(line.rsplit(":", 1)[1])
        time.sleep(0.01)
    raise AssertionError(f"openssl s_server did not start:\n{log.read_text('utf-8', 'replace')}")


FAKE_SYSTEMCTL = """#!/bin/sh
# systemctl for the tests: records its arguments and answers `show` for the unit named
# last with what a real systemd answered about a unit in that state (the unit's name is
# the recording's name, see fixtures/systemctl_show/record.sh).
printf '%s\\n' "$@" >"$0.args"
for unit in "$@"; do :; done
exec cat "{recordings}/$unit.txt"
"""


def fake_systemctl(bin_dir: Path, recordings: Path) -> Path:
    """Write ``bin_dir/systemctl`` answering from ``recordings``; returns its argument log."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "systemctl"
    script.write_text(FAKE_SYSTEMCTL.format(recordings=recordings), "utf-8")
    script.chmod(0o755)
    return bin_dir / "systemctl.args"


class InetdConfAt:
    """A testinfra host whose /etc/inetd.conf is ``conf`` (this machine has no inetd).

    Everything else is the wrapped host's: ``file`` of any other path, commands, sockets.
    ``asked`` lists the paths the checks opened, so a test sees they read the real path.
    """

    def __init__(self, host: Any, conf: Path) -> None:
        self.host = host
        self.conf = conf
        self.asked: list[str] = []

    def file(self, path: str) -> Any:
        self.asked.append(path)
        return self.host.file(str(self.conf) if path == INETD_CONF else path)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.host, name)
