"""swing_points: hand-built pivots, confirmation delay, brute-force oracle, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.errors import ParameterError, ParameterTypeError
from rotascope.signals.pivots import SwingPoints, swing_points

IDX = pd.bdate_range("2024-01-01", periods=300)


def series(values: list[float], name: str = "X") -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=IDX[: len(values)], name=name)


@st.composite
def frames(draw: st.DrawFn, max_rows: int = 40, max_cols: int = 3) -> pd.DataFrame:
    n = draw(st.integers(0, max_rows))
    m = draw(st.integers(1, max_cols))
    levels = st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, -2.0, np.nan])
    vals = draw(st.lists(levels, min_size=n * m, max_size=n * m))
    return pd.DataFrame(np.asarray(vals, dtype=float).reshape(n, m), index=IDX[:n],
                        columns=[f"T{j}" for j in range(m)])


def pivots_oracle(col: np.ndarray, left: int, right: int) -> list[tuple[str, int, int]]:
    """(kind, pivot row, confirmation row) straight from the definition."""
    rows = [i for i, v in enumerate(col) if not np.isnan(v)]
    x = col[rows]
    out = []
    for p in range(left, len(rows) - right):
        before, after = x[p - left: p], x[p + 1: p + right + 1]
        if all(x[p] > b for b in before) and all(x[p] >= a for a in after):
            out.append(("high", rows[p], rows[p + right]))
        if all(x[p] < b for b in before) and all(x[p] <= a for a in after):
            out.append(("low", rows[p], rows[p + right]))
    return out


def state_oracle(col: np.ndarray, left: int, right: int, kind: str):
    """Latest and previous pivot rows confirmed by each row (NaN on NaN rows / none)."""
    piv = [(p, c) for k, p, c in pivots_oracle(col, left, right) if k == kind]
    latest = np.full(len(col), np.nan)
    prev = np.full(len(col), np.nan)
    for t in range(len(col)):
        if np.isnan(col[t]):
            continue
        known = [p for p, c in piv if c <= t]
        if known:
            latest[t] = known[-1]
        if len(known) > 1:
            prev[t] = known[-2]
    return latest, prev


def test_hand_built_highs_and_lows() -> None:
    #        0  1  2  3  4  5  6  7  8  9 10
    s = series([1, 2, 5, 3, 2, 1, 2, 3, 6, 4, 3])
    sp = swing_points(s, left=2, right=2)
    assert isinstance(sp, SwingPoints) and (sp.left, sp.right) == (2, 2)
    assert sp.high.to_numpy().nonzero()[0].tolist() == [4, 10]   # pivots 2 and 8, +2 rows
    assert sp.low.to_numpy().nonzero()[0].tolist() == [7]        # pivot 5, +2 rows
    assert sp.high_price.iloc[3] != sp.high_price.iloc[3]        # NaN: not confirmed yet
    assert sp.high_price.iloc[4] == 5 and sp.high_date.iloc[4] == IDX[2]
    assert sp.high_price.iloc[10] == 6 and sp.prev_high_price.iloc[10] == 5
    assert sp.prev_high_date.iloc[10] == IDX[2]
    assert sp.low_price.iloc[10] == 1 and np.isnan(sp.prev_low_price.iloc[10])
    table = sp.table()
    assert table[["kind", "date", "confirmed", "price"]].values.tolist() == [
        ["high", IDX[2], IDX[4], 5.0], ["low", IDX[5], IDX[7], 1.0],
        ["high", IDX[8], IDX[10], 6.0]]
    assert (table["ticker"] == "X").all()


def test_flat_top_is_one_pivot_at_its_first_row() -> None:
    s = series([1, 2, 4, 4, 4, 2, 1, 1])
    sp = swing_points(s, left=2, right=2)
    assert sp.high.sum() == 1
    assert sp.high_date.iloc[-1] == IDX[2]


def test_edge_rows_need_full_left_and_right() -> None:
    s = series([9, 1, 2, 3, 9])          # 9 at the ends: no left / no right rows
    sp = swing_points(s, left=1, right=1)
    assert not sp.high.any()
    assert sp.low.sum() == 1
    assert sp.low_date.iloc[2] == IDX[1]


def test_nan_rows_are_gaps() -> None:
    s = series([1, 3, np.nan, 2, 1])
    sp = swing_points(s, left=1, right=1)
    # 3 at row 1 is compared with row 3 (the next valid close) and confirmed there
    assert sp.high.to_numpy().nonzero()[0].tolist() == [3]
    assert not sp.high.iloc[2] and np.isnan(sp.high_price.iloc[2])
    assert pd.isna(sp.high_date.iloc[2])


@settings(max_examples=80, deadline=None)
@given(frames(), st.integers(1, 4), st.integers(1, 4))
def test_matches_oracle(df: pd.DataFrame, left: int, right: int) -> None:
    sp = swing_points(df, left, right)
    a = df.to_numpy()
    for j, col in enumerate(df.columns):
        for kind, flag, price, date, prev_date in (
                ("high", sp.high, sp.high_price, sp.high_date, sp.prev_high_date),
                ("low", sp.low, sp.low_price, sp.low_date, sp.prev_low_date)):
            latest, prev = state_oracle(a[:, j], left, right, kind)
            conf = [c for k, _, c in pivots_oracle(a[:, j], left, right) if k == kind]
            assert flag[col].to_numpy().nonzero()[0].tolist() == conf
            want_price = np.where(np.isnan(latest), np.nan,
                                  a[np.nan_to_num(latest).astype(int), j] if len(a) else latest)
            np.testing.assert_array_equal(price[col].to_numpy(), want_price)
            for got, want in ((date[col], latest), (prev_date[col], prev)):
                expected = pd.Series([df.index[int(p)] if p == p else pd.NaT for p in want],
                                     dtype=got.dtype, index=df.index, name=col)
                pd.testing.assert_series_equal(got, expected)


@settings(max_examples=30, deadline=None)
@given(frames(), st.integers(0, 40))
def test_no_look_ahead(df: pd.DataFrame, k: int) -> None:
    full, part = swing_points(df, 2, 3), swing_points(df.iloc[:k], 2, 3)
    for f in ("high", "low", "high_price", "low_date", "prev_high_date", "prev_low_price"):
        pd.testing.assert_frame_equal(getattr(part, f), getattr(full, f).iloc[:k])


@settings(max_examples=25, deadline=None)
@given(frames(max_cols=4))
def test_layouts_and_columns(df: pd.DataFrame) -> None:
    c = pd.DataFrame(np.ascontiguousarray(df.to_numpy()), index=df.index, columns=df.columns)
    f = pd.DataFrame(np.asfortranarray(df.to_numpy()), index=df.index, columns=df.columns)
    sc, sf = swing_points(c, 2, 2), swing_points(f, 2, 2)
    pd.testing.assert_frame_equal(sc.high_price, sf.high_price)
    pd.testing.assert_frame_equal(sc.low_date, sf.low_date)
    for col in df.columns:
        one = swing_points(df[col], 2, 2)
        pd.testing.assert_series_equal(one.low, sc.low[col])
        pd.testing.assert_series_equal(one.high_price, sc.high_price[col])


def test_random_walk_matches_oracle() -> None:
    rng = np.random.default_rng(3)
    a = 100 + np.cumsum(rng.normal(0, 1, (500, 6)), axis=0).round(1)
    a[rng.random(a.shape) < 0.03] = np.nan
    df = pd.DataFrame(a, index=pd.bdate_range("2001-01-01", periods=500))
    sp = swing_points(df, 5, 5)
    assert sp.high.to_numpy().sum() > 20
    for j in range(6):
        conf = [c for k, _, c in pivots_oracle(a[:, j], 5, 5) if k == "high"]
        assert sp.high.iloc[:, j].to_numpy().nonzero()[0].tolist() == conf


@pytest.mark.parametrize("left, right, match", [
    (0, 5, r"swing_points\(\): 'left' must be an int >= 1, got 0"),
    (5, 0, r"swing_points\(\): 'right' must be an int >= 1, got 0"),
    (5, "5", r"'right' must be an int"),
])
def test_bad_parameters(left, right, match) -> None:
    with pytest.raises((ParameterError, ParameterTypeError), match=match):
        swing_points(series([1.0, 2.0, 3.0]), left, right)


def test_bad_input() -> None:
    with pytest.raises(ParameterTypeError, match="must be a pandas Series or DataFrame"):
        swing_points(np.arange(5.0))
    dup = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-02", "2024-01-02"]))
    with pytest.raises(ParameterError, match="duplicated dates"):
        swing_points(dup)


def test_public_names_and_doctests() -> None:
    import doctest
    import importlib

    import rotascope.signals as signals

    module = importlib.import_module("rotascope.signals.pivots")
    assert set(module.__all__) <= set(dir(module))
    assert {n for n in module.__all__ if not n.isupper()} <= set(signals.__all__)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 3


def test_all_nan_and_empty_columns() -> None:
    df = pd.DataFrame({"A": [np.nan] * 6, "B": [1.0, 3, 2, 1, 2, 1]}, index=IDX[:6])
    sp = swing_points(df, 1, 1)
    assert not sp.high["A"].any() and sp.high_price["A"].isna().all()
    assert sp.high_date["A"].isna().all() and sp.high["B"].sum() == 2
    empty = swing_points(df.iloc[:0], 2, 2)
    assert empty.high.shape == (0, 2) and empty.table().empty
