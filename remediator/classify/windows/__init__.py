"""Windows hosts: what a plan's actions come to on a host the inventory says runs Windows.

The rules decide as they do for any host; :class:`~remediator.classify.rules.windows.WindowsRule`
translates their outcome with these modules: which Windows services a removal may stop
(:mod:`.services`), the settings a daemon that stays reachable is hardened with
(:mod:`.hardening`), and SCHANNEL, whose TLS settings every TLS service of the host
shares (:mod:`.schannel`). Only the catalog and the inventory name a Windows service;
scan text never does.
"""
