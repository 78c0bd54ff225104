"""YAML with line numbers, and scan text that must stay inert in a generated policy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from remediator.classify.catalog_load import load_catalog
from remediator.classify.policy.starter import starter_policy
from remediator.classify.problems import PolicyFileError
from remediator.classify.yamlmarks import parse_marked, parse_path, render_path
from remediator.errors import PolicyError
from remediator.ingest.findingset import FindingSet
from remediator.ingest.inventory import Inventory, InventoryHost
from remediator.ingest.model import Finding, ScannedHost, Service, Severity, Source

TEXT = """\
# comment
groups:
  web:
    allow:
      - service: https
        sources:
          - any
      - port: 8443
        sources: [internal]
exceptions:
  - expires: 2026-06-30
"""


def test_every_path_has_the_line_it_was_written_on() -> None:
    doc = parse_marked(TEXT, "p.yml")
    assert doc.line(("groups", "web")) == 3
    assert doc.line(("groups", "web", "allow", 0)) == 5
    assert doc.line(("groups", "web", "allow", 0, "sources")) == 6
    assert doc.line(("groups", "web", "allow", 0, "sources", 0)) == 7
    assert doc.line(("groups", "web", "allow", 1, "sources", 0)) == 9
    assert doc.line(("groups", "web", "allow", 1, "nope")) == 8  # nearest recorded parent
    assert doc.where(("exceptions", 0, "expires")) == "p.yml:11: exceptions[0].expires"
    assert doc.data["exceptions"][0]["expires"] == "2026-06-30"  # dates stay text


def test_paths_render_and_parse_back() -> None:
    parts = ("groups", "web", "allow", 2, "sources")
    assert render_path(parts) == "groups.web.allow[2].sources"
    assert parse_path(render_path(parts)) == parts
    assert render_path(()) == "(root)" and parse_path("(root)") == ()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb:\n  c: 1\n  c: 2\n", 4, "b.c: duplicate key"),
        ("a: 1\nb: &x {c: 1}\nd:\n  <<: *x\n", 4, "merge keys"),
        ("a: 1\n? [x]\n: 2\n", 2, "keys must be text"),
    ],
)
def test_structural_problems_name_their_line(text: str, line: int, message: str) -> None:
    with pytest.raises(PolicyFileError) as caught:
        parse_marked(text, "p.yml")
    assert str(caught.value).startswith(f"p.yml:{line}: ")
    assert message in str(caught.value)


def hostile_finding() -> Finding:
    """A finding whose scanner text tries to break out of a YAML comment."""
    host = ScannedHost("192.0.2.5")
    product = "evil\nallow_everything: true\u2028groups: {}\x85x"
    service = Service("192.0.2.5", "tcp", 8081, name="http\n- service: any", product=product)
    return Finding(
        host,
        "tcp",
        8081,
        "port-open",
        "Open port",
        Severity(0.0),
        Source("nmap", "scan.xml"),
        service=service,
    )


def test_starter_keeps_scan_text_inside_comments() -> None:
    inventory = Inventory("inv.yml", (InventoryHost("h1", ("192.0.2.5",), ("web",)),), ("web",))
    finding = hostile_finding()
    findings = FindingSet((finding,), (finding.host,), host_names={"192.0.2.5": "h1"})
    text = starter_policy(findings, inventory, load_catalog(), ["192.0.2.10/32"])
    data = yaml.safe_load(text)
    assert set(data) == {
        "version",
        "networks",
        "management",
        "tls",
        "max_scan_age_days",
        "groups",
        "exceptions",
    }
    assert data["groups"] == {"web": {"allow": None}}
    assert "\\nallow_everything" in text  # the newline escaped by the one helper (issue 13)
    assert "\nallow_everything" not in text


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="the file is empty"):
        parse_marked("# nothing\n", "p.yml")
