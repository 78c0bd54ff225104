"""The run directory ``runs/<id>/`` and the documents a run leaves in it."""
