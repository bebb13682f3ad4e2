"""Ratio lines (A/B): level, changes, position against averages and N-month extremes.

A ratio line is defined on the dates where both legs have a close (an inner join: a
date one leg lacks is not a ratio point, and nothing is filled). All fields are
computed over the ratio's own rows, for every date at once; :func:`ratio_status` reads
one date, :func:`ratio_history` keeps the whole history (alerts and backtests use it).

Fields
------
``value``                 A / B on the date.
``change_1m/3m/6m``       value / value 21, 63, 126 ratio rows earlier - 1.
``pct_vs_sma50/200``      value / its 50- or 200-row simple average - 1.
``lowest_in_months``      largest N in 1..24: value below every ratio value of the
                          preceding N x 21 rows (0 if none); ``highest_in_months`` mirrors.
``lowest_since``          the last earlier date the ratio was at or below today's value
                          (null if never); ``highest_since`` mirrors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validation import as_price_frame, check_date
from ..errors import NoDataError, ParameterError
from ..signals.averages import sma
from ..signals.extremes import extreme_since, months_extreme
from ..signals.returns import total_return
from .perf import MAX_STALE_DAYS

__all__ = ["RatioStatus", "RATIO_FIELDS", "ratio_matrix", "ratio_history", "ratio_status",
           "ratio_table", "parse_pair"]

RATIO_FIELDS = ("value", "change_1m", "change_3m", "change_6m", "pct_vs_sma50",
                "pct_vs_sma200", "lowest_in_months", "highest_in_months", "lowest_since",
                "highest_since")


def parse_pair(text: str) -> tuple[str, str]:
    """``"MAGS/SPY"`` -> ``("MAGS", "SPY")``; raises ParameterError otherwise."""
    parts = [p.strip().upper() for p in str(text).split("/")]
    if len(parts) != 2 or not all(parts):
        raise ParameterError(f"parse_pair(): a ratio is written A/B, e.g. MAGS/SPY; got {text!r}")
    return parts[0], parts[1]


@dataclass(frozen=True)
class RatioStatus:
    """One ratio line on one date. Fractions, not percent; dates as Timestamps."""

    as_of: pd.Timestamp
    numerator: str
    denominator: str
    date: pd.Timestamp          # the ratio's own last date (<= as_of)
    value: float
    change_1m: float
    change_3m: float
    change_6m: float
    pct_vs_sma50: float
    pct_vs_sma200: float
    lowest_in_months: int
    highest_in_months: int
    lowest_since: pd.Timestamp | None
    highest_since: pd.Timestamp | None

    @property
    def pair(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    def to_dict(self) -> dict:
        def f(x: float) -> float | None:
            return None if pd.isna(x) else float(x)

        def d(x: pd.Timestamp | None) -> str | None:
            return None if x is None or pd.isna(x) else pd.Timestamp(x).strftime("%Y-%m-%d")

        return {
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": f(self.value),
            "change_1m": f(self.change_1m),
            "change_3m": f(self.change_3m),
            "change_6m": f(self.change_6m),
            "pct_vs_sma50": f(self.pct_vs_sma50),
            "pct_vs_sma200": f(self.pct_vs_sma200),
            "lowest_in_months": int(self.lowest_in_months),
            "highest_in_months": int(self.highest_in_months),
            "lowest_since": d(self.lowest_since),
            "highest_since": d(self.highest_since),
        }


def ratio_matrix(close: pd.DataFrame, pairs: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Ratio lines for ``pairs`` as columns ``"A/B"``; NaN where a leg has no close."""
    frame, _ = as_price_frame(close, "close", func="ratio_matrix")
    missing = sorted({t for p in pairs for t in p} - set(frame.columns))
    if missing:
        raise ParameterError(f"ratio_matrix(): 'close' has no column for {', '.join(missing)}")
    num = frame[[a for a, _ in pairs]].to_numpy(dtype=np.float64)
    den = frame[[b for _, b in pairs]].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = num / den
    values[~np.isfinite(values)] = np.nan  # a zero denominator is not a ratio point
    return pd.DataFrame(values, index=frame.index, columns=[f"{a}/{b}" for a, b in pairs])


def ratio_history(close: pd.DataFrame, pairs: Sequence[tuple[str, str]]) -> dict[str, pd.DataFrame]:
    """Every ratio field for every date: ``{field: DataFrame(dates x "A/B")}``.

    Each column is computed over its own valid rows, so the result at a date uses only
    data up to that date.
    """
    ratios = ratio_matrix(close, pairs)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {
            "value": ratios,
            "change_1m": total_return(ratios, 21),
            "change_3m": total_return(ratios, 63),
            "change_6m": total_return(ratios, 126),
            "pct_vs_sma50": ratios / sma(ratios, 50) - 1.0,
            "pct_vs_sma200": ratios / sma(ratios, 200) - 1.0,
            "lowest_in_months": months_extreme(ratios, side="low"),
            "highest_in_months": months_extreme(ratios, side="high"),
            "lowest_since": extreme_since(ratios, side="low"),
            "highest_since": extreme_since(ratios, side="high"),
        }
    return out


def ratio_table(close: pd.DataFrame, pairs: Sequence[tuple[str, str]], *,
                as_of: object = None, max_stale_days: int = MAX_STALE_DAYS,
                strict: bool = True) -> list[RatioStatus]:
    """:class:`RatioStatus` of each pair as of a date (rows after it are ignored).

    A pair whose last ratio point is more than ``max_stale_days`` before ``as_of`` (or
    that has none) raises :class:`NoDataError` when ``strict``; otherwise it is returned
    with NaN fields.
    """
    frame, _ = as_price_frame(close, "close", func="ratio_table")
    as_of_ts = frame.index[-1] if as_of is None else check_date(as_of, "as_of", func="ratio_table")
    frame = frame.loc[:as_of_ts]
    hist = ratio_history(frame, pairs)
    values = hist["value"]
    out = []
    for j, (a, b) in enumerate(pairs):  # a handful of pairs; the history above is vectorised
        col = values.iloc[:, j]
        valid = col.dropna()
        if valid.empty or (as_of_ts - valid.index[-1]).days > max_stale_days:
            if strict:
                last = "no common dates" if valid.empty else f"last {valid.index[-1]:%Y-%m-%d}"
                raise NoDataError(f"ratio {a}/{b}: no ratio point within {max_stale_days} days "
                                  f"of {as_of_ts:%Y-%m-%d} ({last})")
            nan = np.nan
            out.append(RatioStatus(as_of_ts, a, b, pd.NaT, value=nan, change_1m=nan,
                                   change_3m=nan, change_6m=nan, pct_vs_sma50=nan,
                                   pct_vs_sma200=nan, lowest_in_months=0,
                                   highest_in_months=0, lowest_since=None,
                                   highest_since=None))
            continue
        row = valid.index[-1]

        def at(field: str, row: pd.Timestamp = row, j: int = j) -> Any:  # a frame cell
            return hist[field].iloc[:, j].loc[row]

        low_since = at("lowest_since")
        high_since = at("highest_since")
        out.append(RatioStatus(
            as_of=as_of_ts, numerator=a, denominator=b, date=row,
            value=float(at("value")), change_1m=float(at("change_1m")),
            change_3m=float(at("change_3m")), change_6m=float(at("change_6m")),
            pct_vs_sma50=float(at("pct_vs_sma50")), pct_vs_sma200=float(at("pct_vs_sma200")),
            lowest_in_months=int(at("lowest_in_months")),
            highest_in_months=int(at("highest_in_months")),
            lowest_since=None if pd.isna(low_since) else pd.Timestamp(low_since),
            highest_since=None if pd.isna(high_since) else pd.Timestamp(high_since)))
    return out


def ratio_status(close: pd.DataFrame, numerator: str, denominator: str, *,
                 as_of: object = None, max_stale_days: int = MAX_STALE_DAYS) -> RatioStatus:
    """:class:`RatioStatus` of ``numerator/denominator`` as of a date.

    Examples
    --------
    >>> idx = pd.bdate_range("2023-01-02", periods=300)
    >>> close = pd.DataFrame({"A": np.linspace(100, 70, 300), "B": 100.0}, index=idx)
    >>> s = ratio_status(close, "A", "B")
    >>> s.lowest_in_months, s.highest_in_months, s.lowest_since
    (14, 0, None)
    """
    return ratio_table(close, [(numerator, denominator)], as_of=as_of,
                       max_stale_days=max_stale_days)[0]
