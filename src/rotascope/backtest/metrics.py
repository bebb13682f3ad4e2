"""Performance metrics of a daily return series (empyrical conventions, 252 sessions a year).

* ``total_return``: ``prod(1 + r) - 1``;
* ``annual_return``: ``(1 + total) ** (252 / n) - 1`` (compound annual growth);
* ``annual_volatility``: ``std(r, ddof=1) * sqrt(252)``;
* ``sharpe``: ``mean(r) / std(r, ddof=1) * sqrt(252)`` (risk-free 0: the excess over
  cash is what a user compares);
* ``sortino``: ``mean(r) * 252 / (sqrt(mean(min(r, 0) ** 2)) * sqrt(252))``;
* ``max_drawdown``: the worst fall of equity from its running peak, the start (1.0)
  included (negative);
* ``calmar``: ``annual_return / |max_drawdown|`` (NaN without a drawdown).

These equal ``empyrical.total_return`` / ``annual_return`` / ``annual_volatility`` /
``sharpe_ratio`` / ``sortino_ratio`` / ``max_drawdown`` / ``calmar_ratio`` (a test
checks them to 1e-9).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PERIODS", "performance", "drawdown_series"]

PERIODS = 252


def drawdown_series(returns: pd.Series) -> pd.Series:
    """Equity over its running peak minus 1 (0 at a new high), starting from 1.0."""
    eq = (1.0 + returns.astype(np.float64)).cumprod()
    peak = np.maximum.accumulate(np.concatenate([[1.0], eq.to_numpy()]))[1:]
    return eq / peak - 1.0


def performance(returns: pd.Series) -> dict[str, float]:
    """The return metrics of a daily return series (see the module docstring)."""
    r = returns.to_numpy(dtype=np.float64)
    n = len(r)
    nan = float("nan")
    if n == 0:
        return {k: nan for k in ("total_return", "annual_return", "annual_volatility",
                                 "sharpe", "sortino", "max_drawdown", "calmar")}
    growth = float(np.prod(1.0 + r))
    total = growth - 1.0
    annual = growth ** (PERIODS / n) - 1.0 if growth > 0 else -1.0
    std = float(np.std(r, ddof=1)) if n > 1 else nan
    vol = std * np.sqrt(PERIODS)
    mean = float(np.mean(r))
    sharpe = mean / std * np.sqrt(PERIODS) if std and std == std and std > 0 else nan
    down = np.sqrt(np.mean(np.square(np.minimum(r, 0.0)))) * np.sqrt(PERIODS)
    sortino = mean * PERIODS / down if down > 0 else (np.inf if mean > 0 else nan)
    eq = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    mdd = float(np.min(eq / np.maximum.accumulate(eq) - 1.0))
    calmar = annual / abs(mdd) if mdd < 0 else nan
    return {"total_return": total, "annual_return": float(annual),
            "annual_volatility": float(vol), "sharpe": float(sharpe),
            "sortino": float(sortino), "max_drawdown": mdd, "calmar": float(calmar)}
