"""The few host vars remediator reads, checked: one line naming host and var, never a traceback.

Inventory values are the admin's, but their shapes are free: ``ansible_port`` may be
``2222``, ``"2222"``, ``"{{ 2222 }}"`` (a common idiom) or, by mistake, a list. A template
whose expression is a plain literal is evaluated as Ansible would; any other template is
refused, since evaluating it needs the variables, filters and lookups of a real play,
which remediator does not run while reading an inventory.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import Final

from remediator.errors import InputError
from remediator.ingest.model import normalize_address, parse_ip

_TEMPLATE: Final = re.compile(r"\{\{(.*)\}\}", re.DOTALL)
_MARKERS: Final = ("{{", "{%", "{#")
_LITERAL_LIMIT: Final = 256


class HostValues:
    """Reads one host's vars; every fault names the inventory, the host and the var."""

    def __init__(self, source: str, host: str) -> None:
        self.source = source
        self.host = host

    def fail(self, var: str, value: object, problem: str) -> InputError:
        """An InputError about ``var``: one line (the value shown as an escaped literal)."""
        shown = ascii(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return InputError(f"{self.source}: host {self.host!r}: {var} {shown} {problem}")

    def literal(self, var: str, value: object) -> object:
        """``value`` with a literal template (``"{{ 22 }}"``) evaluated; refuses other templates."""
        if not isinstance(value, str) or not any(m in value for m in _MARKERS):
            return value
        whole = _TEMPLATE.fullmatch(value.strip())
        if whole is not None and len(value) <= _LITERAL_LIMIT:
            try:
                result = ast.literal_eval(whole.group(1).strip())
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                result = None
            if isinstance(result, str | int) and not isinstance(result, bool):
                return result
        raise self.fail(
            var, value, "is a template remediator cannot evaluate (only a literal such as "
            "'{{ 22 }}'); write the value itself"
        )  # fmt: skip

    def port(self, value: object) -> int | None:
        """``ansible_port``: a port number (int or digits, maybe a literal template)."""
        if value is None:
            return None
        value = self.literal("ansible_port", value)
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            raise self.fail("ansible_port", value, "is not a port number (1-65535)")
        return value

    def host_address(self, value: object) -> str | None:
        """``ansible_host``: text (an IP address or a name), maybe a literal template."""
        if value is None:
            return None
        value = self.literal("ansible_host", value)
        if not isinstance(value, str) or not value.strip():
            raise self.fail("ansible_host", value, "is not an address or a host name")
        return value.strip()

    def addresses(self, value: object) -> tuple[str, ...]:
        """``remediator_addresses``: one IP address or a list of them, canonical."""
        if value is None:
            return ()
        if isinstance(value, str):
            items: Sequence[object] = [value]
        elif isinstance(value, list | tuple):
            items = value
        else:
            raise self.fail("remediator_addresses", value, "is not a list of IP addresses")
        result = []
        for item in items:
            address = self.literal("remediator_addresses", item)
            if not isinstance(address, str) or parse_ip(address) is None:
                raise self.fail("remediator_addresses", address, "is not an IP address")
            result.append(normalize_address(address))
        return tuple(result)
