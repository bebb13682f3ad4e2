"""Concentration: the Mag-7 basket against the rest of the index, and who made the index return.

Baskets
-------
A basket's daily return at date t is a weighted mean of its tickers' daily returns
``r_i,t = close_i,t / previous own close - 1`` over the tickers that have one at t
(nothing is filled: a ticker without a close at t is left out that day):

* **equal weight** (no weights): every ticker with a return counts the same, i.e. the
  basket is rebalanced to equal weights every day (MAGS rebalances quarterly, so it
  drifts a little from this);
* **cap weight** (a weights file ``ticker,weight,as_of``): holdings drift with prices
  from the weights' date ``d``, ``h_i,t = w_i * P_i,t-1 / P_i,d`` (constant share
  counts), and the day's return is ``sum h_i r_i / sum h_i``. Weights dated after the
  analysis date back-cast today's caps by price: an approximation the result notes.

The level is ``100 * cumprod(1 + r)`` from the first date with a return. The **rest**
of the index is the universe's members on each date (point in time) without the
group. The **spread** over a window is the group's return minus the rest's, in
fractions (0.021 = 2.1 percentage points). The Mag-7 ETF (MAGS, from 2023-04) and the
S&P 500 ex-Mag-7 ETF (XMAG, from 2024-10) are shown beside the baskets where they have
data.

Contribution of a group to the index return over a window
----------------------------------------------------------
* **With weights** (fractions of the index on the weights' date ``d``): each weight
  drifts with the ticker's price relative to the index ETF, ``w_i,t = w_i,d *
  (P_i,t / P_i,d) / (I_t / I_d)``; the contribution is ``sum_i w_i,t0 * R_i`` over the
  group, ``t0`` the window's start and ``R_i`` the ticker's return over the window
  (buy and hold), and the share is contribution / the index ETF's return ``R_I``.
* **Without weights** (estimate): the group's weight is estimated from daily returns
  over the ``estimation_window`` rows (252) ending at the window's start (before the
  window, so it does not peek into it): ``r_I - r_R = w * (r_G - r_R)`` by least
  squares through the origin, ``r_G``/``r_R`` the equal-weight group/rest baskets,
  ``w`` clipped to [0, 1]; the contribution is ``w * R_G``. The fit's R^2 is reported:
  equal-weight baskets are rough proxies of cap-weighted parts, so read it as an
  order of magnitude.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._validation import as_price_frame, check_date, check_int
from ..errors import NoDataError, ParameterError, ParameterTypeError

if TYPE_CHECKING:
    from ..market_view import MarketView
from ..signals.returns import parse_window, shift_valid

__all__ = ["MAG7", "basket_returns", "basket_index", "Contribution",
           "contribution", "Concentration", "concentration", "concentration_report"]

#: The Magnificent Seven (GOOGL for Alphabet).
MAG7: tuple[str, ...] = ("AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA")


def _weights_series(weights: Any, func: str) -> tuple[pd.Series, pd.Series]:
    """(weight by ticker, as_of by ticker) from a read_weights frame or a Series."""
    if isinstance(weights, pd.DataFrame):
        if not {"ticker", "weight", "as_of"} <= set(weights.columns):
            raise ParameterError(f"{func}(): 'weights' needs columns ticker, weight, as_of "
                                 "(see read_weights)")
        w = weights.set_index("ticker")
        return w["weight"].astype(float), pd.to_datetime(w["as_of"])
    raise ParameterTypeError(f"{func}(): 'weights' must be the DataFrame read_weights() "
                             f"returns, got {type(weights).__name__}")


def _anchor_prices(frame: pd.DataFrame, dates: pd.Series) -> np.ndarray:
    """Each column's last close on or before its anchor date (else its first close)."""
    out = np.full(frame.shape[1], np.nan)
    vals = frame.to_numpy(dtype=np.float64)
    valid = ~np.isnan(vals)
    idx = frame.index
    for j, t in enumerate(frame.columns):  # one lookup per ticker (a handful)
        rows = np.flatnonzero(valid[:, j])
        if len(rows) == 0:
            continue
        k = int(np.searchsorted(idx[rows], dates.get(t, idx[rows[-1]]), side="right")) - 1
        out[j] = vals[rows[max(k, 0)], j]
    return out


def basket_returns(close: pd.DataFrame, tickers: Sequence[str] | None = None, *,
                   members: pd.DataFrame | None = None, weights: Any = None) -> pd.Series:
    """Daily returns of a basket (see the module docstring).

    Parameters
    ----------
    close : DataFrame (dates x tickers) of adjusted closes.
    tickers : the basket's columns (default: every column).
    members : optional bool DataFrame (dates x tickers): a ticker counts on a date only
        where True (point-in-time membership); same labels as ``close`` for the columns
        used.
    weights : optional :func:`read_weights` frame: cap weights drifting with prices;
        tickers without a weight are left out. None: equal weight.

    Returns
    -------
    Series of daily returns indexed like ``close``; NaN on dates no ticker has a
    return.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=3)
    >>> close = pd.DataFrame({"A": [100.0, 110, 121], "B": [50.0, 50, np.nan]}, index=idx)
    >>> basket_returns(close).round(4).tolist()
    [nan, 0.05, 0.1]
    """
    f = "basket_returns"
    frame, _ = as_price_frame(close, "close", func=f)
    cols = list(frame.columns) if tickers is None else list(dict.fromkeys(tickers))
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ParameterError(f"{f}(): 'close' has no column for {', '.join(missing)}")
    sub = frame[cols]
    a = sub.to_numpy(dtype=np.float64)
    prev = shift_valid(sub, 1).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        r = a / prev - 1.0
    ok = np.isfinite(r)
    if members is not None:
        m = members.reindex(index=frame.index, columns=cols, fill_value=False)
        ok &= m.to_numpy(dtype=bool)
    if weights is None:
        h = np.ones_like(a)
    else:
        w, d = _weights_series(weights, f)
        anchor = _anchor_prices(sub, d)
        wv = w.reindex(cols).to_numpy(dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            h = wv[None, :] * prev / anchor[None, :]
        ok &= np.isfinite(h)
    hw = np.where(ok, h, 0.0)
    num = (hw * np.where(ok, r, 0.0)).sum(axis=1)
    den = hw.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / den, np.nan)
    return pd.Series(out, index=frame.index, name="basket")


def basket_index(returns: pd.Series, base: float = 100.0) -> pd.Series:
    """Level of a basket from its daily returns: ``base * cumprod(1 + r)``.

    NaN before the first return; a NaN return (no ticker that day) keeps the level and
    outputs NaN on that row.
    """
    r = returns.to_numpy(dtype=np.float64)
    level = base * np.cumprod(np.where(np.isnan(r), 1.0, 1.0 + r))
    started = np.cumsum(~np.isnan(r)) > 0
    return pd.Series(np.where(started & ~np.isnan(r), level, np.nan), index=returns.index,
                     name=returns.name)


def _window_start(index: pd.DatetimeIndex, end_row: int, window: str) -> int:
    spec = parse_window(window)
    if spec == "ytd":
        year = index[end_row].year
        prior = np.flatnonzero(index[: end_row + 1].year < year)
        return int(prior[-1]) if len(prior) else -1
    return end_row - int(spec)


def _level_return(level: pd.Series, start: int, end: int) -> float:
    if start < 0:
        return float("nan")
    a = level.iloc[: start + 1].dropna()
    b = level.iloc[: end + 1].dropna()
    if a.empty or b.empty:
        return float("nan")
    return float(b.iloc[-1] / a.iloc[-1] - 1.0)


@dataclass(frozen=True)
class Contribution:
    """A group's contribution to the index return over a window.

    ``method`` is ``"weights"`` or ``"estimate"``; ``weight`` the group's weight in the
    index at the window's start (given or estimated); ``group_return`` and
    ``index_return`` the window's returns; ``contribution`` the index return points the
    group made (fraction) and ``share`` = contribution / index_return; ``r2`` the
    estimate's fit (None with weights).
    """

    window: str
    method: str
    start: pd.Timestamp | None
    end: pd.Timestamp
    weight: float
    group_return: float
    index_return: float
    contribution: float
    share: float
    r2: float | None = None

    def to_dict(self) -> dict[str, Any]:
        def f(x: float | None) -> float | None:
            return None if x is None or np.isnan(x) else float(x)

        return {"window": self.window, "method": self.method,
                "start": None if self.start is None else self.start.strftime("%Y-%m-%d"),
                "end": self.end.strftime("%Y-%m-%d"), "weight": f(self.weight),
                "group_return": f(self.group_return), "index_return": f(self.index_return),
                "contribution": f(self.contribution), "share": f(self.share),
                "r2": f(self.r2)}


def contribution(close: pd.DataFrame, group: Sequence[str], index: str, window: str, *,
                 weights: Any = None, rest: Sequence[str] | None = None,
                 members: pd.DataFrame | None = None, as_of: Any = None,
                 estimation_window: int = 252) -> Contribution:
    """Contribution of ``group`` to the return of ``index`` over ``window``.

    Parameters
    ----------
    close : DataFrame with the group's, the rest's and the index's columns.
    group : the group's tickers (e.g. :data:`MAG7`).
    index : the index ETF column (e.g. ``"SPY"``).
    window : ``"1m"``, ``"3m"``, ``"ytd"``, ... (rows of ``close``'s calendar).
    weights : :func:`read_weights` frame with the group's weights as fractions of the
        index; None: the returns-based estimate (needs ``rest``).
    rest : the other members' columns (for the estimate).
    members : optional point-in-time mask for the rest basket.
    as_of : date (default the last row).
    estimation_window : rows of daily returns of the estimate (before the window).

    Returns
    -------
    Contribution

    Raises
    ------
    ParameterError
        Missing columns, or neither weights nor rest.
    NoDataError
        No row on or before ``as_of``.
    """
    f = "contribution"
    frame, _ = as_price_frame(close, "close", func=f)
    estimation_window = check_int(estimation_window, "estimation_window", minimum=20, func=f)
    day = frame.index[-1] if as_of is None else check_date(as_of, "as_of", func=f)
    frame = frame.loc[:day]
    if len(frame) == 0:
        raise NoDataError(f"{f}(): no rows on or before {day:%Y-%m-%d}")
    group = [g for g in dict.fromkeys(group)]
    need = [*group, index]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise ParameterError(f"{f}(): 'close' has no column for {', '.join(missing)}")
    end = len(frame) - 1
    start = _window_start(frame.index, end, str(window))
    start_date = frame.index[start] if start >= 0 else None
    idx_level = frame[index]
    r_index = _level_return(idx_level, start, end)
    if weights is not None:
        w, d = _weights_series(weights, f)
        gw = [g for g in group if g in w.index]
        if not gw:
            raise ParameterError(f"{f}(): 'weights' has none of the group's tickers")
        sub = frame[gw]
        anchor = _anchor_prices(sub, d)
        i_anchor = _anchor_prices(frame[[index]], pd.Series({index: d[gw].max()}))[0]
        if start < 0:
            return Contribution(str(window), "weights", None, frame.index[end], np.nan,
                                np.nan, r_index, np.nan, np.nan)
        p0 = sub.iloc[: start + 1].ffill().iloc[-1].to_numpy()  # last close by the start
        p1 = sub.ffill().iloc[-1].to_numpy()
        i0 = idx_level.iloc[: start + 1].dropna().iloc[-1]
        wt = w[gw].to_numpy() * (p0 / anchor) / (i0 / i_anchor)
        r_i = p1 / p0 - 1.0
        ok = np.isfinite(wt) & np.isfinite(r_i)
        weight = float(wt[ok].sum())
        contrib = float((wt[ok] * r_i[ok]).sum())
        group_ret = contrib / weight if weight > 0 else float("nan")
        share = contrib / r_index if r_index else float("nan")
        return Contribution(str(window), "weights", start_date, frame.index[end], weight,
                            group_ret, r_index, contrib, share)
    if rest is None:
        raise ParameterError(f"{f}(): pass 'weights' or the 'rest' of the index for the "
                             "returns-based estimate")
    rest_cols = [c for c in dict.fromkeys(rest) if c in frame.columns and c not in group]
    if not rest_cols:
        raise ParameterError(f"{f}(): none of 'rest' has a column in 'close'")
    rg = basket_returns(frame, group)
    rr = basket_returns(frame, rest_cols, members=members)
    ri = frame[index] / shift_valid(frame[index], 1) - 1.0
    group_ret = _level_return(basket_index(rg), start, end)
    if start < 0:
        return Contribution(str(window), "estimate", None, frame.index[end], np.nan,
                            group_ret, r_index, np.nan, np.nan, None)
    lo = max(0, start - estimation_window + 1)
    y = (ri - rr).iloc[lo: start + 1].to_numpy()
    x = (rg - rr).iloc[lo: start + 1].to_numpy()
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 20:
        return Contribution(str(window), "estimate", start_date, frame.index[end], np.nan,
                            group_ret, r_index, np.nan, np.nan, None)
    x, y = x[ok], y[ok]
    w_hat = float(np.clip((x * y).sum() / (x * x).sum(), 0.0, 1.0))
    resid = y - w_hat * x
    r2 = float(1.0 - (resid * resid).sum() / (y * y).sum()) if (y * y).sum() > 0 else np.nan
    contrib = w_hat * group_ret
    share = contrib / r_index if r_index else float("nan")
    return Contribution(str(window), "estimate", start_date, frame.index[end], w_hat,
                        group_ret, r_index, contrib, share, r2)


@dataclass(frozen=True)
class Concentration:
    """The group (Mag-7) basket against the rest of the index, as of a date.

    ``returns``: DataFrame indexed by series (``group``, ``rest``, ``spread`` = group -
    rest, the index, and MAGS / XMAG when present) with one column per window.
    ``levels``: the basket levels (and ETFs rebased to 100 at the group basket's first
    date) for charts. ``contributions``: one :class:`Contribution` per window.
    ``weighting``: ``"equal"`` or ``"cap"``.
    """

    as_of: pd.Timestamp
    group: tuple[str, ...]
    rest_count: int
    index: str
    weighting: str
    windows: tuple[str, ...]
    returns: pd.DataFrame
    contributions: tuple[Contribution, ...]
    levels: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        def f(x: float) -> float | None:
            return None if x is None or np.isnan(x) else float(x)

        return {"as_of": self.as_of.strftime("%Y-%m-%d"), "group": list(self.group),
                "rest_count": self.rest_count, "index": self.index,
                "weighting": self.weighting,
                "returns": [{"series": name, **{w: f(row[w]) for w in self.windows}}
                            for name, row in self.returns.iterrows()],
                "contributions": [c.to_dict() for c in self.contributions],
                "notes": list(self.notes)}


def concentration(close: pd.DataFrame, *, group: Sequence[str] = MAG7,
                  rest: Sequence[str] | None = None, members: pd.DataFrame | None = None,
                  index: str = "SPY", etfs: Sequence[str] = ("MAGS", "XMAG"),
                  weights: Any = None, windows: Sequence[str] = ("1m", "3m", "ytd", "1y"),
                  as_of: Any = None) -> Concentration:
    """Group basket vs the rest of the index, their spread, the ETFs, and contributions.

    Parameters
    ----------
    close : DataFrame holding the group, the rest, the index and (optionally) the ETFs.
    group : the group's tickers (default :data:`MAG7`).
    rest : the rest of the index (default: every column that is not the group, the
        index or an ETF).
    members : optional point-in-time mask (dates x tickers) for the rest.
    index : the index ETF.
    etfs : comparison ETFs shown where present (MAGS ~ the equal-weight group, XMAG ~
        the cap-weighted rest).
    weights : optional :func:`read_weights` frame: cap-weighted baskets (tickers
        without a weight are left out of a basket) and weight-based contributions.
    windows : window specs.
    as_of : date (default the last row).

    Returns
    -------
    Concentration
    """
    from .perf import perf

    f = "concentration"
    frame, _ = as_price_frame(close, "close", func=f)
    day = frame.index[-1] if as_of is None else check_date(as_of, "as_of", func=f)
    frame = frame.loc[:day]
    if len(frame) == 0:
        raise NoDataError(f"{f}(): no rows on or before {day:%Y-%m-%d}")
    grp = [g for g in dict.fromkeys(group) if g in frame.columns]
    if not grp:
        raise ParameterError(f"{f}(): 'close' has none of the group's tickers "
                             f"({', '.join(group)})")
    if index not in frame.columns:
        raise ParameterError(f"{f}(): 'close' has no column for the index {index!r}")
    present_etfs = [e for e in etfs if e in frame.columns]
    excluded = {*grp, index, *etfs}
    rest_cols = ([c for c in frame.columns if c not in excluded] if rest is None
                 else [c for c in dict.fromkeys(rest) if c in frame.columns and c not in excluded])
    notes: list[str] = []
    absent = [g for g in group if g not in frame.columns]
    if absent:
        notes.append(f"group tickers without prices: {', '.join(absent)}")
    names = tuple(str(w) for w in windows)
    g_ret = basket_returns(frame, grp, weights=weights)
    levels = {"group": basket_index(g_ret)}
    if rest_cols:
        rest_w = weights
        if weights is not None:
            w_idx, _ = _weights_series(weights, f)
            if not w_idx.index.isin(rest_cols).any():
                rest_w = None
                notes.append("the weights cover none of the rest: the rest is equal weight")
        r_ret = basket_returns(frame, rest_cols, members=members, weights=rest_w)
        levels["rest"] = basket_index(r_ret)
    lv = pd.DataFrame(levels)
    first = lv["group"].first_valid_index()
    for t in (index, *present_etfs):
        s = frame[t]
        base = s.loc[first:].dropna() if first is not None else s.dropna()
        lv[t] = 100.0 * s / base.iloc[0] if len(base) else np.nan
    table = perf(lv, names, as_of=day)
    ret = table.returns.copy()
    if "rest" in ret.index:
        spread = ret.loc["group"] - ret.loc["rest"]
        ret.loc["spread"] = spread
        ret = ret.loc[["group", "rest", "spread", *[c for c in ret.index
                                                   if c not in ("group", "rest", "spread")]]]
    cw = "equal" if weights is None else "cap"
    if weights is not None:
        _, d = _weights_series(weights, f)
        if (d > day).any():
            notes.append(f"weights dated {d.max():%Y-%m-%d}, after {day:%Y-%m-%d}: caps "
                         "back-cast by price (constant shares)")
    contribs = []
    for w in names:  # a few windows
        try:
            contribs.append(contribution(frame, grp, index, w, weights=weights,
                                         rest=rest_cols or None, members=members, as_of=day))
        except ParameterError as exc:
            notes.append(f"no contribution over {w}: {exc}")
    if weights is None:
        notes.append("contributions are a returns-based estimate (no weights file); see "
                     "r2")
    return Concentration(as_of=day, group=tuple(grp), rest_count=len(rest_cols), index=index,
                         weighting=cw, windows=names, returns=ret,
                         contributions=tuple(contribs), levels=lv, notes=tuple(notes))


def concentration_report(market: MarketView, universe: str = "sp500", *,
                         weights: Any = None, group: Sequence[str] = MAG7, index: str = "SPY",
                         windows: Sequence[str] = ("1m", "3m", "ytd", "1y"),
                         start: Any = None) -> Concentration:
    """:func:`concentration` of ``group`` within ``universe`` on the market view's date.

    The rest is the universe's point-in-time members without the group (GOOG, the
    second Alphabet class, is left out of the rest too). ``weights`` is a
    :func:`read_weights` frame (the edge reads the file). History starts at ``start``
    (default two years before the view's date, enough for a 1y window and the 252-row
    estimate).
    """
    day = market.as_of
    uni = market.universe(universe)
    tickers = (sorted(set(market.ever_members(universe))) if uni.point_in_time
               else list(uni.tickers))
    have = set(market.tickers)
    skip = {*group, "GOOG", "GOOGL"} if "GOOGL" in group else set(group)
    rest = [t for t in tickers if t in have and t not in skip]
    extra = [t for t in (*group, index, "MAGS", "XMAG") if t in have]
    begin = (pd.Timestamp(day) - pd.DateOffset(years=2)) if start is None else start
    close = market.close(list(dict.fromkeys([*extra, *rest])), start=begin)
    mask = market.membership(universe, close.index, rest)
    return concentration(close, group=group, rest=rest, members=mask, index=index,
                         weights=weights, windows=windows, as_of=day)
