"""Small protocol clients the lab tests run inside the controller namespace.

Run as ``ip netns exec <ctl> python probes.py COMMAND ARGS...``; each command prints
one JSON object and exits 0 when the service answered as asked, 1 otherwise. Only
lab addresses are ever passed in (the tests take them from the lab's config).
"""

from __future__ import annotations

import ftplib
import json
import socket
import ssl
import struct
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = 10.0


def _connect(host: str, port: int) -> socket.socket:
    return socket.create_connection((host, port), timeout=TIMEOUT)


def _line(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def _starttls(sock: socket.socket, protocol: str) -> None:
    """Speak the protocol up to the point where the TLS handshake begins."""
    if protocol == "smtp":
        _reply(sock, b"220")
        sock.sendall(b"EHLO probe.lab\r\n")
        while not _line(sock).startswith(b"250 "):
            pass
        sock.sendall(b"STARTTLS\r\n")
        _reply(sock, b"220")
    elif protocol == "imap":
        _reply(sock, b"* OK")
        sock.sendall(b"a STARTTLS\r\n")
        _reply(sock, b"a OK")
    elif protocol == "pop3":
        _reply(sock, b"+OK")
        sock.sendall(b"STLS\r\n")
        _reply(sock, b"+OK")
    else:
        raise SystemExit(f"unknown STARTTLS protocol {protocol}")


def _reply(sock: socket.socket, expected: bytes) -> bytes:
    line = _line(sock)
    if not line.startswith(expected):
        raise OSError(f"expected {expected!r}, got {line[:80]!r}")
    return line


def tls(host: str, port: str, version: str, starttls: str = "") -> dict[str, object]:
    """Handshake with exactly one TLS version (TLSv1, TLSv1_1, TLSv1_2, TLSv1_3)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    chosen = ssl.TLSVersion[version]
    context.minimum_version = chosen
    context.maximum_version = chosen
    # Debian 12's OpenSSL refuses TLS 1.0/1.1 at its default security level: lower it
    # on the client too, or a weak server would look strong.
    context.set_ciphers("ALL:@SECLEVEL=0")
    with _connect(host, int(port)) as raw:
        if starttls:
            _starttls(raw, starttls)
        with context.wrap_socket(raw, server_hostname=None) as wrapped:
            cipher = wrapped.cipher()
            return {"version": wrapped.version(), "cipher": cipher[0] if cipher else None}


def ftp_anonymous(host: str) -> dict[str, object]:
    with ftplib.FTP(timeout=TIMEOUT) as ftp:  # noqa: S321  (proving plain FTP is the point)
        ftp.connect(host)
        welcome = ftp.login()  # anonymous
        names = ftp.nlst("pub")
        chunks: list[bytes] = []
        ftp.retrbinary("RETR pub/README", chunks.append)
        return {"welcome": welcome, "files": names, "readme": b"".join(chunks).decode()}


def banner(host: str, port: str, send: str = "") -> dict[str, object]:
    with _connect(host, int(port)) as sock:
        if send:
            sock.sendall(send.encode().decode("unicode_escape").encode("latin-1"))
        data = sock.recv(4096)
        return {"hex": data.hex(), "text": data.decode("latin-1")}


def login(host: str, protocol: str, user: str, password: str) -> dict[str, object]:
    """A plaintext login over the cleartext port (IMAP 143 or POP3 110)."""
    if protocol == "imap":
        with _connect(host, 143) as sock:
            _reply(sock, b"* OK")
            sock.sendall(f"a LOGIN {user} {password}\r\n".encode())
            line = _line(sock)
            while line.startswith(b"* "):
                line = _line(sock)
            return {"reply": line.decode("latin-1").strip(), "ok": line.startswith(b"a OK")}
    with _connect(host, 110) as sock:
        _reply(sock, b"+OK")
        sock.sendall(f"USER {user}\r\n".encode())
        _reply(sock, b"+OK")
        sock.sendall(f"PASS {password}\r\n".encode())
        line = _line(sock)
        return {"reply": line.decode("latin-1").strip(), "ok": line.startswith(b"+OK")}


def memcached_udp(host: str) -> dict[str, object]:
    """memcached's UDP protocol: an 8-byte frame header, then a text command."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.sendto(b"\x00\x01\x00\x00\x00\x01\x00\x00version\r\n", (host, 11211))
        data, _ = sock.recvfrom(2048)
        return {"text": data[8:].decode("latin-1")}


def rpc_null(host: str, port: str = "111") -> dict[str, object]:
    """An ONC RPC call of rpcbind (program 100000, version 2) procedure 0 over UDP."""
    call = struct.pack(">IIIIII", 0x52454D31, 0, 2, 100000, 2, 0) + b"\0" * 16
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.sendto(call, (host, int(port)))
        data, _ = sock.recvfrom(2048)
        xid, kind = struct.unpack(">II", data[:8])
        return {"xid": xid, "reply": kind == 1}


def connect(host: str, port: str) -> dict[str, object]:
    """Whether a TCP connection opens; the errno name when it does not."""
    try:
        with socket.create_connection((host, int(port)), timeout=3):
            return {"open": True}
    except OSError as exc:
        return {"open": False, "errno": exc.errno, "error": str(exc)}


def answered(argv: list[str]) -> dict[str, object]:
    """One command's result, with ``ok``: whether the service answered as asked."""
    try:
        result = COMMANDS[argv[0]](*argv[1:])
    except (OSError, ssl.SSLError, ftplib.Error, EOFError) as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {**result, "ok": bool(result.get("open", True))}


def many(commands: str) -> dict[str, object]:
    """Several commands (a JSON list of argument lists) at once, each in its own thread:
    a port that drops packets costs its timeout once, not once per port."""
    argvs = json.loads(commands)
    with ThreadPoolExecutor(max_workers=max(1, len(argvs))) as pool:
        return {"results": list(pool.map(answered, argvs))}


COMMANDS: dict[str, Callable[..., dict[str, object]]] = {
    "tls": tls,
    "ftp-anonymous": ftp_anonymous,
    "banner": banner,
    "login": login,
    "memcached-udp": memcached_udp,
    "connect": connect,
    "rpc-null": rpc_null,
    "many": many,
}


def main(argv: list[str]) -> int:
    command = COMMANDS[argv[0]]
    try:
        result = command(*argv[1:])
    except (OSError, ssl.SSLError, ftplib.Error, EOFError) as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps(result))
    return 0 if result.get("open", True) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
