"""A hardened sshd in the project: its items, its snapshot unit, its test, and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from remediator.classify.hardening.ssh import ssh_judgement
from remediator.classify.model import Harden
from remediator.classify.plan import build_plan
from remediator.classify.plan_document import parse_plan
from remediator.classify.policy.read import load_policy
from remediator.errors import InputError
from remediator.generate.harden import add_harden
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.unit.generate.helpers import AS_OF, LAB_INVENTORY, LAB_POLICY, plan_of, project

SSH_SCAN = Path(__file__).parents[1] / "fixtures" / "lab_ssh2_enum_algos.xml"
"""nmap's ssh2-enum-algos against the lab's five sshds (see the classify tests)."""


class _Loader(yaml.SafeLoader):
    """Reads the generated ``!unsafe`` strings as plain strings."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def _files() -> dict[str, bytes]:
    return project(plan_of((SSH_SCAN,), LAB_POLICY, LAB_INVENTORY))


def test_every_hardened_sshd_gets_the_profiles_lists_and_its_unit_in_the_snapshot() -> None:
    files = _files()
    profile = ssh_judgement().profile()
    data = yaml.load(files["host_vars/legacy.lab.yml"], Loader=_Loader)  # noqa: S506
    (item,) = data["harden_items"]
    assert item["daemon"] == "sshd"
    assert item["key"].endswith("/tcp/22/nmap:ssh2-enum-algos")
    assert item["kex_algorithms"] == list(profile.allowed["kex"])
    assert item["ciphers"] == list(profile.allowed["ciphers"])
    assert item["macs"] == list(profile.allowed["macs"])
    assert item["host_key_algorithms"] == list(profile.allowed["host_key_algorithms"])
    assert "ssh.service" in data["remediator_snapshot_units"]


def test_the_suite_asserts_the_effective_sshd_offers_only_the_profile() -> None:
    suite = _files()["tests/test_legacy_lab.py"].decode()
    assert "def test_fix_sshd_22_offers_only_ssh_2026(host):" in suite
    assert "'macs=hmac-sha2-256-etm@openssh.com," in suite


def test_the_playbook_runs_the_harden_role_inside_the_restoring_block() -> None:
    playbook = _files()["playbooks/remediate.yml"].decode()
    block = playbook[playbook.index("  tasks:") : playbook.index("      rescue:")]
    assert "name: harden" in block
    assert any(path.startswith("roles/harden/tasks/sshd.yml") for path in _files())


def _edited_plan(change: str) -> bytes:
    inventory = load_inventory(LAB_INVENTORY)
    policy = load_policy(LAB_POLICY, inventory)
    findings = load_findings([SSH_SCAN], inventory=inventory)
    document = build_plan(findings, policy, inventory, AS_OF).to_json()
    for decision in document["decisions"]:
        for action in decision["actions"]:
            if action["type"] == "harden":
                action["algorithms"]["ciphers"] = [change]
    return json.dumps(document).encode()


@pytest.mark.parametrize("name", ["aes128-ctr\nPermitRootLogin yes", "aes128-ctr,3des-cbc", " x"])
def test_an_edited_plan_cannot_write_sshd_config_words(name: str) -> None:
    """The schema refuses the name, and so would the generator on its own."""
    with pytest.raises(InputError, match=r"plan\.json"):
        parse_plan(_edited_plan(name), "plan.json")
    decision = next(
        d for d in plan_of((SSH_SCAN,), LAB_POLICY, LAB_INVENTORY).decisions if d.host == "web.lab"
    )
    harden = Harden(
        "tcp",
        22,
        "sshd",
        ("strong_algorithms",),
        "clients",
        profile="ssh-2026",
        algorithms=(
            ("kex", ("a",)),
            ("ciphers", (name,)),
            ("macs", ("b",)),
            ("host_key_algorithms", ("c",)),
        ),
    )
    with pytest.raises(InputError, match="not an SSH algorithm name"):
        add_harden(decision, harden, [], [])
