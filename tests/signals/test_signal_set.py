"""The fused full set, and properties every indicator of the core must have.

Property tests (hypothesis) run over all public indicator functions: each column equals
the single-column result, no look-ahead, labels/type preserved, inputs unmutated,
"skip" equals computing on the dropna() series, "propagate" equals computing each
NaN-free stretch alone, both memory layouts and the thread split agree.
"""

from __future__ import annotations

import doctest
import importlib
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
import talib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rotascope.signals as signals
from rotascope.errors import ParameterError, ParameterTypeError
from rotascope.signals import _kernels as K
from rotascope.signals import (
    above_ma,
    ema,
    ma_crosses,
    ma_slope,
    ma_turns,
    pct_from_high,
    pct_vs_ma,
    rolling_max,
    rolling_min,
    rsi,
    signal_set,
    sma,
)

Func = Callable[..., pd.DataFrame]

#: Every indicator with small parameters, by name.
CASES: dict[str, Callable[[pd.DataFrame | pd.Series, str], pd.DataFrame | pd.Series]] = {
    "sma": lambda x, m: sma(x, 4, missing=m),
    "sma_minp": lambda x, m: sma(x, 4, min_periods=2, missing=m),
    "ema": lambda x, m: ema(x, 3, missing=m),
    "rsi": lambda x, m: rsi(x, 3, missing=m),
    "rsi_sma": lambda x, m: rsi(x, 3, smoothing="sma", missing=m),
    "rsi_ema": lambda x, m: rsi(x, 3, smoothing="ema", missing=m),
    "rolling_max": lambda x, m: rolling_max(x, 4, missing=m),
    "rolling_min": lambda x, m: rolling_min(x, 4, min_periods=1, missing=m),
    "pct_from_high": lambda x, m: pct_from_high(x, 5, missing=m),
    "pct_vs_ma": lambda x, m: pct_vs_ma(x, 3, missing=m),
    "above_ma": lambda x, m: above_ma(x, 3, kind="ema", missing=m),
    "ma_slope": lambda x, m: ma_slope(x, 3, 2, missing=m),
    "ma_turns": lambda x, m: ma_turns(x, 2, 2, missing=m),
    "ma_crosses": lambda x, m: ma_crosses(x, 2, 4, kind="ema", missing=m),
    "ma_crosses_sma": lambda x, m: ma_crosses(x, 2, 4, missing=m),
}
NAMES = sorted(CASES)


@st.composite
def price_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 40))
    m = draw(st.integers(1, 4))
    values = draw(hnp.arrays(np.float64, (n, m),
                             elements=st.floats(0.5, 1000.0, allow_nan=False)))
    nan_mask = draw(hnp.arrays(np.bool_, (n, m), elements=st.booleans()))
    keep = draw(st.floats(0.0, 1.0))
    values = np.where(nan_mask & (draw(hnp.arrays(np.float64, (n, m),
                                                  elements=st.floats(0, 1))) > keep),
                      np.nan, values)
    if n and draw(st.booleans()):  # a late lister
        values[: draw(st.integers(0, n)), 0] = np.nan
    if draw(st.booleans()):
        values = np.asfortranarray(values)
    return pd.DataFrame(values, index=pd.bdate_range("2020-01-01", periods=n),
                        columns=[f"C{j}" for j in range(m)], copy=False)


def same(a: object, b: object) -> None:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    assert a.shape == b.shape
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


PROPS = settings(max_examples=30, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("missing", ["skip", "propagate"])
@PROPS
@given(frame=price_frames(), cut=st.integers(0, 40))
def test_column_independence_causality_labels(name: str, missing: str, frame: pd.DataFrame,
                                              cut: int) -> None:
    f = CASES[name]
    before = frame.copy(deep=True)
    out = f(frame, missing)
    pd.testing.assert_frame_equal(frame, before)  # input unmutated
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(frame.index) and out.columns.equals(frame.columns)
    assert (out.dtypes == np.float64).all()
    assert out[frame.isna()].isna().all().all()  # a NaN close is a NaN output
    for col in frame:
        single = f(frame[col], missing)
        assert isinstance(single, pd.Series) and single.name == col
        same(out[col], single)
    k = min(cut, len(frame))
    same(f(frame.iloc[:k], missing), out.iloc[:k])  # no look-ahead


@pytest.mark.parametrize("name", NAMES)
@PROPS
@given(frame=price_frames())
def test_skip_is_dropna_then_reindex(name: str, frame: pd.DataFrame) -> None:
    f = CASES[name]
    out = f(frame, "skip")
    for col in frame:
        own = frame[col].dropna()
        same(out[col], f(own, "skip").reindex(frame.index))


@pytest.mark.parametrize("name", NAMES)
@PROPS
@given(frame=price_frames())
def test_propagate_is_each_stretch_alone(name: str, frame: pd.DataFrame) -> None:
    f = CASES[name]
    out = f(frame, "propagate")
    for col in frame:
        s = frame[col]
        valid = s.notna()
        stretch = (~valid).cumsum()[valid]
        for _, part in s[valid].groupby(stretch):
            same(out[col].loc[part.index], f(part, "propagate"))


@PROPS
@given(frame=price_frames())
def test_rsi_in_range(frame: pd.DataFrame) -> None:
    for smoothing in ("wilder", "sma", "ema"):
        v = rsi(frame, 3, smoothing=smoothing).to_numpy()  # type: ignore[arg-type]
        v = v[~np.isnan(v)]
        assert ((v >= 0) & (v <= 100)).all()


# ---------------------------------------------------------------- the fused set


def market(n: int, m: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = 30 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, m)), axis=0))
    start = rng.integers(0, n // 2, m)
    x[np.arange(n)[:, None] < start[None, :]] = np.nan
    x[rng.random((n, m)) < 0.01] = np.nan
    return pd.DataFrame(x, index=pd.bdate_range("2000-01-03", periods=n),
                        columns=[f"T{j:03d}" for j in range(m)])


@pytest.mark.parametrize("missing", ["skip", "propagate"])
def test_full_set_equals_single_functions_bitwise(missing: str) -> None:
    df = market(700, 7)
    out = signal_set(df, missing=missing)  # type: ignore[arg-type]
    assert list(out) == ["sma20", "sma50", "sma100", "sma200", "ema20", "ema50", "ema100",
                         "ema200", "rsi14"]
    for w in (20, 50, 100, 200):
        pd.testing.assert_frame_equal(out[f"sma{w}"], sma(df, w, missing=missing))  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(out[f"ema{w}"], ema(df, w, missing=missing))  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(out["rsi14"], rsi(df, 14, missing=missing))  # type: ignore[arg-type]


def test_full_set_equals_talib_on_a_clean_column() -> None:
    df = market(900, 3)
    x = df["T000"].dropna().to_numpy()
    out = signal_set(df["T000"].dropna(), windows=(5, 60), ema_windows=(7,), rsi_window=9)
    assert list(out) == ["sma5", "sma60", "ema7", "rsi9"]
    assert isinstance(out["sma5"], pd.Series)
    same(out["sma60"], talib.SMA(x, 60))
    same(out["ema7"], talib.EMA(x, 7))
    np.testing.assert_allclose(out["rsi9"], talib.RSI(x, 9), rtol=1e-9, atol=1e-9)


def test_full_set_without_emas_or_smas() -> None:
    df = market(100, 2)
    out = signal_set(df, windows=(3,), ema_windows=())
    assert list(out) == ["sma3", "rsi14"]
    out = signal_set(df, windows=(), ema_windows=(4,))
    assert list(out) == ["ema4", "rsi14"]
    pd.testing.assert_frame_equal(out["ema4"], ema(df, 4))


def test_full_set_errors() -> None:
    df = market(50, 2)
    with pytest.raises(ParameterError, match=r"signal_set\(\): 'windows' has repeated windows"
                                             r" \(20\)"):
        signal_set(df, windows=(20, 50, 20))
    with pytest.raises(ParameterError, match=r"signal_set\(\): 'windows' must be an int >= 1, "
                                             r"got 0"):
        signal_set(df, windows=(0, 5))
    with pytest.raises(ParameterTypeError, match=r"signal_set\(\): 'ema_windows' must be a "
                                                 r"sequence of ints"):
        signal_set(df, ema_windows=20)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"signal_set\(\): 'rsi_window' must be an int >= 2"):
        signal_set(df, rsi_window=1)


# ---------------------------------------------------------------- layouts and threads


@pytest.mark.parametrize("name", NAMES)
def test_layouts_and_thread_split_agree(name: str) -> None:
    """C order, Fortran order, a strided view and the 2-thread split give one answer."""
    f = CASES[name]
    base = market(1500, 61, seed=3)  # big enough for run_columns to split the columns
    values = base.to_numpy()
    c_frame = pd.DataFrame(np.ascontiguousarray(values), index=base.index,
                           columns=base.columns, copy=False)
    f_frame = pd.DataFrame(np.asfortranarray(values), index=base.index, columns=base.columns,
                           copy=False)
    assert c_frame.to_numpy().flags.c_contiguous and f_frame.to_numpy().flags.f_contiguous
    for missing in ("skip", "propagate"):
        ref = pd.concat([f(base[c], missing) for c in base], axis=1)  # one column at a time
        for frame in (c_frame, f_frame, c_frame.iloc[:, ::2]):
            got = f(frame, missing)
            same(got, ref[frame.columns])


@pytest.mark.parametrize("name", NAMES)
def test_c_order_vector_path_matches_scalar_path(name: str) -> None:
    """C order takes whole rows of clean columns at once; it must agree with F order."""
    f = CASES[name]
    rng = np.random.default_rng(11)
    n, m = 1800, 70
    x = 30 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, m)), axis=0))
    x[: rng.integers(0, 600), 3] = np.nan  # a late lister
    x[900, 40] = np.nan  # a hole in another block
    x[1300:1310, 66] = np.nan  # a gap near the end, in the last (partial) block
    idx = pd.bdate_range("2000-01-03", periods=n)
    c_frame = pd.DataFrame(np.ascontiguousarray(x), index=idx, copy=False)
    f_frame = pd.DataFrame(np.asfortranarray(x), index=idx, copy=False)
    def identical(x: object, y: object) -> None:  # every path runs the same row step
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))

    for missing in ("skip", "propagate"):
        identical(f(c_frame, missing), f(f_frame, missing))
    for window in (1, 2, 20, 300):
        identical(sma(c_frame, window), sma(f_frame, window))
        identical(ema(c_frame, window), ema(f_frame, window))
        identical(rsi(c_frame, max(window, 2)), rsi(f_frame, max(window, 2)))
    out_c = signal_set(c_frame, windows=(1, 5, 260), ema_windows=(2, 300), rsi_window=14)
    out_f = signal_set(f_frame, windows=(1, 5, 260), ema_windows=(2, 300), rsi_window=14)
    for key in out_c:
        identical(out_c[key], out_f[key])
    np.testing.assert_allclose(sma(c_frame, 20)[5].to_numpy()[19:],
                               talib.SMA(x[:, 5], 20)[19:], rtol=1e-12)


def test_output_keeps_memory_order_without_copies() -> None:
    base = market(300, 40)
    for order in ("C", "F"):
        frame = pd.DataFrame(np.asarray(base.to_numpy(), order=order), index=base.index,
                             copy=False)
        out = sma(frame, 10)
        arr = out.to_numpy()
        assert arr.flags.c_contiguous if order == "C" else arr.flags.f_contiguous
        assert np.shares_memory(arr, out.to_numpy())  # wrapped, not copied


def test_run_columns_thread_ranges() -> None:
    a = np.asfortranarray(market(1000, 100).to_numpy())
    out1 = K.alloc_like(a)
    out2 = K.alloc_like(a)
    K.run_columns(K.ma_2d, a, (out1,), K.MA_EMA, 10, 10, True, K.POST_VALUE, 0, threads=1)
    K.run_columns(K.ma_2d, a, (out2,), K.MA_EMA, 10, 10, True, K.POST_VALUE, 0, threads=3)
    same(out1, out2)


# ---------------------------------------------------------------- API surface and docs


def test_public_names_and_doctests() -> None:
    ours = {"sma", "ema", "rsi", "rolling_max", "rolling_min", "pct_from_high", "pct_vs_ma",
            "above_ma", "ma_slope", "ma_turns", "ma_crosses", "signal_set"}
    assert ours <= set(signals.__all__)
    for name in ours:
        assert callable(getattr(signals, name))
    failed = attempted = 0
    for mod in ("averages", "momentum", "rolling", "signal_set"):
        module = importlib.import_module(f"rotascope.signals.{mod}")
        assert set(module.__all__) <= set(dir(module))
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        failed += result.failed
        attempted += result.attempted
    assert failed == 0
    assert attempted >= 20


def test_thread_pool_works_in_a_forked_child() -> None:
    import multiprocessing as mp

    df = market(1000, 100)
    want = sma(df, 10)  # creates the pool in this process
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(sma, (df, 10)).get(timeout=60)
    pd.testing.assert_frame_equal(got, want)
