"""Records as element trees, for the XML formats where a tree per record is the clearest code.

Only the records are built (:class:`~remediator.ingest.xmlrecords.RecordBuilder`), fed
by :func:`~remediator.ingest.xmlfeed.pump` through defusedxml's ElementTree parser, with
the same guards as the streaming readers of :mod:`remediator.ingest.xmlsafe`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DefusedET

from remediator.errors import ScanParseError
from remediator.ingest.xmlfeed import defused_problem, located, no_dtd_reading, open_xml, pump
from remediator.ingest.xmlrecords import FirstElement, RecordBuilder, RecordTooLargeError


def _tree_parser(target: object) -> DefusedET.DefusedXMLParser:
    """defusedxml's ElementTree parser around ``target``, reading no external DTD."""
    parser = DefusedET.DefusedXMLParser(target=target, forbid_dtd=False)
    no_dtd_reading(parser.parser)
    return parser


@contextmanager
def _tree_faults(display: str) -> Iterator[None]:
    """The one-line error for a fault of an ElementTree parse."""
    try:
        yield
    except ParseError as exc:
        line, column = exc.position
        raise located(display, _expat_message(exc), line, column) from exc
    except defusedxml.DefusedXmlException as exc:
        raise ScanParseError(display, defused_problem(exc)) from exc
    except RecordTooLargeError as exc:
        raise ScanParseError(display, str(exc)) from exc
    except UnicodeError as exc:
        raise ScanParseError(display, f"text is not valid in its declared encoding: {exc}") from exc


def iter_elements(
    path: Path, display: str, tags: frozenset[str], *, strip_namespaces: bool = False
) -> Iterator[Element]:
    """Yield each complete element whose tag is in ``tags``, then clear it.

    For the smaller XML formats, where a tree per record is the clearest code. Only the
    records are built (:class:`~remediator.ingest.xmlrecords.RecordBuilder`), and each
    is cleared after the consumer is done with it, so memory follows the largest
    record, not the file.
    """
    builder = RecordBuilder(tags, strip_namespaces=strip_namespaces)
    parser = _tree_parser(builder)
    with open_xml(path, display) as reader, _tree_faults(display):
        for _ in pump(reader, parser.feed, lambda: parser.parser):
            builder.bytes_read = reader.bytes_read
            yield from _hand_on(builder)
        parser.close()
        yield from _hand_on(builder)


def _hand_on(builder: RecordBuilder) -> Iterator[Element]:
    done, builder.done = builder.done, []
    for element in done:
        yield element
        element.clear()


def root_attributes(path: Path, display: str) -> dict[str, str]:
    """The root element's attributes, read without parsing the rest of the file."""
    first = FirstElement()
    parser = _tree_parser(first)
    with open_xml(path, display) as reader, _tree_faults(display):
        for _ in pump(reader, parser.feed, lambda: parser.parser):
            if first.attributes is not None:
                return first.attributes
    raise ScanParseError(display, "no XML element found")


def _expat_message(exc: ParseError) -> str:
    return str(exc).split(":", 1)[0]


def text_of(element: Element | None, child: str = "") -> str:
    """The stripped text of ``element`` (or of its first ``child``), '' when absent."""
    node = element if not child or element is None else element.find(child)
    if node is None or node.text is None:
        return ""
    return node.text.strip()
