"""The generated project as a pure function: plan + options + roles in, ``{path: bytes}`` out.

Nothing here reads the clock, the environment or the file system: the time of
generation and the maintenance window come in as :class:`Options`, the roles as their
file contents. The same arguments give byte-identical output, and no path in it is
absolute, so the project runs unchanged from any directory (AWX uses it as the root).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Final

from remediator.classify.plan_document import PlanDoc
from remediator.errors import InputError
from remediator.generate.awx import awx_files
from remediator.generate.hostvars import host_vars_yaml
from remediator.generate.jobs import HostJob, build_jobs, unknown_os_hosts, unmanaged
from remediator.generate.manifest import NAME as MANIFEST
from remediator.generate.manifest import manifest_bytes
from remediator.generate.model import InventoryEntry, Options
from remediator.generate.probes import UDP_REQUESTS
from remediator.generate.render import render, template_text
from remediator.generate.roles import roles_for
from remediator.generate.safety import check_address, check_relative, check_user
from remediator.generate.testinfra import suite_module_name, suite_tests, unasserted
from remediator.generate.winjobs import WindowsJob, build_windows_jobs
from remediator.generate.wintests import windows_suite_tests
from remediator.generate.winvars import windows_host_vars_yaml
from remediator.generate.yamlout import Value, dump

COLLECTION_VERSIONS: Final = {
    "ansible.posix": ">=2.1.0,<3.0.0",
    "ansible.windows": ">=3.3.0,<4.0.0",
    "community.general": ">=11.4.2,<12.0.0",
    "community.windows": ">=3.1.0,<4.0.0",
}
"""The collections the roles are tested with: the floor is what the pinned ``ansible``
package (12.x) bundled when CI last proved them, the ceiling the next major version, which
may rename or drop modules. ``tests/unit/generate/test_collection_pins.py`` fails when the
installed collections leave these ranges."""
_FQCN: Final = re.compile(r"^\s*(?:- )?([a-z0-9_]+\.[a-z0-9_]+)\.[a-z0-9_]+:", re.MULTILINE)
_BUILTIN: Final = frozenset({"ansible.builtin", "ansible.legacy"})
_UTC_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"
WINDOWS_CONNECTIONS: Final = frozenset({"winrm", "psrp"})
LINT_IGNORE: Final = ".ansible-lint-ignore"
LINT_JINJA_RULES: Final = ("jinja[invalid]", "jinja[spacing]")
JINJA_MARKERS: Final = ("{{", "{%", "{#")


def utc_text(moment: datetime) -> str:
    """``2026-11-28T21:00:00Z``: the one time format the guard compares as text."""
    return moment.astimezone(UTC).strftime(_UTC_FORMAT)


def build_project(plan: PlanDoc, options: Options, roles: Mapping[str, bytes]) -> dict[str, bytes]:
    """Every file of the project, by relative path, the manifest included."""
    jobs = build_jobs(plan)
    win_jobs = build_windows_jobs(plan)
    targets = [j.name for j in jobs if j.changes]
    win_targets = [j.name for j in win_jobs if j.changes]
    taken: set[str] = set()
    modules = {job.name: suite_module_name(job.name, taken) for job in _every(jobs, win_jobs)}
    text: dict[str, str] = {
        "ansible.cfg": render("ansible.cfg.j2", lab=options.lab),
        "inventory.yml": _inventory(plan, jobs, win_jobs, options),
        "requirements.yml": "",
        "playbooks/remediate.yml": render(
            "remediate.yml.j2", hosts=targets, windows=win_targets, **_stamp(plan, options)
        ),
        "playbooks/snapshot.yml": render("snapshot.yml.j2", hosts=targets, windows=win_targets),
        "playbooks/rollback.yml": render("rollback.yml.j2", hosts=targets, windows=win_targets),
        "playbooks/tasks/window_guard.yml": template_text("window_guard.yml.j2"),
        "playbooks/tasks/verify.yml": template_text("verify.yml.j2"),
        "playbooks/library/remediator_listeners.py": template_text("remediator_listeners.py"),
        "playbooks/library/remediator_fix_checks.py": template_text("remediator_fix_checks.py"),
        "playbooks/vars/remediator.yml": _run_vars(plan, options),
        "tests/remediator_checks.py": template_text("checks.py.j2"),
    }
    for job in jobs:
        text[f"host_vars/{job.name}.yml"] = host_vars_yaml(job)
        text[f"tests/{modules[job.name]}.py"] = render(
            "test_host.py.j2", host=job.name, tests=suite_tests(job), unasserted=unasserted(job)
        )
    text.update(_windows_files(win_jobs, modules))
    if options.awx is not None:
        text.update(awx_files(options.awx, options))
    text[LINT_IGNORE] = _lint_ignore([j.name for j in _every(jobs, win_jobs)], text)
    files = {path: content.encode("utf-8") for path, content in text.items()}
    needed = roles_for(roles, windows=bool(win_jobs))
    files.update({f"roles/{path}": data for path, data in needed.items()})
    files["requirements.yml"] = _requirements(files).encode("utf-8")
    files["collections/requirements.yml"] = files["requirements.yml"]  # where AWX looks
    files["README.md"] = _readme(plan, options, jobs, win_jobs, modules).encode("utf-8")
    for path in files:
        check_relative(path)
    files[MANIFEST] = manifest_bytes(_manifest_info(plan, options, jobs, win_jobs), files)
    return dict(sorted(files.items()))


def _every(
    jobs: tuple[HostJob, ...], win_jobs: tuple[WindowsJob, ...]
) -> tuple[HostJob | WindowsJob, ...]:
    """Linux jobs, then Windows jobs: every host the project names."""
    return (*jobs, *win_jobs)


def _windows_files(win_jobs: tuple[WindowsJob, ...], modules: Mapping[str, str]) -> dict[str, str]:
    """Host vars, suites and the shared Windows files, only when the plan has Windows hosts
    (a Linux-only project keeps its bytes)."""
    if not win_jobs:
        return {}
    text = {
        "playbooks/tasks/verify_windows.yml": template_text("verify_windows.yml.j2"),
        "tests/remediator_windows_checks.py": template_text("windows_checks.py.j2"),
    }
    for job in win_jobs:
        text[f"host_vars/{job.name}.yml"] = windows_host_vars_yaml(job)
        text[f"tests/{modules[job.name]}.py"] = render(
            "test_windows_host.py.j2", host=job.name, tests=windows_suite_tests(job)
        )
    return text


def _stamp(plan: PlanDoc, options: Options) -> dict[str, str]:
    return {"plan_sha256": plan.sha256, "version": options.version}


def _openings(options: Options) -> list[Value]:
    if options.window is None:
        return []
    intervals = options.window.intervals_until(options.generated_at, options.horizon)
    return [{"start": utc_text(i.start), "end": utc_text(i.end)} for i in intervals]


def _run_vars(plan: PlanDoc, options: Options) -> str:
    data: dict[str, Value] = {
        "remediator_plan_sha256": plan.sha256,
        "remediator_generated_at": utc_text(options.generated_at),
        "remediator_window": options.window.spec if options.window else None,
        "remediator_window_horizon": utc_text(options.generated_at + options.horizon),
        "remediator_window_openings": _openings(options),
        "remediator_batch": [1, "25%"],
        "remediator_max_fail_percentage": 0,
        "remediator_revert_after": options.revert_after,
    }
    header = "Generated by remediator: the run's settings and the maintenance window's openings\n"
    header += "(UTC). Override the batch settings with -e; do not edit the window: regenerate."
    return dump(data, header=header, sort_keys=False)


def _inventory(
    plan: PlanDoc,
    jobs: tuple[HostJob, ...],
    win_jobs: tuple[WindowsJob, ...],
    options: Options,
) -> str:
    hosts: dict[str, Value] = {}
    groups: dict[str, list[str]] = {}
    for job in _every(jobs, win_jobs):
        source = options.inventory_name or f"plan (inventory {plan.inventory!r})"
        entry = options.inventory.get(job.name) or _plan_entry(job.name, job.address, source)
        host: dict[str, Value] = {"ansible_host": check_address(entry.address, source)}
        if isinstance(job, WindowsJob):
            host.update(_windows_connection(job, entry, source))
        elif entry.port is not None:
            host["ansible_port"] = _check_port(entry.port, source)
        if entry.user is not None:
            host["ansible_user"] = check_user(entry.user, source)
        hosts[job.name] = host
        record = plan.host(job.name)
        for group in entry.groups or (record.groups if record else ()):
            groups.setdefault(group, []).append(job.name)
    children: dict[str, Value] = {
        group: {"hosts": {name: {} for name in names}}
        for group, names in sorted(groups.items())
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", group) and group not in {"all", "ungrouped"}
    }
    header = "Generated by remediator: the plan's hosts and the addresses the inventory (or the\n"
    header += "controller's resolver, at plan time) gave them; never an address from the scan.\n"
    header += "Pass your own inventory with -i for users, keys and jump hosts."
    return dump({"all": {"hosts": hosts, "children": children}}, header=header, sort_keys=False)


def _windows_connection(job: WindowsJob, entry: InventoryEntry, source: str) -> dict[str, Value]:
    """How Ansible reaches a Windows host: the inventory's connection (winrm unless it says
    psrp) on its WinRM port (the plan's management port when the inventory names none).
    Never a credential: those stay in the user's inventory or Vault."""
    connection = entry.connection if entry.connection in WINDOWS_CONNECTIONS else "winrm"
    port = entry.port if entry.port is not None else job.management.port
    return {"ansible_connection": connection, "ansible_port": _check_port(port, source)}


def _plan_entry(name: str, address: str | None, source: str) -> InventoryEntry:
    """The host's address as the plan recorded it (inventory or resolver, never the scan)."""
    if address is None:
        raise InputError(
            f"{source}: host {name!r} has no address the inventory or its resolver gave "
            "at plan time (add ansible_host or remediator_addresses, re-plan, or pass "
            "--inventory); refusing to take one from the scan"
        )
    return InventoryEntry(address)


def _check_port(port: int, source: str) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InputError(f"{source}: ansible_port {port!r} is not a port number")
    return port


def _lint_ignore(names: list[str], text: Mapping[str, str]) -> str:
    """Skip ansible-lint's jinja rule only in host vars that hold text looking like Jinja.

    Such text comes from the scan and is written ``!unsafe``, so Ansible never templates
    it; ansible-lint's jinja rule does not honour ``!unsafe`` (ansible/ansible-lint#4647)
    and would judge attacker text as templates. Playbooks and roles stay fully linted.
    """
    lines = [
        "# Generated by remediator: host_vars files whose scan text looks like Jinja. It is",
        "# written !unsafe (never templated), which ansible-lint's jinja rule does not honour",
        "# (ansible/ansible-lint#4647); nothing else is skipped.",
    ]
    for name in names:
        path = f"host_vars/{name}.yml"
        if any(marker in text[path] for marker in JINJA_MARKERS):
            lines.extend(f"{path} {rule} skip" for rule in LINT_JINJA_RULES)
    return "\n".join(lines) + "\n"


CODE_DIRS: Final = ("playbooks/", "roles/")
"""Where the project's own tasks are: only they name the collections to install. Host vars
hold scan text, which must never decide what ``ansible-galaxy`` fetches."""


def _requirements(files: Mapping[str, bytes]) -> str:
    used: set[str] = set()
    for path, data in files.items():
        if path.endswith(".yml") and path.startswith(CODE_DIRS):
            used.update(_FQCN.findall(data.decode("utf-8", "replace")))
    names = sorted(used - _BUILTIN)
    return render(
        "requirements.yml.j2", collections=[(n, COLLECTION_VERSIONS.get(n, "*")) for n in names]
    )


def _readme(
    plan: PlanDoc,
    options: Options,
    jobs: tuple[HostJob, ...],
    win_jobs: tuple[WindowsJob, ...],
    modules: Mapping[str, str],
) -> str:
    rows = [
        {
            "name": j.name,
            "disable": len(j.disable),
            "firewall": len(j.firewall),
            "tls": len(j.tls),
            "tests": f"tests/{modules[j.name]}.py",
        }
        for j in jobs
    ]
    return render(
        "README.md.j2",
        hosts=rows,
        windows=[_windows_row(j, modules) for j in win_jobs],
        unknown_os=unknown_os_hosts(plan),
        unmanaged=len(unmanaged(plan)),
        window=options.window.spec if options.window else None,
        horizon=utc_text(options.generated_at + options.horizon),
        generated_at=utc_text(options.generated_at),
        as_of=plan.as_of,
        revert_after=options.revert_after,
        udp_requests=sorted(UDP_REQUESTS.items()),
        **_stamp(plan, options),
    )


def _windows_row(job: WindowsJob, modules: Mapping[str, str]) -> dict[str, object]:
    return {
        "name": job.name,
        "services": len(job.services),
        "firewall": len(job.firewall),
        "schannel": len(job.schannel),
        "reboot": list(job.reboot_reasons) or ["no"],
        "tests": f"tests/{modules[job.name]}.py",
    }


def _manifest_info(
    plan: PlanDoc, options: Options, jobs: tuple[HostJob, ...], win_jobs: tuple[WindowsJob, ...]
) -> dict[str, object]:
    return {
        "remediator_version": options.version,
        "generated_at": utc_text(options.generated_at),
        "plan": {"sha256": plan.sha256, "as_of": plan.as_of},
        "inventory": options.inventory_name,
        "lab": options.lab,
        "window": {
            "spec": options.window.spec,
            "openings_until": utc_text(options.generated_at + options.horizon),
            "openings": len(_openings(options)),
        }
        if options.window
        else None,
        "hosts": {j.name: {"changes": j.changes} for j in _every(jobs, win_jobs)},
    }
