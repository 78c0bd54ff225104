"""Defaults for command-line options from ``remediator.cfg`` and ``REMEDIATOR_*`` variables.

An Ansible user keeps the inventory and the like in ``ansible.cfg`` once rather than on
every command line; remediator reads its own file the same way and in the same order:

1. the file named by ``$REMEDIATOR_CONFIG`` (it must exist);
2. ``./remediator.cfg``, unless the current directory is world-writable (then it is
   ignored with a warning: anyone could have put it there, as Ansible reasons);
3. ``~/.remediator.cfg``.

Only the first found is read. It is INI: ``[defaults]`` holds options for every command
that has them, a section named after a command (``[plan]``, ``[policy init]``) holds that
command's. Keys are long option names, with dashes or underscores (``runs-dir``,
``runs_dir``). ``REMEDIATOR_<OPTION>`` variables (``REMEDIATOR_INVENTORY``) beat the file;
the command line beats both. This module only finds and reads the values; what they mean
is the parser's business (:func:`remediator.clitools.apply_settings`).
"""

from __future__ import annotations

import configparser
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from remediator.errors import InputError

CONFIG_ENV: Final = "REMEDIATOR_CONFIG"
PROGRAM: Final = "remediator"
FILE_NAME: Final = f"{PROGRAM}.cfg"
HOME_FILE_NAME: Final = f".{PROGRAM}.cfg"
DEFAULTS: Final = "defaults"
"""The section whose keys apply to every command that has the option."""
ENV_PREFIX: Final = "REMEDIATOR_"


@dataclass(frozen=True)
class Setting:
    """One configured value and where it came from, for error lines."""

    value: str
    origin: str
    """``remediator.cfg: [plan] inventory`` or ``$REMEDIATOR_INVENTORY``."""
    from_section: str | None = None
    """The file section it was read from; None for an environment variable."""


@dataclass(frozen=True)
class Settings:
    """Every configured value: the file's sections and the environment's."""

    file: Path | None = None
    sections: Mapping[str, Mapping[str, Setting]] = field(default_factory=dict)
    environment: Mapping[str, Setting] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def lookup(self, command: str, key: str) -> Setting | None:
        """The value of option ``key`` for ``command``: environment, its section, defaults."""
        for found in (
            self.environment.get(key),
            self.sections.get(command, {}).get(key),
            self.sections.get(DEFAULTS, {}).get(key),
        ):
            if found is not None:
                return found
        return None


def option_key(name: str) -> str:
    """``--runs-dir``, ``runs-dir`` and ``runs_dir`` are the same key: ``runs_dir``."""
    return name.lstrip("-").replace("-", "_").lower()


def load_settings(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None, home: Path | None = None
) -> Settings:
    """The settings found the way :mod:`this module <remediator.common.config>` describes."""
    env = os.environ if environ is None else environ
    here = Path.cwd() if cwd is None else cwd
    path, warnings = _find_file(env, here, home)
    sections = _read_file(path) if path is not None else {}
    return Settings(path, sections, _environment(env), warnings)


def _find_file(
    env: Mapping[str, str], cwd: Path, home: Path | None
) -> tuple[Path | None, tuple[str, ...]]:
    named = env.get(CONFIG_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise InputError(f"${CONFIG_ENV}={named}: no such configuration file")
        return path, ()
    warnings: tuple[str, ...] = ()
    local = cwd / FILE_NAME
    if local.is_file():
        if _world_writable(cwd):
            warnings = (
                f"ignoring {local}: the current directory is world-writable, so anyone "
                "could have written it",
            )
        else:
            return Path(FILE_NAME), ()
    try:
        home_dir = Path.home() if home is None else home
    except RuntimeError:  # no home directory to be found
        return None, warnings
    personal = home_dir / HOME_FILE_NAME
    return (personal if personal.is_file() else None), warnings


def _world_writable(directory: Path) -> bool:
    try:
        return bool(directory.stat().st_mode & stat.S_IWOTH)
    except OSError:
        return True  # cannot tell: do not trust it


def _read_file(path: Path) -> dict[str, dict[str, Setting]]:
    parser = configparser.ConfigParser(interpolation=None, default_section="\x00none", strict=True)
    try:
        with path.open(encoding="utf-8") as stream:
            parser.read_file(stream, source=str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except (configparser.Error, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: not a configuration file: {first}") from None
    return {
        section: {
            option_key(key): Setting(value, f"{path}: [{section}] {key}", section)
            for key, value in parser.items(section)
        }
        for section in parser.sections()
    }


def _environment(env: Mapping[str, str]) -> dict[str, Setting]:
    """Every ``REMEDIATOR_X`` variable as option ``x``; those that name no option are
    left alone by the parser (other tools and tests use the prefix too)."""
    return {
        option_key(name.removeprefix(ENV_PREFIX)): Setting(value, f"${name}")
        for name, value in env.items()
        if name.startswith(ENV_PREFIX) and name != CONFIG_ENV
    }
