"""The plan document: its shape, per-host policy, and byte-identical output."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from remediator.classify.plan import SCHEMA, build_plan
from remediator.classify.policy.read import load_policy
from remediator.classify.render import render_table, severity_order, warning_lines
from remediator.common.text import shown
from remediator.ingest.findingset import FindingSet
from remediator.ingest.inventory import load_inventory
from tests.unit.classify.helpers import AS_OF, plan_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "lab-policy.yml"
META = "nessus/rubynessus_example_v3.nessus"
METAHOST = {"meta": ("10.0.0.1", ["legacy"], None)}
BODY = """\
groups:
  legacy:
    allow:
      - {service: smtp, sources: [any], justification: mail, owner: ops}
      - {service: http, sources: [internal], justification: intranet, owner: ops}
exceptions:
  - finding: "meta/udp/69/*"
    justification: PXE
    approved_by: ciso
    expires: 2026-12-31
"""
REQUIRED = {
    "host",
    "address",
    "protocol",
    "port",
    "service",
    "check_id",
    "kind",
    "verdict",
    "actions",
    "reason",
    "pci",
}


def test_plan_document_shape(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, BODY)
    document = json.loads(plan.dumps())
    assert document["schema"] == SCHEMA == "remediator/plan/v1"
    assert document["as_of"] == "2026-11-25"
    assert document["inventory"].endswith("inventory.yml")
    for item in document["decisions"]:
        assert item.keys() >= REQUIRED
        assert item["verdict"] in {"fail", "pass", "excepted"}
        assert item["reason"] and item["pci"]
    host = document["hosts"]["meta"]
    assert host["management"] == {
        "service": "ssh",
        "protocol": "tcp",
        "port": 22,
        "sources": {"any": False, "names": ["admins"], "cidrs": ["192.0.2.0/24"]},
    }
    assert [a["service"] for a in host["allowed"]] == ["smtp", "http"]
    assert host["allowed"][1]["sources"]["names"] == ["internal"]
    assert host["tls"]["protocols"] == ["TLSv1.2", "TLSv1.3"]
    assert host["os"] == "linux" and host["scanned"] is True
    keys = [
        (d["host"] or "", d["address"], d["protocol"], d["port"], d["check_id"])
        for d in document["decisions"]
    ]
    assert keys == sorted(keys)
    assert document["scan_age"]["stale"] is True  # a 2014 scan judged in 2026
    assert document["summary"]["decisions"] == len(document["decisions"])


def test_same_inputs_and_date_give_the_same_bytes(tmp_path: Path) -> None:
    first = plan_for(tmp_path, META, METAHOST, BODY)
    second = plan_for(tmp_path, META, METAHOST, BODY)
    assert first.dumps() == second.dumps()
    later = plan_for(tmp_path, META, METAHOST, BODY, as_of=date(2027, 1, 1))
    assert later.dumps() != first.dumps()  # the PXE exception has expired by then
    tftp = [d for d in json.loads(later.dumps())["decisions"] if d["port"] == 69]
    assert tftp and all(d["exception"]["status"] == "expired" for d in tftp)


def test_lab_policy_host_plans() -> None:
    inventory = load_inventory(FIXTURES / "lab-inventory.yml")
    policy = load_policy(EXAMPLE, inventory)
    plan = build_plan(FindingSet(findings=(), hosts=()), policy, inventory, AS_OF)
    hosts = json.loads(plan.dumps())["hosts"]
    assert sorted(hosts) == ["cache.lab", "clean.lab", "legacy.lab", "mail.lab", "web.lab"]
    clean = hosts["clean.lab"]
    assert sorted(a["service"] for a in clean["allowed"]) == ["https", "ssh"]
    assert clean["firewall_backend"] == "nftables" and clean["scanned"] is False
    assert hosts["web.lab"]["firewall_backend"] == "iptables"
    assert hosts["mail.lab"]["firewall_backend"] == "firewalld"
    assert hosts["cache.lab"]["firewall_backend"] == "ufw"
    redis = next(a for a in hosts["cache.lab"]["allowed"] if a["service"] == "redis")
    assert redis["sources"]["cidrs"] == ["10.213.0.11/32", "fd00:213::11/128"]
    management = hosts["legacy.lab"]["management"]
    assert management["sources"]["cidrs"] == ["10.213.0.1/32", "fd00:213::1/128"]
    assert management["port"] == 22  # no ansible_port in the lab: the catalog's ssh port
    assert plan.decisions == ()


def test_table_is_worst_first_and_printable(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, BODY)
    ordered = severity_order(plan.decisions)
    assert ordered[0].asv == "auto_fail"
    ranks = [{"auto_fail": 3, "fail": 2, "special_note": 1, "pass": 0}[d.asv] for d in ordered]
    assert ranks == sorted(ranks, reverse=True)
    table = render_table(plan, rows_shown=5)
    assert table.splitlines()[0].startswith("SEV")
    assert "more (see the JSON plan)" in table
    assert "WARNING" not in table  # warnings go to standard error (issue 15)
    assert "WARNING: scan is" in warning_lines(plan)[-1]
    # the one helper (issue 13): U+202E as \u202e, not the ambiguous \x202e of before
    assert shown("a\x1b[31mred\u202e") == "a\\x1b[31mred\\u202e"
