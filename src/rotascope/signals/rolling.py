"""Rolling highs and lows, and the distance from the 52-week high, for every ticker at once.

The extremes come from a van Herk/Gil-Werman pass per ticker (O(1) per row, whatever
the window), compiled; on NaN-free data they equal TA-Lib's MAX and MIN.
:func:`rolling_extremes` computes both in one pass; every function can write into a
caller's buffer (``out=``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._typing import Missing, PriceFrame
from ..errors import ParameterError, ParameterTypeError
from . import _kernels as K
from ._frame import check_min_periods, check_missing, check_window, prepare

__all__ = ["rolling_max", "rolling_min", "rolling_extremes", "pct_from_high"]


def _output(out: Any, values: np.ndarray, func: str, name: str = "out") -> np.ndarray:
    """A fresh output in the input's memory order, or the caller's buffer checked and
    seen as 2-D (a buffer reused across calls saves the allocation and page faults of a
    fresh array, which cost about as much as the kernel's own writes)."""
    if out is None:
        return K.alloc_like(values)
    if not isinstance(out, np.ndarray) or out.dtype != np.float64:
        raise ParameterTypeError(f"{func}(): '{name}' must be a float64 numpy array, got "
                                 f"{type(out).__name__}"
                                 + (f" of {out.dtype}" if isinstance(out, np.ndarray) else ""))
    buf = out.reshape(-1, 1) if out.ndim == 1 else out
    if buf.shape != values.shape or not out.flags.writeable:
        raise ParameterError(f"{func}(): '{name}' must be a writeable array of shape "
                             f"{values.shape}, got {out.shape}")
    if np.shares_memory(buf, values):
        raise ParameterError(f"{func}(): '{name}' overlaps the input (the kernel reads "
                             "rows it has already written)")
    return buf


def _run(close: PriceFrame, func: str, window: int, min_periods: int | None, missing: str,
         is_max: bool, pct: bool, out: Any = None) -> PriceFrame:
    window = check_window(window, "window", func)
    min_periods = check_min_periods(min_periods, window, func)
    skip = check_missing(missing, func)
    values, wrap = prepare(close, func)
    buf = _output(out, values, func)
    # column-major input (as the store returns it): the gap-free fast path per column
    kernel = K.extreme_clean_2d if K.column_major(values) else K.extreme_2d
    K.run_columns(kernel, values, (buf,), window, min_periods, is_max, pct, skip)
    return wrap(buf)


def rolling_extremes(close: PriceFrame, window: int, *, min_periods: int | None = None,
                     missing: Missing = "skip", out: tuple[Any, Any] | None = None
                     ) -> tuple[PriceFrame, PriceFrame]:
    """``(rolling_max(close, window), rolling_min(close, window))`` in one pass.

    Each value is read once for both (column-major input, e.g. ``Store.close_matrix``:
    the gap-free columns run one fused van Herk/Gil-Werman loop); the results equal
    the two functions bit for bit. ``out`` is an optional pair of float64 buffers of
    the input's shape to write into (reused across calls: no allocation).

    Parameters, errors as :func:`rolling_max`.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([10.0, 12, 11, 9, 10, 8],
    ...                   index=pd.date_range("2024-01-01", periods=6, freq="B"))
    >>> hi, lo = rolling_extremes(close, 3)
    >>> hi.tolist(), lo.tolist()
    ([nan, nan, 12.0, 12.0, 11.0, 10.0], [nan, nan, 10.0, 9.0, 9.0, 8.0])
    """
    func = "rolling_extremes"
    window = check_window(window, "window", func)
    min_periods = check_min_periods(min_periods, window, func)
    skip = check_missing(missing, func)
    values, wrap = prepare(close, func)
    if out is not None and (not isinstance(out, tuple) or len(out) != 2):
        raise ParameterTypeError(f"{func}(): 'out' must be a pair (max buffer, min buffer)")
    hi = _output(None if out is None else out[0], values, func, "out[0]")
    lo = _output(None if out is None else out[1], values, func, "out[1]")
    if np.shares_memory(hi, lo):
        raise ParameterError(f"{func}(): the two 'out' buffers overlap")
    if K.column_major(values):
        K.run_columns(K.extremes_clean_2d, values, (hi, lo), window, min_periods, skip)
    else:
        K.run_columns(K.extreme_2d, values, (hi,), window, min_periods, True, False, skip)
        K.run_columns(K.extreme_2d, values, (lo,), window, min_periods, False, False, skip)
    return wrap(hi), wrap(lo)


def rolling_max(close: PriceFrame, window: int, *, min_periods: int | None = None,
                missing: Missing = "skip", out: np.ndarray | None = None) -> PriceFrame:
    """Highest close of the last ``window`` rows (the current row included).

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Values (prices, ratios, ...) on a sorted, unique DatetimeIndex.
    window : int
        Rows in the window; >= 1 (252 = one year of trading days).
    min_periods : int, optional
        Fewest values that give a result during the warm-up; default ``window``.
    missing : {"skip", "propagate"}, default "skip"
        ``"skip"``: the window holds the ticker's last ``window`` valid rows; NaN rows
        output NaN. ``"propagate"``: a NaN inside the last ``window`` rows gives NaN.
    out : float64 ndarray, optional
        Buffer of ``close``'s shape to write the result into (the returned object wraps
        it, no copy); reusing one across calls saves the allocation of a fresh output.
        Must not overlap ``close``.

    Returns
    -------
    Same type, index and columns as ``close``; NaN for the first ``min_periods - 1``
    valid rows of each ticker.

    Raises
    ------
    ParameterError
        ``window < 1``, ``min_periods`` outside ``[1, window]``, unknown ``missing``,
        an unsorted or duplicated index.
    ParameterTypeError
        ``close`` is not a Series/DataFrame of numbers on a DatetimeIndex.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([10.0, 12, 11, 9, 10, 8],
    ...                   index=pd.date_range("2024-01-01", periods=6, freq="B"))
    >>> rolling_max(close, 3).tolist()
    [nan, nan, 12.0, 12.0, 11.0, 10.0]
    """
    return _run(close, "rolling_max", window, min_periods, missing, True, False, out)


def rolling_min(close: PriceFrame, window: int, *, min_periods: int | None = None,
                missing: Missing = "skip", out: np.ndarray | None = None) -> PriceFrame:
    """Lowest close of the last ``window`` rows (the current row included).

    Parameters, returns and errors as :func:`rolling_max`.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([10.0, 12, 11, 9, 10, 8],
    ...                   index=pd.date_range("2024-01-01", periods=6, freq="B"))
    >>> rolling_min(close, 3).tolist()
    [nan, nan, 10.0, 9.0, 9.0, 8.0]
    """
    return _run(close, "rolling_min", window, min_periods, missing, False, False, out)


def pct_from_high(close: PriceFrame, window: int = 252, *, min_periods: int | None = None,
                  missing: Missing = "skip") -> PriceFrame:
    """Distance from the highest close of the last ``window`` rows, as a fraction <= 0.

    ``close / rolling_max(close, window) - 1``: 0 at a new ``window``-row high, -0.25
    when 25% below it. The default 252 rows is the 52-week high.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    window : int, default 252
        Rows in the window; >= 1.
    min_periods : int, optional
        Fewest values that give a result during the warm-up; default ``window`` (pass
        e.g. ``min_periods=1`` for "distance from the high since listing" on young
        tickers).
    missing : {"skip", "propagate"}, default "skip"
        As in :func:`rolling_max`.

    Returns
    -------
    Same type, index and columns as ``close``; NaN during the warm-up, at NaN closes,
    and where the high is <= 0 (no meaningful ratio: use differences for yields).

    Raises
    ------
    ParameterError, ParameterTypeError
        As :func:`rolling_max`.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([10.0, 12, 11, 9, 10, 8],
    ...                   index=pd.date_range("2024-01-01", periods=6, freq="B"))
    >>> pct_from_high(close, 3).round(4).tolist()
    [nan, nan, -0.0833, -0.25, -0.0909, -0.2]
    """
    return _run(close, "pct_from_high", window, min_periods, missing, True, True)
