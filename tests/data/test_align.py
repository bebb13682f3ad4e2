"""Calendar alignment: explicit policies, never a silent fill (brute-force oracle)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.data.align import align, store_calendar
from rotascope.data.store import Store
from rotascope.errors import MisalignedIndexError, ParameterError, UnknownTickerError

IDX = pd.to_datetime(["2024-10-11", "2024-10-12", "2024-10-14", "2024-10-15", "2024-10-16"])
FRAME = pd.DataFrame({
    "SPY": [1.0, np.nan, 2.0, 3.0, 4.0],           # equities: no Saturday
    "BTC": [10.0, 11.0, 12.0, 13.0, np.nan],       # crypto: Saturday, ends early here
    "^TNX": [4.1, np.nan, np.nan, 4.0, 4.2],       # bonds: closed on Columbus Day
}, index=IDX)


def test_union_is_the_identity_and_nothing_is_filled():
    out = align(FRAME)
    pd.testing.assert_frame_equal(out, FRAME)
    assert out is not FRAME


def test_intersection_and_ticker_calendars():
    inter = align(FRAME, "intersection")
    assert list(inter.index) == [IDX[0], IDX[3]]
    spy = align(FRAME, "SPY")
    assert list(spy.index) == [IDX[0], IDX[2], IDX[3], IDX[4]]   # BTC's Saturday dropped
    assert np.isnan(spy.loc["2024-10-14", "^TNX"])               # not filled
    with pytest.raises(MisalignedIndexError, match="2024-10-12"):
        align(FRAME, "SPY", on_extra="raise")


def test_explicit_dates_add_rows_as_nan():
    dates = pd.DatetimeIndex(["2024-10-10", "2024-10-11", "2024-10-14"])
    out = align(FRAME, dates)
    assert list(out.index) == list(dates)
    assert out.loc["2024-10-10"].isna().all()


def test_ffill_limit_range_and_mask():
    out, filled = align(FRAME, "SPY", fill="ffill", limit=1, return_filled=True)
    assert out.loc["2024-10-14", "^TNX"] == 4.1                  # filled, within limit
    assert filled.loc["2024-10-14", "^TNX"]
    assert np.isnan(out.loc["2024-10-16", "BTC"])                # after BTC's last row
    assert not filled.loc["2024-10-16", "BTC"]
    assert int(filled.to_numpy().sum()) == 1
    ext = align(FRAME, "SPY", fill="ffill", extend=True)
    assert ext.loc["2024-10-16", "BTC"] == 13.0


def test_limit_bounds_consecutive_fills():
    s = pd.Series([1.0, np.nan, np.nan, np.nan, 5.0], index=pd.bdate_range("2024-01-01",
                                                                          periods=5), name="X")
    out = align(s, fill="ffill", limit=2)
    assert isinstance(out, pd.Series) and out.name == "X"
    assert out.iloc[1] == 1.0 and out.iloc[2] == 1.0 and np.isnan(out.iloc[3])


def test_bad_arguments():
    with pytest.raises(ParameterError, match="'fill'"):
        align(FRAME, fill="bfill")
    with pytest.raises(ParameterError, match="only apply"):
        align(FRAME, limit=2)
    with pytest.raises(ParameterError, match="store_calendar"):
        align(FRAME, "QQQ")
    with pytest.raises(ParameterError, match="'limit'"):
        align(FRAME, fill="ffill", limit=0)
    with pytest.raises(ParameterError, match="not sorted"):
        align(FRAME.iloc[::-1])


def test_store_calendar(loaded_store):
    with Store(loaded_store.store_path, read_only=True) as store:
        cal = store_calendar(store, "SPY", start="2025-01-01", end="2025-12-31")
        with pytest.raises(UnknownTickerError):
            store_calendar(store, "NOPE")
        fisv = store.close_matrix(["FISV"], start="2025-01-01", end="2025-12-31")
    assert len(cal) == 250 and cal[0] == pd.Timestamp("2025-01-02")
    out = align(fisv, cal)
    assert out.index.equals(cal)
    # FISV lacks 2025-11-12 (manifest): the row exists on SPY's calendar, left NaN
    assert np.isnan(out.loc["2025-11-12", "FISV"])
    assert out["FISV"].isna().sum() == 1
    filled = align(fisv, cal, fill="ffill", limit=1)
    assert filled.loc["2025-11-12", "FISV"] == fisv.loc["2025-11-11", "FISV"]


def _brute_ffill(col: list[float], limit: int | None, extend: bool) -> list[float]:
    valid = [i for i, v in enumerate(col) if not np.isnan(v)]
    out = list(col)
    if not valid:
        return out
    first, last = valid[0], valid[-1]
    run, prev = 0, np.nan
    for i, v in enumerate(col):
        if not np.isnan(v):
            prev, run = v, 0
            continue
        run += 1
        inside = i > first and (extend or i < last)
        if inside and (limit is None or run <= limit) and not np.isnan(prev):
            out[i] = prev
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.one_of(st.just(np.nan), st.floats(-5, 5)), min_size=8,
                         max_size=8), min_size=1, max_size=4),
       st.one_of(st.none(), st.integers(1, 4)), st.booleans())
def test_ffill_equals_brute_force(cols, limit, extend):
    frame = pd.DataFrame({f"T{i}": c for i, c in enumerate(cols)},
                         index=pd.bdate_range("2024-01-01", periods=8))
    out, filled = align(frame, fill="ffill", limit=limit, extend=extend, return_filled=True)
    for i, c in enumerate(cols):
        exp = _brute_ffill(c, limit, extend)
        np.testing.assert_array_equal(out[f"T{i}"].to_numpy(), np.array(exp))
        np.testing.assert_array_equal(filled[f"T{i}"].to_numpy(),
                                      np.isnan(c) & ~np.isnan(exp))
    pd.testing.assert_frame_equal(frame, pd.DataFrame({f"T{i}": c for i, c in enumerate(cols)},
                                                      index=frame.index))   # input untouched
