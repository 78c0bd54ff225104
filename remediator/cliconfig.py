"""Configured defaults (:mod:`remediator.common.config`) made the parser's own defaults.

No stage's CLI knows about the configuration file: after every verb is registered, each
option of the verb being run that has a configured value gets it as its default (converted by the
option's own ``type`` and checked against its ``choices``, so a bad value fails at once,
naming where it was written) and stops being required. The command line, parsed
afterwards, still beats both.

``apply``'s ``--window``, ``--approved-by``, ``--ticket`` and ``--no-approval`` are the
operator's statement for this one change; they are never taken from a file or the
environment (a configured waiver would approve every apply unseen). Written in an
``[apply]`` section they are an error; from ``[defaults]`` or a variable (where ``window``
serves ``generate``) they are left out of ``apply``, and ``apply`` says so on stderr.
"""

from __future__ import annotations

import argparse
import configparser
import shlex
from collections.abc import Mapping, Sequence
from typing import Final

from remediator.clitools import verb_parsers
from remediator.common.config import DEFAULTS, Setting, Settings, option_key
from remediator.errors import InputError

ONLY_FROM_COMMAND_LINE: Final[dict[tuple[str, ...], frozenset[str]]] = {
    ("apply",): frozenset({"window", "approved_by", "ticket", "no_approval"})
}
"""Per verb, the options only its command line may give."""

Verb = tuple[str, ...]
Options = Mapping[str, argparse.Action]


def apply_settings(
    root: argparse.ArgumentParser, settings: Settings, argv: Sequence[str]
) -> tuple[Setting, ...]:
    """Make ``settings`` the defaults of the options of the verb ``argv`` runs (and of the
    top level); return the settings withheld from its command-line-only options.

    Only that verb is configured: two verbs may give one option name different types,
    and a ``[defaults]`` value wrong for one must not stop the other. Every key of every
    section is still checked to be some option.
    """
    verbs: dict[Verb, argparse.ArgumentParser] = {(): root, **dict(verb_parsers(root))}
    _check_known(settings, {path: _options(parser) for path, parser in verbs.items()})
    running = running_verb(root, argv)
    withheld: list[Setting] = []
    for path in {(), running}:
        withheld.extend(_configure(path, _options(verbs[path]), settings))
    return tuple(withheld)


def running_verb(root: argparse.ArgumentParser, argv: Sequence[str]) -> Verb:
    """The verb ``argv`` names, nested verbs included (``("policy", "init")``); ``()`` for
    none. Words that are not a verb of the parser reached so far are passed over."""
    path: Verb = ()
    parsers = dict(verb_parsers(root))
    for word in argv:
        if (*path, word) in parsers:
            path = (*path, word)
    return path


def _configure(path: Verb, options: Options, settings: Settings) -> list[Setting]:
    withheld: list[Setting] = []
    for key, action in options.items():
        setting = settings.lookup(" ".join(path), key)
        if setting is None:
            continue
        if key in ONLY_FROM_COMMAND_LINE.get(path, ()):
            if setting.from_section == " ".join(path):
                raise InputError(
                    f"{setting.origin}: {' '.join(path)}'s --{key.replace('_', '-')} "
                    "is taken only from its command line"
                )
            withheld.append(setting)
            continue
        action.default = _value(action, setting)
        action.required = False
    return withheld


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """A parser's configurable options by key: those with a long name and a default of
    their own (not help, not version, not a verb's copy of a top-level option)."""
    found: dict[str, argparse.Action] = {}
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._VersionAction):
            continue
        if action.default is argparse.SUPPRESS:
            continue
        for name in action.option_strings:
            if name.startswith("--"):
                found[option_key(name)] = action
    return found


def _check_known(settings: Settings, verbs: Mapping[Verb, Options]) -> None:
    """Every section is a verb (or defaults), every key one of its options."""
    by_name = {" ".join(path): options for path, options in verbs.items() if path}
    every = {key for options in verbs.values() for key in options}
    for section, values in settings.sections.items():
        if section != DEFAULTS and section not in by_name:
            raise InputError(
                f"{settings.file}: [{section}] is not a command (sections: [defaults] "
                "or a command's name, e.g. [plan], [policy init])"
            )
        known = every if section == DEFAULTS else set(by_name[section])
        for key, setting in values.items():
            if key not in known:
                raise InputError(f"{setting.origin}: unknown option {key!r}")


_BOOLEAN: Final = configparser.ConfigParser.BOOLEAN_STATES


def _value(action: argparse.Action, setting: Setting) -> object:
    """The configured text as the value the option would have had on the command line."""
    text = setting.value.strip()
    try:
        if isinstance(action, argparse._StoreConstAction):
            return action.const if _boolean(text) else action.default
        if isinstance(action, argparse._CountAction):
            return int(text)
        if isinstance(action, argparse._AppendAction) or action.nargs in ("+", "*"):
            return [_checked(action, item) for item in shlex.split(text)]
        return _checked(action, text)
    except (argparse.ArgumentTypeError, TypeError, ValueError) as exc:
        raise InputError(f"{setting.origin}: {exc}") from None


def _boolean(text: str) -> bool:
    if text.lower() not in _BOOLEAN:
        raise ValueError(f"{text!r} is not true or false")
    return _BOOLEAN[text.lower()]


def _checked(action: argparse.Action, text: str) -> object:
    convert = action.type if callable(action.type) else None
    value = convert(text) if convert is not None else text
    if action.choices is not None and value not in action.choices:
        choices = ", ".join(map(str, action.choices))
        raise ValueError(f"{text!r} is not one of: {choices}")
    return value
