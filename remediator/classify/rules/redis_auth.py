"""Redis answering without a password on a port the policy keeps open."""

from __future__ import annotations

from typing import Final

from remediator.classify.context import FindingContext, RuleOutcome
from remediator.classify.model import Action, Harden, Keep, Manual
from remediator.classify.rules.base import Rule, asv_note, open_without_credentials

REDIS: Final = "redis"
REDIS_CLIENTS: Final = (
    "Redis clients that do not send the password (AUTH): every application, job and "
    "replica that uses this Redis must be given it before the change"
)


class RedisNoAuthRule(Rule):
    """Default (absent) credentials on an allowed Redis: a password from the policy's
    variable, and protected mode. Without a variable named, a person's task: remediator
    never makes up a secret, and never writes one."""

    id = "redis-no-auth"
    pci = ("2.2.2", "8.3.1")
    summary = "Redis without a password on an allowed port: harden redis (requirepass)"

    def applies(self, ctx: FindingContext) -> bool:
        return open_without_credentials(ctx, REDIS)

    def decide(self, ctx: FindingContext) -> RuleOutcome:
        host = ctx.host
        protocol, port = ctx.port_key
        keep = Keep(protocol, port, ctx.allowed_sources)
        where = f"{ctx.label} answers without a password ({ctx.finding.title!r})"
        variable = host.redis_password_var if host is not None else None
        groups = ", ".join(host.groups) if host is not None and host.groups else "the host's"
        actions: tuple[Action, ...]
        if variable is None:
            actions = (
                keep,
                Manual(
                    f"Give Redis on {ctx.label} a password: put it in an inventory or Ansible "
                    f"Vault variable and name that variable in groups.<group>.harden.redis."
                    f"password_var ({groups}), then plan again"
                ),
            )
            how = "no variable holding its password is named in the policy, so a person must"
        else:
            harden = Harden(
                protocol,
                port,
                REDIS,
                ("protected_mode", "requirepass"),
                REDIS_CLIENTS,
                secret_var=variable,
            )
            actions = (keep, harden)
            how = (
                f"it gets the password held in the variable {variable!r} (read on the "
                f"controller at apply time, never written into the project or the record) "
                f"and protected mode"
            )
        return RuleOutcome(
            actions,
            (
                f"{where}: anyone the policy lets reach it may read and change its data "
                f"(PCI DSS 2.2.2, 8.3.1); {how}. {asv_note(ctx)}"
            ),
            policy_fail=True,
            entry=ctx.allowed[0] if ctx.allowed else None,
            impacts=(REDIS_CLIENTS,),
        )
