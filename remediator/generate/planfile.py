"""The plan as the generator reads it: moved to :mod:`remediator.classify.planload`.

The plan has one loader, beside its writer in classify. This module only re-exports it
for imports not yet switched over (remediator.run, remediator.verify and their tests).
"""

from __future__ import annotations

from remediator.classify.plan import SCHEMA
from remediator.classify.planload import (
    ACTION_TYPES,
    Management,
    PackageOption,
    PlanDecision,
    PlanDoc,
    PlanHost,
    TlsProfile,
    from_plan,
    load_plan,
    parse_plan,
)

__all__ = [
    "ACTION_TYPES",
    "SCHEMA",
    "Management",
    "PackageOption",
    "PlanDecision",
    "PlanDoc",
    "PlanHost",
    "TlsProfile",
    "from_plan",
    "load_plan",
    "parse_plan",
]
