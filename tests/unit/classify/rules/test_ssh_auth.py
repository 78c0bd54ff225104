"""SshPasswordAuthRule on a real scan: legacy's sshd takes passwords, clean's only keys.

The fixture is nmap 7.93 (ssh2-enum-algos, ssh-auth-methods) against port 22 of the lab's
legacy (10.213.0.10, PasswordAuthentication yes) and clean (10.213.0.14) hosts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.classify.catalog_load import load_catalog
from remediator.classify.model import Harden, Keep
from remediator.classify.plan import Plan, build_plan
from remediator.classify.plan_document import from_plan
from remediator.errors import PolicyError
from remediator.generate.hostvars import host_vars
from remediator.generate.jobs import build_jobs
from remediator.generate.testinfra import suite_tests
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from remediator.verify.rescan import rescan_from
from tests.unit.classify.helpers import AS_OF, decision, write_policy

SCAN = Path(__file__).parents[2] / "fixtures" / "lab_ssh_auth_methods.xml"
LEGACY = "10.213.0.10/tcp/22/nmap:ssh-auth-methods"
CLEAN = "10.213.0.14/tcp/22/nmap:ssh-auth-methods"
KEYS_ONLY = "groups:\n  lab:\n    allow: []\n    harden: {sshd: {keys_only: true}}\n"
NO_REQUIREMENT = "groups:\n  lab: {allow: []}\n"


def _plan(tmp_path: Path, body: str, legacy_vars: str = "") -> Plan:
    path = tmp_path / "inventory.yml"
    path.write_text(
        "all:\n  children:\n    lab:\n      hosts:\n"
        f"        legacy:\n          ansible_host: 10.213.0.10\n{legacy_vars}"
        "        clean:\n          ansible_host: 10.213.0.14\n",
        encoding="utf-8",
    )
    inventory = load_inventory(path)
    policy = write_policy(tmp_path, body, inventory)
    return build_plan(load_findings([SCAN], inventory=inventory), policy, inventory, AS_OF)


def test_password_logins_are_switched_off_where_the_policy_requires_keys(
    tmp_path: Path,
) -> None:
    item = decision(_plan(tmp_path, KEYS_ONLY), LEGACY)
    assert (item.rule, item.verdict, item.kind) == (
        "ssh-password-auth",
        "fail",
        "ssh-password-auth",
    )
    keep, harden = item.actions
    assert isinstance(keep, Keep) and isinstance(harden, Harden)
    assert (harden.daemon, harden.settings, harden.algorithms) == (
        "sshd",
        ("password_auth_off",),
        (),
    )
    assert "offers password" in item.reason and "harden.sshd.keys_only" in item.reason
    assert any("password" in i for i in item.client_impacts)


def test_a_key_only_sshd_passes(tmp_path: Path) -> None:
    item = decision(_plan(tmp_path, KEYS_ONLY), CLEAN)
    assert (item.verdict, [a.type for a in item.actions]) == ("pass", ["keep"])
    assert "offers no password login" in item.reason


def test_without_the_requirement_password_logins_are_a_fact(tmp_path: Path) -> None:
    item = decision(_plan(tmp_path, NO_REQUIREMENT), LEGACY)
    assert (item.verdict, [a.type for a in item.actions]) == ("pass", ["keep"])
    assert "keys_only" in item.reason


@pytest.mark.parametrize("var", ["ansible_password", "ansible_ssh_pass"])
def test_a_host_ansible_logs_in_to_with_a_password_is_refused(tmp_path: Path, var: str) -> None:
    with pytest.raises(PolicyError, match=rf"keys_only .* legacy, .*\({var}\)"):
        _plan(tmp_path, KEYS_ONLY, f"          {var}: secret\n")


def test_a_vaulted_password_is_refused_too(tmp_path: Path) -> None:
    """Not a scalar the inventory reader keeps, but still a password login."""
    vaulted = (
        "          ansible_password: !vault |\n"
        "            $ANSIBLE_VAULT;1.1;AES256\n"
        "            3131\n"
    )
    with pytest.raises(PolicyError, match=r"ansible_password"):
        _plan(tmp_path, KEYS_ONLY, vaulted)


def test_the_project_switches_passwords_off_and_its_suite_asserts_it(tmp_path: Path) -> None:
    jobs = {j.name: j for j in build_jobs(from_plan(_plan(tmp_path, KEYS_ONLY)))}
    items = host_vars(jobs["legacy"])["harden_items"]
    assert isinstance(items, list)  # the algorithms' item too: the fixture lists them
    (item,) = [i for i in items if isinstance(i, dict) and str(i["key"]) == LEGACY]
    assert item["password_authentication"] is False and "ciphers" not in item
    (test,) = [t for t in suite_tests(jobs["legacy"]) if t.kind == "sshd_says"]
    assert test.name == "test_fix_sshd_keys_only"
    assert test.args == ("passwordauthentication=no", "kbdinteractiveauthentication=no")


def test_a_rescan_listing_without_passwords_is_not_the_weakness() -> None:
    rescan = rescan_from(load_findings([SCAN]), load_catalog())
    kinds = {(k.address, k.check_id) for k in rescan.keys}
    assert ("10.213.0.10", "ssh-password-auth") in kinds
    assert ("10.213.0.14", "ssh-password-auth") not in kinds
