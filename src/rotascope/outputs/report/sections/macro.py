"""Macro and risk gauges (credit, volatility, rates, dollar, gold) and bitcoin as a canary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..model import Paragraph, Section, Table
from ..narrative import (
    move_verb,
)
from ._common import (
    _MISSING,
    _abs_ref,
    _below_high,
    _d,
    _missing_sentence,
)

if TYPE_CHECKING:
    from ..build import ReportContext

__all__ = ["macro_section", "crypto_section"]


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
    from ....analysis.indicators import (
        best_lag,
        drawdown,
        pct_from_high,
        rebound,
        rebound_shape,
        worst_decline,
    )

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
        if dec and ret_ and days:
            sent.append(f"Its latest fall of {_abs_ref(ctx, dec)} bottomed on {trough}; {ret_} "
                        f"of it is back after {days} sessions: {quality}.")
        data["trough_date"] = trough
    elif hi:
        sent.append("There is no pending double-digit fall within the last year.")
    if ctx.series("SPY") is not None:
        both = pd.concat([s, ctx.series("SPY")], axis=1, join="inner").dropna()
        if len(both) >= 60:
            bl: Any = best_lag(both.iloc[:, 0], both.iloc[:, 1], 10)
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
