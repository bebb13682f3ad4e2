"""Number formatting for outputs (the implementation lives in :mod:`rotascope._fmt`, shared
with analysis results that carry display strings)."""

from .._fmt import is_missing, num, pct, pp, ratio_value

__all__ = ["pct", "pp", "num", "ratio_value", "is_missing"]
