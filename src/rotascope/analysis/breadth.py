"""Market breadth: how many members take part in what the index does.

:func:`breadth_history` computes every breadth series for every date in one compiled
pass over the dates x tickers matrix; :func:`breadth_report` reads one date of it from
the store, with the RSP/SPY (equal weight vs cap weight) line and participation over
1m/3m/YTD in words backed by figures.

Definitions (``t`` a date; a ticker's *own rows* are the dates it has a close)
-------------------------------------------------------------------------------
member            the ``members`` mask is True at (t, ticker): point-in-time
                  membership (see :func:`rotascope.data.universes.membership_mask`);
                  every column when no mask is given.
``members``       number of members at t (columns of ``close`` only).
``with_close``    members with a close at t. A member without a close at t (not
                  trading yet, a missing row, a series ending early) is not counted in
                  any share of that date: ``members - with_close`` says how many.
``counted_<w>``   members with a close at t and at least ``w`` own closes up to t (the
                  ``w``-day simple average exists).
``above_sma_<w>`` of those, members whose close is strictly above the average of their
                  last ``w`` own closes: ``close - sma > 1e-12 * |sma|`` (a difference
                  within the float noise of a running sum is a tie, e.g. a run of ``w``
                  identical closes is *not* above).
``pct_above_sma_<w>`` ``above_sma_<w> / counted_<w>`` in [0, 1]; NaN when nothing counted.
``counted_high_low`` members with a close at t and at least ``high_low_window`` earlier
                  own closes.
``new_highs``     of those, members whose close is strictly above every one of their
                  previous ``high_low_window`` closes (252 = 52 weeks; the current close
                  is not in the window, and equalling the old high is not a new high).
``new_lows``      mirrors: strictly below every one of the previous closes.
``net_new_highs`` ``new_highs - new_lows``.
``counted_advance_decline`` members with a close at t and an earlier own close.
``advances`` / ``declines`` / ``unchanged`` of those, close above / below / equal to the
                  member's previous own close.
``ad_line``       cumulative sum of ``advances - declines`` from the first row of
                  ``close`` (its level depends on that start; its changes do not).
``mcclellan_oscillator`` ratio-adjusted (as StockCharts' $NYMO):
                  ``rana = 1000 * (advances - declines) / (advances + declines)``
                  (NaN when both are 0), then ``EMA19(rana) - EMA39(rana)``, EMAs with
                  ``alpha = 2 / (n + 1)`` (0.10 and 0.05) seeded with the simple average
                  of their first ``n`` values (TA-Lib, :func:`rotascope.signals.ema`);
                  NaN rows are skipped. ``mcclellan="net"`` uses ``advances -
                  declines`` instead of ``rana`` (the classic oscillator, whose scale
                  grows with the number of members).
``mcclellan_summation`` cumulative sum of the oscillator from its first value.

Every value at t uses only closes up to t.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .._validation import as_price_frame, check_choice, check_date, check_int
from ..errors import MisalignedIndexError, NoDataError, ParameterError, ParameterTypeError
from ..signals.averages import ema
from ._breadth_kernel import breadth_counts, counter_layout
from .pairs import PairStatus, Stretch, pairs_table, ratio_stretches

if TYPE_CHECKING:
    from ..market_view import MarketView

__all__ = ["breadth_history", "breadth_block_counts", "breadth_from_counts",
           "BreadthReport", "breadth_report", "participation",
           "Participation", "participation_label", "BREADTH_WINDOWS", "PARTICIPATION_WINDOWS"]

#: Default moving-average windows of the share-above-average series.
BREADTH_WINDOWS: tuple[int, ...] = (20, 50, 200)
#: Windows of the participation counts.
PARTICIPATION_WINDOWS: tuple[str, ...] = ("1m", "3m", "ytd")
#: Calendar days a close may lag the report date and still count (see perf.MAX_STALE_DAYS).
_LEADERS = "mag7"


def _mask_array(members: Any, frame: pd.DataFrame) -> np.ndarray | None:
    if members is None:
        return None
    if not isinstance(members, pd.DataFrame):
        raise ParameterTypeError("breadth_history(): 'members' must be a bool DataFrame "
                                 f"(dates x tickers) or None, got {type(members).__name__}")
    missing_cols = frame.columns.difference(members.columns)
    if len(missing_cols):
        shown = ", ".join(map(str, missing_cols[:5]))
        raise MisalignedIndexError(
            f"breadth_history(): 'members' has no column for {len(missing_cols)} tickers of "
            f"'close' ({shown}); build it with MarketView.membership(name, close.index, "
            "close.columns)")
    missing_rows = frame.index.difference(members.index)
    if len(missing_rows):
        shown = ", ".join(d.strftime("%Y-%m-%d") for d in missing_rows[:5])
        raise MisalignedIndexError(
            f"breadth_history(): 'members' has no rows for {len(missing_rows)} dates of "
            f"'close' ({shown}); build it on close.index")
    if not (members.index.equals(frame.index) and members.columns.equals(frame.columns)):
        members = members.reindex(index=frame.index, columns=frame.columns)
    if not all(pd.api.types.is_bool_dtype(t) for t in members.dtypes):
        raise ParameterTypeError("breadth_history(): 'members' must hold booleans "
                                 "(True = a member on that date)")
    return np.asfortranarray(members.to_numpy(dtype=bool))


def breadth_history(close: pd.DataFrame, *, members: pd.DataFrame | None = None,
                    windows: Sequence[int] = BREADTH_WINDOWS, high_low_window: int = 252,
                    mcclellan: Literal["ratio", "net"] = "ratio") -> pd.DataFrame:
    """Every breadth series for every date of ``close``.

    Parameters
    ----------
    close : DataFrame (dates x tickers)
        Adjusted closes on a sorted, unique DatetimeIndex; NaN where a ticker has no
        close. Load history well before the first date you read: the averages need
        ``max(windows)`` own closes, the highs/lows ``high_low_window + 1``.
    members : bool DataFrame, optional
        Point-in-time membership, True where the ticker is a member on the date; it must
        cover every date and column of ``close`` (extra labels are ignored). None: every
        column is a member on every date.
    windows : sequence of int, default (20, 50, 200)
        Simple-average windows (own closes), each >= 1, no repeats.
    high_low_window : int, default 252
        Earlier closes a new high / low must beat (252 = 52 weeks); >= 1.
    mcclellan : {"ratio", "net"}, default "ratio"
        Ratio-adjusted net advances (comparable across member counts) or raw net
        advances.

    Returns
    -------
    DataFrame indexed like ``close`` with int64 columns ``members``, ``with_close``,
    ``counted_<w>``, ``above_sma_<w>`` for each window, ``counted_high_low``,
    ``new_highs``, ``new_lows``, ``net_new_highs``, ``counted_advance_decline``,
    ``advances``, ``declines``, ``unchanged``, ``ad_line`` and float64
    ``pct_above_sma_<w>``, ``mcclellan_oscillator``, ``mcclellan_summation``; see the
    module docstring for each definition.

    Raises
    ------
    ParameterError, ParameterTypeError
        Bad windows, a non-bool mask, an unsorted or duplicated index.
    MisalignedIndexError
        ``members`` lacks dates or tickers of ``close`` (the message lists some).

    Notes
    -----
    One compiled pass reads each close once (O(rows x tickers), whatever the windows):
    running sums for the averages, monotonic deques for the previous-N extremes. The
    McClellan EMAs run on the per-date series.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=4)
    >>> close = pd.DataFrame({"A": [1.0, 2, 3, 2], "B": [5.0, 4, 4, 6]}, index=idx)
    >>> h = breadth_history(close, windows=(2,), high_low_window=2)
    >>> h[["advances", "declines", "unchanged", "ad_line"]].to_numpy().tolist()
    [[0, 0, 0, 0], [1, 1, 0, 0], [1, 0, 1, 1], [1, 1, 0, 1]]
    >>> h["pct_above_sma_2"].tolist()
    [nan, 0.5, 0.5, 0.5]
    >>> h["new_highs"].tolist(), h["new_lows"].tolist()
    ([0, 0, 1, 1], [0, 0, 0, 0])
    """
    f = "breadth_history"
    frame, _ = as_price_frame(close, "close", func=f)
    if isinstance(close, pd.Series):
        raise ParameterTypeError(f"{f}(): 'close' must be a DataFrame (dates x tickers), "
                                 "got a Series")
    if isinstance(windows, (str, bytes)) or not isinstance(windows, Sequence) or not windows:
        raise ParameterTypeError(f"{f}(): 'windows' must be a non-empty sequence of ints, "
                                 f"got {windows!r}")
    wins = tuple(check_int(w, "windows", minimum=1, func=f) for w in windows)
    if len(set(wins)) != len(wins):
        raise ParameterError(f"{f}(): 'windows' repeats a window: {wins}")
    hl = check_int(high_low_window, "high_low_window", minimum=1, func=f)
    mcclellan = check_choice(mcclellan, "mcclellan", ("ratio", "net"),  # type: ignore[assignment]
                             func=f)
    mask = _mask_array(members, frame)
    values = frame.to_numpy(dtype=np.float64, copy=False)
    counts = breadth_block_counts(values, mask, windows=wins, high_low_window=hl)
    return breadth_from_counts(counts, frame.index, windows=wins, mcclellan=mcclellan)


def breadth_block_counts(close: np.ndarray, members: np.ndarray | None, *,
                         windows: Sequence[int] = BREADTH_WINDOWS,
                         high_low_window: int = 252) -> np.ndarray:
    """Per-date breadth counters of one block of columns (tickers), for a tree reduction.

    ``close`` is a dates x tickers float array (any column subset of the universe, on
    the universe's dates), ``members`` the matching bool mask (None: all members).
    Returns an int64 array ``(dates, 1 + counters)``: column 0 the members per date,
    then the counters of :func:`counter_layout`. Every counter is a sum over tickers,
    so the counts of disjoint blocks add up (exactly: integers) to the counts of their
    union; :func:`breadth_from_counts` turns the total into :func:`breadth_history`'s
    frame, bit for bit.
    """
    wins = np.asarray(tuple(windows), dtype=np.int64)
    values = np.asarray(close, dtype=np.float64)
    mask = None if members is None else np.asarray(members, dtype=bool)
    counts = breadth_counts(values, mask, wins, int(high_low_window))
    n_members = (np.full(values.shape[0], values.shape[1], dtype=np.int64) if mask is None
                 else mask.sum(axis=1).astype(np.int64))
    return np.column_stack([n_members, counts.astype(np.int64, copy=False)])


def breadth_from_counts(counts: np.ndarray, index: pd.DatetimeIndex, *,
                        windows: Sequence[int] = BREADTH_WINDOWS,
                        mcclellan: Literal["ratio", "net"] = "ratio") -> pd.DataFrame:
    """The breadth history from summed :func:`breadth_block_counts` (same ``windows``).

    ``index`` is the dates of the counts' rows. The result equals
    :func:`breadth_history` on the union of the blocks (it is how that function builds
    its frame).
    """
    wins = tuple(int(w) for w in windows)
    counts = np.asarray(counts)
    pos = counter_layout(len(wins))
    if counts.ndim != 2 or counts.shape != (len(index), 2 + max(pos.values())):
        raise ParameterError(f"breadth_from_counts(): counts of shape {counts.shape} do not "
                             f"match {len(index)} dates and windows {wins}")
    n_members, counters = counts[:, 0], counts[:, 1:]
    cols: dict[str, np.ndarray] = {"members": n_members, "with_close": counters[:, 0]}
    for i, w in enumerate(wins):
        counted = counters[:, pos[f"counted_{i}"]]
        above = counters[:, pos[f"above_{i}"]]
        cols[f"counted_{w}"] = counted
        cols[f"above_sma_{w}"] = above
        with np.errstate(invalid="ignore", divide="ignore"):
            cols[f"pct_above_sma_{w}"] = np.where(counted > 0, above / np.maximum(counted, 1),
                                                  np.nan)
    for name in ("counted_high_low", "new_highs", "new_lows"):
        cols[name] = counters[:, pos[name]]
    cols["net_new_highs"] = cols["new_highs"] - cols["new_lows"]
    for name in ("counted_advance_decline", "advances", "declines", "unchanged"):
        cols[name] = counters[:, pos[name]]
    net = cols["advances"] - cols["declines"]
    cols["ad_line"] = np.cumsum(net)
    both = cols["advances"] + cols["declines"]
    if mcclellan == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            signal = np.where(both > 0, 1000.0 * net / np.maximum(both, 1), np.nan)
    else:
        signal = np.where(cols["counted_advance_decline"] > 0, net.astype(np.float64), np.nan)
    s = pd.Series(signal, index=index)
    osc = (ema(s, 19) - ema(s, 39)).to_numpy()
    cols["mcclellan_oscillator"] = osc
    cols["mcclellan_summation"] = pd.Series(osc).cumsum(skipna=True).to_numpy()
    out = pd.DataFrame(cols, index=index)
    out.columns.name = None
    return out


# -- participation ------------------------------------------------------------------------

def participation_label(share_up: float, index_return: float) -> str | None:
    """Words for "how many members are up while the index does what".

    ``share_up`` is the fraction of counted members with a positive return over the
    window, ``index_return`` the index's return over the same window.

    =========================  ==================  =====================
    index return               share of members up  label
    =========================  ==================  =====================
    >= 0                       >= 0.6              "broad advance"
    >= 0                       [0.5, 0.6)          "moderate advance"
    >= 0                       < 0.5               "narrow advance"
    < 0                        >= 0.5              "resilient majority"
    < 0                        [0.4, 0.5)          "moderate decline"
    < 0                        < 0.4               "broad decline"
    =========================  ==================  =====================

    None when either figure is missing.

    Examples
    --------
    >>> participation_label(0.42, 0.031), participation_label(0.55, -0.02)
    ('narrow advance', 'resilient majority')
    """
    if share_up is None or index_return is None or np.isnan(share_up) or np.isnan(index_return):
        return None
    if index_return >= 0:
        if share_up >= 0.6:
            return "broad advance"
        return "moderate advance" if share_up >= 0.5 else "narrow advance"
    if share_up >= 0.5:
        return "resilient majority"
    return "moderate decline" if share_up >= 0.4 else "broad decline"


@dataclass(frozen=True)
class Participation:
    """Members up over each window, next to the index and its leaders.

    ``up[w]`` members with a positive return over window ``w`` among ``counted[w]``
    (members with a close on the date and a return over ``w``: enough own history);
    ``index_return[w]`` the index (benchmark ETF) return; ``leaders_return[w]`` the
    equal-weight average of the leaders' returns (buy and hold from the window start);
    ``leaders_up[w]`` how many leaders are up; ``label[w]`` from
    :func:`participation_label`; ``text`` one sentence per window.
    """

    windows: tuple[str, ...]
    up: dict[str, int]
    counted: dict[str, int]
    index: str
    index_return: dict[str, float]
    leaders: tuple[str, ...]
    leaders_return: dict[str, float]
    leaders_up: dict[str, int]
    label: dict[str, str | None]
    text: tuple[str, ...]

    def share_up(self, window: str) -> float:
        c = self.counted.get(window, 0)
        return self.up[window] / c if c else float("nan")

    def to_dict(self) -> dict[str, Any]:
        def f(x: float) -> float | None:
            return None if x is None or np.isnan(x) else float(x)

        return {
            "index": self.index, "leaders": list(self.leaders),
            "windows": {w: {"up": int(self.up[w]), "counted": int(self.counted[w]),
                            "share_up": f(self.share_up(w)),
                            "index_return": f(self.index_return[w]),
                            "leaders_return": f(self.leaders_return[w]),
                            "leaders_up": int(self.leaders_up[w]),
                            "label": self.label[w]} for w in self.windows},
            "text": list(self.text),
        }


def _pct(x: float) -> str:
    return "n/a" if np.isnan(x) else f"{x * 100:+.1f}%"


def participation(close: pd.DataFrame, members: Sequence[str], *, index: str = "SPY",
                  leaders: Sequence[str] = (), windows: Sequence[str] = PARTICIPATION_WINDOWS,
                  as_of: Any = None) -> Participation:
    """How many ``members`` are up over each window while ``index`` and ``leaders`` move.

    Parameters
    ----------
    close : DataFrame with a column for every member, the index and the leaders
        (members without a column count as not counted).
    members : the members on ``as_of``.
    index : the index ETF column.
    leaders : the leaders' columns (e.g. the Mag-7); missing columns are ignored.
    windows : window specs (``"1m"``, ``"3m"``, ``"ytd"``, ...; own rows, see
        :mod:`rotascope.signals.returns`).
    as_of : date (default the last row). Only members with a close *on* that date
        count; the index and leaders are taken at their last close within 7 days.

    Returns
    -------
    Participation
    """
    from ..signals.returns import total_return
    from .perf import perf

    f = "participation"
    frame, _ = as_price_frame(close, "close", func=f)
    day = frame.index[-1] if as_of is None else check_date(as_of, "as_of", func=f)
    frame = frame.loc[:day]
    if len(frame) == 0:
        raise NoDataError(f"{f}(): no rows on or before {day:%Y-%m-%d}")
    if index not in frame.columns:
        raise ParameterError(f"{f}(): 'close' has no column for the index {index!r}")
    names = tuple(str(w) for w in windows)
    cols = [m for m in dict.fromkeys(members) if m in frame.columns]
    on_day = frame.index[-1] == day
    up: dict[str, int] = {}
    counted: dict[str, int] = {}
    sub = frame[cols]
    for w in names:  # a few windows, each vectorised over the members
        if on_day and cols:
            r = total_return(sub, w).to_numpy()[-1]
            ok = ~np.isnan(r)
            counted[w] = int(ok.sum())
            up[w] = int((r[ok] > 0).sum())
        else:
            counted[w], up[w] = 0, 0
    lead = [t for t in dict.fromkeys(leaders) if t in frame.columns]
    table = perf(frame[[index, *lead]], names, as_of=day)
    idx_ret = {w: float(table.returns.loc[index, w]) for w in names}
    if lead:
        lr = table.returns.loc[lead]
        lead_ret = {w: float(lr[w].mean()) if lr[w].notna().any() else float("nan")
                    for w in names}
        lead_up = {w: int((lr[w] > 0).sum()) for w in names}
    else:
        lead_ret = {w: float("nan") for w in names}
        lead_up = {w: 0 for w in names}
    labels = {w: participation_label(up[w] / counted[w] if counted[w] else float("nan"),
                                     idx_ret[w]) for w in names}
    text = []
    for w in names:
        if not counted[w]:
            text.append(f"{w}: no member has a close on {day:%Y-%m-%d} and {w} of history.")
            continue
        share = up[w] / counted[w]
        s = (f"{w}: {up[w]} of {counted[w]} members ({share:.0%}) are up while {index} is "
             f"{_pct(idx_ret[w])}")
        if lead:
            s += (f" and the leaders ({len(lead)}, equal weight) {_pct(lead_ret[w])}, "
                  f"{lead_up[w]} of {len(lead)} up")
        s += f": {labels[w]}." if labels[w] else "."
        text.append(s)
    return Participation(windows=names, up=up, counted=counted, index=index,
                         index_return=idx_ret, leaders=tuple(lead), leaders_return=lead_ret,
                         leaders_up=lead_up, label=labels, text=tuple(text))


# -- the report ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BreadthReport:
    """Breadth of a universe on one date (see :func:`breadth_report`).

    ``members`` counts the universe's members on the date, including members the store
    has no prices for (``members_without_prices`` lists those) and members without a
    close on the date (``missing_close``). ``counted`` is keyed like ``pct_above_sma``
    ("20", "50", "200"): the members each share is computed over (a close on the date
    and enough own history for that average). ``counted_high_low`` and
    ``counted_advance_decline`` are the members the highs/lows and advances/declines
    are counted over. ``history`` is the full :func:`breadth_history` frame (not in the
    JSON).
    """

    as_of: pd.Timestamp
    universe: str
    point_in_time: bool
    members: int
    members_without_prices: tuple[str, ...]
    missing_close: int
    counted: dict[str, int]
    pct_above_sma: dict[str, float]
    counted_high_low: int
    new_highs: int
    new_lows: int
    counted_advance_decline: int
    advances: int
    declines: int
    unchanged: int
    ad_line: int
    ad_line_start: pd.Timestamp | None
    mcclellan_oscillator: float
    mcclellan_summation: float
    rsp_spy: PairStatus | None
    rsp_spy_stretches: tuple[Stretch, ...]
    participation: Participation | None
    notes: tuple[str, ...] = ()
    history: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        def f(x: float) -> float | None:
            return None if x is None or np.isnan(x) else float(x)

        rsp = None
        if self.rsp_spy is not None:
            rsp = {**self.rsp_spy.to_dict(),
                   "stretches": [s.to_dict() for s in self.rsp_spy_stretches]}
        return {
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "universe": self.universe,
            "point_in_time": self.point_in_time,
            "members": self.members,
            "members_without_prices": list(self.members_without_prices),
            "missing_close": self.missing_close,
            "counted": {k: int(v) for k, v in self.counted.items()},
            "pct_above_sma": {k: f(v) for k, v in self.pct_above_sma.items()},
            "counted_high_low": self.counted_high_low,
            "new_highs": self.new_highs,
            "new_lows": self.new_lows,
            "net_new_highs": self.new_highs - self.new_lows,
            "counted_advance_decline": self.counted_advance_decline,
            "advances": self.advances,
            "declines": self.declines,
            "unchanged": self.unchanged,
            "ad_line": self.ad_line,
            "ad_line_start": (None if self.ad_line_start is None
                              else self.ad_line_start.strftime("%Y-%m-%d")),
            "mcclellan_oscillator": f(self.mcclellan_oscillator),
            "mcclellan_summation": f(self.mcclellan_summation),
            "rsp_spy": rsp,
            "participation": None if self.participation is None
            else self.participation.to_dict(),
            "notes": list(self.notes),
        }


def breadth_report(market: MarketView, universe: str = "sp500", *,
                   windows: Sequence[int] = BREADTH_WINDOWS,
                   high_low_window: int = 252, index: str | None = None,
                   leaders: str | Sequence[str] = _LEADERS,
                   stretch_days: Sequence[int] = (5, 10, 21)) -> BreadthReport:
    """Breadth of ``universe`` on the market view's date.

    Parameters
    ----------
    market : a :class:`~rotascope.market.MarketView`; nothing after its ``as_of`` is
        read, and the report is for the last trading date on or before it.
    universe : universe name (default ``"sp500"``: point-in-time when it was added with
        a changes file).
    windows, high_low_window : as in :func:`breadth_history`.
    index : the index ETF of the participation figures (default: the universe's
        benchmark, SPY).
    leaders : a universe name or tickers for "its leaders" (default the Mag-7).
    stretch_days : k of the RSP/SPY best/worst k-day stretches.

    Returns
    -------
    BreadthReport

    Raises
    ------
    UnknownUniverseError
        ``universe`` is not defined.
    NoDataError
        None of the members has prices up to ``as_of``.

    Notes
    -----
    History is loaded from the first date the view has so the A/D line and the McClellan
    summation index start there (``ad_line_start``). With point-in-time membership
    the members of each date are the universe's on that date; the reference data's
    membership history is coarse (events dated when the scraped list changed, gaps of
    months) and holds prices only for today's members (survivorship bias): both are
    stated in ``notes``.
    """
    f = "breadth_report"
    uni = market.universe(universe)
    day = market.as_of
    have = set(market.tickers)
    wanted = market.ever_members(universe)
    tickers = [t for t in wanted if t in have]
    if not tickers:
        raise NoDataError(f"{f}(): none of the {len(wanted)} members of {universe!r} has "
                          "prices in the store; import or update them first")
    close = market.close(tickers)
    if len(close) == 0:
        raise NoDataError(f"{f}(): no prices of {universe!r} on or before {day:%Y-%m-%d}")
    mask = market.membership(universe, close.index, tickers)
    hist = breadth_history(close, members=mask, windows=windows,
                           high_low_window=high_low_window)
    row = hist.iloc[-1]
    date = hist.index[-1]
    on_date = market.universe(universe, on=date)
    without = tuple(t for t in on_date.tickers if t not in have)
    wins = [int(w) for w in windows]
    counted = {str(w): int(row[f"counted_{w}"]) for w in wins}
    pct = {str(w): float(row[f"pct_above_sma_{w}"]) for w in wins}
    notes: list[str] = []
    if uni.point_in_time:
        notes.append("point-in-time membership from the stored changes history "
                     "(approximate where that history is coarse)")
    else:
        notes.append("today's member list applied to every date (no changes history)")
    if uni.source == "store":
        notes.append("prices exist only for members in the store: former members without "
                     "prices are absent (survivorship bias)")
    missing_close = int(row["members"] - row["with_close"])
    if missing_close:
        notes.append(f"{missing_close} members have no close on {date:%Y-%m-%d} and are "
                     "not counted")
    if without:
        notes.append(f"{len(without)} members have no prices in the store: "
                     + ", ".join(without[:10]) + (" ..." if len(without) > 10 else ""))
    # RSP/SPY and participation
    idx_ticker = index or uni.benchmark or "SPY"
    lead = market.members(leaders) if isinstance(leaders, str) else list(leaders)
    extra = [t for t in dict.fromkeys(["RSP", "SPY", idx_ticker, *lead]) if t in have]
    ext = market.close(extra) if extra else pd.DataFrame()
    rsp_status: PairStatus | None = None
    stretches: tuple[Stretch, ...] = ()
    if {"RSP", "SPY"} <= set(ext.columns):
        rsp_status = pairs_table(ext, [("RSP", "SPY")], as_of=date)[0]
        stretches = ratio_stretches(ext["RSP"] / ext["SPY"], stretch_days, as_of=date)
    else:
        notes.append("RSP or SPY not in the store: no equal-weight vs cap-weight line")
    part: Participation | None = None
    if idx_ticker in ext.columns:
        members_today = [t for t in on_date.tickers if t in close.columns]
        both = close.join(ext[[c for c in ext.columns if c not in close.columns]], how="outer")
        part = participation(both, members_today, index=idx_ticker, leaders=lead, as_of=date)
    else:
        notes.append(f"index {idx_ticker} not in the store: no participation figures")
    return BreadthReport(
        as_of=date, universe=universe, point_in_time=bool(uni.point_in_time),
        members=int(row["members"]) + len(without), members_without_prices=without,
        missing_close=missing_close, counted=counted, pct_above_sma=pct,
        counted_high_low=int(row["counted_high_low"]), new_highs=int(row["new_highs"]),
        new_lows=int(row["new_lows"]),
        counted_advance_decline=int(row["counted_advance_decline"]),
        advances=int(row["advances"]), declines=int(row["declines"]),
        unchanged=int(row["unchanged"]), ad_line=int(row["ad_line"]),
        ad_line_start=hist.index[0], mcclellan_oscillator=float(row["mcclellan_oscillator"]),
        mcclellan_summation=float(row["mcclellan_summation"]), rsp_spy=rsp_status,
        rsp_spy_stretches=stretches, participation=part, notes=tuple(notes), history=hist)
