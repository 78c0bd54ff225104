"""The explicit registry of scan formats: format name -> parser module.

Order matters for detection: the first format whose ``sniff`` accepts a file's head
reads it, so the most specific sniffers come first and the plain CSV/JSON formats last.
Modules are imported on first use, which keeps ``remediator --help`` fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cached_property
from types import ModuleType
from typing import Final

from remediator.ingest.formats.base import Head, ParseFn, SniffFn


@dataclass(frozen=True)
class ScanFormat:
    """One readable format: its name, the ``--format`` family it belongs to, its module."""

    name: str
    family: str
    module: str
    description: str
    streaming: bool = False
    """Read in bounded memory whatever the file size; others are size-capped."""

    @cached_property
    def _module(self) -> ModuleType:
        return importlib.import_module(self.module)

    @property
    def sniff(self) -> SniffFn:
        """The module's content sniffer."""
        sniff: SniffFn = self._module.sniff
        return sniff

    @property
    def parse(self) -> ParseFn:
        """The module's streaming parser."""
        parse: ParseFn = self._module.parse
        return parse


def _format(
    name: str, family: str, module: str, description: str, *, streaming: bool = False
) -> ScanFormat:
    return ScanFormat(name, family, f"remediator.ingest.formats.{module}", description, streaming)


FORMATS: Final[tuple[ScanFormat, ...]] = (
    _format("nmap", "nmap", "nmap", "nmap XML (-oX), with NSE script output", streaming=True),
    _format("nessus", "nessus", "nessus", "Nessus v2 .nessus export", streaming=True),
    _format("openvas-xml", "openvas", "openvas_xml", "OpenVAS/GVM report XML"),
    _format("openvas-csv", "openvas", "openvas_csv", "OpenVAS/GVM CSV results export"),
    _format("qualys-xml", "qualys", "qualys_xml", "Qualys scan report / asset data XML"),
    _format("qualys-csv", "qualys", "qualys_csv", "Qualys (and Qualys-engine ASV) CSV export"),
    _format("nexpose", "nexpose", "nexpose", "Rapid7 Nexpose XML report 1.0/2.0"),
    _format("sslscan", "sslscan", "sslscan", "sslscan --xml output"),
    _format("sslyze", "sslyze", "sslyze", "sslyze --json_out output"),
    _format("testssl", "testssl", "testssl", "testssl.sh --csvfile output"),
    _format("masscan", "masscan", "masscan", "masscan -oJ output"),
    _format("json", "json", "plain_json", "remediator plain JSON (docs/formats.md)"),
    _format("csv", "csv", "plain_csv", "remediator plain CSV (docs/formats.md)"),
)

FAMILIES: Final[tuple[str, ...]] = tuple(dict.fromkeys(f.family for f in FORMATS))


def formats_in(family: str) -> tuple[ScanFormat, ...]:
    """The formats a ``--format`` value names ('auto' names all of them)."""
    if family == "auto":
        return FORMATS
    return tuple(f for f in FORMATS if family in (f.family, f.name))


def detect(head: Head, family: str = "auto") -> ScanFormat | None:
    """The first format of ``family`` whose sniffer accepts ``head``."""
    for scan_format in formats_in(family):
        if scan_format.sniff(head):
            return scan_format
    return None
