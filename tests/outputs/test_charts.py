"""Charts are written as real PNG files and offline HTML pages holding the data."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from rotascope.analysis.breadth import breadth_history
from rotascope.analysis.rotation import rrg
from rotascope.errors import ParameterError, ParameterTypeError
from rotascope.outputs.charts import (
    SYNTHETIC_STAMP,
    breadth_chart,
    line_chart,
    ratio_chart,
    rrg_chart,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def close() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2023-01-02", periods=420)
    a = 100 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, (420, 5)), axis=0))
    return pd.DataFrame(np.round(a, 4), index=idx, columns=["SPY", "RSP", "XLK", "XLE", "XLU"])


def _is_png(path) -> bool:
    data = path.read_bytes()
    return data[:8] == PNG_MAGIC and len(data) > 5000


def _y_arrays(html: str) -> list[list[float | None]]:
    """Every ``"y": [...]`` array of the plotly figure in a page."""
    return [json.loads(m) for m in re.findall(r'"y":(\[[^\]]*\])', html)]


def _offline(html: str) -> bool:
    # plotly.js embedded, no script loaded from the network
    return "Plotly.newPlot" in html and not re.search(r"<script[^>]+src=\"https?://", html)


def test_line_chart_png_and_html(tmp_path, close) -> None:
    png = line_chart(close["SPY"], tmp_path / "spy.png", rsi_window=14, start="2023-06-01",
                     title="SPY")
    assert png == tmp_path / "spy.png" and _is_png(png)
    html_path = line_chart(close["SPY"], tmp_path / "sub" / "spy.html", rsi_window=14,
                           title="SPY", source="unit test")
    html = html_path.read_text()
    assert _offline(html)
    last = close.index[-1].strftime("%Y-%m-%d")
    assert f"SPY (as of {last})" in html and "Source: unit test" in html
    assert json.dumps(float(close["SPY"].iloc[-1])) in html  # the data, as plain numbers
    assert SYNTHETIC_STAMP not in html


def test_ratio_chart_contains_ratio_and_averages(tmp_path, close) -> None:
    path = ratio_chart(close, "RSP", "SPY", tmp_path / "r.html", synthetic=True)
    html = path.read_text()
    ratio = close["RSP"] / close["SPY"]
    assert json.dumps(float(ratio.iloc[-1])) in html
    sma50 = float(ratio.iloc[-50:].mean())  # the 50-day average, last point
    assert any(ys and ys[-1] == pytest.approx(sma50, rel=1e-12) for ys in _y_arrays(html))
    # plotly escapes "/" in its JSON as \u002f
    assert "SMA 200" in html and SYNTHETIC_STAMP in html and "RSP\\u002fSPY ratio" in html
    assert _is_png(ratio_chart(close, "RSP", "SPY", tmp_path / "r.png", synthetic=True))


def test_rrg_chart_has_tails(tmp_path, close) -> None:
    res = rrg(close, "SPY", period="daily", tail=5)
    html = rrg_chart(res, tmp_path / "rrg.html").read_text()
    assert _offline(html)
    for p in res.points:
        assert f'"name":"{p.ticker}"' in html
        assert json.dumps(p.tail[-1].rs_ratio) in html
    assert "Leading" in html and "Improving" in html
    assert _is_png(rrg_chart(res, tmp_path / "rrg.png", synthetic=True))


def test_breadth_chart(tmp_path, close) -> None:
    hist = breadth_history(close.drop(columns="SPY"), windows=(50, 200))
    path = breadth_chart(hist, close["SPY"], tmp_path / "b.html", universe="test")
    html = path.read_text()
    assert "McClellan oscillator" in html and "% above 200-day" in html
    assert json.dumps(float(hist["pct_above_sma_50"].iloc[-1])) in html
    assert _is_png(breadth_chart(hist, close["SPY"], tmp_path / "b.png", start="2024-01-01"))


def test_bad_arguments(tmp_path, close) -> None:
    with pytest.raises(ParameterError, match="must end in .png or .html"):
        line_chart(close["SPY"], tmp_path / "x.svg")
    with pytest.raises(ParameterTypeError):
        rrg_chart({"points": []}, tmp_path / "x.png")
    with pytest.raises(ParameterError, match="no ticker has an RRG point"):
        rrg_chart(rrg(close.iloc[:30], "SPY"), tmp_path / "x.png")
    with pytest.raises(ParameterError, match="no column"):
        breadth_chart(pd.DataFrame(index=close.index), close["SPY"], tmp_path / "x.png")


def test_directory_mode_writes_plotly_js_beside(tmp_path, close) -> None:
    path = line_chart(close["SPY"], tmp_path / "d.html", plotlyjs="directory")
    assert (tmp_path / "plotly.min.js").stat().st_size > 1_000_000
    assert 'src="plotly.min.js"' in path.read_text()
