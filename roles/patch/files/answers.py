# Apache-2.0 (see the remediator project). Run by the patch role as `python3 -` (the script on stdin).
"""Does the service on a port answer? argv: protocol port spec-json; exit 0 when it does.

tcp: a connect to each address in turn; with ``send``/``expect`` the request is sent and
the reply must match ``expect`` (a regular expression on the first 4 KiB). udp: with
``send`` the reply must come (and match); without, a socket bound to the port is all that
can be seen. Prints one JSON line: the address that answered and the reply's first line.
Standard library only; nothing from the reply is run or used as a path.
"""

import json
import re
import socket
import sys


def ask(protocol, address, port, send, expect):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
    with socket.socket(family, kind) as sock:
        sock.settimeout(3.0)
        sock.connect((address, port))
        if send:
            sock.sendall(send.encode("latin-1"))
        if not expect and protocol == "tcp":
            return ""
        reply = sock.recv(4096).decode("latin-1")
    if expect and not re.search(expect, reply):
        raise OSError(f"reply does not match {expect!r}: {reply[:80]!r}")
    return reply


def bound_udp(port):
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(table, encoding="ascii") as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        if any(int(row.split()[1].rsplit(":", 1)[1], 16) == port for row in rows):
            return True
    return False


def main():
    protocol, port, spec = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    send, expect = spec.get("send") or "", spec.get("expect") or ""
    if protocol == "udp" and not send:
        answered = bound_udp(port)
        print(json.dumps({"answered": answered, "address": None, "reply": "udp socket bound"}))
        return 0 if answered else 1
    errors = []
    for address in spec.get("addresses") or ["127.0.0.1", "::1"]:
        try:
            reply = ask(protocol, address, port, send, expect)
        except OSError as exc:
            errors.append(f"{address}: {exc}")
            continue
        line = (reply.splitlines() or [""])[0][:200]
        print(json.dumps({"answered": True, "address": address, "reply": line}))
        return 0
    print(json.dumps({"answered": False, "errors": errors}))
    return 1


sys.exit(main())
