"""rolling_extremes (max and min in one pass) equals rolling_max/rolling_min bit for bit
and TA-Lib MAX/MIN to 1e-9; ``out=`` buffers are written in place and checked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import talib
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.errors import ParameterError, ParameterTypeError
from rotascope.signals import rolling_max, rolling_min
from rotascope.signals.rolling import rolling_extremes


def _frame(seed: int, rows: int, order: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = np.round(rng.normal(100, 5, (rows, 7)), 0)      # ties on purpose
    a[: rng.integers(0, rows + 1), 1] = np.nan           # lists late (fused fast path)
    a[rng.integers(0, rows, 3), 2] = np.nan              # gaps: the general kernel
    a[:, 3] = np.nan                                     # never trades
    arr = np.asfortranarray(a) if order == "F" else np.ascontiguousarray(a)
    return pd.DataFrame(arr, index=pd.bdate_range("2020-01-01", periods=rows))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), window=st.integers(1, 40), minp=st.integers(1, 40),
       rows=st.integers(1, 200), missing=st.sampled_from(["skip", "propagate"]),
       order=st.sampled_from(["F", "C"]))
def test_fused_extremes_equal_the_two_functions(seed, window, minp, rows, missing,
                                                order) -> None:
    minp = min(minp, window)
    f = _frame(seed, rows, order)
    hi, lo = rolling_extremes(f, window, min_periods=minp, missing=missing)
    want_hi = rolling_max(f, window, min_periods=minp, missing=missing)
    want_lo = rolling_min(f, window, min_periods=minp, missing=missing)
    np.testing.assert_array_equal(hi.to_numpy(), want_hi.to_numpy())
    np.testing.assert_array_equal(lo.to_numpy(), want_lo.to_numpy())
    assert hi.index.equals(f.index) and lo.columns.equals(f.columns)
    # into reused buffers: same values, no new array
    bh = np.full(f.shape, 7.0, order="F")
    bl = np.full(f.shape, 7.0, order="F")
    for _ in range(2):
        h2, l2 = rolling_extremes(f, window, min_periods=minp, missing=missing, out=(bh, bl))
        assert np.shares_memory(h2.to_numpy(), bh) and np.shares_memory(l2.to_numpy(), bl)
        np.testing.assert_array_equal(bh, want_hi.to_numpy())
        np.testing.assert_array_equal(bl, want_lo.to_numpy())
    one = np.full(f.shape, 7.0)
    got = rolling_max(f, window, min_periods=minp, missing=missing, out=one)
    assert np.shares_memory(got.to_numpy(), one)
    np.testing.assert_array_equal(one, want_hi.to_numpy())


def test_fused_extremes_equal_talib() -> None:
    rng = np.random.default_rng(3)
    a = np.asfortranarray(100 * np.exp(np.cumsum(rng.normal(0, 0.02, (900, 20)), axis=0)))
    f = pd.DataFrame(a, index=pd.bdate_range("2020-01-01", periods=900))
    for w in (2, 5, 252):
        hi, lo = rolling_extremes(f, w)
        for j in range(a.shape[1]):
            np.testing.assert_allclose(hi.iloc[w - 1:, j], talib.MAX(a[:, j], w)[w - 1:],
                                       rtol=1e-9)
            np.testing.assert_allclose(lo.iloc[w - 1:, j], talib.MIN(a[:, j], w)[w - 1:],
                                       rtol=1e-9)
        assert hi.iloc[: w - 1].isna().all().all()


def test_series_and_bad_buffers() -> None:
    s = pd.Series([10.0, 12, 11, 9, 10, 8], index=pd.bdate_range("2024-01-01", periods=6))
    buf = np.zeros(6)
    got = rolling_min(s, 3, out=buf)
    assert isinstance(got, pd.Series) and np.shares_memory(got.to_numpy(), buf)
    assert buf[2:].tolist() == [10.0, 9.0, 9.0, 8.0]
    with pytest.raises(ParameterError, match="shape"):
        rolling_max(s, 3, out=np.zeros(5))
    with pytest.raises(ParameterTypeError, match="float64"):
        rolling_max(s, 3, out=np.zeros(6, dtype=np.float32))
    values = np.arange(1.0, 7.0)
    with pytest.raises(ParameterError, match="overlaps"):
        rolling_max(pd.Series(values, index=s.index, copy=False), 3, out=values)
    same = np.zeros(6)
    with pytest.raises(ParameterError, match="overlap"):
        rolling_extremes(s, 3, out=(same, same))
    with pytest.raises(ParameterTypeError, match="pair"):
        rolling_extremes(s, 3, out=same)  # type: ignore[arg-type]
