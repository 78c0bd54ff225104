"""The lab: real Debian 12 hosts with PCI-failing services, in network namespaces.

``remediator lab up|down|reset|reboot|status|inventory|ssh|scan`` (:mod:`.cli`); the
life cycle is in :mod:`.manager`, the data in :mod:`.config`, and whatever runs
against lab hosts goes through :func:`remediator.lab.ssh.controller_command`.
See docs/lab.md.
"""
