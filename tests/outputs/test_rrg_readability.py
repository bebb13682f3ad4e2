"""The RRG stays readable: labels never overlap, tails show where they start and where
they head, the SYNTHETIC stamp sits behind the data. On the real sector ETFs and on the
demo's synthetic market, for the note's chart and for ``rrg_chart``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotascope.analysis.rotation import rrg
from rotascope.data.store import Store
from rotascope.outputs.label_layout import boxes_overlap, place_labels

from .rrg_checks import assert_readable_rrg

SECTORS = ["XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"]
REAL_DAYS = ("2026-07-13", "2025-04-08", "2020-03-23")


@pytest.fixture(scope="module")
def real_close(loaded_store) -> pd.DataFrame:
    with Store(loaded_store.store_path, read_only=True) as store:
        return store.close_matrix([*SECTORS, "SPY"])


@pytest.fixture(scope="module")
def demo_close() -> pd.DataFrame:
    from rotascope.data.synthetic import generate_market
    from rotascope.outputs.report.demo import DEMO_SPEC

    return generate_market(**DEMO_SPEC).close[[*SECTORS, "SPY"]]


def _note_figure(res):
    from rotascope.outputs.report.charts import draw_chart
    from rotascope.outputs.report.model import ChartSpec

    tails = {p.ticker: [(t.rs_ratio, t.rs_momentum) for t in p.tail] for p in res.points
             if p.tail}
    return draw_chart(ChartSpec("rrg", "rrg", "RRG", "", {"tails": tails}),
                      synthetic=False), tails


@pytest.mark.parametrize("day", REAL_DAYS)
def test_note_rrg_on_real_sectors(real_close, day) -> None:
    res = rrg(real_close.loc[:day], "SPY", period="weekly", tail=8)
    fig, tails = _note_figure(res)
    assert len(tails) == len(SECTORS)
    assert_readable_rrg(fig, list(tails), synthetic=False)


def test_note_rrg_on_demo_market_with_stamp(demo_close) -> None:
    from rotascope.outputs.report.charts import draw_chart
    from rotascope.outputs.report.model import ChartSpec

    res = rrg(demo_close, "SPY", period="weekly", tail=8)
    tails = {p.ticker: [(t.rs_ratio, t.rs_momentum) for t in p.tail] for p in res.points}
    fig = draw_chart(ChartSpec("rrg", "rrg", "RRG", "", {"tails": tails}), synthetic=True)
    assert_readable_rrg(fig, list(tails), synthetic=True)


def test_rrg_chart_png_readable(tmp_path, real_close, demo_close, monkeypatch) -> None:
    """``rrg_chart`` draws through the same code; catch its figure before it is saved."""
    from matplotlib.figure import Figure

    from rotascope.outputs.charts import rrg_chart

    seen = []
    save = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (seen.append(self),
                                                                  save(self, *a, **k)))
    for close, synthetic in ((real_close.loc[:"2026-07-13"], False), (demo_close, True)):
        res = rrg(close, "SPY", period="weekly", tail=8)
        rrg_chart(res, tmp_path / "r.png", synthetic=synthetic)
        assert_readable_rrg(seen[-1], [p.ticker for p in res.points if p.tail],
                            synthetic=synthetic)


def test_rrg_chart_html_has_arrows_start_markers_and_stamp_below(tmp_path, demo_close,
                                                                 monkeypatch) -> None:
    import plotly.graph_objects as go

    from rotascope.outputs.charts import rrg_chart

    seen = []
    write = go.Figure.write_html
    monkeypatch.setattr(go.Figure, "write_html", lambda self, *a, **k: (seen.append(self),
                                                                        write(self, *a, **k)))
    res = rrg(demo_close, "SPY", period="weekly", tail=8)
    rrg_chart(res, tmp_path / "r.html", synthetic=True)
    fig = seen[-1]
    arrows = [a for a in fig.layout.annotations if a.showarrow and a.arrowhead == 2]
    assert len(arrows) == len(res.points)
    # the stamp is the first trace (plotly draws traces in order: every tail covers it),
    # never an annotation (drawn over everything)
    stamp, *tails = fig.data
    assert stamp.mode == "text" and stamp.text == ("SYNTHETIC DATA",)
    assert "SYNTHETIC DATA" not in {a.text for a in fig.layout.annotations}
    assert [t.name for t in tails] == [p.ticker for p in res.points]
    for tr in tails:
        assert tr.marker.symbol[0] == "circle-open"
    labels = [a for a in fig.layout.annotations if a.text in {f"<b>{p.ticker}</b>"
                                                              for p in res.points}]
    assert len(labels) == len(res.points)


def test_place_labels_separates_a_pile() -> None:
    """Twenty labels on one point: all placed, none overlapping, all in bounds, and the
    same answer every time."""
    anchors = np.full((20, 2), 200.0)
    sizes = np.tile([30.0, 12.0], (20, 1))
    bounds = (0.0, 0.0, 400.0, 400.0)
    off = place_labels(anchors, sizes, bounds, pad=2.0)
    boxes = [(*(a + o), *(a + o + s)) for a, o, s in zip(anchors, off, sizes, strict=True)]
    for i, a in enumerate(boxes):
        assert bounds[0] <= a[0] and a[2] <= bounds[2] and bounds[1] <= a[1] and a[3] <= bounds[3]
        for b in boxes[i + 1:]:
            assert not boxes_overlap(a, b, 2.0)
    assert np.array_equal(off, place_labels(anchors, sizes, bounds, pad=2.0))
    # an isolated label keeps its preferred offset
    assert np.array_equal(place_labels(anchors[:1], sizes[:1], bounds), [[4.0, 4.0]])
