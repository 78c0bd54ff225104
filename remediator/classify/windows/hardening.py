"""The settings a Windows daemon is hardened with while its port stays reachable.

RDP: Network Level Authentication (the user authenticates through CredSSP before a
session, and so before the logon screen is exposed) and the TLS security layer (the
server proves its identity with a certificate; the legacy RDP layer's hard-coded key is
what the man-in-the-middle findings are about). SMB: version 1 off. Each comes with the
clients it can lock out, in words, for the admin to check before applying.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from remediator.classify.model import (
    HARDEN_SETTINGS,
    REMOVE_WINDOWS_FEATURES,
    Action,
    Harden,
    Option,
)

RDP: Final = "rdp"
SMB: Final = "smb"
SMB1_OFF: Final = "smb1_off"
SMB1_FEATURE: Final = "SMB1Protocol"
"""The Windows optional feature that installs SMB 1 (removing it is irreversible here)."""

RDP_CLIENTS: Final = (
    "RDP clients without Network Level Authentication (CredSSP) or TLS: Remote Desktop "
    "Connection before 6.0 (Windows XP SP2 and older), old thin clients, rdesktop; users "
    "whose password must be changed at next logon can no longer change it at the RDP "
    "logon screen"
)
SMB_CLIENTS: Final = (
    "SMB 1 only clients: Windows XP and Server 2003, old NAS devices, copiers and printers "
    "that scan to a share, Linux mounts pinned to vers=1.0"
)


def rdp_hardening(protocol: str, port: int) -> Harden:
    """NLA and the TLS security layer for the RDP listener on ``port``."""
    return Harden(protocol, port, RDP, HARDEN_SETTINGS[RDP], RDP_CLIENTS)


def smb_hardening(protocol: str, port: int) -> Harden:
    """SMB 1 off on the server (the SMB listener on ``port``)."""
    return Harden(protocol, port, SMB, HARDEN_SETTINGS[SMB], SMB_CLIENTS)


def feature_options(actions: Iterable[Action], enabled: bool) -> tuple[Option, ...]:
    """The opt-in removal of SMB1Protocol where a decision turns SMB 1 off.

    Like package removal (and with the same consent, the policy's ``remove_packages``):
    turning SMB 1 off is a setting the snapshot restores; removing the feature deletes its
    binaries and needs installation media or Windows Update to undo, so it is offered,
    marked irreversible, and done only where the policy opted in.
    """
    if not any(isinstance(a, Harden) and SMB1_OFF in a.settings for a in actions):
        return ()
    return (Option(REMOVE_WINDOWS_FEATURES, enabled, True, (SMB1_FEATURE,)),)
