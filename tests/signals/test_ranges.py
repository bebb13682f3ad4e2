"""detect_range and range_breaks: hand-built ranges, brute-force oracle, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.errors import ParameterError, ParameterTypeError
from rotascope.signals.ranges import RangeState, detect_range, range_breaks

IDX = pd.bdate_range("2022-01-03", periods=500)


def series(values, name: str = "X") -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=IDX[: len(values)], name=name)


@st.composite
def frames(draw: st.DrawFn, max_rows: int = 40, max_cols: int = 3) -> pd.DataFrame:
    n = draw(st.integers(0, max_rows))
    m = draw(st.integers(1, max_cols))
    levels = st.sampled_from([100.0, 101.0, 102.0, 103.0, 104.0, 106.0, 110.0, np.nan, 0.0])
    vals = draw(st.lists(levels, min_size=n * m, max_size=n * m))
    return pd.DataFrame(np.asarray(vals, dtype=float).reshape(n, m), index=IDX[:n],
                        columns=[f"T{j}" for j in range(m)])


def band_oracle(col: np.ndarray, width: float):
    """Per row: (length, start row, floor, ceiling) of the longest trailing band."""
    rows = [i for i, v in enumerate(col) if not np.isnan(v) and v > 0]
    x = col[rows]
    out = {}
    for t in range(len(rows)):
        s = t
        while s - 1 >= 0 and x[s - 1: t + 1].max() <= (1 + width) * x[s - 1: t + 1].min():
            s -= 1
        out[rows[t]] = (t - s + 1, rows[s], x[s: t + 1].min(), x[s: t + 1].max())
    return out


def breaks_oracle(col: np.ndarray, width: float, min_days: int, margin: float) -> np.ndarray:
    bands = band_oracle(col, width)
    out = np.full(len(col), np.nan)
    prev = None
    for i in range(len(col)):
        if i not in bands:
            continue
        out[i] = 0.0
        if prev is not None and bands[prev][0] >= min_days:
            _, _, lo, hi = bands[prev]
            if col[i] > hi * (1 + margin):
                out[i] = 1.0
            elif col[i] < lo * (1 - margin):
                out[i] = -1.0
        prev = i
    return out


def test_sideways_then_breakout() -> None:
    rng = np.random.default_rng(5)
    trend = np.linspace(80, 100, 40)
    side = 100 + rng.uniform(-1.5, 1.5, 45)           # inside 98.5..101.5 (< 3.1% wide)
    side[1], side[3] = 101.5, 98.5                    # ceiling and floor, set early
    breakout = np.linspace(103, 115, 10)
    s = series(np.r_[trend, side, breakout])
    r = detect_range(s)                               # width 4%, 30 days
    assert isinstance(r, RangeState) and (r.width, r.min_days) == (0.04, 30)
    last_side = 40 + 44
    assert r.in_range.iloc[last_side]
    # the band reaches back into the end of the trend, as far as the 4% test allows
    start = r.start.iloc[last_side]
    first = s.index.get_loc(start)
    assert first < 40 and s.iloc[first - 1] < 101.5 / 1.04 <= s.iloc[first]
    assert r.ceiling.iloc[last_side] == 101.5
    assert r.floor.iloc[last_side] == s.iloc[first] < 98.5
    assert r.days.iloc[last_side] == last_side - first + 1
    assert not r.in_range.iloc[35]
    brk = range_breaks(s)
    assert brk.iloc[last_side + 1] == 1.0             # first close above 101.5
    assert (brk.drop(s.index[last_side + 1]) == 0).all()
    assert not r.in_range.iloc[-1]


def test_breakdown_and_margin() -> None:
    s = series([100.0, 102, 101, 103, 100.5, 101, 102, 99.5, 95])
    assert range_breaks(s, min_days=5).tolist() == [0, 0, 0, 0, 0, 0, 0, -1, -1]
    # 99.5 is only 0.5% under the floor of 100: a 1% margin ignores it
    assert range_breaks(s, min_days=5, margin=0.01).tolist() == [0] * 8 + [-1]


def test_short_band_is_not_a_range() -> None:
    s = series([100.0] * 29 + [110.0])
    r = detect_range(s)
    assert not r.in_range.any() and r.band_days.iloc[28] == 29
    assert detect_range(series([100.0] * 30)).in_range.iloc[-1]
    assert r.start.isna().all() and r.floor.isna().all()


def test_exact_width_counts() -> None:
    s = series([100.0, 104.0, 100.0, 104.0])
    assert detect_range(s, width=0.04, min_days=4).in_range.iloc[-1]
    assert not detect_range(s, width=0.039, min_days=4).in_range.iloc[-1]


def test_gaps_and_nonpositive_rows() -> None:
    s = series([100.0, np.nan, 101, 0.0, 102, 101])
    r = detect_range(s, min_days=4)
    assert r.in_range.tolist() == [False, False, False, False, False, True]
    assert r.days.iloc[-1] == 4 and np.isnan(r.band_days.iloc[1])
    assert np.isnan(range_breaks(s, min_days=4).iloc[3])


@settings(max_examples=80, deadline=None)
@given(frames(), st.sampled_from([0.0, 0.02, 0.04, 0.1]), st.integers(2, 6),
       st.sampled_from([0.0, 0.01]))
def test_matches_oracle(df: pd.DataFrame, width: float, min_days: int, margin: float) -> None:
    r = detect_range(df, width, min_days)
    brk = range_breaks(df, width, min_days, margin=margin)
    a = df.to_numpy()
    for j, col in enumerate(df.columns):
        bands = band_oracle(a[:, j], width)
        band_days = np.array([bands[i][0] if i in bands else np.nan for i in range(len(a))])
        np.testing.assert_array_equal(r.band_days[col].to_numpy(), band_days)
        on = np.nan_to_num(band_days) >= min_days
        np.testing.assert_array_equal(r.in_range[col].to_numpy(), on)
        fl = np.array([bands[i][2] if i in bands and on[i] else np.nan for i in range(len(a))])
        ce = np.array([bands[i][3] if i in bands and on[i] else np.nan for i in range(len(a))])
        np.testing.assert_array_equal(r.floor[col].to_numpy(), fl)
        np.testing.assert_array_equal(r.ceiling[col].to_numpy(), ce)
        st_ = [df.index[bands[i][1]] if i in bands and on[i] else pd.NaT for i in range(len(a))]
        pd.testing.assert_series_equal(r.start[col], pd.Series(st_, index=df.index, name=col,
                                                               dtype=r.start[col].dtype))
        np.testing.assert_array_equal(brk[col].to_numpy(),
                                      breaks_oracle(a[:, j], width, min_days, margin))


@settings(max_examples=30, deadline=None)
@given(frames(), st.integers(0, 40))
def test_no_look_ahead(df: pd.DataFrame, k: int) -> None:
    full, part = detect_range(df, 0.04, 3), detect_range(df.iloc[:k], 0.04, 3)
    for f in ("in_range", "start", "floor", "ceiling", "days"):
        pd.testing.assert_frame_equal(getattr(part, f), getattr(full, f).iloc[:k])
    pd.testing.assert_frame_equal(range_breaks(df.iloc[:k], 0.04, 3),
                                  range_breaks(df, 0.04, 3).iloc[:k])


@settings(max_examples=25, deadline=None)
@given(frames(max_cols=4))
def test_layouts_and_columns(df: pd.DataFrame) -> None:
    c = pd.DataFrame(np.ascontiguousarray(df.to_numpy()), index=df.index, columns=df.columns)
    f = pd.DataFrame(np.asfortranarray(df.to_numpy()), index=df.index, columns=df.columns)
    rc, rf = detect_range(c, 0.03, 3), detect_range(f, 0.03, 3)
    pd.testing.assert_frame_equal(rc.band_days, rf.band_days)
    pd.testing.assert_frame_equal(rc.start, rf.start)
    for col in df.columns:
        pd.testing.assert_series_equal(detect_range(df[col], 0.03, 3).ceiling, rc.ceiling[col])


def test_random_walk_matches_oracle() -> None:
    rng = np.random.default_rng(2)
    a = 100 * np.exp(np.cumsum(rng.normal(0, 0.006, (700, 4)), axis=0))
    df = pd.DataFrame(a, index=pd.bdate_range("2010-01-01", periods=700))
    r = detect_range(df)
    assert r.in_range.to_numpy().any()
    for j in range(4):
        bands = band_oracle(a[:, j], 0.04)
        np.testing.assert_array_equal(r.band_days.iloc[:, j].to_numpy(),
                                      [bands[i][0] for i in range(700)])


def test_finds_the_synthetic_range_and_its_breakout() -> None:
    from rotascope.data.synthetic import generate_market

    for seed in (1, 2, 3, 4):
        m = generate_market(tickers=40, days=800, seed=seed)
        ep = m.episodes.set_index("kind").loc["range"]
        close = m.close[ep.target]
        r = detect_range(close)
        end = ep.end
        assert r.in_range[end]
        # the detected band contains the injected one (it may reach a little further back)
        assert r.start[end] <= ep.start and r.days[end] >= ep.range_days
        assert r.floor[end] <= ep.floor and r.ceiling[end] >= ep.ceiling
        assert r.ceiling[end] / r.floor[end] - 1 <= 0.04 + 1e-12
        brk = range_breaks(close).loc[ep.exit_date:].iloc[:4]
        first = brk[brk != 0]
        assert len(first) and first.iloc[0] == (1.0 if ep.exit == "breakout" else -1.0)


def test_to_frame_and_types() -> None:
    s = series([100.0] * 5)
    assert list(detect_range(s, min_days=3).to_frame().columns) == [
        "in_range", "start", "floor", "ceiling", "days", "band_days"]
    assert detect_range(s.to_frame(), min_days=3).to_frame().index.nlevels == 2
    out = range_breaks(s, min_days=3)
    assert isinstance(out, pd.Series) and out.name == "X" and out.index.equals(s.index)


@pytest.mark.parametrize("kwargs, match", [
    ({"width": -0.01}, r"detect_range\(\): 'width' must be >= 0.0"),
    ({"min_days": 1}, r"detect_range\(\): 'min_days' must be an int >= 2, got 1"),
    ({"min_days": 2.0}, r"'min_days' must be an int"),
])
def test_bad_parameters(kwargs, match) -> None:
    with pytest.raises((ParameterError, ParameterTypeError), match=match):
        detect_range(series([1.0, 2.0]), **kwargs)


def test_bad_parameters_breaks() -> None:
    with pytest.raises(ParameterError, match=r"range_breaks\(\): 'margin' must be >= 0.0"):
        range_breaks(series([1.0, 2.0]), margin=-1)
    with pytest.raises(ParameterError, match="not sorted"):
        range_breaks(pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-02-01", "2024-01-01"])))


def test_public_names_and_doctests() -> None:
    import doctest
    import importlib

    import rotascope.signals as signals

    module = importlib.import_module("rotascope.signals.ranges")
    assert set(module.__all__) <= set(dir(module))
    assert {n for n in module.__all__ if not n.isupper()} <= set(signals.__all__)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 3


def test_all_nan_and_empty_columns() -> None:
    df = pd.DataFrame({"A": [np.nan] * 5, "B": [100.0] * 5}, index=IDX[:5])
    r = detect_range(df, min_days=3)
    assert not r.in_range["A"].any() and r.band_days["A"].isna().all()
    assert r.in_range["B"].iloc[-1]
    assert range_breaks(df, min_days=3)["A"].isna().all()
    assert detect_range(df.iloc[:0]).in_range.shape == (0, 2)
