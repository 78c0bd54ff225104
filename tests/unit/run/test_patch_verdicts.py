"""The patch role's verdicts, from job events to summary.json: the dispute's evidence.

The events are shaped as ansible-runner writes them for the role's report task (a
``debug`` whose ``msg`` is the verdict), with the module's own result fields.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remediator.common.documents import schema
from remediator.run.ansible.events import task_results
from remediator.run.records.patches import REPORT_TASK, PatchVerdict, patch_verdicts

KEY = "10.213.0.13/tcp/11211/lab:memcached-backported"
LINE = "  * CVE-2023-46852: buffer overflow in proxy request handling"


def event(
    msg: Any, *, role: str = "patch", task: str = REPORT_TASK, host: str = "cache.lab"
) -> dict[str, Any]:
    return {
        "event": "runner_on_ok",
        "event_data": {"role": role, "task": task, "host": host, "res": {"msg": msg}},
    }


def verdict(state: str = "backported", **more: Any) -> dict[str, Any]:
    return {
        "finding": KEY,
        "state": state,
        "reason": "memcached 1.6.18-1+deb12u1 names every CVE",
        "package": "memcached",
        "installed_version": "1.6.18-1+deb12u1",
        "candidate_version": None,
        "cves": {
            "CVE-2023-46852": {
                "named_in": "installed",
                "entry": "1.6.18-1+deb12u1",
                "lines": [LINE],
            }
        },
        **more,
    }


def test_a_verdict_is_read_with_its_changelog_lines() -> None:
    (found,) = patch_verdicts([event(verdict())]).values()
    assert (found.host, found.key, found.state, found.package) == (
        "cache.lab",
        KEY,
        "backported",
        "memcached",
    )
    assert found.lines == (("CVE-2023-46852", (LINE,)),)


def test_the_last_run_that_judged_a_finding_has_the_word() -> None:
    """After an upgrade, the idempotence pass reads the new package's changelog."""
    first = event(verdict("upgrade_available", candidate_version="1.6.18-1+deb12u1+lab1"))
    later = event(verdict("backported", installed_version="1.6.18-1+deb12u1+lab1"))
    (found,) = patch_verdicts([first, later]).values()
    assert (found.state, found.installed_version) == ("backported", "1.6.18-1+deb12u1+lab1")


@pytest.mark.parametrize(
    "other",
    [
        event(verdict(), role="tls"),
        event(verdict(), task="Show the upgrade this run would make"),
        event("a plain message"),
        event({"state": "backported"}),
        {"event": "runner_on_failed", "event_data": event(verdict())["event_data"]},
    ],
)
def test_other_events_are_not_verdicts(other: dict[str, Any]) -> None:
    assert patch_verdicts([other]) == {}


def test_a_summary_holding_verdicts_matches_its_schema() -> None:
    found = patch_verdicts([event(verdict()), event(verdict("manual", finding="k2"))])
    documents = [v.to_json() for v in found.values()]
    patch_schema = schema("summary").validator.schema["$defs"]["patch_verdict"]
    for document in documents:
        assert PatchVerdict.from_json(document).to_json() == document
        assert set(document) == set(patch_schema["required"])


@given(
    state=st.text(max_size=30),
    cves=st.dictionaries(st.text(max_size=20), st.lists(st.text(max_size=400), max_size=8)),
)
def test_whatever_an_event_says_the_verdict_stays_inside_its_schema(
    state: str, cves: dict[str, list[str]]
) -> None:
    """An unknown state is recorded as unknown; only CVE ids key the lines, capped."""
    shaped = {c: {"lines": lines} for c, lines in cves.items()}
    (found,) = patch_verdicts([event(verdict(state, cves=shaped))]).values()
    assert found.state in {"backported", "upgrade_available", "upgraded", "unknown", "manual"}
    for cve, lines in found.lines:
        assert cve.startswith("CVE-") and len(lines) <= 5
        assert all(len(line) <= 300 for line in lines)


def test_a_module_result_naming_its_finding_is_attributed_to_it_alone() -> None:
    """Two CVE findings on one port: the upgrade of one must not mark the other changed."""
    upgrade = {
        "event": "runner_on_ok",
        "counter": 7,
        "event_data": {
            "role": "patch",
            "task": "Upgrade the package to the candidate, keeping the installed version's file",
            "host": "cache.lab",
            "res": {"changed": True, "state": "upgraded", "finding": KEY},
        },
    }
    (result,) = task_results([upgrade])
    assert result.item_keys == (KEY,)
