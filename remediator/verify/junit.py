"""A verification as JUnit XML, the report format every CI system already reads.

One test case per finding: the class name is the host (a CI groups by it), the name the
finding key and its kind. ``open``, a blocking ``new`` and ``unknown`` are failures (with the
reason; a new finding that does not fail ``verify`` passes, its title in ``system-out``),
``manual`` and ``excepted`` skipped (with the reason: a person's work, or the exception and
its expiry), ``resolved`` passes, and so does ``kept`` (an allowed service still
answering, as intended), its ``system-out`` saying so. An allowed service the rescan no
longer reaches is a failure: the run broke something it had to keep.

Only written, never parsed here; every string comes from scans and plans, so each one is
made terminal-safe and XML 1.0-legal before the standard library serialises it.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET  # only writes XML, never parses any
from pathlib import Path
from typing import Final

from remediator.common.files import replace_text
from remediator.common.text import escape, shown
from remediator.ingest.model import FindingKey
from remediator.verify.model import NewFinding, Outcome, State, Verification

FAILED: Final = frozenset({State.OPEN, State.NEW, State.UNKNOWN, State.PENDING_REBOOT})
SKIPPED: Final = frozenset({State.MANUAL, State.EXCEPTED})
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot hold at all, even escaped."""


def _text(value: object) -> str:
    """``value`` safe for a terminal and legal in XML 1.0."""
    return _NOT_XML.sub(lambda m: escape(m.group(0)), shown(value))


def junit_xml(result: Verification, suite: str) -> str:
    """The JUnit XML document of ``result``, one ``testsuite`` named ``suite``."""
    cases = [_outcome_case(o) for o in result.outcomes] + [_new_case(n) for n in result.new]
    root = ET.Element("testsuites")
    element = ET.SubElement(root, "testsuite", _suite_attributes(suite, cases))
    element.extend(cases)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(result: Verification, suite: str, target: str) -> None:
    """Write the JUnit XML to the file ``target``, or to standard output for ``-``."""
    text = junit_xml(result, suite)
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        replace_text(Path(target), text)


def _suite_attributes(suite: str, cases: list[ET.Element]) -> dict[str, str]:
    def count(tag: str) -> str:
        return str(sum(1 for c in cases if c.find(tag) is not None))

    return {
        "name": _text(suite),
        "tests": str(len(cases)),
        "failures": count("failure"),
        "errors": "0",
        "skipped": count("skipped"),
    }


def _case(host: str | None, address: str, name: str) -> ET.Element:
    """A test case named for the finding, grouped under its host (its address if none)."""
    return ET.Element("testcase", {"classname": _text(host or address), "name": _text(name)})


def _outcome_case(outcome: Outcome) -> ET.Element:
    o = outcome.original
    case = _case(o.host, o.address, f"{o.finding_key} {o.kind}")
    reason = _text(outcome.reason)
    state = outcome.state
    if outcome.allowed_broken:
        ET.SubElement(case, "failure", {"type": "allowed_broken", "message": reason})
    elif state in SKIPPED:
        ET.SubElement(case, "skipped", {"message": f"{state.value}: {reason}"})
    elif state in FAILED:
        ET.SubElement(case, "failure", {"type": state.value, "message": reason})
    elif state is State.KEPT:
        kept = f"kept: allowed by the policy and still answering, as intended: {reason}"
        ET.SubElement(case, "system-out").text = kept
    return case


def _new_case(new: NewFinding) -> ET.Element:
    key = new.key
    finding = FindingKey(key.address, key.protocol, key.port, new.check_id)
    case = _case(new.host, key.address, f"{finding} {key.kind}")
    blocking = "blocking" if new.blocking else "not blocking"
    message = _text(f"new since the original scan ({blocking}): {new.title}")
    if new.blocking:
        ET.SubElement(case, "failure", {"type": State.NEW.value, "message": message})
    else:  # reported, but it does not fail verify: CI's verdict agrees with the exit code
        ET.SubElement(case, "system-out").text = message
    return case
