"""One builder per section of the note: compute the facts, register the figures, write.

Each ``*_section(ctx, ...)`` reads the :class:`~rotascope.outputs.report.build.ReportContext`
(closes up to the note date, breadth, the registry), registers every number it prints,
and returns a :class:`~rotascope.outputs.report.model.Section` whose sentences come
from the phrasing helpers of :mod:`rotascope.outputs.report.narrative`. A claim is
written only when the figure behind it shows it; a missing series is said plainly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ...signals.averages import ma_slope, sma
from ...signals.momentum import rsi as rsi_fn
from .figures import format_value
from .model import Bullets, ChartRef, ChartSpec, Paragraph, Section, Table
from .narrative import (
    direction_word,
    join_words,
    move_verb,
    name_of,
    vote_word,
)

if TYPE_CHECKING:
    from .build import ReportContext

__all__ = ["verdict_section", "index_section", "mag7_section", "global_section",
           "sectors_section", "breadth_section", "macro_section", "crypto_section",
           "positioning_section", "risks_section", "recap_section", "key_points_section",
           "disclaimer_section", "SMA_WINDOWS", "KEY_PAIRS", "GLOBAL_PEERS",
           "measure_unit", "flip_candidates"]

SMA_WINDOWS = (20, 50, 100, 200)
KEY_PAIRS: tuple[tuple[str, str], ...] = (("MAGS", "SPY"), ("XMAG", "MAGS"), ("RSP", "SPY"))
GLOBAL_PEERS: tuple[str, ...] = ("VGK", "EWJ", "EEM", "ACWX")
CHART_ROWS = 252
_MISSING = "n/a"


def _d(ts: Any) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def _missing_sentence(ctx: ReportContext, tickers: Sequence[str], what: str) -> str | None:
    gone = [t for t in tickers if ctx.series(t) is None]
    if not gone:
        return None
    reasons = "; ".join(f"{t}: {ctx.missing.get(t, 'no data')}" for t in gone)
    return f"Not available for {what}: {reasons}."


def _tail(s: pd.Series, rows: int = CHART_ROWS) -> pd.Series:
    return s.iloc[-rows:]


# -- the verdict -------------------------------------------------------------------------

#: Display unit of each regime measure unit (see :meth:`Measure.unit`).
_MEASURE_UNITS = {"fraction": "pct", "share": "pct_abs", "index": "index", "bp": "bp",
                  "count": "count"}
#: Unit of a distance to a threshold, per measure unit.
_GAP_UNITS = {"fraction": "pp_abs", "share": "pp_abs", "index": "index", "bp": "bp_abs",
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


def verdict_section(ctx: ReportContext, result: Any, rules: Any) -> Section:
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
            "no_data": [e.id for e in nodata]}
    return Section("verdict", "The regime verdict", tuple(blocks), data)


# -- the index ---------------------------------------------------------------------------

def _rsi_zone(x: float) -> str:
    if x >= 70:
        return "overbought territory"
    if x <= 30:
        return "oversold territory"
    if x >= 50:
        return "positive momentum"
    return "soft momentum"


def index_section(ctx: ReportContext, ticker: str = "SPY") -> Section:
    from ...analysis.signals_summary import signals_summary
    from ...signals.ranges import detect_range, range_breaks

    v = ctx.voice
    s = ctx.series(ticker)
    if s is None:
        text = (f"{ticker} is not available ({ctx.missing.get(ticker, 'no data')}), so the "
                "index cannot be read.")
        return Section("index", "The index", (Paragraph((text,)),), {"available": False})
    summ = signals_summary(s, ticker)
    close = ctx.close_level(ticker)
    r1w, r1m, rytd = ctx.ret(ticker, "1w"), ctx.ret(ticker, "1m"), ctx.ret(ticker, "ytd")
    ctx.ret(ticker, "3m")
    smas = {n: ctx.sma_level(ticker, n) for n in SMA_WINDOWS}
    pcts = {n: ctx.pct_vs_sma(ticker, n) for n in SMA_WINDOWS}
    slopes = {}
    for n in (50, 200):
        slopes[n] = ctx.add(f"{ticker}.sma_slope_{n}", float(ma_slope(s, n, 20).iloc[-1]),
                            kind="sma_slope", unit="pct",
                            definition=f"change of the {n}-day average over the last 20 "
                                       "trading days", inputs={"series": [ticker],
                                                               "window": n, "k": 20})
    rsi = ctx.add(f"{ticker}.rsi_14", summ.rsi14, kind="rsi", unit="index",
                  definition=f"{ticker} Wilder RSI over 14 days",
                  inputs={"series": [ticker], "window": 14})
    from ...signals.rolling import pct_from_high

    off_high = ctx.add(f"{ticker}.pct_from_high_252", float(pct_from_high(s, 252).iloc[-1]),
                       kind="pct_from_high", unit="pct",
                       definition=f"{ticker} close versus its highest close of the last 252 "
                                  "trading days", inputs={"series": [ticker], "window": 252})
    worst = ctx.add(f"{ticker}.worst_decline_10", summ.worst_decline_10d,
                    kind="worst_decline", unit="pct",
                    definition=f"{ticker} worst fall within the last 10 trading days",
                    inputs={"series": [ticker], "window": 10})

    sent: list[str] = []
    date = _d(summ.date)
    if close and r1w and r1m:
        verb = move_verb(v, "index.week", ctx.val(r1w), flat=0.002, big=0.04)
        s1 = (f"{name_of(ticker)[0].upper() + name_of(ticker)[1:]} closed at {close} on "
              f"{date}; it {verb} ({r1w}) on the week and stands at {r1m} over a month")
        s1 += f" and {rytd} for the year to date." if rytd else "."
        sent.append(s1)
    p200, p50 = pcts.get(200), pcts.get(50)
    trend_facts = []
    if p200:
        trend_facts.append(f"{direction_word(ctx.val(p200))} its 200-day average ({p200})")
    if p50:
        trend_facts.append(f"{direction_word(ctx.val(p50))} its 50-day ({p50})")
    if trend_facts:
        s2 = f"It trades {join_words(trend_facts)}"
        sl = slopes.get(200)
        if sl:
            way = direction_word(ctx.val(sl), "rising", "falling", "flat")
            s2 += f"; the 200-day average is {way} ({sl} over the last four weeks)"
        sent.append(s2 + ".")
        a200, a50 = ctx.val(p200) if p200 else math.nan, ctx.val(p50) if p50 else math.nan
        if a200 > 0 and a50 > 0 and slopes.get(200) and ctx.val(slopes[200]) > 0:
            sent.append(v.pick("index.trend.up", ["The uptrend is intact.",
                                                  "The primary trend points up."]))
        elif a200 < 0 and a50 < 0 and slopes.get(200) and ctx.val(slopes[200]) < 0:
            sent.append(v.pick("index.trend.down", ["The trend is down.",
                                                    "The primary trend has turned down."]))
        elif not (math.isnan(a200) or math.isnan(a50)) and (a200 > 0) != (a50 > 0):
            sent.append("Short- and long-term trends disagree.")
    mom: list[str] = []
    if rsi:
        mom.append(f"The 14-day RSI is {rsi} ({_rsi_zone(summ.rsi14)})")
        if summ.rsi_divergence == "bearish":
            mom.append("and shows a bearish divergence: the latest swing high in price came "
                       "on weaker momentum than the one before")
        elif summ.rsi_divergence == "bullish":
            mom.append("and shows a bullish divergence: the latest swing low in price came "
                       "on firmer momentum than the one before")
        else:
            mom.append("with no divergence on the last two swings")
        sent_m = (", " if summ.rsi_divergence is None else " ").join(mom) + "."
        if summ.rsi_lower_highs_lower_lows:
            sent_m += (" The RSI has made lower highs and lower lows while the price holds "
                       "near its high: momentum is fading under the surface.")
        sent.append(sent_m)

    # range and lines in the sand
    lines: list[str] = []
    rng_data: dict[str, Any] | None = None
    breaks = range_breaks(s)
    recent = breaks.iloc[-10:]
    hit = recent[recent != 0]
    if summ.range is not None:
        r = summ.range
        fl = ctx.add(f"{ticker}.range_floor", r.floor, kind="range_floor", unit="level",
                     definition=f"floor of {ticker}'s sideways range (4% band, at least 30 "
                                "closes)", inputs={"series": [ticker], "width": 0.04,
                                                   "min_days": 30})
        ce = ctx.add(f"{ticker}.range_ceiling", r.ceiling, kind="range_ceiling", unit="level",
                     definition=f"ceiling of {ticker}'s sideways range",
                     inputs={"series": [ticker], "width": 0.04, "min_days": 30})
        dy = ctx.add(f"{ticker}.range_days", r.days, kind="range_days", unit="count",
                     definition=f"closes in {ticker}'s sideways range",
                     inputs={"series": [ticker], "width": 0.04, "min_days": 30})
        lines.append(f"{ticker} has moved sideways for {dy} sessions (since {_d(r.start)}) "
                     f"between {fl} and {ce}. Those are the lines in the sand: a close above "
                     f"{ce} would be a breakout, one below {fl} a breakdown.")
        rng_data = {"in_range": True, "start": _d(r.start)}
    if len(hit):
        when = hit.index[-1]
        pos = s.index.get_loc(when)
        prev_day = s.index[pos - 1]
        state = detect_range(s.loc[:prev_day])
        up = hit.iloc[-1] > 0
        side = "ceiling" if up else "floor"
        lvl = float(state.ceiling.iloc[-1] if up else state.floor.iloc[-1])
        days = float(state.days.iloc[-1])
        lp = ctx.add(f"{ticker}.broken_range_{side}", lvl, kind=f"range_{side}", unit="level",
                     definition=f"{side} of the range {ticker} broke on {_d(when)} (as of the "
                                "day before)", inputs={"series": [ticker], "width": 0.04,
                                                       "min_days": 30}, as_of=prev_day)
        ld = ctx.add(f"{ticker}.broken_range_days", days, kind="range_days", unit="count",
                     definition=f"closes in the range {ticker} broke on {_d(when)}",
                     inputs={"series": [ticker], "width": 0.04, "min_days": 30},
                     as_of=prev_day)
        word = "broke out above" if up else "broke down below"
        lines.append(f"On {_d(when)} {ticker} {word} the {side} of a {ld}-session range at "
                     f"{lp}.")
        rng_data = {**(rng_data or {"in_range": False}), "break": "breakout" if up else
                    "breakdown", "break_date": _d(when)}
    if summ.range is None:
        parts = [f"the {n}-day average at {smas[n]}" for n in (50, 200) if smas.get(n)]
        if parts:
            lines.append(f"With no sideways range, the lines in the sand are {join_words(parts)}"
                         + (f"; {ticker} {_below_high(ctx, off_high, 'its 52-week high')}."
                            if off_high else "."))
    sent_stress: list[str] = []
    if worst and summ.worst_decline_10d <= -0.07:
        sent_stress.append(f"Stress is visible: the worst fall within the last two weeks is "
                           f"{worst}.")
    reb_data = None
    if summ.rebound is not None:
        rb = summ.rebound
        dec = ctx.add(f"{ticker}.rebound_decline", rb.decline, kind="rebound_decline",
                      unit="pct", definition=f"{ticker}'s latest pending fall of at least 10% "
                      "(peak to trough, trough within 252 trading days)",
                      inputs={"series": [ticker], "window": 252, "min_decline": 0.10})
        ret_ = ctx.add(f"{ticker}.rebound_retraced", rb.retraced, kind="rebound_retraced",
                       unit="share", definition="share of that fall recovered since the "
                       "trough", inputs={"series": [ticker], "window": 252,
                                         "min_decline": 0.10})
        rdays = ctx.add(f"{ticker}.rebound_days", rb.days, kind="rebound_days", unit="count",
                        definition="trading days since that trough",
                        inputs={"series": [ticker], "window": 252, "min_decline": 0.10})
        shape = {"V-shaped": "a V-shaped recovery", "slow recovery": "a slow recovery",
                 "weak bounce": "a weak bounce, which keeps the low in play",
                 "in progress": "a rebound still in progress"}.get(rb.shape or "", "a rebound")
        sent_stress.append(f"{ticker} is working off a {_abs_ref(ctx, dec)} fall (trough "
                           f"{_d(rb.trough_date)}): "
                           f"{ret_} of it is back after {rdays} sessions, {shape}.")
        reb_data = {"shape": rb.shape, "peak_date": _d(rb.peak_date),
                    "trough_date": _d(rb.trough_date)}

    rows = []
    for n in SMA_WINDOWS:
        slope = ctx.reg.ref(f"{ticker}.sma_slope_{n}") if f"{ticker}.sma_slope_{n}" in ctx.reg \
            else ""
        rows.append((f"{n}-day", smas[n] or _MISSING, pcts[n] or _MISSING, slope))
    table = Table("index_averages", ("Average", "Level", f"{ticker} vs average",
                                     "Slope, four weeks"), tuple(rows), ("l", "r", "r", "r"))
    # chart
    full = {n: sma(s, n) for n in SMA_WINDOWS}
    chart_data: dict[str, Any] = {"close": _tail(s), "rsi": _tail(rsi_fn(s, 14)),
                                  "smas": {n: _tail(full[n]) for n in SMA_WINDOWS},
                                  "ticker": ticker}
    if summ.range is not None:
        chart_data["range"] = (summ.range.start, summ.range.floor, summ.range.ceiling)
    ctx.charts.append(ChartSpec("index", "index", f"{ticker} with its 20-day, 50-day, 100-day and "
                                "200-day averages, and its 14-day RSI",
                                "Last year of closes; dashed lines mark a sideways range.",
                                chart_data))
    blocks: list[Any] = [Paragraph(tuple(sent))]
    if lines or sent_stress:
        blocks.append(Paragraph(tuple(lines + sent_stress)))
    blocks += [table, ChartRef("index")]
    data = {"ticker": ticker, "date": date, "rsi_divergence": summ.rsi_divergence,
            "rsi_lower_highs_lower_lows": bool(summ.rsi_lower_highs_lower_lows),
            "range": rng_data, "rebound": reb_data, "available": True}
    return Section("index", f"The index ({ticker})", tuple(blocks), data)


# -- Mag-7 versus the rest ---------------------------------------------------------------

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


def _members_on(ctx: ReportContext) -> list[str]:
    """Members of the breadth universe on the note date with a close that day."""
    if ctx.members_close is None or ctx.members_mask is None:
        return []
    c = ctx.members_close
    if ctx.as_of not in c.index:
        return []
    mask = ctx.members_mask.loc[ctx.as_of]
    has = c.loc[ctx.as_of].notna()
    return [t for t in c.columns if bool(mask[t]) and bool(has[t])]


def _baskets(ctx: ReportContext, group: list[str]) -> str | None:
    """Equal-weight Mag-7 basket against an equal-weight basket of the other members
    (point in time), over three months (:func:`rotascope.analysis.concentration`)."""
    from ...analysis.concentration import concentration

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
    from ...analysis.pairs import pairs_table

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
    led6, lagged6, led1, lagged1 = [], [], [], []
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


def _named(ticker: str, figure: str) -> str:
    """"technology (XLK, +14.8%)": the ticker's name with a figure inside its brackets."""
    name = name_of(ticker)
    if name.endswith(f"({ticker})"):
        return name[:-1] + f", {figure})"
    return f"{name} ({figure})"


def _below_high(ctx: ReportContext, placeholder: str, what: str) -> str:
    """"is 5.4% below its 52-week high" or "is at its 52-week high" (value <= 0)."""
    if ctx.val(placeholder) >= 0:
        return f"is at {what}"
    return f"is {_abs_ref(ctx, placeholder)} below {what}"


def _abs_ref(ctx: ReportContext, placeholder: str) -> str:
    """The same figure shown unsigned (``pp_abs``...), for "by 2.1 pp" phrasing.

    The value stays signed (so it re-derives like the original); only the display drops
    the sign, and the sentence carries the direction in words.
    """
    fid = placeholder[1:-1]
    fig = ctx.reg[fid]
    unit = {"pp": "pp_abs", "pct": "pct_abs", "bp": "bp_abs"}.get(fig.unit, fig.unit)
    if unit == fig.unit:
        return placeholder
    return ctx.add(f"{fid}.abs", float(fig.value), kind=fig.kind, unit=unit,
                   definition=fig.definition + " (shown without its sign)", inputs=fig.inputs,
                   as_of=fig.as_of) or placeholder


# -- sectors -----------------------------------------------------------------------------

def sectors_section(ctx: ReportContext) -> Section:
    from ...analysis.rotation import rrg

    v = ctx.voice
    sectors = [t for t in ctx.universes.get("sectors", ()) if ctx.series(t) is not None]
    if ctx.series("SPY") is None or not sectors:
        return Section("sectors", "Sectors", (Paragraph((
            "Sector ETFs or SPY are not available, so there is no sector ranking.",)),), {})
    res = rrg(ctx.close.loc[:ctx.as_of, [*sectors, "SPY"]], "SPY", period="weekly", tail=8)
    ranking = []
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


# -- breadth -----------------------------------------------------------------------------

def breadth_section(ctx: ReportContext) -> Section:
    from ...analysis.breadth import participation, participation_label

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
    figs = {}
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
    members = _members_on(ctx)
    part_data = {}
    if members and ctx.series("SPY") is not None:
        both = ctx.members_close.loc[:ctx.as_of, members].join(
            ctx.close.loc[:ctx.as_of, ["SPY"]], how="outer")
        part = participation(both, members, index="SPY", windows=("1m", "3m"), as_of=ctx.as_of)
        for w in ("1m", "3m"):
            if not part.counted[w]:
                continue
            up = ctx.add(f"breadth.up_{w}", part.up[w], kind="participation_up", unit="count",
                         definition=f"{uni} members (on the date) up over "
                                    f"{'a month' if w == '1m' else 'three months'}",
                         inputs={"universe": uni, "window": 21 if w == "1m" else 63})
            cnt = ctx.add(f"breadth.counted_up_{w}", part.counted[w],
                          kind="participation_counted", unit="count",
                          definition=f"{uni} members with a close on the date and a return "
                                     f"over {'a month' if w == '1m' else 'three months'}",
                          inputs={"universe": uni, "window": 21 if w == "1m" else 63})
            spy = ctx.ret("SPY", w)
            label = participation_label(part.up[w] / part.counted[w],
                                        ctx.val(spy) if spy else math.nan)
            part_data[w] = label
            if w == "3m" and spy:
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
    blocks = [Paragraph(tuple(sent)), ChartRef("breadth")]
    return Section("breadth", f"Breadth ({uni})", tuple(blocks),
                   {"available": True, "participation": part_data})


# -- macro and risk gauges ---------------------------------------------------------------

def macro_section(ctx: ReportContext) -> Section:
    v = ctx.voice
    sent: list[str] = []
    rows: list[tuple[str, ...]] = []
    if ctx.has("HYG", "IEF"):
        c1 = ctx.ratio_return("HYG", "IEF", 21)
        c3 = ctx.ratio_return("HYG", "IEF", 63)
        vs = ctx.ratio_vs_sma("HYG", "IEF", 50)
        if vs:
            x = ctx.val(vs)
            read = ("credit is calm, with high yield keeping pace with Treasuries" if x > 0
                    else "credit is under strain, with high yield trailing Treasuries"
                    if x < -0.01 else "credit is soft but not stressed")
            sent.append(f"High yield against Treasuries (HYG/IEF) is {vs} versus its 50-day "
                        f"average: {read}.")
        rows.append(("HYG/IEF (credit)", ctx.ratio_level("HYG", "IEF") or _MISSING,
                     c1 or _MISSING, c3 or _MISSING, vs or _MISSING))
    if ctx.has("VIXY"):
        r1, r3 = ctx.ret("VIXY", "1m"), ctx.ret("VIXY", "3m")
        vs = ctx.pct_vs_sma("VIXY", 50)
        if vs:
            x = ctx.val(vs)
            read = ("volatility is elevated" if x > 0.15 else "volatility is subdued"
                    if x < -0.05 else "volatility is unremarkable")
            sent.append(f"VIX futures (VIXY) sit {vs} versus their 50-day average: {read} "
                        "(VIXY decays over time, so read its moves, not its level).")
        rows.append(("VIXY (volatility)", ctx.close_level("VIXY") or _MISSING, r1 or _MISSING,
                     r3 or _MISSING, vs or _MISSING))
    if ctx.has("^TNX"):
        lvl = ctx.yield_level("^TNX")
        c1, c3 = ctx.yield_change("^TNX", "1m"), ctx.yield_change("^TNX", "3m")
        if lvl and c1:
            x = ctx.val(c1)
            read = (" — a sharp rise that tightens financial conditions" if x > 0.35 else
                    " — a sharp drop" if x < -0.35 else "")
            sent.append(f"The 10-year Treasury yield is {lvl}, {c1} over a month"
                        + (f" and {c3} over three months" if c3 else "") + f"{read}.")
        rows.append(("^TNX (10-year yield)", lvl or _MISSING, c1 or _MISSING, c3 or _MISSING,
                     ""))
    if ctx.has("UUP"):
        r1, r3 = ctx.ret("UUP", "1m"), ctx.ret("UUP", "3m")
        if r3:
            verb = move_verb(v, "macro.uup", ctx.val(r3), flat=0.005, big=0.04)
            sent.append(f"The dollar (UUP) {verb} over three months ({r3}).")
        rows.append(("UUP (dollar)", ctx.close_level("UUP") or _MISSING, r1 or _MISSING,
                     r3 or _MISSING, ctx.pct_vs_sma("UUP", 50) or _MISSING))
    if ctx.has("GLD"):
        r1, r3 = ctx.ret("GLD", "1m"), ctx.ret("GLD", "3m")
        if r3:
            verb = move_verb(v, "macro.gld", ctx.val(r3), flat=0.005, big=0.06)
            s = f"Gold (GLD) {verb} over three months ({r3})"
            g = ctx.ratio_return("GLD", "SPY", 63) if ctx.has("SPY") else None
            if g:
                s += (f" and {'outperformed' if ctx.val(g) > 0 else 'underperformed'} stocks "
                      f"(GLD/SPY {g})")
            sent.append(s + ".")
        rows.append(("GLD (gold)", ctx.close_level("GLD") or _MISSING, r1 or _MISSING,
                     r3 or _MISSING, ctx.pct_vs_sma("GLD", 50) or _MISSING))
    miss = _missing_sentence(ctx, ["HYG", "IEF", "VIXY", "^TNX", "UUP", "GLD"],
                             "the macro gauges")
    if miss:
        sent.append(miss)
    if not sent:
        sent = ["No macro gauge is available."]
    table = Table("macro", ("Gauge", "Latest", "1-month", "3-month", "vs 50-day"),
                  tuple(rows), ("l", "r", "r", "r", "r"),
                  caption="^TNX changes are in basis points of yield.")
    return Section("macro", "Macro and risk gauges", (Paragraph(tuple(sent)), table), {})


# -- crypto ------------------------------------------------------------------------------

def crypto_section(ctx: ReportContext, ticker: str = "IBIT") -> Section:
    from ...signals.drawdown import drawdown, rebound, rebound_shape, worst_decline
    from ...signals.leadlag import best_lag
    from ...signals.rolling import pct_from_high

    s = ctx.series(ticker)
    if s is None:
        return Section("crypto", "Crypto (bitcoin as a canary)", (Paragraph((
            f"Bitcoin ({ticker}) is not available: {ctx.missing.get(ticker, 'no data')}.",)),),
            {"available": False})
    sent: list[str] = []
    r1 = ctx.ret(ticker, "1m")
    if len(s) > 252:
        hi = ctx.add(f"{ticker}.pct_from_high_252", float(pct_from_high(s, 252).iloc[-1]),
                     kind="pct_from_high", unit="pct",
                     definition=f"{ticker} close versus its highest close of the last 252 "
                                "trading days", inputs={"series": [ticker], "window": 252})
        where = "its 52-week high"
    else:
        hi = ctx.add(f"{ticker}.drawdown", float(drawdown(s).iloc[-1]), kind="drawdown",
                     unit="pct", definition=f"{ticker} close versus its highest close since "
                     "its first", inputs={"series": [ticker]})
        where = "its high since listing"
    if hi:
        s1 = f"Bitcoin ({ticker}) {_below_high(ctx, hi, where)}"
        s1 += f" and returned {r1} over a month." if r1 else "."
        sent.append(s1)
    wd = float(worst_decline(s, 10).iloc[-1])
    worst = ctx.add(f"{ticker}.worst_decline_10", wd, kind="worst_decline", unit="pct",
                    definition=f"{ticker} worst fall within the last 10 trading days",
                    inputs={"series": [ticker], "window": 10})
    if worst and wd <= -0.15:
        sent.append(f"It has fallen as much as {worst} within the last two weeks.")
    reb = rebound(s)
    shape = rebound_shape(reb).iloc[-1]
    data: dict[str, Any] = {"available": True, "rebound_shape": shape}
    if shape is not None:
        dec = ctx.add(f"{ticker}.rebound_decline", float(reb.decline.iloc[-1]),
                      kind="rebound_decline", unit="pct",
                      definition=f"{ticker}'s latest pending fall of at least 10% "
                                 "(peak to trough, trough within 252 trading days)",
                      inputs={"series": [ticker], "window": 252, "min_decline": 0.10})
        ret_ = ctx.add(f"{ticker}.rebound_retraced", float(reb.retraced.iloc[-1]),
                       kind="rebound_retraced", unit="share",
                       definition="share of that fall recovered since the trough",
                       inputs={"series": [ticker], "window": 252, "min_decline": 0.10})
        days = ctx.add(f"{ticker}.rebound_days", float(reb.days.iloc[-1]),
                       kind="rebound_days", unit="count",
                       definition="trading days since that trough",
                       inputs={"series": [ticker], "window": 252, "min_decline": 0.10})
        trough = _d(reb.trough_date.iloc[-1])
        quality = {"V-shaped": "a V-shaped recovery: risk appetite is back",
                   "slow recovery": "a slow but real recovery",
                   "weak bounce": "a weak bounce — a warning sign for risk appetite",
                   "in progress": "too early to judge the bounce"}[shape]
        sent.append(f"Its latest fall of {_abs_ref(ctx, dec)} bottomed on {trough}; {ret_} of "
                    f"it is back after {days} sessions: {quality}.")
        data["trough_date"] = trough
    elif hi:
        sent.append("There is no pending double-digit fall within the last year.")
    if ctx.series("SPY") is not None:
        both = pd.concat([s, ctx.series("SPY")], axis=1, join="inner").dropna()
        if len(both) >= 60:
            bl = best_lag(both.iloc[:, 0], both.iloc[:, 1], 10)
            corr0 = ctx.add(f"{ticker}-SPY.corr", bl.zero_lag_correlation, kind="corr",
                            unit="corr", definition=f"correlation of {ticker} and SPY daily "
                            "returns on the same day", inputs={"series": [ticker, "SPY"]})
            lead = (bl.lag is not None and bl.lag != 0
                    and bl.correlation >= 0.1
                    and bl.correlation - bl.zero_lag_correlation >= 0.05)
            if lead:
                lag = ctx.add(f"{ticker}-SPY.lead_lag", abs(bl.lag), kind="lead_lag",
                              unit="count", definition=f"lag in trading days of the highest "
                              f"correlation of {ticker} and SPY daily returns (absolute)",
                              inputs={"series": [ticker, "SPY"], "max_lag": 10})
                lc = ctx.add(f"{ticker}-SPY.lead_lag_corr", bl.correlation,
                             kind="lead_lag_corr", unit="corr",
                             definition="the correlation at that lag",
                             inputs={"series": [ticker, "SPY"], "max_lag": 10})
                who = (f"{ticker} has led SPY" if bl.lag > 0 else f"SPY has led {ticker}")
                sent.append(f"On daily returns {who} by {lag} sessions (correlation {lc}, "
                            f"against {corr0} on the same day).")
            elif corr0:
                sent.append(f"There is no reliable lead between the two: daily returns "
                            f"correlate most on the same day ({corr0}).")
            data["lead_lag"] = bl.to_dict()
    return Section("crypto", "Crypto (bitcoin as a canary)", (Paragraph(tuple(sent)),), data)


# -- positioning and what would change the view ------------------------------------------

def _scores(items: Sequence[tuple[str, float, float | None]]) -> dict[str, float]:
    """Group scores from (group, weight, vote) as the regime rules compute them."""
    num: dict[str, float] = {}
    den: dict[str, float] = {}
    for g, w, vote in items:
        if vote is None:
            continue
        num[g] = num.get(g, 0.0) + w * vote
        den[g] = den.get(g, 0.0) + w
    return {g: num[g] / den[g] for g in num if den[g] > 0}


def _raw_verdict(rules: Any, scores: Mapping[str, float]) -> str:
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
    now = _raw_verdict(rules, _scores(base))
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
            verdict = _raw_verdict(rules, _scores(items))
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


# -- recap -------------------------------------------------------------------------------

def _prev_figure(ctx: ReportContext, prev: Mapping[str, Any], fid: str) -> str | None:
    f = prev["_figures"].get(fid)
    if f is None or f.get("value") is None:
        return None
    return ctx.add(f"prev.{fid}", f["value"], kind=f["kind"], unit=f["unit"],
                   definition=f"{f['definition']} (previous note)", inputs=f["inputs"],
                   as_of=pd.Timestamp(f["as_of"]), display=format_value(f["value"], f["unit"]))


def recap_section(ctx: ReportContext, result: Any, previous: Mapping[str, Any]) -> Section:
    v = ctx.voice
    prev = dict(previous)
    prev["_figures"] = {f["id"]: f for f in previous.get("figures", [])}
    pdate = pd.Timestamp(previous["as_of"])
    pv = previous["regime"]["verdict"]
    pc = _prev_figure(ctx, prev, "regime.confidence")
    sent = [f"The previous note, dated {_d(pdate)}, called {pv}"
            + (f" (confidence {pc})." if pc else ".")]
    changed = pv != result.verdict
    if changed:
        sent.append(v.pick("recap.changed", [f"The call has since moved to {result.verdict}.",
                                             f"That call is now {result.verdict}."]))
    else:
        sent.append(v.pick("recap.same", [f"The call is unchanged at {result.verdict}.",
                                          f"We keep {result.verdict}."]))
    if ctx.series("SPY") is not None and pdate < ctx.as_of:
        s = ctx.series("SPY")
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
