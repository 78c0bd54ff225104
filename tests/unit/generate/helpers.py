"""Shared helpers for the generate tests: real plans in, generated projects out.

Plans are made the way users make them — scan files through ingest and the classifier
with a policy and an inventory — and handed to the generator through their JSON form
(:func:`remediator.classify.plan_document.from_plan`), exactly as ``plan.json`` would be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import yaml

from remediator.classify.plan import build_plan
from remediator.classify.plan_document import PlanDoc, from_plan, parse_plan
from remediator.classify.policy.read import load_policy
from remediator.common.window import parse_window
from remediator.errors import ScanParseError
from remediator.generate.project import Options, build_project
from remediator.generate.roles import load_roles
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from remediator.ingest.model import parse_ip
from tests.corpus import REPO, corpus_files

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
HOSTILE = REPO / "tests" / "fixtures" / "hostile_scan"
LAB_INVENTORY = REPO / "examples" / "lab-inventory.yml"
LAB_POLICY = REPO / "examples" / "lab-policy.yml"
AS_OF = date(2026, 11, 30)
GENERATED_AT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
WINDOW = "Mon-Fri 22:00-02:00 Europe/Berlin"
VENV_BIN = Path(sys.executable).parent

HOSTILE_SCANS = (HOSTILE / "hostile_nmap.xml", HOSTILE / "hostile_findings.json")
LAB_SCANS = (REPO / "examples" / "scans" / "lab-v4.xml", REPO / "examples" / "scans" / "lab-v6.xml")
"""A real scan of the lab (IPv4 and IPv6), shipped as the project's example."""

HOSTILE_STRINGS = (
    "{{ lookup('pipe','touch /tmp/pwned') }}",
    "{% raw %}",
    "!!python/object/apply:os.system",
    "\n- hosts: all",
    "$(touch /tmp/remediator-canary-shell)",
    "`touch /tmp/remediator-canary-backtick`",
    "../../etc/passwd",
    "\x00",
    "\x07",
    "\x1b",
)
"""What the hostile fixtures carry; each must reach the project, and only as data."""


def plan_of(scans: Sequence[Path], policy: Path, inventory: Path, as_of: date = AS_OF) -> PlanDoc:
    """Scan files -> findings -> plan -> the generator's view of plan.json."""
    inv = load_inventory(inventory)
    pol = load_policy(policy, inv)
    return from_plan(build_plan(load_findings(list(scans), inventory=inv), pol, inv, as_of))


@cache
def roles() -> Mapping[str, bytes]:
    """The repository's roles, as the CLI copies them."""
    return load_roles()


def options(window: str | None = WINDOW, *, lab: bool = False) -> Options:
    """Fixed generation options (a fixed time: the output must not depend on the clock)."""
    parsed = parse_window(window, GENERATED_AT) if window else None
    return Options(generated_at=GENERATED_AT, window=parsed, lab=lab)


def project(plan: PlanDoc, opts: Options | None = None) -> dict[str, bytes]:
    """The generated files of ``plan``."""
    return build_project(plan, opts or options(), roles())


def write_tree(files: Mapping[str, bytes], root: Path) -> Path:
    """Write ``files`` under ``root`` (tests that need a directory on disk)."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def hostile_plan() -> PlanDoc:
    """The hostile scan planned with the lab policy against the lab inventory."""
    return plan_of(HOSTILE_SCANS, LAB_POLICY, LAB_INVENTORY)


def golden_plan_bytes() -> bytes:
    """The representative plan's JSON: the lab scan with the example lab policy.

    Every action type occurs (services disabled, ports blocked and restricted, TLS
    enforced on four daemons, kept services, certificates left to a person). Paths in the
    plan are made relative to the repository, as if ``remediator plan`` had been run from
    its root, so the plan's bytes — and its hash in the project — do not depend on this
    machine.
    """
    inv = load_inventory(LAB_INVENTORY)
    pol = load_policy(LAB_POLICY, inv)
    document = build_plan(load_findings(list(LAB_SCANS), inventory=inv), pol, inv, AS_OF).to_json()
    root = f"{REPO}/"
    document["inventory"] = document["inventory"].removeprefix(root)
    document["policy"] = document["policy"].removeprefix(root)
    document["scan_files"] = [f.removeprefix(root) for f in document["scan_files"]]
    for decision in document["decisions"]:
        decision["scan_files"] = [f.removeprefix(root) for f in decision["scan_files"]]
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def golden_plan() -> PlanDoc:
    """The representative plan (see :func:`golden_plan_bytes`)."""
    return parse_plan(golden_plan_bytes(), "plan.json")


def readable_corpus() -> Iterator[Path]:
    """Every corpus file remediator reads (the deliberately broken ones excluded)."""
    for path in corpus_files():
        try:
            load_findings([path])
        except ScanParseError:
            continue
        yield path


def corpus_inventory(scans: Sequence[Path], path: Path) -> Path:
    """An inventory of every up host the scans report, in group ``linux``.

    A host with an IP address gets the name ``h<NNN>`` and the address as ansible_host;
    one the scanner named without an IP (NetBIOS names, ``x.x.x.x``) keeps that name,
    which is how an inventory would list it.
    """
    hosts: dict[str, dict[str, str]] = {}
    seen: set[str] = set()
    for host in load_findings(list(scans)).hosts:
        if host.state != "up" or host.address in seen:
            continue
        seen.add(host.address)
        if parse_ip(host.address) is not None:
            hosts[f"h{len(seen):03d}"] = {"ansible_host": host.address}
        else:
            hosts[host.address] = {}
    path.write_text(yaml.safe_dump({"all": {"children": {"linux": {"hosts": hosts}}}}), "utf-8")
    return path


def run_tool(
    argv: Sequence[str], cwd: Path, timeout: float = 600, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run an ansible tool of the venv in ``cwd`` (the project, as AWX would)."""
    env = dict(
        os.environ, ANSIBLE_NOCOLOR="1", NO_COLOR="1", ANSIBLE_FORCE_COLOR="0", **(env or {})
    )
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("ANSIBLE_CONFIG", None)
    return subprocess.run(
        [str(VENV_BIN / argv[0]), *argv[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def windows_plan_bytes(directory: Path) -> bytes:
    """The mixed estate's plan JSON (lab scans, two WinRM Windows servers in nmap and
    Nessus format, a host only the scan calls Windows), with every path reduced to its file
    name so the bytes — and the project's plan hash — do not depend on this machine."""
    from tests.unit.classify.test_windows_plan import mixed_plan  # here: it imports us

    document = mixed_plan(directory).to_json()
    document["inventory"] = Path(document["inventory"]).name
    document["policy"] = Path(document["policy"]).name
    document["scan_files"] = [Path(f).name for f in document["scan_files"]]
    for decision in document["decisions"]:
        decision["scan_files"] = [Path(f).name for f in decision["scan_files"]]
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
