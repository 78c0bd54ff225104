"""Terminal-safe text: every string from a scan, a policy or an inventory, before a human sees it.

A scanned banner, address or host name is written by whoever runs the scanned machine.
Printed raw, an ESC or C1 CSI sequence moves the cursor, rewrites earlier lines or sets
the window title (OSC); a newline fakes a line of the report; a bidi override or isolate
shows text in another order than it is read (Trojan Source, CVE-2021-42574); a
zero-width character makes two different names look the same. :func:`shown` replaces
each such character with a visible escape (``\\x1b``, ``\\u202e``), so what is printed is
exactly what the input said, one line per line, in reading order.

Escaped: C0 controls (tab and newline included, unless the caller keeps them), DEL, C1
controls, the line and paragraph separators, and every format character (Unicode ``Cf``:
bidi marks, overrides and isolates, zero-width spaces and joiners, the BOM, tag
characters) and lone surrogates (which would not even encode). This is the one helper
every human-facing renderer uses; HTML output escapes markup as well, after this.
"""

from __future__ import annotations

import unicodedata
from typing import Final

_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SHORT: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
"""The escapes everyone reads at sight, as Python writes them."""
NAMED: Final = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    "\u200b\u200c\u200d\u2060\ufeff\x7f"
)
"""The characters the brief names (bidi controls, zero-width, DEL); all are in the categories
above too, listed so the intent does not rest on one Unicode database version."""


def unsafe(char: str) -> bool:
    """Whether ``char`` must not reach a terminal as itself."""
    return char in NAMED or unicodedata.category(char) in _CATEGORIES


def escape(char: str) -> str:
    """The visible escape of one character: ``\\n``, ``\\x1b``, ``\\u202e``, ``\\U000e0041``."""
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def shown(text: object, keep: str = "") -> str:
    """``text`` (made a string) with every unsafe character escaped, except those in ``keep``.

    ``keep="\\t"`` suits a diff body; nothing is kept by default, so one value is always
    one line.
    """
    value = text if isinstance(text, str) else str(text)
    if value.isprintable() and not any(c in NAMED for c in value):
        return value  # the common case, without a per-character loop
    return "".join(c if c in keep or not unsafe(c) else escape(c) for c in value)
