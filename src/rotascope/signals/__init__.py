"""Signals: pure, vectorised indicator functions over one series or a dates x tickers matrix.

Every function takes a Series or DataFrame (sorted, unique DatetimeIndex) and returns
the same type with the same labels; see ``docs/signals.md``.
"""

from __future__ import annotations

from .averages import above_ma, ema, ma_crosses, ma_slope, ma_turns, pct_vs_ma, sma
from .momentum import rsi
from .rolling import pct_from_high, rolling_max, rolling_min
from .signal_set import signal_set

__all__ = [
    "above_ma",
    "ema",
    "ma_crosses",
    "ma_slope",
    "ma_turns",
    "pct_from_high",
    "pct_vs_ma",
    "rolling_max",
    "rolling_min",
    "rsi",
    "signal_set",
    "sma",
]
