"""generate stage (to be built)."""
