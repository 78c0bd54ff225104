"""demo: the whole loop on the built-in lab, from ``lab up`` to the auditor's evidence."""
