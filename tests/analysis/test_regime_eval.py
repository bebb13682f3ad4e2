"""Regime track record: forward outcomes, spells and bootstrap against direct
recomputation; no look-ahead; real data and synthetic episodes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rotascope
from rotascope.analysis.regime_eval import (
    evaluate_market,
    evaluate_verdicts,
    forward_outcomes,
    track_record_line,
    verdict_spells,
)


def _close(n=700, seed=1):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2015-01-01", periods=n)
    r = rng.normal(0.0003, 0.01, size=(n, 4))
    return pd.DataFrame(100 * np.exp(np.cumsum(r, 0)), index=idx,
                        columns=["SPY", "RSP", "IWM", "QQQ"])


def _verdict(idx, seed=2):
    rng = np.random.default_rng(seed)
    names = np.array(["broadening rotation", "mixed", "broad breakdown"])
    spell = np.repeat(rng.integers(0, 3, size=len(idx) // 20 + 1), 20)[: len(idx)]
    return pd.Series(names[spell], index=idx, dtype=object)


def test_forward_outcomes_direct():
    c = _close()
    f = forward_outcomes(c)
    t = 100
    spy = c["SPY"].to_numpy()
    assert f["spy_1m"].iloc[t] == pytest.approx(spy[t + 21] / spy[t] - 1, abs=1e-15)
    assert f["spy_3m"].iloc[t] == pytest.approx(spy[t + 63] / spy[t] - 1, abs=1e-15)
    path = spy[t: t + 64]
    worst = min(path[i] / path[: i + 1].max() - 1 for i in range(len(path)))
    assert f["spy_worst_3m"].iloc[t] == pytest.approx(worst, abs=1e-15)
    ratio = c["RSP"] / c["SPY"]
    assert f["rsp_spy_3m"].iloc[t] == pytest.approx(ratio.iloc[t + 63] / ratio.iloc[t] - 1)
    assert f["spy_3m"].iloc[-63:].isna().all() and f["spy_3m"].iloc[-64] == f["spy_3m"].iloc[-64]


def test_spells_and_means_recomputed():
    c = _close()
    v = _verdict(c.index)
    ev = evaluate_verdicts(v, c, n_boot=200)
    sp = verdict_spells(v)
    assert sp["sessions"].sum() == len(v)
    changes = int((v != v.shift(1)).sum() - 1)
    assert ev.flips_per_year == pytest.approx(changes / (len(v) / 252))
    f = forward_outcomes(c)
    for name in set(v):
        sel = (v == name) & f["spy_3m"].notna()
        assert ev.outcomes.loc[name, ("spy_3m", "mean")] == pytest.approx(
            f["spy_3m"][sel].mean(), abs=1e-12)
        assert ev.outcomes.loc[name, ("spy_3m", "lo")] <= ev.outcomes.loc[name, ("spy_3m", "hi")]
        assert ev.summary.loc[name, "spells"] == (sp["verdict"] == name).sum()
    base = f["spy_3m"].dropna().mean()
    assert ev.outcomes.loc["all", ("spy_3m", "mean")] == pytest.approx(base, abs=1e-12)
    line = track_record_line(ev, "mixed")
    assert "SPY returned" in line["text"] and line["sessions"] == int((v == "mixed").sum())


def test_truncated_end_reads_nothing_after():
    c = _close()
    v = _verdict(c.index)
    end = c.index[400]
    a = evaluate_verdicts(v, c, end=end, n_boot=100)
    changed = c.copy()
    changed.loc[c.index[401]:] *= 3.0  # the future differs
    b = evaluate_verdicts(v, changed, end=end, n_boot=100)
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
    assert a.end == end


def test_bootstrap_detects_a_real_effect():
    c = _close(n=1500)
    f = forward_outcomes(c)
    # a verdict that knows the future (a test of the statistics, not of a rule)
    v = pd.Series(np.where(f["spy_3m"] > 0.03, "good", "other"), index=c.index, dtype=object)
    ev = evaluate_verdicts(v, c, n_boot=300)
    assert ev.outcomes.loc["good", ("spy_3m", "diff_lo")] > 0
    assert ev.outcomes.loc["other", ("spy_3m", "diff_hi")] < 0


def test_real_data_track_record(loaded_store):
    m = rotascope.market(home=loaded_store.home)
    ev = evaluate_market(m, start="2007-01-01", n_boot=200)
    assert ev.start.year == 2007 and ev.end == m.as_of
    assert abs(ev.summary["share"].sum() - 1) < 1e-12
    doc = ev.to_dict()
    assert {v["verdict"] for v in doc["verdicts"]} <= set(
        ["broad breakdown", "defensive rotation", "broadening rotation", "narrow leadership",
         "mixed"])
    spy = m.close(["SPY"])["SPY"].dropna()
    fwd = spy.shift(-63) / spy - 1
    fwd = fwd.loc[ev.start:ev.end].dropna()
    assert doc["base_rates"]["spy_3m"]["mean"] == pytest.approx(fwd.mean(), abs=1e-12)


def test_synthetic_episodes_read_as_their_kind():
    from rotascope.analysis.inputs import load_regime_inputs
    from rotascope.analysis.regime import load_rules, regime_history
    from rotascope.analysis.regime_eval import episode_verdicts
    from rotascope.data.synthetic import generate_market
    from rotascope.market_view import MarketView

    syn = generate_market(tickers=60, years=20, seed=7)
    m = MarketView.from_frame(syn.close, universes={"sp500": syn.universes["sp500"]})
    rules = load_rules(None)
    inp = load_regime_inputs(m, rules)
    hist = regime_history(inp.close, inp.breadth, rules)
    table = episode_verdicts(hist.verdict, syn.episodes).droplevel(0)
    breakdown = table.loc[["breakdown"]]
    assert (breakdown["broad breakdown"] >= 0.6).all(), breakdown
    rotation = table.loc[["rotation"]]
    assert (rotation["broadening rotation"] > 0.1).all(), rotation
    assert (rotation.get("broad breakdown", 0) < 0.2).all(), rotation
    ev = evaluate_verdicts(hist.verdict.astype(object), m.close(["SPY", "RSP", "IWM", "QQQ"]),
                           n_boot=200)
    assert ev.sessions > 4000


def test_weekly_track_record_uses_data_up_to_as_of():
    from rotascope.analysis.regime_eval import weekly_track_record
    from rotascope.data.synthetic import generate_market
    from rotascope.market_view import MarketView

    syn = generate_market(tickers=50, years=8, seed=3)
    day = syn.close.index[-300]
    m = MarketView.from_frame(syn.close, universes={"sp500": syn.universes["sp500"]},
                              as_of=day)
    line = weekly_track_record(m, n_boot=100)
    cut = MarketView.from_frame(syn.close.loc[:day], universes={"sp500": syn.universes["sp500"]},
                                as_of=day)
    assert weekly_track_record(cut, n_boot=100) == line
    assert line["to"] <= day and line["verdict"] in line["text"]
    assert line["sessions"] > 0
