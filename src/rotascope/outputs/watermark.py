"""The SYNTHETIC watermark of matplotlib charts, drawn behind the data.

A figure-level text would be drawn over (or, with a low zorder, under the opaque axes
backgrounds of) the plots. Instead the same figure-centred text is added to every
visible axes at :data:`STAMP_ZORDER`, clipped to that axes: above the background and
shading, below grid, lines and labels. Across the panels it reads as one diagonal mark.
"""

from __future__ import annotations

from typing import Any

__all__ = ["stamp_behind_data", "STAMP_ZORDER", "STAMP_GID"]

#: Above backgrounds and quadrant shading (zorder 0), below grid lines (1+) and data (2+).
STAMP_ZORDER = 0.5
STAMP_GID = "synthetic-stamp"


def stamp_behind_data(fig: Any, text: str, *, color: str = "#c0392b", fontsize: float = 54,
                      alpha: float = 0.12) -> list[Any]:
    """Add ``text`` diagonally across ``fig`` behind the data of each axes; returns the
    text artists (one per axes with a visible background; twin axes share their host's)."""
    marks = []
    for ax in fig.axes:
        if not ax.patch.get_visible():
            continue
        marks.append(ax.text(0.5, 0.5, text, transform=fig.transFigure, fontsize=fontsize,
                             color=color, alpha=alpha, ha="center", va="center", rotation=25,
                             weight="bold", zorder=STAMP_ZORDER, clip_on=True,
                             gid=STAMP_GID))
    return marks
