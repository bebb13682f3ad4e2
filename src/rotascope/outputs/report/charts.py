"""The note's charts, drawn with matplotlib (Agg, no global pyplot state) as PNG bytes.

One function per :class:`~rotascope.outputs.report.model.ChartSpec` kind:

* ``index``: the index with its 20/50/100/200-day averages (and a sideways range's
  floor and ceiling, dashed) over its 14-day RSI (30/70 bands);
* ``ratios``: one panel per ratio line with its 50- and 200-day averages;
* ``rrg``: the relative rotation graph (:mod:`rotascope.outputs.rrg_draw`): quadrants
  shaded, each tail from a hollow circle to an arrowhead, labels that never overlap;
* ``breadth``: the share of members above their 50- and 200-day averages, with the
  index on a second axis.

With ``synthetic=True`` every chart carries a large, light diagonal "SYNTHETIC DATA"
mark behind its data (:mod:`rotascope.outputs.watermark`) and a corner label. Sizes are
fixed (900 x 500 pixels) so output is reproducible.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

__all__ = ["render_chart", "draw_chart", "CHART_KINDS", "SYNTHETIC_MARK", "CHART_SIZE"]

SYNTHETIC_MARK = "SYNTHETIC DATA"
#: Width, height (inches) and dpi of every chart.
CHART_SIZE = (9.0, 5.0, 100)

#: Legends go where they cover the fewest points, on a light box so a line under them
#: does not run through the text.
_LEGEND: dict[str, Any] = {"loc": "best", "fontsize": 8, "frameon": True, "framealpha": 0.85,
                           "edgecolor": "none", "facecolor": "white"}
_COLORS = {20: "#9ecae1", 50: "#3182bd", 100: "#fd8d3c", 200: "#d62728"}


def _figure(rows: int = 1, heights: tuple[float, ...] | None = None) -> tuple[Any, list[Any]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    w, h, dpi = CHART_SIZE
    fig = Figure(figsize=(w, h), dpi=dpi)
    FigureCanvasAgg(fig)  # a renderer to measure labels with (the RRG places them)
    _layout(fig)
    if rows == 0:
        return fig, []
    if rows == 1:
        return fig, [fig.add_subplot(1, 1, 1)]
    gs = fig.add_gridspec(rows, 1, height_ratios=heights or (1,) * rows, hspace=0.08)
    axes = [fig.add_subplot(gs[i, 0]) for i in range(rows)]
    for ax in axes[1:]:
        ax.sharex(axes[0])
    return fig, axes


def _layout(fig: Any) -> None:
    # fixed margins, set before drawing so label placement sees the final axes
    fig.subplots_adjust(left=0.07, right=0.93, top=0.91, bottom=0.08)


def _stamp(fig: Any) -> None:
    from ..watermark import stamp_behind_data

    stamp_behind_data(fig, SYNTHETIC_MARK, color="#c0392b", fontsize=54, alpha=0.12)
    fig.text(0.995, 0.005, SYNTHETIC_MARK + " - not a real market", fontsize=9,
             color="#c0392b", ha="right", va="bottom", weight="bold")


def _index(fig_axes: tuple[Any, list[Any]], data: dict[str, Any]) -> None:
    fig, (ax, ax2) = fig_axes
    close = data["close"]
    t = data["ticker"]
    ax.plot(close.index, close.to_numpy(), color="black", lw=1.3, label=t)
    for n, s in data["smas"].items():
        ax.plot(s.index, s.to_numpy(), color=_COLORS.get(n, "grey"), lw=1.0,
                label=f"{n}-day")
    if "range" in data:
        start, floor, ceiling = data["range"]
        for y in (floor, ceiling):
            ax.hlines(y, start, close.index[-1], colors="#7f7f7f", linestyles="--", lw=1.0)
    ax.legend(**_LEGEND, ncol=5)
    ax.grid(alpha=0.25)
    ax.tick_params(labelbottom=False)
    r = data["rsi"]
    ax2.plot(r.index, r.to_numpy(), color="#6a3d9a", lw=1.0)
    ax2.axhline(70, color="#d62728", lw=0.7, ls=":")
    ax2.axhline(30, color="#2ca02c", lw=0.7, ls=":")
    ax2.set_ylim(0, 100)
    ax2.set_ylabel("RSI", fontsize=8)
    ax2.grid(alpha=0.25)


def _ratios(fig: Any, data: dict[str, Any]) -> None:
    ratios = data["ratios"]
    n = len(ratios)
    gs = fig.add_gridspec(n, 1, hspace=0.35)
    for i, (name, d) in enumerate(ratios.items()):
        ax = fig.add_subplot(gs[i, 0])
        ax.plot(d["ratio"].index, d["ratio"].to_numpy(), color="black", lw=1.2, label=name)
        ax.plot(d["sma50"].index, d["sma50"].to_numpy(), color=_COLORS[50], lw=1.0,
                label="50-day")
        ax.plot(d["sma200"].index, d["sma200"].to_numpy(), color=_COLORS[200], lw=1.0,
                label="200-day")
        ax.legend(**_LEGEND, ncol=3)
        ax.grid(alpha=0.25)
        if i < n - 1:
            ax.tick_params(labelbottom=False)


def _rrg(ax: Any, data: dict[str, Any]) -> None:
    import numpy as np

    from ..rrg_draw import draw_rrg

    tails = data["tails"]
    pts = np.array([p for tail in tails.values() for p in tail], dtype=float)
    span = max(2.5, float(np.nanmax(np.abs(pts - 100.0))) * 1.15) if len(pts) else 3.0
    ax.set_xlabel("RS-Ratio", fontsize=9)
    ax.set_ylabel("RS-Momentum", fontsize=9)
    draw_rrg(ax, tails, (100 - span, 100 + span), fontsize=8, quadrant_fontsize=9)


def _breadth(ax: Any, data: dict[str, Any]) -> None:
    p50, p200, idx = data["pct50"], data["pct200"], data["index"]
    ax.plot(p50.index, 100 * p50.to_numpy(), color=_COLORS[50], lw=1.1, label="% above 50-day")
    ax.plot(p200.index, 100 * p200.to_numpy(), color=_COLORS[200], lw=1.1,
            label="% above 200-day")
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of members", fontsize=8)
    ax.grid(alpha=0.25)
    ax.legend(**_LEGEND)
    ax2 = ax.twinx()
    ax2.plot(idx.index, idx.to_numpy(), color="#7f7f7f", lw=1.0)
    ax2.set_ylabel("SPY", fontsize=8)


#: Chart kinds and their drawing functions.
CHART_KINDS: dict[str, Callable[..., None]] = {"index": _index, "ratios": _ratios,
                                               "rrg": _rrg, "breadth": _breadth}


def render_chart(spec: Any, *, synthetic: bool = False) -> bytes:
    """Draw ``spec`` (a :class:`ChartSpec`) and return PNG bytes.

    Raises
    ------
    ParameterError
        Unknown chart kind.
    """
    fig = draw_chart(spec, synthetic=synthetic)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def draw_chart(spec: Any, *, synthetic: bool = False) -> Any:
    """The matplotlib Figure of ``spec`` (what :func:`render_chart` saves)."""
    from ...errors import ParameterError

    if spec.kind not in CHART_KINDS:
        raise ParameterError(f"render_chart(): unknown chart kind {spec.kind!r}")
    if spec.kind == "index":
        fig, axes = _figure(2, (3.0, 1.0))
        _index((fig, axes), dict(spec.data))
    elif spec.kind == "ratios":
        fig, _ = _figure(0)
        _ratios(fig, dict(spec.data))
    else:
        fig, (ax,) = _figure(1)
        CHART_KINDS[spec.kind](ax, dict(spec.data))
    fig.suptitle(spec.title, fontsize=10, x=0.01, ha="left")
    if synthetic:
        _stamp(fig)
    return fig
