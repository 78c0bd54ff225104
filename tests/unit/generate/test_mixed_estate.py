"""A Windows host beside the lab's Linux hosts changes nothing that is generated for them.

The plan of the lab scans plus a Windows Server host (nmap XML, tests/fixtures/nmap) under
the lab policy with a ``windows`` group: every Linux host's host_vars and testinfra suite
are byte-identical to those of the plan without the Windows host (which gets files of its
own only), and the Windows host gets no Linux role, WinRM (its management) is never
blocked, MS-RPC never disabled.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from remediator.generate.jobs import build_jobs
from tests.unit.generate.helpers import LAB_INVENTORY, LAB_POLICY, LAB_SCANS, plan_of, project

REPO = Path(__file__).resolve().parents[3]
WINDOWS_SCAN = REPO / "tests" / "fixtures" / "nmap" / "nmap_windows_server.xml"
WINDOWS_HOST = {"ansible_host": "10.40.0.5", "ansible_connection": "winrm"}


def mixed_inputs(tmp_path: Path, *, with_windows: bool) -> tuple[Path, Path]:
    """The lab inventory and policy, plus (or not) a ``windows`` group with one host."""
    inventory = yaml.safe_load(LAB_INVENTORY.read_text(encoding="utf-8"))
    policy = LAB_POLICY.read_text(encoding="utf-8")
    if with_windows:
        inventory["all"]["children"]["windows"] = {"hosts": {"win1.lab": WINDOWS_HOST}}
        policy = policy.replace("\ngroups:\n", "\ngroups:\n  windows: {allow: []}\n", 1)
    tmp_path.mkdir(parents=True, exist_ok=True)
    inventory_path, policy_path = tmp_path / "inventory.yml", tmp_path / "policy.yml"
    inventory_path.write_text(yaml.safe_dump(inventory), encoding="utf-8")
    policy_path.write_text(policy, encoding="utf-8")
    return inventory_path, policy_path


def per_host_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """Each host's variables and testinfra suite (and the suites' shared helpers)."""
    return {p: data for p, data in files.items() if p.startswith(("host_vars/", "tests/"))}


def test_the_linux_hosts_files_are_the_same_with_a_windows_host_beside_them(
    tmp_path: Path,
) -> None:
    lab_inventory, lab_policy = mixed_inputs(tmp_path / "lab", with_windows=False)
    mixed_inventory, mixed_policy = mixed_inputs(tmp_path / "mixed", with_windows=True)
    alone = plan_of(LAB_SCANS, lab_policy, lab_inventory)
    mixed = plan_of((*LAB_SCANS, WINDOWS_SCAN), mixed_policy, mixed_inventory)

    linux = {job.name for job in build_jobs(alone)}
    assert linux and {job.name for job in build_jobs(mixed)} == linux  # no job for win1.lab
    before, after = per_host_files(project(alone)), per_host_files(project(mixed))
    assert {f"host_vars/{name}.yml" for name in linux} <= set(before)
    assert {path: after[path] for path in before if path in after} == before
    windows_only = set(after) - set(before)
    assert windows_only == {
        "host_vars/win1.lab.yml",
        "tests/test_win1_lab.py",
        "tests/remediator_windows_checks.py",
    }


def test_the_windows_host_keeps_winrm_and_rpcss(tmp_path: Path) -> None:
    inventory, policy = mixed_inputs(tmp_path, with_windows=True)
    mixed = plan_of((*LAB_SCANS, WINDOWS_SCAN), policy, inventory)
    ours = [d for d in mixed.decisions if d.host == "win1.lab"]
    assert {d.port for d in ours} == {135, 139, 445, 3389, 5985, 5986}
    for item in ours:
        # Windows actions now (issue 16), never a Linux unit, socket or package.
        for action in item.actions:
            fields = action.to_json()
            assert not any(fields.get(k) for k in ("units", "sockets", "inetd", "packages"))
            assert not {"RpcSs", "RpcEptMapper", "WinRM"} & set(fields.get("windows_services", ()))
        if item.port in {135, 5985}:
            assert [a.type for a in item.actions] == ["firewall_block"], item.port
        if item.port == 5986:
            assert [a.type for a in item.actions] == ["keep"]
