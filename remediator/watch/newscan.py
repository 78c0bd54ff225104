"""The new scan, as the ``Rescan`` verify's comparison reads: from files, or rescanned.

``--scan FILE``: any format ``remediator ingest`` reads, addresses mapped to hosts by the
run's inventory (names in the scan are never matched). ``--rescan``: verify's own rescan
(:func:`remediator.verify.commands.rescan_of`: the lab's nmap from the run's controller
namespace, or the user's ``--rescan-command``), but over every TCP port of the accepted
addresses: an exposure is most often a port nobody meant to open, which a rescan of the
known ports alone would never see. UDP: the ports the run knew (a full UDP sweep takes
hours; give such a scan with ``--scan``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from remediator.classify.catalog_load import load_catalog
from remediator.errors import InputError
from remediator.ingest import resolve
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import Inventory, load_inventory
from remediator.verify.commands import rescan_of
from remediator.verify.model import Original
from remediator.verify.rescan import Rescan, rescan_from
from remediator.verify.scope import Scope, scope_of
from remediator.watch.accepted import Accepted
from remediator.watch.model import ScanFacts, WatchOptions

EVERY_TCP_PORT: Final = frozenset(("tcp", port) for port in range(1, 65536))


def new_scan(asked: WatchOptions, accepted: Accepted) -> tuple[Rescan, ScanFacts]:
    """The scan ``asked`` names, read (``--scan``) or made (``--rescan``)."""
    if asked.scan:
        return scan_files(asked.scan, accepted.inventory, asked.rescan_source)
    return rescanned(asked, accepted)


def scan_files(
    files: Sequence[Path], inventory: Path, sources: Iterable[str] = ()
) -> tuple[Rescan, ScanFacts]:
    """Scan files the user gives, every address they name taken as scanned on every port."""
    found = load_findings(list(files), inventory=_inventory(inventory))
    rescan = rescan_from(found, load_catalog(), sources=sources)
    facts = ScanFacts(
        "file", tuple(str(f) for f in files), tuple(sorted(rescan.formats)), tuple(sources)
    )
    return rescan, facts


def rescanned(asked: WatchOptions, accepted: Accepted) -> tuple[Rescan, ScanFacts]:
    """verify's rescan of the accepted addresses over :func:`watch_scope`; the files go to a
    temporary folder (the run record keeps verify's rescan, untouched)."""
    scope = watch_scope(o.original for o in accepted.verification.outcomes)
    if not scope.addresses:
        raise InputError(f"{accepted.record.path}: its verification holds no address to rescan")
    with tempfile.TemporaryDirectory(prefix="remediator-watch-") as folder:
        rescan = rescan_of(
            scope,
            Path(folder),
            namespace=accepted.info.network_namespace or None,
            inventory=accepted.inventory,
            command=asked.rescan_command,
            sources=asked.rescan_source,
            lab_dir=asked.lab_state_dir,
        )
    return rescan, ScanFacts("rescan", (), tuple(sorted(rescan.formats)), rescan.sources)


def watch_scope(originals: Iterable[Original]) -> Scope:
    """The addresses of ``originals``, every TCP port and the UDP ports they name."""
    known = scope_of(originals)
    other = frozenset(p for p in known.ports if p[0] != "tcp")
    return Scope(known.addresses, EVERY_TCP_PORT | other)


def _inventory(path: Path) -> Inventory:
    """The run's inventory, its DNS names resolved as verify resolves them."""
    return load_inventory(path, resolver=resolve.system_resolver)
