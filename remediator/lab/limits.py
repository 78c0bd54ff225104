"""Kernel limits a lab needs raised before its hosts boot.

Every host runs a full systemd, and systemd (with journald, logind, udev-less services)
takes inotify instances from the *machine's* per-user budget: all lab hosts run as root,
so they share one ``fs.inotify.max_user_instances``. Debian's default of 128 is used up
by two or three labs, and the next host's systemd then dies at boot with "Failed to create
control group inotify object: Too many open files" — a failure that reads like anything
but a limit. The lab raises the limit (never lowers it) before it boots hosts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from remediator.errors import ExecutionError

INOTIFY_INSTANCES: Final = Path("/proc/sys/fs/inotify/max_user_instances")
WANTED_INOTIFY_INSTANCES: Final = 1024
"""Room for several labs of five hosts each, with the machine's own users beside them."""


def ensure_inotify_room(path: Path = INOTIFY_INSTANCES) -> int | None:
    """Raise ``max_user_instances`` to :data:`WANTED_INOTIFY_INSTANCES`; the old value if raised."""
    try:
        current = int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError) as exc:
        raise ExecutionError(f"cannot read {path}: {exc}") from exc
    if current >= WANTED_INOTIFY_INSTANCES:
        return None
    try:
        path.write_text(f"{WANTED_INOTIFY_INSTANCES}\n", encoding="ascii")
    except OSError as exc:
        raise ExecutionError(
            f"lab hosts need more inotify instances than {current} ({path}); "
            f"could not raise it to {WANTED_INOTIFY_INSTANCES}: {exc}"
        ) from exc
    return current
