"""Build the records a format asks for, and nothing else, from a document's elements.

``ElementTree.iterparse`` builds every element of a document and leaves it to the caller
to clear what it no longer needs; elements outside the records asked for hang off an open
ancestor until that closes, so 40 MB of ``<x/>`` between two OpenVAS results cost
950 MB. :class:`RecordBuilder` is an element sink that builds only the subtrees of the
wanted tags: outside them it drops every event at once. Inside one it counts what it
builds (elements and attributes held) against a budget that grows with the bytes read,
so filler inside a record is refused before it costs more than a few bytes per byte.

Nested wanted tags behave as they did with ``iterparse``: the inner element is handed
out when it ends, and stays (cleared by the consumer) inside the outer one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final
from xml.etree.ElementTree import Element, TreeBuilder

from remediator.ingest.xmlfeed import RecordError

HELD_FLOOR: Final = 1 << 16
"""Elements plus attributes a record may always hold: far more than any real record."""
BYTES_PER_HELD: Final = 32
"""Beyond the floor, one held element or attribute per this many bytes read. Real
records spend 20-60 bytes per element and are a sliver of the file; an element costs
some 100-200 bytes of memory, so filler is held at a few bytes per byte."""


class RecordTooLargeError(RecordError):
    """A record holds more elements than the bytes read so far can justify."""


class RecordBuilder:
    """An element sink building only the elements whose tag is in ``tags``, with subtrees.

    Names arrive as expat gives them with namespace processing on (``uri local`` or
    ``uri local prefix``) and are built as ElementTree writes them (``{uri}local``).
    ``done`` lists the wanted elements completed since it was last emptied, innermost
    first; the caller hands them on and clears them. ``position`` tells the byte offset
    reached in the document, for the budget.
    """

    def __init__(self, tags: frozenset[str], *, strip_namespaces: bool = False) -> None:
        self._tags = tags
        self._strip = strip_namespaces
        self._builder: TreeBuilder | None = None
        self._wanted: list[bool] = []
        self.done: list[Element] = []
        self.held = 0
        self.position: Callable[[], int] = lambda: 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """An element opened: built only inside a record, or when it opens one."""
        tag = _tag(name, strip=self._strip)
        wanted = tag in self._tags
        if self._builder is None:
            if not wanted:
                return
            self._builder = TreeBuilder()
        if any(" " in key for key in attrs):
            attrs = {_tag(key, strip=False): value for key, value in attrs.items()}
        self._builder.start(tag, attrs)
        self._wanted.append(wanted)
        self.held += 1 + len(attrs)
        if self.held > HELD_FLOOR and self.held > HELD_FLOOR + self.position() // BYTES_PER_HELD:
            raise RecordTooLargeError(
                f"one record holds {self.held} elements and attributes, more than "
                f"{BYTES_PER_HELD} bytes of the file each: filler, not a report"
            )

    def end(self, name: str) -> None:
        """An element closed: a wanted one is done; the outermost ends the record."""
        if self._builder is None:
            return
        element = self._builder.end(_tag(name, strip=self._strip))
        if self._wanted.pop():
            self.done.append(element)
        if not self._wanted:
            self._builder.close()
            self._builder = None
            self.held = 0

    def text(self, data: str) -> None:
        """Character data: kept only inside a record."""
        if self._builder is not None:
            self._builder.data(data)


class FirstElement:
    """An element sink that keeps the attributes of the document's first element."""

    def __init__(self) -> None:
        self.attributes: dict[str, str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """Keep the first element's attributes only."""
        if self.attributes is None:
            self.attributes = dict(attrs)

    def end(self, name: str) -> None:
        """Nothing to do."""

    def text(self, data: str) -> None:
        """Nothing to do."""


def _tag(name: str, *, strip: bool) -> str:
    """ElementTree's name for expat's ``uri local [prefix]``; the local name if ``strip``."""
    if " " not in name:
        return name
    uri, local = name.split(" ")[:2]
    return local if strip else f"{{{uri}}}{local}"
