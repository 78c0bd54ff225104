"""The shared layer below the stages: pieces several stages use and none of them owns.

Nothing here imports a stage (``ingest``, ``classify``, ``generate``, ``run``, ``verify``,
``report``, ``demo``) or the lab; every stage may import from here.
"""
