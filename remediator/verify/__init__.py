"""verify: did the run fix what it meant to? Host tests and a rescan, one state per finding."""
