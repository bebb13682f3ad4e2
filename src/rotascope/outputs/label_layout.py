"""Place chart labels so that no two overlap: a small deterministic search in pixels.

Each label belongs to an anchor point (e.g. the head of an RRG tail) and prefers a fixed
offset from it (up and to the right). Labels are placed one after another, the one
whose anchor is highest first; each takes the nearest free spot on rings of candidate
positions around its anchor, where "free" means its box (grown by ``pad``) touches
neither a label already placed, nor an obstacle (markers, quadrant captions), and stays
inside ``bounds``. The same inputs always give the same layout (no randomness, no
iteration count that depends on timing), which keeps PNGs reproducible.

Pure numpy on display coordinates: the matplotlib and plotly glue measure the boxes and
turn the offsets back into annotations (with a leader line when a label moved away).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

#: A box (x0, y0, x1, y1) as a sequence or an array.
Box = Sequence[float] | npt.NDArray[np.float64]

__all__ = ["place_labels", "boxes_overlap"]

#: Candidate directions, tried in this order on every ring (up-right first).
_ANGLES = np.deg2rad([45, 90, 0, 135, 315, 180, 270, 225, 67.5, 22.5, 112.5, 337.5,
                      157.5, 292.5, 202.5, 247.5])
_MAX_RINGS = 40


def boxes_overlap(a: Box, b: Box, pad: float = 0.0) -> bool:
    """True when boxes ``(x0, y0, x1, y1)`` overlap once each is grown by ``pad``/2."""
    return bool(a[0] - pad < b[2] and b[0] - pad < a[2]
                and a[1] - pad < b[3] and b[1] - pad < a[3])


def _box(anchor: np.ndarray, offset: np.ndarray, size: np.ndarray) -> np.ndarray:
    x0, y0 = anchor + offset
    return np.array([x0, y0, x0 + size[0], y0 + size[1]])


def _inside(box: np.ndarray, bounds: Sequence[float]) -> bool:
    return bool(box[0] >= bounds[0] and box[1] >= bounds[1] and box[2] <= bounds[2]
                and box[3] <= bounds[3])


def place_labels(anchors: np.ndarray, sizes: np.ndarray, bounds: Sequence[float], *,
                 offset: tuple[float, float] = (4.0, 4.0), pad: float = 2.0,
                 step: float | None = None,
                 obstacles: Sequence[Box] = ()) -> np.ndarray:
    """Offsets (pixels, lower-left corner of each label from its anchor) with no overlaps.

    Parameters
    ----------
    anchors : (n, 2) anchor points in pixels (y up).
    sizes : (n, 2) label widths and heights in pixels.
    bounds : (x0, y0, x1, y1) the labels must stay inside (the axes).
    offset : the preferred offset of a label's lower-left corner from its anchor.
    pad : minimum gap between two labels (pixels); obstacles only may not be covered.
    step : ring spacing (default: the tallest label's height).
    obstacles : boxes labels must not cover (markers, captions).

    Returns
    -------
    (n, 2) offsets. When no free spot exists within ``_MAX_RINGS`` rings (a chart far
    too small for its labels) the label keeps its preferred offset.
    """
    anchors = np.asarray(anchors, dtype=float).reshape(-1, 2)
    sizes = np.asarray(sizes, dtype=float).reshape(-1, 2)
    n = len(anchors)
    out = np.tile(np.asarray(offset, dtype=float), (n, 1))
    if n == 0:
        return out
    step = float(step) if step else float(max(sizes[:, 1].max(), 1.0))
    blocked = [np.asarray(b, dtype=float) for b in obstacles]
    taken: list[np.ndarray] = []
    # highest anchor first, then left to right: a stable order independent of input order
    order = np.lexsort((anchors[:, 0], -anchors[:, 1]))
    base = np.asarray(offset, dtype=float)
    for i in order:
        size = sizes[i]
        # centre of the preferred box, from which the rings are drawn
        centre = base + size / 2
        placed = None
        for ring in range(_MAX_RINGS + 1):
            cands = [centre] if ring == 0 else [
                centre + ring * step * np.array([np.cos(a) * max(1.0, size[0] / step / 2),
                                                 np.sin(a)]) for a in _ANGLES]
            for c in cands:
                off = c - size / 2
                box = _box(anchors[i], off, size)
                if not _inside(box, bounds):
                    continue
                if any(boxes_overlap(box, t, pad) for t in taken):
                    continue
                if any(boxes_overlap(box, b) for b in blocked):
                    continue
                placed = off
                break
            if placed is not None:
                break
        if placed is not None:
            out[i] = placed
        taken.append(_box(anchors[i], out[i], size))
    return out
