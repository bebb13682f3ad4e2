"""Forward returns after dates (alert firings) and hit rates, against all sessions.

For a firing on day ``t`` the forward return over ``h`` sessions is the ticker's
return from the close of ``t`` to the close ``h`` sessions later (the alert is known on
the close of ``t``). Windows that would end after the last close given are left out
(``None``), so nothing after the evaluation's end is read. The hit rate is the share
of firings followed by a positive return; the base rate is the same over every session
with a complete window in the same period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["HORIZONS", "forward_after"]

#: label -> sessions
HORIZONS: dict[str, int] = {"1w": 5, "1m": 21, "3m": 63}


def _fwd(values: np.ndarray, h: int) -> np.ndarray:
    out = np.full(len(values), np.nan)
    if len(values) > h:
        out[:-h] = values[h:] / values[:-h] - 1.0
    return out


def forward_after(fired: Mapping[str, Iterable[pd.Timestamp]], close: pd.Series,
                  start: Any, end: Any, *, horizons: Mapping[str, int] | None = None
                  ) -> dict[str, Any]:
    """Forward returns of ``close`` after each firing, per rule, with hit rates.

    Parameters
    ----------
    fired : rule id -> firing dates.
    close : the ticker's closes (its own sessions); rows after ``end`` are ignored.
    start, end : the period of the base rates (inclusive).
    horizons : label -> sessions (default :data:`HORIZONS`).

    Returns
    -------
    {"ticker", "base": {label: {"n", "mean", "hit_rate"}},
     "rules": {id: {"firings": [{"date", label: return | None}],
                    "summary": {label: {"n", "mean", "hit_rate", "edge"}}}}}
    ``edge`` is the mean forward return after firings minus the base mean. A firing on a
    day the ticker has no close is measured from its last close before it.
    """
    hz = dict(horizons or HORIZONS)
    s = close.dropna().astype(np.float64)
    s = s[s.index <= pd.Timestamp(end)]
    values = s.to_numpy()
    fwd = {k: _fwd(values, h) for k, h in hz.items()}
    in_period = (s.index >= pd.Timestamp(start)) & (s.index <= pd.Timestamp(end))
    base: dict[str, dict[str, Any]] = {}
    for k, f in fwd.items():
        x = f[in_period]
        x = x[np.isfinite(x)]
        base[k] = {"n": int(len(x)), "mean": float(x.mean()) if len(x) else None,
                   "hit_rate": float((x > 0).mean()) if len(x) else None}
    rules: dict[str, Any] = {}
    for rid, dates in fired.items():
        days = pd.DatetimeIndex(list(dates))
        pos = s.index.searchsorted(days, side="right") - 1
        rows = []
        per: dict[str, list[float]] = {k: [] for k in hz}
        for d, p in zip(days, pos, strict=True):
            row: dict[str, Any] = {"date": f"{d:%Y-%m-%d}"}
            for k in hz:
                v = fwd[k][p] if p >= 0 else np.nan
                row[k] = float(v) if np.isfinite(v) else None
                if np.isfinite(v):
                    per[k].append(float(v))
            rows.append(row)
        summary = {}
        for k, vals in per.items():
            x = np.array(vals)
            mean = float(x.mean()) if len(x) else None
            summary[k] = {"n": int(len(x)), "mean": mean,
                          "hit_rate": float((x > 0).mean()) if len(x) else None,
                          "edge": (mean - base[k]["mean"]) if mean is not None
                          and base[k]["mean"] is not None else None}
        rules[rid] = {"firings": rows, "summary": summary}
    return {"ticker": str(close.name) if close.name is not None else None, "base": base,
            "rules": rules}
