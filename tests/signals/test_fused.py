"""The fused slope and cross kernels give the same bits as the row-by-row composition."""

from __future__ import annotations

import numpy as np
import pytest

from rotascope.signals import _fused as F
from rotascope.signals import _kernels as K


def _market(rng: np.random.Generator, n: int, m: int, holes: float, listing: bool) -> np.ndarray:
    a = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, m)), axis=0))
    if holes:
        a[rng.random((n, m)) < holes] = np.nan
    if listing:  # tickers that list late and some that stop trading
        for j in range(m):
            start = int(rng.integers(0, n))
            a[:start, j] = np.nan
            if rng.random() < 0.3:
                a[int(rng.integers(start, n)):, j] = np.nan
    if rng.random() < 0.2:  # an infinity turns SMA totals NaN only when it leaves the window
        a[int(rng.integers(0, n)), 0] = np.inf
    return np.asfortranarray(a)


def _reference(a: np.ndarray, kind: int, window: int, k: int, skip: bool,
               turns: bool) -> np.ndarray:
    out = K.alloc_like(a)
    K.run_columns(K.ma_2d, a, (out,), kind, window, window, skip,
                  K.POST_TURNS if turns else K.POST_SLOPE, k)
    return out


def _fused(a: np.ndarray, kind: int, window: int, k: int, skip: bool,
           turns: bool) -> np.ndarray:
    out = K.alloc_like(a)
    K.run_columns(F.slope_2d, a, (out,), kind, window, k, skip, turns)
    return out


@pytest.mark.parametrize("seed", range(8))
def test_fused_slope_equals_composition_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(12):
        n = int(rng.choice([5, 60, F.CHUNK + 1, 1100, 2100]))  # shorter than, across chunks
        m = int(rng.integers(1, 11))  # full and partial blocks of four columns
        a = _market(rng, n, m, float(rng.choice([0.0, 0.001, 0.02])), bool(rng.random() < 0.5))
        kind = int(rng.choice([K.MA_SMA, K.MA_EMA]))
        window = int(rng.choice([1, 2, 5, 20, 50, 200]))
        k = int(rng.choice([1, 3, 20, 60]))
        skip = bool(rng.random() < 0.5)
        turns = bool(rng.random() < 0.5)
        want = _reference(a, kind, window, k, skip, turns)
        got = _fused(a, kind, window, k, skip, turns)
        # int64 view: equal bits, NaN where NaN
        assert np.array_equal(want.view(np.int64), got.view(np.int64)), (
            n, m, kind, window, k, skip, turns)


def test_fused_slope_c_order_gives_same_bits() -> None:
    rng = np.random.default_rng(42)
    a = _market(rng, 1500, 9, 0.005, True)
    for turns in (False, True):
        f = _fused(a, K.MA_SMA, 50, 20, True, turns)
        c = _fused(np.ascontiguousarray(a), K.MA_SMA, 50, 20, True, turns)
        assert np.array_equal(f.view(np.int64), c.view(np.int64))


@pytest.mark.parametrize("seed", range(8))
def test_fused_crosses_equal_composition_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    for _ in range(12):
        n = int(rng.choice([5, 60, F.CHUNK + 1, 1100, 2100]))
        m = int(rng.integers(1, 11))
        a = _market(rng, n, m, float(rng.choice([0.0, 0.001, 0.02])), bool(rng.random() < 0.5))
        kind = int(rng.choice([K.MA_SMA, K.MA_EMA]))
        fast = int(rng.choice([1, 2, 5, 20, 50]))
        slow = fast + int(rng.choice([1, 3, 30, 150]))
        skip = bool(rng.random() < 0.5)
        want = K.alloc_like(a)
        K.run_columns(K.cross_2d, a, (want,), kind, fast, slow, skip)
        got = K.alloc_like(a)
        K.run_columns(F.cross_2d, a, (got,), kind, fast, slow, skip)
        assert np.array_equal(want.view(np.int64), got.view(np.int64)), (
            n, m, kind, fast, slow, skip)


def test_fused_kernels_split_over_threads_give_same_bits() -> None:
    # large enough for run_columns to hand column ranges to several threads
    rng = np.random.default_rng(7)
    a = _market(rng, 2100, 45, 0.003, True)
    assert a.size > K._MIN_SPLIT_CELLS
    for skip in (True, False):
        want = _reference(a, K.MA_SMA, 50, 20, skip, True)
        got = _fused(a, K.MA_SMA, 50, 20, skip, True)
        assert np.array_equal(want.view(np.int64), got.view(np.int64))
        want = K.alloc_like(a)
        K.run_columns(K.cross_2d, a, (want,), K.MA_EMA, 50, 200, skip)
        got = K.alloc_like(a)
        K.run_columns(F.cross_2d, a, (got,), K.MA_EMA, 50, 200, skip)
        assert np.array_equal(want.view(np.int64), got.view(np.int64))
