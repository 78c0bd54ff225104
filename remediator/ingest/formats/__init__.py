"""One module per scan format; see :mod:`remediator.ingest.registry`."""
