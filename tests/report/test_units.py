"""Units of the note: formatting, the registry, phrasing, flips, charts, HTML."""

from __future__ import annotations

import io
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rotascope.errors import ParameterError
from rotascope.outputs.report.charts import render_chart
from rotascope.outputs.report.figures import FigureRegistry, fill, format_value, placeholders
from rotascope.outputs.report.narrative import Voice, move_verb
from rotascope.outputs.report.sections.regime import flip_candidates, group_scores, raw_verdict

DAY = pd.Timestamp("2024-06-28")


@pytest.mark.parametrize("value,unit,text", [
    (0.1053, "pct", "+10.5%"), (-0.0004, "pct", "0.0%"), (0.62, "share", "62%"),
    (-0.0213, "pp", "-2.1 pp"), (-0.0213, "pp_abs", "2.1 pp"), (0.254, "bp", "+25 bp"),
    (-0.001, "bp", "0 bp"), (4.567, "yield", "4.57%"), (6812.5, "level", "6,812.50"),
    (0.531249, "ratio", "0.5312"), (56.25, "index", "56.2"), (1234, "count", "1,234"),
    (0.4567, "corr", "0.46"), (1 / 3, "score", "+0.33"), (float("nan"), "pct", "n/a")])
def test_format_value(value, unit, text) -> None:
    assert format_value(value, unit) == text


def test_registry_rules() -> None:
    reg = FigureRegistry()
    kw = dict(kind="return", unit="pct", definition="d", inputs={"series": ["SPY"]}, as_of=DAY)
    assert reg.add("SPY.r", 0.1, **kw) == "⟦SPY.r⟧"
    assert reg.add("SPY.r", 0.1, **kw) == "⟦SPY.r⟧"       # same figure twice is fine
    with pytest.raises(ParameterError, match="registered twice"):
        reg.add("SPY.r", 0.2, **kw)
    with pytest.raises(ParameterError, match="has no value"):
        reg.add("SPY.x", float("nan"), **kw)
    with pytest.raises(ParameterError, match="unknown kind"):
        reg.add("SPY.y", 1.0, **{**kw, "kind": "guess"})
    text = "SPY ⟦SPY.r⟧ then ⟦SPY.r⟧"
    assert placeholders(text) == ["SPY.r"]
    assert fill(text, reg.displays()) == "SPY +10.0% then +10.0%"
    with pytest.raises(KeyError, match="not registered"):
        fill("⟦nope⟧", reg.displays())
    assert reg.to_list()[0]["display"] == "+10.0%"


def test_voice_is_deterministic_and_varies_across_notes() -> None:
    opts = ["a", "b", "c", "d"]
    assert Voice(DAY).pick("k", opts) == Voice(DAY).pick("k", opts)
    picks = {Voice(DAY + pd.Timedelta(days=7 * i)).pick("k", opts) for i in range(20)}
    assert len(picks) >= 3


@given(st.floats(-0.5, 0.5, allow_nan=False))
def test_move_verb_never_contradicts_the_sign(x: float) -> None:
    verb = move_verb(Voice(DAY), "k", x)
    up = {"jumped", "surged", "rallied", "rose", "gained", "climbed", "advanced", "edged up",
          "inched higher", "firmed"}
    down = {"slumped", "tumbled", "sank", "fell", "dropped", "lost ground", "declined",
            "eased", "slipped", "dipped"}
    if x > 0.003:
        assert verb in up
    elif x < -0.003:
        assert verb in down
    else:
        assert verb not in up | down


def test_flip_candidates_are_exact(syn_note) -> None:
    from rotascope.analysis.regime import load_rules

    model, _, _ = syn_note
    rules = load_rules()
    result = model.regime
    cands = flip_candidates(result, rules)
    assert cands and [c["rank"] for c in cands] == sorted(c["rank"] for c in cands)
    by_id = {s.id: s for s in rules.signals}
    base = {e.id: (e.group, e.weight, e.vote) for e in result.evidence}
    for c in cands:
        rule = by_id[c["id"]]
        cond = getattr(rule, c["side"])
        assert c["threshold"] == cond.threshold and c["new_vote"] != c["vote"]
        e = next(x for x in result.evidence if x.id == c["id"])
        assert c["gap"] == pytest.approx(e.value - cond.threshold)
        # just across the threshold the vote is new_vote (brute force on the rule)
        step = 1e-6 * max(1.0, abs(cond.threshold))
        beyond = cond.threshold + (step if e.value < cond.threshold else -step)
        arr = np.array([beyond])
        vote = 1 if rule.plus and rule.plus.test(arr)[0] else (
            -1 if rule.minus and rule.minus.test(arr)[0] else 0)
        assert vote == c["new_vote"], c["id"]
        items = dict(base)
        items[c["id"]] = (e.group, e.weight, vote)
        scores: dict[str, list[float]] = {}
        for g, w, v in items.values():
            if v is not None:
                scores.setdefault(g, [0.0, 0.0])
                scores[g][0] += w * v
                scores[g][1] += w
        assert c["verdict_after"] == raw_verdict(rules, {g: a / b for g, (a, b)
                                                          in scores.items()})
    assert raw_verdict(rules, group_scores(list(base.values()))) == result.raw_verdict


def test_charts_carry_the_synthetic_mark(syn_note) -> None:
    from PIL import Image

    model, _, _ = syn_note
    spec = model.chart("index")
    plain = render_chart(spec, synthetic=False)
    marked = render_chart(spec, synthetic=True)
    assert plain != marked
    a = np.asarray(Image.open(io.BytesIO(plain)).convert("RGB")).astype(int)
    b = np.asarray(Image.open(io.BytesIO(marked)).convert("RGB")).astype(int)
    assert a.shape == b.shape == (500, 900, 3)
    # the mark is red: many more reddish pixels than without it
    def reddish(x):
        return int(((x[..., 0] > 150) & (x[..., 1] < 120) & (x[..., 2] < 120)).sum())
    assert reddish(b) > reddish(a) + 500


def test_html_is_self_contained(syn_note) -> None:
    _, note, folder = syn_note
    page = (folder / "note.html").read_text(encoding="utf-8")
    assert "<script" not in page and not re.search(r"""(?:src|href)=["']?(?:https?:)?//""",
                                                   page)
    srcs = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert len(srcs) == len(note["charts"]) and all(
        s.startswith("data:image/png;base64,") for s in srcs)
    assert "@media print" in page
    ids = set(re.findall(r'data-id="([^"]+)"', page))
    assert ids <= {f["id"] for f in note["figures"]} and len(ids) > 100


def test_missing_instrument_is_said_plainly(syn_home_copy) -> None:
    """Drop IBIT from a store: the note says it is not in the store, prints no number."""
    from rotascope.data.store import Store

    from .conftest import note_from_store

    with Store(syn_home_copy.store_path) as store:
        store.con.execute("DELETE FROM prices WHERE ticker = 'IBIT'")
        model = note_from_store(store, syn_home_copy, "2007-06-29", previous=None)
    crypto = model.section("crypto")
    text = " ".join(crypto.templates())
    assert "not available" in text and "not in the store" in text
    assert "⟦" not in text
    assert model.missing["IBIT"] == "not in the store"
    assert not any(f.id.startswith("IBIT.") for f in model.figures)
    ev = next(e for e in model.regime.evidence if e.id == "bitcoin")
    assert ev.vote is None and math.isnan(ev.value)
