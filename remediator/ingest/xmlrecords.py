"""Build the records a format asks for, and nothing else, from ElementTree parser events.

``ElementTree.iterparse`` builds every element of a document and leaves it to the caller
to clear what it no longer needs; elements outside the records asked for hang off an open
ancestor until that closes, so 40 MB of ``<x/>`` between two OpenVAS results cost
950 MB. :class:`RecordBuilder` is a parser target that builds only the subtrees of the
wanted tags: outside them it drops every event at once. Inside one it counts what it
builds (elements and attributes held) against a budget that grows with the bytes read,
so filler inside a record is refused before it costs more than a few bytes per byte.

Nested wanted tags behave as they did with ``iterparse``: the inner element is handed
out when it ends, and stays (cleared by the consumer) inside the outer one.
"""

from __future__ import annotations

from typing import Final
from xml.etree.ElementTree import Element, TreeBuilder

HELD_FLOOR: Final = 1 << 16
"""Elements plus attributes a record may always hold: far more than any real record."""
BYTES_PER_HELD: Final = 32
"""Beyond the floor, one held element or attribute per this many bytes read. Real
records spend 20-60 bytes per element and are a sliver of the file; an element
costs some 100-200 bytes of memory, so filler is held at a few bytes per byte."""


class RecordTooLargeError(ValueError):
    """A record holds more elements than the bytes read so far can justify."""


class RecordBuilder:
    """A parser target building only the elements whose tag is in ``tags``, with their subtrees.

    ``done`` lists the wanted elements completed since it was last emptied, innermost
    first; the caller hands them on and clears them.
    """

    def __init__(self, tags: frozenset[str], *, strip_namespaces: bool = False) -> None:
        self._tags = tags
        self._strip = strip_namespaces
        self._builder: TreeBuilder | None = None
        self._wanted: list[bool] = []
        self.done: list[Element] = []
        self.held = 0
        self.bytes_read = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """An element opened: built only inside a record, or when it opens one."""
        wanted = _local(tag) in self._tags if self._strip else tag in self._tags
        if self._builder is None:
            if not wanted:
                return
            self._builder = TreeBuilder()
        self._builder.start(tag, attrib)
        self._wanted.append(wanted)
        self.held += 1 + len(attrib)
        if self.held > HELD_FLOOR + self.bytes_read // BYTES_PER_HELD:
            raise RecordTooLargeError(
                f"one <{_local(tag) if self._strip else tag}> record holds {self.held} "
                f"elements and attributes after {self.bytes_read} bytes: filler, not a report"
            )

    def end(self, tag: str) -> None:
        """An element closed: a wanted one is done; the outermost ends the record."""
        if self._builder is None:
            return
        element = self._builder.end(tag)
        if self._wanted.pop():
            if self._strip:
                for node in element.iter():
                    node.tag = _local(node.tag)
            self.done.append(element)
        if not self._wanted:
            self._builder.close()
            self._builder = None
            self.held = 0

    def data(self, text: str) -> None:
        """Character data: kept only inside a record."""
        if self._builder is not None:
            self._builder.data(text)


class FirstElement:
    """A parser target that keeps the attributes of the document's first element."""

    def __init__(self) -> None:
        self.attributes: dict[str, str] | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """Keep the first element's attributes only."""
        if self.attributes is None:
            self.attributes = dict(attrib)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag
