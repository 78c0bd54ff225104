"""Job events read into task results and per-finding previews (recorded real streams)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from remediator.run.ansible.events import HostStats, TaskOutcome, play_stats, task_results
from remediator.run.apply.tracker import Phase, phase_of
from remediator.run.preview.keys import finding_keys
from remediator.run.preview.verdicts import HostPreview, Status, changed_pairs, preview_host
from remediator.run.project import Project

from .eventfiles import events


def test_loop_items_are_counted_once_with_their_keys() -> None:
    results = task_results(events("fake-check"))
    stops = [
        r for r in results if r.host == "legacy.lab" and r.task == "Stop and disable the units"
    ]
    # 8 items; the loop's closing event (which repeats them under "results") is not counted
    assert len(stops) == 8
    telnet = next(r for r in stops if r.item_keys == ("10.213.0.10/tcp/23/port-open",))
    assert telnet.outcome is TaskOutcome.CHANGED
    assert telnet.label == "10.213.0.10/tcp/23/port-open"
    assert telnet.diffs and "+10.213.0.10/tcp/23/port-open" in telnet.diffs[0].text
    assert telnet.diffs[0].header in telnet.hints  # the file the change wrote


def test_play_recap_per_host() -> None:
    stats = play_stats(events("fake-apply-rescue"))
    assert stats["legacy.lab"] == HostStats(ok=22, changed=4, skipped=6)
    assert stats["web.lab"] == HostStats(ok=14, changed=3, failures=1, rescued=1, skipped=2)
    assert play_stats([]) == {}


LEGACY_FINDINGS = 11
"""legacy.lab's findings the lab project remediates: ftp, telnet, rpcbind tcp+udp and snmp
(v4 and v6 each), and the forgotten MariaDB (v4 only) the lab scan fixture gained."""


def test_check_run_preview(lab_project: Project) -> None:
    results = task_results(events("fake-check"))
    legacy = preview_host(lab_project.host("legacy.lab"), results, check=True)
    assert {f.status for f in legacy.findings} == {Status.WOULD_CHANGE}
    assert len(legacy.findings) == LEGACY_FINDINGS and legacy.problem == ""
    telnet = next(f for f in legacy.findings if f.key == "10.213.0.10/tcp/23/port-open")
    assert telnet.tasks[:2] == (
        "Stop and disable the units [10.213.0.10/tcp/23/port-open]",
        "Mask the units [10.213.0.10/tcp/23/port-open]",
    )
    assert "Persist the table for boot" in telnet.tasks
    snmp = next(f for f in legacy.findings if f.key == "10.213.0.10/udp/161/port-open")
    assert snmp.tasks == ("Persist the table for boot",)  # a firewall-only item
    web = preview_host(lab_project.host("web.lab"), results, check=True)
    firewall = set(lab_project.host("web.lab").keys_for("firewall"))
    tls_only = set(lab_project.host("web.lab").keys_for("tls")) - firewall
    assert {f.key for f in web.findings if f.status is Status.WOULD_CHANGE} == firewall
    unknown = [f for f in web.findings if f.status is Status.UNKNOWN]
    assert {f.key for f in unknown} == tls_only and tls_only
    assert all("the firewall rejected the ruleset" in f.why for f in unknown)
    assert "the firewall rejected the ruleset" in web.problem


def test_check_and_apply_agree_on_what_changes(lab_project: Project) -> None:
    specs = lab_project.hosts
    check = changed_pairs(specs, task_results(events("fake-check")))
    applied = changed_pairs(specs, task_results(events("fake-apply-rescue")))
    assert check == applied
    assert {k for h, k in check if h == "legacy.lab"} == set(
        lab_project.host("legacy.lab").keys_for()
    )


def test_phases_of_an_applied_batch() -> None:
    results = task_results(events("fake-apply-rescue"))
    assert phase_of("legacy.lab", results) is Phase.CONFIRMED
    assert phase_of("web.lab", results) is Phase.RESTORED
    assert phase_of("cache.lab", results) is Phase.UNTOUCHED
    cut = [r for r in results if r.task != "Disarm the revert timer"]
    assert phase_of("legacy.lab", cut) is Phase.SNAPSHOT


def unreachable_from(stream: list[dict[str, Any]], host: str, task: str) -> list[dict[str, Any]]:
    """The stream cut at ``task`` on ``host``, which becomes unreachable there (constructed)."""
    out = []
    for event in stream:
        data = event.get("event_data", {})
        if (
            data.get("host") == host
            and data.get("task") == task
            and event["event"].startswith("runner_on_")
        ):
            out.append(
                {
                    **event,
                    "event": "runner_on_unreachable",
                    "event_data": {
                        **data,
                        "res": {"msg": "ssh: connection timed out", "unreachable": True},
                    },
                }
            )
            break
        out.append(event)
    return out


@pytest.mark.parametrize(
    ("task", "changed"),
    [("Persist the table for boot", 8), ("Take the snapshot", 0)],
)
def test_an_unreachable_host_leaves_what_was_not_checked_unknown(
    lab_project: Project, task: str, changed: int
) -> None:
    stream = unreachable_from(events("fake-check"), "legacy.lab", task)
    preview = preview_host(lab_project.host("legacy.lab"), task_results(stream), check=True)
    assert preview.count(Status.WOULD_CHANGE) == changed
    assert preview.count(Status.UNKNOWN) == LEGACY_FINDINGS - changed
    unknown = [f for f in preview.findings if f.status is Status.UNKNOWN]
    assert all("unreachable" in f.why and "connection timed out" in f.why for f in unknown)
    assert "connection timed out" in preview.problem


def test_a_host_the_run_never_reached(lab_project: Project) -> None:
    preview = preview_host(lab_project.host("web.lab"), [], check=True)
    assert {f.status for f in preview.findings} == {Status.UNKNOWN}
    assert preview.problem == "the run never reached this host"


def test_preview_survives_json(lab_project: Project) -> None:
    preview = preview_host(
        lab_project.host("web.lab"), task_results(events("fake-check")), check=True
    )
    assert HostPreview.from_json(json.loads(json.dumps(preview.to_json()))) == preview


def test_real_lab_check_run_maps_every_change_to_its_findings(lab_project: Project) -> None:
    """Events of the real roles on the lab: each change lands on the right findings."""
    results = task_results(events("lab-check"))
    assert play_stats(events("lab-check"))["web.lab"] == HostStats(ok=67, changed=17, skipped=14)
    for host in ("legacy.lab", "web.lab"):
        spec = lab_project.host(host)
        preview = preview_host(spec, results, check=True)
        assert {f.status for f in preview.findings} == {Status.WOULD_CHANGE}, host
        for result in results:
            if result.host == host and result.changed and result.role != "snapshot":
                assert finding_keys(result, spec), result.describe()  # no orphan change
    web = lab_project.host("web.lab")
    nginx = {i.key for i in web.items if i.daemon == "nginx"}
    apache = {i.key for i in web.items if i.daemon == "apache2"}
    by_task: dict[str, set[str]] = {}
    for result in results:
        if result.host == "web.lab" and result.changed and result.role == "tls":
            for hint in result.hints:
                by_task.setdefault(f"{result.task}|{hint}", set()).update(finding_keys(result, web))
    assert by_task["Reload nginx|nginx.service"] == nginx
    assert by_task["Reload apache|apache2.service"] == apache
    rewrite = "Rewrite TLS settings where the configuration sets them"
    assert by_task[f"{rewrite}|/etc/nginx/sites-enabled/default"] == nginx
    validate = "Validate with the daemon's own checker (a pass queues the reload)"
    assert by_task[f"{validate}|apache2ctl"] == apache  # /bin/sh -c 'apache2ctl configtest'
    legacy = lab_project.host("legacy.lab")
    inetd = [
        r
        for r in results
        if r.host == "legacy.lab" and r.task == "Comment out the inetd entries" and r.changed
    ]
    assert {k for r in inetd for k in finding_keys(r, legacy)} == {
        "10.213.0.10/tcp/23/port-open",
        "fd00:213::10/tcp/23/port-open",
    }


def test_a_windows_host_the_run_never_reached_is_marked_not_run(lab_project: Project) -> None:
    windows = dataclasses.replace(lab_project.host("web.lab"), os="windows")
    preview = preview_host(windows, [], check=True)
    assert {f.status for f in preview.findings} == {Status.UNKNOWN}
    assert preview.problem.startswith("not run: the run never reached this Windows host")
    assert all(f.why == preview.problem for f in preview.findings)


def test_a_changed_schannel_item_is_pending_reboot(lab_project: Project) -> None:
    """The recorded fake check run's web.lab firewall results, relabelled as the schannel
    role's on a Windows host: each changed item is would_change *and* pending_reboot."""
    linux = lab_project.host("web.lab")
    items = tuple(
        dataclasses.replace(i, role="schannel") if i.role == "firewall" else i for i in linux.items
    )
    windows = dataclasses.replace(linux, os="windows", reboot=("schannel",), items=items)
    results = [
        dataclasses.replace(r, role="schannel") if r.role == "firewall" else r
        for r in task_results(events("fake-check"))
    ]
    preview = preview_host(windows, results, check=True)
    pending = {f.key for f in preview.findings if f.why.startswith("pending_reboot")}
    changing = {f.key for f in preview.findings if f.status is Status.WOULD_CHANGE}
    assert pending and pending == changing == {i.key for i in items if i.role == "schannel"}
    linux_preview = preview_host(linux, task_results(events("fake-check")), check=True)
    assert not any(f.why.startswith("pending_reboot") for f in linux_preview.findings)
