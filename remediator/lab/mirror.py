"""The Debian mirror this machine's apt already uses, for debootstrap and the chroots.

The lab never names a mirror of its own: it reads apt's configured sources (one-line
``sources.list`` files and deb822 ``.sources`` files) and takes the first URI that
serves the lab's suite, plus the matching security archive when there is one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from remediator.errors import ExecutionError
from remediator.lab.config import SUITE

APT_DIR: Final = Path("/etc/apt")


@dataclass(frozen=True)
class Mirrors:
    """The archive URIs the lab builds from."""

    debian: str
    security: str | None

    def sources_list(self, suite: str = SUITE) -> str:
        """The one-line sources.list written into the lab rootfs."""
        lines = [f"deb {self.debian} {suite} main", f"deb {self.debian} {suite}-updates main"]
        if self.security:
            lines.append(f"deb {self.security} {suite}-security main")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _Entry:
    uri: str
    suites: tuple[str, ...]
    enabled: bool


def find_mirrors(apt_dir: Path = APT_DIR, suite: str = SUITE) -> Mirrors:
    """The configured mirror for ``suite``; an ExecutionError when apt has none."""
    entries = [e for e in _entries(apt_dir) if e.enabled and e.uri.startswith("http")]
    debian = next((e.uri for e in entries if suite in e.suites), None)
    if debian is None:
        raise ExecutionError(
            f"no apt source for Debian {suite} in {apt_dir}/sources.list*; "
            "the lab builds its hosts from the mirror apt already uses"
        )
    security = next((e.uri for e in entries if f"{suite}-security" in e.suites), None)
    return Mirrors(debian.rstrip("/"), security.rstrip("/") if security else None)


def _entries(apt_dir: Path) -> Iterator[_Entry]:
    files = [apt_dir / "sources.list"]
    parts = apt_dir / "sources.list.d"
    if parts.is_dir():
        files += sorted(parts.iterdir())
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".sources":
            yield from _deb822(text)
        elif path.suffix == ".list":
            yield from _one_line(text)


def _one_line(text: str) -> Iterator[_Entry]:
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split()
        if words and words[0] == "deb":
            words = [w for w in words[1:] if not w.startswith("[")]
            # Options like "[signed-by=...]" may span words; drop their tails too.
            words = [w for w in words if not w.endswith("]")]
            if len(words) >= 2:
                yield _Entry(words[0], (words[1],), True)


def _deb822(text: str) -> Iterator[_Entry]:
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        enabled = fields.get("enabled", "yes").lower() not in ("no", "false")
        for uri in fields.get("uris", "").split():
            yield _Entry(uri, tuple(fields.get("suites", "").split()), enabled)
