"""Collecting a .nessus file's ReportHosts straight from the XML stream.

A .nessus file opens with its scan policy (the plugin list alone can be megabytes) and
then has one ``<ReportHost>`` per host. :class:`NessusSink` receives expat's events via
:func:`remediator.ingest.xmlsafe.stream_elements`: it ignores everything outside
``<ReportHost>`` at the cost of one comparison per event and keeps, per host, only the
properties and item fields the findings are built from. Finished hosts wait in
:attr:`NessusSink.done` until the parser hands them on, so memory follows one host.

Texts are kept up to :data:`TEXT_CAP` characters; the length of the rest is counted so
the evidence can say how much was cut.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Final

from remediator.ingest.model import EVIDENCE_LIMIT
from remediator.ingest.xmlsafe import RecordError

_PLUGIN_DIGITS: Final = 12
"""Nessus plugin ids have six digits today; a longer "number" is garbage, not an id."""

TEXT_CAP: Final = 4 * EVIDENCE_LIMIT
"""Characters kept of one text field; evidence is cut shorter later anyway."""

HOST_PROPERTIES: Final = frozenset(
    {
        "host-ip",
        "host-fqdn",
        "host-rdns",
        "hostname",
        "netbios-name",
        "operating-system",
        "HOST_START",
        "HOST_START_TIMESTAMP",
    }
)
"""The HostProperties tags a ScannedHost and its scan time are made of."""

ITEM_FIELDS: Final = frozenset(
    {
        "plugin_output",
        "synopsis",
        "description",
        "solution",
        "risk_factor",
        "cvss3_base_score",
        "cvss_base_score",
        "cvss3_vector",
        "cvss_vector",
        "cve",
        "compliance",
        "compliance-check-name",
        "compliance-check-id",
        "compliance-result",
    }
)
"""The ReportItem children findings are built from (``cm:`` prefix dropped)."""


@dataclass(frozen=True, slots=True)
class Captured:
    """A text as far as it was kept, and how long it really was."""

    text: str
    length: int

    @property
    def truncated(self) -> bool:
        """Whether characters beyond :data:`TEXT_CAP` were dropped."""
        return self.length > len(self.text)


@dataclass(slots=True)
class ItemRecord:
    """One ``<ReportItem>``: its attributes and the kept child texts, in file order."""

    attrs: dict[str, str]
    fields: dict[str, list[Captured]] = field(default_factory=dict)

    def text(self, name: str) -> str:
        """The stripped text of the first ``name`` child, '' when absent."""
        values = self.fields.get(name)
        return values[0].text.strip() if values else ""

    def captured(self, name: str) -> Captured | None:
        """The first ``name`` child as captured, None when absent."""
        values = self.fields.get(name)
        return values[0] if values else None

    def texts(self, name: str) -> list[str]:
        """The stripped texts of every ``name`` child (``<cve>`` repeats)."""
        return [value.text.strip() for value in self.fields.get(name, [])]


@dataclass(slots=True)
class NessusHostRecord:
    """One ``<ReportHost>``: its name, the kept properties and its items."""

    name: str
    properties: dict[str, str] = field(default_factory=dict)
    items: list[ItemRecord] = field(default_factory=list)


class _TextBuffer:
    """Character data of one element, kept up to :data:`TEXT_CAP`, the rest counted."""

    __slots__ = ("_kept", "_length", "_parts")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._kept = 0
        self._length = 0

    def add(self, data: str) -> None:
        self._length += len(data)
        room = TEXT_CAP - self._kept
        if room > 0:
            piece = data[:room]
            self._parts.append(piece)
            self._kept += len(piece)

    def value(self) -> Captured:
        return Captured("".join(self._parts), self._length)


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


class NessusSink:
    """Receives expat events for a .nessus file and completes :class:`NessusHostRecord` s."""

    def __init__(self) -> None:
        self.done: deque[NessusHostRecord] = deque()
        self._host: NessusHostRecord | None = None
        self._item: ItemRecord | None = None
        self._depth = 0
        """Depth below the current ReportItem (1 = its direct children)."""
        self._property = ""
        self._field = ""
        self._buffer: _TextBuffer | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """An element opened: start a host, an item, or a text we keep."""
        if name == "ReportHost":
            if self._host is not None:
                raise RecordError("a <ReportHost> inside another <ReportHost>")
            self._host = NessusHostRecord(attrs.get("name", "").strip())
            return
        host = self._host
        if host is None:
            return
        if self._item is not None:
            self._depth += 1
            field_name = _local(name)
            if self._depth == 1 and field_name in ITEM_FIELDS:
                self._field = field_name
                self._buffer = _TextBuffer()
        elif name == "ReportItem":
            self._item = ItemRecord(dict(attrs))
            self._depth = 0
        elif name == "tag" and attrs.get("name", "") in HOST_PROPERTIES:
            self._property = attrs["name"]
            self._buffer = _TextBuffer()

    def text(self, data: str) -> None:
        """Character data: kept only inside an element we want."""
        if self._buffer is not None:
            self._buffer.add(data)

    def end(self, name: str) -> None:
        """An element closed: file its text, its item or its host."""
        if self._host is None:
            return
        if self._item is not None:
            self._end_in_item()
        elif name == "tag" and self._buffer is not None:
            self._host.properties.setdefault(self._property, self._buffer.value().text.strip())
            self._buffer = None
        elif name == "ReportHost":
            self.done.append(self._host)
            self._host = None

    def _end_in_item(self) -> None:
        item = self._item
        if item is None or self._host is None:
            return
        if self._depth == 0:
            _check_item(item.attrs)
            self._host.items.append(item)
            self._item = None
            return
        if self._depth == 1 and self._buffer is not None:
            item.fields.setdefault(self._field, []).append(self._buffer.value())
            self._buffer = None
        self._depth -= 1


def port_number(text: str) -> int | None:
    """The port a ReportItem's ``port`` attribute names, None when it names none."""
    value = text.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 5) or int(value) > 65535:
        return None
    return int(value)


def _check_item(attrs: dict[str, str]) -> None:
    """Refuse an item the findings could not be keyed by (where the reader can say the line)."""
    plugin = attrs.get("pluginID", "").strip()
    if not (plugin.isascii() and plugin.isdigit() and len(plugin) <= _PLUGIN_DIGITS):
        raise RecordError(f"<ReportItem> has pluginID {plugin[:32]!r}, not a plugin number")
    if port_number(attrs.get("port", "")) is None:
        port = attrs.get("port", "")[:32]
        raise RecordError(f"<ReportItem> has port {port!r}, not a port number")
