"""pandas <-> array glue shared by the indicator modules (no copies on the way in or out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .._validation import as_price_frame, check_choice, check_int

__all__ = ["prepare", "check_window", "check_missing", "check_min_periods"]

MISSING_CHOICES = ("skip", "propagate")


def prepare(close: Any, func: str, name: str = "close",
            ) -> tuple[np.ndarray, Callable[[np.ndarray], Any]]:
    """Validate ``close`` and return ``(values, wrap)``.

    ``values`` is a read-only 2-D float64 view of the data (no copy when the frame holds
    one float64 block, in whatever memory order pandas keeps it); ``wrap(result)`` puts a
    2-D result back into the caller's type (Series or DataFrame) and labels, again
    without copying.
    """
    if isinstance(close, pd.DataFrame) and _all_float64(close):
        # fast path (the usual wide price matrix): the per-column dtype checks of
        # as_price_frame cost ~13 ms at 12,000 columns; validate only the index
        as_price_frame(close.iloc[:, :0], name, func=func)
        frame = close
    else:
        frame, _ = as_price_frame(close, name, func=func)
    values = frame.to_numpy(dtype=np.float64, copy=False)
    if values.flags.writeable:
        values = values.view()
        values.flags.writeable = False
    index, columns = frame.index, frame.columns
    if isinstance(close, pd.Series):
        series_name = close.name

        def wrap(result: np.ndarray) -> Any:
            return pd.Series(result[:, 0], index=index, name=series_name, copy=False)
    else:
        def wrap(result: np.ndarray) -> Any:
            return pd.DataFrame(result, index=index, columns=columns, copy=False)

    return values, wrap


def check_window(value: Any, name: str, func: str, minimum: int = 1) -> int:
    """``window``-like argument: an int >= ``minimum``."""
    return check_int(value, name, minimum=minimum, func=func)


def check_missing(value: Any, func: str) -> bool:
    """Return True for ``missing="skip"``, False for ``"propagate"``."""
    return check_choice(value, "missing", MISSING_CHOICES, func=func) == "skip"


def check_min_periods(value: Any, window: int, func: str) -> int:
    """``min_periods``: None means ``window``; otherwise an int in [1, window]."""
    if value is None:
        return window
    return check_int(value, "min_periods", minimum=1, maximum=window, func=func)


def _all_float64(frame: pd.DataFrame) -> bool:
    kinds = frame.dtypes.unique()
    return len(kinds) == 1 and kinds[0] == np.float64
