"""Reading a generated project: hosts, items with their finding keys, window, suites, hashes."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from remediator.errors import InputError
from remediator.run.project import Project, file_hashes, load_project
from remediator.run.varsfile import load_vars

from .conftest import GENERATED_AT


def test_targets_are_the_hosts_with_changes(lab_project: Project) -> None:
    assert [h.name for h in lab_project.hosts] == [
        "cache.lab",
        "clean.lab",
        "legacy.lab",
        "mail.lab",
        "web.lab",
    ]
    assert [h.name for h in lab_project.targets] == [
        "cache.lab",
        "legacy.lab",
        "mail.lab",
        "web.lab",
    ]
    assert lab_project.host("clean.lab").items == ()


def test_items_carry_the_keys_of_the_host_vars(lab_project: Project) -> None:
    for spec in lab_project.hosts:
        data = load_vars(lab_project.root / "host_vars" / f"{spec.name}.yml").data
        for role, variable in (
            ("disable_service", "disable_service_items"),
            ("firewall", "firewall_rules"),
            ("tls", "tls_items"),
        ):
            expected = list(dict.fromkeys(item["key"] for item in data[variable]))
            assert list(spec.keys_for(role)) == expected
    web = lab_project.host("web.lab")
    assert {i.daemon for i in web.items if i.role == "tls"} == {"nginx", "apache2"}
    legacy = lab_project.host("legacy.lab")
    telnet = next(
        i
        for i in legacy.items
        if i.key == "10.213.0.10/tcp/23/port-open" and i.role == "disable_service"
    )
    assert telnet.inetd and "telnet.socket" in telnet.units and not telnet.irreversible
    assert legacy.restricted == {"udp/161": ("10.213.0.200/32",)}


def test_unsafe_tagged_scalars_read_as_plain_text(lab_project: Project) -> None:
    text = (lab_project.root / "host_vars" / "legacy.lab.yml").read_text(encoding="utf-8")
    assert '!unsafe "10.213.0.10/tcp/23/port-open"' in text
    keys = lab_project.host("legacy.lab").keys_for()
    assert "10.213.0.10/tcp/23/port-open" in keys
    assert all(not k.startswith("!") for k in keys)


def test_window_openings_and_settings(lab_project: Project) -> None:
    assert lab_project.window_spec == "now+4h"
    (opening,) = lab_project.openings
    assert (opening.start, opening.end) == (GENERATED_AT, GENERATED_AT + timedelta(hours=4))
    assert lab_project.opening(GENERATED_AT + timedelta(hours=1)) == opening
    assert lab_project.opening(GENERATED_AT + timedelta(hours=5)) is None
    assert lab_project.batch == (1, "25%")
    assert lab_project.max_fail == 0
    assert lab_project.revert_after == 1800


def test_each_host_has_its_testinfra_suite(lab_project: Project) -> None:
    for spec in lab_project.hosts:
        assert spec.suite is not None
        assert f"'ansible://{spec.name}'" in (lab_project.root / spec.suite).read_text()


def test_plan_hash_comes_from_the_manifest(lab_project: Project) -> None:
    plan_file = lab_project.root.parent / "plan.json"
    import hashlib

    assert lab_project.plan_sha256 == hashlib.sha256(plan_file.read_bytes()).hexdigest()


def test_file_hashes_ignore_tool_caches(lab_project: Project, tmp_path: Path) -> None:
    copy = tmp_path / "p"
    shutil.copytree(lab_project.root, copy)
    before = file_hashes(copy)
    (copy / "tests" / "__pycache__").mkdir()
    (copy / "tests" / "__pycache__" / "x.pyc").write_bytes(b"cache")
    assert file_hashes(copy) == before
    (copy / "host_vars" / "web.lab.yml").write_text("---\n", encoding="utf-8")
    changed = file_hashes(copy)
    assert [p for p in before if before[p] != changed[p]] == ["host_vars/web.lab.yml"]


def test_a_directory_that_is_not_a_project_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a generated project"):
        load_project(tmp_path)


def test_a_project_missing_its_rollback_playbook_is_refused(
    lab_project: Project, tmp_path: Path
) -> None:
    copy = tmp_path / "p"
    shutil.copytree(lab_project.root, copy)
    (copy / "playbooks" / "rollback.yml").unlink()
    with pytest.raises(InputError, match=r"rollback\.yml"):
        load_project(copy)


def test_bad_host_vars_name_the_file(lab_project: Project, tmp_path: Path) -> None:
    copy = tmp_path / "p"
    shutil.copytree(lab_project.root, copy)
    (copy / "host_vars" / "web.lab.yml").write_text("firewall_rules: 3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"web\.lab\.yml"):
        load_project(copy)
    (copy / "host_vars" / "web.lab.yml").write_text(
        "!!python/object/apply:os.system ['x']\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="unreadable vars file"):
        load_project(copy)
