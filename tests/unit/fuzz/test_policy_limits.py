"""Policies past Python's own limits: one line and exit 2, as the README promises.

Run as a user would (``python -m remediator.cli plan ... --policy bad.yml``) so the
test sees the real process: its exit code and everything it writes to stderr. Before
the fix a 4301-digit integer raised ValueError (Python's int-str conversion limit) and a
list nested 10,000 deep raised RecursionError, both as tracebacks with exit 1. A NUL
and a key holding a newline and an escape sequence (both found by the fuzz suite) gave
exit 2, but a message on two lines, the second one raw terminal control.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from remediator.classify.yamlmarks import MAX_DEPTH, MAX_INT_CHARS, parse_marked
from remediator.errors import PolicyError

TESTS = Path(__file__).resolve().parents[2]
REPO = TESTS.parent
POLICIES = TESTS / "fixtures" / "hostile_policy"
CLASSIFY = TESTS / "unit" / "classify" / "fixtures"


def run_plan(policy: Path) -> subprocess.CompletedProcess[str]:
    """``remediator plan`` over the lab scan with ``policy``, in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "remediator.cli", "plan", str(CLASSIFY / "lab-scan.xml")]
    command += ["--inventory", str(CLASSIFY / "lab-inventory.yml"), "--policy", str(policy)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.mark.timeout(90)
@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("int_4301_digits.yml", "integer"),
        ("nested_10000.yml", "nested"),
        ("nul_byte.yml", ":2: invalid YAML: U+0000"),
        ("control_key.yml", "allow[0]['x\\ny\\x1b[2J']: unexpected key"),
    ],
)
def test_policy_past_python_limits_is_one_line_exit_2(name: str, problem: str) -> None:
    result = run_plan(POLICIES / name)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert lines[0].isprintable(), repr(lines[0])
    assert str(POLICIES / name) in lines[0]
    assert problem in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 400, 1_000])
def test_nesting_past_the_depth_limit_names_the_line(depth: int) -> None:
    """Just past the limit, and deep enough for PyYAML's own recursion, both say 'nested'."""
    text = "version: 1\nnetworks:\n  a: " + "[" * depth + "]" * depth + "\n"
    with pytest.raises(PolicyError, match="nested"):
        parse_marked(text, "p.yml")


def test_nesting_at_the_depth_limit_is_read() -> None:
    depth = MAX_DEPTH - 1  # the mapping holding the list is one level
    doc = parse_marked("a: " + "[" * depth + "]" * depth + "\n", "p.yml")
    assert isinstance(doc.data["a"], list)


def test_longest_integer_allowed_is_read_one_more_digit_is_refused() -> None:
    doc = parse_marked(f"n: {'9' * MAX_INT_CHARS}\n", "p.yml")
    assert doc.data["n"] == int("9" * MAX_INT_CHARS)
    with pytest.raises(PolicyError, match=r"p\.yml:2: .*integer"):
        parse_marked(f"# a comment\nn: {'9' * (MAX_INT_CHARS + 1)}\n", "p.yml")


@pytest.mark.parametrize(
    "value", ["!!int abc", "!!int 0o99", '!!int ""', "!!float abc", "!!float _", "!!bool maybe"]
)
def test_explicit_tag_its_constructor_cannot_read_is_a_policy_error(value: str) -> None:
    """Found by the fuzz suite: PyYAML's constructors raise ValueError/KeyError/IndexError."""
    with pytest.raises(PolicyError, match=r"p\.yml:2: max_scan_age_days: .* is not a valid"):
        parse_marked(f"version: 1\nmax_scan_age_days: {value}\n", "p.yml")


def test_recursive_alias_is_refused_not_recursed_forever() -> None:
    with pytest.raises(PolicyError, match="nested"):
        parse_marked("a: &x [*x]\n", "p.yml")
