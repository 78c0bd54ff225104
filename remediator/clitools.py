"""Small helpers every stage's CLI module shares."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]


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
