"""Risk: factor betas on the rotation spreads, Euler risk contributions, concentration.

Factor betas
------------
Ordinary least squares of the portfolio's daily returns on a constant, the market
(SPY's daily return) and the rotation spreads of :data:`FACTORS`, each the difference of
two daily returns (``MAGS-SPY`` = ``r_MAGS - r_SPY``), over the window's sessions on
which every factor ticker also has a close. Standard errors are the classical ones,
``s^2 (X'X)^-1`` with ``s^2 = RSS / (n - p)``; ``t_stat = beta / std_error``. A spread
whose tickers have no prices over the window (XMAG before October 2024, MAGS before
April 2023) is left out and named in the notes. The market term keeps the spreads'
betas about rotation, not about the market's level.

Risk contribution (Euler)
-------------------------
With ``S`` the sample covariance (ddof 1) of the holdings' daily returns over the window
and ``sigma = sqrt(w' S w)`` the portfolio's daily volatility, holding ``i`` contributes
``c_i = w_i (S w)_i / sigma``; the contributions add up to ``sigma`` exactly (Euler's
theorem for a function homogeneous of degree 1). Reported annualised (x sqrt(252)) and
as shares of the total (``c_i / sigma``). Cash contributes 0.

Concentration
-------------
Over the invested weights normalised to sum 1 (``p_i = |w_i| / sum |w|``): the
Herfindahl-Hirschman index ``HHI = sum p_i^2`` and the effective number of holdings
``1 / HHI``; plus the largest and the top-5 shares of the portfolio.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FACTORS", "MARKET", "covariance", "factor_returns", "ols_betas", "risk_contribution",
           "concentration"]

#: The rotation spreads: name -> (long, short).
FACTORS: dict[str, tuple[str, str]] = {
    "MAGS-SPY": ("MAGS", "SPY"), "XMAG-MAGS": ("XMAG", "MAGS"), "RSP-SPY": ("RSP", "SPY"),
    "IWM-QQQ": ("IWM", "QQQ"), "IWD-IWF": ("IWD", "IWF"), "ACWX-SPY": ("ACWX", "SPY"),
    "HYG-IEF": ("HYG", "IEF")}
#: The market term of the factor regression.
MARKET = "SPY"


def factor_returns(returns: pd.DataFrame) -> pd.DataFrame:
    """Market and spread returns from daily returns of their tickers (columns present
    in ``returns`` only)."""
    cols = {}
    if MARKET in returns.columns:
        cols[MARKET] = returns[MARKET]
    for name, (a, b) in FACTORS.items():
        if a in returns.columns and b in returns.columns:
            cols[name] = returns[a] - returns[b]
    return pd.DataFrame(cols, index=returns.index)


def ols_betas(y: pd.Series | pd.DataFrame, x: pd.DataFrame) -> dict[str, Any]:
    """OLS of each column of ``y`` on a constant and ``x``.

    Returns
    -------
    dict with ``betas``, ``std_errors``, ``t_stats`` (DataFrames: factors x targets),
    ``alpha`` (daily intercepts, Series), ``alpha_t``, ``r_squared``, ``observations``.
    """
    yy = y.to_frame() if isinstance(y, pd.Series) else y
    X = np.column_stack([np.ones(len(x)), x.to_numpy(dtype=np.float64)])
    Y = yy.to_numpy(dtype=np.float64)
    n, p = X.shape
    coef, _, rank, _ = np.linalg.lstsq(X, Y, rcond=None)
    resid = Y - X @ coef
    dof = max(n - p, 1)
    s2 = (resid ** 2).sum(axis=0) / dof
    xtx_inv = np.linalg.pinv(X.T @ X)
    se = np.sqrt(np.outer(np.diag(xtx_inv), s2))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = coef / se
    ss_tot = ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = 1.0 - (resid ** 2).sum(axis=0) / ss_tot
    names = ["const", *x.columns]
    cols = yy.columns
    return {"betas": pd.DataFrame(coef[1:], index=names[1:], columns=cols),
            "std_errors": pd.DataFrame(se[1:], index=names[1:], columns=cols),
            "t_stats": pd.DataFrame(t[1:], index=names[1:], columns=cols),
            "alpha": pd.Series(coef[0], index=cols), "alpha_t": pd.Series(t[0], index=cols),
            "r_squared": pd.Series(r2, index=cols), "observations": n, "rank": int(rank)}


def covariance(r: np.ndarray) -> np.ndarray:
    """Sample covariance (ddof 1) of the columns of ``r`` (one BLAS product)."""
    x = r - r.mean(axis=0)
    return (x.T @ x) / (len(r) - 1)


def risk_contribution(returns: pd.DataFrame, weights: pd.Series, *,
                      cov: np.ndarray | None = None) -> tuple[pd.DataFrame, float]:
    """Euler risk contributions (see the module doc).

    Returns
    -------
    (DataFrame index holdings: weight, volatility (annualised, own), marginal
    (annualised d sigma / d w_i), contribution (annualised), share; the portfolio's
    annualised volatility).
    """
    w = weights.to_numpy(dtype=np.float64)
    if cov is None:
        # S w = X'(X w) / (n - 1) with X the demeaned returns: O(n k), no k x k matrix
        r = returns[weights.index].to_numpy(dtype=np.float64)
        n = len(r)
        mu = r.mean(axis=0)
        rw = r @ w
        sw = (r.T @ (rw - rw.mean())) / (n - 1)      # = X'(X w)/(n-1), X demeaned
        own = np.einsum("ij,ij->j", r, r) / (n - 1) - mu * mu * (n / (n - 1))
    else:
        sw = cov @ w
        own = np.diag(cov)
    var = float(w @ sw)
    sigma = np.sqrt(var) if var > 0 else float("nan")
    ann = np.sqrt(252.0)
    contrib = w * sw / sigma
    out = pd.DataFrame({"weight": w, "volatility": np.sqrt(own) * ann,
                        "marginal": sw / sigma * ann, "contribution": contrib * ann,
                        "share": contrib / sigma}, index=weights.index)
    return out, float(sigma * ann)


def concentration(weights: pd.Series) -> dict[str, Any]:
    """HHI, effective number of holdings, largest and top-5 weights."""
    a = np.abs(weights.to_numpy(dtype=np.float64))
    total = float(a.sum())
    if total <= 0:
        return {"hhi": None, "effective_holdings": None, "holdings": int(len(a)),
                "largest": None, "largest_ticker": None, "top5": None}
    p = a / total
    hhi = float((p ** 2).sum())
    order = np.argsort(-a, kind="stable")
    return {"hhi": hhi, "effective_holdings": 1.0 / hhi, "holdings": int(len(a)),
            "largest": float(weights.iloc[order[0]]),
            "largest_ticker": str(weights.index[order[0]]),
            "top5": float(weights.iloc[order[:5]].sum()),
            "definition": "over invested weights p = |w| / sum |w|: HHI = sum p^2, "
                          "effective holdings = 1 / HHI; largest and top5 as fractions of "
                          "the portfolio"}
