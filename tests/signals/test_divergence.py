"""RSI divergences and "RSI lower highs and lower lows": known answers, oracle, properties.

RSI values come from TA-Lib (``talib.RSI``) so the tests do not depend on rotascope's
own RSI; hand-built cases pass RSI values directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import talib
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.errors import MisalignedIndexError, ParameterError, ParameterTypeError
from rotascope.signals.divergence import (
    rsi_divergence,
    rsi_divergence_at,
    rsi_lower_highs_lower_lows,
)

IDX = pd.bdate_range("2023-01-02", periods=400)


def series(values, name: str = "X") -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=IDX[: len(values)], name=name)


def talib_rsi(close: pd.Series, window: int = 14) -> pd.Series:
    return pd.Series(talib.RSI(close.to_numpy(), timeperiod=window), index=close.index,
                     name=close.name)


# ----------------------------------------------------------------------- oracle
def pivots(x: np.ndarray, left: int, right: int, kind: str) -> list[tuple[int, int]]:
    """(pivot row, confirmation row) on a NaN-free array."""
    out = []
    for p in range(left, len(x) - right):
        b, a = x[p - left: p], x[p + 1: p + right + 1]
        if kind == "high" and all(x[p] > b) and all(x[p] >= a):
            out.append((p, p + right))
        if kind == "low" and all(x[p] < b) and all(x[p] <= a):
            out.append((p, p + right))
    return out


def divergence_oracle(c: np.ndarray, r: np.ndarray, left: int, right: int, window: int):
    out = np.zeros(len(c))
    highs, lows = pivots(c, left, right, "high"), pivots(c, left, right, "low")
    for t in range(len(c)):
        kh = [p for p, q in highs if q <= t]
        kl = [p for p, q in lows if q <= t]
        bear = (len(kh) >= 2 and t - kh[-2] <= window and c[kh[-1]] > c[kh[-2]]
                and r[kh[-1]] < r[kh[-2]])
        bull = (len(kl) >= 2 and t - kl[-2] <= window and c[kl[-1]] < c[kl[-2]]
                and r[kl[-1]] > r[kl[-2]])
        if bear and bull:
            out[t] = 1.0 if kl[-1] > kh[-1] else -1.0
        elif bull:
            out[t] = 1.0
        elif bear:
            out[t] = -1.0
    return out


def lhll_oracle(c: np.ndarray, r: np.ndarray, left: int, right: int, window: int,
                near: float) -> np.ndarray:
    """On the rows where close and RSI are both known (row numbers counted there)."""
    out = np.zeros(len(c), dtype=bool)
    rows = np.flatnonzero(~np.isnan(c) & ~np.isnan(r))
    cv, rv = c[rows], r[rows]
    highs = pivots(rv, left, right, "high")
    lows = pivots(rv, left, right, "low")
    for t in range(len(rows)):
        kh = [p for p, q in highs if q <= t]
        kl = [p for p, q in lows if q <= t]
        lh = len(kh) >= 2 and t - kh[-2] <= window and rv[kh[-1]] < rv[kh[-2]]
        ll = len(kl) >= 2 and t - kl[-2] <= window and rv[kl[-1]] < rv[kl[-2]]
        hold = cv[t] >= (1 - near) * cv[max(0, t - window + 1): t + 1].max()
        out[rows[t]] = lh and ll and hold
    return out


# ---------------------------------------------------------------- known answers
def test_bearish_hand_built() -> None:
    px = series([1, 5, 2, 1, 2, 6, 3, 2, 2.5])
    rs = series([40, 70, 50, 45, 50, 65, 50, 45, 48])
    d = rsi_divergence(px, rs, left=1, right=1)
    # second high (row 5) is confirmed on row 6: no signal before it
    assert d.tolist() == [0, 0, 0, 0, 0, 0, -1, -1, -1]
    assert rsi_divergence_at(px, rs, left=1, right=1) == "bearish"
    assert rsi_divergence_at(px, rs, "2022-12-30", left=1, right=1) is None  # before data
    assert rsi_divergence_at(px, rs, IDX[5], left=1, right=1) is None       # not confirmed


def test_bullish_hand_built_and_expiry() -> None:
    px = series([9, 5, 8, 9, 8, 4, 7, 8, 8, 8, 8, 8])
    rs = series([50, 25, 45, 50, 45, 35, 45, 50, 50, 50, 50, 50])
    d = rsi_divergence(px, rs, left=1, right=1, window=8)
    assert d.iloc[6] == 1 and d.iloc[5] == 0          # low at row 5 confirmed at row 6
    assert d.iloc[9] == 1                             # first low (row 1) 8 rows back
    assert d.iloc[10] == 0                            # 9 rows back: expired
    assert rsi_divergence_at(px, rs, IDX[7], left=1, right=1, window=8) == "bullish"


def test_no_divergence_when_rsi_confirms() -> None:
    px = series([1, 5, 2, 1, 2, 6, 3, 2, 2.5])
    rs = series([40, 60, 50, 45, 50, 70, 50, 45, 48])     # RSI makes a higher high too
    assert (rsi_divergence(px, rs, left=1, right=1) == 0).all()


def test_rsi_warmup_pivot_never_diverges() -> None:
    px = series([1, 5, 2, 1, 2, 6, 3, 2, 2.5])
    rs = series([np.nan] * 3 + [45, 50, 65, 50, 45, 48])   # RSI unknown at the first high
    assert (rsi_divergence(px, rs, left=1, right=1) == 0).all()


def test_bearish_on_a_talib_rsi_path() -> None:
    # sharp rally to a first high, pullback, then a slow grind to a marginally higher high
    up = np.linspace(100, 130, 25)
    down = np.linspace(130, 120, 11)[1:]
    grind = np.linspace(120, 132, 40)[1:]
    fall = np.linspace(132, 124, 9)[1:]
    px = series(np.r_[np.full(20, 100.0), up, down, grind, fall])
    rs = talib_rsi(px)
    d = rsi_divergence(px, rs)
    h1, h2 = 44, 44 + 10 + 39        # the two highs (rows)
    assert px.iloc[h2] > px.iloc[h1] and rs.iloc[h2] < rs.iloc[h1]
    assert (d.iloc[: h2 + 5] == 0).all()           # known only 5 rows after the 2nd high
    assert (d.iloc[h2 + 5:] == -1).all()
    assert rsi_divergence_at(px, rs) == "bearish"


def test_lower_highs_lower_lows_hand_built() -> None:
    px = series([100, 101, 100, 102, 101, 103, 102, 104, 103])
    rs = series([50, 70, 45, 65, 40, 60, 35, 55, 30])
    got = rsi_lower_highs_lower_lows(px, rs, left=1, right=1)
    assert got.tolist() == [False] * 5 + [True] * 4
    # price no longer holds up: 10% below its high
    px2 = px.copy()
    px2.iloc[-1] = 90.0
    assert not rsi_lower_highs_lower_lows(px2, rs, left=1, right=1).iloc[-1]
    assert rsi_lower_highs_lower_lows(px2, rs, left=1, right=1, near_high=0.15).iloc[-1]
    # RSI higher low: not fading
    rs2 = rs.copy()
    rs2.iloc[6] = 47.0
    assert not rsi_lower_highs_lower_lows(px, rs2, left=1, right=1).iloc[7]


def test_wide_frame_and_state_at() -> None:
    px = pd.DataFrame({"A": [1, 5, 2, 1, 2, 6, 3, 2, 2.5], "B": [9, 5, 8, 9, 8, 4, 7, 8, 8]},
                      index=IDX[:9], dtype=float)
    rs = pd.DataFrame({"A": [40, 70, 50, 45, 50, 65, 50, 45, 48],
                       "B": [50, 25, 45, 50, 45, 35, 45, 50, 50]}, index=IDX[:9], dtype=float)
    d = rsi_divergence(px, rs, left=1, right=1)
    assert d["A"].iloc[-1] == -1 and d["B"].iloc[-1] == 1
    state = rsi_divergence_at(px, rs, left=1, right=1)
    assert state.to_dict() == {"A": "bearish", "B": "bullish"}
    # tickers in another order are matched by name
    d2 = rsi_divergence(px, rs[["B", "A"]], left=1, right=1)
    pd.testing.assert_frame_equal(d, d2)


def test_state_at_uses_each_tickers_last_close() -> None:
    px = pd.DataFrame({"A": [1, 5, 2, 1, 2, 6, 3, 2, 2.5], "B": [1.0] * 8 + [np.nan]},
                      index=IDX[:9])
    rs = px * 10
    rs["A"] = [40, 70, 50, 45, 50, 65, 50, 45, 48]
    state = rsi_divergence_at(px, rs, left=1, right=1)
    assert state["A"] == "bearish" and state["B"] is None


# ---------------------------------------------------------------- oracles & props
@st.composite
def price_rsi(draw: st.DrawFn, max_rows: int = 50):
    n = draw(st.integers(0, max_rows))
    px = draw(st.lists(st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0]), min_size=n, max_size=n))
    rs = draw(st.lists(st.sampled_from([20.0, 40.0, 50.0, 60.0, 80.0, np.nan]),
                       min_size=n, max_size=n))
    return series(px), series(rs)


@settings(max_examples=80, deadline=None)
@given(price_rsi(), st.integers(1, 3), st.integers(1, 3), st.integers(3, 30))
def test_divergence_matches_oracle(pr, left, right, window) -> None:
    px, rs = pr
    got = rsi_divergence(px, rs, left=left, right=right, window=window).to_numpy()
    np.testing.assert_array_equal(got, divergence_oracle(px.to_numpy(), rs.to_numpy(),
                                                         left, right, window))


@settings(max_examples=80, deadline=None)
@given(price_rsi(), st.integers(1, 3), st.integers(3, 30), st.sampled_from([0.0, 0.2, 0.5]))
def test_lhll_matches_oracle(pr, right, window, near) -> None:
    px, rs = pr
    got = rsi_lower_highs_lower_lows(px, rs, left=2, right=right, window=window,
                                     near_high=near).to_numpy()
    np.testing.assert_array_equal(got, lhll_oracle(px.to_numpy(), rs.to_numpy(), 2, right,
                                                   window, near))


def test_random_walk_with_talib_rsi_matches_oracle() -> None:
    rng = np.random.default_rng(11)
    px = series(100 * np.exp(np.cumsum(rng.normal(0, 0.015, 400))))
    rs = talib_rsi(px)
    d = rsi_divergence(px, rs)
    assert (d != 0).sum() > 0
    np.testing.assert_array_equal(d.to_numpy(), divergence_oracle(px.to_numpy(), rs.to_numpy(),
                                                                  5, 5, 60))
    f = rsi_lower_highs_lower_lows(px, rs)
    np.testing.assert_array_equal(f.to_numpy(), lhll_oracle(px.to_numpy(), rs.to_numpy(),
                                                            5, 5, 60, 0.05))


@settings(max_examples=30, deadline=None)
@given(price_rsi(), st.integers(0, 50))
def test_no_look_ahead(pr, k: int) -> None:
    px, rs = pr
    pd.testing.assert_series_equal(rsi_divergence(px.iloc[:k], rs.iloc[:k], left=1, right=2),
                                   rsi_divergence(px, rs, left=1, right=2).iloc[:k])
    pd.testing.assert_series_equal(
        rsi_lower_highs_lower_lows(px.iloc[:k], rs.iloc[:k], left=1, right=2),
        rsi_lower_highs_lower_lows(px, rs, left=1, right=2).iloc[:k])


def test_nan_close_rows_are_nan() -> None:
    px = series([1, 5, 2, np.nan, 1, 2, 6, 3, 2, 2.5])
    rs = series([40, 70, 50, np.nan, 45, 50, 65, 50, 45, 48])
    d = rsi_divergence(px, rs, left=1, right=1)
    assert np.isnan(d.iloc[3]) and d.iloc[-1] == -1
    assert not rsi_lower_highs_lower_lows(px, rs, left=1, right=1).iloc[3]


# --------------------------------------------------------------------- bad input
def test_misaligned_inputs() -> None:
    px = series([1.0, 2, 3, 4])
    with pytest.raises(MisalignedIndexError, match=r"rsi_divergence\(\): .*no rows for 1 dates"):
        rsi_divergence(px, px.iloc[:3])
    got = rsi_divergence(px, px.iloc[:3], join="inner")
    assert len(got) == 3
    with pytest.raises(MisalignedIndexError, match="both be Series or both be DataFrames"):
        rsi_divergence(px, px.to_frame())
    a = pd.DataFrame({"A": [1.0, 2], "B": [1.0, 2]}, index=IDX[:2])
    with pytest.raises(MisalignedIndexError, match="rsi lacks: B"):
        rsi_lower_highs_lower_lows(a, a[["A"]])


@pytest.mark.parametrize("kwargs, match", [
    ({"window": 0}, r"'window' must be an int >= 1, got 0"),
    ({"left": 0}, r"'left' must be an int >= 1"),
    ({"join": "sideways"}, r"'join' must be one of"),
])
def test_bad_parameters(kwargs, match) -> None:
    px = series([1.0, 2, 3])
    with pytest.raises(ParameterError, match=match):
        rsi_divergence(px, px, **kwargs)


def test_bad_parameters_lhll() -> None:
    px = series([1.0, 2, 3])
    with pytest.raises(ParameterError, match=r"rsi_lower_highs_lower_lows\(\): 'near_high'"):
        rsi_lower_highs_lower_lows(px, px, near_high=-0.1)
    with pytest.raises(ParameterTypeError, match="'rsi' must be a pandas"):
        rsi_lower_highs_lower_lows(px, [1, 2, 3])
    with pytest.raises(ParameterError, match="'as_of' must be a date"):
        rsi_divergence_at(px, px, "not a date")


def test_public_names_and_doctests() -> None:
    import doctest
    import importlib

    import rotascope.signals as signals

    module = importlib.import_module("rotascope.signals.divergence")
    assert set(module.__all__) <= set(dir(module))
    assert {n for n in module.__all__ if not n.isupper()} <= set(signals.__all__)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 3


def test_all_nan_columns() -> None:
    px = pd.DataFrame({"A": [np.nan] * 9, "B": [1, 5, 2, 1, 2, 6, 3, 2, 2.5]}, index=IDX[:9])
    rs = pd.DataFrame({"A": [np.nan] * 9, "B": [40, 70, 50, 45, 50, 65, 50, 45, 48]},
                      index=IDX[:9])
    d = rsi_divergence(px, rs, left=1, right=1)
    assert d["A"].isna().all() and d["B"].iloc[-1] == -1
    assert not rsi_lower_highs_lower_lows(px, rs, left=1, right=1)["A"].any()
    assert rsi_divergence_at(px, rs, left=1, right=1).to_dict() == {"A": None, "B": "bearish"}
