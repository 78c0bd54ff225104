"""``generate --awx``: AWX objects as awx.awx tasks, checked against the modules' own specs.

There is no AWX server here. What can be checked without one is: every task's arguments
pass the real argument spec of the ``awx.awx`` module it calls (captured from the
module's ``main()``, so an unknown option, a wrong choice or a missing required one
fails as the module would fail it), the schedule's RRULE opens when the project's window
does, and the playbook passes ``--syntax-check`` and ansible-lint (test_ansible_checks).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from remediator.common.checkrun import check_run_vars
from remediator.common.window import parse_window
from remediator.generate.awx import CONFIGURE, VARS, rrule
from remediator.generate.model import Options
from tests.unit.generate.helpers import golden_plan, options, project

GENERATED_AT = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
SAMPLES: Mapping[str, object] = {"str": "x", "bool": True, "int": 1, "list": [], "dict": {}}
"""A value of each declared type, for arguments that are templated until run time."""


class _CapturedError(Exception):
    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__("captured")
        self.spec = spec


def argument_spec(module: str) -> dict[str, Any]:
    """The argument spec ``awx.awx.<module>`` builds in its ``main()``."""
    code = importlib.import_module(f"ansible_collections.awx.awx.plugins.modules.{module}")

    class Capture:
        def __init__(self, argument_spec: dict[str, Any], **_: object) -> None:
            raise _CapturedError(argument_spec)

    real = code.ControllerAPIModule
    code.ControllerAPIModule = Capture
    try:
        code.main()
    except _CapturedError as captured:
        return captured.spec
    finally:
        code.ControllerAPIModule = real
    raise AssertionError(f"awx.awx.{module} built no module")


def problems(module: str, arguments: Mapping[str, Any]) -> list[str]:
    """What the module's spec says of ``arguments``, templated values as samples."""
    spec = argument_spec(module)
    values: dict[str, Any] = {}
    for name, given in arguments.items():
        if isinstance(given, str) and "omit" in given:
            continue
        templated = isinstance(given, str) and "{{" in given
        kind = (spec.get(name) or {}).get("type", "str")
        values[name] = SAMPLES.get(kind, "x") if templated else given
    result = ArgumentSpecValidator(spec).validate(values)
    unsupported = [f"unsupported: {p}" for p in sorted(result.unsupported_parameters)]
    return [str(e) for e in result.errors] + unsupported


class _Loader(yaml.SafeLoader):
    """YAML as Ansible reads it: ``!unsafe`` strings are strings."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def awx_tasks(opts: Options) -> list[tuple[str, dict[str, Any]]]:
    files = project(golden_plan(), replace(opts, awx="fix-q3"))
    play = yaml.load(files[CONFIGURE], Loader=_Loader)[0]  # noqa: S506 - a safe loader
    found = []
    for task in play["tasks"]:
        for key, arguments in task.items():
            if key.startswith("awx.awx."):
                found.append((key.removeprefix("awx.awx."), arguments))
    return found


def test_every_task_passes_its_modules_argument_spec() -> None:
    tasks = awx_tasks(options("Sat 22:00-02:00 Europe/Berlin"))
    assert [m for m, _ in tasks] == [
        "project", "inventory", "inventory_source", "job_template", "job_template", "schedule"
    ]  # fmt: skip
    for module, arguments in tasks:
        assert problems(module, arguments) == [], (module, arguments)


def test_the_spec_check_fails_what_the_module_would_fail() -> None:
    module, arguments = awx_tasks(options())[3]
    assert module == "job_template"
    assert problems(module, {**arguments, "job_type": "apply"})
    assert "unsupported: no_such_option" in problems(module, {**arguments, "no_such_option": 1})


def test_the_check_template_runs_as_remediator_dry_run_does() -> None:
    files = project(golden_plan(), replace(options(), awx="fix-q3"))
    check = awx_tasks(options())[3][1]
    assert check["job_type"] == "check" and check["diff_mode"] is True
    awx_vars = yaml.load(files[VARS], Loader=_Loader)  # noqa: S506 - a safe loader
    assert awx_vars["remediator_awx_check_vars"] == check_run_vars()
    assert awx_vars["remediator_awx_schedule_enabled"] is False  # enabled by a person


def test_no_window_no_schedule() -> None:
    assert "schedule" not in [m for m, _ in awx_tasks(options(None))]
    assert CONFIGURE not in project(golden_plan(), options())  # only with --awx


def window_options(spec: str) -> Options:
    return Options(generated_at=GENERATED_AT, window=parse_window(spec, GENERATED_AT))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "Sat 22:00-02:00 Europe/Berlin",
            "DTSTART;TZID=Europe/Berlin:20261212T220000 "
            "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=SA;UNTIL=20270308T093000Z",
        ),
        (  # weekdays, a zone west of UTC; the first opening is tonight's
            "Mon-Fri 23:30-01:00 America/New_York",
            "DTSTART;TZID=America/New_York:20261208T233000 "
            "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270308T093000Z",
        ),
        (
            "2026-12-12T22:00:00+01:00/2026-12-13T02:00:00+01:00",
            "DTSTART:20261212T210000Z RRULE:FREQ=MINUTELY;INTERVAL=1;COUNT=1",
        ),
        ("now+2h", "DTSTART:20261208T093000Z RRULE:FREQ=MINUTELY;INTERVAL=1;COUNT=1"),
    ],
)
def test_the_schedule_opens_with_the_window(spec: str, expected: str) -> None:
    opts = window_options(spec)
    assert opts.window is not None
    assert rrule(opts.window, opts) == expected
    first = next(opts.window.openings(GENERATED_AT)).start  # the project's first opening
    weekly = opts.window.interval is None
    shown = first.astimezone(ZoneInfo(opts.window.zone) if weekly else UTC)
    assert shown.strftime("%Y%m%dT%H%M%S") in expected


def test_a_window_across_a_dst_change_keeps_its_local_time() -> None:
    """DTSTART with TZID and a weekly rule: AWX keeps 22:00 Berlin time after the clocks
    change, as the project's own openings do."""
    opts = window_options("Sat 22:00-02:00 Europe/Berlin")
    assert opts.window is not None
    spring = datetime(2027, 4, 3, 20, 0, tzinfo=UTC)  # Saturday after the change: UTC+2
    assert next(opts.window.openings(spring)).start == datetime(2027, 4, 3, 20, 0, tzinfo=UTC)
    assert "TZID=Europe/Berlin:20261212T220000" in rrule(opts.window, opts)
