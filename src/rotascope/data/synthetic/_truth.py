"""Ground truth of the injected episodes, measured on the generated closes (internal).

Every figure is read back from the output matrix, not copied from the request, so it
states what the data shows. Changes are simple fractions (``-0.2`` = down 20%).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .episodes import RUN_UP_ROWS, Plan

__all__: list[str] = []  # private module

#: Columns of ``SyntheticMarket.episodes`` (NaN/NaT/None where a column does not apply).
EPISODE_COLUMNS: tuple[str, ...] = (
    "name", "kind", "target", "start", "end", "description",
    "peak_date", "trough_date", "bounce_date", "decline", "retraced", "worst_decline_10d",
    "floor", "ceiling", "band", "range_days", "exit", "exit_date",
    "spy_change", "mags_spy_change", "rsp_spy_change", "xmag_mags_change", "ratio_low_rows",
    "breadth_start", "breadth_end", "breadth_min", "breadth_min_date",
    "hyg_ief_change", "vixy_change", "tnx_change",
)

BREADTH_WINDOW = 50


def breadth(stocks: np.ndarray, row: int, window: int = BREADTH_WINDOW) -> float:
    """Share of stocks whose close on ``row`` is above the mean of their last ``window``
    closes, among stocks with a close on each of those rows."""
    block = stocks[row - window + 1:row + 1]
    full = ~np.isnan(block).any(axis=0)
    mean = block[:, full].mean(axis=0)
    return float((block[-1, full] > mean).mean())


def _low_rows(ratio: np.ndarray, end: int) -> int:
    """Rows before ``end`` during which the ratio stayed strictly above its value at end."""
    past = ratio[:end]
    lower = np.flatnonzero(~(past > ratio[end]) & ~np.isnan(past))
    first_valid = int(np.flatnonzero(~np.isnan(ratio))[0])
    return end - (int(lower[-1]) + 1 if len(lower) else first_valid)


def _change(x: np.ndarray, a: int, b: int) -> float:
    return float(x[b] / x[a] - 1.0)


def _worst_decline(x: np.ndarray, lo: int, hi: int, window: int = 10) -> float:
    """Worst close-to-close fall within ``window`` rows, ending in rows lo..hi."""
    ends = np.arange(lo, hi + 1)
    lags = np.arange(1, window + 1)
    past = x[np.clip(ends[:, None] - lags, 0, None)]
    return float(np.nanmin(x[ends][:, None] / past - 1.0))


def measure(plan: Plan, close: np.ndarray, col: dict[str, int], n_stocks: int,
            index: pd.DatetimeIndex) -> dict[str, Any]:
    """One row of the episodes table."""
    s, e = plan.start, plan.end
    stocks = close[:, :n_stocks]
    spy = close[:, col["SPY"]]
    row: dict[str, Any] = dict.fromkeys(EPISODE_COLUMNS)
    p = plan.params
    row.update(name=plan.name, kind=plan.kind, target=plan.target, start=index[s],
               end=index[e])
    if plan.kind == "rotation":
        mags, rsp, xmag = (close[:, col[t]] for t in ("MAGS", "RSP", "XMAG"))
        ratio = mags / spy
        b_series = [breadth(stocks, r) for r in range(s, e + 1)]
        row.update(
            description=(f"MAGS falls {p['magnitude']:.0%} relative to SPY over {p['days']} "
                         "rows while SPY moves sideways; money rotates into the other "
                         "stocks (RSP/SPY, XMAG/MAGS and breadth rise)"),
            spy_change=_change(spy, s, e), mags_spy_change=_change(ratio, s, e),
            rsp_spy_change=_change(rsp / spy, s, e), xmag_mags_change=_change(xmag / mags, s, e),
            ratio_low_rows=_low_rows(ratio, e), breadth_start=b_series[0],
            breadth_end=b_series[-1])
    elif plan.kind == "breakdown":
        hyg, ief, vixy, tnx = (close[:, col[t]] for t in ("HYG", "IEF", "VIXY", "^TNX"))
        b_arr = np.array([breadth(stocks, r) for r in range(s, e + 1)])
        k = int(b_arr.argmin())
        row.update(
            description=(f"SPY falls {p['magnitude']:.0%} over {p['days']} rows in a stressed "
                         "regime; most stocks fall, credit (HYG/IEF) weakens, VIXY jumps"),
            spy_change=_change(spy, s, e), breadth_start=float(b_arr[0]),
            breadth_end=float(b_arr[-1]), breadth_min=float(b_arr[k]),
            breadth_min_date=index[s + k], hyg_ief_change=_change(hyg / ief, s, e),
            vixy_change=_change(vixy, s, e), tnx_change=float(tnx[e] - tnx[s]),
            worst_decline_10d=_worst_decline(spy, s + 1, e))
    elif plan.kind == "range":
        band = spy[s:e + 1]
        floor, ceiling = float(band.min()), float(band.max())
        after = spy[e + 1:]
        out = after > ceiling if p["exit"] == "breakout" else after < floor
        exit_row = e + 1 + int(np.argmax(out)) if out.any() else None
        row.update(
            description=(f"SPY closes stay inside a band of width < {p['band']:.1%} for "
                         f"{p['days']} rows, then a {p['exit']} on the next row"),
            floor=floor, ceiling=ceiling, band=ceiling / floor - 1.0, range_days=e - s + 1,
            exit=p["exit"], exit_date=None if exit_row is None else index[exit_row],
            spy_change=_change(spy, s, e))
    else:
        x = close[:, col[plan.target]]
        lo = s - RUN_UP_ROWS + 1
        peak = lo - 1 + int(np.nanargmax(x[lo - 1:s + 1]))
        trough = peak + int(np.nanargmin(x[peak:e + 1]))
        top = trough + 1 + int(np.nanargmax(x[trough + 1:e + 1])) if trough < e else trough
        row.update(
            description=(f"{plan.target} falls {p['magnitude']:.0%} in {p['days']} rows from "
                         f"its peak, then bounces back only {p['retrace']:.0%} of the fall in "
                         f"{p['bounce_days']} rows and fades"),
            peak_date=index[peak], trough_date=index[trough], bounce_date=index[top],
            decline=float(x[trough] / x[peak] - 1.0),
            retraced=float((x[top] - x[trough]) / (x[peak] - x[trough])),
            worst_decline_10d=_worst_decline(x, peak + 1, trough),
            spy_change=_change(spy, peak, trough))
    return row


def episodes_frame(plans: list[Plan], close: np.ndarray, col: dict[str, int],
                   n_stocks: int, index: pd.DatetimeIndex) -> pd.DataFrame:
    rows = [measure(p, close, col, n_stocks, index) for p in plans]  # a handful of episodes
    frame = pd.DataFrame(rows, columns=list(EPISODE_COLUMNS))
    for c in ("start", "end", "peak_date", "trough_date", "bounce_date", "exit_date",
              "breadth_min_date"):
        frame[c] = pd.to_datetime(frame[c])
    floats = ["decline", "retraced", "worst_decline_10d", "floor", "ceiling", "band",
              "spy_change", "mags_spy_change", "rsp_spy_change", "xmag_mags_change",
              "breadth_start", "breadth_end", "breadth_min", "hyg_ief_change", "vixy_change",
              "tnx_change"]
    frame[floats] = frame[floats].astype("float64")
    for c in ("range_days", "ratio_low_rows"):
        frame[c] = frame[c].astype("Int64")
    return frame
