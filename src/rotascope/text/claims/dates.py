"""Periods written in prose ("last week", "in two weeks", "since April 8", "on Friday").

:func:`find_windows` returns every period phrase of a sentence as a
:class:`~rotascope.text.claims.model.WindowSpec` with its span; :func:`resolve`
turns one into dates on an instrument's own trading rows, relative to a reference date.

Grammar (case-insensitive except month names; units: session/trading day/day = 1 row,
week = 5, month = 21, quarter = 63, year = 252 — the project's window convention)
--------------------------------------------------------------------------------
=============================================  ======================================
phrase                                         meaning
=============================================  ======================================
"year to date", "YTD", "this year",            ``ytd``
"so far this year", "since the start of the
year", "so far in 2026" (the reference year)
"over the past month", "in the last 3 weeks",  ``rows``: the last N rows (a phrase with
"the past 12 months", "the trailing year"      "the" is a rolling window)
"in two weeks", "within five sessions",        ``rows`` with ``duration=True`` (how fast
"over three days"                              something happened)
"last week", "last month", "last quarter",     ``calendar``, the previous period
"last year", "the prior/previous week"
"this week", "this month", "month to date",    ``calendar``, the current period
"for the week", "on the week"
"in June", "in June 2025", "in 2025",          ``calendar``, a named month/quarter/year
"in the second quarter", "in Q2 2025"
"since April 8", "since April", "since the     ``since``: from the close on that date
start of June", "since March 3, 2025"          (or the last close before the month)
"on Friday", "Friday's session", "today",      ``day``: one trading day
"yesterday", "on July 2", "in a single
session", "on the day"
=============================================  ======================================

A named month/date without a year is the latest one on or before the reference date.
Vague starts ("since early April", "since mid-June") are recognised but not resolved
(the claim is "cannot check").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

import pandas as pd

from ..extract import MONTHS
from .model import WindowSpec

__all__ = ["find_windows", "resolve", "ResolvedWindow", "parse_count", "UNIT_ROWS",
           "find_anchor", "WindowError"]

UNIT_ROWS = {"session": 1, "day": 1, "week": 5, "month": 21, "quarter": 63, "year": 252}

_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
           "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30, "couple": 2,
           "a couple of": 2, "single": 1}
_COUNT_RE = r"(?:\d{1,3}|a\s+couple\s+of|a|an|one|two|three|four|five|six|seven|eight|nine|ten|" \
            r"eleven|twelve|fifteen|eighteen|twenty|thirty|single)"
_UNIT_RE = r"(?:trading\s+(?:days?|sessions?)|sessions?|days?|weeks?|months?|quarters?|years?)"
_MONTH = (r"(?-i:January|February|March|April|May|June|July|August|September|October|November|"
          r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_DAY = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
             "saturday": 5, "sunday": 6}
_WD = r"(?-i:Monday|Tuesday|Wednesday|Thursday|Friday)"
_QUARTERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
             "4th": 4}


class WindowError(ValueError):
    """A period that cannot be resolved (vague or outside the data); message says why."""


def parse_count(text: str) -> int | None:
    """``"two"`` -> 2, ``"12"`` -> 12, ``"a couple of"`` -> 2; None if unknown."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    if t.isdigit():
        return int(t)
    return _COUNTS.get(t)


def _unit(text: str) -> str:
    t = text.lower()
    for u in ("session", "day", "week", "month", "quarter", "year"):
        if u in t:
            return u
    raise ValueError(text)


_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("half", re.compile(r"\b(?:in|during|over|for|through(?:out)?)\s+(?:the\s+)?(?:(?:(?P<hn>"
                        r"first|second|1st|2nd)\s+half|(?P<hn6>first)\s+six\s+months)"
                        r"(?:\s+of\s+(?:(?P<hy>(?:19|20)\d\d)|"
                        r"(?P<hlast>last\s+year|this\s+year|the\s+year)))?|H(?P<hn2>[12])"
                        r"(?:\s+(?P<hy2>(?:19|20)\d\d))?)\b", re.I)),
    ("span", re.compile(rf"\bfrom\s+(?:its|the|their|a)\s+(?:(?P<p1>early|mid|late)[-\s]+)?"
                        rf"(?P<m1>{_MONTH})\s+(?P<k1>peak|high|top|low|trough|bottom)s?\s+"
                        rf"(?:to|through|until|into)\s+(?:(?P<p2>early|mid|late)[-\s]+)?"
                        rf"(?P<m2>{_MONTH})\b", re.I)),
    ("since_end", re.compile(rf"\bsince\s+the\s+(?:end|close)\s+of\s+(?P<mon>{_MONTH})"
                             rf"(?:\s+(?P<year>(?:19|20)\d\d))?", re.I)),
    ("since_quarter", re.compile(r"\bsince\s+the\s+(?:start|beginning)\s+of\s+(?:the\s+)?"
                                 r"(?:(?P<qn>first|second|third|fourth|1st|2nd|3rd|4th)\s+"
                                 r"quarter|Q(?P<qn2>[1-4])|(?P<cur>quarter|month|week))"
                                 r"(?:\s+(?:of\s+)?(?P<qy>(?:19|20)\d\d))?", re.I)),
    ("vague_since", re.compile(rf"\bsince\s+(?:early|mid|late|the\s+middle\s+of)"
                               rf"[-\s]+(?P<mon>{_MONTH})", re.I)),
    ("vague_month", re.compile(rf"\b(?:(?:in|during|over|for|through(?:out)?)\s+)?(?:the\s+)?"
                               rf"(?P<part>early|mid|late)[-\s]+(?P<mon>{_MONTH})"
                               rf"(?:,?\s+(?P<year>(?:19|20)\d\d))?\b(?!\s+\d)", re.I)),
    ("vague_year", re.compile(r"\b(?:(?:in|during|over|for|through(?:out)?)\s+)?"
                              r"(?P<part>early|mid|late)[-\s]+(?P<year>(?:19|20)\d\d)\b", re.I)),
    ("by_month", re.compile(rf"\bby\s+(?P<mon>{_MONTH})(?:\s+(?P<year>(?:19|20)\d\d))?\b"
                            rf"(?!\s+\d)", re.I)),
    ("since_start", re.compile(rf"\bsince\s+the\s+(?:start|beginning)\s+of\s+(?P<mon>{_MONTH})"
                               rf"(?:\s+(?P<year>(?:19|20)\d\d))?", re.I)),
    ("ytd", re.compile(r"\b(?:so\s+far\s+)?(?:this\s+year|year[-\s]to[-\s]date|YTD|"
                       r"since\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+year|"
                       r"in\s+the\s+year\s+to\s+date|for\s+the\s+year|on\s+the\s+year|"
                       r"since\s+(?:January|Jan\.?)\s+1(?:st)?(?!\d)|"
                       r"so\s+far\s+in\s+(?P<ytd_year>(?:19|20)\d\d))\b", re.I)),
    ("since_date", re.compile(rf"\bsince\s+(?:the\s+)?(?:(?P<mon>{_MONTH})\s+{_DAY.format('day')}"
                              rf"(?:,?\s+(?P<year>(?:19|20)\d\d))?|"
                              rf"{_DAY.format('day2')}\s+(?P<mon2>{_MONTH})"
                              rf"(?:\s+(?P<year2>(?:19|20)\d\d))?|"
                              rf"(?P<iso>(?:19|20)\d\d-\d\d-\d\d))(?![\d-])", re.I)),
    # "since last Friday", "since Monday": from that weekday's close, the one before the
    # reference date ("since Friday" written on a Friday means a week ago).
    ("since_weekday", re.compile(rf"\bsince\s+(?:last\s+)?(?P<wd>{_WD})\b", re.I)),
    ("since_month", re.compile(rf"\bsince\s+(?P<mon>{_MONTH})(?:\s+(?P<year>(?:19|20)\d\d))?\b",
                               re.I)),
    ("rolling", re.compile(rf"\b(?:over|in|during|for|across|within)?\s*the\s+(?:past|last|"
                           rf"latest|trailing)\s+(?:(?P<n>{_COUNT_RE})\s+)?(?P<unit>{_UNIT_RE})\b",
                           re.I)),
    ("single_session", re.compile(r"\b(?:in|over|during)\s+(?:a|one)\s+(?:single\s+)?"
                                  r"(?:session|trading\s+day|day)\b", re.I)),
    ("duration", re.compile(rf"\b(?:in|over|within|across|during)\s+(?:just\s+|only\s+|barely\s+)?"
                            rf"(?P<n>{_COUNT_RE})\s+(?P<unit>{_UNIT_RE})\b", re.I)),
    ("prev_period", re.compile(r"\b(?:(?<!the\s)last|(?:in|during|over|for)\s+the\s+(?:prior|"
                               r"previous)|the\s+(?:prior|previous))\s+(?P<unit>week|month|quarter|"
                               r"year)\b", re.I)),
    ("this_period", re.compile(r"\b(?:so\s+far\s+)?(?:this(?:\s+past)?|(?:for|on|in|over|during|"
                               r"ended|finished|closed|ending|finishing|closing)\s+the)\s+"
                               r"(?P<unit>week|month|quarter)\b|"
                               r"\b(?P<unit2>week|month|quarter)[-\s]to[-\s]date\b|"
                               r"\b(?P<abbr>WTD|MTD|QTD)\b|"
                               # desk shorthand: "+5.7% wk", "+14.8% w/w", "week-over-week"
                               r"(?<=%\s)(?P<wk>wk|w/w|WoW)(?![\w/])|"
                               r"\b(?P<wow>week[-\s]over[-\s]week)\b", re.I)),
    ("through_date", re.compile(rf"\b(?:through|thru|up\s+to)\s+(?:(?P<mon>{_MONTH})\s+"
                                rf"{_DAY.format('day')}(?:,?\s+(?P<year>(?:19|20)\d\d))?|"
                                rf"(?P<iso>(?:19|20)\d\d-\d\d-\d\d))(?![\d-])", re.I)),
    ("quarter", re.compile(r"\b(?:in|during|over|for)\s+(?:the\s+)?(?:(?P<qn>first|second|third|"
                           r"fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+of\s+(?P<qy>(?:19|20)\d\d))?|"
                           r"Q(?P<qn2>[1-4])(?:\s+(?P<qy2>(?:19|20)\d\d))?)\b", re.I)),
    ("day_date", re.compile(rf"\bon\s+(?:{_WD},?\s+)?(?:(?P<mon>{_MONTH})\s+{_DAY.format('day')}"
                            rf"(?:,?\s+(?P<year>(?:19|20)\d\d))?|{_DAY.format('day2')}\s+"
                            rf"(?P<mon2>{_MONTH})(?:\s+(?P<year2>(?:19|20)\d\d))?|"
                            rf"(?P<iso>(?:19|20)\d\d-\d\d-\d\d))(?![\d-])", re.I)),
    ("month", re.compile(rf"\b(?:in|during|over|for|through(?:out)?)\s+(?P<mon>{_MONTH})"
                         rf"(?:\s+(?P<year>(?:19|20)\d\d))?\b(?!\s+\d)", re.I)),
    # "in 2025", and the year a move is said to have ended in: "finished 2025 up 64%",
    # "ended 2025 down 8%", "closed out 2025 higher".
    ("year", re.compile(r"\b(?:in|during|over|for|throughout|"
                        r"(?:finish(?:ed|es)?|end(?:ed|s)?|close[ds]?)"
                        r"(?:\s+out)?)\s+(?P<year>(?:19|20)\d\d)\b"
                        r"(?!\s*(?:-|to)\s*\d)", re.I)),
    ("weekday", re.compile(rf"\b(?:(?:on|last)\s+)?(?P<wd>{_WD})(?:'s|\u2019s)?"
                           rf"(?:\s+(?:session|trading))?\b", re.I)),
    ("same", re.compile(r"\b(?:(?:on|in)\s+)?(?:that|the\s+same)\s+(?:day|session)|"
                        r"\b(?:in|on)\s+the\s+session|"
                        r"\b(?:in|over|during|across|for)\s+(?:that|the\s+same|this)\s+"
                        r"(?:stretch|period|span|time|window|spell)\b|\bsince\s+then\b", re.I)),
    ("relative_day", re.compile(r"\b(?P<rel>today|yesterday|on\s+the\s+day|right\s+now|"
                                r"in\s+(?:today's|yesterday's)\s+session)\b", re.I)),
]


def _iso_parts(text: str) -> tuple[int, int, int] | None:
    """``"2025-06-30"`` -> (2025, 6, 30); None for an impossible date ("2025-02-30")."""
    try:
        ts = pd.Timestamp(text)
    except (ValueError, OverflowError):
        return None
    return ts.year, ts.month, ts.day


def _year(text: str | None) -> int | None:
    return int(text) if text else None


def _month(text: str | None) -> int | None:
    return MONTHS.get(text.rstrip(".").lower()) if text else None


def find_windows(text: str) -> list[tuple[WindowSpec, int, int]]:
    """Every period phrase in ``text``: ``(WindowSpec, start, end)``, in text order.

    Overlapping phrases keep the one listed first in the grammar (the module table),
    so "since the start of the year" is ``ytd``, not a ``since`` date.

    Examples
    --------
    >>> [(w.type, w.rows) for w, _, _ in find_windows("It fell 3% in two weeks.")]
    [('rows', 10)]
    """
    found: list[tuple[WindowSpec, int, int]] = []
    taken: list[tuple[int, int]] = []
    for name, rx in _PATTERNS:
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            phrase = text[s:e].strip()
            s = s + (len(text[s:e]) - len(text[s:e].lstrip()))
            if any(a < e and s < b for a, b in taken):
                continue
            if _WHEN_WITHIN.search(text, max(0, s - 12), s):
                # "a rally that lifted it earlier in the week": when something happened
                # inside a period, not the period a figure is measured over.
                taken.append((s, e))
                continue
            spec = _build(name, m, phrase)
            if spec is None:
                continue
            taken.append((s, e))
            found.append((spec, s, e))
    found.sort(key=lambda t: t[1])
    return found


_WHEN_WITHIN = re.compile(r"\b(?:earlier|later)\s+$", re.I)


def _build(name: str, m: re.Match[str], phrase: str) -> WindowSpec | None:
    g = m.groupdict()
    if name == "vague_since":
        return WindowSpec("since", phrase, month=_month(g["mon"]), relative="vague")
    if name == "span":
        k = g["k1"].lower()
        start_kind = "peak" if k in ("peak", "high", "top") else "low"
        m1, m2 = _month(g["m1"]), _month(g["m2"])
        if m1 is None or m2 is None:
            return None
        return WindowSpec("span", phrase, span=((m1, (g.get("p1") or "").lower() or None),
                                                (m2, (g.get("p2") or "").lower() or None),
                                                start_kind))
    if name == "vague_month":
        return WindowSpec("calendar", phrase, unit="month", month=_month(g["mon"]),
                          year=_year(g["year"]), part=g["part"].lower())
    if name == "vague_year":
        return WindowSpec("calendar", phrase, unit="year", year=int(g["year"]),
                          part=g["part"].lower())
    if name == "by_month":
        return WindowSpec("ytd", phrase, month=_month(g["mon"]), year=_year(g["year"]),
                          relative="by")
    if name == "since_end":
        # "since the end of September": from September's last close.
        mon = _month(g["mon"])
        if mon is None:
            return None
        year = _year(g["year"])
        return WindowSpec("since", phrase, month=mon % 12 + 1,
                          year=None if year is None else year + (mon == 12))
    if name == "since_quarter":
        if g.get("cur"):
            return WindowSpec("calendar", phrase, unit=g["cur"].lower(), offset=0)
        qn = _QUARTERS.get((g.get("qn") or "").lower()) or int(g.get("qn2") or 1)
        return WindowSpec("since", phrase, month=3 * qn - 2, year=_year(g.get("qy")))
    if name == "since_start":
        return WindowSpec("since", phrase, month=_month(g["mon"]), year=_year(g["year"]))
    if name == "ytd":
        if g.get("ytd_year"):
            return WindowSpec("ytd", phrase, year=int(g["ytd_year"]))
        return WindowSpec("ytd", phrase)
    if name in ("since_date", "day_date"):
        kind: Literal["since", "day"] = "since" if name == "since_date" else "day"
        if g.get("iso"):
            parts = _iso_parts(g["iso"])
            if parts is None:
                return None  # an impossible date ("2025-02-30") is not a period
            return WindowSpec(kind, phrase, year=parts[0], month=parts[1], day=parts[2])
        mon = _month(g.get("mon") or g.get("mon2"))
        day_text = g.get("day") or g.get("day2")
        year = _year(g.get("year") or g.get("year2"))
        if mon is None or day_text is None or not 1 <= int(day_text) <= 31:
            return None
        return WindowSpec(kind, phrase, year=year, month=mon, day=int(day_text))
    if name == "since_month":
        return WindowSpec("since", phrase, month=_month(g["mon"]), year=_year(g["year"]),
                          relative="month")
    if name == "rolling":
        n = parse_count(g["n"]) if g.get("n") else 1
        if n is None:
            return None
        unit = _unit(g["unit"])
        return WindowSpec("rows", phrase, rows=n * UNIT_ROWS[unit], unit=unit)
    if name == "single_session":
        return WindowSpec("day", phrase, relative="single session")
    if name == "duration":
        n = parse_count(g["n"])
        if n is None:
            return None
        unit = _unit(g["unit"])
        if n == 1 and unit in ("session", "day"):
            return WindowSpec("day", phrase, relative="single session")
        return WindowSpec("rows", phrase, rows=n * UNIT_ROWS[unit], unit=unit, duration=True)
    if name == "prev_period":
        unit = g["unit"].lower()
        return WindowSpec("calendar", phrase, unit=unit, offset=-1)
    if name == "this_period":
        abbr = {"w": "week", "m": "month", "q": "quarter"}.get((g.get("abbr") or " ")[0].lower())
        if g.get("wk") or g.get("wow"):
            abbr = "week"
        unit = str(g.get("unit") or g.get("unit2") or abbr).lower()
        return WindowSpec("calendar", phrase, unit=unit, offset=0)
    if name == "half":
        h = {"first": 1, "1st": 1, "second": 2, "2nd": 2}.get(
            (g.get("hn") or g.get("hn6") or "").lower()) \
            or (int(g["hn2"]) if g.get("hn2") else None)
        last = (g.get("hlast") or "").lower()
        return WindowSpec("calendar", phrase, unit="half", quarter=h,
                          year=_year(g.get("hy") or g.get("hy2")),
                          offset=-1 if last.startswith("last") else 0)
    if name == "through_date":
        # "up 8% through March 7": year to date, ending on that day (the claim's anchor).
        if g.get("iso"):
            parts = _iso_parts(g["iso"])
            if parts is None:
                return None
        return WindowSpec("ytd", phrase, relative="through")
    if name == "quarter":
        q = _QUARTERS.get((g.get("qn") or "").lower()) or (int(g["qn2"]) if g.get("qn2") else None)
        return WindowSpec("calendar", phrase, unit="quarter", quarter=q,
                          year=_year(g.get("qy") or g.get("qy2")))
    if name == "month":
        return WindowSpec("calendar", phrase, unit="month", month=_month(g["mon"]),
                          year=_year(g["year"]))
    if name == "year":
        return WindowSpec("calendar", phrase, unit="year", year=int(g["year"]))
    if name == "since_weekday":
        return WindowSpec("since", phrase, weekday=_WEEKDAYS[g["wd"].lower()])
    if name == "weekday":
        return WindowSpec("day", phrase, weekday=_WEEKDAYS[g["wd"].lower()])
    if name == "same":
        # "that day", "in that stretch", "since then": the period of the claim before
        # (patterns.py resolves it from the context; "in the session" alone is today).
        if re.match(r"since", phrase, re.I):
            return WindowSpec("same", phrase, relative="since")
        return WindowSpec("same", phrase, relative="session" if re.search(
            r"day|session", phrase, re.I) else "period")
    if name == "relative_day":
        rel = g["rel"].lower()
        rel = "yesterday" if "yesterday" in rel else "today"
        return WindowSpec("day", phrase, relative=rel)
    return None


_ANCHOR = re.compile(rf"\b(?:as\s+of|through|at\s+the\s+close\s+(?:on|of)|"
                     # "in the week to April 4", "the month ended May 30"
                     rf"(?:(?<=week\s)|(?<=month\s)|(?<=quarter\s))(?:to|end(?:ed|ing)))\s+"
                     rf"(?:(?P<mon>{_MONTH})"
                     rf"\s+{_DAY.format('day')}(?:,?\s+(?P<year>(?:19|20)\d\d))?|"
                     rf"(?P<iso>(?:19|20)\d\d-\d\d-\d\d))", re.I)


def find_anchor(text: str) -> tuple[int | None, int, int, int, int] | None:
    """An "as of <date>" / "through <date>" anchor: ``(year, month, day, start, end)``."""
    m = _ANCHOR.search(text)
    if m is None:
        return None
    if m.group("iso"):
        parts = _iso_parts(m.group("iso"))
        if parts is None:
            return None
        return parts[0], parts[1], parts[2], m.start(), m.end()
    mon = _month(m.group("mon"))
    if mon is None:
        return None
    return _year(m.group("year")), mon, int(m.group("day")), m.start(), m.end()


# -- resolution ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ResolvedWindow:
    """A period on one instrument's rows.

    ``base`` is the date of the close the change is measured from (None for ``peak``
    windows over all history), ``end`` the last close used; ``rows`` the number of
    the instrument's rows between them (a change over ``rows`` daily returns).
    """

    spec: WindowSpec
    base: pd.Timestamp | None
    end: pd.Timestamp
    rows: int | None

    def to_dict(self, date_source: str) -> dict:
        return {"label": self.spec.label(), "text": self.spec.text,
                "start": None if self.base is None else self.base.strftime("%Y-%m-%d"),
                "end": self.end.strftime("%Y-%m-%d"), "rows": self.rows,
                "date_source": date_source}


def named_date(spec: WindowSpec, ref: pd.Timestamp) -> pd.Timestamp:
    """The calendar date of a ``day``/``since`` spec with month and day (year inferred:
    the latest such date on or before ``ref``)."""
    assert spec.month is not None and spec.day is not None
    year = spec.year if spec.year is not None else ref.year
    try:
        ts = pd.Timestamp(year=year, month=spec.month, day=spec.day)
    except ValueError as exc:
        raise WindowError(f"{spec.text!r} is not a valid date") from exc
    if spec.year is None and ts > ref:
        ts = pd.Timestamp(year=year - 1, month=spec.month, day=spec.day)
    return ts


def _month_start(spec: WindowSpec, ref: pd.Timestamp) -> pd.Timestamp:
    assert spec.month is not None
    year = spec.year if spec.year is not None else ref.year
    start = pd.Timestamp(year=year, month=spec.month, day=1)
    if spec.year is None and start > ref:
        start = pd.Timestamp(year=year - 1, month=spec.month, day=1)
    return start


#: Vague parts (docs/text.md, periods): of a month, days 1-10 / 11-20 / 21-end; of a
#: year, January-March / May-August / October-December.
MONTH_PARTS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
YEAR_PARTS = {"early": (1, 3), "mid": (5, 8), "late": (10, 12)}


def vague_part(start: pd.Timestamp, stop: pd.Timestamp, unit: str | None,
               part: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The calendar days of "early/mid/late" within a month or year [start, stop]."""
    if unit == "month":
        a, b = MONTH_PARTS[part]
        return start + pd.Timedelta(days=a - 1), min(stop, start + pd.Timedelta(days=b - 1))
    a, b = YEAR_PARTS[part]
    return (pd.Timestamp(year=start.year, month=a, day=1),
            pd.Timestamp(year=start.year, month=b, day=1) + pd.offsets.MonthEnd(0))


def span_bounds(spec: WindowSpec, ref: pd.Timestamp
                ) -> tuple[tuple[pd.Timestamp, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]]:
    """The two calendar windows of a ``span`` ("from the mid-July peak to early
    September"): the second is the latest such window on or before ``ref``, the first
    the latest one on or before the second."""
    assert spec.span is not None
    (m1, p1), (m2, p2), _ = spec.span
    end_spec = WindowSpec("calendar", spec.text, unit="month", month=m2, part=p2)
    b0, b1 = period_bounds(end_spec, ref)
    start_spec = WindowSpec("calendar", spec.text, unit="month", month=m1, part=p1)
    a0, a1 = period_bounds(start_spec, b0 - pd.Timedelta(days=1) if m1 == m2 else b0)
    return (a0, a1), (b0, b1)


def period_bounds(spec: WindowSpec, ref: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last calendar day of a ``calendar`` spec, relative to ``ref``."""
    unit = spec.unit
    if spec.part is not None and unit in ("month", "year"):
        spec_whole = replace(spec, part=None)
        start, stop = period_bounds(spec_whole, ref)
        a, b = vague_part(start, stop, unit, spec.part)
        if a > ref and spec.year is None and unit == "month":
            # "mid-July" on July 5th: last year's (the latest one that has started).
            start, stop = period_bounds(replace(spec_whole, year=start.year - 1), ref)
            a, b = vague_part(start, stop, unit, spec.part)
        return a, b
    if unit == "week":
        monday = ref.normalize() - pd.Timedelta(days=ref.weekday())
        start = monday + pd.Timedelta(weeks=spec.offset)
        return start, start + pd.Timedelta(days=6)
    if unit == "month":
        if spec.month is not None:
            start = _month_start(spec, ref)
        else:
            start = (ref.normalize().replace(day=1) + pd.DateOffset(months=spec.offset))
        return start, start + pd.offsets.MonthEnd(0)
    if unit == "quarter":
        if spec.quarter is not None:
            year = spec.year if spec.year is not None else ref.year
            start = pd.Timestamp(year=year, month=3 * spec.quarter - 2, day=1)
            if spec.year is None and start > ref:
                start = pd.Timestamp(year=year - 1, month=3 * spec.quarter - 2, day=1)
        else:
            q0 = pd.Timestamp(year=ref.year, month=3 * ((ref.month - 1) // 3) + 1, day=1)
            start = q0 + pd.DateOffset(months=3 * spec.offset)
        return start, start + pd.offsets.QuarterEnd(0)
    if unit == "half":
        year = spec.year if spec.year is not None else ref.year + spec.offset
        h = spec.quarter or 1
        start = pd.Timestamp(year=year, month=6 * h - 5, day=1)
        if spec.year is None and spec.offset == 0 and start > ref:
            start = pd.Timestamp(year=year - 1, month=6 * h - 5, day=1)
        return start, start + pd.offsets.MonthEnd(6)
    if unit == "year":
        year = spec.year if spec.year is not None else ref.year + spec.offset
        return pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year, month=12, day=31)
    raise WindowError(f"unknown calendar unit in {spec.text!r}")


def resolve_span(spec: WindowSpec, ref: pd.Timestamp, close: pd.Series) -> ResolvedWindow:
    """A ``span`` on an instrument's closes: from the peak (or low) in the first window
    to the opposite extreme in the second (a fall from a peak is measured to the lowest
    close, a rise from a low to the highest); without a named extreme, from the last
    close before the first window to the last close in the second."""
    assert spec.span is not None
    (a0, a1), (b0, b1) = span_bounds(spec, ref.normalize())
    x = close.loc[:ref.normalize()].dropna()
    first, second = x.loc[a0:a1], x.loc[b0:min(b1, ref.normalize())]
    if first.empty or second.empty:
        raise WindowError(f"no closes in both windows of {spec.text!r} "
                          f"({a0:%Y-%m-%d}..{a1:%Y-%m-%d}, {b0:%Y-%m-%d}..{b1:%Y-%m-%d})")
    kind = spec.span[2]
    base = first.idxmax() if kind == "peak" else first.idxmin()
    end = second.idxmin() if kind == "peak" else second.idxmax()
    if end <= base:
        raise WindowError(f"{spec.text!r}: the second window does not follow the first")
    dates = x.index
    return ResolvedWindow(spec, base, end, int(dates.get_loc(end)) - int(dates.get_loc(base)))


def resolve(spec: WindowSpec, ref: pd.Timestamp, dates: pd.DatetimeIndex) -> ResolvedWindow:
    """Resolve a period on an instrument's trading ``dates`` (its own valid rows).

    Parameters
    ----------
    spec : the period as written.
    ref : the reference date ("today" for the text).
    dates : the instrument's trading dates up to at least ``ref`` (sorted).

    Raises
    ------
    WindowError
        The period is vague, lies outside the data, or names a day without trading.
    """
    ref = ref.normalize()
    upto = dates[dates <= ref]
    if len(upto) == 0:
        raise WindowError(f"no close on or before {ref:%Y-%m-%d}")
    last = upto[-1]

    def pos(d: pd.Timestamp) -> int:
        return int(dates.get_loc(d))

    def last_on_or_before(d: pd.Timestamp, what: str) -> pd.Timestamp:
        cand = dates[dates <= d]
        if len(cand) == 0:
            raise WindowError(f"the data starts {dates[0]:%Y-%m-%d}, after {what}")
        return cand[-1]

    if spec.type == "rows":
        assert spec.rows is not None
        p = pos(last)
        if p - spec.rows < 0:
            raise WindowError(f"only {p} earlier rows before {last:%Y-%m-%d}, "
                              f"{spec.rows} needed")
        return ResolvedWindow(spec, dates[p - spec.rows], last, spec.rows)
    if spec.type == "ytd" and spec.relative == "by" and spec.month is not None:
        # "by December": from the end of the year before to the end of that month (or the
        # reference date, when earlier); the latest such month on or before ``ref``.
        mstart, mstop = period_bounds(WindowSpec("calendar", spec.text, unit="month",
                                                 month=spec.month, year=spec.year), ref)
        base = last_on_or_before(pd.Timestamp(year=mstart.year - 1, month=12, day=31),
                                 f"the end of {mstart.year - 1}")
        end = last_on_or_before(min(mstop, ref), f"{mstop:%Y-%m-%d}")
        if end <= base:
            raise WindowError(f"no trading day up to {spec.text!r}")
        return ResolvedWindow(spec, base, end, pos(end) - pos(base))
    if spec.type == "ytd":
        year = spec.year if spec.year is not None else ref.year
        if year != ref.year:
            spec2 = replace(spec, type="calendar", unit="year", year=year)
            return resolve(spec2, ref, dates)
        base = last_on_or_before(pd.Timestamp(year=year - 1, month=12, day=31),
                                 f"the end of {year - 1}")
        if base.year != year - 1:
            raise WindowError(f"no close in {year - 1} to measure year-to-date from")
        return ResolvedWindow(spec, base, last, pos(last) - pos(base))
    if spec.type == "calendar":
        start, stop = period_bounds(spec, ref)
        if start > ref:
            raise WindowError(f"{spec.text!r} ({start:%Y-%m-%d}) is after the reference date "
                              f"{ref:%Y-%m-%d}")
        base = last_on_or_before(start - pd.Timedelta(days=1), f"{start:%Y-%m-%d}")
        end = last_on_or_before(min(stop, ref), f"{stop:%Y-%m-%d}")
        if end <= base:
            raise WindowError(f"no trading day in {spec.text!r}")
        return ResolvedWindow(spec, base, end, pos(end) - pos(base))
    if spec.type == "since":
        if spec.relative == "vague":
            raise WindowError(f"{spec.text!r} names no exact start date")
        if spec.weekday is not None:
            d = ref - pd.Timedelta(days=(ref.weekday() - spec.weekday - 1) % 7 + 1)
            base = last_on_or_before(d, f"{d:%Y-%m-%d}")
        elif spec.day is None:
            start = _month_start(spec, ref)
            base = last_on_or_before(start - pd.Timedelta(days=1), f"{start:%Y-%m-%d}")
        else:
            d = named_date(spec, ref)
            base = last_on_or_before(d, f"{d:%Y-%m-%d}")
            if base != d:
                raise WindowError(f"no close on {d:%Y-%m-%d} (not a trading day)")
        if base >= last:
            raise WindowError(f"{spec.text!r} starts on or after {last:%Y-%m-%d}")
        return ResolvedWindow(spec, base, last, pos(last) - pos(base))
    if spec.type == "day":
        if spec.weekday is not None:
            d = ref - pd.Timedelta(days=(ref.weekday() - spec.weekday) % 7)
        elif spec.relative == "yesterday":
            d = ref - pd.Timedelta(days=1)
            d = last_on_or_before(d, f"{d:%Y-%m-%d}")
        elif spec.month is not None and spec.day is not None:
            d = named_date(spec, ref)
        else:  # today, on the day, in a single session: the reference date's session
            d = last
        if d not in dates:
            raise WindowError(f"no close on {d:%Y-%m-%d} ({spec.text!r}; not a trading day "
                              "for this instrument)")
        p = pos(d)
        if p == 0:
            raise WindowError(f"{d:%Y-%m-%d} is the first row; no earlier close")
        return ResolvedWindow(spec, dates[p - 1], d, 1)
    if spec.type == "peak":
        p = pos(last)
        if spec.rows is None:
            return ResolvedWindow(spec, None, last, None)
        return ResolvedWindow(spec, dates[max(p - spec.rows + 1, 0)], last, spec.rows)
    raise WindowError(f"unknown window type {spec.type!r}")
