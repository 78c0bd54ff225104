"""Reading hostile XML: defusedxml parsers only, streaming, bounded.

Every XML scan file passes through here. What this module guarantees:

* only defusedxml's parsers see the bytes: entity declarations (billion laughs, XXE)
  and external references are refused; a DOCTYPE naming an external DTD (as nmap 6.x
  and 7.0x write) is read past, the DTD never fetched nor read;
* the prolog is checked first (:mod:`remediator.ingest.xmlprolog`): junk before the XML
  declaration skipped, UTF-16 and encodings expat cannot be given refused by name;
* work is linear in the file: expat re-scans an unfinished token (a comment, a
  processing instruction, a start tag) from its start on every feed, so each read is
  at least as long as what expat holds unfinished, and the re-scans add up to a small
  multiple of the token instead of its square;
* a single text node, attribute, tag or comment can't grow without bound: a run of more
  than :data:`MAX_RUN` bytes without a ``<``, or an unfinished token that long, ends
  the parse;
* records read as element trees are built alone (:mod:`remediator.ingest.xmlrecords`):
  nothing outside them, and filler inside them refused at a few bytes per byte;
* every failure becomes a :class:`~remediator.errors.ScanParseError` naming file, line
  and column, never a traceback.
"""

from __future__ import annotations

import xml.sax
import xml.sax.handler
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Protocol
from xml.etree.ElementTree import Element
from xml.parsers.expat import XMLParserType
from xml.sax.expatreader import ExpatParser
from xml.sax.handler import ContentHandler

import defusedxml
import defusedxml.expatreader

from remediator.errors import ScanParseError
from remediator.ingest.xmlfeed import (
    CHUNK,
    HEAD,
    MAX_RUN,
    RecordError,
    defused_problem,
    located,
    no_dtd_reading,
    open_xml,
    pump,
)
from remediator.ingest.xmlprolog import xml_start_offset
from remediator.ingest.xmlrecords import FirstElement, RecordBuilder

__all__ = [
    "CHUNK",
    "HEAD",
    "MAX_RUN",
    "ElementSink",
    "RecordError",
    "iter_elements",
    "open_xml",
    "root_attributes",
    "sax_parse",
    "sax_stream",
    "stream_elements",
    "text_of",
    "xml_start_offset",
]


class ElementSink(Protocol):
    """Receives a document's elements straight from expat: the fast path for big scans.

    No ``AttributesImpl`` object and no SAX dispatch layer per element: ``attrs`` is the
    plain dict expat builds. ``text`` gets character data, adjacent runs merged.
    """

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """An element opened."""

    def end(self, name: str) -> None:
        """An element closed."""

    def text(self, data: str) -> None:
        """Character data inside the current element."""


class _SaxParser(defusedxml.expatreader.DefusedExpatParser):  # type: ignore[misc]
    """defusedxml's SAX parser, reading no external DTD."""

    def __init__(self) -> None:
        super().__init__(forbid_dtd=False, forbid_entities=True, forbid_external=True)

    def reset(self) -> None:
        super().reset()
        no_dtd_reading(self._parser)

    def expat(self) -> XMLParserType:
        """The pyexpat parser (made by the first feed)."""
        parser: XMLParserType = self._parser
        return parser


class _SinkParser(_SaxParser):
    """defusedxml's SAX parser with the element handlers pointed straight at a sink.

    ``reset`` (run on the first feed) creates the expat parser and defusedxml installs
    its entity, external-reference and DTD guards on it; only the element and text
    handlers are replaced afterwards, so every guard stays in force. With
    ``namespaces``, names come as expat writes them with namespace processing on:
    ``uri local`` (or ``uri local prefix``) for a name in a namespace.
    """

    def __init__(self, sink: ElementSink, *, namespaces: bool = False) -> None:
        super().__init__()
        self._sink = sink
        if namespaces:
            self.setFeature(xml.sax.handler.feature_namespaces, True)

    def reset(self) -> None:
        super().reset()
        expat_parser = self._parser
        expat_parser.buffer_text = True
        expat_parser.StartElementHandler = self._sink.start
        expat_parser.EndElementHandler = self._sink.end
        expat_parser.CharacterDataHandler = self._sink.text


def _feed(parser: _SaxParser, path: Path, display: str) -> Generator[None, None, None]:
    """Feed ``path`` to ``parser`` chunk by chunk, yielding after each chunk.

    Streaming readers drain what their handler completed at every yield, so a file's
    records come out while it is read and memory follows one chunk, not the file.
    On a fault it yields once more, so every record completed before the fault comes
    out whatever the chunk boundaries, and then raises: a ScanParseError with the
    position, for expat's faults and the handler's :class:`RecordError` alike.
    """
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setFeature(xml.sax.handler.feature_external_pes, False)
    with open_xml(path, display) as reader:
        try:
            yield from pump(reader, parser.feed, parser.expat)
            parser.close()
        except (xml.sax.SAXParseException, RecordError, defusedxml.DefusedXmlException) as exc:
            yield
            raise _problem(exc, parser, display) from exc
        except UnicodeError as exc:
            yield
            problem = f"text is not valid in its declared encoding: {exc}"
            raise ScanParseError(display, problem) from exc
    yield


def _problem(exc: Exception, parser: ExpatParser, display: str) -> ScanParseError:
    """The one-line error for a fault met while feeding ``parser``."""
    if isinstance(exc, xml.sax.SAXParseException):
        return located(display, exc.getMessage(), exc.getLineNumber(), exc.getColumnNumber())
    if isinstance(exc, RecordError):
        line, column = parser.getLineNumber(), parser.getColumnNumber()
        return ScanParseError(display, f"line {line}, column {column}: {exc}")
    if isinstance(exc, defusedxml.DefusedXmlException):
        return ScanParseError(display, defused_problem(exc))
    return ScanParseError(display, f"unreadable XML: {exc}")


def sax_parse(path: Path, display: str, handler: ContentHandler) -> None:
    """Stream ``path`` through ``handler`` with defusedxml's SAX parser.

    The fastest safe way through a large file: no tree is built, the handler keeps
    only what it needs.
    """
    for _ in sax_stream(path, display, handler):
        pass


def sax_stream(path: Path, display: str, handler: ContentHandler) -> Iterator[None]:
    """Like :func:`sax_parse`, but yield after every chunk so the caller can drain."""
    parser = _SaxParser()
    parser.setContentHandler(handler)
    return _feed(parser, path, display)


def stream_elements(path: Path, display: str, sink: ElementSink) -> Iterator[None]:
    """Stream ``path`` into ``sink`` (defusedxml's expat parser, fast path), chunk by chunk.

    Yields after each chunk (and once more after the end of the document) so the
    caller can hand on the records ``sink`` completed; the document's last fault, such
    as a missing closing tag, is raised only after its earlier records came out.
    """
    return _feed(_SinkParser(sink), path, display)


def iter_elements(
    path: Path, display: str, tags: frozenset[str], *, strip_namespaces: bool = False
) -> Iterator[Element]:
    """Yield each complete element whose tag is in ``tags``, then clear it.

    For the smaller XML formats, where a tree per record is the clearest code. Only the
    records are built (:class:`~remediator.ingest.xmlrecords.RecordBuilder`), with
    ElementTree's names (``{uri}local`` in a namespace), by the same safe parser as
    :func:`stream_elements`; each is cleared after the consumer is done with it, so
    memory follows the largest record, not the file.
    """
    builder = RecordBuilder(tags, strip_namespaces=strip_namespaces)
    parser = _SinkParser(builder, namespaces=True)
    builder.position = lambda: parser.expat().CurrentByteIndex
    for _ in _feed(parser, path, display):
        done, builder.done = builder.done, []
        for element in done:
            yield element
            element.clear()


def root_attributes(path: Path, display: str) -> dict[str, str]:
    """The root element's attributes, read without parsing the rest of the file."""
    first = FirstElement()
    steps = _feed(_SinkParser(first), path, display)
    for _ in steps:
        if first.attributes is not None:
            steps.close()
            return first.attributes
    raise ScanParseError(display, "no XML element found")


def text_of(element: Element | None, child: str = "") -> str:
    """The stripped text of ``element`` (or of its first ``child``), '' when absent."""
    node = element if not child or element is None else element.find(child)
    if node is None or node.text is None:
        return ""
    return node.text.strip()
