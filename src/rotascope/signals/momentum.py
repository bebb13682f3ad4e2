"""Momentum oscillators: the Relative Strength Index for every ticker at once."""

from __future__ import annotations

from .._typing import Missing, PriceFrame, Smoothing
from .._validation import check_choice
from . import _kernels as K
from ._frame import check_missing, check_window, prepare

__all__ = ["rsi"]

_SMOOTHING = {"wilder": K.RSI_WILDER, "sma": K.RSI_SMA, "ema": K.RSI_EMA}


def rsi(close: PriceFrame, window: int = 14, *, smoothing: Smoothing = "wilder",
        missing: Missing = "skip") -> PriceFrame:
    """Relative Strength Index (0-100) for every ticker at once.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    window : int, default 14
        Number of price changes averaged; >= 2.
    smoothing : {"wilder", "sma", "ema"}, default "wilder"
        How the average gain and loss are smoothed:

        * ``"wilder"``: Wilder's smoothing, ``avg[t] = (avg[t-1] * (n - 1) + x[t]) / n``,
          seeded with the mean of the first ``n`` changes (equals ``talib.RSI``);
        * ``"sma"``: the plain mean of the last ``n`` gains and losses (Cutler's RSI);
        * ``"ema"``: exponential smoothing with ``alpha = 2 / (n + 1)``, seeded like
          Wilder's.
    missing : {"skip", "propagate"}, default "skip"
        ``"skip"``: NaN rows output NaN; the next change is measured from the ticker's
        last valid close and the averages carry over. ``"propagate"``: the RSI restarts
        (new warm-up) after a NaN.

    Returns
    -------
    Same type, index and columns as ``close``. The first ``window`` valid rows of each
    ticker are NaN (warm-up: ``window`` changes need ``window + 1`` closes). Where the
    average gain and loss are both 0 (a flat stretch) the RSI is 0, as in TA-Lib.
    Values lie in [0, 100] or are NaN.

    Raises
    ------
    ParameterError
        ``window < 2``, unknown ``smoothing``/``missing``, an unsorted or duplicated
        index.
    ParameterTypeError
        ``close`` is not a Series/DataFrame of numbers on a DatetimeIndex.

    Notes
    -----
    ``RSI = 100 * avg_gain / (avg_gain + avg_loss)`` (equivalently ``100 - 100 / (1 +
    RS)``), J. Welles Wilder, *New Concepts in Technical Trading Systems* (1978). On a
    single window of data the three smoothings agree; they differ afterwards.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([10.0, 11, 12, 11, 13, 14, 13],
    ...                   index=pd.date_range("2024-01-01", periods=7, freq="B"))
    >>> rsi(close, 3).round(2).tolist()
    [nan, nan, nan, 66.67, 83.33, 87.88, 62.37]
    >>> rsi(close, 3, smoothing="sma").round(2).tolist()
    [nan, nan, nan, 66.67, 75.0, 75.0, 75.0]
    """
    window = check_window(window, "window", "rsi", minimum=2)
    code = _SMOOTHING[check_choice(smoothing, "smoothing", tuple(_SMOOTHING), func="rsi")]
    skip = check_missing(missing, "rsi")
    values, wrap = prepare(close, "rsi")
    out = K.alloc_like(values)
    K.run_columns(K.rsi_2d, values, (out,), window, code, skip)
    return wrap(out)
