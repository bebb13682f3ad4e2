"""The verdict section, "what would change the view" (positioning) and the risks to monitor."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model import Bullets, Paragraph, Section, Table
from ..narrative import (
    join_words,
    vote_word,
)
from ._common import (
    _MISSING,
    _d,
)

if TYPE_CHECKING:
    from ..build import ReportContext

__all__ = ["verdict_section", "track_record_sentence", "track_start", "positioning_section",
           "risks_section", "flip_candidates", "measure_unit", "raw_verdict", "group_scores"]


# -- the verdict -------------------------------------------------------------------------

#: Display unit of each regime measure unit (see :meth:`Measure.unit`).
_MEASURE_UNITS = {"fraction": "pct", "share": "pct_abs", "index": "index", "bp": "bp",
                  "count": "count"}
#: Unit of a distance to a threshold, per measure unit.
_GAP_UNITS = {"fraction": "pp_abs", "share": "pp_abs", "index": "index_abs", "bp": "bp_abs",
              "count": "count"}


def measure_unit(measure: Any) -> str:
    """The figure unit of a regime measure's value (matches the evidence ``display``)."""
    return _MEASURE_UNITS[measure.unit]


def _measure_inputs(rule: Any) -> dict[str, Any]:
    return {"signal": rule.id, "measure": {"kind": rule.measure.kind,
                                           **dict(rule.measure.params)}}


def _register_evidence(ctx: ReportContext, result: Any, rules: Any) -> dict[str, Any]:
    """Figures for every evidence value and threshold; returns {signal id: rule}."""
    by_id = {s.id: s for s in rules.signals}
    for e in result.evidence:
        rule = by_id[e.id]
        unit = measure_unit(rule.measure)
        if not math.isnan(e.value):
            ctx.add(f"regime.{e.id}", e.value, kind="regime_measure", unit=unit,
                    definition=e.definition, inputs=_measure_inputs(rule), display=e.display)
        for side, cond in (("plus", rule.plus), ("minus", rule.minus)):
            if cond is not None:
                ctx.add(f"regime.{e.id}.{side}", cond.threshold, kind="regime_threshold",
                        unit=unit, definition=f"threshold of {e.id}: votes "
                        f"{'+1' if side == 'plus' else '-1'} when the measure is "
                        f"{cond.op} it", inputs={"signal": e.id, "side": side,
                                                 "op": cond.op})
    return by_id


def _threshold_text(ctx: ReportContext, e: Any, rule: Any) -> str:
    parts = []
    for side, cond, vote in (("plus", rule.plus, 1), ("minus", rule.minus, -1)):
        if cond is None:
            continue
        op = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}[cond.op]
        parts.append(f"{vote_word(rule.group, vote)} {op} {ctx.reg.ref(f'regime.{e.id}.{side}')}")
    return "; ".join(parts)


#: Forward window of the track record line (one month of SPY sessions).
TRACK_WINDOW = 21


def track_start(scores: Any, as_of: Any) -> Any:
    """The first session on which every group that scores by ``as_of`` has a score
    (before it, the verdict rests on part of the evidence); None when none scores."""
    seen = scores.loc[:as_of]
    firsts = [seen[c].first_valid_index() for c in seen.columns]
    firsts = [f for f in firsts if f is not None]
    return max(firsts) if firsts else None


def track_record_sentence(ctx: ReportContext, history: Any, rules: Any
                          ) -> tuple[str | None, dict[str, Any]]:
    """The one line on what followed the current verdict's past spells (issue 12), from
    the regime history (:class:`~rotascope.analysis.regime.RegimeHistory`), point in
    time: from the first session with every group scoring (:func:`track_start`), and a
    forward month counts only if it ended by the note's date."""
    from ....analysis.regime_eval import spell_record

    if history is None:
        return None, {}
    verdict = history.verdict
    start = track_start(history.scores, ctx.as_of)
    spy = ctx.series("SPY")
    if spy is None or start is None or verdict.loc[start:ctx.as_of].dropna().empty:
        return None, {}
    rec = spell_record(verdict, spy, ctx.as_of, start=start, window=TRACK_WINDOW)
    data = {k: (_d(x) if hasattr(x, "strftime") else x) for k, x in rec.to_dict().items()}
    since = _d(rec.start)
    if not rec.counted or rec.median is None or rec.base_median is None:
        return (f"Track record: no '{rec.verdict}' spell since {since} has a full month "
                "after it yet."), data
    inputs = {"verdict": rec.verdict, "series": ["SPY"], "window": rec.window,
              "since": since, "rules": rules.source, "universe": ctx.universe}
    n = ctx.add("regime.track.spells", rec.counted, kind="verdict_spells", unit="count",
                definition=f"'{rec.verdict}' spells since {since} with a full month after",
                inputs=inputs)
    med = ctx.add("regime.track.median", rec.median, kind="verdict_forward_median",
                  unit="pct", definition=f"median SPY return over the month after a "
                  f"'{rec.verdict}' spell began", inputs=inputs)
    base = ctx.add("regime.track.base", rec.base_median, kind="forward_median_base",
                   unit="pct", definition="median SPY return over a month from any session",
                   inputs=inputs)
    return (f"Track record: since {since}, '{rec.verdict}' spells were followed by a median "
            f"{med} SPY over the next month (n={n} spells; base rate {base})."), data


def verdict_section(ctx: ReportContext, result: Any, rules: Any,
                    history: Any = None) -> Section:
    v = ctx.voice
    by_id = _register_evidence(ctx, result, rules)
    conf = ctx.add("regime.confidence", result.confidence, kind="regime_confidence",
                   unit="share", definition=f"confidence of the verdict {result.verdict!r}",
                   inputs={"verdict": result.verdict, "rules": rules.source})
    scores = {}
    for g, s in result.scores.items():
        scores[g] = ctx.add(f"regime.score.{g}", s, kind="regime_score", unit="score",
                            definition=f"weighted mean of the {g} group's votes",
                            inputs={"group": g, "rules": rules.source})
    opener = v.pick("verdict.open", ["The regime reads", "Our regime call is",
                                     "The regime call stands at"])
    s1 = f"{opener} **{result.verdict}**"
    s1 += f" (confidence {conf})" if conf else ""
    s1 += (f", in force since {_d(result.since)}." if result.since is not None else ".")
    sentences = [s1, result.description]
    track, track_data = track_record_sentence(ctx, history, rules)
    if track:
        sentences.append(track)
    if result.raw_verdict != result.verdict:
        sentences.append(f"The daily reading has turned to {result.raw_verdict}, but it has "
                         "not held long enough yet to replace the call.")
    shown = [f"{g} {p}" for g, p in scores.items() if p]
    if shown:
        sentences.append("Group scores (weighted mean votes): " + join_words(shown) + ".")
    pro = [e for e in result.evidence if e.stance == "for"]
    con = [e for e in result.evidence if e.stance == "against"]
    nodata = [e for e in result.evidence if e.stance == "no data"]
    bullets = []
    if pro:
        bullets.append("For: " + "; ".join(f"{e.label} at {ctx.reg.ref(f'regime.{e.id}')}"
                                          for e in pro) + ".")
    if con:
        bullets.append("Against: " + "; ".join(f"{e.label} at {ctx.reg.ref(f'regime.{e.id}')}"
                                              for e in con) + ".")
    if nodata:
        bullets.append("No data yet: " + ", ".join(e.label for e in nodata) + ".")
    rows = []
    for e in result.evidence:
        rule = by_id[e.id]
        value = ctx.reg.ref(f"regime.{e.id}") if f"regime.{e.id}" in ctx.reg else _MISSING
        rows.append((e.label, e.group, value, _threshold_text(ctx, e, rule),
                     vote_word(e.group, e.vote), e.stance))
    table = Table("evidence", ("Signal", "Group", "Value", "Votes", "Reads", "Stance"),
                  tuple(rows), ("l", "l", "r", "l", "l", "l"))
    blocks: list[Any] = [Paragraph(tuple(sentences))]
    if bullets:
        blocks.append(Bullets(tuple(bullets)))
    blocks.append(table)
    data = {"verdict": result.verdict, "raw_verdict": result.raw_verdict,
            "since": None if result.since is None else _d(result.since),
            "for": [e.id for e in pro], "against": [e.id for e in con],
            "no_data": [e.id for e in nodata], "track_record": track_data}
    return Section("verdict", "The regime verdict", tuple(blocks), data)

# -- positioning and what would change the view ------------------------------------------

def group_scores(items: Sequence[tuple[str, float, float | None]]) -> dict[str, float]:
    """Group scores from (group, weight, vote) as the regime rules compute them."""
    num: dict[str, float] = {}
    den: dict[str, float] = {}
    for g, w, vote in items:
        if vote is None:
            continue
        num[g] = num.get(g, 0.0) + w * vote
        den[g] = den.get(g, 0.0) + w
    return {g: num[g] / den[g] for g in num if den[g] > 0}


def raw_verdict(rules: Any, scores: Mapping[str, float]) -> str:
    for vr in rules.verdicts[:-1]:
        ok = True
        for g, (lo, hi) in vr.bounds.items():
            s = scores.get(g, math.nan)
            if math.isnan(s) or (lo is not None and s < lo) or (hi is not None and s > hi):
                ok = False
                break
        if ok:
            return vr.name
    return rules.verdicts[-1].name


def _vote_of(rule: Any, value: float) -> int:
    arr = np.array([value])
    vote = 0
    if rule.minus is not None and rule.minus.test(arr)[0]:
        vote = -1
    if rule.plus is not None and rule.plus.test(arr)[0]:
        vote = 1
    return vote


def flip_candidates(result: Any, rules: Any) -> list[dict[str, Any]]:
    """The vote-changing thresholds of every signal, nearest first.

    For each signal with a value and each of its thresholds: the gap ``value -
    threshold``, the vote the signal would take just beyond it, and the daily verdict
    the rules would give with that one vote changed (all else equal). Sorted by the
    gap relative to the signal's threshold spacing (``|plus - minus|``, or
    ``max(|threshold|, 0.01)`` for a one-sided signal).
    """
    by_id = {s.id: s for s in rules.signals}
    base = [(e.group, e.weight, e.vote) for e in result.evidence]
    now = raw_verdict(rules, group_scores(base))
    out = []
    for i, e in enumerate(result.evidence):
        if e.vote is None or math.isnan(e.value):
            continue
        rule = by_id[e.id]
        conds = [(side, c) for side, c in (("plus", rule.plus), ("minus", rule.minus)) if c]
        spacing = (abs(rule.plus.threshold - rule.minus.threshold)
                   if rule.plus is not None and rule.minus is not None else None)
        for side, c in conds:
            eps = 1e-9 * max(1.0, abs(c.threshold))
            # the value just across this threshold from where it is now
            beyond = c.threshold + (eps if e.value < c.threshold else -eps)
            if c.op in (">=", "<=") and e.value != c.threshold:
                beyond = c.threshold
            new_vote = _vote_of(rule, beyond)
            if new_vote == e.vote:
                continue
            items = list(base)
            items[i] = (e.group, e.weight, new_vote)
            verdict = raw_verdict(rules, group_scores(items))
            scale = spacing or max(abs(c.threshold), 0.01)
            out.append({"id": e.id, "label": e.label, "group": e.group, "side": side,
                        "threshold": c.threshold, "gap": e.value - c.threshold,
                        "rank": abs(e.value - c.threshold) / scale, "vote": e.vote,
                        "new_vote": new_vote, "verdict_now": now, "verdict_after": verdict,
                        "unit": rule.measure.unit})
    out.sort(key=lambda x: (x["rank"], x["id"]))
    return out


def _gap_ref(ctx: ReportContext, c: Mapping[str, Any]) -> str | None:
    return ctx.add(f"regime.{c['id']}.gap_{c['side']}", c["gap"], kind="regime_gap",
                   unit=_GAP_UNITS[c["unit"]],
                   definition=f"distance of {c['id']} from its {c['side']} threshold "
                              "(measure - threshold)",
                   inputs={"signal": c["id"], "side": c["side"]})


def positioning_section(ctx: ReportContext, result: Any, rules: Any) -> Section:
    v = ctx.voice
    pool = [t for t in dict.fromkeys([*ctx.universes.get("sectors", ()),
                                      *ctx.universes.get("style", ()),
                                      "QQQ", "IWM", "RSP", "MAGS", "XMAG",
                                      *ctx.universes.get("global", ())])
            if t != "SPY" and ctx.series(t) is not None]
    sent: list[str] = []
    rel = []
    if ctx.series("SPY") is not None:
        for t in pool:
            p = ctx.ratio_return(t, "SPY", 63)
            if p:
                rel.append((t, p))
    rel.sort(key=lambda x: -ctx.val(x[1]))
    leaders = [x for x in rel[:3] if ctx.val(x[1]) > 0]
    laggards = [x for x in rel[::-1][:3] if ctx.val(x[1]) < 0]
    if leaders:
        sent.append(v.pick("pos.lead", ["Relative strength over three months favours ",
                                        "What is working, against SPY over three months: "])
                    + join_words([f"{t} ({p})" for t, p in leaders]) + ".")
    if laggards:
        sent.append(v.pick("pos.lag", ["What is not: ", "The weakest: "])
                    + join_words([f"{t} ({p})" for t, p in laggards]) + ".")
    if not rel:
        sent.append("No ETF is available for a relative-strength ranking.")
    cands = flip_candidates(result, rules)
    change: list[str] = []
    for c in cands[:4]:
        gap = _gap_ref(ctx, c)
        if not gap:
            continue
        op = "above" if c["gap"] < 0 else "below"
        sid, side = c["id"], c["side"]
        now_ref = ctx.reg.ref(f"regime.{sid}")
        thr_ref = ctx.reg.ref(f"regime.{sid}.{side}")
        line = (f"{c['label']} at {now_ref}: a move {op} "
                f"{thr_ref} ({gap} away) would turn its "
                f"vote from {vote_word(c['group'], c['vote'])} to "
                f"{vote_word(c['group'], c['new_vote'])}")
        if c["verdict_after"] != c["verdict_now"]:
            line += f" and, alone, tip the daily reading to {c['verdict_after']}"
        change.append(line + ".")
    blocks: list[Any] = [Paragraph(tuple(sent))]
    if change:
        blocks.append(Paragraph(("What would change the view — the thresholds nearest to "
                                 "flipping:",)))
        blocks.append(Bullets(tuple(change)))
    data = {"leaders": [t for t, _ in leaders], "laggards": [t for t, _ in laggards],
            "nearest_flips": [{k: c[k] for k in ("id", "side", "verdict_now",
                                                 "verdict_after")} for c in cands[:4]]}
    return Section("positioning", "Positioning", tuple(blocks), data)


# -- risks to monitor --------------------------------------------------------------------

def risks_section(ctx: ReportContext, result: Any, rules: Any) -> Section:
    rows: list[tuple[str, ...]] = []
    watch: list[str] = []
    if ctx.series("SPY") is not None:
        for n in (50, 200):
            lvl, p = ctx.reg.ref(f"SPY.sma_{n}") if f"SPY.sma_{n}" in ctx.reg else None, \
                ctx.reg.ref(f"SPY.pct_vs_sma_{n}") if f"SPY.pct_vs_sma_{n}" in ctx.reg else None
            if lvl and p:
                rows.append((f"SPY against its {n}-day average", ctx.reg.ref("SPY.close"), lvl, p))
                if abs(ctx.val(p)) < 0.02:
                    watch.append(f"SPY is within reach of its {n}-day average ({lvl}, {p} away)")
        for side in ("floor", "ceiling"):
            fid = f"SPY.range_{side}"
            if fid in ctx.reg:
                gap = ctx.add(f"SPY.vs_range_{side}",
                              ctx.val(ctx.reg.ref("SPY.close")) / ctx.val(ctx.reg.ref(fid)) - 1,
                              kind="pct_vs_level", unit="pct",
                              definition=f"SPY close versus its range {side}",
                              inputs={"series": ["SPY"], "level": ctx.reg[fid].value,
                                      "of": fid})
                rows.append((f"SPY range {side}", ctx.reg.ref("SPY.close"), ctx.reg.ref(fid),
                             gap or _MISSING))
    for a, b in (("MAGS", "SPY"), ("RSP", "SPY"), ("XMAG", "MAGS")):
        fid = f"{a}/{b}.pct_vs_sma_200"
        if fid in ctx.reg:
            rows.append((f"{a}/{b} against its 200-day average", ctx.reg.ref(f"{a}/{b}.value"),
                         "200-day average", ctx.reg.ref(fid)))
            if abs(ctx.val(ctx.reg.ref(fid))) < 0.01:
                watch.append(f"{a}/{b} is hugging its 200-day average ({ctx.reg.ref(fid)})")
    by_id = {e.id: e for e in result.evidence}
    for sid in ("credit", "volatility", "rates", "breadth_50", "bitcoin"):
        e = by_id.get(sid)
        if e is None or f"regime.{sid}" not in ctx.reg:
            continue
        rule = next(s for s in rules.signals if s.id == sid)
        side = "minus" if rule.minus is not None else "plus"
        rows.append((e.label, ctx.reg.ref(f"regime.{sid}"),
                     f"{vote_word(rule.group, -1 if side == 'minus' else 1)} "
                     f"{'above' if '>' in getattr(rule, side).op else 'below'} "
                     f"{ctx.reg.ref(f'regime.{sid}.{side}')}", vote_word(rule.group, e.vote)))
    cands = [c for c in flip_candidates(result, rules) if c["rank"] < 0.25]
    for c in cands[:2]:
        gap = _gap_ref(ctx, c)
        if gap:
            watch.append(f"{c['label']} is {gap} from a {vote_word(c['group'], c['new_vote'])} "
                         "vote")
    sent = (["The lines to watch: " + "; ".join(watch) + "."] if watch else
            ["No watched line is close to breaking: the table lists where each one sits."])
    table = Table("risks", ("What to watch", "Now", "Line", "Distance / reads"), tuple(rows),
                  ("l", "r", "l", "r"))
    return Section("risks", "Risks to monitor", (Paragraph(tuple(sent)), table),
                   {"watch": len(watch)})
