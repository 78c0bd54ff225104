"""Patch actions in the project: items for the patch role, the role in the restoring block,
and a suite test reading the installed package's changelog on the host."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remediator.classify.model import Patch
from remediator.classify.plan import Plan, build_plan
from remediator.classify.plan_document import from_plan, parse_plan
from remediator.errors import InputError
from remediator.generate.hostvars import host_vars
from remediator.generate.jobs import build_jobs
from remediator.generate.patch import add_patch
from remediator.generate.testinfra import suite_tests
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.corpus import corpus_path
from tests.unit.classify.helpers import AS_OF, write_policy
from tests.unit.classify.rules.scans import GOLISMERO, allow
from tests.unit.generate.helpers import project

KEY = "10.211.55.35/tcp/80/openvas:1.3.6.1.4.1.25623.1.0.110181"


def _plan(tmp_path: Path) -> Plan:
    path = tmp_path / "inventory.yml"
    path.write_text(
        "all:\n  children:\n    legacy:\n      hosts:\n        msf:\n"
        "          ansible_host: 10.211.55.35\n",
        encoding="utf-8",
    )
    inventory = load_inventory(path)
    policy = write_policy(tmp_path, allow("legacy", "service=http sources=[any]"), inventory)
    findings = load_findings([corpus_path(GOLISMERO)], inventory=inventory)
    return build_plan(findings, policy, inventory, AS_OF)


def test_each_patched_finding_is_an_item_with_a_changelog_test_of_its_own(
    tmp_path: Path,
) -> None:
    (job,) = build_jobs(from_plan(_plan(tmp_path)))
    items = host_vars(job)["patch_items"]
    assert isinstance(items, list)
    (item,) = [i for i in items if isinstance(i, dict) and i["key"] == KEY]
    assert item["port"] == 80 and item["protocol"] == "tcp" and "package" not in item
    cves = item["cves"]
    assert isinstance(cves, list) and "CVE-2006-7243" in cves
    tests = [t for t in suite_tests(job) if t.kind == "changelog_names" and t.port == 80]
    # One test per finding, numbered on the port (never named from scan text).
    assert [t.name for t in tests][:2] == [
        "test_fix_patch_tcp_80_changelog_names_its_cves",
        "test_fix_patch_tcp_80_changelog_names_its_cves_2",
    ]
    assert all(len(t.keys) == 1 for t in tests)
    (test,) = [t for t in tests if t.keys == (KEY,)]
    assert "CVE-2006-7243" in test.args


def test_the_playbook_runs_the_patch_role_inside_the_restoring_block(tmp_path: Path) -> None:
    files = project(from_plan(_plan(tmp_path)))
    playbook = files["playbooks/remediate.yml"].decode()
    block = playbook[playbook.index("  tasks:") : playbook.index("      rescue:")]
    assert "name: patch" in block
    assert "roles/patch/library/remediator_backport.py" in files
    suite = files["tests/test_msf.py"].decode()
    assert "def test_fix_patch_tcp_80_changelog_names_its_cves(host):" in suite


@pytest.mark.parametrize("cve", ["CVE-2024-1\nx", "cve-2024-12345", "$(id)", "CVE-2024-123"])
def test_an_edited_plan_with_a_bad_cve_id_is_refused(tmp_path: Path, cve: str) -> None:
    document = json.loads(_plan(tmp_path).dumps())
    for decision in document["decisions"]:
        for action in decision["actions"]:
            if action["type"] == "patch":
                action["cves"] = [cve]
    with pytest.raises(InputError):
        parse_plan(json.dumps(document).encode(), "plan.json")
    decision = from_plan(_plan(tmp_path)).decisions[0]
    with pytest.raises(InputError, match="regenerate the plan"):
        add_patch(decision, Patch("tcp", 80, (cve,)), [])


def test_a_package_name_that_is_not_one_is_refused(tmp_path: Path) -> None:
    decision = from_plan(_plan(tmp_path)).decisions[0]
    with pytest.raises(InputError, match="not a package name"):
        add_patch(decision, Patch("tcp", 80, ("CVE-2024-12345",), "../etc"), [])
