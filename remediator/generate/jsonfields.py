"""Typed access to untrusted JSON: moved to :mod:`remediator.classify.planload`.

Re-exported here only for imports not yet switched over (remediator.run).
"""

from __future__ import annotations

from remediator.classify.planload import Fields

__all__ = ["Fields"]
