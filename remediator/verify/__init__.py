"""verify stage (to be built)."""
