"""The plan as a terminal table, worst first.

Titles, service names and addresses come from scans and may hold control, bidi or
zero-width characters meant for a terminal; every cell goes through the one helper,
:func:`remediator.common.text.shown`, before it is printed.
"""

from __future__ import annotations

from collections.abc import Sequence

from remediator.classify.model import Decision
from remediator.classify.plan import Plan
from remediator.common.text import shown
from remediator.ingest.summary import unmatched_text

ASV_RANK = {"auto_fail": 3, "fail": 2, "special_note": 1, "pass": 0}
VERDICT_RANK = {"fail": 2, "excepted": 1, "pass": 0}
COLUMNS = (
    "SEV",
    "ASV",
    "VERDICT",
    "HOST",
    "ADDRESS",
    "PORT",
    "SERVICE",
    "KIND",
    "ACTIONS",
    "FINDING",
)
WIDTHS = (13, 11, 8, 14, 20, 11, 14, 22, 34, 60)


def severity_order(decisions: Sequence[Decision]) -> list[Decision]:
    """Worst first: ASV outcome, then CVSS score, then verdict; ties by finding key."""
    return sorted(
        decisions,
        key=lambda d: (
            -ASV_RANK.get(d.asv, 0),
            -d.severity,
            -VERDICT_RANK.get(d.verdict, 0),
            d.host or "",
            d.key,
        ),
    )


def _cell(text: str, width: int) -> str:
    text = shown(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _row(decision: Decision) -> tuple[str, ...]:
    actions = "+".join(a.type for a in decision.actions) or "-"
    return (
        f"{decision.severity:.1f} {decision.severity_label}",
        decision.asv,
        decision.verdict,
        decision.host or "-",
        decision.address,
        f"{decision.port}/{decision.protocol}",
        decision.service or decision.scanner_service or "?",
        decision.kind,
        actions,
        decision.title,
    )


def render_table(plan: Plan, rows_shown: int | None = None) -> str:
    """The decisions as a fixed-width table sorted by severity, then a summary line.

    Warnings are not part of it (see :func:`warning_lines`): they go to standard error,
    where a pipeline's log shows them and a reader of the table cannot miss them either.
    """
    rows = [_row(d) for d in severity_order(plan.decisions)]
    shown = rows if rows_shown is None else rows[:rows_shown]
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, WIDTHS, strict=True)).rstrip()]
    for row in shown:
        lines.append(
            "  ".join(_cell(c, w).ljust(w) for c, w in zip(row, WIDTHS, strict=True)).rstrip()
        )
    if len(shown) < len(rows):
        lines.append(f"... {len(rows) - len(shown)} more (see the JSON plan)")
    lines.append(summary_line(plan))
    return "\n".join(lines) + "\n"


def unmatched_lines(plan: Plan) -> list[str]:
    """Each address no inventory host claims, with the scan's names for it as a hint only."""
    advice = "add it to the inventory to manage it"
    hints = plan.hints
    return [f"unmatched {unmatched_text(a, hints.get(a, ()))}: {advice}" for a in plan.unmatched]


def warning_lines(plan: Plan) -> list[str]:
    """What the user must know however the plan is printed: each unmatched address (with
    the scan's names for it), how many there are, and a scan older than the policy allows."""
    lines = unmatched_lines(plan)
    if plan.unmatched:
        lines.append(f"WARNING: {len(plan.unmatched)} scanned addresses match no inventory host")
    if plan.scan_age.stale:
        lines.append(
            f"WARNING: scan is {plan.scan_age.age_days} days old "
            f"(policy max {plan.scan_age.max_age_days})"
        )
    return lines


def summary_line(plan: Plan) -> str:
    """One line of totals and expired exceptions (warnings: :func:`warning_lines`)."""
    summary = plan.summary()
    verdicts = ", ".join(f"{v} {k}" for k, v in summary["verdicts"].items()) or "no findings"
    parts = [f"{summary['decisions']} decisions ({verdicts}) for {len(plan.hosts)} inventory hosts"]
    expired = {d.exception.path for d in plan.decisions if d.exception and not d.exception.active}
    if expired:
        parts.append(f"expired exceptions ignored: {shown(', '.join(sorted(expired)))}")
    return "; ".join(parts)
