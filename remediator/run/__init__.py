"""run stage (to be built)."""
