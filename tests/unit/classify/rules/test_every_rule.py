"""Every classifier rule has its own module of real-scan cases here, named after its own.

A rule added without ``test_<module>.py`` beside the others fails this test, so each
rule keeps a case where it fires and one where it does not.
"""

from __future__ import annotations

from pathlib import Path

import remediator.classify.rules as rules_package
from remediator.classify.rules import RULES, ExceptedRule, WindowsRule

HERE = Path(__file__).parent
RULES_DIR = Path(rules_package.__file__).parent


def test_every_rule_module_has_a_test_module() -> None:
    modules = {p.stem for p in RULES_DIR.glob("*.py")} - {"__init__", "base"}
    missing = sorted(m for m in modules if not (HERE / f"test_{m}.py").is_file())
    assert missing == []


def test_every_registered_rule_lives_in_a_tested_module() -> None:
    for rule in (*RULES, ExceptedRule(), WindowsRule()):
        module = type(rule).__module__.rsplit(".", 1)[-1]
        assert (HERE / f"test_{module}.py").is_file(), type(rule).__name__
