"""Readability checks of a drawn RRG figure, read from its artists (shared by the chart
tests and the note's chart tests)."""

from __future__ import annotations

from typing import Any

from matplotlib.text import Text

from rotascope.outputs.label_layout import boxes_overlap
from rotascope.outputs.watermark import STAMP_GID


def _gid(artist: Any, prefix: str) -> str | None:
    gid = artist.get_gid() or ""
    return gid[len(prefix):] if gid.startswith(prefix) else None


def assert_readable_rrg(fig: Any, tickers: list[str], *, synthetic: bool) -> None:
    """No two labels overlap (nor a quadrant caption), each tail has an arrowhead and a
    hollow start marker, every label stays inside the axes, and the SYNTHETIC stamp is
    drawn below every data artist."""
    fig.canvas.draw()  # positions as saved
    renderer = fig.canvas.get_renderer()
    (ax,) = [a for a in fig.axes if any(_gid(t, "rrg-label:") for t in a.texts)]
    labels = {_gid(t, "rrg-label:"): t for t in ax.texts if _gid(t, "rrg-label:")}
    assert sorted(labels) == sorted(tickers)
    # the text's own box (Annotation.get_window_extent adds the leader line)
    boxes = {k: Text.get_window_extent(t, renderer).extents for k, t in labels.items()}
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not boxes_overlap(boxes[a], boxes[b]), (a, b, boxes[a], boxes[b])
    frame = ax.get_window_extent(renderer).extents
    for k, bx in boxes.items():
        assert frame[0] <= bx[0] and bx[2] <= frame[2] and frame[1] <= bx[1] \
            and bx[3] <= frame[3], (k, bx, frame)
    captions = [t for t in ax.texts if _gid(t, "rrg-quadrant:")]
    assert len(captions) == 4
    for c in captions:
        cb = c.get_window_extent(renderer).extents
        for k, bx in boxes.items():
            assert not boxes_overlap(bx, cb), (k, c.get_text())
    arrows = {_gid(p, "rrg-arrow:") for p in [*ax.patches, *ax.lines]} - {None}
    starts = {_gid(ln, "rrg-start:"): ln for ln in ax.lines if _gid(ln, "rrg-start:")}
    tails = {_gid(ln, "rrg-tail:"): ln for ln in ax.lines if _gid(ln, "rrg-tail:")}
    assert set(tails) == set(tickers) and arrows == set(tickers) and set(starts) == set(tickers)
    for t, ln in starts.items():
        # hollow: a white face, the ticker's colour on the edge, at the tail's first point
        assert ln.get_markerfacecolor() == "white" and ln.get_marker() == "o"
        assert ln.get_markeredgecolor() == tails[t].get_color()
        assert ln.get_xdata()[0] == tails[t].get_xdata()[0]
    stamps = [t for a in fig.axes for t in a.texts if t.get_gid() == STAMP_GID]
    assert bool(stamps) == synthetic
    data_z = min(a.get_zorder() for a in [*tails.values(), *ax.patches, *labels.values()]
                 if (a.get_gid() or "").startswith(("rrg-tail", "rrg-arrow", "rrg-label")))
    for s in stamps:
        assert s.get_zorder() < data_z and s.get_alpha() <= 0.15
