"""Plotly figure dicts (data + layout + frames) of the pages; drawn by plotly.js."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["line_figure", "spark_figure", "bar_figure", "rrg_figure", "ratio_series"]

_LAYOUT = {"margin": {"l": 50, "r": 20, "t": 40, "b": 40}, "template": "plotly_white",
           "legend": {"orientation": "h"}}


def _xy(s: pd.Series) -> tuple[list[str], list[float | None]]:
    s = s.dropna()
    return [f"{d:%Y-%m-%d}" for d in s.index], [float(v) for v in s.to_numpy()]


def line_figure(series: dict[str, pd.Series], title: str, *,
                markers: dict[str, pd.Series] | None = None) -> dict[str, Any]:
    data: list[dict[str, Any]] = []
    for name, s in series.items():
        x, y = _xy(s)
        data.append({"type": "scatter", "mode": "lines", "name": name, "x": x, "y": y})
    for name, s in (markers or {}).items():
        x, y = _xy(s)
        data.append({"type": "scatter", "mode": "markers", "name": name, "x": x, "y": y,
                     "marker": {"size": 7, "symbol": "diamond"}})
    return {"data": data, "layout": {**_LAYOUT, "title": {"text": title}}}


def spark_figure(s: pd.Series) -> dict[str, Any]:
    x, y = _xy(s)
    return {"data": [{"type": "scatter", "mode": "lines", "x": x, "y": y,
                      "line": {"width": 1.5}, "hoverinfo": "x+y"}],
            "layout": {"margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": 60,
                       "xaxis": {"visible": False}, "yaxis": {"visible": False},
                       "showlegend": False}}


def bar_figure(labels: list[str], values: list[float | None], title: str,
               *, percent: bool = True) -> dict[str, Any]:
    return {"data": [{"type": "bar", "x": labels, "y": values}],
            "layout": {**_LAYOUT, "title": {"text": title},
                       "yaxis": {"tickformat": ".1%" if percent else ""}}}


def ratio_series(close: pd.DataFrame, a: str, b: str) -> pd.Series:
    """A/B on the dates both have a close (no fill)."""
    both = close[[a, b]].dropna()
    return (both[a] / both[b]).rename(f"{a}/{b}")


def extremes(ratio: pd.Series, months: int) -> tuple[pd.Series, pd.Series]:
    """Closes that are the lowest / highest of the preceding ``months`` x 21 rows
    (inclusive of the day itself): the N-month lows and highs the explorer marks."""
    window = months * 21
    lo = ratio.rolling(window + 1, min_periods=window + 1).min()
    hi = ratio.rolling(window + 1, min_periods=window + 1).max()
    return ratio[ratio <= lo], ratio[ratio >= hi]


def rrg_figure(payload: dict[str, Any], tail: int) -> dict[str, Any]:
    """Animated RRG: each frame shows every ticker's last ``tail`` points up to one
    date; the slider steps through the dates (points are point-in-time already)."""
    points = [p for p in payload["points"] if p.get("tail")]
    dates = sorted({t["date"] for p in points for t in p["tail"]})
    frames_dates = [d for d in dates if sum(1 for p in points
                                            for t in p["tail"] if t["date"] <= d) > 0]
    frames_dates = frames_dates[tail - 1:] if len(frames_dates) > tail else frames_dates

    def traces(upto: str) -> list[dict[str, Any]]:
        out = []
        for p in points:
            seg = [t for t in p["tail"] if t["date"] <= upto][-tail:]
            out.append({"type": "scatter", "mode": "lines+markers+text", "name": p["ticker"],
                        "x": [t["rs_ratio"] for t in seg], "y": [t["rs_momentum"] for t in seg],
                        "text": [""] * (len(seg) - 1) + [p["ticker"]] if seg else [],
                        "textposition": "top center",
                        "marker": {"size": [4] * (len(seg) - 1) + [10] if seg else []}})
        return out

    all_x = [t["rs_ratio"] for p in points for t in p["tail"]]
    all_y = [t["rs_momentum"] for p in points for t in p["tail"]]
    pad = 0.5
    span_x = [min(all_x + [100]) - pad, max(all_x + [100]) + pad] if all_x else [95, 105]
    span_y = [min(all_y + [100]) - pad, max(all_y + [100]) + pad] if all_y else [95, 105]
    last = frames_dates[-1] if frames_dates else payload["as_of"]
    shapes = [{"type": "line", "x0": 100, "x1": 100, "y0": span_y[0], "y1": span_y[1],
               "line": {"color": "#999", "width": 1}},
              {"type": "line", "x0": span_x[0], "x1": span_x[1], "y0": 100, "y1": 100,
               "line": {"color": "#999", "width": 1}}]
    steps = [{"label": d, "method": "animate",
              "args": [[d], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                             "transition": {"duration": 0}}]} for d in frames_dates]
    layout = {**_LAYOUT, "title": {"text": f"Relative rotation vs {payload['benchmark']} "
                                           f"({payload['period']}), tails of {tail}"},
              "xaxis": {"title": {"text": "RS-Ratio"}, "range": span_x},
              "yaxis": {"title": {"text": "RS-Momentum"}, "range": span_y},
              "shapes": shapes, "height": 620,
              "annotations": [{"x": span_x[1], "y": span_y[1], "text": "leading",
                               "showarrow": False, "xanchor": "right"},
                              {"x": span_x[0], "y": span_y[1], "text": "improving",
                               "showarrow": False, "xanchor": "left"},
                              {"x": span_x[0], "y": span_y[0], "text": "lagging",
                               "showarrow": False, "xanchor": "left"},
                              {"x": span_x[1], "y": span_y[0], "text": "weakening",
                               "showarrow": False, "xanchor": "right"}],
              "sliders": [{"active": max(len(steps) - 1, 0), "steps": steps,
                           "currentvalue": {"prefix": "week of "}, "pad": {"t": 40}}],
              "updatemenus": [{"type": "buttons", "showactive": False, "x": 0, "y": -0.12,
                               "buttons": [{"label": "play", "method": "animate",
                                            "args": [None, {"frame": {"duration": 400,
                                                                      "redraw": True},
                                                            "fromcurrent": False}]}]}]}
    frames = [{"name": d, "data": traces(d)} for d in frames_dates]
    return {"data": traces(last), "layout": layout, "frames": frames}


def finite(values: Any) -> list[float | None]:
    return [None if v is None or not np.isfinite(v) else float(v) for v in values]
