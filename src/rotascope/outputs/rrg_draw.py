"""Draw a relative rotation graph on a matplotlib axes (shared by the chart files and the
weekly note).

Reading aids: the four quadrants shaded under everything, their captions inside the
corners; each tail a thin line whose start is a small hollow circle and whose head is
an arrowhead pointing the way it last moved; one distinct colour per ticker (twelve
before any repeats); the ticker labels placed by :func:`label_layout.place_labels` so
none overlap, with a thin leader line when a label had to move away from its head.

Artists carry a ``gid`` so tests (and anyone) can find them: ``rrg-tail:T``,
``rrg-start:T``, ``rrg-arrow:T``, ``rrg-label:T``, ``rrg-quadrant:NAME``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .label_layout import place_labels

__all__ = ["draw_rrg", "RRG_COLORS", "QUADRANT_COLORS", "DATA_ZORDER"]

RRG_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
              "#555555", "#9a8a00", "#17a2b8", "#393b79", "#637939")
QUADRANT_COLORS = {"leading": "#e3f4e1", "weakening": "#fdf3d8", "lagging": "#f9e0e0",
                   "improving": "#e1ecf9"}
#: zorders: shading 0, the SYNTHETIC stamp 0.5 (outputs/watermark.py), grid and
#: axis lines 1, tails 2 and up, labels 5.
SHADE_ZORDER = 0.0
DATA_ZORDER = 2.0


def _quadrants(ax: Any, lo: float, hi: float, fontsize: float) -> list[Any]:
    captions = []
    for x0, x1, y0, y1, q in ((100, hi, 100, hi, "leading"), (100, hi, lo, 100, "weakening"),
                              (lo, 100, lo, 100, "lagging"), (lo, 100, 100, hi, "improving")):
        ax.fill_between([x0, x1], y0, y1, color=QUADRANT_COLORS[q], zorder=SHADE_ZORDER,
                        lw=0, gid=f"rrg-shade:{q}")
        right, top = x1 == hi, y1 == hi
        # captions in axes fractions, a little inside the corner so the frame never cuts them
        captions.append(ax.text(0.985 if right else 0.015, 0.985 if top else 0.015, q.title(),
                                transform=ax.transAxes, ha="right" if right else "left",
                                va="top" if top else "bottom", fontsize=fontsize,
                                color="#555555", weight="bold", zorder=DATA_ZORDER + 3,
                                gid=f"rrg-quadrant:{q}"))
    ax.axhline(100, color="#888888", lw=0.8, zorder=1)
    ax.axvline(100, color="#888888", lw=0.8, zorder=1)
    return captions


def _last_move(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float] | None:
    """The last earlier point that differs from the head (the arrow's tail end)."""
    for k in range(len(xs) - 2, -1, -1):
        if (xs[k], ys[k]) != (xs[-1], ys[-1]):
            return xs[k], ys[k]
    return None


def draw_rrg(ax: Any, tails: Mapping[str, Sequence[tuple[float, float]]],
             lim: tuple[float, float], *, fontsize: float = 8.0,
             quadrant_fontsize: float = 9.0) -> list[Any]:
    """Draw quadrants, tails and labels; returns the label artists.

    ``tails`` maps ticker -> (RS-Ratio, RS-Momentum) points, oldest first. Call it once
    the figure's layout is final (labels are placed in pixels).
    """
    from matplotlib.patches import FancyArrowPatch

    lo, hi = lim
    captions = _quadrants(ax, lo, hi, quadrant_fontsize)
    heads: list[tuple[str, str, float, float]] = []
    for k, (name, tail) in enumerate(tails.items()):
        pts = [(float(x), float(y)) for x, y in tail if np.isfinite(x) and np.isfinite(y)]
        if not pts:
            continue
        color = RRG_COLORS[k % len(RRG_COLORS)]
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        ax.plot(xs, ys, color=color, lw=1.1, alpha=0.85, marker="o", ms=2.0,
                zorder=DATA_ZORDER, gid=f"rrg-tail:{name}")
        ax.plot(xs[:1], ys[:1], "o", ms=5.0, mfc="white", mec=color, mew=1.1,
                zorder=DATA_ZORDER + 1, gid=f"rrg-start:{name}")
        prev = _last_move(xs, ys)
        if prev is not None:
            ax.add_patch(FancyArrowPatch(prev, (xs[-1], ys[-1]), arrowstyle="-|>",
                                         mutation_scale=12, color=color, lw=1.4,
                                         shrinkA=0, shrinkB=0, zorder=DATA_ZORDER + 2,
                                         gid=f"rrg-arrow:{name}"))
        else:  # a tail that never moved: a filled dot stands for the head
            ax.plot(xs[-1:], ys[-1:], "o", ms=5.0, color=color, zorder=DATA_ZORDER + 2,
                    gid=f"rrg-arrow:{name}")
        heads.append((name, color, xs[-1], ys[-1]))
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    return _labels(ax, heads, captions, fontsize)


def _labels(ax: Any, heads: list[tuple[str, str, float, float]], captions: list[Any],
            fontsize: float) -> list[Any]:
    if not heads:
        return []
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72.0
    anchors = ax.transData.transform(np.array([[h[2], h[3]] for h in heads]))
    probes = [ax.text(0, 0, h[0], fontsize=fontsize, weight="bold") for h in heads]
    sizes = np.array([[b.width, b.height] for b in
                      (t.get_window_extent(renderer) for t in probes)])
    for t in probes:
        t.remove()
    r = 4.0 * px_per_pt  # the arrowhead's reach around the head
    obstacles = [(x - r, y - r, x + r, y + r) for x, y in anchors]
    obstacles += [tuple(c.get_window_extent(renderer).extents) for c in captions]
    box = ax.get_window_extent(renderer)
    offsets = place_labels(anchors, sizes, box.extents, offset=(4 * px_per_pt, 4 * px_per_pt),
                           pad=3 * px_per_pt, obstacles=obstacles)
    labels = []
    for (name, color, x, y), off in zip(heads, offsets, strict=True):
        moved = float(np.hypot(*(off - 4 * px_per_pt))) > 6 * px_per_pt
        arrow = ({"arrowstyle": "-", "color": color, "lw": 0.6, "shrinkA": 0, "shrinkB": 3,
                  "alpha": 0.8} if moved else None)
        labels.append(ax.annotate(name, (x, y), xytext=tuple(off / px_per_pt),
                                  textcoords="offset points", ha="left", va="bottom",
                                  fontsize=fontsize, color=color, weight="bold",
                                  arrowprops=arrow, zorder=DATA_ZORDER + 3,
                                  bbox={"boxstyle": "round,pad=0.1", "fc": "white",
                                        "ec": "none", "alpha": 0.75},
                                  annotation_clip=False, gid=f"rrg-label:{name}"))
    return labels
