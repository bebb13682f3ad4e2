"""drawdown, worst_decline, rebound, rebound_shape: known answers, oracles, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.errors import ParameterError, ParameterTypeError
from rotascope.signals.drawdown import (
    REBOUND_SHAPES,
    Rebound,
    drawdown,
    rebound,
    rebound_shape,
    worst_decline,
)

IDX = pd.bdate_range("2024-01-01", periods=400)


def series(values: list[float], name: str = "X") -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=IDX[: len(values)], name=name)


@st.composite
def frames(draw: st.DrawFn, max_rows: int = 40, max_cols: int = 3) -> pd.DataFrame:
    """Small price frames from few distinct levels (many ties), with NaN holes and
    occasional non-positive values."""
    n = draw(st.integers(0, max_rows))
    m = draw(st.integers(1, max_cols))
    levels = st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, 8.0, np.nan, np.nan, -1.0])
    vals = draw(st.lists(levels, min_size=n * m, max_size=n * m))
    a = np.asarray(vals, dtype=float).reshape(n, m)
    return pd.DataFrame(a, index=IDX[:n], columns=[f"T{j}" for j in range(m)])


# ---------------------------------------------------------------------- oracles
def dates_at(index: pd.DatetimeIndex, rows: np.ndarray) -> np.ndarray:
    """Dates of float row numbers (NaN -> NaT), in the index's datetime unit."""
    out = np.full(rows.shape, np.datetime64("NaT"), dtype=index.values.dtype)
    ok = ~np.isnan(rows)
    out[ok] = index.values[rows[ok].astype(int)]
    return out


def usable(col: np.ndarray) -> list[int]:
    return [i for i, v in enumerate(col) if not np.isnan(v) and v > 0]


def drawdown_oracle(a: np.ndarray) -> np.ndarray:
    out = np.full(a.shape, np.nan)
    for j in range(a.shape[1]):
        peak = -np.inf
        for i in usable(a[:, j]):
            peak = max(peak, a[i, j])
            out[i, j] = a[i, j] / peak - 1.0
    return out


def worst_decline_oracle(a: np.ndarray, window: int) -> np.ndarray:
    out = np.full(a.shape, np.nan)
    for j in range(a.shape[1]):
        rows = usable(a[:, j])
        x = a[rows, j]
        for t in range(window, len(rows)):
            w = x[t - window: t + 1]
            out[rows[t], j] = min(w[jj] / w[ii] - 1.0
                                  for ii in range(len(w)) for jj in range(ii, len(w)))
    return out


def rebound_oracle(a: np.ndarray, window: int, min_decline: float):
    """The zigzag reading of rebound()'s docstring, step by step on usable rows."""
    d = min_decline
    shape = a.shape
    retr, days, peak_row, trough_row = (np.full(shape, np.nan) for _ in range(4))
    for j in range(shape[1]):
        rows = usable(a[:, j])
        x = a[rows, j]
        peak = trough = bounce = None          # positions in x
        for t, v in enumerate(x):
            if peak is None or v >= x[peak]:   # new high: any decline is over
                peak, trough, bounce = t, None, None
            elif trough is None:
                if v <= (1 - d) * x[peak]:     # a decline starts
                    trough = t
            elif (bounce is not None and x[bounce] >= (1 + d) * x[trough]
                  and v <= (1 - d) * x[bounce]):
                peak, trough, bounce = bounce, t, None   # a new decline from the bounce
            elif v < x[trough]:
                trough, bounce = t, None
            elif bounce is None or v >= x[bounce]:
                bounce = t
            if trough is not None and t - trough < window:
                r = rows[t]
                retr[r, j] = (v - x[trough]) / (x[peak] - x[trough])
                days[r, j] = t - trough
                peak_row[r, j] = rows[peak]
                trough_row[r, j] = rows[trough]
    return retr, days, peak_row, trough_row


# ---------------------------------------------------------------- known answers
def test_drawdown_hand_built() -> None:
    s = series([100, 120, 90, 108, 130, 65])
    np.testing.assert_allclose(drawdown(s).to_numpy(), [0, 0, -0.25, -0.1, 0, -0.5])


def test_drawdown_skips_nan_and_nonpositive_rows() -> None:
    s = series([np.nan, 100, np.nan, 80, -5.0, 120, 60])
    out = drawdown(s)
    np.testing.assert_allclose(out.to_numpy(), [np.nan, 0, np.nan, -0.2, np.nan, 0, -0.5])
    assert out.index.equals(s.index) and out.name == "X"


def test_worst_decline_down_25pct_in_two_weeks() -> None:
    # 20 flat days, then a 25% slide over 10 sessions, then flat again
    flat = [100.0] * 20
    slide = list(np.linspace(100, 75, 11)[1:])
    s = series(flat + slide + [75.0] * 15)
    wd = worst_decline(s, 10)
    assert wd.iloc[:10].isna().all()                        # warm-up: 10 returns needed
    assert (wd.iloc[10:20] == 0).all()                      # flat: no decline
    assert wd.iloc[29] == pytest.approx(-0.25)              # the full slide fits the window
    assert (wd <= -0.25 + 1e-12).sum() == 1                 # ... only on that row
    assert wd.iloc[31] == pytest.approx(75 / 95 - 1)         # partly rolled out
    assert wd.iloc[40] == 0                                  # all flat again
    assert wd.iloc[-1] == 0


def test_worst_decline_window_counts_returns() -> None:
    s = series([100, 50, 100, 100])
    # window=1: one return, two closes
    np.testing.assert_allclose(worst_decline(s, 1).to_numpy(), [np.nan, -0.5, 0, 0])
    np.testing.assert_allclose(worst_decline(s, 3).to_numpy(), [np.nan] * 3 + [-0.5])


def test_worst_decline_picks_peak_before_trough() -> None:
    # the lowest close comes before the highest: not a decline
    s = series([50, 60, 100, 90])
    assert worst_decline(s, 3).iloc[-1] == pytest.approx(-0.1)


def test_rebound_hand_built_v_and_weak() -> None:
    # peak 100, crash to 60 over 4 rows, then a quick recovery to 95
    s = series([100, 90, 80, 70, 60, 70, 80, 90, 95])
    r = rebound(s, window=20, min_decline=0.10)
    assert isinstance(r, Rebound)
    assert np.isnan(r.retraced.iloc[0])                      # no fall yet
    assert r.retraced.iloc[1] == 0 and r.days.iloc[1] == 0   # -10%: counts (<= -min_decline)
    assert r.retraced.iloc[4] == 0 and r.days.iloc[4] == 0
    assert r.retraced.iloc[8] == pytest.approx(35 / 40)
    assert r.days.iloc[8] == 4
    assert r.decline.iloc[8] == pytest.approx(-0.4)
    assert r.peak.iloc[8] == 100 and r.trough.iloc[8] == 60
    assert r.peak_date.iloc[8] == IDX[0] and r.trough_date.iloc[8] == IDX[4]
    assert rebound_shape(r).iloc[8] == "V-shaped"

    weak = series([100, 80, 70, 72, 73, 72, 74, 73] + [74.0] * 25)
    rw = rebound(weak, window=60)
    assert rw.retraced.iloc[-1] == pytest.approx(4 / 30)
    assert rw.days.iloc[-1] == len(weak) - 1 - 2
    shape = rebound_shape(rw)
    assert shape.iloc[-1] == "weak bounce"
    assert shape.iloc[5] == "in progress"      # too early to call


def test_rebound_small_decline_and_new_high_are_none() -> None:
    s = series([100, 95, 92, 99, 101])
    r = rebound(s, window=10, min_decline=0.10)
    assert r.retraced.isna().all()
    assert rebound_shape(r).isna().all()
    # a new high ends the pending decline
    s2 = series([100, 80, 110, 108])
    r2 = rebound(s2, window=10)
    assert r2.retraced.iloc[1] == 0 and np.isnan(r2.retraced.iloc[2])
    assert np.isnan(r2.retraced.iloc[3])            # -1.8% from the new peak


def test_rebound_trough_leaves_window() -> None:
    s = series([100, 60, 70, 70, 70])
    r = rebound(s, window=3)
    assert r.retraced.iloc[3] == pytest.approx(0.25) and r.days.iloc[3] == 2
    assert np.isnan(r.retraced.iloc[4])                 # trough 3 rows back: expired
    assert r.peak_date.iloc[3] == IDX[0]


def test_rebound_latest_decline_replaces_older_one() -> None:
    # a 12.5% bounce (>= 10%) then a 16.7% fall from it: a new decline from 90
    r = rebound(series([100, 80, 90, 75, 80]))
    assert r.peak.iloc[3] == 90 and r.trough.iloc[3] == 75
    assert r.peak_date.iloc[3] == IDX[2] and r.decline.iloc[3] == pytest.approx(75 / 90 - 1)
    assert r.retraced.iloc[4] == pytest.approx(5 / 15)
    # a 6% bounce is noise: the new low extends the 100 -> 76 decline
    r2 = rebound(series([100, 80, 85, 76, 80]))
    assert r2.peak.iloc[3] == 100 and r2.trough.iloc[3] == 76
    assert r2.retraced.iloc[4] == pytest.approx(4 / 24)
    # the latest highest close is the peak (double top)
    r3 = rebound(series([100, 95, 100, 85]))
    assert r3.peak_date.iloc[3] == IDX[2]


def test_rebound_finds_the_synthetic_crash_and_weak_bounce() -> None:
    from rotascope.data.synthetic import generate_market

    for seed in (3, 4):
        m = generate_market(tickers=40, days=800, seed=seed)
        ep = m.episodes.set_index("kind").loc["crash_weak_bounce"]
        r = rebound(m.close[ep.target])
        at = ep.bounce_date
        assert r.peak_date[at] == ep.peak_date and r.trough_date[at] == ep.trough_date
        assert r.retraced[at] == pytest.approx(ep.retraced, abs=1e-9)
        assert r.decline[at] == pytest.approx(ep.decline, abs=1e-9)
        assert rebound_shape(r)[ep.end] == "weak bounce"
        wd = worst_decline(m.close[ep.target], 10).loc[ep.start:ep.end].min()
        assert wd == pytest.approx(ep.worst_decline_10d, abs=1e-9)


def test_rebound_shape_thresholds_documented() -> None:
    s = series([100, 60] + [90.0] * 70)
    r = rebound(s, window=252)
    shape = rebound_shape(r, v_days=63)
    assert shape.iloc[2] == "V-shaped" and shape.iloc[64] == "V-shaped"  # days 63
    assert shape.iloc[65] == "slow recovery"                          # days 64
    assert r.shape(v_retraced=0.8).iloc[2] == "in progress"           # 75% < 80%
    assert set(shape.dropna()) <= set(REBOUND_SHAPES)


# ---------------------------------------------------------------- oracles & props
@settings(max_examples=60, deadline=None)
@given(frames(), st.integers(1, 6))
def test_worst_decline_matches_bruteforce(df: pd.DataFrame, window: int) -> None:
    got = worst_decline(df, window).to_numpy()
    np.testing.assert_allclose(got, worst_decline_oracle(df.to_numpy(), window), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(frames())
def test_drawdown_matches_loop(df: pd.DataFrame) -> None:
    np.testing.assert_allclose(drawdown(df).to_numpy(), drawdown_oracle(df.to_numpy()))


@settings(max_examples=60, deadline=None)
@given(frames(), st.integers(2, 8), st.sampled_from([0.1, 0.3, 0.6]))
def test_rebound_matches_bruteforce(df: pd.DataFrame, window: int, md: float) -> None:
    r = rebound(df, window=window, min_decline=md)
    retr, days, prow, trow = rebound_oracle(df.to_numpy(), window, md)
    np.testing.assert_allclose(r.retraced.to_numpy(), retr, rtol=1e-12)
    np.testing.assert_array_equal(r.days.to_numpy(), days)
    for got, want in ((r.peak_date, prow), (r.trough_date, trow)):
        np.testing.assert_array_equal(got.to_numpy(), dates_at(df.index, want))


@settings(max_examples=30, deadline=None)
@given(frames(max_rows=30), st.integers(0, 30))
def test_no_look_ahead(df: pd.DataFrame, k: int) -> None:
    head = df.iloc[:k]
    pd.testing.assert_frame_equal(worst_decline(head, 3), worst_decline(df, 3).iloc[:k])
    pd.testing.assert_frame_equal(drawdown(head), drawdown(df).iloc[:k])
    full, part = rebound(df, window=5), rebound(head, window=5)
    for f in ("retraced", "days", "decline", "peak_date", "trough_date"):
        pd.testing.assert_frame_equal(getattr(part, f), getattr(full, f).iloc[:k])


@settings(max_examples=25, deadline=None)
@given(frames(max_cols=4))
def test_columns_are_independent_and_layouts_agree(df: pd.DataFrame) -> None:
    wd = worst_decline(df, 2)
    c_layout = pd.DataFrame(np.ascontiguousarray(df.to_numpy()), index=df.index,
                            columns=df.columns)
    f_layout = pd.DataFrame(np.asfortranarray(df.to_numpy()), index=df.index,
                            columns=df.columns)
    pd.testing.assert_frame_equal(worst_decline(c_layout, 2), wd)
    pd.testing.assert_frame_equal(worst_decline(f_layout, 2), wd)
    rb_c, rb_f = rebound(c_layout, window=4), rebound(f_layout, window=4)
    pd.testing.assert_frame_equal(rb_c.retraced, rb_f.retraced)
    for col in df.columns:
        pd.testing.assert_series_equal(worst_decline(df[col], 2), wd[col])
        pd.testing.assert_series_equal(rebound(df[col], window=4).days, rb_c.days[col])


def test_large_matrix_matches_oracle_on_sample_columns() -> None:
    rng = np.random.default_rng(7)
    a = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, (600, 50)), axis=0))
    a[rng.random(a.shape) < 0.05] = np.nan
    df = pd.DataFrame(a, index=pd.bdate_range("2000-01-03", periods=600))
    got = worst_decline(df, 21).to_numpy()
    cols = [0, 17, 49]
    np.testing.assert_allclose(got[:, cols], worst_decline_oracle(a[:, cols], 21), rtol=1e-12)


def test_inputs_not_mutated_and_types_kept() -> None:
    s = series([100, 90, 95, np.nan, 80])
    before = s.copy()
    for out in (drawdown(s), worst_decline(s, 2), rebound(s).retraced):
        assert isinstance(out, pd.Series) and out.index.equals(s.index)
    pd.testing.assert_series_equal(s, before)
    assert isinstance(rebound(s).to_frame(), pd.DataFrame)
    df = s.to_frame()
    assert rebound(df).to_frame().index.nlevels == 2


def test_empty_and_all_nan_columns_are_nan() -> None:
    empty = pd.DataFrame({"A": []}, index=pd.DatetimeIndex([]), dtype=float)
    assert worst_decline(empty, 3).empty and drawdown(empty).empty
    nan = pd.DataFrame({"A": [np.nan] * 5, "B": [1.0, 2, 1, 2, 1]}, index=IDX[:5])
    assert worst_decline(nan, 2)["A"].isna().all()
    assert rebound(nan).retraced["A"].isna().all()
    assert drawdown(nan)["A"].isna().all()


# --------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, match", [
    (lambda s: worst_decline(s, 0), r"worst_decline\(\): 'window' must be an int >= 1, got 0"),
    (lambda s: worst_decline(s, 2.5), r"'window' must be an int"),
    (lambda s: rebound(s, window=1), r"rebound\(\): 'window' must be an int >= 2"),
    (lambda s: rebound(s, min_decline=0.0), r"'min_decline' must be a fraction in \(0, 1\)"),
    (lambda s: rebound(s, min_decline=1.5), r"'min_decline' must be <= 1.0"),
    (lambda s: rebound_shape(rebound(s), v_days=-1), r"'v_days' must be an int >= 0"),
])
def test_bad_parameters(call, match) -> None:
    with pytest.raises((ParameterError, ParameterTypeError), match=match):
        call(series([1.0, 2.0, 3.0]))


def test_bad_index_and_types() -> None:
    unsorted = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-03", "2024-01-02"]))
    with pytest.raises(ParameterError, match=r"drawdown\(\): 'close' index is not sorted"):
        drawdown(unsorted)
    dup = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-02", "2024-01-02"]))
    with pytest.raises(ParameterError, match="duplicated dates"):
        worst_decline(dup, 1)
    with pytest.raises(ParameterTypeError, match=r"rebound\(\): 'close' must be a pandas"):
        rebound([1.0, 2.0])
    with pytest.raises(ParameterTypeError, match="rebound_shape"):
        rebound_shape("x")


def test_public_names_and_doctests() -> None:
    import doctest
    import importlib

    import rotascope.signals as signals

    module = importlib.import_module("rotascope.signals.drawdown")
    assert set(module.__all__) <= set(dir(module))
    assert {n for n in module.__all__ if not n.isupper()} <= set(signals.__all__)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 3
