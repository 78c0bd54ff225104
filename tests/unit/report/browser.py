"""Debian's headless Chromium in a network namespace with no route, and its net log.

The namespace has only a loopback that is down: even a page that tried could reach
nothing. The net log shows what was *asked for*, which is what the test judges.
Chromium's own component updater asks for ``update.googleapis.com`` whatever the flags;
that request is the browser's, not the page's, and is the only one tolerated.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

BROWSER_HOSTS: Final = frozenset({"update.googleapis.com"})
FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-pings",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate",
    "--window-size=1200,1600",
)
SKIP_ENV: Final = "REMEDIATOR_SKIP_BROWSER"


@dataclass(frozen=True)
class Rendered:
    """A page rendered to a screenshot, and every URL the browser asked for meanwhile."""

    screenshot: Path
    urls: tuple[str, ...]

    @property
    def page_urls(self) -> tuple[str, ...]:
        """Requested URLs that are not Chromium's own background services."""
        return tuple(u for u in self.urls if _host(u) not in BROWSER_HOSTS)


def unable() -> str | None:
    """Why the browser check cannot run here, or None."""
    problems = []
    if os.geteuid() != 0:
        problems.append("not root (ip netns needs it)")
    for tool in ("chromium", "ip"):
        if shutil.which(tool) is None:
            problems.append(f"{tool} missing (apt-get install -y chromium iproute2)")
    return "; ".join(problems) or None


def render(page: Path, screenshot: Path, work: Path) -> Rendered:
    """Screenshot ``page`` from a fresh, routeless namespace; the namespace is removed."""
    return Rendered(screenshot, _chromium(page, f"--screenshot={screenshot}", work))


def print_pdf(page: Path, pdf: Path, work: Path) -> Rendered:
    """Print ``page`` to PDF as a browser's print dialog would (the print CSS applies)."""
    return Rendered(pdf, _chromium(page, f"--print-to-pdf={pdf}", work, "--no-pdf-header-footer"))


def _chromium(page: Path, output: str, work: Path, *extra: str) -> tuple[str, ...]:
    """Run Chromium once in a fresh namespace with no route; the URLs it asked for."""
    namespace = f"rmreport-{secrets.token_hex(4)}"
    netlog = work / f"{namespace}.netlog.json"
    argv = ["ip", "netns", "exec", namespace, "chromium", *FLAGS, *extra]
    argv += [f"--user-data-dir={work / namespace}", f"--log-net-log={netlog}", output]
    argv.append(page.resolve().as_uri())
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    try:
        subprocess.run(argv, capture_output=True, timeout=120, check=True)
    finally:
        subprocess.run(["ip", "netns", "del", namespace], check=True)
    return _requested(netlog)


def _requested(netlog: Path) -> tuple[str, ...]:
    document = json.loads(netlog.read_text("utf-8"))
    urls = {
        str(event["params"]["url"])
        for event in document["events"]
        if isinstance(event.get("params"), dict) and "url" in event["params"]
    }
    return tuple(sorted(urls))


def _host(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0].split(":", 1)[0]
