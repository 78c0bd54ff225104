"""Every verb's ``--help`` teaches by example and names its own exit codes.

An Ansible user reads ``--help`` before anything else; a verb whose help shows no command
line to copy, or another verb's exit codes, sends them to the source instead.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from remediator.cli import build_parser


def verbs(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Each leaf command's name (``policy check``) and its parser."""
    children = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not children and path:
        yield " ".join(path), parser
    for action in children:
        for name, child in action.choices.items():
            yield from verbs(child, (*path, name))


VERBS = dict(verbs(build_parser()))


@pytest.mark.parametrize("name", sorted(VERBS))
def test_every_verb_has_examples_and_exit_codes(name: str) -> None:
    text = VERBS[name].format_help()
    assert "examples:" in text
    assert f"remediator {name}" in text.split("examples:", 1)[1]
    assert "exit codes:" in text


@pytest.mark.parametrize("name", ["dry-run", "rollback"])
def test_run_verbs_do_not_borrow_applys_exit_codes(name: str) -> None:
    codes = VERBS[name].format_help().split("exit codes:", 1)[1]
    assert "batch failed" not in codes and "outside the window" not in codes


INVENTORY_VERBS = ("ingest", "policy check", "policy init", "plan", "generate", "dry-run", "apply")
LIMIT_VERBS = ("plan", "generate", "dry-run", "apply", "rollback", "verify")


@pytest.mark.parametrize("name", INVENTORY_VERBS)
def test_inventory_is_i_as_in_ansible(name: str) -> None:
    assert "-i INVENTORY, --inventory INVENTORY" in VERBS[name].format_help()


@pytest.mark.parametrize("name", LIMIT_VERBS)
def test_limit_is_an_ansible_host_pattern(name: str) -> None:
    assert "-l PATTERN, --limit PATTERN" in VERBS[name].format_help()
