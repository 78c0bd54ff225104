"""The real scans the rule tests read, the hosts they name, and a policy shorthand.

Findings are selected by key from files of the shared corpus; the inventory and policy
around them are the test's. For rules that always fail what they decide (an unapproved
exposure), the pass fixture is the same real finding once the policy approves it: the
rule then no longer fires and the verdict is pass.
"""

from __future__ import annotations

from pathlib import Path

from tests.corpus import corpus_path

DIONAEA = "nmap/libnmap_dionaea_scan.xml"
HONEYPOT = {"honeypot": ("172.28.1.3", ["web"], None)}
META = "nessus/rubynessus_example_v3.nessus"
METAHOST = {"meta": ("10.0.0.1", ["legacy"], None)}
K8S = "nmap/defectdojo_nmap_issue4406.xml"
K8SHOST = {"node": ("10.250.195.71", ["k8s"], None)}
SECCUBUS = "nmap/seccubus_nmap_script_output.xml"
ANON = {"anon": ("192.0.2.80", ["web"], None)}
"""The seccubus scan's host, published redacted as ``x.x.x.x``: only an address maps to an
inventory host (issue 13), so the tests read a copy with a documentation address in its place."""
GOLISMERO = "openvas/golismero_openvas_metasploitable_all.xml"
GOLHOST = {"msf": ("10.211.55.35", ["legacy"], None)}
WINDOWS = "nessus/defectdojo_nessus_v_unknown.xml"
WINHOST = {"win1": ("10.31.112.21", ["windows"], None)}
NOTHING = "groups:\n  all: {allow: []}\n"


def allow(group: str, *entries: str) -> str:
    """A groups section allowing ``entries`` (``service=https sources=any`` shorthand)."""
    lines = [f"groups:\n  {group}:\n    allow:"]
    for entry in entries:
        fields = dict(part.split("=", 1) for part in entry.split())
        lines.append(
            f"      - {{{', '.join(f'{k}: {v}' for k, v in fields.items())}, "
            f"justification: needed, owner: ops}}"
        )
    return "\n".join(lines) + "\n"


def seccubus(directory: Path) -> str:
    """The redacted seccubus scan with its host at 192.0.2.80 (otherwise as published)."""
    copy = directory / "seccubus-readdressed.xml"
    text = corpus_path(SECCUBUS).read_text(encoding="utf-8")
    copy.write_text(text.replace('addr="x.x.x.x"', 'addr="192.0.2.80"'), encoding="utf-8")
    return str(copy)
