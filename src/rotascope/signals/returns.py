"""Total returns over trading-day windows and year to date, for every ticker at once.

Windows count each ticker's own rows (its trading days): ``1m`` is the close 21 rows
back in that ticker's history, so a ticker missing one day (or trading on another
calendar) is still compared with its own close a month earlier. Closes are adjusted,
so these are total returns.
"""

from __future__ import annotations

import re

import numba as nb
import numpy as np

from .._typing import PriceFrame
from .._validation import as_price_frame, check_int
from ..errors import ParameterError

__all__ = ["WINDOWS", "DEFAULT_WINDOWS", "parse_window", "total_return", "ytd_return",
           "shift_valid"]

#: Trading rows per named window.
WINDOWS: dict[str, int] = {"1w": 5, "1m": 21, "3m": 63, "6m": 126, "1y": 252}
DEFAULT_WINDOWS: tuple[str, ...] = ("1w", "1m", "3m", "6m", "ytd", "1y")

_WINDOW_RE = re.compile(r"^(\d+)\s*([dwmy])$")
_UNIT_ROWS = {"d": 1, "w": 5, "m": 21, "y": 252}


def parse_window(spec: str | int) -> int | str:
    """Turn a window spec into trading rows, or ``"ytd"``.

    Accepts ``"ytd"``, ``"10d"``, ``"2w"``, ``"1m"``, ``"3m"``, ``"1y"`` (a week is 5
    rows, a month 21, a year 252) or a positive int of rows.

    >>> parse_window("3m"), parse_window("ytd"), parse_window(10)
    (63, 'ytd', 10)
    """
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        return check_int(spec, "window", minimum=1, func="parse_window")
    text = str(spec).strip().lower()
    if text == "ytd":
        return "ytd"
    m = _WINDOW_RE.match(text)
    if not m or int(m.group(1)) < 1:
        raise ParameterError(
            f"parse_window(): window must look like 5d, 1w, 1m, 3m, 6m, 1y or ytd, got {spec!r}")
    return int(m.group(1)) * _UNIT_ROWS[m.group(2)]


@nb.njit(cache=True, nogil=True)
def _shift_valid_1d(x: np.ndarray, k: int, out: np.ndarray) -> None:
    # Ring buffer of the last k+1 valid values: out[t] = the valid value k valid rows
    # before row t (NaN at NaN rows and during warm-up).
    ring = np.empty(k + 1)
    count = 0
    for t in range(x.shape[0]):
        v = x[t]
        if np.isnan(v):
            out[t] = np.nan
            continue
        ring[count % (k + 1)] = v
        if count >= k:
            out[t] = ring[(count - k) % (k + 1)]
        else:
            out[t] = np.nan
        count += 1


@nb.njit(cache=True, nogil=True, parallel=True)
def _shift_valid_2d_par(a: np.ndarray, k: int) -> np.ndarray:
    out = np.empty_like(a)
    for j in nb.prange(a.shape[1]):
        _shift_valid_1d(a[:, j], k, out[:, j])
    return out


@nb.njit(cache=True, nogil=True)
def _shift_valid_2d_serial(a: np.ndarray, k: int) -> np.ndarray:
    out = np.empty_like(a)
    for j in range(a.shape[1]):
        _shift_valid_1d(a[:, j], k, out[:, j])
    return out


def _shift_valid_2d(a: np.ndarray, k: int) -> np.ndarray:
    # Starting the thread pool costs more than it saves on a few columns.
    if a.shape[1] >= 16:
        return _shift_valid_2d_par(a, k)
    return _shift_valid_2d_serial(a, k)


def shift_valid(close: PriceFrame, k: int) -> PriceFrame:
    """Each ticker's value ``k`` of its own valid rows earlier (NaN where undefined).

    Parameters
    ----------
    close : Series or DataFrame (dates x tickers).
    k : int >= 0, rows back counted over the ticker's non-NaN rows.

    Returns
    -------
    Same type and labels. NaN at NaN rows and for the first ``k`` valid rows.

    Examples
    --------
    >>> s = pd.Series([1.0, np.nan, 2.0, 3.0], index=pd.date_range("2024-01-01", periods=4))
    >>> shift_valid(s, 1).tolist()
    [nan, nan, 1.0, 2.0]
    """
    frame, wrap = as_price_frame(close, "close", func="shift_valid")
    k = check_int(k, "k", minimum=0, func="shift_valid")
    a = np.asarray(frame.to_numpy(dtype=np.float64))
    if k == 0:
        return wrap(a.copy())
    return wrap(_shift_valid_2d(a, k))


def total_return(close: PriceFrame, window: int | str) -> PriceFrame:
    """Total return over ``window`` trading rows (or ``"ytd"``) at every row.

    Parameters
    ----------
    close : Series or DataFrame of adjusted closes (dates x tickers).
    window : rows back (int), a spec such as ``"1m"``/``"3m"``, or ``"ytd"``.

    Returns
    -------
    Same type and labels: ``close[t] / close[t - window] - 1`` over the ticker's own
    rows; NaN where the ticker has no close or fewer than ``window`` earlier closes.

    Examples
    --------
    >>> idx = pd.bdate_range("2024-01-01", periods=4)
    >>> total_return(pd.Series([100.0, 101.0, 99.0, 110.0], index=idx), 2).round(4).tolist()
    [nan, nan, -0.01, 0.0891]
    """
    spec = parse_window(window)
    if spec == "ytd":
        return ytd_return(close)
    frame, wrap = as_price_frame(close, "close", func="total_return")
    a = np.asarray(frame.to_numpy(dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(a / _shift_valid_2d(a, int(spec)) - 1.0)


def ytd_return(close: PriceFrame) -> PriceFrame:
    """Return since the ticker's last close of the previous calendar year, at every row.

    NaN for rows in a ticker's first calendar year of data (no previous-year close).

    Examples
    --------
    >>> idx = pd.to_datetime(["2023-12-28", "2023-12-29", "2024-01-02", "2024-01-03"])
    >>> ytd_return(pd.Series([90.0, 100.0, 105.0, 95.0], index=idx)).round(4).tolist()
    [nan, nan, 0.05, -0.05]
    """
    frame, wrap = as_price_frame(close, "close", func="ytd_return")
    years = frame.index.year
    # Last valid close per calendar year, then shifted so each year sees the previous one.
    year_end = frame.groupby(years).last()
    prev = year_end.shift(1)
    # A gap year (no rows at all) must not make an older year-end look like last year's.
    has_prev_year = np.isin(year_end.index - 1, year_end.index)
    prev.loc[~has_prev_year] = np.nan
    base = prev.reindex(years).to_numpy(dtype=np.float64)
    a = frame.to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(a / base - 1.0)
