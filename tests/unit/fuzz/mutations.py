"""Hypothesis strategies for hostile inputs: real files, mutated.

A mutation starts from a real file (a corpus scan, the lab policy, the shipped catalog)
and applies a few edits a broken tool, a bad copy or an attacker would: byte flips,
truncation, splices of two files, deletions, duplications, and the insertion of hostile
tokens (deep nesting, huge numbers, encoding declarations Python cannot decode, NULs,
lone surrogates, DOCTYPEs and entity declarations, BOMs). Random edits of a real file
reach much deeper into a parser than random bytes, which mostly fail on the first one.

The suite is deterministic (``derandomize``, no example database) so a CI failure is the
same failure on a laptop; ``REMEDIATOR_FUZZ_EXAMPLES`` raises the example count for a long
local run (``REMEDIATOR_FUZZ_EXAMPLES=2000 pytest tests/unit/fuzz``).
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.control import current_build_context

SCALE = int(os.environ.get("REMEDIATOR_FUZZ_EXAMPLES", "0"))
"""Examples per property for a long local run; 0 keeps each property's CI count."""


def time_limit(seconds: int) -> int:
    """A property's pytest timeout in CI; none (0) for a long local run."""
    return 0 if SCALE else seconds


def fuzz_settings(examples: int) -> settings:
    """Deterministic settings running ``examples`` cases (or ``REMEDIATOR_FUZZ_EXAMPLES``)."""
    return settings(
        max_examples=max(examples, SCALE),
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


class Blob:
    """A generated input with a short repr: a failing 1 MB scan prints one line, not 1 MB.

    On hypothesis' final replay of a failing example the bytes are saved to a file whose
    path is printed with the failure, ready for ``remediator ingest`` or a fixture. Not a
    dataclass: hypothesis would pretty-print its fields in full.
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        digest = hashlib.sha256(self.data).hexdigest()[:16]
        return f"Blob({len(self.data)} bytes, sha256 {digest}..., head {self.data[:80]!r})"

    def payload(self) -> bytes:
        """The bytes; saved to a file when this is the failing example's last replay."""
        if current_build_context().is_final:
            digest = hashlib.sha256(self.data).hexdigest()[:16]
            saved = Path(tempfile.gettempdir()) / f"remediator-fuzz-{digest}.bin"
            saved.write_bytes(self.data)
            note(f"failing input saved to {saved}")
        return self.data


@st.composite
def blobs(draw: st.DrawFn, strategy: st.SearchStrategy[bytes]) -> Blob:
    """``strategy``'s bytes as :class:`Blob` (drawn, not mapped: a map prints its input)."""
    return Blob(draw(strategy))


DEPTH = 5_000
HOSTILE_TOKENS: tuple[bytes, ...] = (
    b"\x00",
    b"\xef\xbb\xbf",  # UTF-8 BOM
    b"\xff\xfe",  # UTF-16 LE BOM
    b"\xfe\xff",
    b"\xed\xa0\x80",  # a lone surrogate, UTF-8-encoded (invalid UTF-8)
    b'"\\ud800"',  # a lone surrogate, JSON-escaped
    b"\\udfff",
    b"&#xD800;",
    b"&#0;",
    b"&#1114112;",
    b"\x80\xff\xc3",
    b"\r",
    b"\x1b[31m\xc2\x9b\x07\x1b]0;title\x07",  # ESC CSI, C1 CSI, BEL, OSC
    b"\xe2\x80\xae",  # RIGHT-TO-LEFT OVERRIDE
    b'<?xml version="1.0" encoding="x-bogus-42"?>',
    b'<?xml version="1.0" encoding="UTF-7"?>',
    b'<?xml version="1.0" encoding="UTF-16"?>',
    b'<?xml version="1.0" encoding="ISO-8859-1"?>',
    b"<!DOCTYPE nmaprun>",
    b'<!DOCTYPE x PUBLIC "-//IDN nmap.org//DTD Nmap XML 1.04//EN" "https://nmap.org/nmap.dtd">',
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
    b'<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]>',
    b'<!ENTITY e SYSTEM "http://192.0.2.1/x">',
    b"&a;",
    b"&e;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?pi data?>",
    b"<x:y xmlns:x='urn:x'/>",
    b"<" * 64,
    b"<a>" * DEPTH,
    b"</a>" * 64,
    b"[" * DEPTH,
    b"{" * DEPTH,
    b'{"a":' * DEPTH,
    b"- " * 2_000 + b"x",
    b"9" * 5_000,
    b"-9" + b"9" * 4_400,
    b"1e999",
    b"-1",
    b"65536",
    b"99999999999999999999",
    b"NaN",
    b"Infinity",
    b"0x1F",
    b"1_000",
    b"256.256.256.256",
    b"0.0.0.0/0",
    b"fe80::1%eth0",
    b"::ffff:10.0.0.1",
    b"a" * 70_000,
    b'"',
    b"'",
    b",",
    b";",
    b"\t",
    b"\n",
    b": ",
    b"&x [*x]",
    b"&x ",
    b"*x",
    b"<<: *x",
    b"!!int ",
    b"!!bool ",
    b"!!python/object:os.system ",
    b"? ",
    b"%YAML 1.1\n---\n",
    b"---\n",
    b"...",
)


@st.composite
def hostile_token(draw: st.DrawFn) -> bytes:
    """One hostile token, or a short run of random bytes."""
    if draw(st.integers(0, 7)) == 0:
        return draw(st.binary(min_size=1, max_size=16))
    return draw(st.sampled_from(HOSTILE_TOKENS))


def _flip(draw: st.DrawFn, data: bytes, _: Sequence[bytes]) -> bytes:
    if not data:
        return data
    where = draw(st.integers(0, len(data) - 1))
    return data[:where] + bytes([data[where] ^ draw(st.integers(1, 255))]) + data[where + 1 :]


def _truncate(draw: st.DrawFn, data: bytes, _: Sequence[bytes]) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def _insert(draw: st.DrawFn, data: bytes, _: Sequence[bytes]) -> bytes:
    where = draw(st.integers(0, len(data)))
    return data[:where] + draw(hostile_token()) + data[where:]


def _delete(draw: st.DrawFn, data: bytes, _: Sequence[bytes]) -> bytes:
    start = draw(st.integers(0, len(data)))
    return data[:start] + data[start + draw(st.integers(1, 4096)) :]


def _duplicate(draw: st.DrawFn, data: bytes, _: Sequence[bytes]) -> bytes:
    start = draw(st.integers(0, len(data)))
    end = min(len(data), start + draw(st.integers(1, 4096)))
    return data[:end] + data[start:end] * draw(st.integers(1, 8)) + data[end:]


def _splice(draw: st.DrawFn, data: bytes, others: Sequence[bytes]) -> bytes:
    other = draw(st.sampled_from(others))
    return data[: draw(st.integers(0, len(data)))] + other[draw(st.integers(0, len(other))) :]


VALUES: tuple[bytes, ...] = (
    b"",
    b" ",
    b"-",
    b"-1",
    b"0",
    b"-0",
    b"1.5",
    b"65536",
    b"99999999999999999999999",
    b"9" * 5_000,
    b"1e999",
    b"NaN",
    b"inf",
    b"null",
    b"true",
    b"[]",
    b"{}",
    b"x",
    b"0x10",
    b"1-2",
    b"80/tcp",
    b"general/tcp",
    b"10.0.0.1",
    b"999.1.1.1",
    b"::1",
    b"fe80::1%eth0",
    b"a" * 600,
    b"tcp",
    b"udp",
    b"icmp",
    b"open",
    b"closed",
    b"critical",
    b"CVE-",
    b"TLSv1.0",
    b"2026-13-45",
    b"\xc3\xa9",
    b"\xe2\x80\xae",
    b"\xef\xbf\xbf",
    b"\\ud800",  # in a JSON string: a lone surrogate
    b'"x\\udfff"',  # a JSON string holding one
)
"""Values that keep XML, JSON, CSV and YAML well-formed: they reach the code behind the parser."""

_VALUE_SLOTS = re.compile(
    rb'(?<==")[^"<>&]*(?=")'  # an XML attribute value
    rb"|(?<=>)[^<>&]{1,200}(?=<)"  # XML text
    rb'|(?<=": )(?:"[^"\\]*"|[^,\s\]}]+)'  # a JSON value
    rb"|(?<=,)[^,\r\n\"]*(?=[,\r\n])"  # a CSV field
    rb"|(?<=: )[^\r\n#]+"  # a YAML value
    rb"|(?<=- )[^\r\n#]+"  # a YAML list item
)


def _replace_value(draw: st.DrawFn, data: bytes, _: Sequence[bytes]) -> bytes:
    """Swap one field's value (after a random point) for an odd one, keeping the syntax."""
    slot = _VALUE_SLOTS.search(data, draw(st.integers(0, len(data))))
    if slot is None:
        return data
    return data[: slot.start()] + draw(st.sampled_from(VALUES)) + data[slot.end() :]


Mutation = Callable[[st.DrawFn, bytes, Sequence[bytes]], bytes]
MUTATIONS: tuple[Mutation, ...] = (
    _flip,
    _truncate,
    _insert,
    _delete,
    _duplicate,
    _splice,
    _replace_value,
    _replace_value,
    _replace_value,
)


@st.composite
def mutated(draw: st.DrawFn, seeds: Sequence[bytes], others: Sequence[bytes] = ()) -> bytes:
    """One of ``seeds`` with one to six edits; splices take their tail from ``others``."""
    data = draw(st.sampled_from(seeds))
    pool = others or seeds
    for _ in range(draw(st.integers(1, 6))):
        data = draw(st.sampled_from(MUTATIONS))(draw, data, pool)
    return data


def hostile_bytes(seeds: Sequence[bytes], others: Sequence[bytes] = ()) -> st.SearchStrategy[bytes]:
    """Mostly mutated real files, sometimes random bytes or a real head plus garbage."""
    heads = [seed[:256] for seed in seeds]
    return st.one_of(
        mutated(seeds, others),
        mutated(seeds, others),
        mutated(seeds, others),
        st.binary(max_size=2048),
        st.builds(lambda head, tail: head + tail, st.sampled_from(heads), st.binary(max_size=512)),
    )


def yaml_values() -> st.SearchStrategy[Any]:
    """Odd but well-formed YAML data: what a schema, not a parser, must refuse."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(["any", "ssh", "https", "tcp", "2026-13-40", "10.0.0.0/33", "TLSv1.0"]),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(
                st.one_of(st.text(max_size=8), st.sampled_from(POLICY_KEYS)),
                inner,
                max_size=5,
            ),
        ),
        max_leaves=20,
    )


POLICY_KEYS = (
    "version",
    "networks",
    "management",
    "groups",
    "allow",
    "deny",
    "service",
    "port",
    "protocol",
    "sources",
    "justification",
    "owner",
    "tls",
    "profile",
    "min_version",
    "exceptions",
    "expires",
    "kind",
    "finding",
    "approved_by",
    "firewall",
    "backend",
    "options",
    "remove_packages",
    "max_scan_age_days",
    "needs",
    "reason",
    "web",
    "all",
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested dicts and lists (the root excluded)."""
    found: list[tuple[Any, ...]] = []
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        found.append((*prefix, key))
        found.extend(_paths(value, (*prefix, key)))
    return found


@st.composite
def edited_data(draw: st.DrawFn, document: Any) -> Any:
    """``document`` (plain YAML data) with one to three values replaced or removed.

    Edits of a valid policy pass the schema far more often than random documents do, so
    they reach the checks behind it (CIDRs, services, groups, dates, the management rule).
    """
    data = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        holder = data
        for part in parents:
            holder = holder[part]
        if isinstance(holder, dict) and draw(st.booleans()):
            del holder[last]
        else:
            holder[last] = draw(yaml_values())
    return data
