"""Charts as PNG (matplotlib, Agg) or interactive HTML (plotly, offline).

Every chart function takes results or price series (no store access), writes one file
and returns its path. The format follows the suffix: ``.png`` or ``.html``. Each chart
is labelled with its as-of date and its data source in the title and a footer;
``synthetic=True`` stamps "SYNTHETIC DATA" across it (the demo note uses it).

HTML files work offline: plotly.js is embedded in the file (``plotlyjs="inline"``,
about 4.5 MB) or written once as ``plotly.min.js`` beside it (``plotlyjs="directory"``);
never loaded from a CDN. Data go into the page as plain JSON numbers and ISO dates.

matplotlib and plotly are imported inside the functions; the PNG path uses the Agg
canvas directly, so nothing changes matplotlib's global backend.

Charts
------
:func:`line_chart`     one or more series with moving averages and an optional RSI panel
                       (the generic helper the report reuses).
:func:`ratio_chart`    a ratio line A/B with its 50- and 200-day averages.
:func:`rrg_chart`      a relative rotation graph with tails and quadrants.
:func:`breadth_chart`  breadth history under the index: share above averages, net new
                       highs, McClellan oscillator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import ParameterError, ParameterTypeError

__all__ = ["line_chart", "ratio_chart", "rrg_chart", "breadth_chart", "regime_chart",
           "CHART_FORMATS",
           "SYNTHETIC_STAMP"]

CHART_FORMATS = (".png", ".html")
SYNTHETIC_STAMP = "SYNTHETIC DATA"
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939")


# -- a small, backend-neutral description of a figure --------------------------------------

@dataclass
class _Trace:
    x: Any
    y: Any
    name: str
    color: str | None = None
    dash: bool = False
    width: float = 1.5
    markers: bool = False
    kind: str = "line"          # "line", "bar" or "area" (a step area down to zero)
    label_last: str | None = None


@dataclass
class _Panel:
    traces: list[_Trace]
    ylabel: str = ""
    hlines: list[float] = field(default_factory=list)
    log: bool = False
    ratio: float = 1.0
    percent: bool = False
    ylim: tuple[float, float] | None = None


@dataclass
class _Figure:
    title: str
    footer: str
    panels: list[_Panel]
    synthetic: bool = False
    height: float = 6.0


def _check_path(path: str | Path, func: str) -> tuple[Path, str]:
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in CHART_FORMATS:
        raise ParameterError(f"{func}(): the output file must end in .png or .html, got "
                             f"{str(path)!r}")
    p.parent.mkdir(parents=True, exist_ok=True)
    return p, suffix


def _labels(title: str, as_of: Any, source: str) -> tuple[str, str]:
    day = "" if as_of is None else pd.Timestamp(as_of).strftime("%Y-%m-%d")
    full = f"{title} (as of {day})" if day else title
    footer = f"Source: {source}" + (f" · data to {day}" if day else "") + " · rotascope"
    return full, footer


def _xlist(index: pd.Index) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in pd.DatetimeIndex(index)]


def _ylist(values: Any) -> list[float | None]:
    arr = np.asarray(values, dtype=np.float64)
    return [None if not np.isfinite(v) else float(v) for v in arr]


def _write(fig: _Figure, path: Path, suffix: str, plotlyjs: str) -> Path:
    if suffix == ".png":
        _render_png(fig, path)
    else:
        _render_html(fig, path, plotlyjs)
    return path


def _render_png(fig: _Figure, path: Path) -> None:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - matplotlib is a core dependency
        raise ImportError("PNG charts need matplotlib: pip install matplotlib") from exc
    ratios = [p.ratio for p in fig.panels]
    mfig = Figure(figsize=(11, fig.height), dpi=110)
    FigureCanvasAgg(mfig)
    axes = mfig.subplots(len(fig.panels), 1, sharex=True, squeeze=False,
                         gridspec_kw={"height_ratios": ratios})[:, 0]
    for ax, panel in zip(axes, fig.panels, strict=True):
        for k, tr in enumerate(panel.traces):
            color = tr.color or _COLORS[k % len(_COLORS)]
            x = pd.to_datetime(pd.Index(tr.x)).to_numpy()
            y = np.asarray([np.nan if v is None else v for v in tr.y], dtype=float)
            if tr.kind == "bar":
                ax.bar(x, y, color=color, width=1.0, label=tr.name)
            elif tr.kind == "area":
                ax.fill_between(x, 0.0, np.nan_to_num(y), step="post", color=color,
                                label=tr.name, linewidth=0)
            else:
                ax.plot(x, y, color=color, lw=tr.width, ls="--" if tr.dash else "-",
                        marker="o" if tr.markers else None, ms=3, label=tr.name)
        for h in panel.hlines:
            ax.axhline(h, color="#888888", lw=0.8, ls=":")
        if panel.log:
            ax.set_yscale("log")
        if panel.ylim:
            ax.set_ylim(*panel.ylim)
        if panel.percent:
            from matplotlib.ticker import PercentFormatter

            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel(panel.ylabel)
        ax.grid(True, alpha=0.3)
        if len(panel.traces) > 1:
            ax.legend(loc="best", fontsize=8, frameon=True, framealpha=0.85, edgecolor="none")
    axes[0].set_title(fig.title, loc="left", fontsize=12)
    mfig.text(0.01, 0.005, fig.footer, fontsize=8, color="#555555", ha="left", va="bottom")
    mfig.tight_layout(rect=(0, 0.03, 1, 1))
    if fig.synthetic:
        from .watermark import stamp_behind_data

        stamp_behind_data(mfig, SYNTHETIC_STAMP, color="#cc0000", fontsize=54, alpha=0.12)
    mfig.savefig(path, format="png")


def _plotly_js_option(plotlyjs: str, path: Path) -> Any:
    if plotlyjs == "inline":
        return True
    if plotlyjs == "directory":
        return "directory"
    raise ParameterError(f"charts: 'plotlyjs' must be 'inline' or 'directory', got {plotlyjs!r}")


def _render_html(fig: _Figure, path: Path, plotlyjs: str) -> None:
    try:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots
    except ImportError as exc:  # pragma: no cover - plotly is a core dependency
        raise ImportError("HTML charts need plotly: pip install plotly") from exc
    total = sum(p.ratio for p in fig.panels)
    pfig = make_subplots(rows=len(fig.panels), cols=1, shared_xaxes=True,
                         vertical_spacing=0.04,
                         row_heights=[p.ratio / total for p in fig.panels])
    for row, panel in enumerate(fig.panels, start=1):
        for k, tr in enumerate(panel.traces):
            color = tr.color or _COLORS[k % len(_COLORS)]
            if tr.kind == "bar":
                pfig.add_trace(go.Bar(x=list(tr.x), y=list(tr.y), name=tr.name,
                                      marker_color=color), row=row, col=1)
            elif tr.kind == "area":
                pfig.add_trace(go.Scatter(
                    x=list(tr.x), y=[0.0 if v is None else v for v in tr.y], name=tr.name,
                    mode="lines", line={"color": color, "width": 0, "shape": "hv"},
                    fill="tozeroy", fillcolor=color), row=row, col=1)
            else:
                pfig.add_trace(go.Scatter(
                    x=list(tr.x), y=list(tr.y), name=tr.name,
                    mode="lines+markers" if tr.markers else "lines",
                    line={"color": color, "width": tr.width, "dash": "dash" if tr.dash else
                          "solid"}), row=row, col=1)
        for h in panel.hlines:
            pfig.add_hline(y=h, line_dash="dot", line_color="#888888", row=row, col=1)
        pfig.update_yaxes(title_text=panel.ylabel, type="log" if panel.log else None,
                          tickformat=".0%" if panel.percent else None,
                          range=list(panel.ylim) if panel.ylim else None, row=row, col=1)
    _html_labels(pfig, fig)
    pfig.update_layout(height=int(fig.height * 110), hovermode="x unified")
    pfig.write_html(str(path), include_plotlyjs=_plotly_js_option(plotlyjs, path),
                    full_html=True)


def _html_labels(pfig: Any, fig: _Figure, *, stamp: bool = True) -> None:
    """Title, footer and (synthetic, unless ``stamp=False``) the stamp: the label of a
    paper-wide shape on the "below" layer, so under the traces. (plotly hides such a
    label under data-bound "below" shapes: the RRG, whose quadrants are shapes, draws
    its own stamp as its first trace.)"""
    pfig.update_layout(title={"text": fig.title, "x": 0.01}, template="plotly_white",
                       margin={"b": 60})
    pfig.add_annotation(text=fig.footer, xref="paper", yref="paper", x=0, y=-0.08,
                        showarrow=False, font={"size": 10, "color": "#555555"},
                        xanchor="left")
    if fig.synthetic and stamp:
        # a shape under the traces (an annotation would cover them)
        pfig.add_shape(type="rect", xref="paper", yref="paper", x0=0, x1=1, y0=0, y1=1,
                       line_width=0, fillcolor="rgba(0,0,0,0)", layer="below",
                       label={"text": SYNTHETIC_STAMP, "textangle": -25,
                              "font": {"size": 60, "color": "rgba(204,0,0,0.15)"}})


# -- public charts ------------------------------------------------------------------------

def _series_frame(data: Any, func: str) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        return data.to_frame(name=data.name if data.name is not None else "value")
    if isinstance(data, pd.DataFrame):
        return data
    raise ParameterTypeError(f"{func}(): 'data' must be a Series or DataFrame with a "
                             f"DatetimeIndex, got {type(data).__name__}")


def line_chart(data: pd.Series | pd.DataFrame, path: str | Path, *, title: str = "",
               averages: Sequence[int] = (50, 200), rsi_window: int | None = None,
               start: Any = None, log: bool = False, ylabel: str = "",
               as_of: Any = None, source: str = "rotascope store", synthetic: bool = False,
               plotlyjs: Literal["inline", "directory"] = "inline") -> Path:
    """A line chart of one or more series, with moving averages and an RSI panel.

    Parameters
    ----------
    data : Series or DataFrame (dates x series) of levels (e.g. an index's closes).
    path : output file, ``.png`` or ``.html``.
    title : chart title; " (as of <date>)" is appended.
    averages : simple-average windows drawn (dashed) for the first series; computed on
        the full ``data`` before ``start`` cuts the view, so they are warm at the left.
    rsi_window : add a Wilder RSI panel (30/70 lines) of the first series.
    start : first date shown.
    log : log scale for the price panel.
    ylabel, as_of, source : labels (``as_of`` default: the last date of ``data``).
    synthetic : stamp "SYNTHETIC DATA".
    plotlyjs : HTML only: "inline" (self-contained) or "directory" (plotly.min.js
        beside the file).

    Returns
    -------
    Path of the written file.
    """
    from ..analysis.indicators import rsi, sma

    p, suffix = _check_path(path, "line_chart")
    frame = _series_frame(data, "line_chart").astype(float)
    if frame.empty:
        raise ParameterError("line_chart(): 'data' is empty")
    first = frame.iloc[:, 0]
    extra = {f"SMA {w}": sma(first, int(w)) for w in averages}
    view = slice(pd.Timestamp(start), None) if start is not None else slice(None)
    shown = frame.loc[view]
    x = _xlist(shown.index)
    traces = [_Trace(x, _ylist(shown[c]), str(c)) for c in shown.columns]
    for k, (name, s) in enumerate(extra.items()):
        traces.append(_Trace(x, _ylist(s.loc[view]), name, color=_COLORS[(k + 3)
                                                                          % len(_COLORS)],
                             dash=True, width=1.0))
    panels = [_Panel(traces, ylabel=ylabel, log=log, ratio=3.0)]
    if rsi_window:
        r = rsi(first, int(rsi_window)).loc[view]
        panels.append(_Panel([_Trace(x, _ylist(r), f"RSI {rsi_window}", color="#9467bd")],
                             ylabel="RSI", hlines=[30.0, 70.0], ylim=(0.0, 100.0), ratio=1.0))
    day = as_of if as_of is not None else frame.index[-1]
    full, footer = _labels(title or ", ".join(map(str, frame.columns)), day, source)
    return _write(_Figure(full, footer, panels, synthetic), p, suffix, plotlyjs)


def ratio_chart(close: pd.DataFrame, numerator: str, denominator: str, path: str | Path, *,
                averages: Sequence[int] = (50, 200), start: Any = None, as_of: Any = None,
                source: str = "rotascope store", synthetic: bool = False,
                plotlyjs: Literal["inline", "directory"] = "inline") -> Path:
    """The ratio line ``numerator/denominator`` with its moving averages.

    The ratio is taken on dates both legs have a close (nothing filled); averages count
    ratio points (as in :mod:`rotascope.analysis.ratio`). Returns the written path.
    """
    from ..analysis.ratio import ratio_matrix

    if not isinstance(close, pd.DataFrame):
        raise ParameterTypeError("ratio_chart(): 'close' must be a DataFrame with both legs")
    if as_of is not None:
        close = close.loc[:pd.Timestamp(as_of)]
    pair = f"{numerator}/{denominator}"
    ratio = ratio_matrix(close, [(numerator, denominator)])[pair].dropna()
    if ratio.empty:
        raise ParameterError(f"ratio_chart(): {pair} has no common dates")
    return line_chart(ratio.rename(pair), path, title=f"{pair} ratio", averages=averages,
                      start=start, as_of=ratio.index[-1] if as_of is None else as_of,
                      source=source, synthetic=synthetic, plotlyjs=plotlyjs)


def breadth_chart(history: pd.DataFrame, index_close: pd.Series, path: str | Path, *,
                  windows: Sequence[int] = (50, 200), start: Any = None,
                  index_name: str | None = None, universe: str = "",
                  as_of: Any = None, source: str = "rotascope store",
                  synthetic: bool = False,
                  plotlyjs: Literal["inline", "directory"] = "inline") -> Path:
    """Breadth history under the index.

    Panels: the index close with its 50/200-day averages; the share of members above
    their ``windows`` averages (50% line); net new highs (bars); the McClellan
    oscillator (0 line). ``history`` is :func:`rotascope.analysis.breadth.breadth_history`.
    """
    from ..analysis.indicators import sma

    p, suffix = _check_path(path, "breadth_chart")
    if not isinstance(history, pd.DataFrame) or not isinstance(index_close, pd.Series):
        raise ParameterTypeError("breadth_chart(): pass the breadth_history DataFrame and "
                                 "the index closes as a Series")
    need = [f"pct_above_sma_{w}" for w in windows] + ["net_new_highs", "mcclellan_oscillator"]
    missing = [c for c in need if c not in history.columns]
    if missing:
        raise ParameterError(f"breadth_chart(): 'history' has no column {', '.join(missing)}")
    if as_of is not None:
        history = history.loc[:pd.Timestamp(as_of)]
        index_close = index_close.loc[:pd.Timestamp(as_of)]
    name = index_name or str(index_close.name or "index")
    idx = index_close.dropna()
    avgs = {w: sma(idx, w) for w in (50, 200)}
    lo = pd.Timestamp(start) if start is not None else history.index[0]
    idx_v = idx.loc[lo:]
    hist = history.loc[lo:]
    xi = _xlist(idx_v.index)
    xh = _xlist(hist.index)
    panels = [
        _Panel([_Trace(xi, _ylist(idx_v), name),
                *[_Trace(xi, _ylist(avgs[w].loc[lo:]), f"SMA {w}", dash=True, width=1.0,
                         color=_COLORS[3 + k]) for k, w in enumerate((50, 200))]],
               ylabel=name, ratio=2.0),
        _Panel([_Trace(xh, _ylist(hist[f"pct_above_sma_{w}"]), f"% above {w}-day",
                       color=_COLORS[k]) for k, w in enumerate(windows)],
               ylabel="members above", hlines=[0.5], percent=True, ylim=(0.0, 1.0)),
        _Panel([_Trace(xh, _ylist(hist["net_new_highs"]), "net new 52-week highs",
                       kind="bar", color="#2ca02c")], ylabel="net new highs", hlines=[0.0]),
        _Panel([_Trace(xh, _ylist(hist["mcclellan_oscillator"]), "McClellan oscillator",
                       color="#8c564b")], ylabel="McClellan", hlines=[0.0]),
    ]
    day = as_of if as_of is not None else history.index[-1]
    title = f"Breadth{' of ' + universe if universe else ''} under {name}"
    full, footer = _labels(title, day, source)
    return _write(_Figure(full, footer, panels, synthetic, height=8.5), p, suffix, plotlyjs)


def rrg_chart(result: Any, path: str | Path, *, title: str | None = None,
              source: str = "rotascope store", synthetic: bool = False,
              plotlyjs: Literal["inline", "directory"] = "inline") -> Path:
    """A relative rotation graph with tails, from :func:`rotascope.analysis.rotation.rrg`.

    x = RS-Ratio, y = RS-Momentum, both centred on 100; the four quadrants shaded
    (leading top right, weakening bottom right, lagging bottom left, improving top
    left); each ticker's tail runs from a hollow circle (its oldest point) to an
    arrowhead (its latest), labelled so that no two labels overlap (a leader line joins
    a label that had to move). The SYNTHETIC stamp sits behind the data.
    """
    from ..analysis.rotation import RRGResult

    if not isinstance(result, RRGResult):
        raise ParameterTypeError("rrg_chart(): 'result' must be the RRGResult of rrg(), got "
                                 f"{type(result).__name__}")
    p, suffix = _check_path(path, "rrg_chart")
    pts = [pt for pt in result.points if pt.tail]
    if not pts:
        raise ParameterError("rrg_chart(): no ticker has an RRG point yet (too little "
                             "history)")
    xs = [tp.rs_ratio for pt in pts for tp in pt.tail]
    ys = [tp.rs_momentum for pt in pts for tp in pt.tail]
    span = max(1.0, max(abs(v - 100.0) for v in xs + ys)) * 1.15
    lim = (100.0 - span, 100.0 + span)
    head = title or f"Relative rotation vs {result.benchmark} ({result.period}, tail " \
        f"{result.tail})"
    full, footer = _labels(head, result.as_of, source)
    footer += (f" · RS-Ratio/RS-Momentum: causal z-score approximation (smoothing "
               f"{result.smoothing}, window {result.window}, lag {result.momentum_lag}, "
               f"momentum window {result.momentum_window})")
    if suffix == ".png":
        _rrg_png(pts, p, lim, full, footer, synthetic)
    else:
        _rrg_html(pts, p, lim, full, footer, synthetic, plotlyjs)
    return p


def _rrg_png(pts: list[Any], path: Path, lim: tuple[float, float], title: str, footer: str,
             synthetic: bool) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .rrg_draw import draw_rrg
    from .watermark import stamp_behind_data

    fig = Figure(figsize=(9, 9), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.set_xlim(*lim)
    ax.set_ylim(*lim)
    ax.set_xlabel("RS-Ratio")
    ax.set_ylabel("RS-Momentum")
    ax.set_title(title, loc="left", fontsize=12)
    fig.text(0.01, 0.005, footer, fontsize=7, color="#555555", ha="left", va="bottom",
             wrap=True)
    # the layout first: labels are placed in pixels of the final axes
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    draw_rrg(ax, {pt.ticker: [(tp.rs_ratio, tp.rs_momentum) for tp in pt.tail] for pt in pts},
             lim, fontsize=9, quadrant_fontsize=11)
    if synthetic:
        stamp_behind_data(fig, SYNTHETIC_STAMP, color="#cc0000", fontsize=54, alpha=0.12)
    fig.savefig(path, format="png")


#: Fixed geometry of the HTML RRG (pixels) so labels can be placed before plotly draws:
#: a square plot area of _RRG_PLOT px with these margins; text sizes estimated per font.
_RRG_PLOT = 760
_RRG_MARGIN = {"l": 70, "r": 30, "t": 60, "b": 80}
_CHAR_PX = {12: 8.5, 14: 10.0}   # bold capitals, a generous average width
_LINE_PX = {12: 16.0, 14: 19.0}


def _rrg_html(pts: list[Any], path: Path, lim: tuple[float, float], title: str, footer: str,
              synthetic: bool, plotlyjs: str) -> None:
    import plotly.graph_objects as go

    from .label_layout import place_labels
    from .rrg_draw import QUADRANT_COLORS, RRG_COLORS

    pfig = go.Figure()
    lo, hi = lim
    size = float(_RRG_PLOT)

    def px(x: float, y: float) -> tuple[float, float]:  # data -> plot-area pixels, y up
        return (x - lo) / (hi - lo) * size, (y - lo) / (hi - lo) * size

    obstacles = []
    for (x0, x1, y0, y1, q) in ((100, hi, 100, hi, "leading"), (100, hi, lo, 100, "weakening"),
                                (lo, 100, lo, 100, "lagging"), (lo, 100, 100, hi, "improving")):
        pfig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line_width=0,
                       fillcolor=QUADRANT_COLORS[q], layer="below")
        right, top = x1 == hi, y1 == hi
        pfig.add_annotation(x=0.99 if right else 0.01, y=0.99 if top else 0.01, xref="paper",
                            yref="paper", text=f"<b>{q.title()}</b>", showarrow=False,
                            font={"size": 14, "color": "#555555"},
                            xanchor="right" if right else "left",
                            yanchor="top" if top else "bottom")
        w, h = _CHAR_PX[14] * len(q) + 6, _LINE_PX[14] + 4
        cx, cy = (0.99 * size - w if right else 0.01 * size), (0.99 * size - h if top else
                                                                 0.01 * size)
        obstacles.append((cx, cy, cx + w, cy + h))
    if synthetic:  # the first trace, so every tail is drawn over it
        pfig.add_trace(go.Scatter(x=[100.0], y=[100.0], mode="text", text=[SYNTHETIC_STAMP],
                                  textfont={"size": 64, "color": "rgba(204,0,0,0.13)"},
                                  hoverinfo="skip", showlegend=False, name="stamp"))
    heads = []
    for k, pt in enumerate(pts):
        color = RRG_COLORS[k % len(RRG_COLORS)]
        xs = [tp.rs_ratio for tp in pt.tail]
        ys = [tp.rs_momentum for tp in pt.tail]
        n = len(pt.tail)
        pfig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines+markers", name=pt.ticker, line={"color": color},
            marker={"size": [9] + [5] * (n - 1),
                    "symbol": ["circle-open"] + ["circle"] * (n - 1),
                    "line": {"width": 1.5, "color": color}},
            text=[tp.date.strftime("%Y-%m-%d") for tp in pt.tail],
            hovertemplate=(f"{pt.ticker}<br>%{{text}}<br>RS-Ratio %{{x:.2f}}"
                           "<br>RS-Momentum %{y:.2f}<extra></extra>")))
        prev = next(((xs[j], ys[j]) for j in range(n - 2, -1, -1)
                     if (xs[j], ys[j]) != (xs[-1], ys[-1])), None)
        if prev is not None:  # the arrowhead on the last move
            pfig.add_annotation(x=xs[-1], y=ys[-1], ax=prev[0], ay=prev[1], xref="x", yref="y",
                                axref="x", ayref="y", showarrow=True, arrowhead=2,
                                arrowsize=1.3, arrowwidth=1.8, arrowcolor=color, text="")
        heads.append((pt.ticker, color, xs[-1], ys[-1]))
    anchors = np.array([px(x, y) for _, _, x, y in heads])
    sizes = np.array([[_CHAR_PX[12] * len(t) + 4, _LINE_PX[12]] for t, *_ in heads])
    obstacles += [(x - 6, y - 6, x + 6, y + 6) for x, y in anchors]
    offsets = place_labels(anchors, sizes, (0, 0, size, size), offset=(6.0, 6.0), pad=3.0,
                           obstacles=obstacles)
    for (name, color, x, y), off, wh in zip(heads, offsets, sizes, strict=True):
        cx, cy = off + wh / 2        # the label's centre from its head, pixels, y up
        moved = float(np.hypot(*(off - 6.0))) > 8.0
        pfig.add_annotation(x=x, y=y, xref="x", yref="y", text=f"<b>{name}</b>",
                            font={"size": 12, "color": color}, bgcolor="rgba(255,255,255,0.7)",
                            showarrow=moved, arrowhead=0, arrowwidth=0.8, arrowcolor=color,
                            ax=float(cx), ay=float(-cy), standoff=3,
                            xshift=0 if moved else float(cx), yshift=0 if moved else float(cy),
                            xanchor="center", yanchor="middle")
    pfig.add_hline(y=100, line_color="#888888", line_width=1)
    pfig.add_vline(x=100, line_color="#888888", line_width=1)
    pfig.update_xaxes(range=list(lim), title_text="RS-Ratio", automargin=False)
    pfig.update_yaxes(range=list(lim), title_text="RS-Momentum", automargin=False)
    _html_labels(pfig, _Figure(title, footer, [], synthetic), stamp=False)
    m = _RRG_MARGIN
    pfig.update_layout(width=_RRG_PLOT + m["l"] + m["r"], height=_RRG_PLOT + m["t"] + m["b"],
                       margin=m, autosize=False, showlegend=False)
    pfig.write_html(str(path), include_plotlyjs=_plotly_js_option(plotlyjs, path),
                    full_html=True)


_VERDICT_COLORS = {"broadening rotation": "#2ca02c", "narrow leadership": "#ff7f0e",
                   "defensive rotation": "#9467bd", "broad breakdown": "#d62728",
                   "mixed": "#bbbbbb"}


def regime_chart(history: Any, index_close: pd.Series, path: str | Path, *, start: Any = None,
                 end: Any = None, source: str = "rotascope store", synthetic: bool = False,
                 plotlyjs: Literal["inline", "directory"] = "inline") -> Path:
    """The regime verdict over time: the index, the group scores, and a colour band per
    verdict (from :func:`rotascope.analysis.regime.regime_history`)."""
    p, suffix = _check_path(path, "regime_chart")
    lo = history.verdict.index[0] if start is None else pd.Timestamp(start)
    hi = history.verdict.index[-1] if end is None else pd.Timestamp(end)
    verdict = history.verdict.loc[lo:hi]
    if verdict.empty:
        raise ParameterError(f"regime_chart(): no dates between {lo:%Y-%m-%d} and {hi:%Y-%m-%d}")
    x = _xlist(verdict.index)
    price = index_close.reindex(verdict.index)
    name = str(index_close.name or "index")
    scores = history.scores.loc[verdict.index]
    bands = [_Trace(x, _ylist((verdict == v).astype(float)), v, color=c, kind="area")
             for v, c in _VERDICT_COLORS.items() if (verdict == v).any()]
    panels = [
        _Panel([_Trace(x, _ylist(price), name)], ylabel=name, log=True, ratio=3.0),
        _Panel([_Trace(x, _ylist(scores[g]), g, color=_COLORS[k])
                for k, g in enumerate(scores.columns)], ylabel="group score",
               hlines=[0.0], ylim=(-1.05, 1.05), ratio=1.5),
        _Panel(bands, ylabel="verdict", ylim=(0.0, 1.0), ratio=0.8),
    ]
    full, footer = _labels("Regime verdict", verdict.index[-1], source)
    return _write(_Figure(full, footer, panels, synthetic, height=7.5), p, suffix, plotlyjs)
