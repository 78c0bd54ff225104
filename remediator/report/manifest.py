"""The evidence bundle's manifest: the sha256 of every file, chained run to run.

Without it an evidence.html edited after the fact reads exactly like the real one. The
manifest (``remediator/manifest/v1``) names each file of the bundle with its sha256 and
the sha256 of the previous run's manifest in the same runs directory, so:

* ``manifest.json`` in the bundle lets anyone check the bundle offline
  (:func:`verify_bundle`): an altered, missing or added file is named;
* the same bytes kept in the run record as ``evidence-manifest.json`` are the chain's
  links (:func:`verify_chain`): rewriting one run's evidence and its manifest breaks the
  ``previous`` of the next run reported after it;
* its ``record`` names the run record's own files with their sha256 (:func:`record_digests`),
  so a ``plan.json`` or ``verify.json`` edited after the report is named too
  (:func:`verify_record`, which needs the runs directory: a bundle alone cannot see it).

The chain orders runs by id: run ids start with their UTC time (``20261125T101500Z-...``)
so they sort by time. Signing (``ssh-keygen -Y sign``) is :mod:`remediator.report.signing`'s;
the signature files are named here only so that no digest list counts them: a manifest
cannot hold the digest of its own signature, and the signature needs none (any change to
it fails ``ssh-keygen -Y verify``).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
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
SIGNATURE_SUFFIX: Final = ".sig"
"""What ``ssh-keygen -Y sign`` appends to the name of the file it signs."""
BUNDLE_SIGNATURE: Final = BUNDLE_FILE + SIGNATURE_SUFFIX
RUN_COPY_SIGNATURE: Final = RUN_COPY + SIGNATURE_SUFFIX
NOT_RECORD: Final = frozenset({RUN_COPY, RUN_COPY_SIGNATURE})
"""Files of a run directory that are not its record: the manifest that lists the record,
and its signature."""
BULK_DIRS: Final = frozenset({"ansible"})
"""Subdirectories of a run directory left out of its record (see :func:`record_files`)."""


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
    run_id: str,
    bundle: Path,
    files: Iterable[Path],
    previous: str | None,
    record: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The manifest of ``files`` (inside ``bundle``), by relative path, sorted; with the
    run record's digests (:func:`record_digests`) when given."""
    manifest: dict[str, Any] = {
        "schema": VERSION,
        "run": run_id,
        "previous": previous,
        "files": _digests(bundle, files),
    }
    if record is not None:
        manifest["record"] = dict(sorted(record.items()))
    return manifest


def record_digests(run_dir: Path, bundle: Path) -> dict[str, str]:
    """The sha256 of each file of the run record (:func:`record_files`), by relative path."""
    return _digests(run_dir, record_files(run_dir, bundle))


def record_files(run_dir: Path, bundle: Path) -> Iterator[Path]:
    """The run record's files: every regular file under ``run_dir``, at any depth, except

    * ``evidence-manifest.json`` and its ``.sig``: the manifest lists the record and cannot
      list itself (the chain and the bundle's copy vouch for it);
    * ``ansible/``: ansible-runner's private data dir, a file per job event (thousands in
      one apply) that would drown the manifest; what the run concluded from them is in
      ``dry-run.json``, ``summary.json`` and ``checks/``, which are listed;
    * the bundle itself, when it is written inside the run directory (it has its own list);
    * symbolic links, never followed: a link may lead out of the record.

    The documents (``run.json``, ``manifest.json``, ``plan.json``, ``findings.json``,
    ``dry-run.json``, ``summary.json``, ``verify.json``), ``checks/`` (the controller's tests)
    and ``snapshots/`` (what each snapshot holds) are all small.
    """
    inside = bundle.resolve()
    for folder, dirs, names in os.walk(run_dir):
        here = Path(folder)
        dirs[:] = [
            d
            for d in sorted(dirs)
            if not (here == run_dir and d in BULK_DIRS) and (here / d).resolve() != inside
        ]
        for name in sorted(names):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            if here == run_dir and name in NOT_RECORD:
                continue
            yield path


def _digests(root: Path, files: Iterable[Path]) -> dict[str, str]:
    """``{relative path: sha256}`` of ``files`` under ``root``, sorted."""
    return dict(sorted((path.relative_to(root).as_posix(), sha256_of(path)) for path in files))


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
        if name not in (BUNDLE_FILE, BUNDLE_SIGNATURE) and name not in listed:
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
    run_dir = _run_dir(runs_dir, run)
    copy = run_dir / RUN_COPY if run_dir else None
    if copy is None or not copy.is_file():
        raise TamperedError(f"not in the chain: {manifest} (no {RUN_COPY} of run {run!r})")
    if copy.read_bytes() != manifest.read_bytes():
        raise TamperedError(f"altered: {manifest} (differs from {copy})")


def verify_record(bundle: Path, runs_dir: Path) -> int | None:
    """The number of run record files the bundle's manifest lists when each is unchanged in
    ``runs_dir`` (None for a manifest written before records were listed);
    :class:`TamperedError` naming the first altered or missing one. Files added to the run
    directory since (a rollback's ``restored-by``) are not the evidence's and pass."""
    manifest = _read(bundle / BUNDLE_FILE)
    record: dict[str, str] | None = manifest.get("record")
    if record is None:
        return None
    run_dir = _run_dir(runs_dir, str(manifest["run"]))
    if run_dir is None:
        raise TamperedError(f"missing: {runs_dir / str(manifest['run'])}")
    for name, digest in record.items():
        path = run_dir / name
        if path.is_symlink() or not path.is_file():
            raise TamperedError(f"missing: {path}")
        if sha256_of(path) != digest:
            raise TamperedError(f"altered: {path}")
    return len(record)


def _run_dir(runs_dir: Path, run: str) -> Path | None:
    """The run directory named ``run`` directly under ``runs_dir``: a name from a manifest,
    which anyone can edit, never becomes a path that leaves the runs directory."""
    return next((p for p in runs_in(runs_dir) if p.name == run), None)


def _read(path: Path) -> dict[str, Any]:
    """A manifest, or :class:`TamperedError` with the schema's one line."""
    try:
        return read_document(path, DOCUMENT)
    except DocumentError as exc:
        raise TamperedError(str(exc)) from None
