"""Reading plan.json: the same view as the in-memory plan, and clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remediator.classify.model import DisableService, EnforceTls, FirewallBlock, Keep
from remediator.classify.plan import build_plan
from remediator.classify.plan_document import from_plan, load_plan
from remediator.classify.policy.read import load_policy
from remediator.errors import InputError
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.unit.generate.helpers import AS_OF, HOSTILE_SCANS, LAB_INVENTORY, LAB_POLICY


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    inv = load_inventory(LAB_INVENTORY)
    plan = build_plan(
        load_findings(list(HOSTILE_SCANS), inventory=inv), load_policy(LAB_POLICY, inv), inv, AS_OF
    )
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(plan.dumps(), encoding="utf-8")
    return path, plan


def test_file_and_object_give_the_same_view(plan_file: tuple[Path, object]) -> None:
    path, plan = plan_file
    from_file = load_plan(path)
    assert from_file == from_plan(plan)  # type: ignore[arg-type]
    assert len(from_file.sha256) == 64


def test_actions_come_back_typed(plan_file: tuple[Path, object]) -> None:
    doc = load_plan(plan_file[0])
    types = {type(a) for d in doc.decisions for a in d.actions}
    assert {DisableService, FirewallBlock, EnforceTls, Keep} <= types
    telnet = next(d for d in doc.decisions if d.port == 23 and d.check_id == "port-open")
    disable = next(a for a in telnet.actions if isinstance(a, DisableService))
    assert "telnet" in disable.inetd
    assert telnet.key == "10.213.0.10/tcp/23/port-open"


def test_hostile_text_survives_the_file(plan_file: tuple[Path, object]) -> None:
    doc = load_plan(plan_file[0])
    keys = {d.key for d in doc.decisions}
    assert "10.213.0.10/tcp/23/acme:{{ lookup('pipe','touch /tmp/pwned') }}" in keys
    assert "10.213.0.10/tcp/21/acme:ftp\n- hosts: all\x00!!python/object/apply:os.system" in keys


def _broken(tmp_path: Path, plan_file: tuple[Path, object], change: object) -> Path:
    document = json.loads(plan_file[0].read_text("utf-8"))
    change(document)  # type: ignore[operator]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d.update(schema="remediator/findings/v1"),
            "schema: expected 'remediator/plan/v1'",
        ),
        (lambda d: d.update(as_of="yesterday"), "as_of: 'yesterday' is not a date"),
        (
            lambda d: d["decisions"][0].update(port="21"),
            r"decisions\[0\].port: expected an integer",
        ),
        (lambda d: d["decisions"][0].update(port=70000), r"decisions\[0\].port: 70000 is outside"),
        (lambda d: d["decisions"][0]["actions"].append({"type": "reboot"}), "unknown action type"),
        (
            lambda d: d["hosts"]["web.lab"].pop("management"),
            r"hosts.web.lab.management: is missing",
        ),
        (
            lambda d: d["hosts"]["web.lab"]["management"]["sources"].update(cidrs=["10.0.0.1/8"]),
            "has host bits set",
        ),
        (lambda d: d.update(decisions={}), "decisions: expected a list"),
    ],
)
def test_bad_plans_are_input_errors_naming_the_field(
    tmp_path: Path, plan_file: tuple[Path, object], change: object, message: str
) -> None:
    path = _broken(tmp_path, plan_file, change)
    with pytest.raises(InputError, match=message) as caught:
        load_plan(path)
    assert str(path) in str(caught.value)


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_bytes(b"\xff\xfe not json")
    with pytest.raises(InputError, match="not a JSON plan"):
        load_plan(bad)
    with pytest.raises(InputError, match="cannot read the plan"):
        load_plan(tmp_path / "missing.json")
