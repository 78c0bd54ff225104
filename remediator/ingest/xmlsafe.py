"""Reading hostile XML: defusedxml parsers only, streaming, bounded.

Every XML scan file passes through here. What this module guarantees:

* only defusedxml's parsers see the bytes: entity declarations (billion laughs, XXE)
  and external references are refused, a DOCTYPE pointing at a remote DTD is never fetched;
* text before the XML declaration (a licence comment someone pasted on top) is skipped,
  because that is the only fault of several real scanner files;
* UTF-16 files are refused with a clear message rather than a confusing parse error;
* a single text node or attribute can't grow without bound: a run of more than
  :data:`MAX_RUN` bytes without a ``<`` ends the parse;
* every failure becomes a :class:`~remediator.errors.ScanParseError` naming file, line
  and column, never a traceback.
"""

from __future__ import annotations

import re
import xml.sax
import xml.sax.handler
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Final, Protocol
from xml.etree.ElementTree import Element, ParseError
from xml.sax.expatreader import ExpatParser
from xml.sax.handler import ContentHandler

import defusedxml
import defusedxml.ElementTree as DefusedET
import defusedxml.expatreader

from remediator.errors import ScanParseError

CHUNK: Final = 64 << 10
"""Bytes fed per step. Records a step completes are handed on after it, so a small step
keeps few of them alive at once (peak memory, and the cyclic GC seldom has work); the
per-step cost is nothing at this size."""
HEAD: Final = 1 << 20
"""Bytes looked at for the encoding and for junk before the XML declaration."""
MAX_RUN: Final = 16 << 20
"""Longest run of bytes without a ``<`` we accept (one attribute or text node)."""

TRUNCATED: Final = "the document ends before it is complete (a truncated or interrupted scan?)"

_DECLARATION = re.compile(rb"<\?xml[\s?]")
_UTF16_MARKS: Final = (b"\xff\xfe", b"\xfe\xff", b"\x00<\x00", b"<\x00")


def xml_start_offset(head: bytes) -> int:
    """Offset where the XML proper starts in a file's first bytes.

    Normally 0 (or after a UTF-8 BOM). When a declaration ``<?xml`` follows other text,
    that text is junk someone added and we start at the declaration.
    """
    match = _DECLARATION.search(head)
    if match is None or match.start() == 0:
        return 0
    prefix = head[: match.start()]
    if prefix.startswith(b"\xef\xbb\xbf") and not prefix[3:].strip():
        return 0
    return match.start()


def _check_encoding(head: bytes, display: str) -> None:
    if head.startswith(_UTF16_MARKS):
        raise ScanParseError(display, "file is UTF-16 encoded; save or convert it as UTF-8")


class _GuardedReader:
    """A binary reader that starts at the XML and stops runaway text nodes."""

    def __init__(self, stream: IO[bytes], display: str) -> None:
        self._stream = stream
        self._display = display
        self._run = 0

    def read(self, size: int = CHUNK) -> bytes:
        # expat re-scans an unfinished token from its start on every feed, so a long
        # text node fed in small chunks costs quadratic time. Inside a long run the
        # chunks grow with it, which keeps the total work linear.
        size = max(size if size > 0 else CHUNK, min(self._run, MAX_RUN))
        chunk = self._stream.read(size)
        first = chunk.find(b"<")
        if first < 0:
            self._run += len(chunk)
        else:
            self._run += first
            if self._run <= MAX_RUN:
                self._run = len(chunk) - chunk.rfind(b"<") - 1
        if self._run > MAX_RUN:
            raise ScanParseError(
                self._display,
                f"a single attribute or text node is longer than {MAX_RUN >> 20} MiB",
            )
        return chunk


@contextmanager
def open_xml(path: Path, display: str) -> Iterator[_GuardedReader]:
    """Open ``path`` positioned at its XML, refusing encodings we don't read."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise ScanParseError(display, f"cannot read file: {exc.strerror}") from exc
    with stream:
        head = stream.read(HEAD)
        if not head.strip():
            raise ScanParseError(display, "file is empty")
        _check_encoding(head, display)
        stream.seek(xml_start_offset(head))
        yield _GuardedReader(stream, display)


_TRUNCATED: Final = frozenset({"no element found", "unclosed token"})
"""expat's words for input that stops inside the document: an interrupted scan or copy."""


def _located(display: str, message: str, line: int | None, column: int | None) -> ScanParseError:
    where = f"line {line}, column {column}: " if line is not None else ""
    if message in _TRUNCATED:
        message = (
            f"the file ends before it is complete ({message}); "
            "the scan was interrupted or the file was cut short"
        )
    return ScanParseError(display, f"malformed XML: {where}{message}")


def _defused_problem(exc: defusedxml.DefusedXmlException) -> str:
    if isinstance(exc, defusedxml.EntitiesForbidden):
        return "refused: the document declares XML entities (entity expansion or XXE)"
    if isinstance(exc, defusedxml.ExternalReferenceForbidden):
        return "refused: the document references an external resource"
    return f"refused: {exc}"


class RecordError(ValueError):
    """Well-formed XML whose content breaks the format's own rules (a port that is no number).

    A streaming handler raises it; the reader adds file, line and column, so the user sees
    where the record is, as for any XML fault.
    """


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


class _SinkParser(defusedxml.expatreader.DefusedExpatParser):  # type: ignore[misc]
    """defusedxml's SAX parser with the element handlers pointed straight at a sink.

    ``reset`` (run on the first feed) creates the expat parser and defusedxml installs
    its entity, external-reference and DTD guards on it; only the element and text
    handlers are replaced afterwards, so every guard stays in force.
    """

    def __init__(self, sink: ElementSink) -> None:
        super().__init__(forbid_dtd=False, forbid_entities=True, forbid_external=True)
        self._sink = sink

    def reset(self) -> None:
        super().reset()
        expat = self._parser
        expat.buffer_text = True
        expat.StartElementHandler = self._sink.start
        expat.EndElementHandler = self._sink.end
        expat.CharacterDataHandler = self._sink.text


def _sax_parser(handler: ContentHandler) -> ExpatParser:
    parser: ExpatParser = defusedxml.expatreader.create_parser(
        forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    parser.setContentHandler(handler)
    return parser


def _feed(parser: ExpatParser, path: Path, display: str) -> Iterator[None]:
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
            while chunk := reader.read(CHUNK):
                parser.feed(chunk)
                yield
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
        return _located(display, exc.getMessage(), exc.getLineNumber(), exc.getColumnNumber())
    if isinstance(exc, RecordError):
        line, column = parser.getLineNumber(), parser.getColumnNumber()
        return ScanParseError(display, f"line {line}, column {column}: {exc}")
    if isinstance(exc, defusedxml.DefusedXmlException):
        return ScanParseError(display, _defused_problem(exc))
    return ScanParseError(display, f"unreadable XML: {exc}")


def sax_parse(path: Path, display: str, handler: ContentHandler) -> None:
    """Stream ``path`` through ``handler`` with defusedxml's SAX parser.

    The fastest safe way through a large file: no tree is built, the handler keeps
    only what it needs.
    """
    for _ in _feed(_sax_parser(handler), path, display):
        pass


def sax_stream(path: Path, display: str, handler: ContentHandler) -> Iterator[None]:
    """Like :func:`sax_parse`, but yield after every chunk so the caller can drain."""
    return _feed(_sax_parser(handler), path, display)


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
    """Yield each complete element whose tag is in ``tags``, then free it.

    For the smaller XML formats, where a tree per record is the clearest code. Elements
    are cleared after the consumer is done with them, and the root drops its children,
    so memory follows the largest record, not the file.
    """
    with open_xml(path, display) as reader:
        try:
            events = DefusedET.iterparse(reader, events=("start", "end"), forbid_dtd=False)
            root: Element | None = None
            for event, element in events:
                tag = _local(element.tag) if strip_namespaces else element.tag
                if event == "start":
                    root = element if root is None else root
                    continue
                if tag in tags:
                    if strip_namespaces:
                        _strip(element)
                    yield element
                    element.clear()
                    if root is not None:
                        root.clear()
        except ParseError as exc:
            line, column = exc.position
            raise _located(display, _expat_message(exc), line, column) from exc
        except defusedxml.DefusedXmlException as exc:
            raise ScanParseError(display, _defused_problem(exc)) from exc
        except UnicodeError as exc:
            raise ScanParseError(
                display, f"text is not valid in its declared encoding: {exc}"
            ) from exc


def root_attributes(path: Path, display: str) -> dict[str, str]:
    """The root element's attributes, read without parsing the rest of the file."""
    with open_xml(path, display) as reader:
        try:
            for _event, element in DefusedET.iterparse(reader, events=("start",), forbid_dtd=False):
                return dict(element.attrib)
        except ParseError as exc:
            line, column = exc.position
            raise _located(display, _expat_message(exc), line, column) from exc
        except defusedxml.DefusedXmlException as exc:
            raise ScanParseError(display, _defused_problem(exc)) from exc
    raise ScanParseError(display, "no XML element found")


def _expat_message(exc: ParseError) -> str:
    return str(exc).split(":", 1)[0]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def _strip(element: Element) -> None:
    for node in element.iter():
        node.tag = _local(node.tag)


def text_of(element: Element | None, child: str = "") -> str:
    """The stripped text of ``element`` (or of its first ``child``), '' when absent."""
    node = element if not child or element is None else element.find(child)
    if node is None or node.text is None:
        return ""
    return node.text.strip()
