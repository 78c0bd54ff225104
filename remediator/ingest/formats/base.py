"""What every format module offers, and the helpers they share.

A format module exposes two functions, registered in :mod:`remediator.ingest.registry`:

* ``sniff(head: Head) -> bool``: does this file look like ours? Decided from content
  (root element, CSV header, JSON keys), never from the file name;
* ``parse(path: Path, display: str) -> Iterator[HostReport]``: stream the file's hosts.

Parsers build hosts with :func:`assemble_host`, which adds the ``port-open`` finding
every open port owes, so no format can forget the exposure itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO, Final, TypeVar

from remediator.errors import ScanParseError
from remediator.ingest.model import (
    PORT_OPEN,
    Finding,
    HostReport,
    ScannedHost,
    Service,
    Severity,
    SeverityLabel,
    Source,
)
from remediator.ingest.xmlsafe import xml_start_offset

HEAD_BYTES: Final = 64 * 1024

SEVERITY_WORDS: Final[dict[str, SeverityLabel]] = {
    "none": SeverityLabel.INFO,
    "low": SeverityLabel.LOW,
    "medium": SeverityLabel.MEDIUM,
    "high": SeverityLabel.HIGH,
    "critical": SeverityLabel.CRITICAL,
}
"""Severity words in lower case, as Nessus (``risk_factor``) and OpenVAS (threat) grade."""

_ROOT_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)")
_SKIPPABLE = re.compile(r"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>)", re.S)


@dataclass(frozen=True)
class Head:
    """The first bytes of a file, with the views sniffers need."""

    raw: bytes

    @classmethod
    def of(cls, path: Path) -> Head:
        """Read the head of ``path``."""
        with path.open("rb") as stream:
            return cls(stream.read(HEAD_BYTES))

    @cached_property
    def text(self) -> str:
        """The head decoded as UTF-8 (BOM dropped, bad bytes replaced)."""
        return self.raw.decode("utf-8", errors="replace").lstrip("\ufeff")

    @cached_property
    def xml_root(self) -> str:
        """Local name of the first element, or '' when the head is not XML."""
        text = self.raw[xml_start_offset(self.raw) :].decode("utf-8", errors="replace")
        text = text.lstrip("\ufeff")
        position = 0
        while match := _SKIPPABLE.match(text, position):
            position = match.end()
        rest = text[position:].lstrip()
        if not rest.startswith("<"):
            return ""
        tag = _ROOT_TAG.match(rest)
        return tag.group(1).rsplit(":", 1)[-1] if tag else ""

    @cached_property
    def lines(self) -> tuple[str, ...]:
        """The first lines of the head (the last, maybe partial, line dropped)."""
        lines = self.text.splitlines()
        return tuple(lines[:-1] if len(self.raw) == HEAD_BYTES else lines)


SniffFn = Callable[[Head], bool]
ParseFn = Callable[[Path, str], Iterator[HostReport]]


def open_port_finding(host: ScannedHost, service: Service, source: Source) -> Finding:
    """The exposure itself: a port answering on a scanned address."""
    label = f" ({service.name})" if service.name else ""
    return Finding(
        host=host,
        protocol=service.protocol,
        port=service.port,
        check_id=PORT_OPEN,
        title=f"Open port {service.port}/{service.protocol}{label}",
        severity=Severity(0.0, "open"),
        source=source,
        service=service,
    )


_PORT_PROTOCOLS: Final = frozenset({"tcp", "udp", "sctp"})


def assemble_host(
    host: ScannedHost,
    services: Iterable[Service],
    findings: Iterable[Finding],
    source: Source,
) -> HostReport:
    """A host's report with a ``port-open`` finding for every open port.

    Ports that only appear on findings (a vulnerability scanner found something there)
    are open by definition, so they get a service and an exposure finding too.
    Duplicate findings (same key) keep the first.
    """
    by_port: dict[tuple[str, int], Service] = {}
    for service in services:
        by_port.setdefault((service.protocol, service.port), service)
    kept: dict[tuple[str, int, str], Finding] = {}
    for finding in findings:
        kept.setdefault((finding.protocol, finding.port, finding.check_id), finding)
        port_key = (finding.protocol, finding.port)
        if finding.port > 0 and finding.protocol in _PORT_PROTOCOLS and port_key not in by_port:
            by_port[port_key] = finding.service or Service(
                host.address, finding.protocol, finding.port
            )
    for (protocol, port), service in by_port.items():
        if service.is_open and (protocol, port, PORT_OPEN) not in kept:
            kept[(protocol, port, PORT_OPEN)] = open_port_finding(host, service, source)
    return HostReport(host, tuple(by_port.values()), tuple(kept.values()))


Row = TypeVar("Row")


def read_csv_file(
    path: Path, display: str, rows: Callable[[IO[str], str], Iterator[Row]]
) -> Iterator[Row]:
    """The ``rows`` of a UTF-8 CSV file (a BOM allowed), read lazily as they are wanted.

    The CSV readers that refuse bytes they cannot decode (plain CSV, testssl.sh) share
    this, so an unreadable or non-UTF-8 file is the same one line whichever it is.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            yield from rows(stream, display)
    except OSError as exc:
        raise ScanParseError(display, f"cannot read file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ScanParseError(display, f"not UTF-8 text (byte {exc.start})") from exc
