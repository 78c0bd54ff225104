"""Decoding untrusted JSON in memory bounded by the input, and only into real text.

``json.loads`` turns every value into a Python object of 24 to 250 bytes, whatever its
length in the file: 20 MB of ``[],`` became 590 MB of empty lists. Before decoding, the
text's *skeleton* (the text with its strings' contents taken out) is counted: values,
lists and objects. That count bounds what decoding will build (checked against
tracemalloc: the estimate is 1.0-1.2 times the real cost for real scan files, and up to
four times it for filler), and a document estimated to build more than ``ratio`` bytes
per byte of input is refused before anything is built.

Decoded strings must also be text: JSON's ``\\ud800`` escape decodes to a lone
surrogate, which is no character and cannot be written out again, so the write of the
findings failed with a traceback, long after the read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from remediator.errors import ScanParseError

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
VALUE_BYTES: Final = 64
"""What one decoded value costs at most: the object (a list, a short string, a number)
and its slot in the container holding it."""
OBJECT_BYTES: Final = 170
"""What a JSON object costs beyond that: a small dict's table."""
WINDOW: Final = 1 << 20
"""Characters of text looked at in one step of the estimate."""
FLOOR: Final = 16 << 20
"""Estimated bytes any document may build, however small: keeps tiny files out of the
ratio's way."""


def decoded_cost(text: str) -> int:
    """An upper estimate of the bytes ``json.loads(text)`` builds, beyond the strings' text.

    Every value is followed by a comma or closes its container, and every list or object
    opens with a bracket, so commas plus opening brackets count the values.
    """
    commas = brackets = objects = 0
    for skeleton in _skeletons(text):
        commas += skeleton.count(",")
        brackets += skeleton.count("[")
        objects += skeleton.count("{")
    values = commas + brackets + objects + 1
    return VALUE_BYTES * values + OBJECT_BYTES * objects


def _skeletons(text: str) -> Iterator[str]:
    """``text`` without its strings, a window at a time.

    Taking the strings out of the whole text at once would build one small object per
    string, a few times the text for a real document. A window may end inside a string:
    its opening quote is then the first quote left in the window's skeleton (any later
    quote in the window is escaped, or it would have closed that string), everything
    after it is the window's own tail, and the next window starts at that quote.
    """
    start, size = 0, WINDOW
    while start < len(text):
        window = text[start : start + size]
        skeleton = _STRING.sub("", window)
        opened = skeleton.find('"')
        if opened < 0 or start + len(window) >= len(text):
            yield skeleton  # at the text's end an open string is malformed JSON anyway
            start += len(window)
            size = WINDOW
            continue
        cut = len(window) - (len(skeleton) - opened)
        if cut == 0:  # one string longer than the window: look further
            size *= 2
            continue
        yield skeleton[:opened]
        start += cut
        size = WINDOW


def check_expansion(text: str, display: str, ratio: int) -> None:
    """Refuse ``text`` when decoding it would build more than ``ratio`` bytes per byte."""
    cost = decoded_cost(text)
    if cost > FLOOR + ratio * len(text):
        raise ScanParseError(
            display,
            f"refused: {len(text)} bytes of JSON would decode into about {cost >> 20} MiB "
            f"of values ({cost // max(len(text), 1)} bytes per byte; a scan report needs "
            f"under {ratio}): filler, not a report",
        )


def load_document(path: Path, display: str, *, max_bytes: int, ratio: int) -> object:
    """Decode the JSON document at ``path`` within bounded memory; faults as one line."""
    try:
        if path.stat().st_size > max_bytes:
            raise ScanParseError(display, f"larger than {max_bytes >> 20} MiB")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ScanParseError(display, f"cannot read file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ScanParseError(display, f"not UTF-8 text (byte {exc.start})") from exc
    check_expansion(text, display, ratio)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScanParseError(display, f"malformed JSON: line {exc.lineno}: {exc.msg}") from exc
    except ValueError as exc:  # e.g. an integer literal longer than Python converts
        raise ScanParseError(display, f"malformed JSON: {exc}") from exc
    except RecursionError as exc:
        raise ScanParseError(display, "malformed JSON: nested too deeply") from exc
    if _SURROGATE_ESCAPE.search(text):
        refuse_lone_surrogates(document, display)
    return document


def refuse_lone_surrogates(document: object, display: str) -> None:
    """Refuse a decoded document holding a string with a lone surrogate, naming it.

    Only called when the text has a surrogate escape: a pair (an emoji written
    ``\\ud83d\\ude00``) decodes to one real character and passes.
    """
    pending: list[object] = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                code = ord(value[exc.start])
                raise ScanParseError(
                    display,
                    f"malformed JSON: a string holds a lone surrogate (\\u{code:04x}), "
                    "half of a UTF-16 pair, which is no character",
                ) from None
