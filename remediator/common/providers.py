"""Places this machine reaches hosts through: network namespaces a provider owns (the lab).

The product's stages never import the test lab. A provider, the lab or any other place
whose hosts are reachable only from a network namespace of its own, registers here: the
CLI registers the lab at start-up, the tests in their conftest. A run then asks the
registry two things, and nothing else about the place:

* where an inventory's hosts are reached from (the namespace Ansible, the testinfra
  suites and the reachability probes must run in), or nowhere special;
* for ``verify --rescan``, to rescan some addresses and ports from that namespace (the
  provider alone knows which scanner, with which options, may scan its hosts).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from remediator.errors import RefusedError


@dataclass(frozen=True)
class RescanFiles:
    """What a provider's rescan wrote, and the addresses it scanned from."""

    files: tuple[Path, ...]
    sources: tuple[str, ...]


class HostProvider(Protocol):
    """A place with hosts reachable only from a network namespace of its own."""

    def namespace_for(self, hosts: Sequence[tuple[str, str]], where: str) -> str | None:
        """The namespace reaching every host (name, address); None if none is this place's.

        Some but not all of them being this place's raises :class:`InputError` naming
        ``where``: no single namespace reaches both.
        """
        ...

    def rescan(
        self,
        namespace: str,
        addresses: Sequence[str],
        ports: Collection[tuple[str, int]],
        folder: Path,
        state_dir: Path | None,
        *,
        kinds: Collection[str] = (),
    ) -> RescanFiles | None:
        """Rescan from ``namespace`` (None if it is not this place's); scan files in ``folder``.

        ``kinds`` are the finding kinds to look for again besides open ports (the provider
        adds the checks that see them)."""
        ...


_PROVIDERS: list[HostProvider] = []


def register(provider: HostProvider) -> None:
    """Make ``provider`` known to runs (registering the same one twice is a no-op)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def namespace_for(hosts: Sequence[tuple[str, str]], where: str) -> str | None:
    """The namespace a registered provider reaches ``hosts`` (name, address) from, or None."""
    for provider in _PROVIDERS:
        found = provider.namespace_for(hosts, where)
        if found is not None:
            return found
    return None


def rescan(
    namespace: str,
    addresses: Sequence[str],
    ports: Collection[tuple[str, int]],
    folder: Path,
    state_dir: Path | None = None,
    *,
    kinds: Collection[str] = (),
) -> RescanFiles:
    """The rescan by whichever provider owns ``namespace``; RefusedError if none does."""
    for provider in _PROVIDERS:
        done = provider.rescan(namespace, addresses, ports, folder, state_dir, kinds=kinds)
        if done is not None:
            return done
    raise RefusedError(
        f"nothing known here scans from the namespace {namespace} (is its lab up?); "
        "give the scanner to run with --rescan-command"
    )
