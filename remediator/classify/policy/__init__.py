"""The policy: what each inventory group may expose, to whom, why, and what is never cut.

Modules import in one direction, each only from those listed before it:

- ``sources``: who may connect (``any``, named networks, CIDRs), resolved and compared;
- ``model``: the frozen types of a validated policy (:class:`~.model.Policy` and its parts);
- ``schema``: the shipped JSON Schema and its errors as ``(path, message)``;
- ``kept``: what keeps running on a host (management, allowed services, their needs);
- ``host``: the policy as it applies to one inventory host (:class:`~.host.HostPolicy`);
- ``guard``: the rule no policy may break (the management connection is never cut);
- ``read``: :func:`~.read.load_policy`, which builds and checks a policy with all of the above;
- ``starter``: ``policy init``'s commented starter policy (needs none of the above).

This file imports nothing, so importing any one module never loads the rest.
"""
