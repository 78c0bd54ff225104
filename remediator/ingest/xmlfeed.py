"""Feeding an XML file to expat: bounded reads, sized so that expat's work stays linear.

expat keeps a token it could not finish (a comment, a processing instruction, a start
tag) and scans it again from its start on the next feed. Fed in fixed chunks, one long
token costs the square of its length: an nmap file with a 20 MB comment of ``<`` took
4.8 s, 80 MB took 59 s. :class:`GuardedReader` reads at least as much as expat holds
unfinished, so every re-scan covers twice the bytes of the one before and the re-scans
of a token add up to about twice its length (expat 2.6 does the same inside itself,
"reparse deferral"; Python 3.11 ships 2.5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Final
from xml.parsers import expat
from xml.parsers.expat import XMLParserType

import defusedxml

from remediator.errors import ScanParseError
from remediator.ingest.xmlprolog import check_prolog, xml_start_offset

CHUNK: Final = 64 << 10
"""Bytes fed per step. Records a step completes are handed on after it, so a small step
keeps few of them alive at once (peak memory, and the cyclic GC seldom has work); the
per-step cost is nothing at this size."""
HEAD: Final = 1 << 20
"""Bytes looked at for the encoding and for junk before the XML declaration."""
MAX_RUN: Final = 16 << 20
"""Longest run of bytes without a ``<`` we accept (one attribute or text node), and the
longest tag expat may hold unfinished."""
MAX_MARKUP: Final = 1 << 20
"""Longest comment or processing instruction we accept. Neither carries anything a scan
reader uses, real ones are a few hundred bytes, and pyexpat hands expat at most 1 MiB
per call (``MAX_CHUNK_SIZE``), so a longer token is re-scanned once per MiB however it
is read: past this, its cost would grow with its square again."""
_MARKUP: Final = (b"<!--", b"<?")


class GuardedReader:
    """A binary reader that starts at the XML, stops runaway tokens, sizes reads for expat."""

    def __init__(self, stream: IO[bytes], display: str) -> None:
        self._stream = stream
        self._display = display
        self._run = 0
        self._fed = 0
        self._held = 0
        self._chunk = b""
        self._token_start = -1
        self._token_head = b""

    def read(self, size: int = CHUNK) -> bytes:
        """The next bytes to feed: at least ``size``, and at least what expat holds."""
        size = max(size if size > 0 else CHUNK, self._held, min(self._run, MAX_RUN))
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
        self._fed += len(chunk)
        self._chunk = chunk
        return chunk

    @property
    def bytes_read(self) -> int:
        """Bytes of XML read so far."""
        return self._fed

    def fed(self, parser: XMLParserType) -> None:
        """Note how much of what was read ``parser`` (pyexpat) holds as an unfinished token.

        expat scans that token again, from its start, on the next feed; reading at least
        as much again makes every re-scan cover twice the bytes of the one before, so
        the re-scans of one long token sum to about twice its length. A held token
        starts either where the last one did or inside the chunk just fed, so its first
        bytes, which say what it is, are always at hand.
        """
        start = parser.CurrentByteIndex
        self._held = self._fed - start if 0 <= start <= self._fed else 0
        if not self._held:
            return
        if start != self._token_start:
            offset = start - (self._fed - len(self._chunk))
            head = self._chunk[offset : offset + 4] if offset >= 0 else b""
            self._token_start, self._token_head = start, head
        if self._held > MAX_MARKUP and self._token_head.startswith(_MARKUP):
            raise ScanParseError(
                self._display,
                f"a single comment or processing instruction is longer than {MAX_MARKUP >> 20} MiB",
            )
        if self._held > MAX_RUN:
            raise ScanParseError(self._display, f"a single tag is longer than {MAX_RUN >> 20} MiB")


class RecordError(ValueError):
    """Well-formed XML whose content breaks the format's own rules (a port that is no number).

    A streaming handler raises it; the reader adds file, line and column, so the user sees
    where the record is, as for any XML fault.
    """


@contextmanager
def open_xml(path: Path, display: str) -> Iterator[GuardedReader]:
    """Open ``path`` positioned at its XML, refusing encodings we don't read."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise ScanParseError(display, f"cannot read file: {exc.strerror}") from exc
    with stream:
        head = stream.read(HEAD)
        if not head.strip():
            raise ScanParseError(display, "file is empty")
        start = xml_start_offset(head)
        check_prolog(head[start:], display)
        stream.seek(start)
        yield GuardedReader(stream, display)


_TRUNCATED: Final = frozenset({"no element found", "unclosed token"})
"""expat's words for input that stops inside the document: an interrupted scan or copy."""


def located(display: str, message: str, line: int | None, column: int | None) -> ScanParseError:
    """The one-line error for a fault expat found at ``line``, ``column``."""
    where = f"line {line}, column {column}: " if line is not None else ""
    if message in _TRUNCATED:
        message = (
            f"the file ends before it is complete ({message}); "
            "the scan was interrupted or the file was cut short"
        )
    return ScanParseError(display, f"malformed XML: {where}{message}")


def defused_problem(exc: defusedxml.DefusedXmlException) -> str:
    """What defusedxml refused, in the user's words."""
    if isinstance(exc, defusedxml.EntitiesForbidden):
        return "refused: the document declares XML entities (entity expansion or XXE)"
    if isinstance(exc, defusedxml.ExternalReferenceForbidden):
        return "refused: the document references an external resource"
    return f"refused: {exc}"


def no_dtd_reading(parser: XMLParserType) -> None:
    """Never read an external DTD: expat then asks no handler for it.

    xml.sax asks expat to read parameter entities and the external DTD subset unless
    the document is standalone; defusedxml's handler then refuses any file naming a
    DTD (nmap's own output up to 7.0x). Without that request the DOCTYPE's external
    identifier is only a name. Entity declarations stay refused by defusedxml's other
    handlers, internal subset or not.
    """
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)


def pump(
    reader: GuardedReader, feed: Callable[[bytes], object], expat_of: Callable[[], XMLParserType]
) -> Iterator[None]:
    """Feed ``reader`` to a parser, yielding after each read; reads sized for linear work."""
    while chunk := reader.read(CHUNK):
        feed(chunk)
        reader.fed(expat_of())
        yield
