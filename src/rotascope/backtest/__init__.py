"""Backtests of rotation strategies written in YAML with the condition language.

* :mod:`.strategy` strategy files: safe YAML, validation, located errors
* :mod:`.engine`   decisions -> target weights -> P&L (timing documented there)
* :mod:`.kernels`  compiled P&L kernels (one path; many parameter combinations)
* :mod:`.metrics`  return metrics (empyrical conventions)
* :mod:`.sweep`    parameter grids, walk-forward, the deflated Sharpe ratio
* :mod:`.forward`  forward returns after dates (alert firings) and hit rates
"""

from __future__ import annotations

from .engine import StrategyResult, prepare, run_strategies, run_strategy
from .metrics import performance
from .strategy import CASH, Strategy, StrategyFileError, load_strategies, parse_strategies

__all__ = ["CASH", "Strategy", "StrategyFileError", "StrategyResult", "load_strategies",
           "parse_strategies", "performance", "prepare", "run_strategies", "run_strategy"]
