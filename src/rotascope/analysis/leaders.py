"""Leaders and laggards: rank a universe by relative strength and by RRG quadrant.

"Do more of what's working, less of what isn't." For every ticker:

* ``returns[w]``: total return over each window (own rows, see
  :mod:`rotascope.signals.returns`);
* ``relative[w] = (1 + return[w]) / (1 + benchmark return[w]) - 1``: the change of
  the ticker/benchmark ratio line over the window (relative strength);
* ``rank[w]``: 1 = the strongest relative strength over ``w`` (ties share the best
  rank; NaN without the history);
* the RRG point (:func:`rotascope.analysis.rotation.rrg`, weekly by default):
  ``quadrant``, ``since``, ``rs_ratio``, ``rs_momentum``;
* ``call``: ``"do more"`` when the ticker ranks in the top third over the ranking
  window *and* sits in the leading or improving quadrant; ``"do less"`` when it ranks
  in the bottom third *and* sits in the lagging or weakening quadrant; ``"watch"``
  otherwise (the two measures disagree, or data is missing).

Rows are sorted by the ranking window's rank (strongest first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._validation import as_price_frame, check_choice, check_date
from ..errors import NoDataError, ParameterError, ParameterTypeError
from .rotation import rrg

if TYPE_CHECKING:
    from ..market_view import MarketView

__all__ = ["LeadersTable", "leaders", "leaders_report", "LEADER_WINDOWS", "CALLS"]

LEADER_WINDOWS: tuple[str, ...] = ("1m", "3m", "6m")
#: The three calls, best first.
CALLS = ("do more", "watch", "do less")


@dataclass(frozen=True)
class LeadersTable:
    """Ranking of a universe against a benchmark (see the module docstring).

    ``table``: DataFrame indexed by ticker with columns ``ret_<w>``, ``rel_<w>``,
    ``rank_<w>`` per window, then ``rs_ratio``, ``rs_momentum``, ``quadrant``,
    ``since``, ``call``; sorted by ``rank_<rank_by>``.
    """

    as_of: pd.Timestamp
    universe: str | None
    benchmark: str
    windows: tuple[str, ...]
    rank_by: str
    period: str
    benchmark_returns: dict[str, float]
    table: pd.DataFrame = field(repr=False)
    warnings: tuple[str, ...] = ()

    def calls(self, call: str) -> list[str]:
        """Tickers with ``call`` ("do more", "watch" or "do less"), strongest first."""
        return self.table.index[self.table["call"] == call].tolist()

    def to_dict(self) -> dict[str, Any]:
        def f(x: Any) -> Any:
            if x is None or (isinstance(x, float) and np.isnan(x)):
                return None
            return x

        rows = []
        for ticker, r in self.table.iterrows():
            rows.append({
                "ticker": ticker,
                "returns": {w: f(float(r[f"ret_{w}"])) for w in self.windows},
                "relative": {w: f(float(r[f"rel_{w}"])) for w in self.windows},
                "rank": {w: None if np.isnan(r[f"rank_{w}"]) else int(r[f"rank_{w}"])
                         for w in self.windows},
                "rs_ratio": f(float(r["rs_ratio"])), "rs_momentum": f(float(r["rs_momentum"])),
                "quadrant": r["quadrant"],
                "since": None if pd.isna(r["since"]) else pd.Timestamp(r["since"]
                                                                        ).strftime("%Y-%m-%d"),
                "call": r["call"]})
        return {"as_of": self.as_of.strftime("%Y-%m-%d"), "universe": self.universe,
                "benchmark": self.benchmark, "windows": list(self.windows),
                "rank_by": self.rank_by, "period": self.period,
                "benchmark_returns": {w: f(v) for w, v in self.benchmark_returns.items()},
                "rows": rows,
                "do_more": self.calls("do more"), "do_less": self.calls("do less"),
                "warnings": list(self.warnings)}


def leaders(close: pd.DataFrame, benchmark: str = "SPY", *,
            windows: Sequence[str] = LEADER_WINDOWS, rank_by: str = "3m",
            period: str = "weekly", as_of: Any = None, tickers: Sequence[str] | None = None,
            universe: str | None = None) -> LeadersTable:
    """Rank tickers by relative strength over ``windows`` and by RRG quadrant.

    Parameters
    ----------
    close : DataFrame (dates x tickers) with the benchmark column.
    benchmark : the benchmark column (default SPY).
    windows : window specs; ``rank_by`` is added when missing.
    rank_by : the window rows are sorted by and the call uses.
    period : RRG sampling, "weekly" or "daily".
    as_of : date (default the last row).
    tickers : columns to rank (default every column but the benchmark).
    universe : a label for the result.

    Returns
    -------
    LeadersTable

    Examples
    --------
    >>> idx = pd.bdate_range("2023-01-02", periods=400)
    >>> t = np.arange(400.0)
    >>> close = pd.DataFrame({"SPY": 100 + 0.05 * t, "UP": 100 + 0.2 * t,
    ...                       "DOWN": 100 - 0.05 * t}, index=idx)
    >>> res = leaders(close, "SPY")
    >>> res.table.index.tolist(), res.table["rank_3m"].tolist()
    (['UP', 'DOWN'], [1.0, 2.0])
    """
    from .perf import perf

    f = "leaders"
    frame, _ = as_price_frame(close, "close", func=f)
    if isinstance(close, pd.Series):
        raise ParameterTypeError(f"{f}(): 'close' must be a DataFrame (dates x tickers)")
    if benchmark not in frame.columns:
        raise ParameterError(f"{f}(): 'close' has no column for the benchmark {benchmark!r}")
    period = check_choice(period, "period", ("weekly", "daily"), func=f)
    names = tuple(dict.fromkeys([*(str(w) for w in windows), str(rank_by)]))
    cols = ([c for c in frame.columns if c != benchmark] if tickers is None
            else [t for t in dict.fromkeys(tickers) if t != benchmark])
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ParameterError(f"{f}(): 'close' has no column for {', '.join(missing)}")
    if not cols:
        raise ParameterError(f"{f}(): nothing to rank besides the benchmark")
    day = frame.index[-1] if as_of is None else check_date(as_of, "as_of", func=f)
    frame = frame.loc[:day]
    if len(frame) == 0:
        raise NoDataError(f"{f}(): no rows on or before {day:%Y-%m-%d}")
    table = perf(frame[[benchmark, *cols]], names, as_of=day)
    ret = table.returns
    bench = ret.loc[benchmark]
    rets = ret.loc[cols]
    out = pd.DataFrame(index=pd.Index(cols, name="ticker"))
    for w in names:  # a few windows, each vectorised over the tickers
        out[f"ret_{w}"] = rets[w]
        out[f"rel_{w}"] = (1.0 + rets[w]) / (1.0 + bench[w]) - 1.0
        out[f"rank_{w}"] = out[f"rel_{w}"].rank(ascending=False, method="min")
    graph = rrg(frame[[benchmark, *cols]], benchmark, period=period)  # type: ignore[arg-type]
    pts = graph.to_frame()
    out["rs_ratio"] = pts["rs_ratio"]
    out["rs_momentum"] = pts["rs_momentum"]
    quad_col = pts["quadrant"].astype(object)
    out["quadrant"] = quad_col.where(quad_col.notna(), None)
    out["since"] = pts["since"]
    rank = out[f"rank_{rank_by}"].to_numpy()
    ranked = np.count_nonzero(~np.isnan(rank))
    quad = out["quadrant"].to_numpy(dtype=object)
    with np.errstate(invalid="ignore"):
        top = rank <= ranked / 3.0
        bottom = rank > ranked * 2.0 / 3.0
    good = np.isin(quad, ["leading", "improving"])
    bad = np.isin(quad, ["lagging", "weakening"])
    call = np.full(len(out), "watch", dtype=object)
    call[top & good] = "do more"
    call[bottom & bad] = "do less"
    out["call"] = call
    out = out.sort_values(f"rank_{rank_by}", kind="stable", na_position="last")
    return LeadersTable(as_of=day, universe=universe, benchmark=benchmark, windows=names,
                        rank_by=str(rank_by), period=period,
                        benchmark_returns={w: float(bench[w]) for w in names}, table=out,
                        warnings=_summarise(table.warnings))


def _summarise(warnings: Sequence[str]) -> tuple[str, ...]:
    """perf's per-ticker warnings, with "measured at an earlier close" folded into one."""
    earlier = [w.split(":", 1)[0] for w in warnings if "measured at its last close" in w]
    rest = [w for w in warnings if "measured at its last close" not in w]
    if len(earlier) > 3:
        rest.append(f"{len(earlier)} tickers measured at their last close before the date "
                    f"(e.g. {', '.join(earlier[:3])})")
    else:
        rest = list(warnings)
    return tuple(rest)


def leaders_report(market: MarketView, universe: str = "sectors", *,
                   benchmark: str | None = None, windows: Sequence[str] = LEADER_WINDOWS,
                   rank_by: str = "3m", period: str = "weekly") -> LeadersTable:
    """:func:`leaders` for a universe's members on the market view's date.

    The benchmark defaults to the universe's (SPY). Members without prices are left
    out and listed in ``warnings``. Four years of history are used (the 6-month
    window and the weekly RRG need about 36 weeks).
    """
    f = "leaders_report"
    day = market.as_of
    uni = market.universe(universe)
    bench = benchmark or uni.benchmark or "SPY"
    market.require([bench])
    have = set(market.tickers)
    members = [t for t in uni.tickers if t in have and t != bench]
    absent = [t for t in uni.tickers if t not in have]
    if not members:
        raise NoDataError(f"{f}(): no member of {universe!r} has prices in the store")
    close = market.close([bench, *members], start=day - pd.DateOffset(years=4))
    res = leaders(close, bench, windows=windows, rank_by=rank_by, period=period, as_of=day,
                  universe=universe)
    if absent:
        warn = (f"{len(absent)} members without prices left out: " + ", ".join(absent[:10])
                + (" ..." if len(absent) > 10 else ""))
        res = LeadersTable(**{**res.__dict__, "warnings": (*res.warnings, warn)})
    return res
