"""Turning untrusted text into inert literals, and names into safe file names.

Scan data is attacker-controlled: a banner may hold ``{{ lookup('pipe', ...) }}``, a
newline followed by ``- hosts: all``, a YAML tag, shell text or a path. The generated
project may contain such text only as data, so every string reaches a generated file
through one of the functions here and nowhere else:

* :func:`yaml_quote` — a YAML double-quoted scalar holding only printable ASCII (every
  other character escaped), so no value can end the scalar, start a tag or a new node;
* :func:`yaml_unsafe` — the same scalar tagged ``!unsafe``, so Ansible never templates it;
* :func:`py_literal` — a Python string literal (``ascii()``): one line, ASCII, exact;
* :func:`check_host_name` — inventory names become file names only after a strict check;
* :func:`check_address`, :func:`check_user` — connection values of the inventory, written
  as :class:`Checked` plain quoted scalars (see there) only after a strict check.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

import yaml

from remediator.errors import InputError

HOST_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,252}")
"""Inventory host names usable as file names: DNS-like, no slash, no leading dot."""

UNIT_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@\\-]{0,254}")
"""systemd unit names (and inetd service names) we are willing to name in tests."""

IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

USER_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
"""Login names (POSIX portable characters): what ``ansible_user`` may be."""

FOLD_WIDTH: Final = 80
"""A folded scalar's lines break at the first word boundary after this many characters..."""
HARD_WIDTH: Final = 120
"""...or mid-word after this many (ansible-lint's yamllint allows 160 per line)."""

_PRINTABLE_ASCII: Final = frozenset(chr(c) for c in range(0x20, 0x7F)) - {'"', "\\"}
_SHORT_ESCAPES: Final = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\0": "\\0",
}


def _escape_char(char: str) -> str:
    if char in _PRINTABLE_ASCII:
        return char
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "\\uFFFD"  # a lone surrogate is not text; YAML parsers reject it
    if code < 0x100:
        return f"\\x{code:02X}"
    if code < 0x10000:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def yaml_quote(text: str, indent: str | None = None) -> str:
    """``text`` as a YAML double-quoted scalar of printable ASCII; loads back verbatim.

    A newline becomes the two characters backslash-n, a quote becomes backslash-quote:
    whatever the text, the scalar ends only at the closing quote written here. A lone
    surrogate (possible from JSON input, impossible in real text) becomes U+FFFD.

    With ``indent``, a long scalar is split over lines with escaped line breaks (which
    YAML joins without adding anything), continuation lines indented by ``indent``;
    splits fall after a space where possible and only ever before a character that is
    not a space (a continuation line's leading spaces would be dropped).
    """
    tokens = [_escape_char(c) for c in text]
    if indent is None:
        return '"' + "".join(tokens) + '"'
    lines: list[str] = []
    current: list[str] = []
    length = 0
    for token in tokens:
        at_word = bool(current) and current[-1] == " "
        if not token.isspace() and (length >= HARD_WIDTH or (length >= FOLD_WIDTH and at_word)):
            lines.append("".join(current))
            current, length = [], 0
        current.append(token)
        length += len(token)
    lines.append("".join(current))
    return '"' + f"\\\n{indent}".join(lines) + '"'


def yaml_unsafe(text: str, indent: str | None = None) -> str:
    """``text`` as an ``!unsafe`` scalar: data to YAML, never a template to Ansible.

    ansible-core resolves an ``!unsafe`` scalar as if it were plain, so ``!unsafe "true"``
    would load as a boolean and ``!unsafe ""`` as null. Text that plain YAML would read as
    anything but a string (booleans, numbers, null, dates — none can hold template
    syntax) is therefore written as a plain quoted scalar, which loads as the string.
    """
    if _implicit_tag(text) != _STR_TAG:
        return yaml_quote(text, indent)
    return "!unsafe " + yaml_quote(text, indent)


_STR_TAG: Final = "tag:yaml.org,2002:str"


def _implicit_tag(text: str) -> str:
    resolver = yaml.resolver.Resolver()
    resolved: str = resolver.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return resolved


def py_literal(text: str) -> str:
    """``text`` as a Python string literal: ASCII, one line, evaluates to ``text`` exactly."""
    return ascii(text)


def check_host_name(name: str, source: str = "the plan") -> str:
    """``name`` if it is safe as a file name, else InputError naming where it came from."""
    if HOST_NAME.fullmatch(name) is None:
        raise InputError(
            f"{source}: inventory host name {py_literal(name)} is not usable as a file name "
            "(allowed: letters, digits, '.', '_', '-', starting with a letter or digit)"
        )
    return name


class Checked(str):
    """A string that passed a strict check (no character Jinja or YAML could act on).

    Written as a plain double-quoted scalar, without ``!unsafe``: connection variables
    such as ``ansible_host`` are read by tools other than Ansible's templar, and
    ``ansible-inventory --list`` (which pytest-testinfra's backend reads) prints an
    ``!unsafe`` value as ``{"__ansible_unsafe": ...}``, not as the string.
    """

    __slots__ = ()


def check_address(text: str, source: str = "the plan") -> Checked:
    """An IP address (normalized; no IPv6 zone, which may hold any text) or a DNS name.

    A DNS name must match :data:`HOST_NAME` (letters, digits, ``.``, ``_``, ``-``), so
    neither form can hold template, YAML or shell syntax.
    """
    try:
        if "%" not in text:
            return Checked(str(ipaddress.ip_address(text)))
    except ValueError:
        if HOST_NAME.fullmatch(text) is not None:
            return Checked(text)
    raise InputError(
        f"{source}: host address {py_literal(text)} is neither an IP address (without a "
        "zone) nor a DNS name of letters, digits, '.', '_' and '-'"
    )


def check_user(text: str, source: str = "the inventory") -> Checked:
    """A login name of the POSIX portable characters, else InputError."""
    if USER_NAME.fullmatch(text) is None:
        raise InputError(
            f"{source}: ansible_user {py_literal(text)} is not a login name "
            "(letters, digits, '.', '_', '-', at most 32)"
        )
    return Checked(text)


def check_identifier(name: str) -> str:
    """``name`` if it is a plain identifier (mapping keys and variable names we emit)."""
    if IDENTIFIER.fullmatch(name) is None:
        raise ValueError(f"{name!r} is not an identifier")
    return name


def slug(text: str) -> str:
    """A lower-case identifier fragment of ``text`` (for test and file names)."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return cleaned or "x"


RELATIVE_PART: Final = re.compile(r"[A-Za-z0-9_@+-][A-Za-z0-9_.@+-]*")


DOT_FILES: Final = frozenset({".ansible-lint-ignore"})
"""The only hidden files a generated project has."""


def check_relative(path: str) -> str:
    """``path`` if it is a plain relative path (no ``..``, no absolute, no odd characters)."""
    parts = path.split("/")
    if path in DOT_FILES:
        return path
    if not path or any(RELATIVE_PART.fullmatch(p) is None for p in parts):
        raise InputError(f"{py_literal(path)} is not a plain relative path")
    return path
