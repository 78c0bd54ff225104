"""``remediator watch``: between quarterly scans, what changed since the last verified run.

A new scan (a file, or a rescan made the way ``verify --rescan`` makes one) is compared
with the accepted state a run's ``verify.json`` recorded: new exposures, findings seen
again after they were resolved, exceptions expired or about to. Nothing is changed on
any host and nothing in the run record: watch reads, scans and reports.
"""
