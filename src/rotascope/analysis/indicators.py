"""The indicator series that outputs (report sections, charts, CLI tables) draw or quote.

Outputs never import :mod:`rotascope.signals` directly: they take indicator series from
here, so the signals package can be reorganised (kernels fused, modules split) without
touching any page, chart or table, and the set of indicators an output may show is
listed in one place. Conditions (alerts, scans, strategies) reach indicators through
:mod:`rotascope.signals.registry` instead.
"""

from __future__ import annotations

from ..signals.averages import ma_slope, sma
from ..signals.drawdown import drawdown, rebound, rebound_shape, worst_decline
from ..signals.leadlag import best_lag
from ..signals.momentum import rsi
from ..signals.ranges import detect_range, range_breaks
from ..signals.returns import WINDOWS, parse_window, total_return
from ..signals.rolling import pct_from_high

__all__ = ["WINDOWS", "best_lag", "detect_range", "drawdown", "ma_slope", "parse_window",
           "pct_from_high", "range_breaks", "rebound", "rebound_shape", "rsi", "sma",
           "total_return", "worst_decline"]
