"""The Windows suites' helpers (tests/remediator_windows_checks.py), without a Windows host.

No Windows host exists here, so the host side is a stand-in for testinfra's ``host``
whose ``ansible()`` answers as the module documents it: every key a helper reads is first
checked against the module's own RETURN documentation (``ansible-doc --json``), so the
stand-in cannot invent a shape the real module never returns. Each helper is shown to say
yes and no. The controller-side handshake runs for real against ``openssl s_server``.
What is not proven here: the PowerShell itself, and the modules' answers on a live host.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from remediator.generate.probes import LEGACY_CIPHERS
from remediator.generate.render import template_text
from tests.unit.generate.generated_checks import (
    import_path,
    needs_openssl,
    self_signed,
    tls_server,
)

READS = {
    "ansible.windows.win_service_info": (
        ("exists",),
        ("services", "state"),
        ("services", "start_mode"),
    ),
    "ansible.windows.win_reg_stat": (("exists",), ("value",)),
    "ansible.windows.win_powershell": (("output",),),
}
"""What the helpers read of each module's result."""


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    path = tmp_path_factory.mktemp("wchecks") / "remediator_windows_checks.py"
    path.write_text(template_text("windows_checks.py.j2"), "utf-8")
    return import_path(path, "remediator_windows_checks_under_test")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


class Recorded:
    """testinfra's ``host`` as far as the helpers use it: ``ansible(module, args, check)``."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.calls: list[tuple[str, dict[str, Any], bool]] = []

    def ansible(self, module: str, args: str, check: bool = True) -> dict[str, Any]:
        self.calls.append((module, json.loads(args), check))
        return self.answer


def test_every_key_read_is_in_the_modules_return_documentation() -> None:
    listed = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-doc"), "--json", *READS],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    docs = json.loads(listed)
    for module, paths in READS.items():
        returned = docs[module]["return"]
        for path in paths:
            node = returned
            for part in path:
                assert part in node, (module, path)
                node = node[part].get("contains", {})


@pytest.mark.parametrize(
    ("services", "off"),
    [
        ([{"name": "TlntSvr", "state": "stopped", "start_mode": "disabled"}], True),
        ([], True),  # not installed: nothing to serve the port
        ([{"name": "TlntSvr", "state": "started", "start_mode": "auto"}], False),
        ([{"name": "TlntSvr", "state": "stopped", "start_mode": "manual"}], False),
        ([{"name": "TlntSvr", "state": "started", "start_mode": "disabled"}], False),
    ],
)
def test_service_off(checks: ModuleType, services: list[dict[str, str]], off: bool) -> None:
    host = Recorded({"exists": bool(services), "services": services})
    assert checks.service_off(host, "TlntSvr") is off
    assert host.calls == [("ansible.windows.win_service_info", {"name": "TlntSvr"}, False)]


@pytest.mark.parametrize(
    ("answer", "off"),
    [
        ({"exists": True, "value": 0}, True),
        ({"exists": True, "value": 1}, False),
        ({"exists": False}, False),  # never set: SCHANNEL's default decides, not proven off
    ],
)
def test_schannel_protocol_off(checks: ModuleType, answer: dict[str, Any], off: bool) -> None:
    host = Recorded(answer)
    assert checks.schannel_protocol_off(host, "TLS 1.0") is off
    ((module, args, _check),) = host.calls
    assert module == "ansible.windows.win_reg_stat"
    assert args == {"path": f"{checks.SCHANNEL}\\TLS 1.0\\Server", "name": "Enabled"}


@pytest.mark.parametrize(("output", "listens"), [([True], True), ([False], False), ([], False)])
def test_windows_listening_passes_values_as_parameters(
    checks: ModuleType, output: list[bool], listens: bool
) -> None:
    host = Recorded({"output": output})
    assert checks.windows_listening(host, "tcp", 5986) is listens
    ((module, args, check),) = host.calls
    assert (module, check) == ("ansible.windows.win_powershell", False)
    assert args["parameters"] == {"Protocol": "tcp", "Port": 5986}
    assert "5986" not in args["script"] and "tcp" not in args["script"].replace("Tcp", "")


@pytest.mark.parametrize(("output", "pending"), [([True], True), ([False], False)])
def test_pending_reboot(checks: ModuleType, output: list[bool], pending: bool) -> None:
    host = Recorded({"output": output})
    assert checks.pending_reboot(host) is pending
    ((_module, args, _check),) = host.calls
    assert args["parameters"] == {"Marker": checks.MARKER}


@needs_openssl
def test_handshake_from_controller_says_yes_and_no(
    checks: ModuleType, certificate: tuple[Path, Path]
) -> None:
    with tls_server(*certificate, "-tls1_2") as port:
        target = f"127.0.0.1:{port}"
        assert checks.handshake_from_controller(("-connect", target, "-tls1_2")) is True
        refused = ("-connect", target, "-tls1", "-cipher", LEGACY_CIPHERS)
        assert checks.handshake_from_controller(refused) is False
