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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Final
from xml.etree.ElementTree import Element, ParseError
from xml.sax.handler import ContentHandler

import defusedxml
import defusedxml.ElementTree as DefusedET
import defusedxml.expatreader

from remediator.errors import ScanParseError

CHUNK: Final = 1 << 20
MAX_RUN: Final = 64 << 20
"""Longest run of bytes without a ``<`` we accept (one attribute or text node)."""

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
        chunk = self._stream.read(size if size > 0 else CHUNK)
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
        head = stream.read(CHUNK)
        if not head.strip():
            raise ScanParseError(display, "file is empty")
        _check_encoding(head, display)
        stream.seek(xml_start_offset(head))
        yield _GuardedReader(stream, display)


def _located(display: str, message: str, line: int | None, column: int | None) -> ScanParseError:
    where = f"line {line}, column {column}: " if line is not None else ""
    return ScanParseError(display, f"malformed XML: {where}{message}")


def _defused_problem(exc: defusedxml.DefusedXmlException) -> str:
    if isinstance(exc, defusedxml.EntitiesForbidden):
        return "refused: the document declares XML entities (entity expansion or XXE)"
    if isinstance(exc, defusedxml.ExternalReferenceForbidden):
        return "refused: the document references an external resource"
    return f"refused: {exc}"


def sax_parse(path: Path, display: str, handler: ContentHandler) -> None:
    """Stream ``path`` through ``handler`` with defusedxml's SAX parser.

    The fastest safe way through a large file: no tree is built, the handler keeps
    only what it needs.
    """
    parser = defusedxml.expatreader.create_parser(
        forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    parser.setContentHandler(handler)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setFeature(xml.sax.handler.feature_external_pes, False)
    with open_xml(path, display) as reader:
        try:
            while chunk := reader.read(CHUNK):
                parser.feed(chunk)
            parser.close()
        except xml.sax.SAXParseException as exc:
            raise _located(
                display, exc.getMessage(), exc.getLineNumber(), exc.getColumnNumber()
            ) from exc
        except defusedxml.DefusedXmlException as exc:
            raise ScanParseError(display, _defused_problem(exc)) from exc
        except UnicodeError as exc:
            raise ScanParseError(
                display, f"text is not valid in its declared encoding: {exc}"
            ) from exc


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


ElementHandler = Callable[[Element], None]
