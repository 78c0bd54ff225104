"""Scan text never names a Windows service: only the catalog and the inventory do.

A hostile product, version, banner, hostname or OS guess in the nmap scan of a Windows
host (tests/fixtures/nmap/nmap_windows_server.xml) may not change which Windows services
the plan stops, nor put any of its own text into an action. Text the catalog recognises
as a product is the catalog deciding; everything else must leave the plan's Windows
services exactly as they are for the unedited scan.
"""

from __future__ import annotations

import re
import tempfile
from functools import cache
from pathlib import Path
from xml.sax.saxutils import quoteattr

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from remediator.classify.catalog_load import load_catalog
from remediator.classify.plan import Plan, build_plan
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.unit.classify.helpers import AS_OF, write_policy

SCAN = Path(__file__).resolve().parents[2] / "fixtures" / "nmap" / "nmap_windows_server.xml"
ADDRESS = "10.40.0.5"
BODY = "groups:\n  windows: {allow: []}\n"
SERVICE = re.compile(r"<service [^>]*>")
ATTRIBUTE = re.compile(r'\b(product|version|extrainfo)="[^"]*"')


def xml_text() -> st.SearchStrategy[str]:
    """Any text XML 1.0 can carry (no surrogates, no control characters but tab/newline)."""
    return st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
        ),
        max_size=60,
    )


def unrecognised(text: str) -> bool:
    """Text no catalog pattern recognises (so the catalog, not the scan, would decide)."""
    catalog = load_catalog()
    return (
        catalog.by_product(text) is None
        and catalog.daemon_for(text) is None
        and not any(p.search(text) for s in catalog.services.values() for p in s.port_products)
    )


def hostile_scan(banner: str, hostname: str, os_name: str) -> str:
    text = SCAN.read_text(encoding="utf-8")
    text = SERVICE.sub(
        lambda e: ATTRIBUTE.sub(lambda m: f"{m.group(1)}={quoteattr(banner)}", e.group(0)), text
    )
    text = text.replace(
        "<hostnames>\n</hostnames>",
        f'<hostnames>\n<hostname name={quoteattr(hostname)} type="PTR"/>\n</hostnames>',
    )
    return text.replace('name="Microsoft Windows Server 2019"', f"name={quoteattr(os_name)}")


def plan_of(scan_text: str) -> Plan:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        host = {"ansible_host": ADDRESS, "ansible_connection": "winrm"}
        document = {"all": {"children": {"windows": {"hosts": {"win1": host}}}}}
        (directory / "inventory.yml").write_text(yaml.safe_dump(document), encoding="utf-8")
        inventory = load_inventory(directory / "inventory.yml")
        policy = write_policy(directory, BODY, inventory)
        scan = directory / "scan.xml"
        scan.write_text(scan_text, encoding="utf-8")
        return build_plan(load_findings([scan], inventory=inventory), policy, inventory, AS_OF)


def named(plan: Plan) -> dict[tuple[int, str], tuple[tuple[str, tuple[str, ...]], ...]]:
    """Per port: every action's type and the Windows services it names."""
    return {
        (d.port, d.check_id): tuple(
            (a.type, tuple(a.to_json().get("windows_services", ()))) for a in d.actions
        )
        for d in plan.decisions
    }


@cache
def baseline() -> dict[tuple[int, str], tuple[tuple[str, tuple[str, ...]], ...]]:
    return named(plan_of(SCAN.read_text(encoding="utf-8")))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banner=xml_text(), hostname=xml_text(), os_name=xml_text())
@example(
    banner="RpcSs WinRM LanmanServer MSSQLSERVER $(Stop-Service WinRM)",
    hostname="ftp.telnet.sqlbrowser",
    os_name="Linux 5.10 (not Windows at all)",
)
def test_a_hostile_banner_hostname_or_os_never_names_a_windows_service(
    banner: str, hostname: str, os_name: str
) -> None:
    plan = plan_of(hostile_scan(banner, hostname, os_name))
    catalog_names = {n for s in load_catalog().services.values() for n in s.windows}
    for item in plan.decisions:
        for action in item.actions:
            fields = action.to_json()
            assert set(fields.get("windows_services", ())) <= catalog_names
            for value in fields.values():
                if isinstance(value, str) and len(banner.strip()) > 3:
                    assert banner.strip() not in value or value in catalog_names
    if unrecognised(banner):
        assert named(plan) == baseline()
