"""masscan output, ``-oJ`` JSON or ``-oX`` XML: open ports, nothing else.

masscan writes one record per port it found, in the order it found them, so one address
appears in many records. Records are grouped by address (one HostReport per IP, in the
order the addresses first appear), which holds one small entry per open port until the
file is read: memory follows the number of open ports, not the size of the file.

JSON is read record by record, whatever the layout masscan's version used (``},``
after each record, or ``,`` before it; the ``{finished: 1}`` line of old versions is
skipped). A file that stops before its closing ``]`` is an interrupted scan and fails.
Every port yields only its ``port-open`` finding; masscan judges nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, TextIO

from remediator.errors import ScanParseError
from remediator.ingest.formats.base import Head, assemble_host
from remediator.ingest.formats.nmap import root_scanner
from remediator.ingest.jsonbound import check_expansion
from remediator.ingest.model import (
    HostReport,
    ScannedHost,
    Service,
    Source,
    clip,
    normalize_address,
)
from remediator.ingest.xmlsafe import RecordError, stream_elements

FORMAT: Final = "masscan"
CHUNK: Final = 1 << 20
MAX_RECORD: Final = 16 << 20
"""Longest JSON record accepted; masscan's are a few hundred bytes, even with banners."""
MAX_EXPANSION: Final = 16
"""Bytes of decoded values allowed per byte of a read window, which always starts at a
record (:mod:`remediator.ingest.jsonbound`). masscan's records are small dense objects,
estimated at about 7; filler of empty lists at 42."""

_FINISHED = re.compile(r"\{\s*finished\s*:\s*1\s*\}")
_SEPARATORS = " \t\r\n,"
_SURROGATE = re.compile("[\ud800-\udfff]")
"""Half a UTF-16 pair, which a JSON \\u escape can name but no text holds or writes out."""


def sniff(head: Head) -> bool:
    """A JSON list whose first object has ``ip`` and ``ports``, or masscan's -oX XML."""
    text = head.text.lstrip()
    if text.startswith("["):
        try:
            first, _end = json.JSONDecoder().raw_decode(text[1:].lstrip(_SEPARATORS))
        except (ValueError, RecursionError):
            return False
        return isinstance(first, dict) and "ip" in first and isinstance(first.get("ports"), list)
    return head.xml_root == "nmaprun" and root_scanner(head) == "masscan"


@dataclass
class _Hosts:
    """Open ports grouped by address, plus the earliest time each address was seen."""

    ports: dict[str, dict[tuple[str, int], str]] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)
    version: str = ""

    def add(self, address: str, protocol: str, port: int, state: str, when: int) -> None:
        self.ports.setdefault(address, {}).setdefault((protocol, port), state)
        if when and not 0 < self.seen.get(address, 0) <= when:
            self.seen[address] = when

    def reports(self, display: str) -> Iterator[HostReport]:
        for address, ports in self.ports.items():
            when = self.seen.get(address, 0)
            stamp = datetime.fromtimestamp(when, tz=UTC) if when else None
            source = Source(FORMAT, display, "masscan", self.version, stamp)
            host = ScannedHost(address)
            services = [
                Service(address, proto, port, state) for (proto, port), state in ports.items()
            ]
            yield assemble_host(host, services, (), source)


def parse(path: Path, display: str) -> Iterator[HostReport]:
    """The hosts of a masscan file, one report per address."""
    hosts = _Hosts()
    if Head.of(path).xml_root == "nmaprun":
        for _ in stream_elements(path, display, _XmlSink(hosts)):
            pass
    else:
        for index, record in enumerate(_json_records(path, display)):
            _add_json(hosts, record, index, display)
    yield from hosts.reports(display)


# -- JSON -----------------------------------------------------------------------------


def _json_records(path: Path, display: str) -> Iterator[object]:
    """Each value of the top-level JSON list, decoded one at a time."""
    decoder = json.JSONDecoder()
    with path.open(encoding="utf-8-sig", errors="strict") as stream:
        buffer = _read(stream, display).lstrip()
        if not buffer.startswith("["):
            raise ScanParseError(display, "masscan JSON must be a list of records")
        buffer, position = buffer[1:], 0
        check_expansion(buffer, display, MAX_EXPANSION)
        while True:
            position = _skip(buffer, position)
            if buffer.startswith("]", position):
                break
            if (old := _FINISHED.match(buffer, position)) is not None:
                position = old.end()
                continue
            try:
                record, position = decoder.raw_decode(buffer, position)
            except (ValueError, RecursionError) as exc:
                # A record cut by the end of the buffer: read at least as much again, so
                # decoding a long record from its start again costs linear time in all.
                more = _read(stream, display, max(CHUNK, len(buffer) - position))
                if not more:
                    raise _json_error(display, buffer, position, exc) from exc
                buffer = buffer[position:] + more
                position = 0
                if len(buffer) > MAX_RECORD:
                    raise ScanParseError(display, "a record is longer than 16 MiB") from exc
                check_expansion(buffer, display, MAX_EXPANSION)
                continue
            yield record
        rest = buffer[position + 1 :] + _read(stream, display)
        if rest.strip():
            raise ScanParseError(display, "unexpected content after the closing ']'")


def _read(stream: TextIO, display: str, size: int = CHUNK) -> str:
    try:
        text = stream.read(size)
    except UnicodeDecodeError as exc:
        raise ScanParseError(display, f"not UTF-8 text: {exc}") from exc
    return text


def _skip(buffer: str, position: int) -> int:
    while position < len(buffer) and buffer[position] in _SEPARATORS:
        position += 1
    return position


def _json_error(display: str, buffer: str, position: int, exc: Exception) -> ScanParseError:
    """At the end of the input: a record cut short means the file is, else bad JSON."""
    stop = getattr(exc, "pos", len(buffer))
    if not buffer[position:].strip() or stop >= len(buffer.rstrip()):
        return ScanParseError(
            display,
            "the file ends before it is complete (no closing ']'); the scan was interrupted",
        )
    return ScanParseError(display, f"invalid JSON record: {exc}")


def _add_json(hosts: _Hosts, record: object, index: int, display: str) -> None:
    where = f"record {index + 1}"
    if not isinstance(record, Mapping) or not isinstance(record.get("ip"), str):
        raise ScanParseError(display, f'{where} is not an object with an "ip"')
    ports = record.get("ports", [])
    if not isinstance(ports, list):
        raise ScanParseError(display, f'{where}: "ports" is not a list')
    address = normalize_address(record["ip"])
    when = _epoch(record.get("timestamp"))
    for entry in ports:
        if not isinstance(entry, Mapping):
            raise ScanParseError(display, f"{where}: a port entry is not an object")
        number = entry.get("port")
        if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= 65535:
            raise ScanParseError(display, f"{where}: port {clip(str(number), 32)!r} is not 0-65535")
        protocol = entry.get("proto", "tcp")
        state = entry.get("status", "open")
        if not isinstance(protocol, str) or not isinstance(state, str):
            raise ScanParseError(display, f"{where}: proto and status must be text")
        if any(_SURROGATE.search(text) for text in (record["ip"], protocol, state)):
            raise ScanParseError(display, f"{where}: a string holds a lone surrogate (\\u escape)")
        hosts.add(address, clip(protocol, 16), number, clip(state, 32), when)


def _epoch(value: object) -> int:
    text = str(value) if isinstance(value, int | str) else ""
    return int(text) if text.isdigit() and len(text) < 12 else 0


# -- XML --------------------------------------------------------------------------------


class _XmlSink:
    """masscan -oX: a ``<host>`` per record, one ``<address>``, one ``<port>``.

    A banner record (``<service name= banner=>``) has no ``<state>``: masscan only
    grabs banners from open ports, so it counts as open.
    """

    def __init__(self, hosts: _Hosts) -> None:
        self._hosts = hosts
        self._start = 0
        self._when = 0
        self._address = ""
        self._port: tuple[str, int] | None = None
        self._state = ""

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """Record what masscan says about the current host and port."""
        if name == "nmaprun":
            self._hosts.version = clip(attrs.get("version", ""))
            self._start = _epoch(attrs.get("start", ""))
        elif name == "host":
            self._when = _epoch(attrs.get("endtime", "")) or self._start
            self._address = ""
        elif name == "address" and attrs.get("addrtype", "ipv4") in {"ipv4", "ipv6"}:
            self._address = normalize_address(attrs.get("addr", ""))
        elif name == "port":
            number = attrs.get("portid", "")
            if not number.isdigit() or len(number) > 5 or int(number) > 65535:
                raise RecordError(f"port number {clip(number, 32)!r} is not 0-65535")
            self._port, self._state = (clip(attrs.get("protocol", "tcp"), 16), int(number)), "open"
        elif name == "state":
            self._state = clip(attrs.get("state", ""), 32)

    def end(self, name: str) -> None:
        """A finished ``<port>`` is one record."""
        if name == "port" and self._port is not None:
            if not self._address:
                raise RecordError("a <port> comes before its host's <address>")
            protocol, port = self._port
            self._hosts.add(self._address, protocol, port, self._state, self._when)
            self._port = None

    def text(self, data: str) -> None:
        """masscan's XML carries nothing in text nodes."""
