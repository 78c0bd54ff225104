"""Where the files remediator ships beside its code are: the roles and the examples.

The repository keeps ``roles/`` and ``examples/`` at its top level, where Ansible users
and molecule look for them; a built wheel carries them inside the package (``setup.py``
copies them to ``remediator/roles`` and ``remediator/examples``). Every verb finds them
through :func:`shipped_dir`, so an installed remediator and a source checkout behave
the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import remediator

SHIPPED: Final = ("roles", "examples")
"""The top-level directories of the repository that a wheel carries as package data."""


def shipped_dir(name: str) -> Path:
    """The installed copy of ``name`` (one of :data:`SHIPPED`), else the checkout's.

    Prefers the package's own copy (a wheel or sdist install); falls back to the
    directory beside the package (a checkout, or an editable install of one). The
    caller checks that what it needs is there and says what is missing.
    """
    if name not in SHIPPED:
        raise ValueError(f"{name!r} is not shipped with remediator")
    package = Path(remediator.__file__).resolve().parent
    installed = package / name
    return installed if installed.is_dir() else package.parent / name
