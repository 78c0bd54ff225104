"""RedisNoAuthRule on a real scan: the lab's cache Redis reads out its INFO to anyone.

The fixture is nmap 7.93 (-sV, redis-info) against port 6379 of the lab's cache host
(10.213.0.13), whose Redis has no password.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.classify.model import Harden, Keep, Manual
from remediator.classify.plan import Plan, build_plan
from remediator.classify.plan_document import from_plan, parse_plan
from remediator.errors import InputError
from remediator.generate.hostvars import host_vars
from remediator.generate.jobs import build_jobs
from remediator.generate.testinfra import suite_tests
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.unit.classify.helpers import AS_OF, decision, write_policy

SCAN = Path(__file__).parents[2] / "fixtures" / "lab_redis_info.xml"
KEY = "10.213.0.13/tcp/6379/nmap:redis-info"
ALLOWED = (
    "  cache:\n    allow:\n      - {service: redis, sources: [any], justification: j, owner: o}\n"
)


def _plan(tmp_path: Path, harden: str = "") -> Plan:
    path = tmp_path / "inventory.yml"
    path.write_text(
        "all:\n  children:\n    cache:\n      hosts:\n        cache:\n"
        "          ansible_host: 10.213.0.13\n          redis_secret: s3cret-value\n",
        encoding="utf-8",
    )
    inventory = load_inventory(path)
    policy = write_policy(tmp_path, f"groups:\n{ALLOWED}{harden}", inventory)
    return build_plan(load_findings([SCAN], inventory=inventory), policy, inventory, AS_OF)


NAMED = "    harden: {redis: {password_var: redis_secret}}\n"


def test_an_allowed_redis_gets_the_password_the_policy_names(tmp_path: Path) -> None:
    item = decision(_plan(tmp_path, NAMED), KEY)
    assert (item.rule, item.verdict, item.kind) == ("redis-no-auth", "fail", "default-credentials")
    keep, harden = item.actions
    assert isinstance(keep, Keep) and isinstance(harden, Harden)
    assert (harden.daemon, harden.settings, harden.secret_var) == (
        "redis",
        ("protected_mode", "requirepass"),
        "redis_secret",
    )
    assert "'redis_secret'" in item.reason


def test_without_a_named_variable_it_is_a_persons_task(tmp_path: Path) -> None:
    item = decision(_plan(tmp_path), KEY)
    assert [type(a) for a in item.actions] == [Keep, Manual]
    assert "harden.redis.password_var" in item.actions[1].task  # type: ignore[union-attr]


def test_the_project_names_the_variable_and_never_holds_the_secret(tmp_path: Path) -> None:
    plan = _plan(tmp_path, NAMED)
    assert "s3cret-value" not in plan.dumps()
    (job,) = build_jobs(from_plan(plan))
    (item,) = host_vars(job)["harden_items"]  # type: ignore[misc]
    assert item["password_var"] == "redis_secret"  # type: ignore[index]  # noqa: S105
    assert "s3cret-value" not in repr(host_vars(job))
    (test,) = [t for t in suite_tests(job) if t.kind == "redis_auth"]
    assert (test.name, test.port) == ("test_fix_redis_6379_requires_a_password", 6379)


@pytest.mark.parametrize("name", ["{{ lookup('pipe','id') }}", "a b", "1abc", ""])
def test_a_variable_name_that_is_not_one_is_refused(tmp_path: Path, name: str) -> None:
    text = _plan(tmp_path, NAMED).dumps().replace('"redis_secret"', f'"{name}"')
    with pytest.raises(InputError):
        parse_plan(text.encode(), "plan.json")
