"""Put series with different calendars on one date index, with an explicit policy.

Equities trade five days a week on exchange holidays, Treasury yields follow the bond
market (open on some exchange holidays, closed on Columbus and Veterans Day), crypto
trades every day, and series end on different days. ``Store.close_matrix`` returns the
union of the dates with NaN where a ticker has no row; :func:`align` is the one place
that changes that, and only as asked:

``calendar``
    ``"union"`` keeps every date of the frame; ``"intersection"`` keeps dates where
    every column has a value; a column name (e.g. ``"SPY"``) keeps that column's dates;
    a ``DatetimeIndex`` (e.g. from :func:`store_calendar`) is used as given.
``on_extra``
    what happens to rows with data on dates outside the calendar: ``"drop"`` (default)
    or ``"raise"`` (:class:`~rotascope.errors.MisalignedIndexError` listing them).
``fill``
    ``"none"`` (default) leaves NaN; ``"ffill"`` carries the last close forward, at most
    ``limit`` consecutive rows, and only between a column's first and last valid rows
    unless ``extend=True`` (then also after its last row, e.g. a series that ended a day
    before the others). It never fills before a series starts.

Nothing is ever filled without ``fill="ffill"``; ``return_filled=True`` also returns a
boolean frame marking every filled cell.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from .._validation import as_price_frame, check_choice, check_int
from ..errors import MisalignedIndexError, ParameterError, ParameterTypeError

__all__ = ["align", "store_calendar", "Fill", "CalendarSpec"]

Fill = Literal["none", "ffill"]
#: "union", "intersection", a column name, or explicit dates.
CalendarSpec = Any


def store_calendar(store: Any, ticker: str = "SPY", *, start: Any = None,
                   end: Any = None) -> pd.DatetimeIndex:
    """The trading days of ``ticker`` in ``store`` (between ``start`` and ``end``).

    Raises
    ------
    UnknownTickerError
        ``ticker`` has no prices.
    """
    store.check_tickers([ticker])
    days = store.trading_days(ticker)
    if start is not None:
        days = days[days >= pd.Timestamp(start)]
    if end is not None:
        days = days[days <= pd.Timestamp(end)]
    return days


def _target_index(frame: pd.DataFrame, calendar: CalendarSpec) -> pd.DatetimeIndex:
    if isinstance(calendar, str):
        if calendar == "union":
            return frame.index
        if calendar == "intersection":
            return frame.index[frame.notna().all(axis=1).to_numpy()]
        if calendar in frame.columns:
            return frame.index[frame[calendar].notna().to_numpy()]
        raise ParameterError(
            f"align(): 'calendar' {calendar!r} is neither 'union', 'intersection' nor a "
            f"column of the frame ({', '.join(map(str, frame.columns[:8]))}"
            f"{', ...' if len(frame.columns) > 8 else ''}); load it too, or pass "
            f"store_calendar(store, {calendar!r})")
    try:
        idx = pd.DatetimeIndex(calendar)
    except (TypeError, ValueError) as exc:
        raise ParameterTypeError(f"align(): 'calendar' must be 'union', 'intersection', a "
                                 f"column name or dates, got {type(calendar).__name__}"
                                 ) from exc
    if idx.tz is not None:
        idx = idx.tz_convert(None)
    idx = idx.normalize()
    if idx.has_duplicates or not idx.is_monotonic_increasing:
        idx = idx.unique().sort_values()
    return idx


def align(frame: pd.DataFrame | pd.Series, calendar: CalendarSpec = "union", *,
          fill: Fill = "none", limit: int | None = None, extend: bool = False,
          on_extra: Literal["drop", "raise"] = "drop", return_filled: bool = False,
          ) -> Any:
    """Reindex prices to a calendar and optionally forward-fill, as told.

    Parameters
    ----------
    frame : DataFrame (dates x tickers) or Series; sorted, unique DatetimeIndex.
    calendar : ``"union"``, ``"intersection"``, a column name such as ``"SPY"``, or
        dates (a ``DatetimeIndex``, e.g. ``store_calendar(store, "SPY")``).
    fill : ``"none"`` or ``"ffill"``.
    limit : with ``fill="ffill"``, the most consecutive rows filled (None: no limit).
    extend : with ``fill="ffill"``, also fill after a column's last valid row.
    on_extra : ``"drop"`` rows on dates outside the calendar, or ``"raise"``.
    return_filled : also return a boolean frame of the cells that were filled.

    Returns
    -------
    Same type as ``frame`` on the calendar's dates (and the filled mask when
    ``return_filled``). Columns and their order are kept.

    Raises
    ------
    MisalignedIndexError
        ``on_extra="raise"`` and some rows with data fall outside the calendar.

    Examples
    --------
    >>> idx = pd.to_datetime(["2024-10-11", "2024-10-14", "2024-10-15"])
    >>> f = pd.DataFrame({"SPY": [1.0, 2.0, 3.0], "^TNX": [4.1, None, 4.0]}, index=idx)
    >>> align(f, "SPY", fill="ffill", limit=1)["^TNX"].tolist()
    [4.1, 4.1, 4.0]
    """
    data, _ = as_price_frame(frame, "frame", func="align")
    fill = check_choice(fill, "fill", ("none", "ffill"), func="align")
    on_extra = check_choice(on_extra, "on_extra", ("drop", "raise"), func="align")
    if limit is not None:
        limit = check_int(limit, "limit", minimum=1, func="align")
    if fill == "none" and (limit is not None or extend):
        raise ParameterError("align(): 'limit' and 'extend' only apply with fill='ffill'")
    if isinstance(frame, pd.Series) and isinstance(calendar, str) and calendar not in (
            "union", "intersection"):
        raise ParameterError("align(): a Series has no columns; pass dates as 'calendar'")
    target = _target_index(data, calendar)
    extra = data.index.difference(target)
    if len(extra):
        has_data = data.loc[extra].notna().any(axis=1)
        extra = extra[has_data.to_numpy()]
    if len(extra) and on_extra == "raise":
        shown = ", ".join(d.strftime("%Y-%m-%d") for d in extra[:5])
        more = "" if len(extra) <= 5 else f", ... ({len(extra) - 5} more)"
        raise MisalignedIndexError(
            f"align(): {len(extra)} dates with data are not on the calendar ({shown}{more}). "
            "Pass on_extra='drop' to drop them or calendar='union' to keep them.")
    out = data.reindex(target)
    out.index.name = data.index.name
    filled = pd.DataFrame(False, index=out.index, columns=out.columns)
    if fill == "ffill" and len(out):
        values = out.to_numpy()
        valid = ~np.isnan(values)
        n = len(values)
        rows = np.arange(n)[:, None]
        has_any = valid.any(axis=0)
        first = np.where(has_any, valid.argmax(axis=0), n)
        last = np.where(has_any, n - 1 - valid[::-1].argmax(axis=0), -1)
        done = out.ffill(limit=limit).to_numpy()
        allowed = rows >= first[None, :]
        if not extend:
            allowed &= rows <= last[None, :]
        take = ~valid & allowed & ~np.isnan(done)
        result = np.where(take, done, values)
        out = pd.DataFrame(result, index=out.index, columns=out.columns)
        filled = pd.DataFrame(take, index=out.index, columns=out.columns)
    if isinstance(frame, pd.Series):
        res: Any = out.iloc[:, 0].rename(frame.name)
        mask: Any = filled.iloc[:, 0].rename(frame.name)
    else:
        res, mask = out, filled
    return (res, mask) if return_filled else res
