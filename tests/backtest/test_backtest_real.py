"""The two example strategies of issue 12 on the real data, 2010 to the data's end, with
every figure recomputed independently (pandas and a plain loop) and against empyrical."""

from __future__ import annotations

from pathlib import Path

import empyrical as ep
import numpy as np
import pandas as pd
import pytest

import rotascope
from rotascope.backtest import load_strategies, run_strategies

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "strategies" / "rotation.yaml"


@pytest.fixture(scope="module")
def real(loaded_store):
    m = rotascope.market(home=loaded_store.home, needs=["SPY"])
    strategies = load_strategies(EXAMPLE, known_tickers=set(m.tickers),
                                 universe_problem=lambda u: None)
    results = {r.strategy.id: r for r in run_strategies(strategies, m, "2010-01-01")}
    return m, results


def _check_metrics(res, rets):
    m = res.metrics()
    assert m["total_return"] == pytest.approx(ep.cum_returns_final(rets), abs=1e-9)
    assert m["annual_return"] == pytest.approx(ep.annual_return(rets), abs=1e-9)
    assert m["annual_volatility"] == pytest.approx(ep.annual_volatility(rets), abs=1e-9)
    assert m["sharpe"] == pytest.approx(ep.sharpe_ratio(rets), abs=1e-9)
    assert m["sortino"] == pytest.approx(ep.sortino_ratio(rets), abs=1e-9)
    assert m["max_drawdown"] == pytest.approx(ep.max_drawdown(rets), abs=1e-9)
    assert m["calmar"] == pytest.approx(ep.calmar_ratio(rets), abs=1e-9)


def test_window_is_2010_to_data_end(real):
    m, results = real
    spy = m.series("SPY")
    for res in results.values():
        assert res.equity.index[0] == spy.index[spy.index >= "2010-01-01"][0]
        assert res.equity.index[-1] == spy.index[-1]
        assert res.equity.iloc[0] == 1.0
        assert len(res.returns) > 16 * 252


def test_rsp_when_broadening_recomputed(real):
    m, results = real
    res = results["rsp-when-broadening"]
    close = m.close(["RSP", "SPY"]).dropna()
    ratio = close["RSP"] / close["SPY"]
    signal = ratio / ratio.rolling(50).mean() - 1 > 0
    rets = close.pct_change()
    # decided on t, held from the close of t+1, earns on t+2
    in_rsp = signal.shift(2).fillna(False).astype(bool)
    daily = rets["RSP"].where(in_rsp, rets["SPY"])
    exp = daily.loc[res.returns.index]
    np.testing.assert_allclose(res.returns.to_numpy(), exp.to_numpy(), rtol=0, atol=1e-14)
    _check_metrics(res, exp)
    switches = (in_rsp != in_rsp.shift(1)).loc[res.returns.index[0]:]
    assert res.metrics()["trades"] == int(switches.sum())
    assert res.metrics()["turnover"] == pytest.approx(2 * switches.sum() / (len(exp) / 252),
                                                      rel=1e-12)
    bench = rets["SPY"].loc[res.returns.index]
    assert res.benchmark_metrics()["sharpe"] == pytest.approx(ep.sharpe_ratio(bench), abs=1e-9)


def test_sector_momentum_recomputed(real):
    m, results = real
    res = results["sector-momentum"]
    sectors = m.members("sectors")
    spy = m.series("SPY")
    close = m.close(sectors).reindex(spy.index)
    # 3-month return over each ticker's own rows
    score = pd.DataFrame({t: (c / c.shift(63) - 1) for t, c in
                          ((t, close[t].dropna()) for t in sectors)}).reindex(close.index)
    month = close.index.to_period("M")
    last_of_month = np.r_[month[1:] != month[:-1], False]
    ff = close.ffill()
    r = (ff / ff.shift(1) - 1).fillna(0.0).to_numpy()
    has_next = np.r_[close.notna().to_numpy()[1:], np.zeros((1, len(sectors)), bool)]
    w = np.zeros(len(sectors))
    net = np.zeros(len(close))
    for d in range(len(close)):
        g = float(w @ r[d])
        w = w * (1 + r[d]) / (1 + g)
        traded = 0.0
        if d and last_of_month[d - 1]:
            s = score.iloc[d - 1].to_numpy()
            ok = [j for j in range(len(sectors)) if s[j] == s[j] and has_next[d - 1, j]]
            top = sorted(ok, key=lambda j: (-s[j], j))[:3]
            t = np.zeros(len(sectors))
            if top:
                t[top] = 1 / len(top)
            traded = np.abs(t - w).sum()
            w = t
        net[d] = (1 + g) * (1 - 5e-4 * traded) - 1
    exp = pd.Series(net, index=close.index).loc[res.returns.index]
    np.testing.assert_allclose(res.returns.to_numpy(), exp.to_numpy(), rtol=0, atol=1e-13)
    _check_metrics(res, exp)
    assert res.metrics()["trades"] >= 12 * 16  # every month-end trades (drift)
    # XLC (listed 2018) cannot be held before it has prices
    assert (res.weights.loc[:"2018-06-18", "XLC"] == 0).all()
