"""Leaders and laggards: relative strength, ranks and calls against a pandas oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotascope.analysis.leaders import leaders, leaders_report
from rotascope.analysis.rotation import rrg
from rotascope.data.store import Store
from rotascope.errors import ParameterError
from rotascope.market_view import MarketView

SECTORS = ["XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"]
ROWS = {"1m": 21, "3m": 63, "6m": 126}


@pytest.mark.parametrize("as_of", ["2024-08-05", "2025-04-08"])
def test_sector_ranks_match_pandas(loaded_store, as_of) -> None:
    with Store(loaded_store.store_path, read_only=True) as store:
        res = leaders_report(MarketView.open(store, loaded_store, as_of=as_of), "sectors")
        close = store.close_matrix(["SPY", *SECTORS], end=as_of)
    t = res.table
    assert sorted(t.index) == sorted(SECTORS)
    spy = close["SPY"].dropna()
    for w, k in ROWS.items():
        b = spy.iloc[-1] / spy.iloc[-1 - k] - 1
        rel = pd.Series({s: (close[s].dropna().iloc[-1] / close[s].dropna().iloc[-1 - k])
                         / (1 + b) - 1 for s in SECTORS})
        np.testing.assert_allclose(t.loc[rel.index, f"rel_{w}"], rel, rtol=1e-9)
        assert (t.loc[rel.index, f"rank_{w}"] == rel.rank(ascending=False, method="min")).all()
    assert t["rank_3m"].is_monotonic_increasing  # sorted by the ranking window
    graph = rrg(close.loc[pd.Timestamp(as_of) - pd.DateOffset(years=4):], "SPY")
    for p in graph.points:
        assert t.loc[p.ticker, "quadrant"] == p.quadrant
        assert t.loc[p.ticker, "rs_ratio"] == pytest.approx(p.rs_ratio)
    n = len(t)
    for ticker, row in t.iterrows():
        top, bottom = row["rank_3m"] <= n / 3, row["rank_3m"] > 2 * n / 3
        expect = ("do more" if top and row["quadrant"] in ("leading", "improving") else
                  "do less" if bottom and row["quadrant"] in ("lagging", "weakening") else
                  "watch")
        assert row["call"] == expect, ticker
    doc = res.to_dict()
    assert doc["rank_by"] == "3m" and len(doc["rows"]) == 11
    assert doc["do_more"] == res.calls("do more")


def test_leaders_synthetic_and_errors() -> None:
    idx = pd.bdate_range("2023-01-02", periods=400)
    t = np.arange(400.0)
    close = pd.DataFrame({"SPY": 100 + 0.05 * t, "UP": 100 + 0.2 * t, "MID": 100 + 0.05 * t,
                          "DOWN": 100 - 0.05 * t}, index=idx)
    res = leaders(close, windows=("1m",), rank_by="6m")
    assert res.windows == ("1m", "6m") and res.table.index.tolist() == ["UP", "MID", "DOWN"]
    assert res.table.loc["MID", "rel_6m"] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ParameterError, match="benchmark 'QQQ'"):
        leaders(close, "QQQ")
    with pytest.raises(ParameterError, match="nothing to rank"):
        leaders(close[["SPY"]])
