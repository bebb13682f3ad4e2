"""On the seeded synthetic market, the note finds each injected episode near its true
dates: rotations read as broadening rotation, the breakdown as broad breakdown (the
regime verdict the note reports), the range and the crashes in the index and crypto
sections' signals."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from rotascope.analysis.inputs import load_regime_inputs
from rotascope.analysis.regime import load_rules, regime_history
from rotascope.data.store import Store
from rotascope.market_view import MarketView

from .conftest import SYN_AS_OF, note_from_store

#: How long after an episode's last day the verdict may take to show it (its signals
#: use 3-month windows and a new verdict must hold 5 days to be adopted).
LAG = pd.Timedelta(days=30)


@pytest.fixture(scope="module")
def history(syn_home):
    rules = load_rules()
    with Store(syn_home.store_path, read_only=True) as store:
        inputs = load_regime_inputs(MarketView.open(store, syn_home, as_of=store.last_date()),
                                    rules)
    return regime_history(inputs.close, inputs.breadth, rules)


def _episodes(mkt, kind):
    e = mkt.episodes
    rows = e[e["kind"] == kind]
    assert len(rows), kind
    return list(rows.itertuples())


def _note(home, day, **kw):
    with Store(home.store_path, read_only=True) as store:
        return note_from_store(store, home, day, previous=None, **kw)


def test_note_reports_the_regime_engine_verdict(syn_note, history) -> None:
    model, note, _ = syn_note
    assert note["regime"]["verdict"] == history.at(SYN_AS_OF).verdict
    assert note["regime"]["confidence"] == pytest.approx(history.at(SYN_AS_OF).confidence)


@pytest.mark.parametrize("kind,verdict", [("rotation", "broadening rotation"),
                                          ("breakdown", "broad breakdown")])
def test_verdict_finds_each_episode_near_its_dates(syn_market, history, kind, verdict) -> None:
    for ep in _episodes(syn_market, kind):
        window = history.verdict.loc[ep.start:ep.end + LAG]
        days = int((window == verdict).sum())
        counts = window.value_counts().to_dict()
        assert days >= 5, (f"{ep.name} ({ep.start:%Y-%m-%d}..{ep.end:%Y-%m-%d}): "
                           f"{verdict!r} on {days} days; verdicts {counts}")
        before = history.verdict.loc[ep.start - pd.Timedelta(days=90):ep.start
                                     - pd.Timedelta(days=1)]
        assert (before == verdict).mean() < (window == verdict).mean(), ep.name


def test_rotation_is_not_called_a_breakdown(syn_market, history) -> None:
    for ep in _episodes(syn_market, "rotation"):
        window = history.verdict.loc[ep.start:ep.end + LAG]
        assert not (window == "broad breakdown").any(), ep.name


def test_range_and_breakout_visible_in_the_index_section(syn_market, syn_home) -> None:
    (ep,) = _episodes(syn_market, "range")
    model = _note(syn_home, ep.end)
    figs = model.figures
    sec = model.section("index")
    assert sec.data["range"]["in_range"]
    floor, ceiling = figs.value("SPY.range_floor"), figs.value("SPY.range_ceiling")
    # the detected band (<= 4% wide, >= 30 closes) contains the injected one
    assert floor <= ep.floor * (1 + 1e-12) and ceiling >= ep.ceiling * (1 - 1e-12)
    assert ceiling / floor - 1 <= 0.04 + 1e-12
    assert figs.value("SPY.range_days") >= 30
    text = " ".join(sec.templates())
    assert "lines in the sand" in text
    # the breakout of the detected range comes with the injected exit (the exit runs 5
    # rows; the detected band may include its first close when it is within 4%)
    after = _note(syn_home, ep.exit_date + pd.offsets.BDay(5))
    rng = after.section("index").data["range"]
    assert rng["break"] == "breakout"
    assert ep.exit_date <= pd.Timestamp(rng["break_date"]) <= ep.exit_date + pd.offsets.BDay(4)
    assert after.figures.value("SPY.broken_range_ceiling") >= ep.ceiling * (1 - 1e-12)
    assert "broke out above" in " ".join(after.section("index").templates())


def test_index_crash_and_weak_bounce_visible(syn_market, syn_home) -> None:
    crash = [e for e in _episodes(syn_market, "crash_weak_bounce") if e.target == "SPY"]
    assert crash
    ep = crash[0]
    at_trough = _note(syn_home, ep.trough_date)
    assert at_trough.figures.value("SPY.worst_decline_10") == pytest.approx(
        ep.worst_decline_10d, rel=1e-9)
    assert "Stress is visible" in " ".join(at_trough.section("index").templates())
    later = _note(syn_home, ep.end)
    reb = later.section("index").data["rebound"]
    assert reb is not None and pd.Timestamp(reb["trough_date"]) == ep.trough_date
    assert reb["shape"] in ("weak bounce", "in progress")
    assert later.figures.value("SPY.rebound_retraced") < 0.5


def test_bitcoin_crash_visible_in_crypto_section(syn_market, syn_home) -> None:
    ep = [e for e in _episodes(syn_market, "crash_weak_bounce") if e.target == "IBIT"][0]
    model = _note(syn_home, ep.end)
    data = model.section("crypto").data
    assert pd.Timestamp(data["trough_date"]) == ep.trough_date
    assert data["rebound_shape"] in ("weak bounce", "in progress")
    assert model.figures.value("IBIT.rebound_decline") == pytest.approx(ep.decline, rel=1e-9) \
        or model.figures.value("IBIT.rebound_decline") <= ep.decline
    assert not math.isnan(model.figures.value("IBIT.rebound_retraced"))
