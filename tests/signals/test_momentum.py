"""RSI vs TA-Lib (Wilder) and brute-force oracles (simple and exponential smoothing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import talib

from rotascope.errors import ParameterError
from rotascope.signals import rsi

REAL = ["SPY", "AAPL", "VIXY", "^IRX", "HONA", "AMCR"]


def load(market_data: Path, ticker: str) -> pd.Series:
    df = pd.read_csv(market_data / "prices" / f"{ticker}.csv", index_col="Date",
                     parse_dates=True)
    return df["Close"].rename(ticker)


def walk(n: int, m: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, m)), axis=0))
    return pd.DataFrame(x, index=pd.bdate_range("2001-01-01", periods=n))


def assert_close(got: np.ndarray, want: np.ndarray) -> None:
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def brute_rsi(x: np.ndarray, n: int, smoothing: str) -> np.ndarray:
    """Textbook RSI by explicit loops over the changes (an oracle, deliberately slow)."""
    out = np.full(len(x), np.nan)
    d = np.diff(x)
    gains, losses = np.maximum(d, 0), np.maximum(-d, 0)
    if len(d) < n:
        return out
    g, lo = gains[:n].mean(), losses[:n].mean()
    alpha = {"wilder": 1 / n, "ema": 2 / (n + 1)}.get(smoothing)
    for t in range(n, len(x)):
        if t > n:
            if smoothing == "sma":
                g, lo = gains[t - n:t].mean(), losses[t - n:t].mean()
            else:
                g += alpha * (gains[t - 1] - g)
                lo += alpha * (losses[t - 1] - lo)
        out[t] = 0.0 if g + lo == 0 else 100 * g / (g + lo)
    return out


@pytest.mark.parametrize("ticker", REAL)
def test_equals_talib_on_real_series(market_data: Path, ticker: str) -> None:
    s = load(market_data, ticker)
    for w in (2, 5, 14, 20, 50, 200):
        assert_close(rsi(s, w).to_numpy(), talib.RSI(s.to_numpy(), w))


@pytest.mark.parametrize("w", [2, 5, 14, 20, 50, 200])
def test_equals_talib_on_synthetic(w: int) -> None:
    df = walk(6 * max(w, 20), 3)
    got = rsi(df, w)
    for col in df:
        assert_close(got[col].to_numpy(), talib.RSI(df[col].to_numpy(), w))
    assert got.iloc[:w].isna().all().all() and got.iloc[w:].notna().all().all()


@pytest.mark.parametrize("smoothing", ["wilder", "sma", "ema"])
@pytest.mark.parametrize("w", [2, 3, 14, 30])
def test_smoothings_match_brute_force(smoothing: str, w: int) -> None:
    df = walk(8 * w + 20, 2, seed=w)
    got = rsi(df, w, smoothing=smoothing)  # type: ignore[arg-type]
    for col in df:
        assert_close(got[col].to_numpy(), brute_rsi(df[col].to_numpy(), w, smoothing))


def test_smoothings_agree_on_one_window_then_differ() -> None:
    x = walk(60, 1, seed=2)[0]
    w = rsi(x, 14)
    s = rsi(x, 14, smoothing="sma")
    e = rsi(x, 14, smoothing="ema")
    assert w.iloc[14] == pytest.approx(s.iloc[14]) == pytest.approx(e.iloc[14])
    assert abs(w.iloc[40] - s.iloc[40]) > 1e-6 and abs(w.iloc[40] - e.iloc[40]) > 1e-6


@pytest.mark.parametrize("smoothing", ["wilder", "sma", "ema"])
def test_flat_and_monotone(smoothing: str) -> None:
    idx = pd.bdate_range("2020-01-01", periods=40)
    flat = rsi(pd.Series(5.0, index=idx), 5, smoothing=smoothing)  # type: ignore[arg-type]
    assert (flat.iloc[5:] == 0.0).all()  # TA-Lib convention for no movement
    up = rsi(pd.Series(np.arange(40.0), index=idx), 5, smoothing=smoothing)  # type: ignore[arg-type]
    assert (up.iloc[5:] == 100.0).all()
    # sma smoothing: gains leave the window exactly, not as float residue
    step = pd.Series(np.r_[np.arange(10.0), np.full(30, 9.0)], index=idx)
    assert (rsi(step, 5, smoothing="sma").iloc[15:] == 0.0).all()


def test_missing_skip_and_propagate() -> None:
    x = walk(80, 1, seed=3)[0]
    holes = x.copy()
    holes.iloc[[3, 40, 41]] = np.nan
    skip = rsi(holes, 5)
    assert_close(skip.to_numpy(), rsi(holes.dropna(), 5).reindex(x.index).to_numpy())
    assert skip.iloc[42:].notna().all()
    prop = rsi(holes, 5, missing="propagate")
    assert prop.iloc[40:47].isna().all()  # NaN rows + 5 changes of warm-up
    assert_close(prop.iloc[42:].to_numpy(), talib.RSI(x.iloc[42:].to_numpy(), 5))


def test_leading_nan_and_all_nan() -> None:
    df = walk(100, 3)
    df.iloc[:30, 0] = np.nan
    df[2] = np.nan
    for missing in ("skip", "propagate"):
        got = rsi(df, 14, missing=missing)  # type: ignore[arg-type]
        assert_close(got[0].iloc[30:].to_numpy(), talib.RSI(df[0].iloc[30:].to_numpy(), 14))
        assert got[0].iloc[:44].isna().all()
        assert got[2].isna().all()


def test_errors() -> None:
    x = walk(20, 1)[0]
    with pytest.raises(ParameterError, match=r"^rsi\(\): 'window' must be an int >= 2, got 1$"):
        rsi(x, 1)
    with pytest.raises(ParameterError, match=r"rsi\(\): 'smoothing' must be one of 'wilder', "
                                             r"'sma', 'ema', got 'hull'"):
        rsi(x, 14, smoothing="hull")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"rsi\(\): 'missing' must be one of"):
        rsi(x, 14, missing="fill")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"rsi\(\): 'close' index is not sorted"):
        rsi(x.iloc[::-1], 14)
