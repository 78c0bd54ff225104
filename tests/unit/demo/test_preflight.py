"""``remediator demo`` on a machine without the lab's tools: exit 4 naming them, nothing written.

An installed remediator (``pipx install``) carries everything the demo needs except the
system tools the lab runs (debootstrap, systemd-nspawn, ip, nmap, ...). Where they are
missing the demo must say which, in one line, before it creates anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.cli import main


def test_the_demo_names_every_missing_tool_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.chdir(tmp_path)

    code = main(["demo", "--state-dir", str(tmp_path / "state")])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 4
    assert len(err) == 1
    assert err[0].startswith("remediator: error: the lab needs these tools")
    for tool in ("debootstrap", "systemd-nspawn", "ip", "nmap"):
        assert tool in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]
