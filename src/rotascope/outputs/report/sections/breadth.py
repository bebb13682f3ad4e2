"""Breadth of the member universe: shares above averages, highs/lows, McClellan, participation."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..model import ChartRef, ChartSpec, Paragraph, Section
from ._common import (
    _d,
    _tail,
    members_on,
)

if TYPE_CHECKING:
    from ..build import ReportContext

__all__ = ["breadth_section"]


# -- breadth -----------------------------------------------------------------------------

def breadth_section(ctx: ReportContext) -> Section:
    from ....analysis.breadth import participation, participation_label

    v = ctx.voice
    b = ctx.breadth
    uni = ctx.universe
    if b is None or ctx.as_of not in b.index:
        text = next((n for n in ctx.notes if uni in n and "not" in n),
                    f"Breadth of {uni} is not available on {_d(ctx.as_of)}.")
        return Section("breadth", "Breadth", (Paragraph((text[0].upper() + text[1:]
                                                         + ("" if text.endswith(".")
                                                            else "."),)),),
                       {"available": False})
    row = b.loc[ctx.as_of]
    figs: dict[Any, str | None] = {}
    for w in (20, 50, 200):
        figs[w] = ctx.add(f"breadth.pct_above_sma_{w}", float(row[f"pct_above_sma_{w}"]),
                          kind="breadth_share", unit="share",
                          definition=f"share of {uni} members above their {w}-day average",
                          inputs={"universe": uni, "window": w})
        figs[f"c{w}"] = ctx.add(f"breadth.counted_{w}", int(row[f"counted_{w}"]),
                                kind="breadth_counted", unit="count",
                                definition=f"{uni} members counted for the {w}-day share",
                                inputs={"universe": uni, "window": w})
    nh = ctx.add("breadth.new_highs", int(row["new_highs"]), kind="breadth_new_highs",
                 unit="count", definition=f"{uni} members at a 52-week closing high",
                 inputs={"universe": uni, "window": 252})
    nl = ctx.add("breadth.new_lows", int(row["new_lows"]), kind="breadth_new_lows",
                 unit="count", definition=f"{uni} members at a 52-week closing low",
                 inputs={"universe": uni, "window": 252})
    ctx.add("breadth.counted_high_low", int(row["counted_high_low"]),
            kind="breadth_counted_high_low", unit="count",
            definition=f"{uni} members with a close and 252 earlier closes",
            inputs={"universe": uni, "window": 252})
    osc = ctx.add("breadth.mcclellan_oscillator", float(row["mcclellan_oscillator"]),
                  kind="mcclellan_oscillator", unit="index",
                  definition="McClellan oscillator (ratio-adjusted, 19/39-day EMAs)",
                  inputs={"universe": uni, "fast": 19, "slow": 39})
    summ = ctx.add("breadth.mcclellan_summation", float(row["mcclellan_summation"]),
                   kind="mcclellan_summation", unit="index",
                   definition="McClellan summation index (cumulative oscillator from the "
                              "first stored date)", inputs={"universe": uni, "fast": 19,
                                                             "slow": 39})
    mem = ctx.add("breadth.members", int(row["members"]), kind="breadth_members", unit="count",
                  definition=f"{uni} members on the date (point in time) with prices in the "
                             "store", inputs={"universe": uni})
    withc = ctx.add("breadth.with_close", int(row["with_close"]), kind="breadth_with_close",
                    unit="count", definition=f"{uni} members with a close on the date",
                    inputs={"universe": uni})
    sent = []
    if int(row["members"]) > int(row["with_close"]) and mem and withc:
        sent.append(f"Only {withc} of the {mem} members have a close on {_d(ctx.as_of)}; the "
                    "others (a series ending a day early, a missing row) are not counted "
                    "in the shares below.")
    if figs[200] and figs[50]:
        p50 = float(row["pct_above_sma_50"])
        read = ("broad participation" if p50 > 0.6 else "narrow participation" if p50 < 0.4
                else "middling participation")
        sent.append(f"{figs[200]} of {uni} members trade above their 200-day average and "
                    f"{figs[50]} above their 50-day ({figs['c50']} counted): {read}.")
    if figs[20] and figs[50]:
        d = float(row["pct_above_sma_20"]) - float(row["pct_above_sma_50"])
        if abs(d) >= 0.1:
            sent.append(f"Short-term breadth ({figs[20]} above the 20-day) is "
                        f"{'running ahead of' if d > 0 else 'falling behind'} the 50-day "
                        "reading.")
    if nh and nl:
        net = int(row["new_highs"]) - int(row["new_lows"])
        tilt = ("new highs outnumber new lows" if net > 0 else
                "new lows outnumber new highs" if net < 0 else "highs and lows are even")
        sent.append(f"{nh} members made a 52-week closing high and {nl} a 52-week low: {tilt}.")
    if osc and summ:
        o = float(row["mcclellan_oscillator"])
        sent.append(f"The McClellan oscillator is {osc} "
                    + ("(advances have outpaced declines recently)" if o > 0 else
                       "(declines have outpaced advances recently)" if o < 0 else "(flat)")
                    + f" and the summation index stands at {summ}.")
    members = members_on(ctx)
    part_data: dict[str, str | None] = {}
    mc = ctx.members_close
    if members and mc is not None and ctx.series("SPY") is not None:
        both = mc.loc[:ctx.as_of, members].join(
            ctx.close.loc[:ctx.as_of, ["SPY"]], how="outer")
        part = participation(both, members, index="SPY", windows=("1m", "3m"), as_of=ctx.as_of)
        for win in ("1m", "3m"):
            if not part.counted[win]:
                continue
            words = "a month" if win == "1m" else "three months"
            rows = 21 if win == "1m" else 63
            up = ctx.add(f"breadth.up_{win}", part.up[win], kind="participation_up",
                         unit="count", definition=f"{uni} members (on the date) up over {words}",
                         inputs={"universe": uni, "window": rows})
            cnt = ctx.add(f"breadth.counted_up_{win}", part.counted[win],
                          kind="participation_counted", unit="count",
                          definition=f"{uni} members with a close on the date and a return "
                                     f"over {words}", inputs={"universe": uni, "window": rows})
            spy = ctx.ret("SPY", win)
            label = participation_label(part.up[win] / part.counted[win],
                                        ctx.val(spy) if spy else math.nan)
            part_data[win] = label
            if win == "3m" and spy:
                sent.append(v.pick("breadth.part", [
                    f"Over three months {up} of {cnt} members are up while SPY returned {spy}",
                    f"{up} of {cnt} members have risen over three months, against {spy} for "
                    "SPY"]) + (f": a {label}." if label else "."))
    for n in ctx.notes:
        if "breadth" in n:
            sent.append(n[0].upper() + n[1:] + ".")
    if ctx.series("SPY") is not None:
        ctx.charts.append(ChartSpec("breadth", "breadth", f"Share of {uni} members above their "
                                    "50-day and 200-day averages, with SPY",
                                    "Last year; the grey line is SPY (right axis).",
                                    {"pct50": _tail(b["pct_above_sma_50"].loc[:ctx.as_of]),
                                     "pct200": _tail(b["pct_above_sma_200"].loc[:ctx.as_of]),
                                     "index": _tail(ctx.series("SPY")), "universe": uni}))
    blocks: list[Any] = [Paragraph(tuple(sent)), ChartRef("breadth")]
    return Section("breadth", f"Breadth ({uni})", tuple(blocks),
                   {"available": True, "participation": part_data})
