"""classify: findings + policy -> plan.

``policy.py`` reads the user's policy (``schemas/policy.schema.json``), ``catalog.yml`` holds what
is known about services, TLS and scanner checks, ``rules/`` has one small class per
finding kind, ``decide.py`` applies them to every finding and ``plan.py`` writes the
frozen ``remediator/plan/v1`` document every later stage reads.
"""
