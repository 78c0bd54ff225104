"""Jobs run the way AWX runs them, and their events as AWX's API returns them.

:func:`streamed_job` runs a project through ansible-runner's streaming, the path AWX and
Receptor take to an execution node: ``transmit`` packs the private data dir (the project
copied into ``project/``, the inventory into ``inventory/``) into a stream, ``worker``
runs it from its own scratch directory, ``process`` turns the stream back into
``artifacts/<ident>/`` where the job's events, ``status`` and ``rc`` land. Here the
worker is a command of its own beside this process; over SSH the three are
``transmit | ssh NODE ansible-runner worker | process``.

:func:`awx_page` gives those events the form of ``GET /api/v2/jobs/N/job_events/``: the
runner event's own keys plus the fields AWX adds (``id``, ``type``, ``url``, ``job``,
``host_name``, ``task``, ``failed``, ``changed`` ...), one page of ``count``, ``next``,
``previous`` and ``results``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ansible_runner

PLAYBOOK = "playbooks/remediate.yml"


def streamed_job(
    project: Path,
    inventory: Path,
    base: Path,
    *,
    check: bool,
    limit: str | None = None,
    worker_prefix: Sequence[str] = (),
    ident: str = "job",
) -> Path:
    """Run ``project`` through transmit, worker and process; its artifacts directory.

    The worker is ``ansible-runner worker`` as a command of its own, as it runs on a node
    (``worker_prefix`` puts it where the hosts are reached, e.g. ``ip netns exec NS``).
    """
    sent, worker, received = base / "transmit", base / "worker", base / "process"
    shutil.copytree(project, sent / "project")
    (sent / "inventory").mkdir()
    shutil.copy(inventory, sent / "inventory" / "hosts.yml")
    worker.mkdir()
    received.mkdir()
    options: dict[str, Any] = {
        "ident": ident,
        "playbook": PLAYBOOK,
        "cmdline": "--check --diff" if check else "--diff",
        "limit": limit,
        "quiet": True,
    }
    binaries = Path(sys.executable).parent
    path = f"{binaries}:{os.environ.get('PATH', '')}"
    with (base / "to-worker").open("w+b") as outgoing:  # ansible-runner wants named files
        ansible_runner.run(
            streamer="transmit", private_data_dir=str(sent), _output=outgoing, **options
        )
        outgoing.seek(0)
        with (base / "from-worker").open("w+b") as returning:
            subprocess.run(
                [*worker_prefix, str(binaries / "ansible-runner"), "worker",
                 "--private-data-dir", str(worker)],
                stdin=outgoing,
                stdout=returning,
                check=False,  # it exits with the playbook's rc; the stream says how it ended
                env={**os.environ, "PATH": path},
            )  # fmt: skip
            returning.seek(0)
            ansible_runner.run(
                streamer="process",
                private_data_dir=str(received),
                _input=returning,
                ident=ident,
                quiet=True,
            )
    return received / "artifacts" / ident


def runner_events(artifacts: Path) -> list[dict[str, Any]]:
    """The events of an artifacts directory, in counter order."""
    events = [json.loads(p.read_text("utf-8")) for p in (artifacts / "job_events").glob("*.json")]
    return sorted(events, key=lambda e: int(e["counter"]))


def awx_page(events: Sequence[Mapping[str, Any]], job: int = 42) -> dict[str, Any]:
    """``events`` as one page of AWX's job events API."""
    results = []
    for number, event in enumerate(events, 1):
        data = event.get("event_data") or {}
        results.append(
            {
                "id": 1000 + number,
                "type": "job_event",
                "url": f"/api/v2/job_events/{1000 + number}/",
                "related": {"job": f"/api/v2/jobs/{job}/"},
                "summary_fields": {"job": {"id": job, "status": "successful"}},
                "created": event.get("created"),
                "modified": event.get("created"),
                "job": job,
                "event": event["event"],
                "counter": event["counter"],
                "event_display": str(event["event"]).replace("_", " "),
                "event_data": data,
                "event_level": 3 if data.get("host") else 1,
                "failed": event["event"] in ("runner_on_failed", "runner_on_unreachable"),
                "changed": bool((data.get("res") or {}).get("changed")),
                "uuid": event.get("uuid"),
                "parent_uuid": event.get("parent_uuid") or "",
                "host": None,
                "host_name": data.get("host") or "",
                "playbook": data.get("playbook", ""),
                "play": data.get("play", ""),
                "task": data.get("task", ""),
                "role": data.get("role", ""),
                "stdout": event.get("stdout", ""),
                "start_line": event.get("start_line", 0),
                "end_line": event.get("end_line", 0),
                "verbosity": 0,
            }
        )
    return {"count": len(results), "next": None, "previous": None, "results": results}
