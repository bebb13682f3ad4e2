"""Rolling highs and lows, and the distance from the 52-week high, for every ticker at once.

The extremes come from a monotonic deque per ticker (O(1) amortised per row, whatever
the window), compiled; on NaN-free data they equal TA-Lib's MAX and MIN.
"""

from __future__ import annotations

from .._typing import Missing, PriceFrame
from . import _kernels as K
from ._frame import check_min_periods, check_missing, check_window, prepare

__all__ = ["rolling_max", "rolling_min", "pct_from_high"]


def _run(close: PriceFrame, func: str, window: int, min_periods: int | None, missing: str,
         is_max: bool, pct: bool) -> PriceFrame:
    window = check_window(window, "window", func)
    min_periods = check_min_periods(min_periods, window, func)
    skip = check_missing(missing, func)
    values, wrap = prepare(close, func)
    out = K.alloc_like(values)
    # column-major input (as the store returns it): the gap-free fast path per column
    kernel = K.extreme_clean_2d if K.column_major(values) else K.extreme_2d
    K.run_columns(kernel, values, (out,), window, min_periods, is_max, pct, skip)
    return wrap(out)


def rolling_max(close: PriceFrame, window: int, *, min_periods: int | None = None,
                missing: Missing = "skip") -> PriceFrame:
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
    return _run(close, "rolling_max", window, min_periods, missing, True, False)


def rolling_min(close: PriceFrame, window: int, *, min_periods: int | None = None,
                missing: Missing = "skip") -> PriceFrame:
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
    return _run(close, "rolling_min", window, min_periods, missing, False, False)


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
