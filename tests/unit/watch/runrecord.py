"""A verified run record made from real data, and new scans derived from the same scans.

The run is the shipped lab scans planned under the shipped lab policy (as
``tests/unit/verify/labdata.py`` plans them), verified against an "accepted" rescan: the
same nmap XML with legacy's telnet (23/tcp, v4 and v6) gone, as after its fix. So in
``verify.json`` telnet is ``resolved``, web's and mail's services are ``kept``, clean's
certificate is ``excepted`` (until 2027-06-30), and the fixes the rescan still sees are
``open``. New scans are that accepted XML with a port added, or the original scans.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Final
from xml.sax.saxutils import quoteattr

from remediator.classify.catalog_load import load_catalog
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import Inventory, load_inventory
from remediator.run.records.record import RunRecord
from remediator.verify.compare import compare
from remediator.verify.originals import originals_from_plan
from remediator.verify.rescan import rescan_from
from remediator.verify.store import write_verification
from tests.unit.verify.labdata import (
    AS_OF,
    CONTROLLER,
    EXAMPLES,
    LAB_ADDRESSES,
    SCANS,
    host_block,
    lab_plan,
    without_ports,
)

RUN_ID: Final = "20261125T101500Z-apply-abc123"
INVENTORY: Final = EXAMPLES / "lab-inventory.yml"
LEGACY: Final = ("10.213.0.10", "fd00:213::10")
TELNET: Final = ("tcp", 23)
FIXTURES: Final = Path(__file__).resolve().parent / "fixtures"
HOSTILE_SCAN: Final = FIXTURES / "hostile_watch.xml"

Gone = Mapping[str, frozenset[tuple[str, int]]]
"""Per address, the ports closed since the original scan."""
TELNET_GONE: Final[Gone] = {address: frozenset({TELNET}) for address in LEGACY}


def accepted_scans(folder: Path, gone: Gone = TELNET_GONE) -> tuple[Path, ...]:
    """The lab scans as the accepted rescan saw them: the ``gone`` ports closed (by default
    legacy's telnet, v4 and v6)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for scan in SCANS:
        text = scan.read_text(encoding="utf-8")
        for address, ports in gone.items():
            if f'<address addr="{address}"' in text:
                text = without_ports(text, address, set(ports))
        target = folder / scan.name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return tuple(written)


def verified_run(runs: Path, run_id: str = RUN_ID, gone: Gone = TELNET_GONE) -> Path:
    """``runs/<run_id>/`` with run.json, plan.json and verify.json (judged on AS_OF) of a
    rescan from the lab controller with the ``gone`` ports closed."""
    run = runs / run_id
    run.mkdir(parents=True)
    plan = lab_plan()
    (run / "plan.json").write_text(json.dumps(plan, indent=2), encoding="utf-8")
    info = {
        "schema": "remediator/run/v1",
        "id": run_id,
        "kind": "apply",
        "created": "2026-11-25T10:15:00+00:00",
        "project": str(runs.parent / "project"),
        "inventory": str(INVENTORY),
        "network_namespace": None,
    }
    (run / "run.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    RunRecord(run, run_id).info()  # as every reader checks it
    scans = accepted_scans(runs.parent / "accepted", gone)
    found = load_findings(list(scans), inventory=_inventory())
    rescan = rescan_from(found, load_catalog(), addresses=LAB_ADDRESSES, sources=CONTROLLER)
    originals = originals_from_plan(plan, "plan.json", AS_OF)
    write_verification(run, replace(compare(originals, rescan), judged_on=AS_OF.isoformat()))
    return run


def with_port(scans: tuple[Path, ...], folder: Path, address: str, port: int) -> tuple[Path, ...]:
    """``scans`` copied to ``folder`` with ``port``/tcp open on ``address`` (a listener
    someone started by hand: nmap saw it answer, and guessed no service)."""
    folder.mkdir(parents=True, exist_ok=True)
    element = (
        f'<port protocol="tcp" portid="{port}"><state state="open" reason="syn-ack" '
        f'reason_ttl="64"/><service name={quoteattr("unknown")} method="table" conf="3"/>'
        "</port>\n"
    )
    written = []
    for scan in scans:
        text = scan.read_text(encoding="utf-8")
        if f'<address addr="{address}"' in text:
            start, end = host_block(text, address)
            block = re.sub(r"</ports>", element + "</ports>", text[start:end], count=1)
            text = text[:start] + block + text[end:]
        target = folder / scan.name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return tuple(written)


def _inventory() -> Inventory:
    return load_inventory(INVENTORY)
