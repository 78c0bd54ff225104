"""Small helpers every stage's CLI module shares."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Handler = Callable[[argparse.Namespace], int]
Options = TypeVar("Options")
Fields = TypeVar("Fields", bound="DataclassInstance")


def lazy(module: str, name: str) -> Handler:
    """A handler that imports ``module`` only when its command runs.

    Stage CLIs register parsers for every command at start-up; importing each stage's
    machinery (jsonschema, ansible-runner, jinja2) there would make every command,
    ``--help`` included, pay for all of them.
    """

    def handler(args: argparse.Namespace) -> int:
        function: Handler = getattr(importlib.import_module(module), name)
        return function(args)

    handler.__name__ = name
    handler.__qualname__ = f"lazy({module}:{name})"
    return handler


def lazy_options(
    module: str, name: str, options: Callable[[argparse.Namespace], Options]
) -> Handler:
    """Like :func:`lazy`, but the command is a function of typed options, not a Namespace.

    ``options`` (defined beside the parser, in the stage's ``cli.py``) turns the parsed
    arguments into the stage's frozen options object; the command in ``module`` then never
    sees argparse, so it can be called and tested with plain values.
    """

    def handler(args: argparse.Namespace) -> int:
        function: Callable[[Options], int] = getattr(importlib.import_module(module), name)
        return function(options(args))

    handler.__name__ = name
    handler.__qualname__ = f"lazy_options({module}:{name})"
    return handler


def options_from(kind: type[Fields], args: argparse.Namespace, **given: object) -> Fields:
    """The dataclass ``kind`` from parsed arguments: each field from ``given``, else by name.

    The options type is then the one list of what a command takes; ``given`` carries only
    what argparse names or shapes differently (a list made a tuple, ``--admin`` as ``admins``).
    """
    values = {
        field.name: given[field.name] if field.name in given else getattr(args, field.name)
        for field in dataclasses.fields(kind)
    }
    return kind(**values)


def add_verb(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    summary: str,
    description: str,
    epilog: str | None = None,
) -> argparse.ArgumentParser:
    """A verb's parser the way every stage writes one: ``--help`` keeps the text's layout.

    ``summary`` is the one line ``remediator --help`` lists; ``description`` and ``epilog``
    (examples, exit codes) are printed as written.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def add_runs_dir(parser: argparse.ArgumentParser) -> None:
    """``--runs-dir``: where run records are, the same for every verb that reads or makes one."""
    parser.add_argument(
        "--runs-dir",
        type=Path,
        default=Path("runs"),
        help="where run records are (default: ./runs)",
    )
