"""Exposure: Mag-7 look-through, returns-based style analysis, sectors.

Mag-7 look-through (``look_through``)
-------------------------------------
The Mag-7 are AAPL, MSFT, GOOGL (Alphabet; GOOG, its class C, counts as GOOGL), AMZN,
NVDA, META and TSLA. A holding contributes to the look-through exposure by what is known
of its contents:

* a Mag-7 stock: its whole weight (``method = "direct"``);
* a fund with a holdings file (imported with ``rotascope portfolio holdings import``,
  the latest dated on or before the as-of date): weight x the fund's weights in the
  Mag-7 (``"holdings"``);
* **MAGS** without a file: the seven names in equal parts, 1/7 each (Roundhill's
  Magnificent Seven ETF is equal-weighted and rebalanced quarterly, so between
  rebalances its real weights drift from 1/7) (``"builtin"``);
* **XMAG** without a file: none of the seven, by its mandate (S&P 500 ex Mag-7); the
  other basis funds below (IWM, ACWX, IEF, HYG, BIL) likewise hold none (``"builtin"``);
* any other stock: 0 (``"direct"``).

Estimated (``estimated``)
-------------------------
A fund without known holdings is fitted by returns-based style analysis (Sharpe 1992):
its daily returns over the window are regressed on the returns of the basis funds
:data:`MAG7_BASIS` (MAGS, XMAG, IWM, ACWX, IEF, HYG, BIL) with weights ``x >= 0`` that
sum to 1, by non-negative least squares (``scipy.optimize.nnls``) on the system
augmented with the row ``lambda * (sum x - 1) = 0`` (``lambda = 1e3 * the largest
column norm``, which makes the sum 1 to about 1e-6). Only MAGS of the basis holds
Mag-7 names (MAGS+XMAG is the S&P 500; small caps, ex-US stocks, Treasuries, high yield
and T-bills hold none), so the fund's estimated Mag-7 share is ``x_MAGS`` and its
contribution ``weight x x_MAGS``. The fit's R^2 is reported with it: a low R^2 means the
basis explains the fund badly and the estimate is weak.

``by_style`` is the same analysis of the whole portfolio on :data:`STYLE_BASIS`
(growth IWF, value IWD, small caps IWM, ex-US ACWX, Treasuries IEF, high yield HYG,
T-bills BIL).

Sectors (``by_sector``)
-----------------------
GICS sectors of the S&P 500 list (``rotascope universe add sp500 ...`` stores them with
the instruments): a stock's weight goes to its sector; a fund with a holdings file
spreads its weight over its constituents' sectors (the store's sector, else the file's
own Sector column); a Select Sector SPDR (XLK, ...) or its equal-weight twin (RSPT, ...)
goes to its sector; MAGS to the Mag-7's sectors (1/7 each); everything else is
``"unknown"`` and cash is ``"cash"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import ParameterError

__all__ = ["MAG7", "MAG7_ALIASES", "MAG7_BASIS", "STYLE_BASIS", "SECTOR_FUNDS", "StyleFit",
           "style_analysis", "Contents", "classify_holdings", "mag7_exposure",
           "sector_exposure"]

MAG7: tuple[str, ...] = ("AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA")
MAG7_ALIASES: dict[str, str] = {"GOOG": "GOOGL"}
#: Basis of the per-fund Mag-7 estimate: ticker -> share of the Mag-7 in it.
MAG7_BASIS: dict[str, float] = {"MAGS": 1.0, "XMAG": 0.0, "IWM": 0.0, "ACWX": 0.0,
                                "IEF": 0.0, "HYG": 0.0, "BIL": 0.0}
#: Basis of the portfolio's style analysis: ticker -> label.
STYLE_BASIS: dict[str, str] = {"IWF": "US large growth", "IWD": "US large value",
                               "IWM": "US small caps", "ACWX": "international (ex-US)",
                               "IEF": "Treasuries 7-10y", "HYG": "high yield",
                               "BIL": "T-bills"}
_SECTORS = {"Materials": ("XLB", "RSPM"), "Communication Services": ("XLC", "RSPC"),
            "Energy": ("XLE", "RSPG"), "Financials": ("XLF", "RSPF"),
            "Industrials": ("XLI", "RSPN"), "Information Technology": ("XLK", "RSPT"),
            "Consumer Staples": ("XLP", "RSPS"), "Real Estate": ("XLRE", "RSPR"),
            "Utilities": ("XLU", "RSPU"), "Health Care": ("XLV", "RSPH"),
            "Consumer Discretionary": ("XLY", "RSPD")}
#: Single-sector funds -> their GICS sector.
SECTOR_FUNDS: dict[str, str] = {t: s for s, ts in _SECTORS.items() for t in ts}
_NON_EQUITY = "futures|derivative|bond|fixed income|swap|fx|forward|option|treasur"


@dataclass(frozen=True)
class StyleFit:
    """A returns-based style fit: weights (index: basis tickers, >= 0, sum 1),
    r_squared, tracking error (annualised std of the residual), observations."""

    weights: pd.Series
    r_squared: float
    tracking_error: float
    observations: int

    def to_dict(self) -> dict[str, Any]:
        return {"weights": self.weights.to_dict(), "r_squared": self.r_squared,
                "tracking_error": self.tracking_error, "observations": self.observations}


def style_analysis(target: pd.Series | pd.DataFrame, basis: pd.DataFrame) -> dict[str, StyleFit]:
    """Sharpe (1992) style analysis of each target column on ``basis`` returns.

    Parameters
    ----------
    target : daily returns of one fund (Series) or several (DataFrame), no NaN.
    basis : daily returns of the basis funds on the same dates, no NaN.

    Returns
    -------
    dict target name -> :class:`StyleFit`.
    """
    from scipy.optimize import nnls

    frame = target.to_frame() if isinstance(target, pd.Series) else target
    if not frame.index.equals(basis.index):
        raise ParameterError("style_analysis(): 'target' and 'basis' must share dates")
    a = basis.to_numpy(dtype=np.float64)
    y_all = frame.to_numpy(dtype=np.float64)
    if not (np.isfinite(a).all() and np.isfinite(y_all).all()):
        raise ParameterError("style_analysis(): returns must have no NaN")
    n, k = a.shape
    lam = 1e3 * float(np.sqrt((a * a).sum(axis=0)).max() or 1.0)
    aug = np.vstack([a, np.full((1, k), lam)])
    out: dict[str, StyleFit] = {}
    for j, name in enumerate(frame.columns):   # one small NNLS per fund
        y = y_all[:, j]
        x, _ = nnls(aug, np.append(y, lam), maxiter=50 * k)
        resid = y - a @ x
        ss_tot = float(((y - y.mean()) ** 2).sum())
        r2 = 1.0 - float((resid ** 2).sum()) / ss_tot if ss_tot > 0 else float("nan")
        out[str(name)] = StyleFit(pd.Series(x, index=basis.columns), r2,
                                  float(np.std(resid, ddof=1) * np.sqrt(252)), n)
    return out


@dataclass(frozen=True)
class Contents:
    """What is known of each holding's contents (index: holdings).

    ``method``: direct / holdings / builtin / estimated; ``mag7``: share of each Mag-7
    name in the holding (NaN rows where unknown); ``share``: their total (exactly 1 for
    a Mag-7 stock and for MAGS, NaN where unknown); ``sector``: the single sector of a
    stock or sector fund (None otherwise); ``fund_sectors``: sector mix of funds with
    known holdings; ``holdings_as_of`` and ``holdings_location`` of their files.
    """

    method: pd.Series
    mag7: pd.DataFrame
    share: pd.Series
    sector: pd.Series
    fund_sectors: dict[str, pd.Series]
    holdings_as_of: dict[str, pd.Timestamp | None]
    holdings_location: dict[str, str | None]


def _mag7_of(tickers: pd.Series | pd.Index) -> np.ndarray:
    """Column position in :data:`MAG7` of each ticker (-1 for others)."""
    t = pd.Series(np.asarray(tickers, dtype=object)).replace(MAG7_ALIASES)
    pos = pd.Series(range(len(MAG7)), index=list(MAG7))
    return t.map(pos).fillna(-1).to_numpy(dtype=np.int64)


def _file_contents(rows: pd.DataFrame, sectors: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(Mag-7 shares, sector mix) of a fund's holdings rows."""
    w = rows["weight"].to_numpy(dtype=np.float64)
    tick = rows["ticker"].fillna("").astype(str)
    pos = _mag7_of(tick)
    mag7 = np.bincount(pos[pos >= 0], weights=w[pos >= 0], minlength=len(MAG7))
    asset = (rows["asset_class"].fillna("").astype(str).str.strip().str.lower()
             if "asset_class" in rows.columns else pd.Series("", index=rows.index))
    cash_like = asset.str.contains("cash|money market", regex=True).to_numpy()
    other = asset.str.contains(_NON_EQUITY, regex=True).to_numpy()
    equity = ~cash_like & ~other & (tick.to_numpy() != "")
    sec = tick.map(sectors)
    if "sector" in rows.columns:
        sec = sec.where(sec.notna(), rows["sector"])
    sec_a = sec.fillna("unknown").astype(str).to_numpy()
    sec_a = np.where(cash_like, "cash", np.where(equity, sec_a, "other (non-equity)"))
    return mag7, pd.Series(w, index=sec_a).groupby(level=0).sum()


def classify_holdings(tickers: Sequence[str], instruments: pd.DataFrame,
                      fund_holdings: Mapping[str, pd.DataFrame]) -> Contents:
    """What is known of every holding's contents (see the module doc); vectorised over
    stocks, one step per fund with a holdings file."""
    idx = pd.Index([str(t) for t in tickers], name="ticker", dtype=object)
    info = instruments.reindex(idx)
    kind = info["kind"].astype(object).where(info["kind"].notna(), "").astype(str).str.lower()
    sector = info["sector"].astype(object)
    sectors_all = instruments["sector"].dropna().astype(str)
    pos = _mag7_of(idx)
    n = len(idx)
    mag7 = np.full((n, len(MAG7)), np.nan)
    method = np.full(n, "estimated", dtype=object)
    has_sector = sector.notna().to_numpy()
    is_stock = (kind.to_numpy() == "stock") | (has_sector & (kind.to_numpy() != "etf"))
    stock = is_stock & ~idx.isin(list(SECTOR_FUNDS))
    mag7[stock] = 0.0
    method[stock] = "direct"
    direct = pos >= 0
    mag7[direct] = 0.0
    mag7[np.flatnonzero(direct), pos[direct]] = 1.0
    method[direct] = "direct"
    one_sector = pd.Series(np.where(stock | direct, sector.to_numpy(), None), index=idx,
                           dtype=object)
    sf = idx.isin(list(SECTOR_FUNDS))
    one_sector[sf] = [SECTOR_FUNDS[t] for t in idx[sf]]
    fund_sectors: dict[str, pd.Series] = {}
    as_of: dict[str, pd.Timestamp | None] = {}
    location: dict[str, str | None] = {}
    for t in (t for t in idx if t in fund_holdings and not direct[idx.get_loc(t)]):
        i = idx.get_loc(t)      # one step per fund with a holdings file
        rows = fund_holdings[t]
        mag7[i], fund_sectors[t] = _file_contents(rows, sectors_all)
        method[i] = "holdings"
        one_sector[t] = None
        as_of[t] = rows.attrs.get("as_of")
        location[t] = rows.attrs.get("location")
    for t in MAG7_BASIS:     # the basis funds' Mag-7 content is known by mandate
        if t in idx and method[idx.get_loc(t)] == "estimated":
            i = idx.get_loc(t)
            method[i] = "builtin"
            mag7[i] = 1.0 / len(MAG7) if t == "MAGS" else 0.0
            if t == "MAGS":
                sec = [str(sectors_all.get(m, "unknown")) for m in MAG7]
                fund_sectors[t] = pd.Series(1.0 / len(MAG7), index=sec).groupby(level=0).sum()
    total = np.where(np.isfinite(mag7).all(axis=1), np.nansum(mag7, axis=1), np.nan)
    total[direct] = 1.0
    if "MAGS" in idx and method[idx.get_loc("MAGS")] == "builtin":
        total[idx.get_loc("MAGS")] = 1.0      # 7 x (1/7) is 0.9999999999999998 in floats
    return Contents(pd.Series(method, index=idx),
                    pd.DataFrame(mag7, index=idx, columns=list(MAG7)),
                    pd.Series(total, index=idx), one_sector,
                    fund_sectors, as_of, location)


def mag7_exposure(weights: pd.Series, contents: Contents, estimates: Mapping[str, StyleFit],
                  cash: float) -> dict[str, Any]:
    """The ``exposure.mag7`` block (fractions of the portfolio)."""
    w = weights.to_numpy(dtype=np.float64)
    m = contents.mag7.reindex(weights.index).to_numpy()
    known = np.isfinite(m).all(axis=1)
    share = contents.share.reindex(weights.index).to_numpy()
    est_share = pd.Series({t: float(f.weights.get("MAGS", 0.0)) for t, f in estimates.items()},
                          dtype=np.float64).reindex(weights.index).to_numpy()
    share = np.where(known, share, est_share)
    look = np.where(known, w * share, 0.0)
    est = np.where(~known & np.isfinite(est_share), w * est_share, 0.0)
    by_name = pd.Series(np.nan_to_num(m[known]).T @ w[known] if known.any()
                        else np.zeros(len(MAG7)), index=list(MAG7))
    r2 = pd.Series({t: f.r_squared for t, f in estimates.items()},
                   dtype=np.float64).reindex(weights.index)
    table = pd.DataFrame({"weight": w, "method": contents.method.reindex(weights.index)
                          .to_numpy(), "mag7_share": share, "look_through": look,
                          "estimated": np.where(known, 0.0, np.where(np.isfinite(est_share),
                                                                     est, np.nan)),
                          "r_squared": r2.to_numpy()}, index=weights.index)
    unexplained = float(w[~known & ~np.isfinite(est_share)].sum())
    return {"look_through": float(look.sum()), "estimated": float(est.sum()),
            "total": float(look.sum() + est.sum()), "unexplained_weight": unexplained,
            "cash": cash, "by_ticker": table, "by_name": by_name,
            "definition": "Mag-7 = AAPL, MSFT, GOOGL (incl. GOOG), AMZN, NVDA, META, TSLA; "
                          "look_through = direct holdings + funds with known holdings (MAGS "
                          "= 1/7 each, XMAG none, imported issuer files); estimated = funds "
                          "without holdings x their style-analysis MAGS weight"}


def sector_exposure(weights: pd.Series, contents: Contents, cash: float) -> pd.Series:
    """Weight per GICS sector (plus ``unknown``, ``other (non-equity)``, ``cash``)."""
    one = contents.sector.reindex(weights.index)
    funds = [t for t in weights.index if t in contents.fund_sectors]
    single = weights[one.notna().to_numpy() & ~weights.index.isin(funds)]
    parts = [single.groupby(one[single.index].astype(str).to_numpy()).sum()]
    rest = weights[one.isna().to_numpy() & ~weights.index.isin(funds)]
    if len(rest):
        parts.append(pd.Series({"unknown": float(rest.sum())}))
    parts.extend(float(weights[t]) * contents.fund_sectors[t] for t in funds)
    if cash:
        parts.append(pd.Series({"cash": cash}))
    out = pd.concat(parts).groupby(level=0).sum()
    return out.sort_values(ascending=False)
