"""Small helpers every stage's CLI module shares."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import logging
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeVar

from remediator.errors import InputError

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


def iso_day(text: str) -> date:
    """An argparse type: a day as YYYY-MM-DD (a usage error naming the text otherwise)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_runs_dir(parser: argparse.ArgumentParser) -> None:
    """``--runs-dir``: where run records are, the same for every verb that reads or makes one."""
    parser.add_argument(
        "--runs-dir",
        type=Path,
        default=Path("runs"),
        help="where run records are (default: ./runs)",
    )


def add_common_options(parser: argparse.ArgumentParser, *, level: int = 0) -> None:
    """``--debug`` and ``-v/--verbose``, which every command takes, before or after its verb.

    ``level`` is how deep the verb is (0: the top-level parser). A verb's copy of
    ``--debug`` defaults to ``SUPPRESS``, so that, not given after the verb, it leaves the
    value given before it. argparse parses a verb into a namespace of its own and copies
    it over the top-level one, so a count there would restart from nothing: each level's
    ``-v`` counts under a name of its own, and :func:`verbosity` adds them up.
    """
    on_verb = level > 0
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if on_verb else False,
        help="show the traceback of an error",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        dest=f"{_VERBOSE}_{level}" if on_verb else _VERBOSE,
        default=argparse.SUPPRESS if on_verb else 0,
        help="say more on standard error (-v progress, -vv debugging detail)",
    )


_VERBOSE: Final = "verbose"


def verbosity(args: argparse.Namespace) -> int:
    """How many ``-v`` were given, before and after the verb."""
    return sum(
        count
        for name, count in vars(args).items()
        if name == _VERBOSE or name.startswith(f"{_VERBOSE}_")
    )


def verb_parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every verb's parser under ``parser`` with its words (``("policy", "init")``), nested
    verbs included, each once."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:
                    seen.add(id(sub))
                    yield (*path, name), sub
                    yield from verb_parsers(sub, (*path, name))


def spread_common_options(root: argparse.ArgumentParser) -> None:
    """Give every verb of ``root`` the common options, so they work after the verb too."""
    for path, parser in verb_parsers(root):
        add_common_options(parser, level=len(path))


_VERBOSITY: Final = (logging.WARNING, logging.INFO, logging.DEBUG)
_HANDLER: list[logging.Handler] = []


def configure_logging(verbose: int) -> None:
    """The ``remediator`` logger to standard error: warnings, ``-v`` info, ``-vv`` debug.

    Called once per command; a second call (tests run many commands in one process)
    replaces the handler it added before, and writes to the ``sys.stderr`` of now.
    """
    logger = logging.getLogger("remediator")
    for old in _HANDLER:
        logger.removeHandler(old)
    _HANDLER.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("remediator: %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    _HANDLER.append(handler)
    logger.setLevel(_VERBOSITY[min(max(verbose, 0), len(_VERBOSITY) - 1)])


STDOUT: Final = Path("-")
"""``-o -``: standard output, as for every Unix tool."""
_WRITE_A_DOCUMENT: Final = frozenset({("ingest",), ("plan",), ("policy", "init")})
"""The verbs whose ``-o`` is one document, which standard output can take."""


def verb_words(args: argparse.Namespace) -> tuple[str, ...]:
    """The verb that was parsed: ``("plan",)``, ``("policy", "init")``."""
    command: str = args.command
    sub = getattr(args, f"{command.replace('-', '_')}_command", None)
    return (command,) if sub is None else (command, str(sub))


def output_to_stdout(args: argparse.Namespace) -> None:
    """``-o -`` sends the document to standard output: the verb's ``--json`` (or, with no
    such flag, no ``-o`` at all, which already means standard output)."""
    if getattr(args, "output", None) != STDOUT:
        return
    verb = verb_words(args)
    if verb not in _WRITE_A_DOCUMENT:
        raise InputError(
            f"-o -: {' '.join(verb)} writes files, not one document for standard output"
        )
    args.output = None
    if hasattr(args, "json"):
        args.json = True
