"""Sweeps: grid parsing, the kernel equals single runs, deflated Sharpe, walk-forward."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rotascope.backtest import parse_strategies, run_strategy
from rotascope.backtest.sweep import (
    deflated_sharpe,
    expected_max_sharpe,
    parse_grid,
    run_sweep,
    walk_forward,
)
from rotascope.errors import ParameterError
from rotascope.market_view import MarketView


def test_parse_grid():
    g = parse_grid(["top=1..3", "lookback=1m..3m", "costs_bps=0,2.5", "rebalance=weekly,monthly"])
    assert g == {"top": [1, 2, 3], "lookback": [21, 42, 63], "costs_bps": [0.0, 2.5],
                 "rebalance": ["weekly", "monthly"]}
    assert parse_grid(["lookback=21..63:21"])["lookback"] == [21, 42, 63]
    for bad in (["top"], ["tops=1..2"], ["top=0..2"], ["rebalance=hourly"], ["top=3..1"],
                ["costs_bps=1m"]):
        with pytest.raises(ParameterError):
            parse_grid(bad)


def _market(n=900, seed=4):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2016-01-01", periods=n)
    cols = ["SPY", "A", "B", "C", "D", "E"]
    r = rng.normal(0.0003, 0.012, (n, len(cols))) + rng.normal(0, 0.0005, len(cols))
    close = pd.DataFrame(100 * np.exp(np.cumsum(r, 0)), index=idx, columns=cols)
    close.iloc[:300, 4] = np.nan  # D lists later
    return MarketView.from_frame(close, universes={"u": ["A", "B", "C", "D", "E"]})


DOC = """version: 1
strategies:
  - id: mom
    universe: u
    rank: perf($, 3m) - perf($, 1w)
    top: 2
    rebalance: monthly
    costs_bps: 5
  - id: sw
    when: close(A) > sma(A, 20)
    hold: {A: 1}
    otherwise: {B: 0.5}
"""


def test_sweep_equals_single_runs():
    m = _market()
    mom, sw = parse_strategies(DOC, universe_problem=lambda u: None)
    start = m.sessions()[200] if False else pd.Timestamp("2016-11-01")
    grid = parse_grid(["top=1..3", "costs_bps=0,10", "rebalance=weekly,monthly"])
    res = run_sweep(mom, m, grid, start)
    assert len(res.table) == 12
    for i, row in res.table.iterrows():
        one = run_strategy(mom.with_params(top=int(row.top), costs_bps=float(row.costs_bps),
                                           rebalance=row.rebalance), m, start)
        np.testing.assert_allclose(res.returns[i].to_numpy(), one.returns.to_numpy(),
                                   atol=1e-13)
        mt = one.metrics()
        assert row.sharpe == pytest.approx(mt["sharpe"], abs=1e-9)
        assert row.max_drawdown == pytest.approx(mt["max_drawdown"], abs=1e-12)
        assert row.turnover == pytest.approx(mt["turnover"], rel=1e-12)
    # a lookback sweep replaces the window of every indicator of the ranking
    lb = run_sweep(mom, m, parse_grid(["lookback=5,10"]), start)
    one = run_strategy(mom.with_params(lookback=10), m, start)
    assert lb.table.loc[1, "sharpe"] == pytest.approx(one.metrics()["sharpe"], abs=1e-9)
    # non-ranking strategies sweep costs and rebalance
    s2 = run_sweep(sw, m, parse_grid(["costs_bps=0,20"]), start)
    assert s2.table.loc[0, "total_return"] > s2.table.loc[1, "total_return"]
    with pytest.raises(ParameterError):
        run_sweep(sw, m, parse_grid(["top=1,2"]), start)


def test_deflated_sharpe_formula():
    rng = np.random.default_rng(0)
    r = pd.Series(rng.standard_t(5, 2000) * 0.01 + 0.0006)
    trials = rng.normal(0.5, 0.3, 200)
    d = deflated_sharpe(r, trials)
    sr = r.mean() / r.std()
    v = np.var(trials / math.sqrt(252), ddof=1)
    g = 0.5772156649015329
    sr0 = math.sqrt(v) * ((1 - g) * stats.norm.ppf(1 - 1 / 200)
                          + g * stats.norm.ppf(1 - 1 / (200 * math.e)))
    sk, ku = stats.skew(r), stats.kurtosis(r, fisher=False)
    z = (sr - sr0) * math.sqrt(len(r) - 1) / math.sqrt(1 - sk * sr + (ku - 1) / 4 * sr ** 2)
    assert d["dsr"] == pytest.approx(stats.norm.cdf(z), abs=1e-9)
    assert d["expected_max_sharpe"] == pytest.approx(sr0 * math.sqrt(252), abs=1e-9)
    # more trials -> a higher bar
    assert expected_max_sharpe(1000, v) > expected_max_sharpe(10, v)


def test_walk_forward_picks_the_in_sample_best():
    idx = pd.bdate_range("2010-01-01", periods=252 * 8)
    rng = np.random.default_rng(1)
    rets = pd.DataFrame(rng.normal(0.0002, 0.01, (len(idx), 5)), index=idx)
    from rotascope.backtest.sweep import SweepResult

    sw = SweepResult(pd.DataFrame({"x": range(5)}), rets, idx[0], idx[-1])
    wf = walk_forward(sw, train_years=5, test_years=1)
    assert len(wf) == 3
    first = rets.iloc[:1260]
    best = int((first.mean() / first.std()).idxmax())
    assert wf.loc[0, "combo"] == best
    te = rets.iloc[1260:1512, best]
    assert wf.loc[0, "return_out"] == pytest.approx(np.prod(1 + te) - 1, abs=1e-12)
