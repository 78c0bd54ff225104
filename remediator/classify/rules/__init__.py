"""The rules, one class per finding kind, in the order they are tried.

An explicit, ordered registry (not discovery by import): the first rule whose
``applies`` answers yes decides. Order encodes precedence: findings on unmanaged
addresses first; weak SSH algorithms and password logins on a port that stays open (the
management port included) before the management rule, which would leave them to a
person, an allowed Redis, FTP server or SNMP agent that lets anyone in, and an allowed
mail port that takes passwords before TLS; the management port next; then unapproved
ports (needed by an allowed service, informational detail, unknown, database,
cleartext, remote access, any other); then the weaknesses of allowed services; the
catch-all last. Exceptions and Windows hosts adjust the chosen
rule's outcome afterwards.
"""

from __future__ import annotations

from typing import Final

from remediator.classify.rules.allowed import AllowedServiceRule
from remediator.classify.rules.base import Rule
from remediator.classify.rules.certificate import CertificateRule
from remediator.classify.rules.cleartext import CleartextServiceRule
from remediator.classify.rules.database import DatabaseExposedRule
from remediator.classify.rules.excepted import ExceptedRule, ExceptionMatch
from remediator.classify.rules.kept_logins import AnonymousFtpRule, SnmpCommunityRule
from remediator.classify.rules.mail_login import CleartextLoginRule
from remediator.classify.rules.management import ManagementRule
from remediator.classify.rules.manual_review import ManualReviewRule
from remediator.classify.rules.needed import NeededServiceRule
from remediator.classify.rules.needless import NeedlessExposureRule
from remediator.classify.rules.port_detail import PortDetailRule
from remediator.classify.rules.redis_auth import RedisNoAuthRule
from remediator.classify.rules.remote_access import RemoteAccessRule
from remediator.classify.rules.ssh_auth import SshPasswordAuthRule
from remediator.classify.rules.ssh_crypto import SshWeakCryptoRule
from remediator.classify.rules.tls_protocol import WeakTlsProtocolRule
from remediator.classify.rules.unknown_service import UnknownServiceRule
from remediator.classify.rules.unmanaged import UnmanagedHostRule
from remediator.classify.rules.vulnerable import VulnerableVersionRule
from remediator.classify.rules.weak_cipher import WeakCipherRule
from remediator.classify.rules.windows import WindowsRule

RULES: Final[tuple[Rule, ...]] = (
    UnmanagedHostRule(),
    SshWeakCryptoRule(),
    SshPasswordAuthRule(),
    RedisNoAuthRule(),
    AnonymousFtpRule(),
    SnmpCommunityRule(),
    CleartextLoginRule(),
    ManagementRule(),
    NeededServiceRule(),
    PortDetailRule(),
    UnknownServiceRule(),
    DatabaseExposedRule(),
    CleartextServiceRule(),
    RemoteAccessRule(),
    NeedlessExposureRule(),
    WeakTlsProtocolRule(),
    WeakCipherRule(),
    CertificateRule(),
    VulnerableVersionRule(),
    AllowedServiceRule(),
    ManualReviewRule(),
)

__all__ = ["RULES", "ExceptedRule", "ExceptionMatch", "Rule", "WindowsRule"]
