"""Input validation helpers: every message names the function, argument, expectation and value.

Signal functions accept a Series or a DataFrame (dates x tickers) and return the same
type with the same labels. :func:`as_price_frame` validates once and hands back a
``wrap`` callable that turns a 2-D result array back into the caller's type.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .errors import MisalignedIndexError, ParameterError, ParameterTypeError

_T = TypeVar("_T")

__all__ = [
    "as_price_frame",
    "check_int",
    "check_float",
    "check_choice",
    "check_date",
    "align_frames",
    "caller_name",
]


def caller_name(depth: int = 2) -> str:
    """Name of the public function that called a validator, for messages."""
    frame = inspect.currentframe()
    try:
        for _ in range(depth):
            if frame is None or frame.f_back is None:
                return "rotascope"
            frame = frame.f_back
        return frame.f_code.co_name if frame is not None else "rotascope"
    finally:
        del frame


def _func(func: str | None) -> str:
    return func if func is not None else caller_name(3)


def check_int(value: Any, name: str, *, minimum: int | None = None,
              maximum: int | None = None, func: str | None = None) -> int:
    """Return ``value`` as int, or raise ParameterError naming the argument."""
    f = _func(func)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ParameterTypeError(f"{f}(): {name!r} must be an int, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise ParameterError(f"{f}(): {name!r} must be an int {bound}, got {value}")
    if maximum is not None and value > maximum:
        bound = f"<= {maximum}" if minimum is None else f"in [{minimum}, {maximum}]"
        raise ParameterError(f"{f}(): {name!r} must be an int {bound}, got {value}")
    return value


def check_float(value: Any, name: str, *, minimum: float | None = None,
                maximum: float | None = None, func: str | None = None) -> float:
    """Return ``value`` as a finite float within bounds, or raise ParameterError."""
    f = _func(func)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterTypeError(f"{f}(): {name!r} must be a number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ParameterError(f"{f}(): {name!r} must be finite, got {value}")
    if minimum is not None and value < minimum:
        raise ParameterError(f"{f}(): {name!r} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ParameterError(f"{f}(): {name!r} must be <= {maximum}, got {value}")
    return value


def check_choice(value: _T, name: str, choices: Sequence[str], *,
                 func: str | None = None) -> _T:
    """Return ``value`` if it is one of ``choices``, or raise ParameterError listing them."""
    if value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"{_func(func)}(): {name!r} must be one of {opts}, got {value!r}")
    return value


def check_date(value: Any, name: str, *, func: str | None = None) -> pd.Timestamp:
    """Parse a date-like value (ISO string, date, Timestamp) to a normalised Timestamp."""
    f = _func(func)
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{f}(): {name!r} must be a date like 2024-06-28, got {value!r}"
                             ) from exc
    if ts is pd.NaT:
        raise ParameterError(f"{f}(): {name!r} must be a date like 2024-06-28, got {value!r}")
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts.normalize()


def _check_index(index: pd.Index, name: str, f: str) -> None:
    if not isinstance(index, pd.DatetimeIndex):
        raise ParameterTypeError(
            f"{f}(): {name!r} must have a DatetimeIndex, got {type(index).__name__}")
    if index.has_duplicates:
        dups = index[index.duplicated()].unique()[:3]
        shown = ", ".join(d.strftime("%Y-%m-%d") for d in dups)
        raise ParameterError(f"{f}(): {name!r} has duplicated dates ({shown}); "
                             "drop or aggregate them first")
    if not index.is_monotonic_increasing:
        pos = int(np.flatnonzero(np.diff(index.asi8) < 0)[0]) + 1
        raise ParameterError(
            f"{f}(): {name!r} index is not sorted ascending "
            f"({index[pos - 1]:%Y-%m-%d} is followed by {index[pos]:%Y-%m-%d}); "
            "call .sort_index() first")


def as_price_frame(obj: Any, name: str = "close", *, func: str | None = None,
                   ) -> tuple[pd.DataFrame, Callable[[np.ndarray], Any]]:
    """Validate a Series/DataFrame of numbers on a sorted unique DatetimeIndex.

    Returns ``(frame, wrap)``: ``frame`` is a float64 DataFrame (no copy when the
    input already is one); ``wrap(arr2d)`` builds the caller's type (Series or
    DataFrame) with the caller's index, columns and name around a result array.
    """
    f = _func(func)
    if isinstance(obj, pd.Series):
        series_name = obj.name
        frame = obj.to_frame(name=0 if series_name is None else series_name)
        is_series = True
    elif isinstance(obj, pd.DataFrame):
        frame = obj
        is_series = False
        series_name = None
    else:
        raise ParameterTypeError(
            f"{f}(): {name!r} must be a pandas Series or DataFrame with a DatetimeIndex, "
            f"got {type(obj).__name__}")
    _check_index(frame.index, name, f)
    kinds = set(frame.dtypes.unique())  # a handful of dtypes, however many columns
    if kinds != {np.dtype(np.float64)}:
        if not all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
                   for t in kinds):
            bad = [str(c) for c, t in frame.dtypes.items()
                   if not pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t)]
            raise ParameterTypeError(f"{f}(): {name!r} must hold numbers; non-numeric "
                                     "columns: " + ", ".join(bad[:5]))
        if kinds:
            frame = frame.astype(np.float64)
    index, columns = frame.index, frame.columns

    def wrap(values: np.ndarray) -> Any:
        if is_series:
            return pd.Series(values[:, 0] if values.ndim == 2 else values, index=index,
                             name=series_name)
        # copy=False: the result array is fresh; pandas 3 would copy it again by default.
        return pd.DataFrame(values, index=index, columns=columns, copy=False)

    return frame, wrap


def align_frames(frames: dict[str, pd.DataFrame | pd.Series], *, join: str = "exact",
                 func: str | None = None) -> dict[str, Any]:
    """Put several inputs on one date index.

    ``join="exact"`` raises :class:`MisalignedIndexError` listing up to 5 dates one
    input has and another lacks; ``"inner"``/``"outer"``/``"left"`` reindex (the
    first input is "left"). Nothing is filled: missing rows become NaN.
    """
    f = _func(func)
    check_choice(join, "join", ("exact", "inner", "outer", "left"), func=f)
    names = list(frames)
    if not names:
        return {}
    first = frames[names[0]]
    if join == "exact":
        for other in names[1:]:
            a, b = first.index, frames[other].index
            if not a.equals(b):
                missing = a.difference(b)
                who, lacks = other, missing
                if len(missing) == 0:
                    who, lacks = names[0], b.difference(a)
                shown = ", ".join(d.strftime("%Y-%m-%d") for d in lacks[:5])
                more = "" if len(lacks) <= 5 else f", ... ({len(lacks) - 5} more)"
                raise MisalignedIndexError(
                    f"{f}(): {who!r} has no rows for {len(lacks)} dates in the other input "
                    f"({shown}{more}). Reindex it, or pass join=\"inner\" to drop them.")
        return dict(frames)
    if join == "left":
        index = first.index
    else:
        index = first.index
        for other in names[1:]:
            idx = frames[other].index
            index = index.intersection(idx) if join == "inner" else index.union(idx)
    return {k: v.reindex(index) for k, v in frames.items()}


def unique_list(items: Iterable[str]) -> list[str]:
    """Deduplicate keeping first-seen order."""
    return list(dict.fromkeys(items))
