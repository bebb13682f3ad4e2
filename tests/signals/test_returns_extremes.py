"""Window returns and N-month extremes against brute-force oracles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.errors import ParameterError, ParameterTypeError
from rotascope.signals.extremes import extreme_since, months_extreme
from rotascope.signals.returns import parse_window, shift_valid, total_return, ytd_return


def _walk(n: int, m: int, seed: int = 0, holes: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, m)), axis=0))
    if holes:
        a[rng.random((n, m)) < 0.05] = np.nan
        a[: rng.integers(0, n // 3), 0] = np.nan  # a late lister
    return pd.DataFrame(a, index=pd.bdate_range("2019-01-01", periods=n),
                        columns=[f"T{j}" for j in range(m)])


def test_parse_window() -> None:
    assert [parse_window(w) for w in ("1w", "1m", "3m", "6m", "1y", "10d", "2y")] == [
        5, 21, 63, 126, 252, 10, 504]
    assert parse_window("YTD") == "ytd"
    for bad in ("0m", "3q", "", "m3"):
        with pytest.raises(ParameterError, match="parse_window"):
            parse_window(bad)


@pytest.mark.parametrize("k", [1, 5, 21, 63])
def test_total_return_equals_dropna_shift(k: int) -> None:
    close = _walk(400, 6)
    got = total_return(close, k)
    for col in close:  # oracle: each column on its own valid rows with pandas
        s = close[col].dropna()
        expected = (s / s.shift(k) - 1).reindex(close.index)
        pd.testing.assert_series_equal(got[col], expected, check_names=False, rtol=1e-12)


def test_ytd_return_oracle() -> None:
    close = _walk(800, 4)
    got = ytd_return(close)
    for col in close:
        s = close[col].dropna()
        for day in s.index[::37]:
            prev = s[s.index.year == day.year - 1]
            expected = s[day] / prev.iloc[-1] - 1 if len(prev) else np.nan
            assert got.loc[day, col] == pytest.approx(expected, rel=1e-12, nan_ok=True)


def test_shift_valid_series_and_errors() -> None:
    s = pd.Series([1.0, np.nan, 2.0, 3.0], index=pd.bdate_range("2024-01-01", periods=4))
    assert shift_valid(s, 1).tolist()[2:] == [1.0, 2.0]
    with pytest.raises(ParameterError, match="'k' must be an int >= 0"):
        shift_valid(s, -1)
    with pytest.raises(ParameterTypeError):
        total_return([1.0, 2.0], 1)  # type: ignore[arg-type]
    dup = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-02", "2024-01-02"]))
    with pytest.raises(ParameterError, match="duplicated dates"):
        total_return(dup, 1)


def _brute_months(values: np.ndarray, side: str, max_months: int = 24) -> np.ndarray:
    out = np.full(len(values), np.nan)
    valid = values[~np.isnan(values)]
    pos = np.flatnonzero(~np.isnan(values))
    for i, p in enumerate(pos):
        best = 0
        for n in range(1, max_months + 1):
            window = valid[max(0, i - 21 * n):i]
            if i < 21 * n:
                break
            ok = (valid[i] < window).all() if side == "low" else (valid[i] > window).all()
            if ok:
                best = n
            else:
                break
        out[p] = best
    return out


def _brute_since(values: np.ndarray, index: pd.DatetimeIndex, side: str) -> list:
    out = []
    for t, v in enumerate(values):
        if np.isnan(v):
            out.append(pd.NaT)
            continue
        hit = pd.NaT
        for i in range(t - 1, -1, -1):
            if not np.isnan(values[i]) and (values[i] <= v if side == "low" else values[i] >= v):
                hit = index[i]
                break
        out.append(hit)
    return out


@pytest.mark.parametrize("side", ["low", "high"])
def test_months_extreme_and_since_brute_force(side: str) -> None:
    close = _walk(700, 3, seed=3)
    months = months_extreme(close, side=side)
    since = extreme_since(close, side=side)
    for col in close:
        v = close[col].to_numpy()
        np.testing.assert_array_equal(months[col].to_numpy(), _brute_months(v, side))
        expected = pd.Series(_brute_since(v, close.index, side), index=close.index,
                             dtype="datetime64[ns]")
        pd.testing.assert_series_equal(since[col], expected, check_names=False,
                                       check_dtype=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.5, 2.0), min_size=30, max_size=120), st.integers(1, 29))
def test_extremes_are_causal(values: list[float], k: int) -> None:
    s = pd.Series(values, index=pd.bdate_range("2020-01-01", periods=len(values)))
    full = months_extreme(s, side="low", month_rows=5)
    part = months_extreme(s.iloc[:k], side="low", month_rows=5)
    pd.testing.assert_series_equal(full.iloc[:k], part)
    assert ((full.dropna() >= 0) & (full.dropna() <= 24)).all()
