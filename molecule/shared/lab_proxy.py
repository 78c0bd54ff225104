"""ssh ProxyCommand for molecule: reach a lab host from inside the lab's controller namespace.

Molecule runs in the machine's own namespace (its create/destroy call `remediator lab`,
which must), but only the controller namespace routes the lab subnet. ssh therefore
tunnels through this relay: ``ProxyCommand=python lab_proxy.py %h %p`` re-executes itself
under ``ip netns exec <controller>`` and copies bytes between ssh and the host's port.
Only addresses of the running lab are accepted.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path

RELAY_FLAG = "--relay"


def _pump(source: socket.socket, sink_fd: int) -> None:
    while data := source.recv(65536):
        os.write(sink_fd, data)
    os._exit(0)


def relay(host: str, port: int) -> None:
    sock = socket.create_connection((host, port), timeout=10)
    sock.settimeout(None)
    threading.Thread(target=_pump, args=(sock, sys.stdout.fileno()), daemon=True).start()
    while data := os.read(sys.stdin.fileno(), 65536):
        sock.sendall(data)
    sock.shutdown(socket.SHUT_WR)
    threading.Event().wait()


def main() -> None:
    if sys.argv[1] == RELAY_FLAG:
        relay(sys.argv[2], int(sys.argv[3]))
        return
    host, port = sys.argv[1], sys.argv[2]
    from remediator.lab.ssh import controller_command  # noqa: PLC0415
    from remediator.lab.state import DEFAULT_STATE_DIR, current_config  # noqa: PLC0415

    state_dir = os.environ.get("REMEDIATOR_LAB_STATE_DIR") or DEFAULT_STATE_DIR
    config = current_config(Path(state_dir))
    if host not in config.lab_addresses():
        raise SystemExit(f"lab_proxy: {host} is not a lab host address")
    argv = controller_command([sys.executable, __file__, RELAY_FLAG, host, port], config)
    os.execvp(argv[0], argv)  # noqa: S606  (argv list from the lab, no shell wanted)


if __name__ == "__main__":
    main()
