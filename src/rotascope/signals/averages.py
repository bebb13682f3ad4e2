"""Moving averages and what analysts read off them, for every ticker at once.

``sma`` and ``ema`` equal TA-Lib's SMA and EMA (EMA seeded with the SMA of the first
``window`` values, ``alpha = 2 / (window + 1)``). The derived signals (price vs the
average, above/below, slope over ``k`` rows, slope turns, golden/death crosses) are
computed in the same compiled pass as the average, so each costs one read of the input
and one write of the output.

All functions take a Series or a DataFrame (dates x tickers) on a sorted, unique
DatetimeIndex and return the same type with the same labels. ``missing=`` follows
``docs/architecture.md``: ``"skip"`` (default) computes each ticker on its own valid
rows, ``"propagate"`` restarts after every NaN (TA-Lib behaviour for each NaN-free
stretch). All-NaN columns give all-NaN output.
"""

from __future__ import annotations

from typing import Literal

from .._typing import Missing, PriceFrame
from .._validation import check_choice
from ..errors import ParameterError
from . import _fused
from . import _kernels as K
from ._frame import check_min_periods, check_missing, check_window, prepare

__all__ = ["sma", "ema", "pct_vs_ma", "above_ma", "ma_slope", "ma_turns", "ma_crosses"]

#: Which moving average a derived signal uses.
MAKind = Literal["sma", "ema"]
_KINDS = ("sma", "ema")


def _run_ma(close: PriceFrame, func: str, kind: str, window: int, min_periods: int | None,
            missing: str, post: int, k: int = 0) -> PriceFrame:
    values, wrap = prepare(close, func)
    out = K.alloc_like(values)
    code = K.MA_SMA if kind == "sma" else K.MA_EMA
    K.run_columns(K.ma_2d, values, (out,), code, window, min_periods or window,
                  check_missing(missing, func), post, k)
    return wrap(out)


def _run_slope(close: PriceFrame, func: str, kind: str, window: int, k: int, missing: str,
               turns: bool) -> PriceFrame:
    # The fused one-pass kernel (same bits as _run_ma with POST_SLOPE / POST_TURNS).
    values, wrap = prepare(close, func)
    out = K.alloc_like(values)
    code = K.MA_SMA if kind == "sma" else K.MA_EMA
    K.run_columns(_fused.slope_2d, values, (out,), code, window, k,
                  check_missing(missing, func), turns)
    return wrap(out)


def sma(close: PriceFrame, window: int = 20, *, min_periods: int | None = None,
        missing: Missing = "skip") -> PriceFrame:
    """Simple moving average of the last ``window`` closes, for every ticker at once.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    window : int, default 20
        Number of closes averaged; >= 1.
    min_periods : int, optional
        Fewest closes that give a value during the warm-up; default ``window``.
        Must be in ``[1, window]``.
    missing : {"skip", "propagate"}, default "skip"
        ``"skip"``: the window holds the ticker's last ``window`` valid closes; NaN rows
        output NaN. ``"propagate"``: a NaN inside the last ``window`` rows gives NaN.

    Returns
    -------
    Same type, index and columns as ``close``. The first ``min_periods - 1`` valid rows
    of each ticker are NaN (warm-up); an all-NaN column stays all NaN.

    Raises
    ------
    ParameterError
        ``window < 1``, ``min_periods`` outside ``[1, window]``, unknown ``missing``,
        or an unsorted or duplicated index.
    ParameterTypeError
        ``close`` is not a Series/DataFrame of numbers on a DatetimeIndex.

    Notes
    -----
    A running total updated as ``+ newest, output, - oldest`` (TA-Lib's order), so the
    result equals ``talib.SMA`` on NaN-free data.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([10.0, 11, 12, 11, 13, 14],
    ...                   index=pd.date_range("2024-01-01", periods=6, freq="B"))
    >>> sma(close, 3).round(3).tolist()
    [nan, nan, 11.0, 11.333, 12.0, 12.667]
    >>> sma(close, 3, min_periods=1).round(3).tolist()
    [10.0, 10.5, 11.0, 11.333, 12.0, 12.667]
    """
    window = check_window(window, "window", "sma")
    min_periods = check_min_periods(min_periods, window, "sma")
    return _run_ma(close, "sma", "sma", window, min_periods, missing, K.POST_VALUE)


def ema(close: PriceFrame, window: int = 20, *, missing: Missing = "skip") -> PriceFrame:
    """Exponential moving average, seeded like TA-Lib, for every ticker at once.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    window : int, default 20
        Span; the smoothing factor is ``alpha = 2 / (window + 1)``; >= 1.
    missing : {"skip", "propagate"}, default "skip"
        ``"skip"``: NaN rows output NaN and the average carries over them.
        ``"propagate"``: the average restarts (re-seeds) after a NaN.

    Returns
    -------
    Same type, index and columns as ``close``. The first ``window - 1`` valid rows of
    each ticker are NaN (warm-up).

    Raises
    ------
    ParameterError
        ``window < 1``, unknown ``missing``, or an unsorted or duplicated index.
    ParameterTypeError
        ``close`` is not a Series/DataFrame of numbers on a DatetimeIndex.

    Notes
    -----
    ``ema[w-1] = mean(close[0:w])``, then ``ema[t] = (close[t] - ema[t-1]) * alpha +
    ema[t-1]``: TA-Lib's EMA (default compatibility). pandas ``ewm(span=window,
    adjust=False)`` differs during the first few hundred rows because it seeds with the
    first close.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([10.0, 11, 12, 11, 13, 14],
    ...                   index=pd.date_range("2024-01-01", periods=6, freq="B"))
    >>> ema(close, 3).round(3).tolist()
    [nan, nan, 11.0, 11.0, 12.0, 13.0]
    """
    window = check_window(window, "window", "ema")
    return _run_ma(close, "ema", "ema", window, None, missing, K.POST_VALUE)


def pct_vs_ma(close: PriceFrame, window: int = 50, *, kind: MAKind = "sma",
              missing: Missing = "skip") -> PriceFrame:
    """How far the close is above (+) or below (-) its moving average, as a fraction.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    window : int, default 50
        Window of the average; >= 1.
    kind : {"sma", "ema"}, default "sma"
        Which average (as :func:`sma` / :func:`ema`).
    missing : {"skip", "propagate"}, default "skip"
        As in :func:`sma`.

    Returns
    -------
    ``close / ma - 1``; same type and labels as ``close``. NaN during the average's
    warm-up, at NaN closes, and where the average is exactly 0 (undefined ratio; use
    differences for series that cross zero, such as yields).

    Raises
    ------
    ParameterError, ParameterTypeError
        As :func:`sma`, plus an unknown ``kind``.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([10.0, 11, 12, 11, 13, 14],
    ...                   index=pd.date_range("2024-01-01", periods=6, freq="B"))
    >>> pct_vs_ma(close, 3).round(4).tolist()
    [nan, nan, 0.0909, -0.0294, 0.0833, 0.1053]
    """
    window = check_window(window, "window", "pct_vs_ma")
    kind = check_choice(kind, "kind", _KINDS, func="pct_vs_ma")
    return _run_ma(close, "pct_vs_ma", kind, window, None, missing, K.POST_PCT)


def above_ma(close: PriceFrame, window: int = 50, *, kind: MAKind = "sma",
             missing: Missing = "skip") -> PriceFrame:
    """1.0 where the close is strictly above its moving average, 0.0 where not.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    window : int, default 50
        Window of the average; >= 1.
    kind : {"sma", "ema"}, default "sma"
        Which average.
    missing : {"skip", "propagate"}, default "skip"
        As in :func:`sma`.

    Returns
    -------
    float 1.0 / 0.0 with the labels of ``close``; NaN where the average is undefined
    (warm-up) or the close is NaN, so ``above_ma(...).mean(axis=1)`` is the share of
    tickers above their average among those that have one.

    Raises
    ------
    ParameterError, ParameterTypeError
        As :func:`pct_vs_ma`.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([10.0, 11, 12, 11, 13, 14],
    ...                   index=pd.date_range("2024-01-01", periods=6, freq="B"))
    >>> above_ma(close, 3).tolist()
    [nan, nan, 1.0, 0.0, 1.0, 1.0]
    """
    window = check_window(window, "window", "above_ma")
    kind = check_choice(kind, "kind", _KINDS, func="above_ma")
    return _run_ma(close, "above_ma", kind, window, None, missing, K.POST_ABOVE)


def ma_slope(close: PriceFrame, window: int = 50, k: int = 20, *, kind: MAKind = "sma",
             missing: Missing = "skip") -> PriceFrame:
    """Slope of the moving average over ``k`` rows: ``ma[t] / ma[t - k] - 1``.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    window : int, default 50
        Window of the average; >= 1.
    k : int, default 20
        How many of the ticker's own rows back the average is compared with; >= 1.
    kind : {"sma", "ema"}, default "sma"
        Which average.
    missing : {"skip", "propagate"}, default "skip"
        ``"skip"``: ``t - k`` counts the ticker's valid rows. ``"propagate"``: a NaN in
        the last ``window + k`` rows gives NaN.

    Returns
    -------
    Fraction, same type and labels as ``close``. NaN for the first ``window - 1 + k``
    valid rows of each ticker, at NaN closes, and where ``ma[t - k]`` is 0.

    Raises
    ------
    ParameterError, ParameterTypeError
        As :func:`pct_vs_ma`, plus ``k < 1``.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([10.0, 11, 12, 11, 13, 14],
    ...                   index=pd.date_range("2024-01-01", periods=6, freq="B"))
    >>> ma_slope(close, 3, 2).round(4).tolist()
    [nan, nan, nan, nan, 0.0909, 0.1176]
    """
    window = check_window(window, "window", "ma_slope")
    k = check_window(k, "k", "ma_slope")
    kind = check_choice(kind, "kind", _KINDS, func="ma_slope")
    return _run_slope(close, "ma_slope", kind, window, k, missing, turns=False)


def ma_turns(close: PriceFrame, window: int = 50, k: int = 20, *, kind: MAKind = "sma",
             missing: Missing = "skip") -> PriceFrame:
    """Rows where the moving average turns up (+1) or down (-1), from its slope's sign.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    window : int, default 50
        Window of the average; >= 1.
    k : int, default 20
        Slope horizon in rows, as :func:`ma_slope`; >= 1.
    kind : {"sma", "ema"}, default "sma"
        Which average.
    missing : {"skip", "propagate"}, default "skip"
        As in :func:`ma_slope`; "previous row" means the ticker's previous valid row.

    Returns
    -------
    +1.0 on the row where the slope becomes > 0 after being <= 0 on the previous row
    (turns up), -1.0 where it becomes < 0 after being >= 0 (turns down), 0.0 otherwise;
    NaN where the slope or the previous slope is NaN (warm-up, NaN closes).

    Raises
    ------
    ParameterError, ParameterTypeError
        As :func:`ma_slope`.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([5.0, 4, 3, 2, 3, 4, 5, 6],
    ...                   index=pd.date_range("2024-01-01", periods=8, freq="B"))
    >>> ma_slope(close, 2, 1).round(3).tolist()
    [nan, nan, -0.222, -0.286, 0.0, 0.4, 0.286, 0.222]
    >>> ma_turns(close, 2, 1).tolist()
    [nan, nan, nan, 0.0, 0.0, 1.0, 0.0, 0.0]
    """
    window = check_window(window, "window", "ma_turns")
    k = check_window(k, "k", "ma_turns")
    kind = check_choice(kind, "kind", _KINDS, func="ma_turns")
    return _run_slope(close, "ma_turns", kind, window, k, missing, turns=True)


def ma_crosses(close: PriceFrame, fast: int = 50, slow: int = 200, *, kind: MAKind = "sma",
               missing: Missing = "skip") -> PriceFrame:
    """Golden (+1) and death (-1) crosses of a fast moving average through a slow one.

    Parameters
    ----------
    close : DataFrame (dates x tickers) or Series
        Prices on a sorted, unique DatetimeIndex.
    fast, slow : int, default 50 and 200
        Windows of the two averages; ``1 <= fast < slow``.
    kind : {"sma", "ema"}, default "sma"
        Which average, for both.
    missing : {"skip", "propagate"}, default "skip"
        As in :func:`sma`; "previous row" means the ticker's previous valid row.

    Returns
    -------
    +1.0 on the row where ``fast - slow`` becomes > 0 after being <= 0 on the previous
    row (golden cross), -1.0 where it becomes < 0 after being >= 0 (death cross), 0.0
    otherwise; NaN until both averages exist on this and the previous row.

    Raises
    ------
    ParameterError
        ``fast >= slow``, a window < 1, unknown ``kind``/``missing``, bad index.
    ParameterTypeError
        ``close`` is not a Series/DataFrame of numbers on a DatetimeIndex.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.Series([5.0, 4, 3, 2, 3, 4, 5, 6, 5, 4, 3],
    ...                   index=pd.date_range("2024-01-01", periods=11, freq="B"))
    >>> ma_crosses(close, 2, 4).tolist()
    [nan, nan, nan, nan, 0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]
    """
    fast = check_window(fast, "fast", "ma_crosses")
    slow = check_window(slow, "slow", "ma_crosses")
    if fast >= slow:
        raise ParameterError(f"ma_crosses(): 'fast' must be < 'slow', got fast={fast}, "
                             f"slow={slow}")
    kind = check_choice(kind, "kind", _KINDS, func="ma_crosses")
    values, wrap = prepare(close, "ma_crosses")
    out = K.alloc_like(values)
    code = K.MA_SMA if kind == "sma" else K.MA_EMA
    K.run_columns(_fused.cross_2d, values, (out,), code, fast, slow,
                  check_missing(missing, "ma_crosses"))
    return wrap(out)
