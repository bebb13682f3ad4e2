"""The fused "full set": every moving average and the RSI from one pass over the prices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._typing import Missing, PriceFrame
from .._validation import check_int
from ..errors import ParameterError, ParameterTypeError
from . import _kernels as K
from ._frame import check_missing, check_window, prepare

__all__ = ["signal_set"]


def _windows(value: Any, name: str) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ParameterTypeError(
            f"signal_set(): {name!r} must be a sequence of ints, got {value!r}")
    out = tuple(check_int(w, name, minimum=1, func="signal_set") for w in value)
    dups = sorted({w for w in out if out.count(w) > 1})
    if dups:
        raise ParameterError(f"signal_set(): {name!r} has repeated windows "
                             f"({', '.join(map(str, dups))}); list each once")
    return out


def signal_set(close: PriceFrame, *, windows: Sequence[int] = (20, 50, 100, 200),
               ema_windows: Sequence[int] | None = None, rsi_window: int = 14,
               missing: Missing = "skip") -> dict[str, PriceFrame]:
    """SMA and EMA for several windows plus the RSI, computed together in one pass.

    Each output equals the corresponding single function (:func:`~rotascope.signals.sma`,
    :func:`~rotascope.signals.ema`, :func:`~rotascope.signals.rsi` with Wilder
    smoothing) bit for bit, but the input is read once and every output is written in
    the same sweep, which is what a screen over a whole universe needs.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    windows : sequence of int, default (20, 50, 100, 200)
        Windows of the simple moving averages; each >= 1, no repeats.
    ema_windows : sequence of int, optional
        Windows of the exponential moving averages; default: the same as ``windows``.
        Pass ``()`` for none.
    rsi_window : int, default 14
        Window of the Wilder RSI; >= 2.
    missing : {"skip", "propagate"}, default "skip"
        As in the single functions.

    Returns
    -------
    dict[str, Series | DataFrame]
        In this order: ``"sma<w>"`` for each of ``windows``, ``"ema<w>"`` for each of
        ``ema_windows``, then ``"rsi<rsi_window>"``, each with the type and labels of
        ``close``. With the defaults that is the 9-output set ``sma20, sma50, sma100,
        sma200, ema20, ema50, ema100, ema200, rsi14``.

    Raises
    ------
    ParameterError
        A window < 1 (``rsi_window`` < 2), repeated windows, unknown ``missing``, an
        unsorted or duplicated index.
    ParameterTypeError
        ``windows``/``ema_windows`` not a sequence of ints; ``close`` not a
        Series/DataFrame of numbers on a DatetimeIndex.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([10.0, 11, 12, 11, 13, 14, 13],
    ...                   index=pd.date_range("2024-01-01", periods=7, freq="B"))
    >>> out = signal_set(close, windows=(2, 3), rsi_window=3)
    >>> list(out)
    ['sma2', 'sma3', 'ema2', 'ema3', 'rsi3']
    >>> out["sma3"].round(3).tolist()
    [nan, nan, 11.0, 11.333, 12.0, 12.667, 13.333]
    """
    sma_w = _windows(windows, "windows")
    ema_w = sma_w if ema_windows is None else _windows(ema_windows, "ema_windows")
    rsi_window = check_window(rsi_window, "rsi_window", "signal_set", minimum=2)
    skip = check_missing(missing, "signal_set")
    values, wrap = prepare(close, "signal_set")
    sma_out = tuple(K.alloc_like(values) for _ in sma_w)
    ema_out = tuple(K.alloc_like(values) for _ in ema_w)
    # numba cannot index an empty tuple: hand it a never-used placeholder instead
    sma_arg = sma_out or (np.empty((1, 1)),)
    ema_arg = ema_out or (np.empty((1, 1)),)
    rsi_out = K.alloc_like(values)
    K.run_columns(K.full_set_2d, values, (sma_arg, ema_arg, rsi_out),
                  np.asarray(sma_w, dtype=np.int64), np.asarray(ema_w, dtype=np.int64),
                  rsi_window, skip)
    result: dict[str, PriceFrame] = {}
    for w, arr in zip(sma_w, sma_out, strict=True):
        result[f"sma{w}"] = wrap(arr)
    for w, arr in zip(ema_w, ema_out, strict=True):
        result[f"ema{w}"] = wrap(arr)
    result[f"rsi{rsi_window}"] = wrap(rsi_out)
    return result
