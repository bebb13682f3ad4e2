"""Backtest engine on synthetic frames: timing, no look-ahead, costs, cash, membership,
metrics against empyrical and an independent pandas recomputation, file errors."""

from __future__ import annotations

import empyrical as ep
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotascope.backtest import (
    CASH,
    StrategyFileError,
    parse_strategies,
    performance,
    run_strategy,
)
from rotascope.backtest.engine import rebalance_flags
from rotascope.market_view import MarketView


def _frame(n: int = 300, seed: int = 0, tickers=("SPY", "RSP", "AAA", "BBB", "CCC", "DDD")
           ) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2019-01-01", periods=n)
    r = rng.normal(0.0004, 0.012, size=(n, len(tickers)))
    return pd.DataFrame(100 * np.exp(np.cumsum(r, axis=0)), index=idx, columns=list(tickers))


def _one(text: str, frame: pd.DataFrame, universes=None, start=None, as_of=None):
    m = MarketView.from_frame(frame, universes=universes,
                              as_of=as_of if as_of is not None else frame.index[-1])
    doc = "version: 1\nstrategies:\n" + text
    s = parse_strategies(doc, "t.yaml", known_tickers=set(frame.columns),
                         universe_problem=lambda u: None if u in (universes or {}) else "no")
    return run_strategy(s[0], m, start)


SWITCH = """  - id: sw
    when: close(RSP) > sma(RSP, 5)
    hold: {RSP: 1.0}
    otherwise: {SPY: 1.0}
"""

MOM = """  - id: mom
    universe: u
    rank: perf($, 20)
    top: 2
    rebalance: weekly
    costs_bps: 10
"""


def test_timing_decision_t_trade_t1_earn_t2():
    f = _frame()
    res = _one(SWITCH, f, start=f.index[60])
    sig = f["RSP"] > f["RSP"].rolling(5).mean()
    r = f.pct_change()
    # weights held after the close of d = the decision of d-1
    held = res.weights["RSP"]
    exp_held = sig.shift(1).reindex(held.index).astype(float)
    np.testing.assert_array_equal(held.to_numpy(), exp_held.to_numpy())
    # the return of d is earned by the weights held after d-1: decision of d-2
    pos = sig.shift(2).reindex(res.returns.index).astype(bool)
    exp = np.where(pos, r["RSP"].reindex(res.returns.index), r["SPY"].reindex(res.returns.index))
    np.testing.assert_allclose(res.returns.to_numpy(), exp, rtol=0, atol=1e-15)
    assert res.equity.iloc[0] == 1.0
    assert res.equity.index[0] == f.index[60]


def test_from_is_first_session_on_or_after():
    f = _frame()
    day = f.index[40] + pd.Timedelta(days=1)  # a Saturday or mid-week date
    res = _one(SWITCH, f, start=day)
    assert res.equity.index[0] == f.index[f.index >= day][0]


def _equal_weight_reference(f, members_mask, k, cost, flags, score):
    """Independent path: a plain loop with drifting weights (test-only)."""
    n = len(f)
    r = f.pct_change().fillna(0.0).to_numpy()
    w = np.zeros(f.shape[1])
    net = np.zeros(n)
    cols = list(f.columns)
    valid_next = np.zeros((n, len(cols)), dtype=bool)
    valid_next[:-1] = f.notna().to_numpy()[1:]
    for d in range(n):
        gross = float(w @ r[d])
        w = w * (1 + r[d]) / (1 + gross)
        traded = 0.0
        if d >= 1 and flags[d - 1]:
            s = score.iloc[d - 1]
            ok = [j for j, c in enumerate(cols)
                  if members_mask.iloc[d - 1, j] and valid_next[d - 1, j]
                  and s.iloc[j] == s.iloc[j]]
            ok.sort(key=lambda j: (-s.iloc[j], j))
            chosen = ok[:k]
            t = np.zeros(len(cols))
            for j in chosen:
                t[j] = 1.0 / len(chosen)
            traded = np.abs(t - w).sum()
            w = t
        net[d] = (1 + gross) * (1 - cost * traded) - 1
    return pd.Series(net, index=f.index)


def test_ranking_point_in_time_membership_and_costs():
    f = _frame(seed=3)
    members = ["AAA", "BBB", "CCC", "DDD"]
    mask = pd.DataFrame(True, index=f.index, columns=members)
    mask.loc[: f.index[150], "DDD"] = False   # joins later
    mask.loc[f.index[200]:, "AAA"] = False    # leaves
    res = _one(MOM, f, universes={"u": mask}, start=f.index[30])
    sub = f[members]
    score = sub / sub.shift(20) - 1
    ref = _equal_weight_reference(sub, mask, 2, 10 / 1e4, rebalance_flags(f.index, "weekly"),
                                  score)
    np.testing.assert_allclose(res.returns.to_numpy(), ref.iloc[31:].to_numpy(), atol=1e-13)
    w = res.weights
    assert (w.loc[: f.index[151], "DDD"] == 0).all()
    # a leaver is sold at the first weekly rebalance after it left (+1 session to trade)
    assert (w.loc[f.index[207]:, "AAA"] == 0).all()
    assert (w.loc[f.index[190]:f.index[199], "AAA"] > 0).any()
    assert res.turnover.sum() > 0


def test_costs_reduce_returns_exactly():
    f = _frame(seed=5)
    free = _one(SWITCH, f, start=f.index[20])
    paid = _one(SWITCH.replace("otherwise", "costs_bps: 25\n    otherwise"), f,
                start=f.index[20])
    gross = 1 + free.returns
    np.testing.assert_allclose(1 + paid.returns, gross * (1 - 25e-4 * paid.turnover), atol=1e-15)
    assert paid.metrics()["total_return"] < free.metrics()["total_return"]


def test_cash_earns_tbill_series():
    f = _frame()
    f["^IRX"] = 5.0  # 5% a year
    text = """  - id: c
    when: close(SPY) > 1e9
    hold: {SPY: 1.0}
    otherwise: {CASH: 1.0}
    cash: ^IRX
"""
    res = _one(text, f, start=f.index[10])
    np.testing.assert_allclose(res.returns.to_numpy(), 0.05 / 252, atol=1e-15)
    res0 = _one(text.replace("    cash: ^IRX\n", ""), f, start=f.index[10])
    assert (res0.returns == 0).all()
    assert res.weights[CASH].eq(1.0).all()
    assert res.metrics()["exposure"] == 0.0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=40, max_value=259), seed=st.integers(0, 3),
       which=st.sampled_from(["switch", "mom"]))
def test_truncation_no_look_ahead(cut, seed, which):
    f = _frame(n=260, seed=seed)
    members = ["AAA", "BBB", "CCC", "DDD"]
    text = SWITCH if which == "switch" else MOM.replace("weekly", "monthly")
    uni = {"u": members}
    full = _one(text, f, universes=uni, start=f.index[30])
    part = _one(text, f.iloc[: cut + 1], universes=uni, start=f.index[30])
    # also: the same data, but a view whose as-of date is the cut
    view = _one(text, f, universes=uni, start=f.index[30], as_of=f.index[cut])
    for p in (part, view):
        assert p.weights.index[-1] == f.index[cut]
        pd.testing.assert_frame_equal(p.weights, full.weights.loc[: f.index[cut]])
        pd.testing.assert_series_equal(p.returns, full.returns.loc[: f.index[cut]])


def test_metrics_equal_empyrical_and_pandas():
    rng = np.random.default_rng(11)
    idx = pd.bdate_range("2015-01-01", periods=1500)
    r = pd.Series(rng.normal(0.0003, 0.011, len(idx)), index=idx)
    m = performance(r)
    assert m["total_return"] == pytest.approx(ep.cum_returns_final(r), abs=1e-9)
    assert m["annual_return"] == pytest.approx(ep.annual_return(r), abs=1e-9)
    assert m["annual_volatility"] == pytest.approx(ep.annual_volatility(r), abs=1e-9)
    assert m["sharpe"] == pytest.approx(ep.sharpe_ratio(r), abs=1e-9)
    assert m["sortino"] == pytest.approx(ep.sortino_ratio(r), abs=1e-9)
    assert m["max_drawdown"] == pytest.approx(ep.max_drawdown(r), abs=1e-9)
    assert m["calmar"] == pytest.approx(ep.calmar_ratio(r), abs=1e-9)
    # independently with pandas
    eq = (1 + r).cumprod()
    assert m["total_return"] == pytest.approx(eq.iloc[-1] - 1, abs=1e-12)
    assert m["sharpe"] == pytest.approx(r.mean() / r.std() * np.sqrt(252), abs=1e-12)
    peak = pd.concat([pd.Series([1.0]), eq]).cummax().iloc[1:].to_numpy()
    assert m["max_drawdown"] == pytest.approx((eq / peak - 1).min(), abs=1e-12)
    down = np.sqrt((r.clip(upper=0) ** 2).mean() * 252)
    assert m["sortino"] == pytest.approx(r.mean() * 252 / down, abs=1e-12)


def test_rebalance_flags_last_session_of_period():
    idx = pd.bdate_range("2024-01-25", "2024-03-05")
    monthly = rebalance_flags(idx, "monthly")
    assert list(idx[monthly]) == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-29")]
    weekly = rebalance_flags(idx, "weekly")
    assert all(d.day_of_week == 4 for d in idx[weekly])
    assert not weekly[-1] and not monthly[-1]


@pytest.mark.parametrize("text, where, words", [
    ("  - id: a\n    when: close(SPY) >\n    hold: {SPY: 1}\n", "t.yaml:4:", "syntax"),
    ("  - id: a\n    when: close(SPYX) > 1\n    hold: {SPY: 1}\n", "t.yaml:4:17", "SPYX"),
    ("  - id: a\n    hold: {SPY: 1}\n    rebalance: hourly\n", "t.yaml:5:16", "daily"),
    ("  - id: a\n    universe: u\n    rank: perf($)\n", "t.yaml:5:11", "window"),
    ("  - id: a\n    universe: u\n    rank: close(SPY)\n", "t.yaml:5:11", "indicator"),
    ("  - id: a\n    hold: !!python/object:os.system {SPY: 1}\n", "t.yaml:", "tag"),
    ("  - id: a\n    hold: {SPY: 1}\n  - id: a\n    hold: {SPY: 1}\n", "t.yaml:5:5",
     "duplicate"),
])
def test_file_errors_are_located(text, where, words):
    with pytest.raises(StrategyFileError) as exc:
        parse_strategies("version: 1\nstrategies:\n" + text, "t.yaml", known_tickers={"SPY"},
                         universe_problem=lambda u: None)
    msg = str(exc.value)
    assert where in msg and words.lower() in msg.lower(), msg
