"""The trim that tests/lab/run/record_lab_check.py applies to a real run's events keeps
everything the run stage reads, and is the form of the lab-check fixture checked in."""

from __future__ import annotations

from remediator.run.ansible.events import play_stats, task_results

from .eventfiles import DROPPED_RESULT_FIELDS, events, trimmed


def test_the_checked_in_lab_fixture_is_in_trimmed_form() -> None:
    recorded = events("lab-check")
    assert trimmed(recorded, ("legacy.lab", "web.lab")) == recorded


def test_trimming_keeps_every_task_result_and_the_recap_of_the_kept_hosts() -> None:
    raw = events("fake-check")  # a whole stream, as ansible-runner wrote it
    kept = trimmed(raw, ("legacy.lab",))
    assert task_results(kept) == [r for r in task_results(raw) if r.host == "legacy.lab"]
    assert play_stats(kept) == play_stats(raw)
    assert len(kept) < len(raw)


def test_trimming_drops_the_bulk_fields_at_any_depth() -> None:
    raw = events("fake-check")
    bulky = [e for e in raw if set(e["event_data"].get("res", {})) & DROPPED_RESULT_FIELDS]
    assert bulky, "the fixture has no bulk to drop: this test would prove nothing"
    for event in trimmed(raw, ("legacy.lab", "web.lab")):
        result = event["event_data"].get("res", {})
        assert not set(result) & DROPPED_RESULT_FIELDS
        for item in result.get("results", []):
            assert not set(item) & DROPPED_RESULT_FIELDS
