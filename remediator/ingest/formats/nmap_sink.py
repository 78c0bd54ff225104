"""The element handler that reads nmap XML into one host record at a time.

It is the hot loop of reading a big scan: a 65,536-host ``-sV`` file is two million
elements, nine in ten of them ``<port>``, ``<state>``, ``<service>`` and ``<cpe>``. Those
are handled inline in :meth:`NmapSink.start`; everything else goes through small
dispatch tables, one per place in the document (run, host, script), so an element in
the wrong place (a ``<script>`` in ``<prescript>``, a ``<cpe>`` of an OS class) is never
taken for something it is not. Repeated values (protocols, states, products, CPEs) are
capped once and shared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from remediator.ingest.formats.nmap_nse import NseScript, NseTable
from remediator.ingest.model import ScannedHost, clip, normalize_address
from remediator.ingest.xmlsafe import RecordError

_IP_TYPES: Final = frozenset({"ipv4", "ipv6"})
_CANONICAL_IPV4 = re.compile(
    r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
)
"""A dotted quad already in the form ``normalize_address`` gives: kept as is (it is hot)."""
MAX_TABLE_DEPTH: Final = 64
"""NSE tables nest a few levels; a hostile file nesting thousands would exhaust recursion."""
MAX_CPES: Final = 64
MAX_SCRIPTS: Final = 1024
"""nmap has about 600 scripts and names a few CPEs per service; more is a hostile file
(and the tuples these grow in would make it quadratic)."""
_SHARED_LIMIT: Final = 4096
"""Distinct shared strings kept; a hostile file of unique values only empties the cache."""


ServiceFields = tuple[str, str, str, str, str]
"""A ``<service>``'s name, product, version, extrainfo and tunnel."""


class PortRecord:
    """A ``<port>`` as read: service fields are (name, product, version, extrainfo, tunnel).

    CPEs and scripts are tuples grown by concatenation: a port has a handful at most,
    and not allocating two lists per port spares the cyclic GC a third of its work.
    """

    __slots__ = ("cpes", "port", "protocol", "scripts", "service", "state")

    def __init__(self, protocol: str, port: int) -> None:
        self.protocol = protocol
        self.port = port
        self.state = ""
        self.service: ServiceFields = ("", "", "", "", "")
        self.cpes: tuple[str, ...] = ()
        self.scripts: tuple[NseScript, ...] = ()


class NmapHostRecord:
    """A ``<host>`` as read: its addresses, names, state, best OS guess, ports, scripts."""

    __slots__ = (
        "addresses",
        "hostnames",
        "os",
        "os_accuracy",
        "ports",
        "scripts",
        "start",
        "state",
    )

    def __init__(self, start: str) -> None:
        self.start = start
        self.state = "unknown"
        self.addresses: list[str] = []
        self.hostnames: list[str] = []
        self.os = ""
        self.os_accuracy = -1
        self.ports: list[PortRecord] = []
        self.scripts: tuple[NseScript, ...] = ()


class _Table:
    """An NSE ``<table>`` (or the ``<script>`` itself) being read."""

    __slots__ = ("elems", "key", "tables")

    def __init__(self, key: str) -> None:
        self.key = key
        self.elems: list[tuple[str, str]] = []
        self.tables: list[NseTable] = []

    def freeze(self) -> NseTable:
        return NseTable(self.key, tuple(self.elems), tuple(self.tables))


Start = Callable[[dict[str, str]], None]
End = Callable[[], None]


class NmapSink:
    """Reads elements (an :class:`~remediator.ingest.xmlsafe.ElementSink`) into records.

    Each ``<host>`` becomes a :class:`NmapHostRecord` in :attr:`ready` when it closes; the
    reader drains the list after every chunk. ``<hosthint>`` hosts wait in
    :attr:`hints` until their ``<host>`` arrives.
    """

    def __init__(self) -> None:
        self.ready: list[NmapHostRecord] = []
        self.hints: dict[str, ScannedHost] = {}
        self.seen_root = False
        self.version = ""
        self.run_start = ""
        self._host: NmapHostRecord | None = None
        self._port: PortRecord | None = None
        self._strings: dict[str, str] = {}
        self._services: dict[tuple[str, ...], ServiceFields] = {}
        self._numbers: dict[str, int] = {}
        self._buffer: list[str] = []
        self._text: list[str] | None = None
        """``_buffer`` while the text of a ``<cpe>`` or ``<elem>`` is being kept, else None."""
        self._script: tuple[str, str] = ("", "")
        self._tables: list[_Table] = []
        self._elem_key = ""
        self._run_starts: dict[str, Start] = {
            "nmaprun": self._nmaprun,
            "host": self._host_start,
            "hosthint": self._host_start,
        }
        self._host_starts: dict[str, Start] = {
            "status": self._status,
            "address": self._address,
            "hostname": self._hostname,
            "script": self._script_start,
            "osmatch": self._osmatch,
        }
        self._host_ends: dict[str, End] = {
            "host": self._host_end,
            "hosthint": self._hint_end,
            "ports": self._ports_end,
        }
        self._script_starts: dict[str, Start] = {"table": self._table, "elem": self._elem}
        self._script_ends: dict[str, End] = {
            "script": self._script_end,
            "table": self._table_end,
            "elem": self._elem_end,
        }
        self._starts = self._run_starts
        self._ends: dict[str, End] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """An element opened: port data inline, the rest by the current dispatch table."""
        if name == "state":
            if self._port is not None:
                state = attrs.get("state", "")
                self._port.state = self._strings.get(state) or self._share(state)
        elif name == "service":
            if self._port is not None:
                self._port.service = self._service(attrs)
        elif name == "port":
            self._port_start(attrs)
        elif name == "cpe":
            if self._port is not None:
                self._buffer.clear()
                self._text = self._buffer
        else:
            handler = self._starts.get(name)
            if handler is not None:
                handler(attrs)

    def end(self, name: str) -> None:
        """An element closed."""
        if name == "cpe":
            if self._text is not None and self._port is not None:
                if len(self._port.cpes) >= MAX_CPES:
                    raise RecordError(f"a <service> has more than {MAX_CPES} <cpe>")
                cpe = "".join(self._text).strip()
                self._port.cpes += (self._strings.get(cpe) or self._share(cpe),)
                self._text.clear()
            self._text = None
        else:
            handler = self._ends.get(name)
            if handler is not None:
                handler()

    def text(self, data: str) -> None:
        """Character data: kept only inside a ``<cpe>`` or an NSE ``<elem>``."""
        if self._text is not None:
            self._text.append(data)

    def _share(self, text: str) -> str:
        """``text`` capped, and the same object for the same value: scans repeat a lot."""
        known = self._strings.get(text)
        if known is None:
            if len(self._strings) > _SHARED_LIMIT:
                self._strings.clear()
            known = self._strings[text] = clip(text)
        return known

    def _service(self, attrs: dict[str, str]) -> ServiceFields:
        get = attrs.get
        raw = (
            get("name", ""),
            get("product", ""),
            get("version", ""),
            get("extrainfo", ""),
            get("tunnel", ""),
        )
        known = self._services.get(raw)
        if known is None:
            share = self._share
            known = (share(raw[0]), share(raw[1]), share(raw[2]), share(raw[3]), share(raw[4]))
            if len(self._services) > _SHARED_LIMIT:
                self._services.clear()
            self._services[raw] = known
        return known

    # -- run and host ----------------------------------------------------------------

    def _nmaprun(self, attrs: dict[str, str]) -> None:
        self.seen_root = True
        self.version = clip(attrs.get("version", ""))
        self.run_start = attrs.get("start", "")

    def _host_start(self, attrs: dict[str, str]) -> None:
        if not self.seen_root:
            raise RecordError("a <host> outside <nmaprun>: not nmap XML output")
        self._host = NmapHostRecord(attrs.get("starttime", "") or self.run_start)
        self._starts, self._ends = self._host_starts, self._host_ends

    def _status(self, attrs: dict[str, str]) -> None:
        if self._host is not None:
            self._host.state = self._share(attrs.get("state", ""))

    def _address(self, attrs: dict[str, str]) -> None:
        if attrs.get("addrtype", "ipv4") in _IP_TYPES and self._host is not None:
            address = attrs.get("addr", "")
            canonical = _CANONICAL_IPV4.fullmatch(address)
            self._host.addresses.append(address if canonical else normalize_address(address))

    def _hostname(self, attrs: dict[str, str]) -> None:
        name = attrs.get("name", "")
        if name and self._host is not None:
            self._host.hostnames.append(clip(name))

    def _osmatch(self, attrs: dict[str, str]) -> None:
        accuracy = attrs.get("accuracy", "0")
        score = int(accuracy) if accuracy.isdigit() and len(accuracy) < 4 else 0
        if self._host is not None and score > self._host.os_accuracy:
            self._host.os, self._host.os_accuracy = clip(attrs.get("name", "")), score

    def _host_end(self) -> None:
        host, self._host, self._port = self._host, None, None
        self._starts, self._ends = self._run_starts, {}
        if host is None:
            return
        if not host.addresses:
            raise RecordError("a <host> has no IPv4 or IPv6 <address>")
        for address in host.addresses:
            self.hints.pop(address, None)
        self.ready.append(host)

    def _hint_end(self) -> None:
        hint, self._host = self._host, None
        self._starts, self._ends = self._run_starts, {}
        if hint is not None and hint.state == "up":
            hostnames = tuple(dict.fromkeys(hint.hostnames))
            for address in hint.addresses:
                self.hints[address] = ScannedHost(address, hostnames, "up")

    # -- ports ------------------------------------------------------------------------

    def _port_start(self, attrs: dict[str, str]) -> None:
        number = attrs.get("portid", "")
        port = self._numbers.get(number)
        if port is None:
            port = int(number) if number.isdigit() and len(number) < 6 else -1
            if not 0 <= port <= 65535:
                raise RecordError(f"port number {clip(number, 32)!r} is not 0-65535")
            self._numbers[number] = port
        protocol = attrs.get("protocol", "")
        self._port = PortRecord(self._strings.get(protocol) or self._share(protocol), port)
        if self._host is not None:
            self._host.ports.append(self._port)

    def _ports_end(self) -> None:
        # Host scripts and OS CPEs come after </ports>: they belong to no port.
        self._port = None

    # -- scripts ----------------------------------------------------------------------

    def _script_start(self, attrs: dict[str, str]) -> None:
        self._script = (attrs.get("id", ""), attrs.get("output", ""))
        self._tables = [_Table("")]
        self._starts, self._ends = self._script_starts, self._script_ends

    def _script_end(self) -> None:
        script = NseScript(*self._script, self._tables[0].freeze())
        self._tables = []
        self._starts, self._ends = self._host_starts, self._host_ends
        owner = self._port or self._host
        if owner is not None:
            if len(owner.scripts) >= MAX_SCRIPTS:
                raise RecordError(f"more than {MAX_SCRIPTS} <script> results on one port or host")
            owner.scripts += (script,)

    def _table(self, attrs: dict[str, str]) -> None:
        if len(self._tables) > MAX_TABLE_DEPTH:
            raise RecordError(f"NSE output nested deeper than {MAX_TABLE_DEPTH} tables")
        self._tables.append(_Table(clip(attrs.get("key", ""))))

    def _table_end(self) -> None:
        if len(self._tables) > 1:
            table = self._tables.pop().freeze()
            self._tables[-1].tables.append(table)

    def _elem(self, attrs: dict[str, str]) -> None:
        self._elem_key = clip(attrs.get("key", ""))
        self._buffer.clear()
        self._text = self._buffer

    def _elem_end(self) -> None:
        if self._text is not None and self._tables:
            self._tables[-1].elems.append((self._elem_key, "".join(self._text)))
            self._text.clear()
        self._text = None
