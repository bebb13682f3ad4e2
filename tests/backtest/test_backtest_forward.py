"""Forward returns after alert firings and hit rates, recomputed directly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.backtest.forward import forward_after
from rotascope.outputs.cli.main import cli


def test_forward_after_direct():
    idx = pd.bdate_range("2020-01-01", periods=200)
    s = pd.Series(np.linspace(100, 150, 200) + np.sin(np.arange(200)) * 3, index=idx, name="X")
    fired = {"a": [idx[10], idx[50], idx[190]], "b": []}
    out = forward_after(fired, s, idx[0], idx[-1])
    f = out["rules"]["a"]["firings"]
    assert f[0]["1m"] == pytest.approx(s.iloc[31] / s.iloc[10] - 1, abs=1e-15)
    assert f[1]["3m"] == pytest.approx(s.iloc[113] / s.iloc[50] - 1, abs=1e-15)
    assert f[2]["1w"] is None or f[2]["1w"] == pytest.approx(s.iloc[195] / s.iloc[190] - 1)
    assert f[2]["1m"] is None  # the window ends after the data
    summ = out["rules"]["a"]["summary"]["1m"]
    vals = [x["1m"] for x in f if x["1m"] is not None]
    assert summ["n"] == 2 and summ["mean"] == pytest.approx(np.mean(vals))
    assert summ["hit_rate"] == pytest.approx(np.mean([v > 0 for v in vals]))
    base = (s.shift(-21) / s - 1).dropna()
    assert out["base"]["1m"]["mean"] == pytest.approx(base.mean(), abs=1e-12)
    assert summ["edge"] == pytest.approx(summ["mean"] - base.mean())
    assert out["rules"]["b"]["summary"]["1m"]["n"] == 0
    # nothing after end is read
    late = {"a": [idx[60]]}
    cut = forward_after(late, s * np.r_[np.ones(120), np.full(80, 2.0)], idx[0], idx[119])
    assert cut["rules"]["a"]["firings"][0]["3m"] is None  # would end at row 123
    assert cut["rules"]["a"]["firings"][0]["1m"] == pytest.approx(s.iloc[81] / s.iloc[60] - 1)


def test_alerts_backtest_forward_json(loaded_store, tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text("rules:\n  - id: spy-50\n"
                     "    condition: close(SPY) crosses_below sma(SPY, 50)\n")
    res = CliRunner().invoke(cli, ["--home", str(loaded_store.home), "alerts", "backtest",
                                   str(rules), "--from", "2018-01-02", "--to", "2024-12-31",
                                   "--forward", "SPY", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    r = doc["rules"][0]
    assert len(r["forward"]["firings"]) == len(r["fired"]) > 0
    assert doc["forward_base"]["ticker"] == "SPY" and doc["forward_base"]["3m"]["n"] > 1500
    plain = CliRunner().invoke(cli, ["--home", str(loaded_store.home), "alerts", "backtest",
                                     str(rules), "--from", "2018-01-02", "--to", "2024-12-31"])
    assert "after a firing, SPY" in plain.stdout and "hit" in plain.stdout
