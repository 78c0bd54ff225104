"""What an XML file's first bytes say, checked before a parser sees the rest.

* Text before the XML declaration (a licence comment someone pasted on top) is skipped,
  because that is the only fault of several real scanner files.
* UTF-16 files are refused with a clear message rather than a confusing parse error.
* An encoding declaration expat cannot be given is refused here, by name. expat reads
  UTF-8, UTF-16, ISO-8859-1 and US-ASCII itself and asks Python for any other
  encoding, which pyexpat answers only for known single-byte text codecs; anything else
  (``x-bogus-42``, ``UTF-7``, ``rot13``) used to escape from the parser as a
  ``LookupError`` or ``ValueError`` traceback.
"""

from __future__ import annotations

import re
from typing import Final

from remediator.errors import ScanParseError

_DECLARATION = re.compile(rb"<\?xml[\s?]")
_ENCODING = re.compile(rb"""\A<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.-]*)["']""")
_UTF16_MARKS: Final = (b"\xff\xfe", b"\xfe\xff", b"\x00<\x00", b"<\x00")
_EXPAT_OWN: Final = frozenset({"UTF-8", "UTF-16", "UTF-16BE", "UTF-16LE", "ISO-8859-1", "US-ASCII"})
_ALL_BYTES: Final = bytes(range(256))


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


def check_prolog(head: bytes, display: str) -> None:
    """Refuse a file whose first bytes show an encoding the parser cannot read.

    ``head`` starts where :func:`xml_start_offset` says the XML does.
    """
    if head.startswith(_UTF16_MARKS):
        raise ScanParseError(display, "file is UTF-16 encoded; save or convert it as UTF-8")
    match = _ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    if match is None:
        return
    name = match.group(1).decode("ascii")
    if not _readable_encoding(name):
        raise ScanParseError(
            display,
            f"declares the encoding {name!r}, which is not a single-byte text encoding "
            "remediator can decode; save or convert the file as UTF-8",
        )


def _readable_encoding(name: str) -> bool:
    """Whether expat, through pyexpat, can read text in ``name``.

    pyexpat decodes all 256 byte values with Python's codec and accepts the codec only
    when that gives exactly 256 characters; the same test, made here, cannot raise.
    """
    if name.upper() in _EXPAT_OWN:
        return True
    try:
        return len(_ALL_BYTES.decode(name, "replace")) == len(_ALL_BYTES)
    except (LookupError, UnicodeError, ValueError, TypeError):
        return False
