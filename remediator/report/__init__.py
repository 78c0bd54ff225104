"""report: the auditor's evidence of a verified run, as one HTML page and JSON."""
