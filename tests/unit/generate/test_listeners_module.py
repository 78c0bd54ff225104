"""The generated project's read-only module that finds the units behind listening ports."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from tests.corpus import REPO

MODULE = REPO / "remediator" / "generate" / "templates" / "remediator_listeners.py"

LIST_SOCKETS = """\
[::]:7                          Stream   lab-echo.socket          lab-echo@0.service
[::]:111                        Stream   rpcbind.socket           rpcbind.service
0.0.0.0:111                     Datagram rpcbind.socket           rpcbind.service
/run/dbus/system_bus_socket     Stream   dbus.socket              dbus.service
"""
SS = """\
tcp   LISTEN 0 4096 0.0.0.0:21   0.0.0.0:* users:(("vsftpd",pid=310,fd=3))
tcp   LISTEN 0 64   0.0.0.0:23   0.0.0.0:* users:(("inetd",pid=305,fd=7))
tcp   LISTEN 0 128  0.0.0.0:22   0.0.0.0:* users:(("sshd",pid=290,fd=3))
tcp   LISTEN 0 4096 *:7          *:*       users:(("systemd",pid=1,fd=40))
udp   UNCONN 0 0    0.0.0.0:11211 0.0.0.0:* users:(("memcached",pid=320,fd=27))
"""
UNITS = {
    "310": "vsftpd.service",
    "305": "inetd.service",
    "290": "ssh.service",
    "320": "memcached.service",
}


class FakeModule:
    def __init__(self, outputs: dict[str, str]) -> None:
        self.outputs = outputs

    def run_command(self, argv: list[str]) -> tuple[int, str, str]:
        return 0, self.outputs[argv[0]], ""


@pytest.fixture
def listeners(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("remediator_listeners", MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "unit_of", lambda pid: None if pid == "1" else UNITS.get(pid))
    return module


def test_socket_units_come_with_their_protocol(listeners: ModuleType) -> None:
    found = listeners.socket_units(FakeModule({"systemctl": LIST_SOCKETS}))
    assert found[("tcp", "7")] == {"lab-echo.socket"}
    assert found[("udp", "111")] == {"rpcbind.socket"}
    assert ("tcp", "") not in found  # unix sockets have no port


def test_processes_map_to_their_units(listeners: ModuleType) -> None:
    found = listeners.process_units(FakeModule({"ss": SS}))
    assert found[("tcp", "21")] == {"vsftpd.service"}
    assert found[("udp", "11211")] == {"memcached.service"}
    assert ("tcp", "7") not in found  # pid 1 is systemd: the socket unit names it instead


def test_units_behind_kept_ports_and_superservers_are_left_out(listeners: ModuleType) -> None:
    module = FakeModule({"systemctl": LIST_SOCKETS, "ss": SS})
    ports = [
        {"protocol": p, "port": n} for p, n in (("tcp", 7), ("tcp", 21), ("tcp", 23), ("tcp", 22))
    ]
    found = listeners.units_on(ports, [{"protocol": "tcp", "port": 22}], module)
    assert found == {
        "tcp/7": ["lab-echo.socket"],
        "tcp/21": ["vsftpd.service"],
        "tcp/23": [],  # inetd: the role comments out the entry instead
        "tcp/22": [],  # ssh serves a kept port
    }
