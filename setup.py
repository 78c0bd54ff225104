"""Build hook: a wheel carries the repository's ``roles/`` and ``examples/`` as package data.

The project's metadata is all in ``pyproject.toml``. This file only adds what pyproject
cannot say: the roles (``roles/``, where Ansible users and molecule expect them) and the
example policies and scans (``examples/``) live beside the ``remediator`` package in the
repository, and every verb needs them at run time (``generate`` copies the roles into each
project, ``demo`` plans with the example policy). ``build_py`` copies them into the built
package as ``remediator/roles`` and ``remediator/examples``; ``MANIFEST.in`` puts them in
the sdist, so a wheel built from the sdist has them too. ``remediator.common.shipped``
finds either copy. Role tests (molecule), caches and hidden files stay behind.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("roles", "examples")
LEFT_BEHIND = shutil.ignore_patterns("molecule", "__pycache__", "*.pyc", ".*", "*~")


class BuildWithShippedData(build_py):
    """``build_py`` that also copies the shipped directories into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads them from the checkout
            return
        here = Path(__file__).resolve().parent
        for name in SHIPPED:
            target = Path(self.build_lib) / "remediator" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(here / name, target, ignore=LEFT_BEHIND)


setup(cmdclass={"build_py": BuildWithShippedData})
