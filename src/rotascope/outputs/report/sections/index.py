"""The index read like a chart: trend, averages, RSI and divergences, range, stress, rebound."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ....analysis.indicators import ma_slope, sma
from ....analysis.indicators import rsi as rsi_fn
from ..model import ChartRef, ChartSpec, Paragraph, Section, Table
from ..narrative import (
    direction_word,
    join_words,
    move_verb,
    name_of,
)
from ._common import (
    _MISSING,
    SMA_WINDOWS,
    _abs_ref,
    _below_high,
    _d,
    _tail,
)

if TYPE_CHECKING:
    from ..build import ReportContext

__all__ = ["index_section"]


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
    from ....analysis.indicators import detect_range, range_breaks
    from ....analysis.signals_summary import signals_summary

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
    from ....analysis.indicators import pct_from_high

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
        if dec and ret_ and rdays:
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
