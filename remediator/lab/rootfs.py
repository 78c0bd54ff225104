"""Build (once) and cache the lab's Debian 12 rootfs: a base plus one layer per role.

The base is ``debootstrap --variant=minbase`` plus :data:`BASE_PACKAGES`; each role
layer is the upper directory of an overlay on the base in which apt-get installed the
role's packages and its provisioning ran. A host boots on ``layer:base`` with its own
writable upper, so the cache is never written after it is built.

Cache entries live in ``<cache>/<name>-<key>`` where the key hashes everything that
goes into the entry (package list, provisioning files, build scripts, the base's
key for a layer). Changing any of them builds a new entry; an old one stays until
removed by hand (``rm -rf /var/cache/remediator/lab``).

Every build step runs in a private mount namespace (``unshare --mount``): the overlay,
/proc, /dev and /run mounts of a build vanish with it even when it is killed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from remediator.lab.config import BASE_PACKAGES, PROVISION_DIR, SUITE, HostRole
from remediator.lab.lock import held
from remediator.lab.mirror import find_mirrors
from remediator.lab.proc import Say, run

RECIPE_VERSION: Final = 1
"""Bump when the build recipe in this file changes in a way the hashed files don't show."""
BUILD_SCRIPTS: Final = (PROVISION_DIR / "build.sh", PROVISION_DIR / "in-root.sh")
BUILD_TIMEOUT: Final = 1800.0


@dataclass(frozen=True)
class Rootfs:
    """The cached base and role layers one lab boots from, and what building them took."""

    base: Path
    layers: dict[str, Path]
    build_seconds: float
    """Seconds spent building in this call; 0.0 when everything came from the cache."""

    def lowerdirs(self, role: str) -> str:
        """The overlay ``lowerdir=`` value for a host of ``role`` (layer above base)."""
        return f"{self.layers[role]}:{self.base}"


def tree_digest(*paths: Path) -> str:
    """A hash of files and folders: relative names, executable bits and contents."""
    digest = hashlib.sha256()
    for top in paths:
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for path in files:
            name = path.relative_to(top.parent).as_posix()
            digest.update(f"{name}\0{path.stat().st_mode & 0o111}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def base_key() -> str:
    return _key(
        {
            "recipe": RECIPE_VERSION,
            "suite": SUITE,
            "packages": sorted(BASE_PACKAGES),
            "files": tree_digest(PROVISION_DIR / "base", *BUILD_SCRIPTS),
        }
    )


def role_key(role: HostRole, base: str) -> str:
    return _key(
        {
            "base": base,
            "packages": sorted(role.packages),
            "files": tree_digest(role.provision_dir),
        }
    )


def planned(cache_dir: Path, roles: list[HostRole]) -> Rootfs:
    """Where the base and layers for ``roles`` are (or will be) cached; builds nothing."""
    bkey = base_key()
    layers = {role.name: cache_dir / f"{role.name}-{role_key(role, bkey)}" for role in roles}
    return Rootfs(cache_dir / f"base-{bkey}", layers, 0.0)


def ensure_rootfs(cache_dir: Path, roles: list[HostRole], say: Say) -> Rootfs:
    """The base and every role's layer, built now if not cached yet."""
    started = time.monotonic()
    built = False
    with held(cache_dir / ".build.lock", wait=True, what="the lab rootfs cache"):
        plan = planned(cache_dir, roles)
        if not plan.base.is_dir():
            _build_base(plan.base, say)
            built = True
        for role in roles:
            if not plan.layers[role.name].is_dir():
                _build_layer(role, plan.base, plan.layers[role.name], say)
                built = True
    return Rootfs(plan.base, plan.layers, time.monotonic() - started if built else 0.0)


def _key(recipe: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]


def _fresh(path: Path) -> Path:
    """An empty work folder, after removing what a killed build left there."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _build_base(target: Path, say: Say) -> None:
    work = _fresh(target.with_name(target.name + ".tmp"))
    log = work / "build.log"
    mirrors = find_mirrors()
    say(f"building the lab base rootfs (debootstrap {SUITE} from {mirrors.debian}) ...")
    root = work / "root"
    run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(BASE_PACKAGES)}",
            SUITE,
            str(root),
            mirrors.debian,
        ],
        log=log,
        timeout=BUILD_TIMEOUT,
    )
    stage = _stage(work / "stage", PROVISION_DIR / "base", (), mirrors.sources_list())
    run(_in_root(root, stage), log=log, timeout=BUILD_TIMEOUT)
    root.rename(target)
    _keep_log(log, target)
    shutil.rmtree(work)


def _build_layer(role: HostRole, base: Path, target: Path, say: Say) -> None:
    say(f"building the lab layer {role.name!r}: {' '.join(role.packages)} ...")
    work = _fresh(target.with_name(target.name + ".tmp"))
    log = work / "build.log"
    upper, workdir, merged = (work / "upper", work / "work", work / "merged")
    for folder in (upper, workdir, merged):
        folder.mkdir()
    stage = _stage(work / "stage", role.provision_dir, role.packages, None)
    run(_in_root(merged, stage, (str(base), upper, workdir)), log=log, timeout=BUILD_TIMEOUT)
    upper.rename(target)
    _keep_log(log, target)
    shutil.rmtree(work)


def _in_root(root: Path, stage: Path, overlay: tuple[str, Path, Path] | None = None) -> list[str]:
    argv = ["unshare", "--mount", "--propagation", "private", "sh"]
    argv += [str(PROVISION_DIR / "in-root.sh"), str(root), str(stage)]
    if overlay is not None:
        argv += [str(part) for part in overlay]
    return argv


def _stage(stage: Path, source: Path, packages: tuple[str, ...], sources: str | None) -> Path:
    """The read-only folder build.sh reads inside the chroot."""
    if source.is_dir():
        shutil.copytree(source, stage)
    else:
        stage.mkdir()
    shutil.copy2(PROVISION_DIR / "build.sh", stage / "build.sh")
    (stage / "packages").write_text("".join(f"{p}\n" for p in packages), encoding="utf-8")
    if sources is not None:
        (stage / "sources.list").write_text(sources, encoding="utf-8")
    return stage


def _keep_log(log: Path, target: Path) -> None:
    """Keep the build log beside the cache entry, for whoever wonders how it was made."""
    shutil.copy2(log, target.with_name(target.name + ".log"))
