"""lab stage (to be built)."""
