"""Moving averages and derived signals vs TA-Lib, pandas and brute-force oracles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import talib

from rotascope.errors import ParameterError, ParameterTypeError
from rotascope.signals import above_ma, ema, ma_crosses, ma_slope, ma_turns, pct_vs_ma, sma

REAL = ["SPY", "AAPL", "VIXY", "^IRX", "HONA"]
WINDOWS = [2, 5, 14, 20, 50, 200]
TALIB = {"sma": talib.SMA, "ema": talib.EMA}
FUNCS = {"sma": sma, "ema": ema}


def load(market_data: Path, ticker: str) -> pd.Series:
    df = pd.read_csv(market_data / "prices" / f"{ticker}.csv", index_col="Date",
                     parse_dates=True)
    return df["Close"].rename(ticker)


def walk(n: int, m: int, seed: int = 1, start_nan: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, m)), axis=0))
    if start_nan:
        for j in range(m):
            x[: rng.integers(0, n // 2), j] = np.nan
    return pd.DataFrame(x, index=pd.bdate_range("2001-01-01", periods=n),
                        columns=[f"T{j}" for j in range(m)])


def assert_close(got: np.ndarray, want: np.ndarray, scale: float | None = None) -> None:
    """Equal NaN pattern; values to 1e-9 relative (absolute vs the level for yields)."""
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    assert got.shape == want.shape
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    if scale is None:
        scale = float(np.nanmax(np.abs(want))) if np.isfinite(want).any() else 1.0
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * scale)


def brute_turns(x: np.ndarray) -> np.ndarray:
    out = np.full(len(x), np.nan)
    for t in range(1, len(x)):
        cur, prev = x[t], x[t - 1]
        if np.isnan(cur) or np.isnan(prev):
            continue
        out[t] = 1.0 if (cur > 0 >= prev) else (-1.0 if (cur < 0 <= prev) else 0.0)
    return out


# ---------------------------------------------------------------- TA-Lib equality


@pytest.mark.parametrize("ticker", REAL)
@pytest.mark.parametrize("kind", ["sma", "ema"])
def test_equals_talib_on_real_series(market_data: Path, ticker: str, kind: str) -> None:
    s = load(market_data, ticker)
    for w in WINDOWS:
        got = FUNCS[kind](s, w)
        want = TALIB[kind](s.to_numpy(), w)
        assert_close(got.to_numpy(), want, scale=float(s.abs().max()))
        if len(s) < w:
            assert got.isna().all()


@pytest.mark.parametrize("kind", ["sma", "ema"])
@pytest.mark.parametrize("w", WINDOWS)
def test_equals_talib_on_synthetic(kind: str, w: int) -> None:
    df = walk(6 * max(w, 20), 3)
    got = FUNCS[kind](df, w)
    for col in df.columns:
        assert_close(got[col].to_numpy(), TALIB[kind](df[col].to_numpy(), w))
    assert got.iloc[: w - 1].isna().all().all()
    assert got.iloc[w - 1:].notna().all().all()


@pytest.mark.parametrize("kind", ["sma", "ema"])
@pytest.mark.parametrize("missing", ["skip", "propagate"])
def test_real_frame_with_different_calendars(market_data: Path, kind: str,
                                             missing: str) -> None:
    """Union of dates: late listers, early enders and ^IRX's bond holidays."""
    series = [load(market_data, t) for t in REAL]
    frame = pd.concat(series, axis=1, sort=True).loc["2010":]
    got = FUNCS[kind](frame, 50, missing=missing)
    for s in series:
        own = s.loc["2010":]
        want = pd.Series(TALIB[kind](own.to_numpy(), 50), index=own.index)
        g = got[s.name]
        assert g[frame[s.name].isna()].isna().all()
        if missing == "skip":
            assert_close(g.loc[own.index].to_numpy(), want.to_numpy(), float(own.abs().max()))
        else:
            # propagate: each NaN-free stretch is a series of its own
            stretch = frame[s.name].notna()
            seg = (~stretch).cumsum()[stretch]
            for _, part in frame[s.name][stretch].groupby(seg):
                assert_close(g.loc[part.index].to_numpy(),
                             TALIB[kind](part.to_numpy(), 50), float(own.abs().max()))


# ---------------------------------------------------------------- pandas / brute force


@pytest.mark.parametrize(("w", "min_periods"),
                         [(1, None), (1, 1), (3, None), (3, 1), (3, 2), (20, None), (20, 1),
                          (20, 2)])
def test_sma_min_periods_matches_pandas(w: int, min_periods: int | None) -> None:
    df = walk(300, 4, seed=3, start_nan=True)
    got = sma(df, w, min_periods=min_periods)
    want = df.rolling(w, min_periods=min_periods if min_periods else w).mean()
    assert_close(got.to_numpy(), want.to_numpy())


def test_skip_equals_dropna_and_reindex() -> None:
    df = walk(500, 3, seed=4, start_nan=True)
    rng = np.random.default_rng(5)
    holes = df.mask(rng.random(df.shape) < 0.1)
    for f in (lambda x: sma(x, 7), lambda x: ema(x, 7), lambda x: pct_vs_ma(x, 7),
              lambda x: ma_slope(x, 7, 3), lambda x: ma_crosses(x, 3, 9)):
        got = f(holes)
        for col in holes:
            own = holes[col].dropna()
            assert_close(got[col].to_numpy(), f(own).reindex(holes.index).to_numpy())


def test_propagate_makes_window_with_nan_nan() -> None:
    x = walk(60, 1)["T0"].copy()
    x.iloc[30] = np.nan
    got = sma(x, 5, missing="propagate")
    assert got.iloc[30:35].isna().all()  # the NaN is inside these windows
    assert got.iloc[35:].notna().all()
    assert_close(got.iloc[35:].to_numpy(), x.rolling(5).mean().iloc[35:].to_numpy())
    skip = sma(x, 5)
    assert np.isnan(skip.iloc[30]) and skip.iloc[31:].notna().all()
    assert skip.iloc[34] == pytest.approx(x.iloc[[28, 29, 31, 32, 33, 34][-5:]].mean())


def test_ema_skip_carries_state_over_nan() -> None:
    x = walk(40, 1)["T0"].copy()
    holes = x.copy()
    holes.iloc[[10, 20]] = np.nan
    got = ema(holes, 4)
    want = ema(x.drop(x.index[[10, 20]]), 4).reindex(x.index)
    assert_close(got.to_numpy(), want.to_numpy())
    prop = ema(holes, 4, missing="propagate")
    assert prop.iloc[20:24].isna().all() and prop.iloc[24:].notna().all()
    assert_close(prop.iloc[21:].to_numpy(), talib.EMA(x.iloc[21:].to_numpy(), 4))


@pytest.mark.parametrize("kind", ["sma", "ema"])
def test_pct_vs_ma_and_above_ma(kind: str) -> None:
    df = walk(400, 3, seed=6, start_nan=True)
    ma = FUNCS[kind](df, 20)
    assert_close(pct_vs_ma(df, 20, kind=kind).to_numpy(), (df / ma - 1).to_numpy())
    want = (df > ma).astype(float).where(ma.notna())
    got = above_ma(df, 20, kind=kind)
    assert_close(got.to_numpy(), want.to_numpy())
    assert set(np.unique(got.to_numpy()[~np.isnan(got.to_numpy())])) <= {0.0, 1.0}


def test_stale_runs_in_real_data(market_data: Path) -> None:
    # AMCR's pre-listing history has runs of identical closes. Yahoo's closes are float32
    # values, so TA-Lib's running SMA total is exact on them: the SMA equals the price on
    # a flat window and the close is not "above" it; the EMA converges to it.
    s = load(market_data, "AMCR")
    flat = s.rolling(20).apply(lambda w: float((w == w.iloc[-1]).all()), raw=False) == 1.0
    assert flat.sum() > 50
    assert (sma(s, 20)[flat] == s[flat]).all()
    assert (above_ma(s, 20)[flat] == 0.0).all()
    assert (pct_vs_ma(s, 20)[flat] == 0.0).all()
    long_flat = s.rolling(60).apply(lambda w: float((w == w.iloc[-1]).all()), raw=False) == 1.0
    assert long_flat.sum() > 5
    np.testing.assert_allclose(ema(s, 5)[long_flat], s[long_flat], rtol=1e-12)


def test_pct_vs_ma_zero_average_is_nan() -> None:
    x = pd.Series([1.0, -1, 1, -1], index=pd.bdate_range("2020-01-01", periods=4))
    got = pct_vs_ma(x, 2)
    assert got.isna().all()


@pytest.mark.parametrize("kind", ["sma", "ema"])
@pytest.mark.parametrize(("w", "k"), [(5, 1), (20, 20), (50, 10)])
def test_ma_slope_and_turns(kind: str, w: int, k: int) -> None:
    df = walk(600, 3, seed=7, start_nan=True)
    ma = FUNCS[kind](df, w)
    want = ma / ma.shift(k) - 1  # no holes after listing, so rows == own rows
    got = ma_slope(df, w, k, kind=kind)
    assert_close(got.to_numpy(), want.to_numpy())
    turns = ma_turns(df, w, k, kind=kind)
    for col in df:
        assert_close(turns[col].to_numpy(), brute_turns(want[col].to_numpy()))
    assert (turns == 1).sum().sum() > 0 and (turns == -1).sum().sum() > 0


@pytest.mark.parametrize("kind", ["sma", "ema"])
@pytest.mark.parametrize(("fast", "slow"), [(2, 5), (20, 50), (50, 200)])
def test_ma_crosses_brute_force(kind: str, fast: int, slow: int) -> None:
    df = walk(1500, 3, seed=8, start_nan=True)
    diff = FUNCS[kind](df, fast) - FUNCS[kind](df, slow)
    got = ma_crosses(df, fast, slow, kind=kind)
    for col in df:
        assert_close(got[col].to_numpy(), brute_turns(diff[col].to_numpy()))
    assert (got == 1).sum().sum() > 0 and (got == -1).sum().sum() > 0


def test_golden_and_death_cross_hand_built() -> None:
    # falls, then rises (golden cross), then falls (death cross)
    x = pd.Series(np.r_[np.linspace(20, 10, 30), np.linspace(10, 30, 30),
                        np.linspace(30, 5, 40)],
                  index=pd.bdate_range("2020-01-01", periods=100))
    got = ma_crosses(x, 3, 10)
    golden = got.index[got == 1]
    death = got.index[got == -1]
    assert len(golden) == 1 and len(death) == 1
    assert x.index[30] < golden[0] < x.index[45]
    assert x.index[60] < death[0] < x.index[75]


def test_ma_turns_hand_built() -> None:
    x = pd.Series(np.r_[np.linspace(20, 10, 30), np.linspace(10, 20, 30)],
                  index=pd.bdate_range("2020-01-01", periods=60))
    got = ma_turns(x, 5, 3)
    # the 5-row average bottoms on rows 31-32 and ma[33] == ma[30] (symmetric V), so the
    # 3-row slope first becomes > 0 on row 34
    assert list(got.index[got == 1]) == [x.index[34]]
    assert (got == -1).sum() == 0
    assert got.iloc[:8].isna().all() and got.iloc[8:].notna().all()


# ---------------------------------------------------------------- edge cases / errors


def test_all_nan_column_and_empty_inputs() -> None:
    df = walk(50, 2)
    df["EMPTY"] = np.nan
    for f in (sma, ema, pct_vs_ma, above_ma, ma_slope, ma_turns):
        out = f(df, 5)
        assert out["EMPTY"].isna().all()
        assert out["T0"].notna().any()
    assert ma_crosses(df, 2, 5)["EMPTY"].isna().all()
    empty = df.iloc[:0]
    assert sma(empty, 5).shape == (0, 3)
    assert sma(df.iloc[:, :0], 5).shape == (50, 0)


def test_labels_and_types_preserved() -> None:
    df = walk(30, 2)
    s = df["T1"]
    out = sma(s, 3)
    assert isinstance(out, pd.Series) and out.name == "T1" and out.index.equals(s.index)
    f = sma(df, 3)
    assert isinstance(f, pd.DataFrame) and f.columns.equals(df.columns)
    ints = pd.DataFrame({"A": np.arange(1, 11)}, index=pd.bdate_range("2020-01-01", periods=10))
    assert sma(ints, 2)["A"].iloc[1] == 1.5


@pytest.mark.parametrize("func", [sma, ema, pct_vs_ma, above_ma, ma_slope, ma_turns])
def test_bad_window(func) -> None:  # type: ignore[no-untyped-def]
    x = walk(10, 1)["T0"]
    with pytest.raises(ParameterError, match=rf"^{func.__name__}\(\): 'window' must be an int "
                                             r">= 1, got 0$"):
        func(x, 0)
    with pytest.raises(ParameterTypeError, match="'window' must be an int, got 2.5"):
        func(x, 2.5)


def test_bad_arguments() -> None:
    x = walk(10, 1)["T0"]
    with pytest.raises(ParameterError, match=r"sma\(\): 'min_periods' must be an int in "
                                             r"\[1, 5\], got 6"):
        sma(x, 5, min_periods=6)
    with pytest.raises(ParameterError, match=r"sma\(\): 'missing' must be one of 'skip', "
                                             r"'propagate', got 'drop'"):
        sma(x, 5, missing="drop")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"pct_vs_ma\(\): 'kind' must be one of"):
        pct_vs_ma(x, 5, kind="wma")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"ma_slope\(\): 'k' must be an int >= 1, got 0"):
        ma_slope(x, 5, 0)
    with pytest.raises(ParameterError, match=r"ma_crosses\(\): 'fast' must be < 'slow', "
                                             r"got fast=50, slow=50"):
        ma_crosses(x, 50, 50)


def test_bad_index_and_values() -> None:
    x = walk(10, 2)
    with pytest.raises(ParameterError, match=r"sma\(\): 'close' index is not sorted"):
        sma(x.iloc[::-1], 2)
    with pytest.raises(ParameterError, match=r"ema\(\): 'close' has duplicated dates"):
        ema(pd.concat([x, x.iloc[:1]]).sort_index(), 2)
    with pytest.raises(ParameterTypeError, match=r"sma\(\): 'close' must hold numbers"):
        sma(x.assign(T0="a"), 2)
    with pytest.raises(ParameterTypeError, match=r"sma\(\): 'close' must have a DatetimeIndex"):
        sma(x.reset_index(drop=True), 2)
    with pytest.raises(ParameterTypeError, match=r"sma\(\): 'close' must be a pandas Series"):
        sma(x.to_numpy(), 2)  # type: ignore[arg-type]
