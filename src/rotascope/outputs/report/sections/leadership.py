"""Mag-7 versus the rest, the US versus the world, and the sectors (ranking and RRG)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ....analysis.indicators import sma
from ..model import ChartRef, ChartSpec, Paragraph, Section, Table
from ..narrative import (
    direction_word,
    join_words,
    name_of,
)
from ._common import (
    _MISSING,
    _abs_ref,
    _d,
    _missing_sentence,
    _named,
    _tail,
)

if TYPE_CHECKING:
    from ..build import ReportContext

__all__ = ["mag7_section", "global_section", "sectors_section", "KEY_PAIRS", "GLOBAL_PEERS"]


# -- Mag-7 versus the rest ---------------------------------------------------------------

KEY_PAIRS: tuple[tuple[str, str], ...] = (("MAGS", "SPY"), ("XMAG", "MAGS"),
                                          ("RSP", "SPY"))
GLOBAL_PEERS: tuple[str, ...] = ("VGK", "EWJ", "EEM", "ACWX")

_PAIR_WORDS = {
    ("MAGS", "SPY"): ("The Mag-7 ETF against the S&P 500 (MAGS/SPY)",
                      "the Mag-7 beat the index", "the Mag-7 lagged the index"),
    ("XMAG", "MAGS"): ("The rest of the market against the Mag-7 (XMAG/MAGS)",
                       "the rest of the index outperformed", "the Mag-7 kept the upper hand"),
    ("RSP", "SPY"): ("Equal weight against cap weight (RSP/SPY)",
                     "the average stock beat the index", "the index beat the average stock"),
}


def _pair_figures(ctx: ReportContext, a: str, b: str, status: Any) -> dict[str, str | None]:
    out = {"value": ctx.ratio_level(a, b), "1m": ctx.ratio_return(a, b, 21),
           "3m": ctx.ratio_return(a, b, 63), "vs50": ctx.ratio_vs_sma(a, b, 50),
           "vs200": ctx.ratio_vs_sma(a, b, 200)}
    out["low"] = ctx.ratio_extreme(a, b, "low", int(status.lowest_in_months))
    out["high"] = ctx.ratio_extreme(a, b, "high", int(status.highest_in_months))
    return out


def _pair_sentence(ctx: ReportContext, a: str, b: str, figs: Mapping[str, str | None],
                   trend: str | None) -> str:
    v = ctx.voice
    title, up, down = _PAIR_WORDS.get((a, b), (f"{a}/{b}", f"{a} outperformed",
                                               f"{a} underperformed"))
    parts = []
    if figs["3m"]:
        parts.append(f"over three months {up if ctx.val(figs['3m']) > 0 else down} "
                     f"({a}/{b} {figs['3m']}")
        parts[-1] += f", {figs['1m']} over a month)" if figs["1m"] else ")"
    if figs["vs200"]:
        parts.append(f"the ratio is {direction_word(ctx.val(figs['vs200']))} its 200-day "
                     f"average ({figs['vs200']})")
    text = f"{title}: " + "; ".join(parts) if parts else f"{title}: too little history."
    if figs.get("low"):
        text += v.pick(f"pair.low.{a}", [f", the lowest in {figs['low']} months",
                                         f", a {figs['low']}-month low"])
    elif figs.get("high"):
        text += v.pick(f"pair.high.{a}", [f", the highest in {figs['high']} months",
                                          f", a {figs['high']}-month high"])
    if trend:
        text += f"; trend {trend}"
    return text + "."


def _baskets(ctx: ReportContext, group: list[str]) -> str | None:
    """Equal-weight Mag-7 basket against an equal-weight basket of the other members
    (point in time), over three months (:func:`rotascope.analysis.concentration`)."""
    from ....analysis.concentration import concentration

    if ctx.members_close is None or ctx.members_mask is None or ctx.series("SPY") is None:
        return None
    skip = {*group, "GOOG"}
    rest = [t for t in ctx.members_close.columns if t not in skip]
    extra = [t for t in (*group, "SPY") if t not in ctx.members_close.columns]
    frame = ctx.members_close.loc[:ctx.as_of].join(ctx.close.loc[:ctx.as_of, extra],
                                                  how="outer")
    mask = ctx.members_mask.reindex(index=frame.index, columns=rest, fill_value=False)
    con = concentration(frame, group=group, rest=rest, members=mask, index="SPY", etfs=(),
                        windows=("3m",), as_of=ctx.as_of)
    if "rest" not in con.returns.index:
        return None
    uni = ctx.universe
    defin = ("return over 63 trading days of an equal-weight basket rebalanced daily "
             "(the mean daily return of its members with a return that day)")
    g = ctx.add("mag7.basket_return_3m", float(con.returns.loc["group", "3m"]),
                kind="basket_return", unit="pct", definition=f"Mag-7 {defin}",
                inputs={"series": list(con.group), "window": 63})
    r = ctx.add("rest.basket_return_3m", float(con.returns.loc["rest", "3m"]),
                kind="basket_return", unit="pct",
                definition=f"{uni} members other than the Mag-7 (point in time): {defin}",
                inputs={"universe": uni, "exclude": sorted(skip), "window": 63})
    sp = ctx.add("mag7.basket_spread_3m", float(con.returns.loc["spread", "3m"]),
                 kind="basket_spread", unit="pp",
                 definition="Mag-7 basket return minus the rest's basket return over 63 "
                            "trading days", inputs={"series": list(con.group), "universe": uni,
                                                    "exclude": sorted(skip), "window": 63})
    if not (g and r and sp):
        return None
    lead = "ahead of" if ctx.val(sp) > 0 else "behind"
    return (f"As equal-weight baskets, the Mag-7 returned {g} over three months against {r} "
            f"for the other {uni} members, {_abs_ref(ctx, sp)} {lead} them.")


def mag7_section(ctx: ReportContext) -> Section:
    from ....analysis.pairs import pairs_table

    v = ctx.voice
    usable = [(a, b) for a, b in KEY_PAIRS if ctx.has(a, b)]
    sent: list[str] = []
    pair_data = []
    figs_by = {}
    if usable:
        legs = list(dict.fromkeys(t for p in usable for t in p))
        statuses = pairs_table(ctx.close.loc[:ctx.as_of, legs], usable, as_of=ctx.as_of)
        for (a, b), st in zip(usable, statuses, strict=True):
            if not st.available:
                continue
            figs = _pair_figures(ctx, a, b, st)
            figs_by[(a, b)] = figs
            sent.append(_pair_sentence(ctx, a, b, figs, st.trend))
            pair_data.append({"pair": f"{a}/{b}", "trend": st.trend,
                              "figures": {k: (x[1:-1] if x else None) for k, x in figs.items()}})
    miss = _missing_sentence(ctx, ["MAGS", "XMAG", "RSP"], "the Mag-7 and equal-weight lines")
    # synthesis (only what both lines show)
    x3 = figs_by.get(("XMAG", "MAGS"), {}).get("3m")
    r3 = figs_by.get(("RSP", "SPY"), {}).get("3m")
    synth = None
    if x3 and r3:
        xv, rv = ctx.val(x3), ctx.val(r3)
        if xv > 0 and rv > 0:
            synth = v.pick("mag7.synth.broad", [
                "Money is moving away from the mega-caps: the rest of the market and the "
                "average stock both beat their cap-weighted benchmarks over three months.",
                "Both rotation gauges point the same way: over three months leadership has "
                "broadened beyond the Mag-7."])
        elif xv < 0 and rv < 0:
            synth = v.pick("mag7.synth.narrow", [
                "Leadership stays narrow: over three months the Mag-7 beat the rest and the "
                "index beat the average stock.",
                "No broadening yet: both rotation gauges still favour the mega-caps over three "
                "months."])
        else:
            synth = ("The two rotation gauges disagree over three months, so the shift away "
                     "from the mega-caps is not confirmed.")
    # the seven stocks
    mag = [t for t in ctx.universes.get("mag7", ()) if ctx.series(t) is not None]
    rows = []
    stock_sent = None
    if mag:
        above = 0
        counted = 0
        for t in mag:
            r1, r3 = ctx.ret(t, "1m"), ctx.ret(t, "3m")
            p50 = ctx.pct_vs_sma(t, 50)
            if p50:
                counted += 1
                above += ctx.val(p50) > 0
            rows.append((t, r1 or _MISSING, r3 or _MISSING, p50 or _MISSING))
        if counted:
            n_above = ctx.add("mag7.count_above_sma_50", above, kind="count_above_sma",
                              unit="count", definition="Mag-7 stocks above their 50-day "
                              "average", inputs={"series": mag, "window": 50})
            n_cnt = ctx.add("mag7.count_members_50", counted, kind="count_members",
                            unit="count", definition="Mag-7 stocks with a 50-day average",
                            inputs={"series": mag, "window": 50})
            stock_sent = f"{n_above} of the {n_cnt} Mag-7 stocks trade above their 50-day average."
        basket = _baskets(ctx, mag)
        if basket:
            stock_sent = (stock_sent + " " if stock_sent else "") + basket
    blocks: list[Any] = []
    para = [*sent] + ([synth] if synth else []) + ([stock_sent] if stock_sent else [])
    if miss:
        para.append(miss)
    if not para:
        para = ["None of the Mag-7 lines is available in the store."]
    blocks.append(Paragraph(tuple(para)))
    if rows:
        blocks.append(Table("mag7_stocks", ("Stock", "1-month", "3-month", "vs 50-day"),
                            tuple(rows), ("l", "r", "r", "r")))
    series = {}
    for a, b in figs_by:
        r = ctx.ratio(a, b)
        series[f"{a}/{b}"] = {"ratio": _tail(r), "sma50": _tail(sma(r, 50)),
                              "sma200": _tail(sma(r, 200))}
    if series:
        ctx.charts.append(ChartSpec("ratios", "ratios", "Rotation ratios with their 50-day and "
                                    "200-day averages", "Last year; a rising line means the "
                                    "first ticker outperforms the second.", {"ratios": series}))
        blocks.append(ChartRef("ratios"))
    return Section("mag7", "Mag-7 versus the rest", tuple(blocks), {"pairs": pair_data})


# -- global ------------------------------------------------------------------------------

def global_section(ctx: ReportContext) -> Section:
    v = ctx.voice
    if ctx.series("SPY") is None:
        return Section("global", "The US versus the world",
                       (Paragraph(("SPY is not available, so the comparison is not "
                                   "possible.",)),), {})
    ctx.ret("SPY", "1m")
    ctx.ret("SPY", "6m")
    peers = [t for t in GLOBAL_PEERS if ctx.series(t) is not None]
    rows = [("SPY (US)", ctx.reg.ref("SPY.return_1m"),
             ctx.reg.ref("SPY.return_6m") if "SPY.return_6m" in ctx.reg else _MISSING, "", "")]
    led6: list[str] = []
    lagged6: list[str] = []
    led1: list[str] = []
    lagged1: list[str] = []
    for t in peers:
        r1, r6 = ctx.ret(t, "1m"), ctx.ret(t, "6m")
        s1, s6 = ctx.spread("SPY", t, "1m"), ctx.spread("SPY", t, "6m")
        rows.append((f"{t}", r1 or _MISSING, r6 or _MISSING, s1 or _MISSING, s6 or _MISSING))
        label = name_of(t).replace("the ", "", 1)
        if s6:
            (led6 if ctx.val(s6) > 0 else lagged6).append(f"{label} by {_abs_ref(ctx, s6)}")
        if s1:
            (led1 if ctx.val(s1) > 0 else lagged1).append(label)
    sent = []
    if led6 or lagged6:
        parts = []
        if led6:
            parts.append("beat " + join_words(led6))
        if lagged6:
            parts.append("trailed " + join_words(lagged6))
        opener = v.pick("global.open", ["Over six months the US", "Across six months US "
                                        "stocks"])
        sent.append(f"{opener} {' and '.join(parts)}.")
    if led1 or lagged1:
        if not lagged1:
            sent.append("Over the past month the US outpaced every region shown.")
        elif not led1:
            sent.append("Over the past month every region shown outpaced the US.")
        else:
            sent.append(f"Over the past month the US led {join_words(led1)} but trailed "
                        f"{join_words(lagged1)}.")
    miss = _missing_sentence(ctx, GLOBAL_PEERS, "the global comparison")
    if miss:
        sent.append(miss)
    if not sent:
        sent = ["No international series is available for the comparison."]
    table = Table("global", ("Market", "1-month", "6-month", "SPY minus, 1-month",
                             "SPY minus, 6-month"), tuple(rows), ("l", "r", "r", "r", "r"))
    return Section("global", "The US versus the world", (Paragraph(tuple(sent)), table),
                   {"peers": peers})


# -- sectors -----------------------------------------------------------------------------

def sectors_section(ctx: ReportContext) -> Section:
    from ....analysis.rotation import rrg

    v = ctx.voice
    sectors = [t for t in ctx.universes.get("sectors", ()) if ctx.series(t) is not None]
    if ctx.series("SPY") is None or not sectors:
        return Section("sectors", "Sectors", (Paragraph((
            "Sector ETFs or SPY are not available, so there is no sector ranking.",)),), {})
    res = rrg(ctx.close.loc[:ctx.as_of, [*sectors, "SPY"]], "SPY", period="weekly", tail=8)
    ranking: list[dict[str, Any]] = []
    for t in sectors:
        rel = {n: ctx.ratio_return(t, "SPY", n) for n in (21, 63, 126)}
        p = res.point(t)
        rr = rm = None
        if p.quadrant is not None:
            params = {"series": [t, "SPY"], "period": res.period,
                      "smoothing": res.smoothing, "window": res.window,
                      "momentum_lag": res.momentum_lag,
                      "momentum_window": res.momentum_window}
            rr = ctx.add(f"{t}.rrg_ratio", p.rs_ratio, kind="rrg_ratio", unit="index",
                         definition=f"{t} RS-Ratio against SPY (weekly)", inputs=params)
            rm = ctx.add(f"{t}.rrg_momentum", p.rs_momentum, kind="rrg_momentum",
                         unit="index", definition=f"{t} RS-Momentum against SPY (weekly)",
                         inputs=params)
        ranking.append({"ticker": t, "rel": rel, "rr": rr, "rm": rm, "quadrant": p.quadrant,
                        "since": p.since, "tail": p.tail})
    ranked = sorted([r for r in ranking if r["rel"][63]], key=lambda r: -ctx.val(r["rel"][63]))
    sent = []
    if ranked:
        top = [r for r in ranked[:3] if ctx.val(r["rel"][63]) > 0]
        bottom = [r for r in ranked[::-1][:3] if ctx.val(r["rel"][63]) < 0]
        if top:
            sent.append(v.pick("sectors.top", ["Leading the index over three months: ",
                                               "The strongest sectors against SPY over three "
                                               "months: "])
                        + join_words([_named(r["ticker"], r["rel"][63]) for r in top])
                        + ".")
        else:
            sent.append("No sector beat SPY over three months.")
        if bottom:
            sent.append("Lagging: " + join_words([_named(r["ticker"], r["rel"][63])
                                                   for r in bottom]) + ".")
        else:
            sent.append("No sector trailed SPY over three months.")
    quad: dict[str, list[str]] = {}
    for r in ranking:
        if r["quadrant"]:
            quad.setdefault(r["quadrant"], []).append(r["ticker"])
    if quad:
        parts = [f"{q}: {', '.join(quad[q])}" for q in ("leading", "improving", "weakening",
                                                          "lagging") if q in quad]
        sent.append("On the relative rotation graph (weekly, against SPY) — " + "; ".join(parts)
                    + ".")
        defensive = {"XLP", "XLU", "XLV"}
        lead = set(quad.get("leading", []))
        if lead and lead <= defensive:
            sent.append("Only defensive sectors are in the leading quadrant.")
    rows = []
    for r in ranked + [r for r in ranking if not r["rel"][63]]:
        since = f" since {_d(r['since'])}" if r["since"] is not None else ""
        rows.append((r["ticker"], r["rel"][21] or _MISSING, r["rel"][63] or _MISSING,
                     r["rel"][126] or _MISSING, r["rr"] or _MISSING, r["rm"] or _MISSING,
                     (r["quadrant"] or "n/a") + since))
    table = Table("sectors", ("Sector", "vs SPY, 1-month", "vs SPY, 3-month",
                              "vs SPY, 6-month", "RS-Ratio", "RS-Momentum", "Quadrant"),
                  tuple(rows), ("l", "r", "r", "r", "r", "r", "l"))
    tails = {r["ticker"]: [(p.rs_ratio, p.rs_momentum) for p in r["tail"]] for r in ranking
             if r["tail"]}
    blocks: list[Any] = [Paragraph(tuple(sent)), table]
    if tails:
        ctx.charts.append(ChartSpec("rrg", "rrg", "Relative rotation graph of the sectors "
                                    "against SPY (weekly, tails of eight weeks)",
                                    "Clockwise rotation: improving, leading, weakening, "
                                    "lagging.", {"tails": tails}))
        blocks.append(ChartRef("rrg"))
    data = {"ranking": [r["ticker"] for r in ranked],
            "quadrants": {r["ticker"]: r["quadrant"] for r in ranking}}
    return Section("sectors", "Sectors", tuple(blocks), data)
