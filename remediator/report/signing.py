"""The operator's SSH signature on the evidence manifest (``ssh-keygen -Y``).

The digests of :mod:`remediator.report.manifest` prove a bundle unchanged since its
manifest was written, not who wrote it: anyone can edit a page and write a new manifest.
Signed with the operator's SSH key (``ssh-keygen -Y sign -n remediator-evidence``), the
manifest can be checked against an allowed-signers file (``ssh-keygen -Y verify``), the
format git uses for SSH-signed commits, with no key infrastructure beyond what admins
already have.

The signature signs ``manifest.json``'s bytes and lives beside it as ``manifest.json.sig``
(and beside the run record's copy as ``evidence-manifest.json.sig``). It is in no digest
list: a manifest cannot hold the digest of a signature made over it, and the signature
needs none (any change to either file fails the verification).

``ssh-keygen`` is run directly with :mod:`subprocess`, arguments as a list and never a
shell: :mod:`remediator.common.processes` runs scanners side by side and discards their
output, while signing feeds the manifest on stdin and reads the signature or the signer
back. The key, the allowed-signers file and the identity come from the operator (command
line or ``remediator.cfg``), never from scan data or the bundle.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from remediator.common.files import replace_file
from remediator.errors import ExecutionError, InputError
from remediator.report.manifest import (
    BUNDLE_FILE,
    BUNDLE_SIGNATURE,
    RUN_COPY_SIGNATURE,
    TamperedError,
)

NAMESPACE: Final = "remediator-evidence"
"""The ``-n`` of every signature: a key's signature over a commit or a file is never taken
for the evidence's (an allowed-signers line may restrict a key to it)."""
SSH_KEYGEN: Final = "ssh-keygen"
SIGN_TIMEOUT: Final = 300.0
"""Signing may wait on a person: a passphrase typed at the terminal, a security key touched."""
VERIFY_TIMEOUT: Final = 60.0


@dataclass(frozen=True)
class Signers:
    """Who may have signed: an allowed-signers file and, optionally, the one identity."""

    allowed: Path
    identity: str | None = None


def require_ssh_keygen(path: Path, what: str) -> None:
    """Checked before anything is written: ``ssh-keygen`` on PATH (else
    :class:`ExecutionError`, exit 4: a missing tool) and ``path`` (the key or the
    allowed-signers file) a file (else :class:`InputError`, exit 2)."""
    if shutil.which(SSH_KEYGEN) is None:
        raise ExecutionError(f"{what}: {SSH_KEYGEN} not found on PATH (OpenSSH 8.2 or later)")
    if not path.is_file():
        raise InputError(f"{path}: no such file ({what})")


def sign_bundle(run_dir: Path, bundle: Path, key: Path | None) -> Path | None:
    """Sign the bundle's manifest with ``key`` into ``manifest.json.sig`` and the run
    record's ``evidence-manifest.json.sig``; the bundle's signature path. Both are removed
    first: a signature left from an earlier report would not match the new manifest, and a
    key that fails must leave the bundle plainly unsigned."""
    targets = (bundle / BUNDLE_SIGNATURE, run_dir / RUN_COPY_SIGNATURE)
    for target in targets:
        target.unlink(missing_ok=True)
    if key is None:
        return None
    argv = [SSH_KEYGEN, "-Y", "sign", "-f", str(key), "-n", NAMESPACE]
    done = _ssh_keygen(argv, (bundle / BUNDLE_FILE).read_bytes(), SIGN_TIMEOUT)
    if done.returncode != 0 or not done.stdout:
        raise InputError(f"{key}: cannot sign with this key: {_reason(done)}")
    for target in targets:
        replace_file(target, done.stdout)
    return targets[0]


def is_signed(bundle: Path) -> bool:
    """Whether the bundle holds a signature (checked or not)."""
    return (bundle / BUNDLE_SIGNATURE).is_file()


def verify_signature(bundle: Path, signers: Signers) -> str:
    """The identity whose good signature ``manifest.json.sig`` is; :class:`TamperedError`
    naming the signature when it is missing, made by a key the file does not allow (for
    that identity), or not over these bytes."""
    signature = bundle / BUNDLE_SIGNATURE
    if not signature.is_file():
        raise TamperedError(f"{signature}: missing: the bundle is not signed")
    identity = signers.identity or _principal(signature, signers.allowed)
    argv = [SSH_KEYGEN, "-Y", "verify", "-f", str(signers.allowed), "-I", identity]
    argv += ["-n", NAMESPACE, "-s", str(signature)]
    done = _ssh_keygen(argv, (bundle / BUNDLE_FILE).read_bytes(), VERIFY_TIMEOUT)
    if done.returncode != 0:
        raise TamperedError(
            f"{signature}: bad signature (signer {identity!r}, allowed signers "
            f"{signers.allowed}): {_reason(done)}"
        )
    return identity


def _principal(signature: Path, allowed: Path) -> str:
    """The first identity ``allowed`` lists for the key that made ``signature``."""
    argv = [SSH_KEYGEN, "-Y", "find-principals", "-s", str(signature), "-f", str(allowed)]
    done = _ssh_keygen(argv, b"", VERIFY_TIMEOUT)
    found = done.stdout.decode("utf-8", "replace").replace(",", "\n").split()
    if done.returncode != 0 or not found:
        raise TamperedError(
            f"{signature}: bad signature (no signer in {allowed} for its key): {_reason(done)}"
        )
    return found[0]


def _ssh_keygen(argv: list[str], data: bytes, timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` with ``data`` on stdin; its output captured. A vanished ``ssh-keygen``
    is exit 4 as when it is missing (a missing tool); one that hangs, exit 4 too."""
    try:
        return subprocess.run(argv, input=data, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise ExecutionError(f"{SSH_KEYGEN} not found on PATH (OpenSSH 8.2 or later)") from None
    except subprocess.TimeoutExpired:
        raise ExecutionError(f"{SSH_KEYGEN}: no answer after {timeout:.0f} s") from None


def _reason(done: subprocess.CompletedProcess[bytes]) -> str:
    """ssh-keygen's own reason: the last line it wrote to stderr (or, as ``-Y verify`` does
    for an identity the file does not list, to stdout)."""
    for stream in (done.stderr, done.stdout):
        lines = stream.decode("utf-8", "replace").strip().splitlines()
        if lines:
            return lines[-1]
    return f"exit {done.returncode}"
