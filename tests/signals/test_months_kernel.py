"""months_extreme's direct kernel equals the definition through previous_at_or_beyond."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.signals.extremes import months_extreme, previous_at_or_beyond


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), rows=st.integers(1, 300), cols=st.integers(1, 20),
       side=st.sampled_from(["low", "high"]), max_months=st.integers(1, 30),
       month_rows=st.integers(1, 25))
def test_months_extreme_equals_the_run_definition(seed, rows, cols, side, max_months,
                                                  month_rows) -> None:
    rng = np.random.default_rng(seed)
    a = np.round(rng.normal(10, 1, (rows, cols)), 1)   # ties on purpose
    a[rng.random((rows, cols)) < 0.1] = np.nan
    frame = pd.DataFrame(a, index=pd.bdate_range("2020-01-01", periods=rows))
    _, run = previous_at_or_beyond(frame, side)
    want = np.minimum(run // month_rows, max_months).astype(np.float64)
    want[run < 0] = np.nan
    got = months_extreme(frame, side=side, max_months=max_months, month_rows=month_rows)
    np.testing.assert_array_equal(got.to_numpy(), want)
    one = months_extreme(frame[0], side=side, max_months=max_months, month_rows=month_rows)
    np.testing.assert_array_equal(one.to_numpy(), want[:, 0])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), rows=st.integers(1, 300), cols=st.integers(1, 40),
       side=st.sampled_from(["low", "high"]), members_first=st.booleans(),
       max_months=st.integers(1, 6), month_rows=st.integers(1, 25))
def test_ratio_months_at_one_row_equals_that_row_of_the_history(
        seed, rows, cols, side, members_first, max_months, month_rows) -> None:
    from rotascope.signals.extremes import ratio_months_extreme_at

    rng = np.random.default_rng(seed)
    a = np.round(rng.normal(10, 1, (rows, cols)), 1)   # ties on purpose
    a[rng.random((rows, cols)) < 0.15] = np.nan
    a[rng.random((rows, cols)) < 0.02] = 0.0            # x / 0 and 0 / x
    leg = np.round(rng.normal(10, 1, rows), 1)
    leg[rng.random(rows) < 0.1] = np.nan
    leg[rng.random(rows) < 0.02] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = a / leg[:, None] if members_first else leg[:, None] / a
    ratio[~np.isfinite(ratio)] = np.nan
    frame = pd.DataFrame(ratio, index=pd.bdate_range("2020-01-01", periods=rows))
    whole = months_extreme(frame, side=side, max_months=max_months,
                           month_rows=month_rows).to_numpy()
    for row in {0, rows // 2, rows - 1}:
        got = ratio_months_extreme_at(np.asfortranarray(a), leg, row,
                                      members_first=members_first, side=side,
                                      max_months=max_months, month_rows=month_rows)
        np.testing.assert_array_equal(got, whole[row])
