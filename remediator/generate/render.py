"""The Jinja environment that renders the generated files' templates.

The templates are Ansible and Python files that contain Ansible's own ``{{ }}``, so the
generator's Jinja uses other delimiters (``<< >>``, ``<% %>``, ``<# #>``) and leaves
Ansible's text alone. Autoescaping is off (the outputs are not HTML); instead every
value reaches a template through a quoting filter: ``yq`` (a YAML quoted scalar), ``yu``
(the same, ``!unsafe``), ``hosts`` (a play's host list), ``py`` (a
Python literal), ``num`` (an integer),
``word`` (a version, hash or time), ``host`` (a checked host name), ``ident``
(an identifier) or ``code`` (text for a Markdown code span).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import jinja2

from remediator.generate.safety import (
    check_host_name,
    check_identifier,
    py_literal,
    yaml_quote,
    yaml_unsafe,
)


def _word(value: object) -> str:
    """Text safe anywhere (versions, hashes, times, generated paths): no space, quote or brace."""
    if not isinstance(value, str) or re.fullmatch(r"[A-Za-z0-9._+:/-]+", value) is None:
        raise ValueError(f"{value!r} is not a plain word")
    return value


def _code(value: object) -> str:
    """Text for a Markdown code span: printable ASCII without backticks."""
    if not isinstance(value, str) or re.fullmatch(r"[ -_a-~]*", value) is None:
        raise ValueError(f"{value!r} cannot be shown as code")
    return value


def _int(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not an integer")
    return str(value)


def _hosts(values: list[str], indent: int) -> str:
    """A play's hosts as a YAML block sequence of quoted names, right after ``hosts:``.

    Ansible refuses an empty hosts list, so no hosts is the pattern ``!all`` (matches none).
    """
    if not values:
        return ' "!all"'
    pad = " " * indent
    return "".join(f"\n{pad}- {yaml_quote(v)}" for v in values)


@cache
def environment() -> jinja2.Environment:
    """The one environment (templates are package data of this module)."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
        comment_start_string="<#",
        comment_end_string="#>",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - outputs are YAML/Python; values pass quoting filters
    )
    env.filters.update(
        {
            "yq": yaml_quote,
            "yu": yaml_unsafe,
            "py": py_literal,
            "num": _int,
            "word": _word,
            "code": _code,
            "host": check_host_name,
            "ident": check_identifier,
            "hosts": _hosts,
        }
    )
    return env


def template_text(name: str) -> str:
    """A template's source (static files are shipped as-is)."""
    return (resources.files("remediator.generate") / "templates" / name).read_text("utf-8")


def _load(name: str) -> str:
    return template_text(name)


def render(name: str, **values: object) -> str:
    """Render the template ``name`` with ``values``."""
    return environment().get_template(name).render(**values)
