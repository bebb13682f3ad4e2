"""Trading calendars: known NYSE sessions and closings, crypto, a series' own dates."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.data import calendar as cal
from rotascope.data.calendar import (
    CRYPTO,
    NYSE,
    NyseCalendar,
    from_index,
    get_calendar,
    is_session,
    next_session,
    nyse_sessions,
    previous_session,
    session_on_or_before,
    sessions_between,
)
from rotascope.data.quality import reference_calendar
from rotascope.errors import CalendarRangeError, CalendarWarning, ParameterError

# Closings announced or scheduled, each on a weekday (https://www.nyse.com/markets/hours-calendars
# and the NYSE's history of closings); and weekdays on which it traded.
CLOSED = {
    "2025-01-09": "national day of mourning for President Carter",
    "2012-10-29": "Hurricane Sandy", "2012-10-30": "Hurricane Sandy",
    "2025-04-18": "Good Friday", "2024-03-29": "Good Friday", "2026-04-03": "Good Friday",
    "2001-09-11": "9/11", "2001-09-14": "9/11", "2018-12-05": "President G.H.W. Bush",
    "2007-01-02": "President Ford", "2004-06-11": "President Reagan",
    "1985-09-27": "Hurricane Gloria", "1977-07-14": "New York City blackout",
    "2022-06-20": "Juneteenth (observed)", "2026-11-26": "Thanksgiving",
    "2021-12-24": "Christmas (observed)", "1976-11-02": "presidential election day",
}
OPEN = ["2025-01-08", "2025-01-10", "2012-10-31", "2025-04-17", "2025-04-21",
        "2021-06-18",  # Juneteenth was first observed in 2022
        "2001-09-17", "2023-10-09", "2023-11-10",  # Columbus and Veterans Day: NYSE trades
        "2026-11-27", "1977-11-08"]


@pytest.mark.parametrize("day", sorted(CLOSED))
def test_known_closings_are_not_sessions(day):
    assert pd.Timestamp(day).weekday() < 5
    assert not is_session(day), CLOSED[day]
    assert pd.Timestamp(day) not in nyse_sessions(pd.Timestamp(day) - pd.Timedelta(days=7),
                                                  pd.Timestamp(day) + pd.Timedelta(days=7))


@pytest.mark.parametrize("day", OPEN)
def test_known_sessions(day):
    assert is_session(day)


def test_sessions_are_tz_naive_midnight_and_inclusive():
    s = nyse_sessions("2025-01-06", "2025-01-10")
    assert s.strftime("%Y-%m-%d").tolist() == ["2025-01-06", "2025-01-07", "2025-01-08",
                                                "2025-01-10"]
    assert s.tz is None and s.name == "date" and s.dtype == "datetime64[ns]"
    assert (s == s.normalize()).all()
    assert len(nyse_sessions("2025-01-10", "2025-01-06")) == 0
    # dates as date objects, timestamps with a time, tz-aware stamps
    assert nyse_sessions(dt.date(2025, 1, 6), pd.Timestamp("2025-01-07 15:30")).equals(s[:2])
    assert is_session(pd.Timestamp("2025-01-10 10:00", tz="UTC"))


def test_previous_next_on_or_before_and_between():
    assert previous_session("2012-10-31") == pd.Timestamp("2012-10-26")   # over Sandy
    assert previous_session("2025-01-10") == pd.Timestamp("2025-01-08")    # over Carter
    assert previous_session("2025-01-08") == pd.Timestamp("2025-01-07")    # strictly before
    assert next_session("2025-04-17") == pd.Timestamp("2025-04-21")        # over Good Friday
    assert session_on_or_before("2025-04-20") == pd.Timestamp("2025-04-17")
    assert session_on_or_before("2025-04-17") == pd.Timestamp("2025-04-17")
    assert sessions_between("2025-04-17", "2025-04-21") == 1
    assert sessions_between("2025-04-17", "2025-04-17") == 0
    assert sessions_between("2025-04-21", "2025-04-17") == -1
    assert sessions_between("2012-10-26", "2012-10-31") == 1
    assert sessions_between("2025-04-19", "2025-04-22") == 2        # from a weekend day


def test_equals_spy_trading_days_in_the_reference_data(market_data: Path):
    """SPY's 8,420 rows (1993-01-29..2026-07-14, Yahoo) are exactly the NYSE sessions."""
    dates = pd.DatetimeIndex(pd.read_csv(market_data / "prices" / "SPY.csv",
                                         usecols=["Date"], parse_dates=["Date"])["Date"])
    sessions = nyse_sessions(dates[0], dates[-1])
    assert len(sessions) == len(dates) == 8420
    assert sessions.equals(pd.DatetimeIndex(dates.values.astype("datetime64[ns]"),
                                            name="date"))


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(1970, 1, 1), dt.date(2027, 12, 31)),
       st.integers(min_value=0, max_value=400))
def test_queries_agree_with_the_session_list(start, days):
    end = pd.Timestamp(start) + pd.Timedelta(days=days)
    s = nyse_sessions(start, end)
    assert sessions_between(start, end) == len(s) - int(is_session(start))
    assert s.is_monotonic_increasing and s.is_unique
    assert all(d.weekday() < 5 for d in s)
    if len(s) >= 2:
        assert previous_session(s[-1]) == s[-2] and next_session(s[-2]) == s[-1]
    mask = NYSE.contains(pd.date_range(start, end))
    assert int(mask.sum()) == len(s)


def test_before_1970_warns_and_approximates_or_raises_when_strict():
    with pytest.warns(CalendarWarning, match="before 1970-01-01"):
        s = nyse_sessions("1969-12-20", "1970-01-06")
    got = s.strftime("%Y-%m-%d").tolist()
    # Christmas 1969 and New Year 1970 closed; the library alone would list 1969-12-25
    assert "1969-12-25" not in got and "1970-01-01" not in got
    assert got[:3] == ["1969-12-22", "1969-12-23", "1969-12-24"] and got[-1] == "1970-01-06"
    with pytest.warns(CalendarWarning):
        assert not is_session("1963-11-25")            # President Kennedy's funeral
    with pytest.raises(CalendarRangeError, match="not covered by exchange_calendars"):
        NyseCalendar(strict=True).sessions("1960-01-01", "1960-12-31")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(NyseCalendar(strict=True).sessions("1970-01-01", "1970-01-09")) == 6


def test_far_future_years_follow_the_rules():
    s = nyse_sessions("2035-12-20", "2036-01-05")
    assert pd.Timestamp("2035-12-25") not in s and pd.Timestamp("2036-01-01") not in s
    assert pd.Timestamp("2035-12-24") in s


def test_crypto_trades_every_day():
    assert get_calendar("crypto") is CRYPTO
    assert len(CRYPTO.sessions("2025-01-01", "2025-12-31")) == 365
    assert is_session("2025-04-19", calendar="crypto")            # a Saturday
    assert previous_session("2025-04-21", calendar="crypto") == pd.Timestamp("2025-04-20")
    assert sessions_between("2025-04-17", "2025-04-21", calendar=CRYPTO) == 4


def test_from_index_for_a_weekly_series():
    weekly = pd.Series(1.0, index=pd.DatetimeIndex(["2024-01-19", "2024-01-05",
                                                    "2024-01-12", "2024-01-12 12:00"]))
    c = from_index(weekly, "WALCL")
    assert c.sessions("2024-01-05", "2024-01-19").strftime("%d").tolist() == ["05", "12",
                                                                              "19"]
    assert c.previous_session("2024-01-15") == pd.Timestamp("2024-01-12")
    assert c.next_session("2024-01-12") == pd.Timestamp("2024-01-19")
    assert c.sessions_between("2024-01-05", "2024-01-19") == 2
    assert not c.is_session("2024-01-08")
    with pytest.raises(CalendarRangeError, match="WALCL calendar covers 2024-01-05..2024-01-19"):
        c.sessions("2024-01-01", "2024-01-19")
    with pytest.raises(CalendarRangeError, match="unknown"):
        c.next_session("2024-01-19")
    with pytest.raises(CalendarRangeError):
        c.previous_session("2024-02-20")
    with pytest.raises(ParameterError, match="no dates"):
        from_index(pd.DatetimeIndex([]), "EMPTY")


def test_unknown_calendar_and_bad_dates_name_the_problem():
    with pytest.raises(ParameterError, match="unknown calendar 'nasdaq'; known: nyse, crypto"):
        get_calendar("nasdaq")
    with pytest.raises(ParameterError, match="'start' must be a date"):
        nyse_sessions("soon", "2025-01-01")
    assert get_calendar("XNYS") is NYSE and get_calendar(NYSE) is NYSE


def test_reference_calendar_for_quality_checks():
    spy = pd.DatetimeIndex(["2025-01-08", "2025-01-10"])
    assert reference_calendar("SPY", spy, "2025-01-01", "2025-01-31") == ("SPY", spy, None)
    name, days, note = reference_calendar("SPY", None, "2025-01-06", "2025-01-10")
    assert name == "NYSE" and len(days) == 4 and "SPY has no prices" in note
    name, days, note = reference_calendar("crypto", None, "2025-01-06", "2025-01-10")
    assert (name, len(days), note) == ("crypto", 5, None)
    name, days, note = reference_calendar("nyse", None, "1969-12-29", "1970-01-02")
    assert len(days) == 4 and "approximated" in note


def test_data_check_against_the_nyse_calendar(tmp_path):
    """Without SPY the missing-days check uses the NYSE sessions (no longer skipped)."""
    from rotascope.data.store import Store
    from rotascope.outputs.cli.main import cli

    days = nyse_sessions("2025-01-02", "2025-03-31")
    folder = tmp_path / "prices"
    folder.mkdir()
    keep = np.ones(len(days), bool)
    keep[[3, 40]] = False
    pd.DataFrame({"Date": days[keep].strftime("%Y-%m-%d"),
                  "Close": np.linspace(10, 20, keep.sum())}).to_csv(folder / "AAA.csv",
                                                                     index=False)
    home = tmp_path / "home"
    runner = CliRunner()
    r = runner.invoke(cli, ["--home", str(home), "data", "import", str(folder)])
    assert r.exit_code == 0, r.output
    with Store(home / "store.duckdb", read_only=True) as store:
        stored = {f.check: f for f in store.quality_flags()}
    assert stored["missing_vs_NYSE_calendar"].dates == (days[3], days[40])
    r = runner.invoke(cli, ["--home", str(home), "data", "check", "--json"])
    report = json.loads(r.output)
    assert report["calendar"] == "NYSE" and "SPY has no prices" in report["notes"][0]
    tokens = report["tickers"][0]["tokens"]
    assert f"missing_vs_NYSE_calendar=2[{days[3]:%Y-%m-%d} {days[40]:%Y-%m-%d}]" in tokens
    assert report["sessions_behind"] == sessions_between(days[-1], report["last_session"])
    assert report["sessions_behind"] > 0
    r = runner.invoke(cli, ["--home", str(home), "data", "check", "--calendar", "crypto",
                            "--json"])
    crypto = json.loads(r.output)
    assert crypto["calendar"] == "crypto"
    assert crypto["tickers"][0]["flags"][0]["count"] == 89 - int(keep.sum())
    assert str(cal.NYSE_EXACT_FROM.date()) == "1970-01-01"
