"""Number formatting shared by tables, reports and alerts (one place, one style)."""

from __future__ import annotations

import math

__all__ = ["pct", "pp", "num", "ratio_value", "is_missing"]


def is_missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def pct(x: float | None, digits: int = 1, *, sign: bool = True) -> str:
    """Fraction -> percent text: 0.1234 -> "+12.3%"; missing -> "n/a"."""
    if x is None or is_missing(x):
        return "n/a"
    value = round(x * 100, digits)
    if value == 0:
        return f"{0:.{digits}f}%"
    return f"{value:+.{digits}f}%" if sign else f"{value:.{digits}f}%"


def pp(x: float | None, digits: int = 1) -> str:
    """Difference of two fractions in percentage points: 0.021 -> "+2.1 pp"."""
    if x is None or is_missing(x):
        return "n/a"
    return f"{x * 100:+.{digits}f} pp"


def num(x: float | None, digits: int = 2) -> str:
    """Plain number with thousands separators: 6812.5 -> "6,812.50"."""
    if is_missing(x):
        return "n/a"
    return f"{x:,.{digits}f}"


def ratio_value(x: float | None) -> str:
    """A ratio level with 4 significant digits (ratios span 0.01 to 100s)."""
    if is_missing(x):
        return "n/a"
    return f"{x:.4g}"
