"""Compiled scatter of long (column, day, value) rows into a wide matrix."""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["scatter_wide"]


@nb.njit(cache=True, nogil=True)
def scatter_wide(keys: np.ndarray, lookup: np.ndarray, days: np.ndarray, values: np.ndarray,
                 ncols: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows -> a (dates x ncols) Fortran-ordered matrix, NaN where no row.

    Row i goes to column ``lookup[keys[i]]`` (rows whose column is -1 are not wanted and
    are skipped, with their dates). ``days`` are integer day numbers; the output's dates
    are the distinct days of the wanted rows, sorted.
    Returns ``(matrix, dates)`` with ``dates`` the int64 day numbers of the rows. One
    pass to mark the days present, one to write: linear in the number of rows.
    """
    n = days.shape[0]
    lo = np.int64(0)
    hi = np.int64(-1)
    first = True
    for i in range(n):
        if lookup[keys[i]] < 0:
            continue
        d = np.int64(days[i])
        if first or d < lo:
            lo = d
        if first or d > hi:
            hi = d
        first = False
    if first:
        return np.empty((ncols, 0)).T, np.empty(0, np.int64)
    span = hi - lo + 1
    present = np.zeros(span, np.bool_)
    for i in range(n):
        if lookup[keys[i]] >= 0:
            present[days[i] - lo] = True
    row_of = np.empty(span, np.int64)
    count = 0
    for k in range(span):
        row_of[k] = count
        if present[k]:
            count += 1
    dates = np.empty(count, np.int64)
    for k in range(span):
        if present[k]:
            dates[row_of[k]] = np.int64(k) + np.int64(lo)
    # (ncols x dates) in C order is (dates x ncols) in Fortran order: each ticker's
    # history contiguous, the layout the signal kernels stream fastest.
    out = np.empty((ncols, count))
    out[:] = np.nan
    for i in range(n):
        col = lookup[keys[i]]
        if col >= 0:
            out[col, row_of[days[i] - lo]] = values[i]
    return out.T, dates
