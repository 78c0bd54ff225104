"""The patch role's items: CVEs the host's package changelogs decide, one per finding.

The role finds the package behind the port itself, unless the plan names one (only ever
from the inventory or policy). CVE ids and a package name are checked again here: they
reach commands on the host, and a plan file is only as trusted as its reviewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from remediator.classify.model import Patch
from remediator.classify.plan_document import PlanDecision
from remediator.errors import InputError
from remediator.generate.safety import py_literal
from remediator.generate.yamlout import Value

CVE: Final = re.compile(r"CVE-\d{4}-\d{4,7}")
PACKAGE: Final = re.compile(r"[a-z0-9][a-z0-9+.-]{1,99}")


@dataclass(frozen=True)
class PatchItem:
    """One ``patch_items`` entry."""

    key: str
    reason: str
    protocol: str
    port: int
    cves: tuple[str, ...]
    package: str | None


def add_patch(decision: PlanDecision, action: Patch, out: list[PatchItem]) -> None:
    """The item for ``action``; an edited plan with a bad CVE id or package is refused."""
    bad = [c for c in action.cves if not CVE.fullmatch(c)]
    if bad or not action.cves:
        raise InputError(
            f"plan: decision {py_literal(decision.key)} patches "
            f"{py_literal(bad[0]) if bad else 'no CVE'}; regenerate the plan"
        )
    if action.package is not None and not PACKAGE.fullmatch(action.package):
        raise InputError(
            f"plan: decision {py_literal(decision.key)} names package "
            f"{py_literal(action.package)}, which is not a package name"
        )
    out.append(
        PatchItem(
            decision.key,
            decision.reason,
            action.protocol,
            action.port,
            action.cves,
            action.package,
        )
    )


def patch_var(item: PatchItem) -> dict[str, Value]:
    """The item as the role reads it (``roles/patch/meta/argument_specs.yml``)."""
    data: dict[str, Value] = {
        "key": item.key,
        "reason": item.reason,
        "cves": list[Value](item.cves),
        "protocol": item.protocol,
        "port": item.port,
    }
    if item.package is not None:
        data["package"] = item.package
    return data
