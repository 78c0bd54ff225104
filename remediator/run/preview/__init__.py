"""``dry-run``: a check-mode run read per host and finding, and the record it leaves."""
