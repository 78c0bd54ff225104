"""A generated project as ``dry-run`` and ``apply`` read it: hosts, items, window, hashes.

The project is the reviewed artefact, so everything the controller needs comes from its
own files: the manifest (plan hash, which hosts change), ``host_vars/<host>.yml`` (each
role's items with their finding keys, the verification's ports), the window openings in
``playbooks/vars/remediator.yml`` and the testinfra suite of each host. Nothing here
changes the project; :func:`file_hashes` fingerprints it so an apply can prove it runs
what was dry-run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from remediator.common.window import Interval
from remediator.errors import InputError
from remediator.generate.items import PortCheck
from remediator.generate.manifest import NAME as MANIFEST
from remediator.generate.manifest import read_manifest
from remediator.generate.suites import project_suites
from remediator.generate.writer import IGNORED
from remediator.run.varsfile import Fields, instant, load_vars, text_or

REMEDIATE: Final = "playbooks/remediate.yml"
ROLLBACK: Final = "playbooks/rollback.yml"
RUN_VARS: Final = "playbooks/vars/remediator.yml"
ROLE_ITEMS: Final = {
    "disable_service": "disable_service_items",
    "firewall": "firewall_rules",
    "tls": "tls_items",
    "harden": "harden_items",
    "patch": "patch_items",
    "windows_services": "windows_services_items",
    "windows_firewall": "windows_firewall_rules",
    "windows_harden": "windows_harden_items",
    "schannel": "schannel_items",
}
"""The roles that remediate findings, and the host var that lists each one's items."""
WINDOWS: Final = "windows"


@dataclass(frozen=True)
class Item:
    """One role item: the finding it remediates and what it does about it."""

    key: str
    role: str
    what: str
    reason: str = ""
    daemon: str | None = None
    units: tuple[str, ...] = ()
    """Units, sockets and inetd names a disable_service item switches off."""
    inetd: bool = False
    irreversible: bool = False


@dataclass(frozen=True)
class HostSpec:
    """What the project does on one host and how its result is checked."""

    name: str
    changes: bool
    items: tuple[Item, ...]
    manual: tuple[tuple[str, str], ...]
    listening: tuple[PortCheck, ...]
    restricted: Mapping[str, tuple[str, ...]]
    """``"tcp/6379"`` -> the sources a restrict rule allows it from."""
    suite: str | None
    """The host's testinfra suite, relative to the project (None when it has none)."""
    os: str = "linux"
    """``windows`` for a host the Windows roles change (its host vars say so)."""
    reboot: tuple[str, ...] = ()
    """What of the host's changes waits for its next reboot (SCHANNEL): never done by a
    run, so its findings stay ``pending_reboot`` until the operator reboots it."""

    def keys_for(self, role: str | None = None) -> tuple[str, ...]:
        """Finding keys of the items (of one role), each once, in order."""
        chosen = (i.key for i in self.items if role is None or i.role == role)
        return tuple(dict.fromkeys(chosen))

    def irreversible(self) -> frozenset[str]:
        """Keys of items that cannot be undone by a snapshot (package removal)."""
        return frozenset(i.key for i in self.items if i.irreversible)


@dataclass(frozen=True)
class Project:
    """A generated project directory, read and checked."""

    root: Path
    manifest: Mapping[str, Any]
    manifest_sha256: str
    plan_sha256: str
    window_spec: str | None
    openings: tuple[Interval, ...]
    revert_after: int
    hosts: tuple[HostSpec, ...]
    batch: tuple[int | str, ...] = ()
    """The project's own ``serial`` (``remediator_batch``): the apply's default batches."""
    max_fail: int = 0

    @property
    def targets(self) -> tuple[HostSpec, ...]:
        """Hosts the remediation play changes (the others only have notes)."""
        return tuple(h for h in self.hosts if h.changes)

    def host(self, name: str) -> HostSpec:
        for spec in self.hosts:
            if spec.name == name:
                return spec
        raise InputError(f"{self.root}: the project has no host {name!r}")

    def opening(self, at: datetime) -> Interval | None:
        """The project's own window opening ``at`` falls in (what its guard play checks)."""
        return next((o for o in self.openings if o.contains(at)), None)

    def next_opening(self, at: datetime) -> Interval | None:
        return next((o for o in self.openings if o.start > at), None)


def load_project(path: Path) -> Project:
    """Read a generated project; InputError when ``path`` is not one."""
    root = path.resolve()
    manifest = read_manifest(root) if root.is_dir() else None
    if manifest is None:
        raise InputError(
            f"{path}: not a generated project (no {MANIFEST}); run `remediator generate`"
        )
    for needed in (REMEDIATE, ROLLBACK, RUN_VARS):
        if not (root / needed).is_file():
            raise InputError(f"{path}: the project has no {needed}")
    plan = manifest.get("plan")
    if not isinstance(plan, dict) or not isinstance(plan.get("sha256"), str):
        raise InputError(f"{path}: the manifest names no plan sha256")
    run_vars = load_vars(root / RUN_VARS)
    changes = _changes(manifest, path)
    suites = dict(_suites(root))
    hosts = tuple(
        _host(root, name, changes.get(name, False), suites.get(name))
        for name in sorted(p.name.removesuffix(".yml") for p in (root / "host_vars").glob("*.yml"))
    )
    return Project(
        root=root,
        manifest=manifest,
        manifest_sha256=hashlib.sha256((root / MANIFEST).read_bytes()).hexdigest(),
        plan_sha256=plan["sha256"],
        window_spec=run_vars.optional_text("remediator_window"),
        openings=tuple(_openings(run_vars)),
        revert_after=run_vars.integer("remediator_revert_after", 0, 10**7),
        hosts=hosts,
        batch=_batch(run_vars),
        max_fail=run_vars.integer("remediator_max_fail_percentage", 0, 100)
        if "remediator_max_fail_percentage" in run_vars.data
        else 0,
    )


def file_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file of the project (tool caches left out), by relative path."""
    hashes: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part in IGNORED for part in relative.parts) or not path.is_file():
            continue
        hashes[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def _changes(manifest: Mapping[str, Any], path: Path) -> dict[str, bool]:
    hosts = manifest.get("hosts", {})
    if not isinstance(hosts, dict):
        raise InputError(f"{path}: the manifest's hosts are not a mapping")
    return {
        str(name): bool(info.get("changes"))
        for name, info in hosts.items()
        if isinstance(info, dict)
    }


def _batch(fields: Fields) -> tuple[int | str, ...]:
    value = fields.data.get("remediator_batch")
    values = value if isinstance(value, list) else [] if value is None else [value]
    if not all(isinstance(v, int | str) and not isinstance(v, bool) for v in values):
        raise fields.fail("remediator_batch", "expected batch sizes like 1 or '25%'")
    return tuple(values)


def _openings(fields: Fields) -> Iterator[Interval]:
    for opening in fields.children("remediator_window_openings"):
        start, end = instant(opening, "start"), instant(opening, "end")
        yield Interval(start, end)


def _host(root: Path, name: str, changes: bool, suite: str | None) -> HostSpec:
    relative = f"host_vars/{name}.yml"
    fields = load_vars(root / relative)
    windows = fields.optional_text("remediator_os") == WINDOWS
    if windows:
        items = [
            *_windows_services(fields),
            *_firewall(fields, "windows_firewall"),
            *_schannel(fields),
        ]
    else:
        items = [
            *_disable(fields),
            *_firewall(fields, "firewall"),
            *_tls(fields),
            *_linux_harden(fields),
            *_patch(fields),
        ]
    verify = fields.child("remediator_verify")
    return HostSpec(
        name=name,
        changes=changes,
        items=tuple(items),
        manual=tuple((m.text("key"), m.text("task")) for m in fields.children("remediator_manual")),
        listening=tuple(
            PortCheck(c.text("protocol"), c.integer("port"), c.texts("keys"))
            for c in verify.children("listening")
        ),
        restricted={
            f"{r.text('protocol')}/{r.integer('port')}": r.texts("sources")
            for r in fields.children(ROLE_ITEMS["windows_firewall" if windows else "firewall"])
            if r.text("action") == "restrict"
        },
        suite=suite,
        os=WINDOWS if windows else "linux",
        reboot=fields.texts("remediator_reboot_reasons", ()) if windows else (),
    )


def _disable(fields: Fields) -> Iterator[Item]:
    for item in fields.children("disable_service_items"):
        units = [*item.texts("units"), *item.texts("sockets"), *item.texts("inetd")]
        remove = item.flag("remove_package")
        packages = item.texts("packages") if remove else ()
        what = "disable " + (", ".join(units) or "its service")
        if packages:
            what += "; remove packages " + ", ".join(packages)
        yield Item(
            item.text("key"),
            "disable_service",
            what,
            text_or(item, "reason", ""),
            units=tuple(units),
            inetd=bool(item.texts("inetd")),
            irreversible=bool(packages),
        )


def _firewall(fields: Fields, role: str) -> Iterator[Item]:
    for rule in fields.children(ROLE_ITEMS[role]):
        what = f"{rule.text('action')} {rule.text('protocol')}/{rule.integer('port')}"
        if rule.texts("sources"):
            what += " to " + ", ".join(rule.texts("sources"))
        yield Item(rule.text("key"), role, what, text_or(rule, "reason", ""))


def _windows_services(fields: Fields) -> Iterator[Item]:
    for item in fields.children(ROLE_ITEMS["windows_services"]):
        services = item.texts("services")
        features = item.texts("remove_features", ())
        what = "stop and disable " + ", ".join(services)
        if features:
            what += "; remove optional features " + ", ".join(features)
        yield Item(
            item.text("key"),
            "windows_services",
            what,
            text_or(item, "reason", ""),
            units=services,
            irreversible=bool(features),
        )


def _harden(fields: Fields) -> Iterator[Item]:
    for item in fields.children(ROLE_ITEMS["windows_harden"]):
        daemon = item.text("daemon")
        yield Item(
            item.text("key"),
            "windows_harden",
            f"harden {daemon}: " + ", ".join(item.texts("settings")),
            text_or(item, "reason", ""),
            daemon=daemon,
        )


def _schannel(fields: Fields) -> Iterator[Item]:
    enabled = ", ".join(fields.texts("schannel_protocols_enabled", ())) or "the policy's"
    for item in fields.children(ROLE_ITEMS["schannel"]):
        yield Item(
            item.text("key"),
            "schannel",
            f"SCHANNEL server protocols {enabled} only (system-wide, at the next reboot)",
            text_or(item, "reason", ""),
            daemon="schannel",
        )


def _tls(fields: Fields) -> Iterator[Item]:
    profile = fields.optional_text("tls_profile") or "the policy's"
    for item in fields.children("tls_items"):
        daemon = item.text("daemon")
        yield Item(
            item.text("key"),
            "tls",
            f"TLS profile {profile} on {daemon}",
            text_or(item, "reason", ""),
            daemon=daemon,
        )


def _linux_harden(fields: Fields) -> Iterator[Item]:
    """The harden role's items; a project generated before the role has none."""
    if "harden_items" not in fields.data:
        return
    for item in fields.children("harden_items"):
        daemon = item.text("daemon")
        yield Item(
            item.text("key"),
            "harden",
            f"harden {daemon}",
            text_or(item, "reason", ""),
            daemon=daemon,
        )


def _patch(fields: Fields) -> Iterator[Item]:
    """The patch role's items; a project generated before the role has none."""
    if "patch_items" not in fields.data:
        return
    for item in fields.children("patch_items"):
        cves = item.texts("cves")
        what = f"judge {', '.join(cves[:3])}{' ...' if len(cves) > 3 else ''} by changelogs"
        yield Item(item.text("key"), "patch", what, text_or(item, "reason", ""))


def _suites(root: Path) -> Iterator[tuple[str, str]]:
    """(host, tests/test_x.py) for each host a generated suite tests (its testinfra_hosts)."""
    for suite in project_suites(root):
        for host in suite.hosts:
            yield host, suite.path
