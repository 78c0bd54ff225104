"""remediator: from an external scan's findings to proven Ansible remediation.

Data flows one way through one package per stage::

    ingest -> classify -> generate -> run -> verify -> report
    (scan)    (findings)  (plan)     (project) (results) (evidence)

plus ``lab``, the built-in network of real Debian hosts to try it all on.
"""

__version__ = "0.1.0"
