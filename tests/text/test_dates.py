"""Periods in prose: the grammar, and resolution on a real trading calendar."""

from __future__ import annotations

import pandas as pd
import pytest

from rotascope.text.claims.dates import WindowError, find_windows, resolve


@pytest.mark.parametrize("text,type_,fields", [
    ("up 10% year to date", "ytd", {}),
    ("so far this year", "ytd", {}),
    ("YTD", "ytd", {}),
    ("since the start of the year", "ytd", {}),
    ("so far in 2025", "ytd", {"year": 2025}),
    ("over the past month", "rows", {"rows": 21, "duration": False}),
    ("in the last three weeks", "rows", {"rows": 15}),
    ("over the past 12 months", "rows", {"rows": 252}),
    ("the trailing year", "rows", {"rows": 252}),
    ("shed 25% in two weeks", "rows", {"rows": 10, "duration": True}),
    ("within five sessions", "rows", {"rows": 5, "duration": True}),
    ("last week", "calendar", {"unit": "week", "offset": -1}),
    ("the previous month", "calendar", {"unit": "month", "offset": -1}),
    ("this week", "calendar", {"unit": "week", "offset": 0}),
    ("month to date", "calendar", {"unit": "month", "offset": 0}),
    ("ended the week 3% lower", "calendar", {"unit": "week", "offset": 0}),
    ("in June", "calendar", {"unit": "month", "month": 6, "year": None}),
    ("in June 2025", "calendar", {"unit": "month", "month": 6, "year": 2025}),
    ("in 2024", "calendar", {"unit": "year", "year": 2024}),
    ("in the second quarter", "calendar", {"unit": "quarter", "quarter": 2}),
    ("in Q1 2025", "calendar", {"unit": "quarter", "quarter": 1, "year": 2025}),
    ("since April 8", "since", {"month": 4, "day": 8}),
    ("since March 3, 2025", "since", {"month": 3, "day": 3, "year": 2025}),
    ("since April", "since", {"month": 4, "day": None}),
    ("since early April", "since", {"relative": "vague"}),
    ("on Friday", "day", {"weekday": 4}),
    ("Tuesday's session", "day", {"weekday": 1}),
    ("yesterday", "day", {"relative": "yesterday"}),
    ("on the day", "day", {"relative": "today"}),
    ("in a single session", "day", {"relative": "single session"}),
    ("on July 2, 2025", "day", {"month": 7, "day": 2, "year": 2025}),
    ("in late 2024", "calendar", {"unit": "year", "year": 2024, "part": "late"}),
    ("in early September", "calendar", {"unit": "month", "month": 9, "part": "early"}),
    ("mid-July", "calendar", {"unit": "month", "month": 7, "part": "mid"}),
    ("by December", "ytd", {"month": 12, "relative": "by"}),
    ("since the end of September", "since", {"month": 10, "day": None}),
    ("since the start of the third quarter", "since", {"month": 7}),
    ("WTD", "calendar", {"unit": "week", "offset": 0}),
    ("that day", "same", {"relative": "session"}),
    ("in that stretch", "same", {"relative": "period"}),
])
def test_grammar(text: str, type_: str, fields: dict) -> None:
    found = find_windows(text)
    assert len(found) == 1, found
    spec = found[0][0]
    assert spec.type == type_
    for k, v in fields.items():
        assert getattr(spec, k) == v, (k, getattr(spec, k))


@pytest.mark.parametrize("text", ["stocks may fall", "from 2020 to 2025", "a 50-day average",
                                  "the May meeting"])
def test_no_false_periods(text: str) -> None:
    assert find_windows(text) == []


@pytest.fixture(scope="module")
def spy_dates(oracle) -> pd.DatetimeIndex:
    return oracle.close("SPY").index


REF = pd.Timestamp("2026-07-10")   # a Friday; 2026-07-03 (Friday) was a market holiday


def _one(text: str):
    return find_windows(text)[0][0]


def test_resolve_rows_and_ytd(spy_dates) -> None:
    w = resolve(_one("over the past month"), REF, spy_dates)
    pos = spy_dates.get_loc(REF)
    assert (w.base, w.end, w.rows) == (spy_dates[pos - 21], REF, 21)
    w = resolve(_one("year to date"), REF, spy_dates)
    assert w.base == pd.Timestamp("2025-12-31") and w.end == REF
    # "so far in 2025" seen from 2026 is the calendar year 2025.
    w = resolve(_one("so far in 2025"), REF, spy_dates)
    assert (w.base, w.end) == (pd.Timestamp("2024-12-31"), pd.Timestamp("2025-12-31"))


def test_resolve_calendar_periods(spy_dates) -> None:
    w = resolve(_one("last week"), REF, spy_dates)
    # Week of Mon 2026-06-29: base is the close before it, end its last session (Jul 2).
    assert (w.base, w.end, w.rows) == (pd.Timestamp("2026-06-26"), pd.Timestamp("2026-07-02"), 4)
    w = resolve(_one("this week"), REF, spy_dates)
    assert (w.base, w.end) == (pd.Timestamp("2026-07-02"), REF)
    w = resolve(_one("in June"), REF, spy_dates)
    assert (w.base, w.end) == (pd.Timestamp("2026-05-29"), pd.Timestamp("2026-06-30"))
    w = resolve(_one("in 2025"), REF, spy_dates)
    assert (w.base, w.end) == (pd.Timestamp("2024-12-31"), pd.Timestamp("2025-12-31"))
    w = resolve(_one("in the first quarter"), REF, spy_dates)
    assert (w.base, w.end) == (pd.Timestamp("2025-12-31"), pd.Timestamp("2026-03-31"))
    # A month named later in the year than the reference means last year's.
    w = resolve(_one("in September"), REF, spy_dates)
    assert w.end == pd.Timestamp("2025-09-30")


def test_resolve_days_and_since(spy_dates) -> None:
    w = resolve(_one("on Thursday"), REF, spy_dates)
    assert (w.base, w.end, w.rows) == (pd.Timestamp("2026-07-08"), pd.Timestamp("2026-07-09"), 1)
    w = resolve(_one("on Friday"), REF, spy_dates)
    assert w.end == REF
    w = resolve(_one("yesterday"), REF, spy_dates)
    assert w.end == pd.Timestamp("2026-07-09")
    w = resolve(_one("since April 8"), REF, spy_dates)
    assert (w.base, w.end) == (pd.Timestamp("2026-04-08"), REF)
    w = resolve(_one("since April"), REF, spy_dates)
    assert w.base == pd.Timestamp("2026-03-31")


def test_resolve_vague_periods(spy_dates, oracle) -> None:
    # "late 2024" = October-December; "early September" = the 1st-10th; "mid-July" =
    # the 11th-20th: from the last close before the window to the last close in it.
    w = resolve(_one("in late 2024"), REF, spy_dates)
    assert (w.base, w.end) == (pd.Timestamp("2024-09-30"), pd.Timestamp("2024-12-31"))
    w = resolve(_one("in early September"), REF, spy_dates)
    assert (w.base, w.end) == (pd.Timestamp("2025-08-29"), pd.Timestamp("2025-09-10"))
    # On 2026-07-10 mid-July 2026 has not started: last year's, 2025-07-11..20.
    w = resolve(_one("in mid-July"), REF, spy_dates)
    assert (w.base, w.end) == (pd.Timestamp("2025-07-10"), pd.Timestamp("2025-07-18"))
    # "by December" seen from 2026-07-10: the year to the end of December 2025.
    w = resolve(_one("by December"), REF, spy_dates)
    assert (w.base, w.end) == (pd.Timestamp("2024-12-31"), pd.Timestamp("2025-12-31"))
    # "by June" in 2026: the year to date up to the end of June 2026.
    w = resolve(_one("by June"), REF, spy_dates)
    assert (w.base, w.end) == (pd.Timestamp("2025-12-31"), pd.Timestamp("2026-06-30"))


def test_resolve_span_from_peak_to_window(oracle) -> None:
    from rotascope.text.claims.dates import resolve_span

    close = oracle.close("QQQ")
    spec = _one("fell 9% from the mid-July peak to early September")
    w = resolve_span(spec, pd.Timestamp("2024-09-20"), close)
    mid_july = close.loc["2024-07-11":"2024-07-20"]
    early_sep = close.loc["2024-09-01":"2024-09-10"]
    assert w.base == mid_july.idxmax() and w.end == early_sep.idxmin()
    assert w.rows == close.index.get_loc(w.end) - close.index.get_loc(w.base)


@pytest.mark.parametrize("text,ref,message", [
    ("on Friday", "2026-07-05", "not a trading day"),          # Friday Jul 3 was a holiday
    ("on July 3, 2026", "2026-07-10", "not a trading day"),
    ("since early April", "2026-07-10", "no exact start"),
    ("since April 4", "2026-07-10", "not a trading day"),      # a Saturday
    ("over the past 40 years", "2026-07-10", "earlier rows"),
])
def test_resolve_errors_say_why(spy_dates, text: str, ref: str, message: str) -> None:
    with pytest.raises(WindowError, match=message):
        resolve(_one(text), pd.Timestamp(ref), spy_dates)
