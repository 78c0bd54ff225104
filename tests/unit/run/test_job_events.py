"""Reading a job's events from elsewhere: every malformed source refused in one line.

The events come from another system (an AWX export, a runner's artifacts): hostile
input as much as a scan is. Whatever the files hold, reading them ends in events or an
InputError, never in a traceback; and no name in them reaches a path.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remediator.errors import InputError
from remediator.run.ansible.events import play_stats, task_results
from remediator.run.imported.build import host_end, job_seconds, own_events, snapshot_ids
from remediator.run.imported.jobevents import AWX_EVENTS, read_job
from remediator.run.imported.mark import ProjectMark, mismatch, project_mark

SHA = "a" * 64


def mark_event(counter: int = 3, **message: object) -> dict[str, Any]:
    msg = {"remediator_manifest_sha256": SHA, "remediator_edited": [], "check_mode": True}
    return {
        "event": "runner_on_ok",
        "counter": counter,
        "uuid": f"u{counter}",
        "event_data": {
            "host": "web.lab",
            "task": "Name the project",
            "res": {"msg": msg | message},
        },
    }


def stats_event(counter: int, **counts: dict[str, int]) -> dict[str, Any]:
    return {"event": "playbook_on_stats", "counter": counter, "uuid": "s", "event_data": counts}


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_an_awx_page_a_list_of_pages_and_a_bare_list_read_alike(tmp_path: Path) -> None:
    events = [mark_event(3), stats_event(9, ok={"web.lab": 4}), mark_event(1)]
    forms = [
        {"count": 3, "next": None, "results": events},
        [{"results": events[:2]}, {"results": events[1:]}],  # pages that overlap
        events,
    ]
    for form in forms:
        job = read_job(write(tmp_path, form))
        assert [e["counter"] for e in job.events] == [1, 3, 9]
        assert job.kind == AWX_EVENTS and job.status == "successful" and job.rc is None


def test_status_of_an_export_is_read_from_its_recap(tmp_path: Path) -> None:
    failed = [mark_event(), stats_event(5, ok={"web.lab": 1}, failures={"web.lab": 1})]
    assert read_job(write(tmp_path, failed)).status == "failed"
    assert read_job(write(tmp_path, [mark_event()])).status == "canceled"  # no recap


def test_artifacts_are_found_in_a_private_data_dir(tmp_path: Path) -> None:
    folder = tmp_path / "pdd" / "artifacts" / "7f3c"
    (folder / "job_events").mkdir(parents=True)
    (folder / "job_events" / "1-u1.json").write_text(json.dumps(mark_event(1)), "utf-8")
    (folder / "status").write_text("successful", "utf-8")
    (folder / "rc").write_text("0", "utf-8")
    job = read_job(tmp_path / "pdd")
    assert job.source == folder and job.status == "successful" and job.rc == 0
    (tmp_path / "pdd" / "artifacts" / "other" / "job_events").mkdir(parents=True)
    with pytest.raises(InputError, match=r"several runs under artifacts/ \(7f3c, other\)"):
        read_job(tmp_path / "pdd")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"results": "no"}, "'results' is not a list"),
        ({"detail": "Authentication credentials were not provided."}, "not an AWX job events"),
        ([1, 2], "not an AWX job events"),
        ([{"event": "runner_on_ok", "counter": "1"}], "an integer 'counter'"),
        ([{"event": "runner_on_ok", "counter": True}], "an integer 'counter'"),
        ([{"event": "x", "counter": 1, "event_data": []}], "'event_data' is not an object"),
        ([{"event": "x", "counter": 1, "event_data": {"host": ["a"]}}], "'host' is not text"),
        ([stats_event(1, ok={"web.lab": "many"})], "recap's counts"),  # type: ignore[dict-item]
        ([mark_event(1), {**mark_event(1), "uuid": "other"}], "share counter 1"),
        ([], "no job events"),
    ],
)
def test_malformed_exports_are_refused_naming_the_fault(
    tmp_path: Path, document: object, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        read_job(write(tmp_path, document))


def test_unreadable_sources_are_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_bytes(b"\xff{not json")
    for source, message in [
        (tmp_path / "bad.json", "not JSON"),
        (tmp_path / "missing", "no such artifacts directory"),
        (tmp_path, "not ansible-runner artifacts"),
    ]:
        with pytest.raises(InputError, match=message):
            read_job(source)


def test_the_mark_names_the_project_and_how_it_ran() -> None:
    mark = project_mark([mark_event(remediator_edited=["b.yml", "a.yml"])], "job")
    assert mark == ProjectMark(SHA, ("a.yml", "b.yml"), True)
    assert "edited files: a.yml, b.yml" in mismatch(mark, SHA)
    assert "another project" in mismatch(ProjectMark(SHA, (), False), "b" * 64)
    assert mismatch(ProjectMark(SHA, (), False), SHA) == ""
    with pytest.raises(InputError, match="did not say which project"):
        project_mark([stats_event(1)], "job")
    with pytest.raises(InputError, match="2 different projects"):
        project_mark([mark_event(1), mark_event(2, check_mode=False)], "job")
    for bad in ({"remediator_manifest_sha256": "../x"}, {"check_mode": "yes"}):
        with pytest.raises(InputError):
            project_mark([mark_event(1, **bad)], "job")


def test_events_of_hosts_the_inventory_does_not_know_are_left_out() -> None:
    stranger = mark_event(2)
    stranger["event_data"]["host"] = "../../etc/cron.d/x"
    own = own_events([mark_event(1), stranger, stats_event(3)], ["web.lab", "db.lab"])
    assert [e["counter"] for e in own.events] == [1, 3]
    assert own.hosts == ("web.lab",) and own.strangers == ("../../etc/cron.d/x",)


def test_snapshot_ids_that_are_no_safe_name_are_dropped() -> None:
    def named(host: str, value: object) -> dict[str, Any]:
        res = {"ansible_facts": {"remediator_snapshot_id": value}}
        return {"event": "runner_on_ok", "counter": 1, "event_data": {"host": host, "res": res}}

    events = [named("web.lab", "awx-job-42"), named("db.lab", "../../x"), named("a", 7)]
    own = own_events(events, ["web.lab", "db.lab", "a"])
    assert snapshot_ids(own) == {"web.lab": "awx-job-42"}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
EVENT_NAMES = st.sampled_from(
    ["runner_on_ok", "runner_on_failed", "runner_item_on_ok", "playbook_on_stats", "x"]
)
EVENTS = st.lists(
    st.fixed_dictionaries(
        {"event": EVENT_NAMES, "counter": st.integers(0, 50)},
        optional={
            "event_data": st.dictionaries(
                st.sampled_from(["host", "task", "role", "res", "ok", "failures", "dark"]),
                JSON | st.sampled_from(["web.lab", "Take the snapshot"]),
                max_size=5,
            ),
            "created": st.text(max_size=30) | st.just("2026-12-08T00:00:00Z"),
            "uuid": st.text(max_size=4),
        },
    ),
    max_size=12,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=EVENTS | JSON)
def test_hostile_exports_end_in_events_or_one_input_error(tmp_path: Path, document: object) -> None:
    try:
        job = read_job(write(tmp_path, document))
    except InputError:
        return
    with contextlib.suppress(InputError):
        project_mark(job.events, "job")
    own = own_events(job.events, ["web.lab"])
    results = task_results(own.events)
    stats = play_stats(own.events)
    for host in own.hosts:
        host_end(host, results, stats.get(host), 300)
    snapshot_ids(own)
    job_seconds(own.events)
