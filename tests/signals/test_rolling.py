"""Rolling extremes and distance from the high vs TA-Lib, pandas and brute force."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import talib

from rotascope.errors import ParameterError
from rotascope.signals import pct_from_high, rolling_max, rolling_min

REAL = ["SPY", "AAPL", "VIXY", "^IRX", "HONA"]


def load(market_data: Path, ticker: str) -> pd.Series:
    df = pd.read_csv(market_data / "prices" / f"{ticker}.csv", index_col="Date",
                     parse_dates=True)
    return df["Close"].rename(ticker)


def walk(n: int, m: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, m)), axis=0))
    return pd.DataFrame(x, index=pd.bdate_range("2001-01-01", periods=n))


def assert_same(got: np.ndarray, want: np.ndarray) -> None:
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("ticker", REAL)
def test_equals_talib_on_real_series(market_data: Path, ticker: str) -> None:
    s = load(market_data, ticker)
    x = s.to_numpy()
    for w in (2, 5, 14, 20, 50, 200, 252):
        assert_same(rolling_max(s, w).to_numpy(), talib.MAX(x, w))
        assert_same(rolling_min(s, w).to_numpy(), talib.MIN(x, w))
        hi = talib.MAX(x, w)
        want = np.where(hi > 0, x / hi - 1, np.nan)
        got = pct_from_high(s, w).to_numpy()
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("w", [1, 2, 5, 14, 50, 200])
def test_matches_pandas_with_holes(w: int) -> None:
    df = walk(1200, 4, seed=w)
    rng = np.random.default_rng(w)
    holes = df.mask(rng.random(df.shape) < 0.05)
    holes.iloc[: 3 * w, 1] = np.nan
    for mp in (None, 1):
        got = rolling_max(holes, w, min_periods=mp)
        for col in holes:
            own = holes[col].dropna()
            want = own.rolling(w, min_periods=mp or w).max().reindex(holes.index)
            assert_same(got[col].to_numpy(), want.to_numpy())
        # propagate: any NaN in the window gives NaN (pandas with min_periods=window)
        prop = rolling_min(holes, w, missing="propagate")
        assert_same(prop.to_numpy(), holes.rolling(w, min_periods=w).min().to_numpy())


@pytest.mark.parametrize("shape", ["down", "up", "flat", "zigzag"])
def test_deque_worst_cases(shape: str) -> None:
    n = 700
    x = {"down": np.linspace(100, 1, n), "up": np.linspace(1, 100, n),
         "flat": np.full(n, 3.0), "zigzag": np.tile([1.0, 5.0, 2.0, 4.0, 3.0], n // 5)}[shape]
    s = pd.Series(x, index=pd.bdate_range("2000-01-03", periods=n))
    for w in (1, 3, 252):
        assert_same(rolling_max(s, w).to_numpy(), talib.MAX(x, w) if w > 1 else x)
        assert_same(rolling_min(s, w).to_numpy(), talib.MIN(x, w) if w > 1 else x)


def test_pct_from_high_is_a_fraction_at_most_zero(market_data: Path) -> None:
    s = load(market_data, "AAPL")
    got = pct_from_high(s)
    valid = got.dropna()
    assert len(valid) == len(s) - 251
    assert (valid <= 0).all() and (valid > -1).all()
    assert (valid == 0).any()  # new 52-week highs
    hand = pd.Series([10.0, 12, 11, 9, 10, 8], index=pd.bdate_range("2024-01-01", periods=6))
    np.testing.assert_allclose(pct_from_high(hand, 3, min_periods=1).to_numpy(),
                               [0, 0, 11 / 12 - 1, 9 / 12 - 1, 10 / 11 - 1, 8 / 10 - 1])


def test_pct_from_high_non_positive_high_is_nan() -> None:
    s = pd.Series([-1.0, -2, 0, -1, 1], index=pd.bdate_range("2024-01-01", periods=5))
    got = pct_from_high(s, 2)
    assert got.iloc[:4].isna().all()
    assert got.iloc[4] == 0.0


def test_errors_and_all_nan() -> None:
    df = walk(30, 2)
    df[1] = np.nan
    assert rolling_max(df, 5)[1].isna().all()
    assert rolling_max(df, 5)[0].iloc[4:].notna().all()
    with pytest.raises(ParameterError, match=r"^rolling_max\(\): 'window' must be an int >= 1, "
                                             r"got 0$"):
        rolling_max(df, 0)
    with pytest.raises(ParameterError, match=r"pct_from_high\(\): 'min_periods' must be"):
        pct_from_high(df, 5, min_periods=0)
    with pytest.raises(ParameterError, match=r"rolling_min\(\): 'close' has duplicated dates"):
        rolling_min(pd.concat([df, df]).sort_index(), 5)
