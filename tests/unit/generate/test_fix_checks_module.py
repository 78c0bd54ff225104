"""The generated project's read-only module that records the fix checks before and after."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from tests.corpus import REPO

MODULE = REPO / "remediator" / "generate" / "templates" / "remediator_fix_checks.py"

SS = """\
tcp   LISTEN 0 64   0.0.0.0:23    0.0.0.0:*
tcp   LISTEN 0 128  [::]:22       [::]:*
udp   UNCONN 0 0    0.0.0.0:11211 0.0.0.0:*
"""
TLS = [
    {
        "port": 443,
        "keys": ["10.0.0.5/tcp/443/tls"],
        "refuse": [
            ["-connect", "127.0.0.1:443", "-tls1"],
            ["-connect", "127.0.0.1:443", "-tls1_1"],
        ],
        "accept": ["-connect", "127.0.0.1:443", "-tls1_2"],
    }
]


class FakeHost:
    """Answers ``ss`` with a listing and each handshake with the return code given."""

    def __init__(self, ss: tuple[int, str], handshakes: dict[str, int]) -> None:
        self.ss = ss
        self.handshakes = handshakes
        self.commands: list[tuple[list[str], str | None]] = []

    def run_command(self, args: list[str], data: str | None = None) -> tuple[int, str, str]:
        self.commands.append((args, data))
        if args[0] == "ss":
            return self.ss[0], self.ss[1], ""
        return self.handshakes[args[-1]], "", ""


@pytest.fixture
def fix_checks(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("remediator_fix_checks", MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module.shutil, "which", lambda name: f"/usr/bin/{name}")
    return module


def test_a_port_still_listening_fails_its_check_and_a_closed_one_passes(
    fix_checks: ModuleType,
) -> None:
    ports = [
        {"protocol": "tcp", "port": 23, "keys": ["a/tcp/23"]},
        {"protocol": "tcp", "port": 21, "keys": ["a/tcp/21"]},
        {"protocol": "udp", "port": 11211, "keys": ["a/udp/11211"]},
    ]
    checks = fix_checks.closed_checks(ports, FakeHost((0, SS), {}))
    assert [(c["keys"], c["passed"], c["detail"]) for c in checks] == [
        (["a/tcp/23"], False, "listening"),
        (["a/tcp/21"], True, ""),
        (["a/udp/11211"], False, "listening"),
    ]
    assert checks[0]["name"] == "nothing listens on tcp/23"


def test_no_listing_is_not_a_pass(fix_checks: ModuleType) -> None:
    ports = [{"protocol": "tcp", "port": 23, "keys": ["a/tcp/23"]}]
    (check,) = fix_checks.closed_checks(ports, FakeHost((1, ""), {}))
    assert check["passed"] is None
    assert "ss could not" in check["detail"]


def test_an_excluded_handshake_that_works_fails_and_a_refused_one_passes(
    fix_checks: ModuleType,
) -> None:
    host = FakeHost((0, ""), {"-tls1": 0, "-tls1_1": 1})
    checks = fix_checks.tls_checks(TLS, host)
    assert [(c["passed"], c["detail"]) for c in checks] == [
        (False, "the handshake worked"),
        (True, ""),
    ]
    argv, data = host.commands[0]
    assert argv[:4] == ["timeout", "15", "/usr/bin/openssl", "s_client"]
    assert data == "Q"


def test_a_handshake_that_times_out_is_not_a_refusal(fix_checks: ModuleType) -> None:
    host = FakeHost((0, ""), {"-tls1": 124, "-tls1_1": 124})
    checks = fix_checks.tls_checks(TLS, host)
    assert {c["passed"] for c in checks} == {False}
    assert checks[0]["detail"] == "timed out"


def test_without_openssl_the_tls_checks_are_not_run(
    fix_checks: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fix_checks.shutil, "which", lambda name: None)
    host = FakeHost((0, ""), {})
    checks = fix_checks.tls_checks(TLS, host)
    assert {c["passed"] for c in checks} == {None}
    assert host.commands == []
