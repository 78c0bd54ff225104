"""The evidence bundle's manifest: the sha256 of every file, chained run to run.

Without it an evidence.html edited after the fact reads exactly like the real one. The
manifest (``remediator/manifest/v1``) names each file of the bundle with its sha256 and
the sha256 of the previous run's manifest in the same runs directory, so:

* ``manifest.json`` in the bundle lets anyone check the bundle offline
  (:func:`verify_bundle`): an altered, missing or added file is named;
* the same bytes kept in the run record as ``evidence-manifest.json`` are the chain's
  links (:func:`verify_chain`): rewriting one run's evidence and its manifest breaks the
  ``previous`` of the next run reported after it.

The chain orders runs by id: run ids start with their UTC time (``20261125T101500Z-...``)
so they sort by time. Signing (``ssh-keygen -Y sign``) is not done here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from remediator.common.documents import DocumentError, read_document, write_document
from remediator.errors import UnresolvedError

DOCUMENT: Final = "manifest"
"""The name of the manifest's shipped schema."""
VERSION: Final = "remediator/manifest/v1"
BUNDLE_FILE: Final = "manifest.json"
"""The manifest inside the bundle directory."""
RUN_COPY: Final = "evidence-manifest.json"
"""The manifest's copy kept in the run record: the chain's link."""
RUN_ID: Final = re.compile(r"\d{8}T\d{6}Z-.+")
"""A run directory's name: its UTC start time first, so names sort by time."""


class TamperedError(UnresolvedError):
    """A bundle or chain that does not match its manifest; the message names the first place
    (exit 1: the check ran and found the evidence altered)."""


def sha256_of(path: Path) -> str:
    """The hex sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def older_runs(run_dir: Path) -> list[Path]:
    """The run directories beside ``run_dir`` older than it, oldest first."""
    return [p for p in runs_in(run_dir.parent) if p.name < run_dir.name]


def runs_in(runs_dir: Path) -> list[Path]:
    """Every run directory under ``runs_dir``, oldest first (none if it does not exist)."""
    if not runs_dir.is_dir():
        return []
    return sorted(
        (p for p in runs_dir.iterdir() if p.is_dir() and RUN_ID.fullmatch(p.name)),
        key=lambda p: p.name,
    )


def previous_digest(run_dir: Path) -> str | None:
    """The sha256 of the newest older run's ``evidence-manifest.json``; None if none has one."""
    for candidate in reversed(older_runs(run_dir)):
        copy = candidate / RUN_COPY
        if copy.is_file():
            return sha256_of(copy)
    return None


def manifest_of(
    run_id: str, bundle: Path, files: Iterable[Path], previous: str | None
) -> dict[str, Any]:
    """The manifest of ``files`` (inside ``bundle``), by relative path, sorted."""
    digests = {path.relative_to(bundle).as_posix(): sha256_of(path) for path in files}
    return {
        "schema": VERSION,
        "run": run_id,
        "previous": previous,
        "files": dict(sorted(digests.items())),
    }


def write_manifest(run_dir: Path, bundle: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` into the bundle and the same bytes into the run record."""
    target = bundle / BUNDLE_FILE
    for path in (target, run_dir / RUN_COPY):
        write_document(path, DOCUMENT, manifest, sort_keys=True)
    return target


def verify_bundle(bundle: Path) -> int:
    """The number of files of ``bundle`` when each matches its manifest; :class:`TamperedError`
    naming the first altered, missing or extra file (or the manifest that fails its schema)."""
    manifest = _read(bundle / BUNDLE_FILE)
    listed: dict[str, str] = manifest["files"]
    for name, digest in listed.items():
        path = bundle / name
        if not path.is_file():
            raise TamperedError(f"missing: {path}")
        if sha256_of(path) != digest:
            raise TamperedError(f"altered: {path}")
    for path in sorted(p for p in bundle.rglob("*") if not p.is_dir()):
        name = path.relative_to(bundle).as_posix()
        if name != BUNDLE_FILE and name not in listed:
            raise TamperedError(f"not in the manifest: {path}")
    return len(listed)


def verify_chain(runs_dir: Path) -> int:
    """The number of links when every run's ``previous`` is the sha256 of the manifest of
    the run before it; :class:`TamperedError` naming the first broken link."""
    before: Path | None = None
    links = 0
    for run in runs_in(runs_dir):
        copy = run / RUN_COPY
        if not copy.is_file():
            continue
        previous = _read(copy)["previous"]
        expected = sha256_of(before) if before else None
        if previous != expected:
            named = before if before else copy
            raise TamperedError(f"broken chain: {named} (the previous of {copy} does not match)")
        before = copy
        links += 1
    return links


def verify_link(bundle: Path, runs_dir: Path) -> None:
    """:class:`TamperedError` unless the bundle's manifest is, byte for byte, the link its run
    keeps in ``runs_dir``: a bundle edited and given a recomputed manifest is intact on its
    own, but is no longer the one the chain vouches for."""
    manifest = bundle / BUNDLE_FILE
    run = str(_read(manifest)["run"])
    copy = runs_dir / run / RUN_COPY
    if not RUN_ID.fullmatch(run) or not copy.is_file():
        raise TamperedError(f"not in the chain: {manifest} (no {RUN_COPY} of run {run!r})")
    if copy.read_bytes() != manifest.read_bytes():
        raise TamperedError(f"altered: {manifest} (differs from {copy})")


def _read(path: Path) -> dict[str, Any]:
    """A manifest, or :class:`TamperedError` with the schema's one line."""
    try:
        return read_document(path, DOCUMENT)
    except DocumentError as exc:
        raise TamperedError(str(exc)) from None
