"""The verdict's track record line of the note (issue 12): its figures recomputed by the
oracle (tests/report/oracle.py ``track_record``), shown in Markdown, HTML and JSON, and
point in time (a forward month counts only once it ended by the note's date)."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

from rotascope.analysis.regime_eval import spell_record

from .conftest import REAL_AS_OF
from .oracle import Oracle

TRACK = ("regime.track.spells", "regime.track.median", "regime.track.base")


def _track(note):
    figs = {f["id"]: f for f in note["figures"] if f["id"] in TRACK}
    sec = next(s for s in note["sections"] if s["id"] == "verdict")
    return figs, sec


def _check(store_path, note):
    figs, sec = _track(note)
    assert set(figs) == set(TRACK)
    oracle = Oracle(store_path, note)
    try:
        for f in figs.values():
            want = oracle.value(f)
            assert f["value"] == pytest.approx(want, rel=1e-12, abs=1e-15), f["id"]
    finally:
        oracle.close()
    data = sec["data"]["track_record"]
    assert data["counted"] == figs["regime.track.spells"]["value"]
    assert data["verdict"] == note["regime"]["verdict"]
    text = sec["blocks"][0]["text"]
    line = (f"Track record: since {data['start']}, '{data['verdict']}' spells were followed "
            f"by a median {figs['regime.track.median']['display']} SPY over the next month "
            f"(n={figs['regime.track.spells']['display']} spells; base rate "
            f"{figs['regime.track.base']['display']}).")
    assert line in text
    return line


def test_synthetic_note_track_record(syn_note, syn_home) -> None:
    _, note, folder = syn_note
    line = _check(syn_home.store_path, note)
    page = (folder / "note.html").read_text(encoding="utf-8")
    assert line in html.unescape(re.sub(r"<[^>]+>", "", page))  # the visible text
    assert line in (folder / "note.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("day", REAL_AS_OF)
def test_real_note_track_record(real_notes, loaded_store, day) -> None:
    _, note, folder = real_notes[day]
    _check(loaded_store.store_path, note)
    assert "Track record: since " in (folder / "note.md").read_text(encoding="utf-8")


# -- the computation, on a hand-made history ---------------------------------------------

def _hand():
    idx = pd.bdate_range("2020-01-01", periods=60)
    spy = pd.Series(100.0 * 1.01 ** np.arange(60), index=idx)  # +1% a session
    spy.iloc[30:] = spy.iloc[30] * 0.99 ** np.arange(30)         # then -1% a session
    v = pd.Series(["a"] * 10 + ["b"] * 10 + ["a"] * 15 + ["b"] * 10 + ["a"] * 15, index=idx,
                  dtype=object)
    return v, spy


def test_spell_record_by_hand() -> None:
    v, spy = _hand()
    idx = spy.index
    rec = spell_record(v, spy, idx[-1], window=5)
    # 'a' spells begin at rows 0, 20, 45; each has 5 sessions after it by row 59
    r = [spy.iloc[k + 5] / spy.iloc[k] - 1 for k in (0, 20, 45)]
    assert (rec.verdict, rec.spells, rec.counted) == ("a", 3, 3)
    assert rec.median == pytest.approx(float(np.median(r)), rel=1e-14)
    base = [spy.iloc[k + 5] / spy.iloc[k] - 1 for k in range(55)]
    assert rec.base_n == 55 and rec.base_median == pytest.approx(float(np.median(base)))
    # as of row 48 the 'a' spell begun on row 45 has no full window yet: not counted
    rec48 = spell_record(v, spy, idx[48], window=5)
    assert (rec48.spells, rec48.counted) == (3, 2) and rec48.base_n == 44
    assert rec48.median == pytest.approx(float(np.median(r[:2])), rel=1e-14)
    # start cuts earlier spells
    assert spell_record(v, spy, idx[-1], start=idx[15], window=5).spells == 2


def test_spell_record_truncation() -> None:
    """Cutting or changing everything after the as-of date changes nothing."""
    v, spy = _hand()
    rng = np.random.default_rng(3)
    for k in range(12, 60, 7):
        day = spy.index[k]
        full = spell_record(v, spy, day, window=5)
        cut = spell_record(v.iloc[:k + 1], spy.iloc[:k + 1], day, window=5)
        noisy = spy.copy()
        noisy.iloc[k + 1:] *= rng.uniform(0.5, 2.0, len(spy) - k - 1)
        flipped = v.copy()
        flipped.iloc[k + 1:] = "a"
        assert full == cut == spell_record(flipped, noisy, day, window=5)


def test_real_history_is_point_in_time(loaded_store) -> None:
    """The note's record as of D from the full-history replay equals the one replayed on
    data up to D only (the verdict history itself reads no later data)."""
    from rotascope.analysis.inputs import load_regime_inputs
    from rotascope.analysis.regime import load_rules, regime_history
    from rotascope.data.store import Store
    from rotascope.market_view import MarketView

    rules = load_rules(None)
    day = pd.Timestamp("2024-06-28")
    with Store(loaded_store.store_path, read_only=True) as store:
        out = []
        for as_of in ("2026-07-14", day):
            inputs = load_regime_inputs(MarketView.open(store, None, as_of=as_of), rules)
            hist = regime_history(inputs.close, inputs.breadth, rules)
            out.append(spell_record(hist.verdict, inputs.close["SPY"], day, start="2008-01-01"))
    assert out[0] == out[1] and out[0].counted > 0
