"""The column-major fast path of rolling max/min (gap-free columns) equals the general
kernel (C order) bit for bit, and TA-Lib MAX/MIN to 1e-9."""

from __future__ import annotations

import numpy as np
import pandas as pd
import talib
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.signals import pct_from_high, rolling_max, rolling_min


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), window=st.integers(1, 40), minp=st.integers(1, 40),
       rows=st.integers(1, 200), missing=st.sampled_from(["skip", "propagate"]))
def test_fortran_fast_path_equals_the_general_kernel(seed, window, minp, rows,
                                                     missing) -> None:
    minp = min(minp, window)
    rng = np.random.default_rng(seed)
    a = rng.normal(100, 5, (rows, 6))
    a[: rng.integers(0, rows + 1), 1] = np.nan        # lists late (still the fast path)
    a[rng.integers(0, rows, 3), 2] = np.nan           # gaps: the general kernel
    a[:, 3] = np.nan                                  # never trades
    idx = pd.bdate_range("2020-01-01", periods=rows)
    f = pd.DataFrame(np.asfortranarray(a), index=idx)
    c = pd.DataFrame(np.ascontiguousarray(a), index=idx)
    for fn in (rolling_max, rolling_min, pct_from_high):
        got = fn(f, window, min_periods=minp, missing=missing).to_numpy()
        want = fn(c, window, min_periods=minp, missing=missing).to_numpy()
        np.testing.assert_array_equal(got, want)


def test_fortran_fast_path_equals_talib() -> None:
    rng = np.random.default_rng(3)
    a = np.asfortranarray(100 * np.exp(np.cumsum(rng.normal(0, 0.02, (3000, 50)), 0)))
    f = pd.DataFrame(a, index=pd.bdate_range("2010-01-01", periods=3000))
    for fn, ref in ((rolling_max, talib.MAX), (rolling_min, talib.MIN)):
        got = fn(f, 252).to_numpy()
        want = np.column_stack([ref(a[:, j], 252) for j in range(a.shape[1])])
        np.testing.assert_allclose(got[251:], want[251:], rtol=1e-9, atol=0)
        assert np.isnan(got[:251]).all() and np.isnan(want[:251]).all()
