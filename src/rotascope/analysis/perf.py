"""Performance tables: total returns per window as of a date, and spreads between tickers.

As-of policy
------------
Each ticker is measured at its last close on or before ``as_of`` (series end on
different days: 179 files of the reference data end one day before the rest). A close
older than ``max_stale_days`` calendar days before ``as_of`` is not used: the ticker's
figures are NaN and a warning says why. Windows count the ticker's own rows (see
:mod:`rotascope.signals.returns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import as_price_frame, check_date, check_int
from ..errors import ParameterError
from ..signals.returns import DEFAULT_WINDOWS, parse_window, total_return

__all__ = ["PerfTable", "perf", "last_valid_rows", "MAX_STALE_DAYS"]

#: Calendar days a last close may lag the analysis date and still count.
MAX_STALE_DAYS = 7


@dataclass(frozen=True)
class PerfTable:
    """Returns per ticker and window as of a date (fractions: 0.0123 = +1.23%).

    ``returns``: index ticker, columns the window names. ``spreads``: the first ticker's
    return minus each other ticker's, per window (fractions; 0.021 = 2.1 percentage
    points). ``last_dates``: the close each ticker was measured at.
    """

    as_of: pd.Timestamp
    windows: tuple[str, ...]
    returns: pd.DataFrame
    spreads: pd.DataFrame
    last_dates: pd.Series
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        rows = []
        for ticker, row in self.returns.iterrows():
            rows.append({"ticker": ticker, **{w: _f(row[w]) for w in self.windows}})
        first = self.returns.index[0] if len(self.returns) else None
        spreads = [{"ticker": first, "vs": other, **{w: _f(row[w]) for w in self.windows}}
                   for other, row in self.spreads.iterrows()]
        return {"as_of": self.as_of.strftime("%Y-%m-%d"), "rows": rows, "spreads": spreads}


def _f(x: float) -> float | None:
    return None if pd.isna(x) else float(x)


def last_valid_rows(frame: pd.DataFrame, as_of: pd.Timestamp,
                    max_stale_days: int = MAX_STALE_DAYS) -> tuple[np.ndarray, list[str]]:
    """Row position of each column's last valid value on or before ``as_of``.

    Returns the positions (-1 when none or too stale) and warnings naming the tickers
    measured at an earlier close or skipped as stale.
    """
    upto = int(frame.index.searchsorted(as_of, side="right"))
    valid = ~np.isnan(frame.to_numpy(dtype=np.float64)[:upto])
    has_any = valid.any(axis=0)
    last = np.where(has_any, upto - 1 - np.argmax(valid[::-1], axis=0), -1)
    warnings: list[str] = []
    dates = frame.index
    for j, ticker in enumerate(frame.columns):
        if last[j] < 0:
            warnings.append(f"{ticker}: no close on or before {as_of:%Y-%m-%d}")
            continue
        lag = (as_of - dates[last[j]]).days
        if lag > max_stale_days:
            warnings.append(f"{ticker}: last close {dates[last[j]]:%Y-%m-%d} is {lag} days "
                            f"before {as_of:%Y-%m-%d} (more than {max_stale_days}); not used")
            last[j] = -1
        elif lag > 0:
            warnings.append(f"{ticker}: measured at its last close {dates[last[j]]:%Y-%m-%d}, "
                            f"{lag} day{'s' if lag != 1 else ''} before {as_of:%Y-%m-%d}")
    return last, warnings


def perf(close: pd.DataFrame, windows: Sequence[str] = DEFAULT_WINDOWS, *,
         as_of: object = None, max_stale_days: int = MAX_STALE_DAYS) -> PerfTable:
    """Total returns of every ticker over ``windows`` as of ``as_of``.

    Parameters
    ----------
    close : DataFrame of adjusted closes (dates x tickers); columns keep their order and
        the first column is the one spreads are measured from.
    windows : window specs (``"1w"``, ``"1m"``, ``"3m"``, ``"6m"``, ``"ytd"``, ``"1y"``,
        or ``"10d"``-style); names are kept as given.
    as_of : date; default the last date of ``close``. Rows after it are ignored.
    max_stale_days : see the module's as-of policy.

    Returns
    -------
    PerfTable

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=30)
    >>> close = pd.DataFrame({"A": np.linspace(100, 129, 30), "B": 100.0}, index=idx)
    >>> t = perf(close, ["1w", "1m"])
    >>> round(t.returns.loc["A", "1w"], 4), t.spreads.loc["B", "1m"] > 0
    (0.0403, np.True_)
    """
    frame, _ = as_price_frame(close, "close", func="perf")
    if frame.shape[1] == 0:
        raise ParameterError("perf(): 'close' has no tickers")
    max_stale_days = check_int(max_stale_days, "max_stale_days", minimum=0, func="perf")
    names = tuple(str(w) for w in windows)
    if not names:
        raise ParameterError("perf(): 'windows' is empty")
    specs = [parse_window(w) for w in names]
    as_of_ts = frame.index[-1] if as_of is None else check_date(as_of, "as_of", func="perf")
    frame = frame.loc[:as_of_ts]
    if len(frame) == 0:
        raise ParameterError(f"perf(): no rows on or before {as_of_ts:%Y-%m-%d}")
    last, warnings = last_valid_rows(frame, as_of_ts, max_stale_days)
    cols = np.arange(frame.shape[1])
    ok = last >= 0
    rows_at = np.where(ok, last, 0)
    out = np.full((frame.shape[1], len(names)), np.nan)
    for k, spec in enumerate(specs):  # a handful of windows, each vectorised over tickers
        tr = total_return(frame, spec).to_numpy()
        out[:, k] = np.where(ok, tr[rows_at, cols], np.nan)
    returns = pd.DataFrame(out, index=pd.Index(frame.columns, name="ticker"), columns=names)
    spreads = returns.iloc[0] - returns.iloc[1:]
    last_dates = pd.Series(np.where(ok, frame.index.values[rows_at], np.datetime64("NaT")),
                           index=returns.index, name="last_date")
    return PerfTable(as_of=as_of_ts, windows=names, returns=returns, spreads=spreads,
                     last_dates=last_dates, warnings=tuple(warnings))
