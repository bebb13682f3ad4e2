"""Portfolio returns over a window, and the performance metrics of a return series.

Returns
-------
The window's sessions are the dates on or before the as-of date on which **every
holding and the benchmark** have a close; daily returns run from one such session to
the next (``close_t / close_prev - 1``), and the window is the last ``window`` of them
(``1y`` = 252). The portfolio is **constant-mix, rebalanced daily**: its return on a
day is ``sum_i w_i r_i`` with today's weights ``w`` (cash, ``1 - sum w``, returns 0).

Metrics (risk-free rate 0, 252 sessions a year; the conventions of empyrical)
-------------------------------------------------------------------------------
* ``annual_return``: ``prod(1 + r) ** (252 / n) - 1`` (compound annual growth).
* ``annual_volatility``: sample standard deviation (ddof 1) of daily returns x sqrt(252).
* ``sharpe``: ``mean(r) / std(r, ddof=1) * sqrt(252)``.
* ``sortino``: ``252 * mean(r) / (sqrt(mean(min(r, 0) ** 2)) * sqrt(252))`` (downside
  deviation below 0 over all days, as empyrical's ``downside_risk``).
* ``max_drawdown``: the lowest ``W_t / max_{s<=t} W_s - 1`` of the wealth ``W`` that
  starts at 1 before the first return (a negative fraction).
* ``beta``: ``cov(r, b) / var(b)``; ``alpha``: ``(1 + mean(r - beta b)) ** 252 - 1``
  (annualised as empyrical's ``alpha``).
* ``var_95``: the 5th percentile of daily returns (linear interpolation, numpy's
  default); ``cvar_95``: the mean of the ``floor((n - 1) * 0.05) + 1`` lowest returns
  (empyrical's ``conditional_value_at_risk``). Both daily, historical, negative numbers.
* ``tracking_error``: ``std(r - b, ddof=1) * sqrt(252)``; ``information_ratio``:
  ``252 * mean(r - b) / tracking_error`` (empyrical's ``excess_sharpe`` x sqrt(252)).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...errors import DataError, ParameterError

__all__ = ["ANNUALIZATION", "METRICS", "parse_portfolio_window", "common_returns",
           "performance_metrics", "drawdown", "wealth"]

ANNUALIZATION = 252
METRICS = ("annual_return", "annual_volatility", "sharpe", "sortino", "max_drawdown",
           "beta", "alpha", "var_95", "cvar_95", "tracking_error", "information_ratio")
_MIN_RETURNS = 20


def parse_portfolio_window(window: Any) -> int | None:
    """``"1y"`` -> 252, ``"6m"`` -> 126, ``"20y"`` -> 5040, an int -> itself, ``"all"``
    -> None (every common session)."""
    if window is None or (isinstance(window, str) and window.strip().lower() == "all"):
        return None
    from ...signals.returns import parse_window

    rows = parse_window(window)
    if rows == "ytd":
        raise ParameterError("portfolio window: 'ytd' is not supported; use 1m, 3m, 6m, 1y, "
                             "Ny or all")
    assert isinstance(rows, int)
    return rows


def common_returns(close: pd.DataFrame, window: int | None, *,
                   rows: np.ndarray | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Daily returns between consecutive sessions where every column has a close, the
    last ``window`` of them.

    ``rows`` optionally restricts the sessions further (a boolean mask over ``close``).
    Returns (returns frame, notes).
    """
    values = close.to_numpy(dtype=np.float64)
    ok = np.isfinite(values).all(axis=1)
    if rows is not None:
        ok &= rows
    idx = np.flatnonzero(ok)
    notes: list[str] = []
    if window is not None:
        idx = idx[-(window + 1):]
    if len(idx) < 2:
        raise DataError("no two sessions on which every holding and the benchmark have a "
                        "close; check the holdings' price histories")
    sel = values[idx]
    ret = sel[1:] / sel[:-1] - 1.0
    if window is not None and len(ret) < window:
        notes.append(f"only {len(ret)} daily returns on which every holding and the "
                     f"benchmark have a close (window asks for {window})")
    if len(ret) < _MIN_RETURNS:
        raise DataError(f"only {len(ret)} daily returns on which every holding and the "
                        f"benchmark have a close; at least {_MIN_RETURNS} are needed")
    frame = pd.DataFrame(ret, index=close.index[idx[1:]], columns=close.columns)
    return frame, notes


def wealth(r: np.ndarray) -> np.ndarray:
    """Wealth after each return, starting from 1 (columns independent)."""
    return np.cumprod(1.0 + r, axis=0)


def drawdown(r: np.ndarray) -> np.ndarray:
    """Drawdown after each return, from a peak that includes the starting wealth 1."""
    w = wealth(r)
    peak = np.maximum(np.maximum.accumulate(w, axis=0), 1.0)
    return w / peak - 1.0


def performance_metrics(r: Any, b: Any) -> pd.Series:
    """The metrics of the module doc for returns ``r`` against benchmark returns ``b``
    (same length, no NaN). Returns a Series indexed by :data:`METRICS` (plus
    ``observations``)."""
    r = np.asarray(r, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if r.shape != b.shape or r.ndim != 1:
        raise ParameterError("performance_metrics(): 'r' and 'b' must be 1-D and equally "
                             "long")
    n = len(r)
    a = float(ANNUALIZATION)
    out: dict[str, float] = {}
    out["annual_return"] = float(np.prod(1.0 + r) ** (a / n) - 1.0)
    std = float(np.std(r, ddof=1))
    out["annual_volatility"] = std * np.sqrt(a)
    mean = float(np.mean(r))
    out["sharpe"] = mean / std * np.sqrt(a) if std > 0 else float("nan")
    down = np.sqrt(np.mean(np.minimum(r, 0.0) ** 2)) * np.sqrt(a)
    out["sortino"] = mean * a / down if down > 0 else float("nan")
    out["max_drawdown"] = float(drawdown(r).min())
    bc = b - b.mean()
    var_b = float(np.dot(bc, bc))
    beta = float(np.dot(bc, r - r.mean()) / var_b) if var_b > 0 else float("nan")
    out["beta"] = beta
    out["alpha"] = float((1.0 + np.mean(r - beta * b)) ** a - 1.0)
    out["var_95"] = float(np.percentile(r, 5.0))
    k = int((n - 1) * 0.05)
    out["cvar_95"] = float(np.mean(np.partition(r, k)[:k + 1]))
    active = r - b
    te = float(np.std(active, ddof=1))
    out["tracking_error"] = te * np.sqrt(a)
    out["information_ratio"] = (float(np.mean(active)) / te * np.sqrt(a) if te > 0
                                else float("nan"))
    s = pd.Series(out)[list(METRICS)]
    s["observations"] = float(n)
    return s
