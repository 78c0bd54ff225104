"""The generated suites' helpers (tests/remediator_checks.py), each against a real yes and no.

Every generated test is one of these helpers and an ``assert`` (or ``assert not``): a
helper that always says no would make every ``test_fix_*`` pass on an unchanged host.
So each one runs here against real things on this machine: TCP and UDP sockets on
127.0.0.1 and ::1, ports closed a moment ago, a real ``openssl s_server`` speaking only
the protocols it is told to, testinfra's local host reading real sockets with ``ss``.
Two inputs cannot be made live on this machine (systemd is not PID 1, there is no inetd),
so they are real recordings:

- fixtures/systemctl_show/*.txt: ``systemctl show`` of a real systemd 252 about real
  units in eight states (how: fixtures/systemctl_show/record.sh), served by a
  ``systemctl`` on PATH that the helper runs through testinfra like the real one;
- fixtures/inetd/telnet-enabled.conf: /etc/inetd.conf of the lab's legacy host as its
  packages wrote it (telnet over tcp and tcp6), and telnet-disabled.conf: the same after
  Debian's own ``update-inetd --file telnet-disabled.conf --multi --disable telnet``.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from remediator.generate.probes import LEGACY_CIPHERS
from tests.unit.generate.generated_checks import (
    INETD_CONF,
    InetdConfAt,
    closed_port,
    fake_systemctl,
    needs_openssl,
    self_signed,
    tcp_listener,
    tls_server,
    udp_server,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SYSTEMCTL_SHOW = FIXTURES / "systemctl_show"
INETD = FIXTURES / "inetd"
LOOPBACKS = ["127.0.0.1", "::1"]
FAST_SECONDS = 2.0
"""A no must come from the peer, well before the helpers' own timeouts (15 s for TLS)."""


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


# reachable ------------------------------------------------------------------------------


@pytest.mark.parametrize("address", LOOPBACKS)
def test_reachable_sees_a_listening_port(checks: ModuleType, address: str) -> None:
    with tcp_listener(address) as port:
        assert checks.reachable(address, port) is True


@pytest.mark.parametrize("address", LOOPBACKS)
def test_reachable_does_not_see_a_closed_port(checks: ModuleType, address: str) -> None:
    started = time.monotonic()
    assert checks.reachable(address, closed_port(address)) is False
    assert time.monotonic() - started < FAST_SECONDS  # refused, not timed out


# answers (UDP; the IPv4 cases and the silent port are in test_udp_checks.py) ------------


def test_answers_sees_a_service_on_ipv6(checks: ModuleType) -> None:
    with udp_server("::1", answer=True) as server:
        assert checks.answers("::1", server.port, "dns") is True
    assert server.received == [checks.UDP_REQUESTS["dns"]]


def test_answers_does_not_see_a_closed_ipv6_port(checks: ModuleType) -> None:
    assert checks.answers("::1", closed_port("::1", socket.SOCK_DGRAM), "ntp") is False


# listening ------------------------------------------------------------------------------


@pytest.mark.parametrize("address", LOOPBACKS)
def test_listening_sees_a_tcp_listener_and_not_once_it_is_closed(
    checks: ModuleType, local: Any, address: str
) -> None:
    with tcp_listener(address) as port:
        assert checks.listening(local, "tcp", port) is True
        assert checks.listening(local, "udp", port) is False  # the other protocol
    assert checks.listening(local, "tcp", port) is False


@pytest.mark.parametrize("address", LOOPBACKS)
def test_listening_sees_a_bound_udp_socket_and_not_once_it_is_closed(
    checks: ModuleType, local: Any, address: str
) -> None:
    with udp_server(address, answer=False) as server:
        assert checks.listening(local, "udp", server.port) is True
        assert checks.listening(local, "tcp", server.port) is False
    assert checks.listening(local, "udp", server.port) is False


def test_listening_compares_whole_port_numbers(checks: ModuleType, local: Any) -> None:
    """A listener on 4xxxx is not one on its last digits, nor on its first ones."""
    for _ in range(10):
        with tcp_listener("127.0.0.1") as port:
            parts = (int(str(port)[1:]), int(str(port)[:-1]))
            if all(_nothing_on_tcp(p) for p in parts):
                assert checks.listening(local, "tcp", port) is True
                assert [checks.listening(local, "tcp", p) for p in parts] == [False, False]
                return
    pytest.fail("no listener found whose port's digits are free ports: is the machine full?")


def _nothing_on_tcp(port: int) -> bool:
    """Whether no TCP socket on this machine, on any address or family, holds ``port``."""
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        try:
            probe.bind(("::", port))
        except OSError:
            return False
    return port != 0


# unit_is_off ----------------------------------------------------------------------------

UNIT_IS_OFF = {
    "inactive-disabled": True,
    "masked": True,
    "not-found": True,
    "active-enabled": False,
    "active-disabled": False,  # started by hand: still running
    "active-masked": False,  # masking does not stop a running unit
    "inactive-enabled": False,  # starts at the next boot
    "inactive-enabled-runtime": False,  # starts at the next start of its target
}


def test_every_recording_has_an_expectation() -> None:
    assert sorted(p.stem for p in SYSTEMCTL_SHOW.glob("*.txt")) == sorted(UNIT_IS_OFF)


@pytest.fixture
def systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The recordings' ``systemctl`` first on PATH; returns the file of its last arguments."""
    asked = fake_systemctl(tmp_path / "bin", SYSTEMCTL_SHOW)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    return asked


@pytest.mark.parametrize(("state", "off"), sorted(UNIT_IS_OFF.items()))
def test_unit_is_off_reads_what_systemd_says(
    checks: ModuleType, local: Any, systemctl: Path, state: str, off: bool
) -> None:
    assert checks.unit_is_off(local, state) is off
    assert systemctl.read_text().split() == [
        "show",
        "--no-pager",
        "-p",
        "LoadState",
        "-p",
        "ActiveState",
        "-p",
        "UnitFileState",
        "--",
        state,
    ]


def test_unit_is_off_fails_loudly_when_systemctl_does(
    checks: ModuleType, local: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No answer is not an answer: a failing systemctl must not read as a unit that is off."""
    fake_systemctl(tmp_path / "bin", tmp_path / "no-recordings")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    with pytest.raises(AssertionError):
        checks.unit_is_off(local, "inactive-disabled")


# inetd_entries --------------------------------------------------------------------------


def test_inetd_entries_are_the_active_lines_of_the_named_services(
    checks: ModuleType, local: Any
) -> None:
    host = InetdConfAt(local, INETD / "telnet-enabled.conf")
    found = checks.inetd_entries(host, ("telnet", "ftp"))
    assert [line.split()[:3] for line in found] == [
        ["telnet", "stream", "tcp"],
        ["telnet", "stream", "tcp6"],
    ]
    assert host.asked == [INETD_CONF]


def test_inetd_entries_skip_commented_lines(checks: ModuleType, local: Any) -> None:
    """update-inetd's ``#<off>#`` lines and the stock ``#echo`` lines are not entries."""
    disabled = InetdConfAt(local, INETD / "telnet-disabled.conf")
    assert checks.inetd_entries(disabled, ("telnet",)) == []
    enabled = InetdConfAt(local, INETD / "telnet-enabled.conf")
    assert checks.inetd_entries(enabled, ("echo", "discard", "daytime")) == []


def test_inetd_entries_match_whole_service_names(checks: ModuleType, local: Any) -> None:
    host = InetdConfAt(local, INETD / "telnet-enabled.conf")
    assert checks.inetd_entries(host, ("telnetd", "teln", "stream")) == []


def test_no_inetd_conf_means_no_entries(checks: ModuleType, local: Any, tmp_path: Path) -> None:
    assert checks.inetd_entries(InetdConfAt(local, tmp_path / "absent"), ("telnet",)) == []


# handshake ------------------------------------------------------------------------------


@needs_openssl
def test_handshake_completes_in_the_protocol_the_server_speaks(
    checks: ModuleType, local: Any, certificate: tuple[Path, Path]
) -> None:
    with tls_server(*certificate, "-tls1_2") as port:
        assert checks.handshake(local, ("-connect", f"127.0.0.1:{port}", "-tls1_2")) is True


@needs_openssl
@pytest.mark.parametrize("version", ["-tls1_1", "-tls1", "-tls1_3"])
def test_handshake_fails_fast_in_a_protocol_the_server_refuses(
    checks: ModuleType, local: Any, certificate: tuple[Path, Path], version: str
) -> None:
    """The refusal is the server's: the same client succeeds against a server that speaks it."""
    args = (version, "-cipher", LEGACY_CIPHERS)
    with tls_server(*certificate, "-tls1_2") as port:
        started = time.monotonic()
        assert checks.handshake(local, ("-connect", f"127.0.0.1:{port}", *args)) is False
        assert time.monotonic() - started < FAST_SECONDS
    with tls_server(*certificate, version, "-cipher", LEGACY_CIPHERS) as port:
        assert checks.handshake(local, ("-connect", f"127.0.0.1:{port}", *args)) is True


@needs_openssl
def test_handshake_fails_fast_when_nothing_listens(checks: ModuleType, local: Any) -> None:
    started = time.monotonic()
    connect = f"127.0.0.1:{closed_port('127.0.0.1')}"
    assert checks.handshake(local, ("-connect", connect, "-tls1_2")) is False
    assert time.monotonic() - started < FAST_SECONDS


# controller_address, among --------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "source"), [("127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("127.0.0.2", "127.0.0.1")]
)
def test_controller_address_is_this_machines_source_address(
    checks: ModuleType, address: str, source: str
) -> None:
    """127.0.0.2 is reached from 127.0.0.1 (the loopback route's source): not just echoed back."""
    assert checks.controller_address(address) == source


@pytest.mark.parametrize(
    ("address", "sources", "inside"),
    [
        ("10.1.2.3", ("10.0.0.0/8",), True),
        ("10.1.2.3", ("198.51.100.0/24", "10.1.2.3/32"), True),
        ("2001:db8::5", ("2001:db8::/32",), True),
        ("10.1.2.3", ("10.1.2.4/32", "198.51.100.0/24"), False),
        ("127.0.0.1", ("::1/128",), False),  # another family is never inside
        ("::1", ("127.0.0.0/8",), False),
        ("10.1.2.3", (), False),
    ],
)
def test_among(checks: ModuleType, address: str, sources: tuple[str, ...], inside: bool) -> None:
    assert checks.among(address, sources) is inside
