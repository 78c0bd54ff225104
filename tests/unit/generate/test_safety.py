"""Quoting: any text becomes a scalar or literal that loads back verbatim and is never code."""

from __future__ import annotations

import ast

import pytest
import yaml
from ansible.parsing.utils.yaml import from_yaml
from hypothesis import given
from hypothesis import strategies as st

from remediator.errors import InputError
from remediator.generate.safety import (
    check_host_name,
    check_relative,
    py_literal,
    yaml_quote,
    yaml_unsafe,
)
from remediator.generate.yamlout import dump
from tests.unit.generate.helpers import HOSTILE_STRINGS

TRICKY = (
    *HOSTILE_STRINGS,
    "",
    "true",
    "null",
    "~",
    "0x1F",
    "1e3",
    "2026-11-30",
    "<<",
    "=",
    "- x",
    "#c",
    ": x",
    "a\u2028b\u0085c\ufeff",
    "emoji \U0001f600",
    " leading and trailing ",
    "x" * 500 + " " * 7 + "y" * 300,
)

# Text as it can come out of a parser: any code point but lone surrogates.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


def _load_safe(text: str) -> object:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))
    return yaml.load(text, Loader=Loader)  # noqa: S506 - SafeLoader subclass


@pytest.mark.parametrize("text", TRICKY)
def test_unsafe_scalar_loads_back_verbatim_with_both_loaders(text: str) -> None:
    document = f"value: {yaml_unsafe(text, '  ')}\n"
    assert _load_safe(document) == {"value": text}
    assert from_yaml(document) == {"value": text}


@given(TEXT)
def test_any_text_round_trips_through_yaml(text: str) -> None:
    document = dump({"items": [{"key": text}], "plain": text})
    expected = {"items": [{"key": text}], "plain": text}
    assert _load_safe(document) == expected
    assert from_yaml(document) == expected


@given(TEXT)
def test_scalars_are_printable_ascii_on_lines_of_bounded_length(text: str) -> None:
    quoted = yaml_unsafe(text, "    ")
    assert quoted.isascii()
    for line in quoted.splitlines():
        assert all(" " <= c <= "~" for c in line)
        assert len(line) <= 160


@given(TEXT)
def test_python_literal_is_one_ascii_line_and_exact(text: str) -> None:
    literal = py_literal(text)
    assert literal.isascii()
    assert "\n" not in literal
    assert ast.literal_eval(literal) == text


def test_templates_in_data_stay_untrusted_for_ansible() -> None:
    from ansible.template import is_trusted_as_template, trust_as_template

    document = dump({"key": "{{ lookup('pipe','touch /tmp/pwned') }}", "n": "42"})
    loaded = from_yaml(trust_as_template(document))
    assert loaded["key"] == "{{ lookup('pipe','touch /tmp/pwned') }}"
    assert not is_trusted_as_template(loaded["key"])
    control = from_yaml(trust_as_template('key: "{{ x }}"'))
    assert is_trusted_as_template(control["key"])  # the same text without !unsafe would be
    assert loaded["n"] == "42"  # a number-like string stays a string


def test_lone_surrogate_becomes_replacement_character() -> None:
    surrogate = "a\ud800b"
    assert from_yaml("v: " + yaml_unsafe(surrogate)) == {"v": "a\ufffdb"}


def test_quote_never_ends_early() -> None:
    assert yaml_quote('x"\n- hosts: all') == '"x\\"\\n- hosts: all"'


@pytest.mark.parametrize("name", ["web", "web-01.example.com", "h001", "x.x.x.x", "WEB_1"])
def test_good_host_names_pass(name: str) -> None:
    assert check_host_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "../../etc/passwd", "a/b", ".hidden", "-rf", "web lab", "{{ x }}", "a\nb", "é", "x" * 254],
)
def test_bad_host_names_are_input_errors(name: str) -> None:
    with pytest.raises(InputError, match="not usable as a file name"):
        check_host_name(name, "inventory.yml")


@pytest.mark.parametrize("path", ["/etc/passwd", "../x", "a/../b", "a//b", ".ansible-lint", "a b"])
def test_bad_relative_paths_are_refused(path: str) -> None:
    with pytest.raises(InputError):
        check_relative(path)


def test_dump_refuses_keys_that_are_neither_identifiers_nor_host_names() -> None:
    with pytest.raises(InputError):
        dump({"{{ x }}": 1})
