"""The recap of the previous note, the key points and the disclaimer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..figures import format_value
from ..model import Bullets, Paragraph, Section
from ..narrative import (
    direction_word,
    move_verb,
    vote_word,
)
from ._common import (
    _d,
)

if TYPE_CHECKING:
    from ..build import ReportContext

__all__ = ["recap_section", "key_points_section", "disclaimer_section"]


# -- recap -------------------------------------------------------------------------------

def _prev_figure(ctx: ReportContext, prev: Mapping[str, Any], fid: str) -> str | None:
    f = prev["_figures"].get(fid)
    if f is None or f.get("value") is None:
        return None
    return ctx.add(f"prev.{fid}", f["value"], kind=f["kind"], unit=f["unit"],
                   definition=f"{f['definition']} (previous note)", inputs=f["inputs"],
                   as_of=pd.Timestamp(f["as_of"]), display=format_value(f["value"], f["unit"]))


_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                 "nine", "ten", "eleven", "twelve")


def gap_words(gap: pd.Timedelta) -> str:
    """How long before this note the previous one was, in words (no digits in the text:
    every number the note prints is a registered figure)."""
    days = int(gap.days)
    if days <= 9:
        return "a week earlier" if days >= 5 else "days earlier"
    weeks = round(days / 7)
    if days < 31:
        return f"{_NUMBER_WORDS[weeks]} weeks earlier"
    months = round(days / 30.44)
    if months <= 1:
        return "about a month earlier"
    if months <= 12:
        return f"about {_NUMBER_WORDS[months]} months earlier"
    return "more than a year earlier"


def recap_section(ctx: ReportContext, result: Any, previous: Mapping[str, Any]) -> Section:
    v = ctx.voice
    prev = dict(previous)
    prev["_figures"] = {f["id"]: f for f in previous.get("figures", [])}
    pdate = pd.Timestamp(previous["as_of"])
    pv = previous["regime"]["verdict"]
    pc = _prev_figure(ctx, prev, "regime.confidence")
    sent = [f"The previous note, dated {_d(pdate)} ({gap_words(ctx.as_of - pdate)}), "
            f"called {pv}" + (f" (confidence {pc})." if pc else ".")]
    if (ctx.as_of - pdate).days > 10:
        sent.append("It is not last week's note, so the changes below span a longer stretch.")
    changed = pv != result.verdict
    if changed:
        sent.append(v.pick("recap.changed", [f"The call has since moved to {result.verdict}.",
                                             f"That call is now {result.verdict}."]))
    else:
        sent.append(v.pick("recap.same", [f"The call is unchanged at {result.verdict}.",
                                          f"We keep {result.verdict}."]))
    s = ctx.series("SPY")
    if s is not None and pdate < ctx.as_of:
        base = s.loc[:pdate]
        if len(base):
            r = ctx.add("SPY.return_since_previous", float(s.iloc[-1] / base.iloc[-1] - 1),
                        kind="return_since", unit="pct",
                        definition="SPY return since the previous note's date",
                        inputs={"series": ["SPY"], "since": _d(pdate)})
            if r:
                verb = move_verb(v, "recap.spy", ctx.val(r), flat=0.002, big=0.04)
                sent.append(f"SPY {verb} since then ({r}).")
    flipped = []
    prev_ev = {e["id"]: e for e in previous["regime"].get("evidence", [])}
    for e in result.evidence:
        pe = prev_ev.get(e.id)
        if pe is None or pe.get("vote") == e.vote:
            continue
        old = _prev_figure(ctx, prev, f"regime.{e.id}")
        new = ctx.reg.ref(f"regime.{e.id}") if f"regime.{e.id}" in ctx.reg else None
        text = (f"{e.label}: {vote_word(e.group, pe.get('vote'))} to "
                f"{vote_word(e.group, e.vote)}")
        if old and new:
            text += f" ({old} then, {new} now)"
        flipped.append(text + ".")
    levels = []
    cur_close = ctx.reg.ref("SPY.close") if "SPY.close" in ctx.reg else None
    pclose = prev["_figures"].get("SPY.close")
    if cur_close and pclose:
        now = ctx.val(cur_close)
        for fid, what in (("SPY.sma_50", "50-day average"), ("SPY.sma_200", "200-day average"),
                          ("SPY.range_floor", "range floor"),
                          ("SPY.range_ceiling", "range ceiling")):
            lvl = prev["_figures"].get(fid)
            if lvl is None or lvl.get("value") is None:
                continue
            before = pclose["value"] - lvl["value"]
            after = now - lvl["value"]
            if before * after < 0 or (before != 0 and after == 0):
                ref = _prev_figure(ctx, prev, fid)
                _prev_figure(ctx, prev, "SPY.close")
                levels.append(f"SPY closed {'above' if after > 0 else 'below'} the {what} of "
                              f"the previous note ({ref}); it now stands at {cur_close}.")
    for a, b in (("MAGS", "SPY"), ("XMAG", "MAGS"), ("RSP", "SPY"), ("HYG", "IEF")):
        fid = f"{a}/{b}.pct_vs_sma_200"
        pf = prev["_figures"].get(fid)
        if pf is None or pf.get("value") is None:
            continue
        if fid not in ctx.reg:
            ctx.ratio_vs_sma(a, b, 200)
        if fid not in ctx.reg:
            continue
        if pf["value"] * ctx.val(ctx.reg.ref(fid)) < 0:
            old = _prev_figure(ctx, prev, fid)
            levels.append(f"{a}/{b} moved {direction_word(ctx.val(ctx.reg.ref(fid)))} its "
                          f"200-day average ({old} then, {ctx.reg.ref(fid)} now).")
    blocks: list[Any] = [Paragraph(tuple(sent))]
    if flipped:
        blocks.append(Paragraph(("Signals that flipped:",)))
        blocks.append(Bullets(tuple(flipped)))
    else:
        blocks.append(Paragraph(("No evidence signal changed its vote since then.",)))
    if levels:
        blocks.append(Paragraph(tuple(levels)))
    else:
        blocks.append(Paragraph(("No watched level was crossed: SPY stayed on the same side "
                                 "of the previous note's averages and range lines, and the "
                                 "key ratios on the same side of their 200-day averages.",)))
    data = {"previous_as_of": _d(pdate), "previous_verdict": pv, "verdict_changed": changed,
            "flipped": [e.id for e in result.evidence
                        if e.id in prev_ev and prev_ev[e.id].get("vote") != e.vote],
            "levels_crossed": len(levels)}
    return Section("recap", "Since the last note", tuple(blocks), data)


# -- key points --------------------------------------------------------------------------

def key_points_section(ctx: ReportContext, result: Any, recap: Section | None) -> Section:
    reg = ctx.reg
    pts: list[str] = []
    conf = reg.ref("regime.confidence") if "regime.confidence" in reg else None
    first = f"Regime: {result.verdict}" + (f" (confidence {conf})" if conf else "")
    if recap is not None and recap.data.get("verdict_changed"):
        first += f", changed from {recap.data['previous_verdict']} in the previous note"
    pts.append(first + ".")
    if "SPY.pct_vs_sma_200" in reg and "SPY.rsi_14" in reg:
        p = reg.ref("SPY.pct_vs_sma_200")
        txt = (f"SPY is {direction_word(ctx.val(p))} its 200-day average ({p}); "
               f"14-day RSI {reg.ref('SPY.rsi_14')}")
        if "SPY.range_floor" in reg:
            txt += (f"; range between {reg.ref('SPY.range_floor')} and "
                    f"{reg.ref('SPY.range_ceiling')}")
        pts.append(txt + ".")
    lead = []
    for a, b in (("XMAG", "MAGS"), ("RSP", "SPY")):
        fid = f"{a}/{b}.change_63d"
        if fid in reg:
            lead.append(f"{a}/{b} {reg.ref(fid)}")
    if lead:
        pts.append("Mag-7 versus the rest over three months: " + ", ".join(lead) + ".")
    if "breadth.pct_above_sma_50" in reg:
        pts.append(f"Breadth: {reg.ref('breadth.pct_above_sma_50')} of members above their "
                   f"50-day average, {reg.ref('breadth.pct_above_sma_200')} above the 200-day.")
    if len(pts) < 5:
        pos = [k for k in reg if k.id.startswith("regime.") and ".gap_" in k.id]
        if pos:
            g = pos[0]
            sid = g.id.split(".")[1]
            e = next((x for x in result.evidence if x.id == sid), None)
            if e is not None:
                pts.append(f"Nearest to flipping: {e.label} ({reg.ref(g.id)} from its "
                           "threshold).")
    return Section("key_points", "Key points", (Bullets(tuple(pts[:5])),),
                   {"count": len(pts[:5])})


# -- disclaimer --------------------------------------------------------------------------

def disclaimer_section(ctx: ReportContext) -> Section:
    sent = ["This note is information, not investment advice. It is computed from the "
            "prices in the local store by fixed, documented rules; past relationships may "
            "not hold, and nothing here recommends buying or selling any security."]
    if ctx.synthetic:
        sent.append("SYNTHETIC DATA: every figure in this note comes from a synthetic market "
                    "generated by rotascope; it describes no real security.")
    blocks: list[Any] = [Paragraph(tuple(sent))]
    if ctx.missing:
        blocks.append(Paragraph(("Not available: " + "; ".join(
            f"{t} ({r})" for t, r in ctx.missing.items()) + ".",)))
    other = [n for n in ctx.notes if "breadth" not in n]
    if other:
        blocks.append(Paragraph(tuple(n[0].upper() + n[1:] + "." for n in other)))
    return Section("disclaimer", "Disclaimer and data notes", tuple(blocks),
                   {"synthetic": ctx.synthetic})
