"""A lab host's units that failed at boot are started again in the order they failed.

Seen in CI: on web.lab, systemd-tmpfiles-setup failed to attach to its cgroup at boot, so
/run/mysqld was never made and mariadb failed after it. The retry ran one
``systemctl restart mariadb.service systemd-tmpfiles-setup.service``: restart is refused for
tmpfiles (it refuses a manual stop) and mariadb started again before /run/mysqld existed,
so the host counted as broken. The ``systemctl show`` text below is that host's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.lab import manager
from remediator.lab.config import LabConfig

SHOW = (Path(__file__).parents[1] / "fixtures" / "lab_failed_units_show.txt").read_text()
FAILED = ["mariadb.service", "systemd-tmpfiles-setup.service"]  # as `systemctl --failed` lists


def test_units_are_ordered_by_when_they_failed() -> None:
    assert manager.failure_order(SHOW, FAILED) == [
        "systemd-tmpfiles-setup.service",
        "mariadb.service",
    ]


def test_a_unit_without_a_timestamp_goes_last() -> None:
    assert manager.failure_order(SHOW, ["x.service", *FAILED])[-1] == "x.service"


def test_retry_starts_each_unit_alone_in_failure_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands the retry sends: one start per unit, tmpfiles first; never restart."""
    config = LabConfig()
    host = config.host("web")
    sent: list[list[str]] = []

    def fake_capture(argv: list[str], timeout: float) -> tuple[int, str]:
        remote = argv[argv.index("systemctl") :]
        sent.append(remote)
        return 0, SHOW if remote[1] == "show" else ""

    monkeypatch.setattr(manager, "capture", fake_capture)
    manager._start_again(config, host, FAILED)
    assert sent[1:] == [
        ["systemctl", "start", "--", "systemd-tmpfiles-setup.service"],
        ["systemctl", "start", "--", "mariadb.service"],
    ]
