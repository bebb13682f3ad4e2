"""Data-quality checks: pure functions that report, never repair.

Policy per problem
------------------
Structural problems make a file unusable; the file is **rejected** (nothing of it is
imported) with ``file:line`` and the reason, and the other files of the run still load:

===================  ==============================================================
check                problem
===================  ==============================================================
``bad_layout``       the header fits no known layout (message shows the header)
``field_count``      a row has more or fewer fields than the header
``bad_date``         a date that is not ``YYYY-MM-DD`` (``YYYYMMDD`` in Stooq bulk
                     files), not a real day, has a time of day, is before 1900-01-01
                     or after today (in UTC+14, where the date is furthest ahead)
``bad_close``        an empty, NaN, infinite or non-numeric close (or Adj Close);
                     only ASCII digits are numbers (not Arabic-Indic or fullwidth)
``bad_value``        the same in another numeric field (open, high, low, volume)
``dup_dates``        the same date twice
``non_monotonic``    dates not ascending
``empty``            a header and no rows
``bad_encoding``     not UTF-8 (the message gives the line and column)
``bad_ticker``       a ticker (file name, Stooq bulk or yfinance cell) outside the
                     alphabet of :func:`~rotascope.data.model.ticker_problem`
``not_regular``      not a regular file: folder, FIFO, device, socket, symlink loop
                     or dangling link (never read)
``link_outside``     a symbolic link leaving the imported folder (not followed
                     without ``--follow-links``)
``too_large``        over the size limit (256 MiB a file; a line over 1 MiB is
                     ``bad_layout``)
===================  ==============================================================

Everything else is plausible market data that a human should look at; the series is
**imported and flagged** (``rotascope data check`` lists the flags, ``--strict`` turns
them into exit code 10):

=============================  ======================================================
check                          flagged when
=============================  ======================================================
``zero_close``                 close == 0
``negative_close``             close < 0 (e.g. ^IRX in March 2020)
``near_zero_lt0.01``           0 < close < 0.01
``jump_gt50pct``               |close / previous close - 1| > 50 %, both closes > 0
                               (an unadjusted split or spin-off, or a real crash)
``gap_gt7d``                   more than 7 calendar days between consecutive rows
``stale_run_ge5``              a run of >= 5 consecutive identical closes
``ends_early``                 the last date is before the latest date in the store
``short_history``              fewer than 252 rows
``missing_vs_SPY_calendar``    trading days of the calendar ticker (SPY) inside the
                               series' own first..last range that the series lacks
=============================  ======================================================

The reference calendar of the last check is a ticker's trading days (default SPY, as
the manifest uses) or a named calendar of :mod:`rotascope.data.calendar`: ``nyse``
(exchange sessions from ``exchange_calendars``; token ``missing_vs_NYSE_calendar``) or
``crypto`` (7 days). When the calendar ticker has no prices in the store (and none in
the batch being imported), the NYSE sessions are used instead and a note says so; the
check is no longer skipped. :func:`check_store` also reports how many NYSE sessions the
store's latest date is behind the last session on or before today
(``QualityReport.sessions_behind``).

The tokens, counts and details are those of ``../shared/market-data/manifest.csv``
(:func:`manifest_token` renders a flag in that syntax). All checks run vectorised over
the long (ticker, date, close) arrays of every series at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ..errors import CalendarWarning, ParameterError, ParameterTypeError
from . import calendar as _cal
from .model import QualityFlag, SeriesData

if TYPE_CHECKING:
    from .store import Store

__all__ = ["POLICY", "REJECT_CHECKS", "FLAG_CHECKS", "JUMP_THRESHOLD", "GAP_DAYS",
           "STALE_RUN", "SHORT_ROWS", "NEAR_ZERO", "check_series", "check_long", "check_many",
           "check_store", "QualityReport", "manifest_token", "calendar_check_name",
           "reference_calendar"]

JUMP_THRESHOLD = 0.5
GAP_DAYS = 7
STALE_RUN = 5
SHORT_ROWS = 252
NEAR_ZERO = 0.01

#: Checks whose failure rejects a whole file.
REJECT_CHECKS = ("bad_layout", "field_count", "bad_date", "bad_close", "bad_value",
                 "dup_dates", "non_monotonic", "empty", "bad_encoding", "bad_ticker",
                 "not_regular", "link_outside", "too_large")
#: Checks that import the series and record a flag (``missing_vs_{calendar}_calendar``
#: takes the calendar ticker's name).
FLAG_CHECKS = ("zero_close", "negative_close", "near_zero_lt0.01", "jump_gt50pct",
               "gap_gt7d", "stale_run_ge5", "ends_early", "short_history",
               "missing_vs_SPY_calendar")
#: check token -> "reject" or "flag".
POLICY: dict[str, Literal["reject", "flag"]] = {
    **{c: "reject" for c in REJECT_CHECKS}, **{c: "flag" for c in FLAG_CHECKS}}

_MAX_LISTED = {"jump_gt50pct": 3, "missing_vs_calendar": 3, "gap_gt7d": 3,
               "zero_close": 10, "negative_close": 10, "dup_dates": 3, "non_monotonic": 3,
               "bad_close": 3}


def calendar_check_name(calendar: str) -> str:
    """Check token for days missing versus ``calendar``: ``missing_vs_SPY_calendar``."""
    return f"missing_vs_{calendar}_calendar"


def reference_calendar(calendar: str, ticker_days: pd.DatetimeIndex | None, first: Any,
                       last: Any) -> tuple[str, pd.DatetimeIndex | None, str | None]:
    """Resolve the reference calendar of the ``missing_vs_..._calendar`` check.

    Parameters
    ----------
    calendar : a ticker (e.g. ``"SPY"``) or a calendar name (``nyse``, ``XNYS``,
        ``crypto``; case-insensitive; see :mod:`rotascope.data.calendar`).
    ticker_days : the calendar ticker's trading days, None when it has no prices
        (ignored for a calendar name).
    first, last : the first and last date being checked (bounds of a named calendar's
        sessions); None when there is nothing to check.

    Returns
    -------
    (name, days, note)
        ``name`` goes into the check token (``SPY``, ``NYSE``, ``crypto``); ``days`` the
        reference days (None: nothing to check against); ``note`` says why the NYSE
        calendar stands in for a ticker without prices, or that sessions before 1970
        were approximated, else None.

    Examples
    --------
    >>> name, days, note = reference_calendar("nyse", None, "2025-01-06", "2025-01-10")
    >>> name, len(days), note
    ('NYSE', 4, None)
    """
    key = calendar.strip().lower()
    notes = []
    if key in _cal.CALENDAR_NAMES:
        cal = _cal.get_calendar(key)
    elif ticker_days is not None:
        return calendar, ticker_days, None
    else:
        cal = _cal.NYSE
        notes.append(f"calendar ticker {calendar} has no prices; days missing versus the "
                     f"NYSE sessions were checked instead ({calendar_check_name('NYSE')})")
    if first is None or last is None:
        return cal.name, None, "; ".join(notes) or None
    lo, hi = pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize()
    if cal is _cal.NYSE and lo < _cal.NYSE_EXACT_FROM:
        notes.append(f"NYSE sessions before {_cal.NYSE_EXACT_FROM:%Y-%m-%d} are approximated "
                     "(Monday-Friday minus the XNYS holiday rules; see rotascope.data.calendar)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarWarning)
        days = cal.sessions(lo, hi)
    return cal.name, days, "; ".join(notes) or None


def _iso(day: Any) -> str:
    # Any: numpy datetime64 scalars of any unit and Timestamps; numpy's stubs have no
    # overload for (datetime64, unit)
    return str(np.datetime64(day, "D"))


def _listed(days: Sequence[Any] | np.ndarray, limit: int) -> str:
    shown = " ".join(_iso(d) for d in days[:limit])
    return shown + (" ..." if len(days) > limit else "")


def _ts(day: Any) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(day, "D"))


def _flag(ticker: str, check: str, count: int, detail: str, days: np.ndarray,
          first: Any = None, last: Any = None) -> QualityFlag:
    stamps = tuple(pd.DatetimeIndex(days.astype("datetime64[ns]"))) if len(days) else ()
    if first is None and len(days):
        first = days[0]
    if last is None and len(days):
        last = days[-1]
    return QualityFlag(ticker=ticker, check=check, count=int(count), detail=detail,
                       first_date=None if first is None else _ts(first),
                       last_date=None if last is None else _ts(last), dates=stamps)


def manifest_token(flag: QualityFlag) -> str:
    """Render a flag as ``manifest.csv`` writes it, e.g. ``jump_gt50pct=1[2016-07-05:+61.2%]``.

    Examples
    --------
    >>> f = QualityFlag("HONA", "short_history", 20, "20 rows < 252")
    >>> manifest_token(f)
    'short_history=20rows'
    """
    if flag.check == "ends_early":
        return f"ends_early[{flag.detail}]"
    if flag.check == "short_history":
        return f"short_history={flag.count}rows"
    return f"{flag.check}={flag.count}[{flag.detail}]"


# -- the vectorised core -------------------------------------------------------------------

def _check_arrays(names: Sequence[str], starts: np.ndarray, days: np.ndarray,
                  close: np.ndarray, *, calendar: np.ndarray | None, calendar_name: str,
                  latest: np.datetime64 | None) -> list[QualityFlag]:
    """Flag checks over contiguous groups (each strictly ascending in ``days``).

    ``starts[k]`` is the first row of group ``k`` (``names[k]``); ``days`` int64 day
    numbers; ``close`` float64.
    """
    n, k = len(days), len(names)
    if n == 0 or k == 0:
        return []
    sizes = np.diff(np.append(starts, n))
    group = np.repeat(np.arange(k), sizes)
    ends = starts + sizes - 1
    same = group[1:] == group[:-1]
    flags: list[tuple[int, int, QualityFlag]] = []   # (group, order, flag)
    order = {c: i for i, c in enumerate(
        ("zero_close", "negative_close", "near_zero_lt0.01", "jump_gt50pct", "gap_gt7d",
         "stale_run_ge5", "missing", "short_history", "ends_early"))}

    def per_group(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hit rows (sorted) -> (groups hit, split offsets)."""
        g = group[rows]
        hit_groups, first = np.unique(g, return_index=True)
        return hit_groups, np.append(first, len(rows))

    dt = days.astype("datetime64[D]")

    # value checks
    for check, mask in (("zero_close", close == 0), ("negative_close", close < 0),
                        ("near_zero_lt0.01", (close > 0) & (close < NEAR_ZERO))):
        rows = np.flatnonzero(mask)
        if not len(rows):
            continue
        hit, off = per_group(rows)
        for j, g in enumerate(hit):
            r = rows[off[j]:off[j + 1]]
            d = dt[r]
            detail = (f"{_iso(d[0])}..{_iso(d[-1])}" if check == "near_zero_lt0.01"
                      else _listed(d, _MAX_LISTED[check]))
            flags.append((g, order[check], _flag(names[g], check, len(r), detail, d)))

    # one-day moves
    prev, cur = close[:-1], close[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        ret = cur / prev - 1.0
    jump = same & (prev > 0) & (cur > 0) & (np.abs(ret) > JUMP_THRESHOLD)
    rows = np.flatnonzero(jump) + 1
    if len(rows):
        hit, off = per_group(rows)
        for j, g in enumerate(hit):
            r = rows[off[j]:off[j + 1]]
            shown = " ".join(f"{_iso(dt[i])}:{ret[i - 1] * 100:+.1f}%"
                             for i in r[:_MAX_LISTED["jump_gt50pct"]])
            if len(r) > _MAX_LISTED["jump_gt50pct"]:
                shown += " ..."
            flags.append((g, order["jump_gt50pct"],
                          _flag(names[g], "jump_gt50pct", len(r), shown, dt[r])))

    # calendar gaps
    step = np.diff(days)
    rows = np.flatnonzero(same & (step > GAP_DAYS)) + 1
    if len(rows):
        hit, off = per_group(rows)
        for j, g in enumerate(hit):
            r = rows[off[j]:off[j + 1]]
            shown = " ".join(f"{_iso(dt[i - 1])}..{_iso(dt[i])}({step[i - 1]}d)"
                             for i in r[:_MAX_LISTED["gap_gt7d"]])
            if len(r) > _MAX_LISTED["gap_gt7d"]:
                shown += " ..."
            flags.append((g, order["gap_gt7d"], _flag(names[g], "gap_gt7d", len(r), shown,
                                                      dt[r])))

    # stale runs: maximal runs of identical consecutive closes within a group
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = ~(same & (cur == prev))
    run_start = np.flatnonzero(new_run)
    run_len = np.diff(np.append(run_start, n))
    long_runs = run_len >= STALE_RUN
    if long_runs.any():
        rs, rl = run_start[long_runs], run_len[long_runs]
        re_ = rs + rl - 1
        rg = group[rs]
        # longest run per group; ties -> the latest (lexsort: last key is primary)
        by = np.lexsort((rs, rl, rg))
        last_of_group = np.append(rg[by][1:] != rg[by][:-1], True)
        best = by[last_of_group]
        hit, off = per_group(rs)
        counts = np.diff(off)
        for j, g in enumerate(hit):
            b = best[j]
            last_end = re_[off[j + 1] - 1]
            detail = (f"longest {rl[b]} rows {_iso(dt[rs[b]])}..{_iso(dt[re_[b]])} | "
                      f"last run ends {_iso(dt[last_end])}")
            starts_of_runs = dt[rs[off[j]:off[j + 1]]]
            flags.append((g, order["stale_run_ge5"], _flag(
                names[g], "stale_run_ge5", counts[j], detail, starts_of_runs,
                first=dt[rs[off[j]]], last=dt[last_end])))

    # calendar: days of the reference calendar inside each series' range that it lacks
    if calendar is not None and len(calendar):
        cal = np.asarray(calendar, dtype=np.int64)
        lo = np.searchsorted(cal, days[starts], side="left")
        hi = np.searchsorted(cal, days[ends], side="right")
        expected = hi - lo
        pos = np.minimum(np.searchsorted(cal, days), len(cal) - 1)
        on_cal = cal[pos] == days
        present = np.bincount(group[on_cal], minlength=k)
        missing = expected - present
        hit = np.flatnonzero(missing > 0)
        if len(hit):
            # boolean (hit groups x calendar) matrix of present days, then the complement
            slot = np.full(k, -1)
            slot[hit] = np.arange(len(hit))
            sel = on_cal & (slot[group] >= 0)
            have = np.zeros((len(hit), len(cal)), dtype=bool)
            have[slot[group[sel]], pos[sel]] = True
            cols = np.arange(len(cal))
            want = (cols >= lo[hit, None]) & (cols < hi[hit, None])
            hg, hc = np.nonzero(want & ~have)
            split = np.searchsorted(hg, np.arange(len(hit) + 1))
            check = calendar_check_name(calendar_name)
            for j, g in enumerate(hit.tolist()):
                d = cal[hc[split[j]:split[j + 1]]].astype("datetime64[D]")
                flags.append((g, order["missing"], _flag(
                    names[g], check, len(d), _listed(d, _MAX_LISTED["missing_vs_calendar"]),
                    d)))

    for g in np.flatnonzero(sizes < SHORT_ROWS).tolist():
        flags.append((g, order["short_history"], _flag(
            names[g], "short_history", sizes[g], f"{sizes[g]} rows < {SHORT_ROWS}",
            np.empty(0, "datetime64[D]"), first=dt[starts[g]], last=dt[ends[g]])))
    if latest is not None:
        late = np.int64(np.datetime64(latest).astype("datetime64[D]").astype(np.int64))
        for g in np.flatnonzero(days[ends] < late).tolist():
            flags.append((g, order["ends_early"], _flag(
                names[g], "ends_early", 1, f"last {_iso(dt[ends[g]])}", dt[ends[g]:ends[g] + 1])))

    flags.sort(key=lambda t: (t[0], t[1]))
    return [f for _, _, f in flags]


def _days(values: Any) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]").astype(np.int64)


def _calendar_days(calendar: Any) -> np.ndarray | None:
    if calendar is None:
        return None
    return np.unique(_days(pd.DatetimeIndex(calendar).values))


def check_long(long: pd.DataFrame, *, calendar: Any = None, calendar_name: str = "SPY",
               latest: Any = None) -> list[QualityFlag]:
    """Run the flag checks on many series given in long form.

    Parameters
    ----------
    long : DataFrame with columns ``ticker``, ``date``, ``close``, sorted by ticker then
        date, dates strictly ascending within each ticker (as stored).
    calendar : dates of the reference calendar (e.g. SPY's), or None to skip the
        ``missing_vs_{calendar_name}_calendar`` check.
    calendar_name : the calendar ticker's name, used in the check token.
    latest : the store's latest date; series ending before it get ``ends_early``.
        None skips that check.

    Returns
    -------
    list of QualityFlag
        Ordered by ticker (in input order), then check.

    Raises
    ------
    ParameterError
        When a ticker's rows are not contiguous or its dates not strictly ascending.
    """
    for col in ("ticker", "date", "close"):
        if col not in long.columns:
            raise ParameterError(f"check_long(): 'long' needs columns ticker, date, close; "
                                 f"missing {col!r}")
    codes, names = pd.factorize(long["ticker"].to_numpy())
    days = _days(long["date"].to_numpy())
    close = long["close"].to_numpy(dtype=np.float64)
    return _check_grouped(codes, [str(x) for x in names], days, close, calendar,
                          calendar_name, latest, "check_long")


def _check_grouped(codes: np.ndarray, names: list[str], days: np.ndarray, close: np.ndarray,
                   calendar: Any, calendar_name: str, latest: Any, func: str,
                   ) -> list[QualityFlag]:
    if len(codes) == 0:
        return []
    boundary = np.flatnonzero(np.diff(codes) != 0) + 1
    starts = np.concatenate([[0], boundary])
    if len(starts) != len(names):
        raise ParameterError(f"{func}(): each ticker's rows must be contiguous (sort by "
                             "ticker, date first)")
    same = codes[1:] == codes[:-1]
    bad = np.flatnonzero(same & (np.diff(days) <= 0))
    if len(bad):
        t = names[codes[bad[0]]]
        raise ParameterError(f"{func}(): dates of {t} are not strictly ascending at "
                             f"{_iso(days[bad[0] + 1].astype('datetime64[D]'))}; structural "
                             "problems are rejected before the flag checks")
    latest_day = None if latest is None else np.datetime64(pd.Timestamp(latest).date(), "D")
    return _check_arrays(names, starts, days, close, calendar=_calendar_days(calendar),
                         calendar_name=calendar_name, latest=latest_day)


def check_many(series: Sequence[SeriesData], *, calendar: Any = None,
               calendar_name: str = "SPY", latest: Any = None) -> list[QualityFlag]:
    """:func:`check_long` over parsed series (each already sorted and unique)."""
    if not series:
        return []
    sizes = np.array([len(s.frame) for s in series])
    codes = np.repeat(np.arange(len(series)), sizes)
    days = np.concatenate([_days(s.frame.index.values) for s in series])
    close = np.concatenate([s.frame["close"].to_numpy(dtype=np.float64) for s in series])
    keep = sizes > 0
    names = [s.ticker for s, k in zip(series, keep, strict=True) if k]
    if not keep.all():
        codes = np.searchsorted(np.flatnonzero(keep), codes)
    return _check_grouped(codes, names, days, close, calendar, calendar_name, latest,
                          "check_many")


def check_series(close: pd.Series, ticker: str | None = None, *, calendar: Any = None,
                 calendar_name: str = "SPY", latest: Any = None) -> list[QualityFlag]:
    """All checks on one series, including the structural ones.

    Parameters
    ----------
    close : Series of closes on a DatetimeIndex (any order; duplicates allowed, they are
        reported).
    ticker : name used in the flags (default ``close.name``).
    calendar, calendar_name, latest : as in :func:`check_long`.

    Returns
    -------
    list of QualityFlag
        ``dup_dates``, ``non_monotonic`` and ``bad_close`` (NaN/inf, reported with the
        dates of the bad rows) when the series has them -- the flag checks then run on
        the sorted, de-duplicated valid rows -- followed by the flag checks.

    Examples
    --------
    >>> s = pd.Series([10.0, 10.0, 10.0, 10.0, 10.0, 30.0],
    ...               index=pd.bdate_range("2024-01-01", periods=6))
    >>> [manifest_token(f) for f in check_series(s, "X")]  # doctest: +NORMALIZE_WHITESPACE
    ['jump_gt50pct=1[2024-01-08:+200.0%]',
     'stale_run_ge5=1[longest 5 rows 2024-01-01..2024-01-05 | last run ends 2024-01-05]',
     'short_history=6rows']
    """
    if not isinstance(close, pd.Series) or not isinstance(close.index, pd.DatetimeIndex):
        raise ParameterTypeError("check_series(): 'close' must be a Series with a "
                                 f"DatetimeIndex, got {type(close).__name__}")
    name = str(ticker if ticker is not None else close.name)
    out: list[QualityFlag] = []
    idx = close.index.values.astype("datetime64[D]")
    dup = pd.Index(idx).duplicated()
    if dup.any():
        d = np.unique(idx[dup])
        out.append(_flag(name, "dup_dates", len(d), _listed(d, 3), d))
    step = np.diff(idx.astype(np.int64))
    back = np.flatnonzero(step < 0) + 1
    if len(back):
        d = idx[back]
        out.append(_flag(name, "non_monotonic", len(d), _listed(d, 3), d))
    values = close.to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        d = np.sort(idx[bad])
        out.append(_flag(name, "bad_close", len(d), _listed(d, 3), d))
    clean = pd.Series(values[~bad], index=pd.DatetimeIndex(idx[~bad].astype("datetime64[ns]")))
    clean = clean[~clean.index.duplicated(keep="last")].sort_index()
    days = _days(clean.index.values)
    out.extend(_check_grouped(np.zeros(len(days), dtype=np.int64), [name], days,
                              clean.to_numpy(), calendar, calendar_name, latest,
                              "check_series"))
    return out


# -- the store -----------------------------------------------------------------------------

@dataclass
class QualityReport:
    """Flags for the tickers of a store, recomputed from the stored prices.

    ``calendar`` is the reference calendar's name (the calendar ticker, or ``NYSE``
    when that ticker has no prices; ``notes`` says so); ``calendar_available`` is False
    only when there was nothing to check against. ``last_session`` is the last NYSE
    session on or before ``today`` and ``sessions_behind`` how many NYSE sessions the
    store's latest date is before it (0: current; None for an empty store).
    """

    tickers: list[str]
    flags: list[QualityFlag]
    latest_date: pd.Timestamp | None
    calendar: str
    calendar_available: bool
    notes: list[str] = field(default_factory=list)
    last_session: pd.Timestamp | None = None
    sessions_behind: int | None = None

    @property
    def flagged(self) -> list[str]:
        return list(dict.fromkeys(f.ticker for f in self.flags))

    @property
    def clean(self) -> bool:
        return not self.flags

    def by_ticker(self) -> dict[str, list[QualityFlag]]:
        out: dict[str, list[QualityFlag]] = {t: [] for t in self.tickers}
        for f in self.flags:
            out.setdefault(f.ticker, []).append(f)
        return out

    def to_dict(self) -> dict[str, Any]:
        by = self.by_ticker()
        return {
            "latest_date": None if self.latest_date is None else
            self.latest_date.date().isoformat(),
            "calendar": self.calendar,
            "calendar_available": self.calendar_available,
            "last_session": None if self.last_session is None else
            self.last_session.date().isoformat(),
            "sessions_behind": self.sessions_behind,
            "checked": len(self.tickers),
            "flagged": len(self.flagged),
            "notes": list(self.notes),
            "tickers": [{"ticker": t, "flags": [f.to_dict() for f in by[t]],
                         "tokens": [manifest_token(f) for f in by[t]]} for t in self.tickers],
        }


def check_store(store: Store, tickers: Iterable[str] | None = None, *,
                calendar: str = "SPY", today: Any = None) -> QualityReport:
    """Recompute every flag check from the prices in ``store``.

    Parameters
    ----------
    store : an open :class:`~rotascope.data.store.Store`.
    tickers : tickers to check (all when None); unknown ones raise UnknownTickerError.
    calendar : ticker whose trading days define the reference calendar, or a calendar
        name (``nyse``, ``crypto``); see :func:`reference_calendar`.
    today : the date the store's staleness is measured at (default: today, UTC).

    Returns
    -------
    QualityReport
        ``ends_early`` is relative to the latest date of the whole store.
    """
    if tickers is not None:
        wanted = store.check_tickers(list(tickers))
    else:
        store.require_data()
        wanted = None
    codes, names, days, close = store.long_prices(wanted)
    is_name = calendar.strip().lower() in _cal.CALENDAR_NAMES
    ticker_days = None if is_name else store.trading_days(calendar)
    span = (None, None) if not len(days) else tuple(
        pd.Timestamp(np.datetime64(int(d), "D")) for d in (days.min(), days.max()))
    cal_name, cal, note = reference_calendar(calendar, ticker_days, *span)
    cal_days = None if cal is None else cal.values.astype("datetime64[D]")
    notes = [] if note is None else [note]
    latest = store.last_date()
    flags = _check_grouped(codes, names, days, close,
                           cal_days,
                           cal_name, latest, "check_store")
    last_session, behind = _staleness(latest, today)
    return QualityReport(tickers=names if wanted is None else [t for t in wanted if t in names],
                         flags=flags, latest_date=latest, calendar=cal_name,
                         calendar_available=cal_days is not None, notes=notes,
                         last_session=last_session, sessions_behind=behind)


def _staleness(latest: Any, today: Any) -> tuple[pd.Timestamp | None, int | None]:
    """(last NYSE session on or before ``today``, sessions the store is behind it)."""
    day = pd.Timestamp.now("UTC") if today is None else today
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarWarning)
        last = _cal.NYSE.session_on_or_before(day)
        if latest is None:
            return last, None
        return last, max(0, _cal.NYSE.sessions_between(latest, last))
