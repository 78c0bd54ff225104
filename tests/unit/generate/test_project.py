"""The project as a pure function: deterministic, portable, and refusing unsafe plans."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from remediator.classify.model import DisableService, FirewallBlock
from remediator.classify.plan_document import PlanDecision, PlanDoc, parse_plan
from remediator.errors import InputError
from remediator.generate.manifest import NAME
from remediator.generate.project import InventoryEntry, build_project
from remediator.generate.roles import LINUX_ROLES, WINDOWS_ROLES
from tests.corpus import REPO, corpus_root
from tests.unit.generate.helpers import (
    GENERATED_AT,
    hostile_plan,
    options,
    project,
    roles,
)

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def plan() -> PlanDoc:
    return hostile_plan()


def test_same_plan_twice_gives_identical_bytes(plan: PlanDoc) -> None:
    assert project(plan) == project(hostile_plan())


def test_output_does_not_depend_on_cwd_or_environment(
    plan: PlanDoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = project(plan)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    assert project(plan) == first


def test_no_absolute_path_of_this_machine_in_any_file(plan: PlanDoc) -> None:
    machine_paths = {
        str(REPO),
        str(corpus_root()),
        str(Path.cwd()),
        str(Path.home()),
        "/tmp/pytest",
    }
    for relative, data in project(plan).items():
        assert not relative.startswith("/")
        text = data.decode("utf-8")
        for path in machine_paths:
            assert path not in text, (relative, path)


def test_every_file_is_utf8_and_text_files_end_with_a_newline(plan: PlanDoc) -> None:
    for relative, data in project(plan).items():
        text = data.decode("utf-8")
        if text and not relative.startswith("roles/"):
            assert text.endswith("\n"), relative


def test_manifest_lists_every_file_with_its_sha256(plan: PlanDoc) -> None:
    files = project(plan)
    manifest = json.loads(files[NAME])
    assert manifest["plan"]["sha256"] == plan.sha256
    assert manifest["generated_at"] == "2026-11-30T18:00:00Z"
    assert manifest["window"]["spec"] == "Mon-Fri 22:00-02:00 Europe/Berlin"
    listed = manifest["files"]
    assert set(listed) == set(files) - {NAME}
    for relative, digest in listed.items():
        assert hashlib.sha256(files[relative]).hexdigest() == digest


def test_expected_layout(plan: PlanDoc) -> None:
    files = project(plan)
    for required in (
        "ansible.cfg",
        "inventory.yml",
        "requirements.yml",
        "README.md",
        "playbooks/remediate.yml",
        "playbooks/snapshot.yml",
        "playbooks/rollback.yml",
        "host_vars/legacy.lab.yml",
        "host_vars/web.lab.yml",
        "tests/test_legacy_lab.py",
        "tests/test_web_lab.py",
    ):
        assert required in files
    for role in LINUX_ROLES:
        assert f"roles/{role}/tasks/main.yml" in files
    for role in WINDOWS_ROLES:  # a Linux-only plan: no Windows role, no Windows collection
        assert not any(p.startswith(f"roles/{role}/") for p in files)
    assert not any("/molecule/" in p or "__pycache__" in p for p in files)


def test_window_openings_are_materialised_in_utc(plan: PlanDoc) -> None:
    run_vars = yaml.safe_load(
        project(plan)["playbooks/vars/remediator.yml"].decode().replace("!unsafe ", "")
    )
    openings = run_vars["remediator_window_openings"]
    # Mon-Fri 22:00-02:00 Berlin (UTC+1 in winter) from Mon 2026-11-30 18:00 UTC, 90 days
    assert openings[0] == {"start": "2026-11-30T21:00:00Z", "end": "2026-12-01T01:00:00Z"}
    assert 60 <= len(openings) <= 66
    assert all(o["start"] < o["end"] for o in openings)
    assert run_vars["remediator_window_horizon"] == "2027-02-28T18:00:00Z"


def test_no_window_means_no_openings(plan: PlanDoc) -> None:
    run_vars = project(plan, options(None))["playbooks/vars/remediator.yml"].decode()
    assert "remediator_window_openings: []" in run_vars


def test_lab_switches_off_host_key_checking_only_for_the_lab(plan: PlanDoc) -> None:
    assert b"host_key_checking" not in project(plan)["ansible.cfg"]
    assert b"host_key_checking = False" in project(plan, options(lab=True))["ansible.cfg"]


def test_inventory_entries_replace_plan_addresses(plan: PlanDoc) -> None:
    opts = dataclasses.replace(
        options(),
        inventory={"web.lab": InventoryEntry("192.0.2.80", 2222, "deploy", ("web",))},
        inventory_name="hosts.yml",
    )
    files = build_project(plan, opts, roles())
    text = files["inventory.yml"].decode()
    assert "!unsafe" not in text  # connection values are checked, and must stay plain strings
    inventory = yaml.safe_load(text)
    assert inventory["all"]["hosts"]["web.lab"] == {
        "ansible_host": "192.0.2.80",
        "ansible_port": 2222,
        "ansible_user": "deploy",
    }
    assert json.loads(files[NAME])["inventory"] == "hosts.yml"


def test_ansible_inventory_reads_the_addresses_as_plain_strings(
    plan: PlanDoc, tmp_path: Path
) -> None:
    """What pytest-testinfra's ansible backend reads: ``ansible-inventory --list``."""
    (tmp_path / "inventory.yml").write_bytes(project(plan)["inventory.yml"])
    done = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", "inventory.yml", "--list"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    hostvars = json.loads(done.stdout)["_meta"]["hostvars"]
    assert hostvars["web.lab"] == {"ansible_host": "10.213.0.11"}
    assert {type(v["ansible_host"]) for v in hostvars.values()} == {str}


def test_testinfra_resolves_each_host_to_its_address(
    plan: PlanDoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suites' ansible:// hosts, as pytest-testinfra resolves them (nothing connects).

    With ``ansible_host`` written ``!unsafe``, this failed inside testinfra: it got
    ``{'__ansible_unsafe': '10.213.0.11'}`` for the address.
    """
    from testinfra.utils.ansible_runner import AnsibleRunner

    (tmp_path / "inventory.yml").write_bytes(project(plan)["inventory.yml"])
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    runner = AnsibleRunner(str(tmp_path / "inventory.yml"))
    assert runner.get_host("web.lab").backend.host.name == "10.213.0.11"  # type: ignore[attr-defined]
    assert runner.get_host("legacy.lab").backend.host.name == "10.213.0.10"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("address", "{{ lookup('pipe','touch /tmp/pwned') }}", "neither an IP address"),
        ("address", "fe80::1%{{x}}", "neither an IP address"),
        ("address", "10.0.0.1\n- hosts: all", "neither an IP address"),
        ("user", "root{{ x }}", "not a login name"),
        ("user", "$(id)", "not a login name"),
        ("port", 0, "not a port number"),
    ],
)
def test_inventory_values_are_checked_before_they_are_written(
    plan: PlanDoc, field: str, value: object, problem: str
) -> None:
    values: dict[str, object] = {"address": "192.0.2.80", "port": 22, "user": "deploy"}
    values[field] = value
    entry = InventoryEntry(values["address"], values["port"], values["user"])  # type: ignore[arg-type]
    opts = dataclasses.replace(options(), inventory={"web.lab": entry}, inventory_name="hosts.yml")
    with pytest.raises(InputError, match=problem):
        build_project(plan, opts, roles())


def test_inventory_normalizes_an_ipv6_address_and_accepts_a_dns_name(plan: PlanDoc) -> None:
    entries = {
        "web.lab": InventoryEntry("FD00:213:0:0::11"),
        "legacy.lab": InventoryEntry("legacy-1.example.net"),
    }
    opts = dataclasses.replace(options(), inventory=entries)
    hosts = yaml.safe_load(project(plan, opts)["inventory.yml"])["all"]["hosts"]
    assert hosts["web.lab"] == {"ansible_host": "fd00:213::11"}
    assert hosts["legacy.lab"] == {"ansible_host": "legacy-1.example.net"}


def test_longer_horizon_changes_only_the_window_data(plan: PlanDoc) -> None:
    base = project(plan)
    longer = project(plan, dataclasses.replace(options(), horizon=timedelta(days=120)))
    differing = {p for p in base if base[p] != longer[p]}
    assert differing == {"playbooks/vars/remediator.yml", "README.md", NAME}


def _plan_with(plan: PlanDoc, **changes: object) -> PlanDoc:
    return dataclasses.replace(plan, **changes)


def test_bad_inventory_host_name_is_an_input_error(plan: PlanDoc) -> None:
    host = next(h for h in plan.hosts if h.name == "legacy.lab")
    evil = dataclasses.replace(host, name="../../etc/passwd")
    decisions = tuple(
        dataclasses.replace(d, host="../../etc/passwd") if d.host == "legacy.lab" else d
        for d in plan.decisions
    )
    bad = _plan_with(plan, hosts=(*plan.hosts, evil), decisions=decisions)
    with pytest.raises(InputError, match="not usable as a file name"):
        project(bad)


def _decision(plan: PlanDoc, port: int) -> PlanDecision:
    return next(d for d in plan.decisions if d.port == port and d.check_id == "port-open")


def test_a_plan_closing_the_management_port_is_refused(plan: PlanDoc) -> None:
    ssh = dataclasses.replace(
        _decision(plan, 23), port=22, check_id="x:ssh", actions=(FirewallBlock("tcp", 22),)
    )
    with pytest.raises(InputError, match="management"):
        project(_plan_with(plan, decisions=(*plan.decisions, ssh)))


def test_a_unit_name_that_could_be_an_option_is_refused(plan: PlanDoc) -> None:
    evil = DisableService("tcp", 23, "telnet", units=("--now",))
    decision = dataclasses.replace(_decision(plan, 23), check_id="x:evil", actions=(evil,))
    with pytest.raises(InputError, match="not a unit"):
        project(_plan_with(plan, decisions=(*plan.decisions, decision)))


def test_windows_hosts_get_no_linux_tasks(plan: PlanDoc) -> None:
    hosts = tuple(
        dataclasses.replace(h, os="windows") if h.name == "web.lab" else h for h in plan.hosts
    )
    files = project(_plan_with(plan, hosts=hosts))
    host_vars = files["host_vars/web.lab.yml"]
    assert b'remediator_os: !unsafe "windows"' in host_vars
    for linux_items in (b"disable_service_items:", b"firewall_rules:", b"tls_items:"):
        assert b"\n" + linux_items not in host_vars
    linux_play, _, windows_play = files["playbooks/remediate.yml"].partition(
        b"- name: Remediate the plan's findings on Windows hosts"
    )
    linux_play = linux_play.split(b"- name: Remediate the plan's findings, a batch")[1]
    assert b"web.lab" not in linux_play
    assert b"name: windows_" in windows_play and b"name: disable_service" not in windows_play
    for role in WINDOWS_ROLES:
        assert f"roles/{role}/tasks/main.yml" in files


def test_hosts_the_scan_alone_calls_windows_get_no_tasks_at_all(plan: PlanDoc) -> None:
    hosts = tuple(
        dataclasses.replace(h, os="unknown") if h.name == "web.lab" else h for h in plan.hosts
    )
    files = project(_plan_with(plan, hosts=hosts))
    assert "host_vars/web.lab.yml" not in files
    assert b"web.lab" not in files["playbooks/remediate.yml"]
    assert b"Windows hosts" not in files["README.md"]
    assert b"the inventory does not say" in files["README.md"]
    assert b"web.lab" in files["README.md"]


def test_plan_bytes_decide_the_hash(plan: PlanDoc) -> None:
    document = (
        b'{"schema": "remediator/plan/v1", "as_of": "2026-11-30", "inventory": "i",'
        b' "hosts": {}, "decisions": []}'
    )
    empty = parse_plan(document, "plan.json")
    assert empty.sha256 == hashlib.sha256(document).hexdigest()
    files = project(empty)
    assert b'hosts: "!all"' in files["playbooks/remediate.yml"]
    assert json.loads(files[NAME])["generated_at"] == GENERATED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
