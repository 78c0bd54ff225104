"""Host vars of the wrong shape end in one line naming host and var (exit 2), never a traceback.

``ansible_port: "{{ 22 }}"`` is common Ansible: a template whose value is a literal is
evaluated as Ansible would; any other template, a list, a mapping, an out-of-range port,
a non-text ``ansible_host`` or a ``remediator_addresses`` that is not a list of IP
addresses is refused by :func:`load_inventory` with an InputError.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remediator.cli import main
from remediator.errors import InputError
from remediator.ingest.inventory import load_inventory


def _inventory(tmp_path: Path, variables: dict[str, object], name: str = "inv.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"all": {"hosts": {"web1": variables}}}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("value", "port"),
    [("{{ 22 }}", 22), ("{{22}}", 22), ("{{ '2222' }}", 2222), ("2222", 2222), (2222, 2222)],
)
def test_literal_port_templates_are_evaluated_as_ansible_would(
    tmp_path: Path, value: object, port: int
) -> None:
    inventory = load_inventory(_inventory(tmp_path, {"ansible_port": value}))
    assert inventory.host("web1").port == port


def test_a_literal_ansible_host_template_is_an_address(tmp_path: Path) -> None:
    path = _inventory(tmp_path, {"ansible_host": "{{ '192.0.2.10' }}"})
    inventory = load_inventory(path)
    assert inventory.host("web1").addresses == ("192.0.2.10",)
    assert inventory.match("192.0.2.10") is inventory.host("web1")


@pytest.mark.parametrize(
    ("variables", "fault"),
    [
        ({"ansible_port": [22]}, "ansible_port"),
        ({"ansible_port": {"a": 22}}, "ansible_port"),
        ({"ansible_port": "{{ port_var }}"}, "ansible_port"),
        ({"ansible_port": "ssh"}, "ansible_port"),
        ({"ansible_port": 70000}, "ansible_port"),
        ({"ansible_port": True}, "ansible_port"),
        ({"ansible_host": ["192.0.2.10"]}, "ansible_host"),
        ({"ansible_host": {"ip": "192.0.2.10"}}, "ansible_host"),
        ({"ansible_host": 3232235521}, "ansible_host"),
        ({"remediator_addresses": 5}, "remediator_addresses"),
        ({"remediator_addresses": {"a": "192.0.2.10"}}, "remediator_addresses"),
        ({"remediator_addresses": [["192.0.2.10"]]}, "remediator_addresses"),
        ({"remediator_addresses": ["db.example.org"]}, "remediator_addresses"),
    ],
)
def test_wrong_types_are_one_line_naming_host_and_var(
    tmp_path: Path, variables: dict[str, object], fault: str
) -> None:
    path = _inventory(tmp_path, variables)
    with pytest.raises(InputError) as caught:
        load_inventory(path)
    message = str(caught.value)
    assert "\n" not in message
    assert "web1" in message and fault in message and "inv.yml" in message


def test_the_cli_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inventory = _inventory(tmp_path, {"ansible_port": [22]})
    scan = tmp_path / "scan.csv"
    scan.write_text("address,port\n192.0.2.10,22\n")
    assert main(["ingest", str(scan), "--inventory", str(inventory)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ansible_port" in err


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(["{{ 22 }}", "{{ 1e9 }}", "{{ [22] }}", "{{ '", "{% if %}", "192.0.2.1"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    port=_values,
    host=_values,
    extra=_values,
)
def test_property_any_host_var_values_load_or_fail_in_one_line(
    tmp_path: Path, port: object, host: object, extra: object
) -> None:
    path = _inventory(
        tmp_path, {"ansible_port": port, "ansible_host": host, "remediator_addresses": extra}
    )
    try:
        inventory = load_inventory(path)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    web1 = inventory.host("web1")
    assert web1.port is None or 1 <= web1.port <= 65535
    assert all(isinstance(a, str) for a in web1.addresses)
