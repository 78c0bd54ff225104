"""classify: findings + policy -> plan.

``policy/`` reads the user's policy (``schemas/policy.schema.json``; entry point
``policy.read.load_policy``), ``catalog.yml`` holds what is known about services, TLS and
scanner checks, ``rules/`` has one small class per finding kind, ``decide.py`` applies them
to every finding, ``model.py`` holds the decisions and actions they produce, and ``plan.py``
writes the frozen ``remediator/plan/v1`` document every later stage reads. ``cli.py`` parses
the command line into typed options; ``commands.py`` does the work from those options.
"""
