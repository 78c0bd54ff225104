"""classify stage (to be built)."""
