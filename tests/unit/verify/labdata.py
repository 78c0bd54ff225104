"""The shipped lab scans as "before", and rescans derived from them as "after".

A derived rescan is the real scan with lines taken out, the way a rescan after a fix
would read: a port gone, or every port of a stopped host gone (nmap ``-Pn`` still lists
the host as up, with nothing open).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from remediator.classify.catalog_load import load_catalog
from remediator.classify.plan import build_plan
from remediator.classify.policy.read import load_policy
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from remediator.verify.rescan import Rescan, rescan_from

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
SCANS = (EXAMPLES / "scans" / "lab-v4.xml", EXAMPLES / "scans" / "lab-v6.xml")
AS_OF = date(2026, 11, 25)
CONTROLLER = ("10.213.0.1", "fd00:213::1")
LAB_ADDRESSES = tuple(f"10.213.0.{n}" for n in range(10, 15)) + tuple(
    f"fd00:213::{n}" for n in range(10, 15)
)


def lab_plan() -> dict[str, Any]:
    """The plan of the shipped lab scans under the shipped lab policy, as JSON."""
    inventory = load_inventory(EXAMPLES / "lab-inventory.yml")
    findings = load_findings(list(SCANS), inventory=inventory)
    policy = load_policy(EXAMPLES / "lab-policy.yml", inventory)
    return build_plan(findings, policy, inventory, AS_OF).to_json()


def host_block(text: str, address: str) -> tuple[int, int]:
    """Start and end offsets of the ``<host>`` element of ``address`` in nmap XML."""
    for match in re.finditer(r"<host [^>]*>.*?</host>", text, flags=re.S):
        if f'<address addr="{address}"' in match.group(0):
            return match.start(), match.end()
    raise AssertionError(f"{address} not in scan")


def without_ports(text: str, address: str, ports: set[tuple[str, int]] | None) -> str:
    """The scan with ``ports`` of ``address`` gone (None: every port, a stopped host)."""
    start, end = host_block(text, address)

    def drop(match: re.Match[str]) -> str:
        if ports is None or (match.group(1), int(match.group(2))) in ports:
            return ""
        return match.group(0)

    pattern = r'<port protocol="(\w+)" portid="(\d+)">.*?</port>\n?'
    block = re.sub(pattern, drop, text[start:end], flags=re.S)
    return text[:start] + block + text[end:]


def silent_udp(text: str, address: str) -> str:
    """The scan as nmap writes a host that drops everything: UDP ``open|filtered``, no TCP."""
    start, end = host_block(text, address)
    tcp = r'<port protocol="tcp" portid="\d+">.*?</port>\n?'
    block = re.sub(tcp, "", text[start:end], flags=re.S)
    block = block.replace(
        '<state state="open" reason="udp-response"',
        '<state state="open|filtered" reason="no-response"',
    )
    return text[:start] + block + text[end:]


def derived_rescan(
    directory: Path,
    changes: dict[str, set[tuple[str, int]] | None],
    silent: tuple[str, ...] = (),
) -> Rescan:
    """A rescan of every lab address made from the shipped scans with ``changes`` applied."""
    paths = []
    for scan in SCANS:
        text = scan.read_text(encoding="utf-8")
        for address, ports in changes.items():
            if f'<address addr="{address}"' in text:
                text = without_ports(text, address, ports)
        for address in silent:
            if f'<address addr="{address}"' in text:
                text = silent_udp(text, address)
        path = directory / scan.name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    inventory = load_inventory(EXAMPLES / "lab-inventory.yml")
    return rescan_from(
        load_findings(paths, inventory=inventory),
        load_catalog(),
        addresses=LAB_ADDRESSES,
        sources=CONTROLLER,
    )
