"""disable_service's probe (roles/disable_service/library/unit_states.py), off any host.

The alias resolution is what makes a second apply safe: once mariadb.service is masked,
systemd no longer resolves the alias names Debian ships beside it, so the probe follows
the unit files' symlinks itself. The listener parsing feeds the on-host guard.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

MODULE = Path(__file__).resolve().parents[3] / "roles/disable_service/library/unit_states.py"


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("unit_states", MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    etc, usr = tmp_path / "etc", tmp_path / "usr"
    etc.mkdir()
    usr.mkdir()
    monkeypatch.setattr(module, "_UNIT_DIRS", (str(etc), str(usr)))
    return module


def _dirs(probe: ModuleType) -> tuple[Path, Path]:
    etc, usr = probe._UNIT_DIRS
    return Path(etc), Path(usr)


def test_a_shipped_alias_of_a_masked_unit_resolves_to_the_real_unit(probe: ModuleType) -> None:
    etc, usr = _dirs(probe)
    (usr / "mariadb.service").write_text("[Service]\n")
    (usr / "mysql.service").symlink_to("mariadb.service")
    (usr / "mysqld.service").symlink_to("mariadb.service")
    (etc / "mariadb.service").symlink_to("/dev/null")  # the mask
    assert probe._alias_of("mysql.service") == "mariadb.service"
    assert probe._alias_of("mysqld.service") == "mariadb.service"
    assert probe._alias_of("mariadb.service") == "mariadb.service"  # a mask is no alias


def test_chains_loops_and_odd_targets_end_somewhere(probe: ModuleType) -> None:
    _etc, usr = _dirs(probe)
    (usr / "a.service").symlink_to("b.service")
    (usr / "b.service").symlink_to("/lib/systemd/system/c.service")
    (usr / "c.service").write_text("")
    assert probe._alias_of("a.service") == "c.service"
    (usr / "x.service").symlink_to("y.service")
    (usr / "y.service").symlink_to("x.service")
    assert probe._alias_of("x.service") in {"x.service", "y.service"}
    (usr / "evil.service").symlink_to("../../etc/passwd")
    assert probe._alias_of("evil.service") == "evil.service"
    assert probe._alias_of("absent.service") == "absent.service"


class FakeModule:
    def __init__(self, out: str) -> None:
        self.out = out

    def run_command(
        self, argv: list[str], environ_update: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        return 0, self.out, ""


LIST_SOCKETS = """\
/run/dbus/system_bus_socket Stream dbus.socket dbus.service
[::]:22 Stream ssh.socket ssh.service
0.0.0.0:111 Stream rpcbind.socket rpcbind.service
0.0.0.0:111 Datagram rpcbind.socket rpcbind.service
[::]:7 Stream lab-echo.socket
"""


def test_socket_units_and_what_they_activate_own_their_ports(probe: ModuleType) -> None:
    wanted = {("tcp", 22), ("udp", 111), ("tcp", 7), ("tcp", 25)}
    found = probe._socket_units(FakeModule(LIST_SOCKETS), "systemctl", wanted)
    assert found == {
        ("tcp", 22): {"ssh.socket", "ssh.service"},
        ("udp", 111): {"rpcbind.socket", "rpcbind.service"},
        ("tcp", 7): {"lab-echo.socket"},
    }
