"""Recap: a note a week after an earlier one recalls its verdict and says what changed;
the reports table keeps one note per date."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.data.store import Store
from rotascope.outputs.cli.main import cli
from rotascope.outputs.report.history import list_notes, previous_note, save_note

from .conftest import note_from_store
from .oracle import Oracle

FIRST, SECOND = "2007-11-16", "2007-11-23"


def _build(home, day, **kw):
    with Store(home.store_path, read_only=True) as store:
        return note_from_store(store, home, day, **kw)


def test_history_table_round_trip(syn_home_copy) -> None:
    first = _build(syn_home_copy, FIRST, previous=None).to_dict()
    with Store(syn_home_copy.store_path) as store:
        assert previous_note(store, SECOND) is None          # no table yet
        save_note(store, first)
        save_note(store, first)                              # same date: replaced
        assert len(list_notes(store)) == 1
        assert previous_note(store, SECOND)["as_of"] == FIRST
        assert previous_note(store, FIRST) is None           # strictly earlier only


def test_second_note_recalls_the_first_and_what_changed(syn_home_copy) -> None:
    first = _build(syn_home_copy, FIRST, previous=None).to_dict()
    with Store(syn_home_copy.store_path) as store:
        save_note(store, first)
    model = _build(syn_home_copy, SECOND)                    # previous read from the store
    note = model.to_dict()
    assert note["previous_as_of"] == FIRST
    recap = next(s for s in note["sections"] if s["id"] == "recap")
    text = " ".join(b.get("text", "") + " ".join(i["text"] for i in b.get("items", []))
                    for b in recap["blocks"])
    verdict = first["regime"]["verdict"]
    assert f"The previous note, dated {FIRST} (a week earlier), called {verdict}" in text
    # what changed: exactly the evidence whose vote differs between the two notes
    before = {e["id"]: e["vote"] for e in first["regime"]["evidence"]}
    after = {e["id"]: e["vote"] for e in note["regime"]["evidence"]}
    flipped = [k for k in after if before.get(k) != after[k]]
    assert recap["data"]["flipped"] == flipped
    labels = {e["id"]: e["label"] for e in note["regime"]["evidence"]}
    for k in flipped:
        assert labels[k] in text
    if not flipped:
        assert "No evidence signal changed its vote" in text
    changed = first["regime"]["verdict"] != note["regime"]["verdict"]
    assert recap["data"]["verdict_changed"] is changed
    assert ("moved to" in text or "is now" in text) if changed else \
        ("unchanged" in text or "We keep" in text)
    assert "SPY.return_since_previous" in {f["id"] for f in note["figures"]}
    # the previous note's figures quoted in the recap re-derive at their own date
    prev_figs = [f for f in note["figures"] if f["id"].startswith("prev.")]
    assert prev_figs and all(f["as_of"] == FIRST for f in prev_figs)
    oracle = Oracle(syn_home_copy.store_path, note)
    try:
        for f in prev_figs + [next(f for f in note["figures"]
                                   if f["id"] == "SPY.return_since_previous")]:
            assert f["value"] == pytest.approx(oracle.value(f), rel=1e-9), f["id"]
    finally:
        oracle.close()


def test_recap_reports_a_crossed_level(syn_home_copy) -> None:
    """A previous note whose 50-day average sits between its close and today's close."""
    first = _build(syn_home_copy, FIRST, previous=None).to_dict()
    figs = {f["id"]: f for f in first["figures"]}
    second = _build(syn_home_copy, SECOND, previous=None)
    now = second.figures.value("SPY.close")
    # move the earlier close to the other side of its 50-day average (a level break)
    sma = figs["SPY.sma_50"]["value"]
    figs["SPY.close"]["value"] = sma * (0.99 if now > sma else 1.01)
    first["figures"] = list(figs.values())
    model = _build(syn_home_copy, SECOND, previous=first)
    recap = model.section("recap")
    text = " ".join(recap.templates())
    assert "50-day average of the previous note" in text
    assert recap.data["levels_crossed"] >= 1


def test_cli_second_note_mentions_the_first(syn_home_copy, tmp_path) -> None:
    home = str(syn_home_copy.home)
    r1 = CliRunner().invoke(cli, ["--home", home, "report", "--as-of", FIRST, "--out",
                                  str(tmp_path / "a")])
    assert r1.exit_code == 0, r1.output
    r2 = CliRunner().invoke(cli, ["--home", home, "report", "--as-of", SECOND, "--out",
                                  str(tmp_path / "b")])
    assert r2.exit_code == 0, r2.output
    md = (tmp_path / "b" / "note.md").read_text(encoding="utf-8")
    first = json.loads((tmp_path / "a" / "note.json").read_text(encoding="utf-8"))
    assert "## Since the last note" in md
    assert f"dated {FIRST} (a week earlier), called {first['regime']['verdict']}" in md
    assert "## Since the last note" not in (tmp_path / "a" / "note.md").read_text()
    with Store(syn_home_copy.store_path, read_only=True) as store:
        dates = list(list_notes(store)["as_of"])
    assert dates == [pd.Timestamp(SECOND), pd.Timestamp(FIRST)]


def test_the_gap_to_the_previous_note_is_said_in_words() -> None:
    import pandas as pd

    from rotascope.outputs.report.sections.recap import gap_words

    day = pd.Timedelta(days=1)
    assert gap_words(7 * day) == "a week earlier"
    assert gap_words(14 * day) == "two weeks earlier"
    assert gap_words(35 * day) == "about a month earlier"
    assert gap_words(150 * day) == "about five months earlier"
    assert gap_words(400 * day) == "more than a year earlier"
