"""A generated ``test_<host>.py`` fails where the fix is missing and passes where it is made.

The goldens only show the suite is the text it was; ``REMEDIATOR_UPDATE_GOLDEN=1`` would
bless ``assert reachable`` as readily as ``assert not reachable``. Here the suite of a
small hand-made test list is rendered from test_host.py.j2 for a host at 127.0.0.1 (and
::1), imported with the generated helpers, and each generated test function is called
against the real thing it is about: a loopback port that listens and then is closed, a
UDP service that answers and then is gone, an ``openssl s_server`` that does or does not
speak a protocol, a unit in a recorded systemd state, an inetd.conf before and after
update-inetd. ``test_fix_*`` must fail on the first and pass on the second;
``test_keep_*`` the other way round.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from remediator.generate.probes import LEGACY_CIPHERS
from remediator.generate.render import render
from remediator.generate.testinfra import SuiteTest
from tests.unit.generate.generated_checks import (
    InetdConfAt,
    closed_port,
    fake_systemctl,
    import_suite,
    needs_openssl,
    self_signed,
    tcp_listener,
    tls_server,
    udp_server,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LOOPBACKS = ["127.0.0.1", "::1"]
ELSEWHERE = ("198.51.100.0/24", "2001:db8::/32")
"""Allowed sources this controller is not in (documentation networks)."""
KEY = "key/of/the/finding"

Generated = Callable[..., None]


@pytest.fixture
def generate(checks: ModuleType, tmp_path: Path) -> Callable[[SuiteTest], Generated]:
    """The generated test function for one test spec, from a freshly rendered suite."""

    def one(test: SuiteTest) -> Generated:
        path = tmp_path / f"test_loop_lab_{test.name}.py"
        path.write_text(
            render("test_host.py.j2", host="loop.lab", tests=(test,), unasserted=()), "utf-8"
        )
        function: Generated = getattr(import_suite(path, checks), test.name)
        return function

    return one


def outcome(test: Generated, *args: Any) -> str:
    """What pytest would report for the generated test (a skip is neither pass nor fail)."""
    try:
        test(*args)
    except AssertionError:
        return "failed"
    except pytest.skip.Exception:
        return "skipped"
    return "passed"


# blocked / restricted: run on the controller, no host ------------------------------------


@pytest.mark.parametrize("address", LOOPBACKS)
def test_blocked_tcp_fails_while_the_port_answers(
    generate: Callable[[SuiteTest], Generated], address: str
) -> None:
    with tcp_listener(address) as port:
        test = generate(_reach("blocked", "tcp", address, port))
        assert outcome(test) == "failed"
    assert outcome(test) == "passed"


@pytest.mark.parametrize("address", LOOPBACKS)
def test_blocked_udp_fails_while_the_service_answers(
    generate: Callable[[SuiteTest], Generated], address: str
) -> None:
    with udp_server(address, answer=True) as server:
        test = generate(_reach("blocked", "udp", address, server.port, request="dns"))
        assert outcome(test) == "failed"
    assert outcome(test) == "passed"


@pytest.mark.parametrize("address", LOOPBACKS)
def test_restricted_tcp_fails_while_this_controller_gets_through(
    generate: Callable[[SuiteTest], Generated], address: str
) -> None:
    with tcp_listener(address) as port:
        test = generate(_reach("restricted", "tcp", address, port, sources=ELSEWHERE))
        assert outcome(test) == "failed"
    assert outcome(test) == "passed"


@pytest.mark.parametrize("address", LOOPBACKS)
def test_restricted_udp_fails_while_this_controller_gets_an_answer(
    generate: Callable[[SuiteTest], Generated], address: str
) -> None:
    with udp_server(address, answer=True) as server:
        spec = _reach("restricted", "udp", address, server.port, sources=ELSEWHERE, request="ntp")
        test = generate(spec)
        assert outcome(test) == "failed"
    assert outcome(test) == "passed"


@pytest.mark.parametrize(("address", "source"), [("127.0.0.1", "127.0.0.0/8"), ("::1", "::1/128")])
def test_restricted_skips_when_this_controller_is_allowed(
    generate: Callable[[SuiteTest], Generated], address: str, source: str
) -> None:
    """An allowed controller gets through either way: that is no evidence, in either direction."""
    with tcp_listener(address) as port:
        test = generate(_reach("restricted", "tcp", address, port, sources=(*ELSEWHERE, source)))
        assert outcome(test) == "skipped"


def _reach(
    kind: str,
    protocol: str,
    address: str,
    port: int,
    *,
    sources: tuple[str, ...] = (),
    request: str = "",
) -> SuiteTest:
    return SuiteTest(
        name=f"test_fix_{kind}_{protocol}_{port}",
        kind=kind,
        keys=(KEY,),
        protocol=protocol,
        port=port,
        address=address,
        sources=sources,
        args=(request,) if request else (),
    )


# closed / listening: run on the host (here: testinfra's local host) -----------------------


@pytest.mark.parametrize("address", LOOPBACKS)
def test_closed_fails_while_something_listens_on_the_port(
    generate: Callable[[SuiteTest], Generated], local: Any, address: str
) -> None:
    with tcp_listener(address) as port:
        test = generate(_closed(port))
        assert outcome(test, local) == "failed"
    assert outcome(test, local) == "passed"


def test_closed_fails_while_a_unit_is_still_on(
    generate: Callable[[SuiteTest], Generated],
    local: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_systemctl(tmp_path / "bin", FIXTURES / "systemctl_show")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    port = closed_port("127.0.0.1")
    still_on = generate(_closed(port, units=("masked", "inactive-enabled")))
    assert outcome(still_on, local) == "failed"
    all_off = generate(_closed(port, units=("masked", "inactive-disabled", "not-found")))
    assert outcome(all_off, local) == "passed"


def test_closed_fails_while_inetd_still_has_the_service(
    generate: Callable[[SuiteTest], Generated], local: Any
) -> None:
    port = closed_port("127.0.0.1")
    test = generate(_closed(port, inetd=("telnet",)))
    before = InetdConfAt(local, FIXTURES / "inetd" / "telnet-enabled.conf")
    after = InetdConfAt(local, FIXTURES / "inetd" / "telnet-disabled.conf")
    assert outcome(test, before) == "failed"
    assert outcome(test, after) == "passed"


def _closed(port: int, units: tuple[str, ...] = (), inetd: tuple[str, ...] = ()) -> SuiteTest:
    return SuiteTest(
        name=f"test_fix_closed_tcp_{port}",
        kind="closed",
        keys=(KEY,),
        protocol="tcp",
        port=port,
        units=units,
        inetd=inetd,
    )


@pytest.mark.parametrize("address", LOOPBACKS)
def test_keep_listening_passes_while_the_port_listens(
    generate: Callable[[SuiteTest], Generated], local: Any, address: str
) -> None:
    with tcp_listener(address) as port:
        test = generate(
            SuiteTest(f"test_keep_listening_tcp_{port}", "listening", (KEY,), "tcp", port)
        )
        assert outcome(test, local) == "passed"
    assert outcome(test, local) == "failed"


# refuses / accepts: openssl s_client run on the host -------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@needs_openssl
def test_refuses_tls1_1_fails_while_the_server_speaks_it(
    generate: Callable[[SuiteTest], Generated], local: Any, certificate: tuple[Path, Path]
) -> None:
    legacy = ("-tls1_1", "-cipher", LEGACY_CIPHERS)
    with tls_server(*certificate, *legacy) as port:
        test = generate(_tls("refuses", port, *legacy))
        assert outcome(test, local) == "failed"
    with tls_server(*certificate, "-tls1_2") as port:
        assert outcome(generate(_tls("refuses", port, *legacy)), local) == "passed"


@needs_openssl
def test_keep_accepts_tls1_2_passes_only_while_the_server_speaks_it(
    generate: Callable[[SuiteTest], Generated], local: Any, certificate: tuple[Path, Path]
) -> None:
    with tls_server(*certificate, "-tls1_2") as port:
        test = generate(_tls("accepts", port, "-tls1_2"))
        assert outcome(test, local) == "passed"
    assert outcome(test, local) == "failed"  # nothing listens any more
    with tls_server(*certificate, "-tls1_3") as port:
        assert outcome(generate(_tls("accepts", port, "-tls1_2")), local) == "failed"


def _tls(kind: str, port: int, *args: str) -> SuiteTest:
    prefix = "test_fix_tls" if kind == "refuses" else "test_keep_tls"
    return SuiteTest(
        name=f"{prefix}_127_0_0_1_{port}_{kind}",
        kind=kind,
        keys=(KEY,),
        args=("-connect", f"127.0.0.1:{port}", *args),
    )
