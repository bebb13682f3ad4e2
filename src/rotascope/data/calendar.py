"""Trading calendars: NYSE sessions from ``exchange_calendars``, plus explicit others.

Which calendar
--------------
``nyse`` (:data:`NYSE`)
    New York Stock Exchange sessions: Monday to Friday minus the exchange's holidays and
    unscheduled closings (2012-10-29/30 Hurricane Sandy, 2025-01-09 President Carter's
    day of mourning, Good Friday, ...), from the maintained ``exchange_calendars``
    package (calendar ``XNYS``). Future closings that were not announced when the
    installed release was made are, of course, unknown.
``crypto`` (:data:`CRYPTO`)
    Every calendar day (bitcoin and other coins trade 7 days a week).
:func:`from_index`
    The days of a given index, e.g. the observation dates of a FRED series (daily with
    gaps, weekly or monthly): nothing is assumed outside the index's first..last date.

Range of the NYSE calendar
--------------------------
``exchange_calendars`` applies the XNYS *regular* holiday rules only from 1970-01-01
(its holiday calendars default to pandas' 1970 start; e.g. 1969-12-25 comes out as a
session), while its unscheduled closings go back to 1929 and its rules to the 19th
century. From :data:`NYSE_EXACT_FROM` (1970-01-01) on, sessions are the library's.
Before that (the reference data starts 1976, but imported files may be older), the
sessions are **approximate**: Monday to Friday minus the same XNYS holiday rules and
closings evaluated explicitly over the requested years (a better fallback than pandas'
``USFederalHolidayCalendar``, which would apply today's federal holidays such as
Columbus Day, on which the NYSE trades). Saturday sessions (held until 1952) are not
modelled. Such a request warns with :class:`~rotascope.errors.CalendarWarning`, or
raises :class:`~rotascope.errors.CalendarRangeError` from a calendar built with
``strict=True``.

Dates
-----
Every function takes dates as ISO strings, ``datetime.date`` or ``pd.Timestamp``
(a time of day is dropped; a tz-aware stamp is converted to UTC first, as everywhere
in rotascope) and returns tz-naive midnight ``pd.Timestamp`` / ``DatetimeIndex``
(``datetime64[ns]``, name ``date``).

Examples
--------
>>> nyse_sessions("2025-01-06", "2025-01-10").strftime("%a %d").tolist()
['Mon 06', 'Tue 07', 'Wed 08', 'Fri 10']
>>> previous_session("2012-10-31")
Timestamp('2012-10-26 00:00:00')
>>> sessions_between("2025-04-17", "2025-04-21")     # Good Friday 2025-04-18
1
>>> is_session("2025-04-19", calendar="crypto")
True
"""

from __future__ import annotations

import threading
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_date
from ..errors import CalendarRangeError, CalendarWarning, ParameterError, ParameterTypeError

__all__ = ["TradingCalendar", "NyseCalendar", "CryptoCalendar", "IndexCalendar", "NYSE",
           "CRYPTO", "NYSE_EXACT_FROM", "CALENDAR_NAMES", "get_calendar", "from_index",
           "nyse_sessions", "sessions", "previous_session", "next_session",
           "session_on_or_before", "sessions_between", "is_session"]

#: First day on which the NYSE sessions are exactly those of ``exchange_calendars``.
NYSE_EXACT_FROM = pd.Timestamp("1970-01-01")
#: Names :func:`get_calendar` accepts (case-insensitive) -> canonical name.
CALENDAR_NAMES = {"nyse": "NYSE", "xnys": "NYSE", "crypto": "crypto", "24/7": "crypto"}

_NS = "datetime64[ns]"


def _day(value: Any, name: str, func: str) -> pd.Timestamp:
    return check_date(value, name, func=func)


def _index(days: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(days, dtype=_NS), name="date")


class TradingCalendar(ABC):
    """The days a market trades on; every query is answered from :meth:`sessions`.

    Subclasses implement :meth:`_sessions_array` (sorted unique ``datetime64[ns]``
    between two normalised dates, both inclusive) and may narrow :meth:`_check_range`.
    """

    #: Name used in messages and check tokens (``missing_vs_NYSE_calendar``).
    name: str = ""

    @abstractmethod
    def _sessions_array(self, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
        """Sessions in ``[start, end]`` as sorted ``datetime64[ns]``."""

    def _check_range(self, start: pd.Timestamp, end: pd.Timestamp,  # noqa: B027
                     func: str) -> None:
        """Raise or warn when ``[start, end]`` leaves the calendar's coverage (default:
        every date is covered)."""

    #: How far :meth:`previous_session` / :meth:`next_session` look (days).
    _search_days: tuple[int, ...] = (15, 400)

    def sessions(self, start: Any, end: Any) -> pd.DatetimeIndex:
        """Sessions from ``start`` to ``end``, both inclusive (empty when end < start)."""
        func = f"{self.name}.sessions"
        s, e = _day(start, "start", func), _day(end, "end", func)
        if e < s:
            return _index(np.empty(0, _NS))
        self._check_range(s, e, func)
        return _index(self._sessions_array(s, e))

    def is_session(self, date: Any) -> bool:
        """Is ``date`` a session?"""
        d = _day(date, "date", f"{self.name}.is_session")
        self._check_range(d, d, f"{self.name}.is_session")
        return bool(len(self._sessions_array(d, d)))

    def contains(self, dates: Iterable[Any]) -> np.ndarray:
        """Boolean array: which of ``dates`` (any order; times dropped) are sessions."""
        idx = pd.DatetimeIndex(pd.to_datetime(list(dates) if not isinstance(
            dates, pd.Index | np.ndarray) else dates))
        if idx.tz is not None:
            idx = idx.tz_convert(None)
        days = idx.normalize().values.astype(_NS)
        if not len(days):
            return np.zeros(0, dtype=bool)
        lo, hi = pd.Timestamp(days.min()), pd.Timestamp(days.max())
        self._check_range(lo, hi, f"{self.name}.contains")
        cal = self._sessions_array(lo, hi)
        return np.isin(days, cal)

    def session_on_or_before(self, date: Any) -> pd.Timestamp:
        """``date`` itself when it is a session, else the latest session before it."""
        d = _day(date, "date", f"{self.name}.session_on_or_before")
        return self._search(d, back=True, inclusive=True, func="session_on_or_before")

    def previous_session(self, date: Any) -> pd.Timestamp:
        """The latest session strictly before ``date`` (a session or not)."""
        d = _day(date, "date", f"{self.name}.previous_session")
        return self._search(d, back=True, inclusive=False, func="previous_session")

    def next_session(self, date: Any) -> pd.Timestamp:
        """The first session strictly after ``date``."""
        d = _day(date, "date", f"{self.name}.next_session")
        return self._search(d, back=False, inclusive=False, func="next_session")

    def sessions_between(self, start: Any, end: Any) -> int:
        """Number of sessions after ``start`` up to and including ``end``.

        ``sessions_between(last_close, today)`` is how many sessions a series is behind;
        negative when ``end`` is before ``start``.
        """
        func = f"{self.name}.sessions_between"
        s, e = _day(start, "start", func), _day(end, "end", func)
        if e < s:
            return -self.sessions_between(e, s)
        if e == s:
            return 0
        self._check_range(s, e, func)
        arr = self._sessions_array(s, e)
        return int(len(arr) - (len(arr) > 0 and arr[0] == s.to_datetime64()))

    def _search(self, d: pd.Timestamp, *, back: bool, inclusive: bool, func: str
                ) -> pd.Timestamp:
        first = d if inclusive else d + pd.Timedelta(days=-1 if back else 1)
        for days in self._search_days:
            span = pd.Timedelta(days=days)
            lo, hi = (first - span, first) if back else (first, first + span)
            self._check_range(lo, hi, f"{self.name}.{func}")
            arr = self._sessions_array(lo, hi)
            if len(arr):
                return pd.Timestamp(arr[-1] if back else arr[0])
        side = "before" if back else "after"
        raise CalendarRangeError(f"{self.name}.{func}(): no session within "
                                 f"{self._search_days[-1]} days {side} {d:%Y-%m-%d}")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class NyseCalendar(TradingCalendar):
    """NYSE sessions (``exchange_calendars`` XNYS; see the module notes for the range).

    Parameters
    ----------
    strict : bool, default False. Raise :class:`~rotascope.errors.CalendarRangeError`
        for dates before :data:`NYSE_EXACT_FROM` instead of warning and approximating.
    """

    name = "NYSE"

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict

    # The library calendar, built once per process (about 0.2 s) and extended on demand.
    _lock = threading.Lock()
    _exact: np.ndarray | None = None
    _exact_end: pd.Timestamp | None = None

    @classmethod
    def _library_sessions(cls, end: pd.Timestamp) -> np.ndarray:
        with cls._lock:
            if cls._exact is None or cls._exact_end is None or cls._exact_end < end:
                horizon = pd.Timestamp.now().normalize() + pd.DateOffset(years=2)
                last = max(pd.Timestamp(f"{end.year + 1}-12-31"),
                           pd.Timestamp(f"{horizon.year}-12-31"))
                cal = _xnys(NYSE_EXACT_FROM, last)
                cls._exact = np.asarray(cal.sessions.values, dtype=_NS)
                cls._exact_end = last
            return cls._exact

    @staticmethod
    def _approximate(start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
        """Mon-Fri minus the XNYS holiday rules and closings, evaluated explicitly."""
        cal = _xnys_rules()
        days = pd.bdate_range(start, end)
        holidays = cal.regular_holidays.holidays(start, end)
        adhoc = pd.DatetimeIndex(cal.adhoc_holidays)
        keep = ~(days.isin(holidays) | days.isin(adhoc))
        return np.asarray(days[keep].values, dtype=_NS)

    def _check_range(self, start: pd.Timestamp, end: pd.Timestamp, func: str) -> None:
        if start >= NYSE_EXACT_FROM:
            return
        msg = (f"{func}(): NYSE sessions before {NYSE_EXACT_FROM:%Y-%m-%d} are not covered "
               f"by exchange_calendars (asked from {start:%Y-%m-%d})")
        if self.strict:
            raise CalendarRangeError(msg + "; use a calendar with strict=False for an "
                                           "approximation")
        warnings.warn(msg + ": approximated as Monday-Friday minus the XNYS holiday rules "
                      "(Saturday sessions before 1953 are not modelled). Silence with "
                      "warnings.filterwarnings('ignore', category=CalendarWarning).",
                      CalendarWarning, stacklevel=4)

    def _sessions_array(self, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
        parts = []
        if start < NYSE_EXACT_FROM:
            parts.append(self._approximate(start, min(end, NYSE_EXACT_FROM
                                                      - pd.Timedelta(days=1))))
        if end >= NYSE_EXACT_FROM:
            exact = self._library_sessions(end)
            lo = max(start, NYSE_EXACT_FROM).to_datetime64()
            i, j = np.searchsorted(exact, [lo, end.to_datetime64()], side="left")
            j = j + int(j < len(exact) and exact[j] == end.to_datetime64())
            parts.append(exact[i:j])
        return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _quiet_library(build: Any) -> Any:
    # exchange_calendars 4.x trips pandas 3's deprecation warnings while it builds a
    # calendar (its own code, not ours): keep them out of rotascope's output.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return build()


def _xnys(start: pd.Timestamp, end: pd.Timestamp) -> Any:
    try:
        import exchange_calendars as xcals
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise ImportError("the NYSE calendar needs exchange_calendars: "
                          "python -m pip install exchange_calendars") from exc
    return _quiet_library(lambda: xcals.get_calendar("XNYS", start=start, end=end))


_RULES: Any = None


def _xnys_rules() -> Any:
    """A small XNYS calendar object, only for its holiday rules and closing list."""
    global _RULES
    if _RULES is None:
        year = pd.Timestamp.now().year
        _RULES = _xnys(pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-12-31"))
    return _RULES


class CryptoCalendar(TradingCalendar):
    """Every calendar day is a session."""

    name = "crypto"

    def _sessions_array(self, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
        return np.asarray(pd.date_range(start, end, freq="D").values, dtype=_NS)


class IndexCalendar(TradingCalendar):
    """The days of a given index (e.g. a FRED series' observation dates).

    Outside the index's first..last date nothing is known: a query reaching there raises
    :class:`~rotascope.errors.CalendarRangeError`.
    """

    def __init__(self, days: np.ndarray, name: str) -> None:
        self.name = name
        self._days = days

    @property
    def first(self) -> pd.Timestamp:
        return pd.Timestamp(self._days[0])

    @property
    def last(self) -> pd.Timestamp:
        return pd.Timestamp(self._days[-1])

    def _check_range(self, start: pd.Timestamp, end: pd.Timestamp, func: str) -> None:
        if start < self.first or end > self.last:
            raise CalendarRangeError(
                f"{func}(): the {self.name} calendar covers {self.first:%Y-%m-%d}.."
                f"{self.last:%Y-%m-%d} only (its own dates); asked "
                f"{start:%Y-%m-%d}..{end:%Y-%m-%d}")

    def _search(self, d: pd.Timestamp, *, back: bool, inclusive: bool, func: str
                ) -> pd.Timestamp:
        # The answer is known only when the days it depends on lie inside the index.
        one = pd.Timedelta(days=1)
        x = d.to_datetime64()
        if back:
            known = d <= (self.last if inclusive else self.last + one)
            i = int(np.searchsorted(self._days, x, side="right" if inclusive else "left"))
            if known and i > 0:
                return pd.Timestamp(self._days[i - 1])
        else:
            known = self.first - one <= d < self.last
            i = int(np.searchsorted(self._days, x, side="right"))
            if known:
                return pd.Timestamp(self._days[i])
        side = "before" if back else "after"
        raise CalendarRangeError(
            f"{self.name}.{func}(): the {self.name} calendar covers {self.first:%Y-%m-%d}.."
            f"{self.last:%Y-%m-%d} only (its own dates); the session {side} "
            f"{d:%Y-%m-%d} is unknown")

    def _sessions_array(self, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
        i = int(np.searchsorted(self._days, start.to_datetime64(), side="left"))
        j = int(np.searchsorted(self._days, end.to_datetime64(), side="right"))
        return self._days[i:j]


def from_index(index: Any, name: str = "series") -> IndexCalendar:
    """A calendar whose sessions are the dates of ``index`` (DatetimeIndex, Series or
    DataFrame with one; any order, duplicates and times of day are dropped).

    Examples
    --------
    >>> cal = from_index(pd.DatetimeIndex(["2024-01-05", "2024-01-12", "2024-01-19"]),
    ...                  "weekly")
    >>> cal.previous_session("2024-01-15"), cal.sessions_between("2024-01-05", "2024-01-19")
    (Timestamp('2024-01-12 00:00:00'), 2)
    """
    if isinstance(index, pd.Series | pd.DataFrame):
        index = index.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ParameterTypeError(f"from_index(): 'index' must be a DatetimeIndex (or a "
                                 f"Series/DataFrame with one), got {type(index).__name__}")
    idx = index.tz_convert(None) if index.tz is not None else index
    days = np.unique(idx.normalize().dropna().values.astype(_NS))
    if not len(days):
        raise ParameterError(f"from_index(): the index of {name!r} has no dates")
    return IndexCalendar(days, name)


#: The NYSE calendar (non-strict: dates before 1970 warn and are approximated).
NYSE = NyseCalendar()
#: Every day of the week.
CRYPTO = CryptoCalendar()


def get_calendar(calendar: str | TradingCalendar = "nyse") -> TradingCalendar:
    """The calendar named ``calendar`` (``nyse``/``XNYS``, ``crypto``), or ``calendar``
    itself when it is one already."""
    if isinstance(calendar, TradingCalendar):
        return calendar
    if not isinstance(calendar, str):
        raise ParameterTypeError(f"get_calendar(): 'calendar' must be a name or a "
                                 f"TradingCalendar, got {type(calendar).__name__}")
    canonical = CALENDAR_NAMES.get(calendar.strip().lower())
    if canonical is None:
        raise ParameterError(f"get_calendar(): unknown calendar {calendar!r}; known: nyse, "
                             "crypto (or from_index(dates) for a series' own dates)")
    return NYSE if canonical == "NYSE" else CRYPTO


def nyse_sessions(start: Any, end: Any) -> pd.DatetimeIndex:
    """NYSE sessions from ``start`` to ``end`` inclusive (tz-naive midnight)."""
    return NYSE.sessions(start, end)


def sessions(start: Any, end: Any, *, calendar: str | TradingCalendar = "nyse"
             ) -> pd.DatetimeIndex:
    """Sessions of ``calendar`` from ``start`` to ``end`` inclusive."""
    return get_calendar(calendar).sessions(start, end)


def is_session(date: Any, *, calendar: str | TradingCalendar = "nyse") -> bool:
    """Is ``date`` a session of ``calendar`` (default NYSE)?"""
    return get_calendar(calendar).is_session(date)


def previous_session(date: Any, *, calendar: str | TradingCalendar = "nyse") -> pd.Timestamp:
    """The latest session strictly before ``date``."""
    return get_calendar(calendar).previous_session(date)


def next_session(date: Any, *, calendar: str | TradingCalendar = "nyse") -> pd.Timestamp:
    """The first session strictly after ``date``."""
    return get_calendar(calendar).next_session(date)


def session_on_or_before(date: Any, *, calendar: str | TradingCalendar = "nyse"
                         ) -> pd.Timestamp:
    """``date`` when it is a session, else the latest session before it."""
    return get_calendar(calendar).session_on_or_before(date)


def sessions_between(start: Any, end: Any, *, calendar: str | TradingCalendar = "nyse") -> int:
    """Sessions after ``start`` up to and including ``end`` (see
    :meth:`TradingCalendar.sessions_between`)."""
    return get_calendar(calendar).sessions_between(start, end)
