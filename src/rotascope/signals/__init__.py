"""Signals: pure, vectorised indicator functions over one series or a dates x tickers matrix.

Every function takes a Series or DataFrame (sorted, unique DatetimeIndex) and returns
the same type with the same labels; see ``docs/signals.md``.
"""

from __future__ import annotations

from .averages import above_ma, ema, ma_crosses, ma_slope, ma_turns, pct_vs_ma, sma
from .divergence import rsi_divergence, rsi_divergence_at, rsi_lower_highs_lower_lows
from .drawdown import Rebound, drawdown, rebound, rebound_shape, worst_decline
from .leadlag import BestLag, PeakLag, best_lag, cross_correlation, peak_lag
from .momentum import rsi
from .pivots import SwingPoints, swing_points
from .ranges import RangeState, detect_range, range_breaks
from .rolling import pct_from_high, rolling_extremes, rolling_max, rolling_min
from .signal_set import signal_set

__all__ = [
    "BestLag",
    "PeakLag",
    "RangeState",
    "Rebound",
    "SwingPoints",
    "above_ma",
    "best_lag",
    "cross_correlation",
    "detect_range",
    "drawdown",
    "ema",
    "ma_crosses",
    "ma_slope",
    "ma_turns",
    "pct_from_high",
    "pct_vs_ma",
    "peak_lag",
    "range_breaks",
    "rebound",
    "rebound_shape",
    "rolling_extremes",
    "rolling_max",
    "rolling_min",
    "rsi",
    "rsi_divergence",
    "rsi_divergence_at",
    "rsi_lower_highs_lower_lows",
    "signal_set",
    "sma",
    "swing_points",
    "worst_decline",
]
