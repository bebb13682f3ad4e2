"""Collect the analysis results as of a date into a :class:`ReportModel`.

:func:`build_report` reads a market view (prices up to the as-of date, the member
universe; the earlier note comes from the caller) and computes everything the note prints:
the regime verdict (:mod:`rotascope.analysis.regime`), the index read like a chart
(:mod:`rotascope.analysis.signals_summary`), ratio lines and pairs
(:mod:`rotascope.analysis.pairs`), breadth (:mod:`rotascope.analysis.breadth`), the
sector rotation graph (:mod:`rotascope.analysis.rotation`), bitcoin against the index,
and the recap against the previous note. Every number is registered in the figure
registry with its definition and inputs; the sentences come from
:mod:`rotascope.outputs.report.narrative`. Nothing is written anywhere.

As-of policy: the note is dated on the last trading date on or before the requested
date (the last date of SPY, or of any loaded series). Each series is read at its own
last close on or before that date; a series whose last close is more than
:data:`~rotascope.analysis.perf.MAX_STALE_DAYS` days older, or that has no prices at
all, is listed as missing and its figures are not printed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ...analysis.indicators import WINDOWS, sma, total_return
from ...analysis.perf import MAX_STALE_DAYS
from ...errors import NoDataError
from . import sections as S
from .figures import FigureRegistry
from .model import ChartSpec, ReportModel, Section
from .narrative import Voice

if TYPE_CHECKING:
    from ...market_view import MarketView

#: The previous note for the recap: its JSON, a function of the note date, or None.
PreviousNote = Mapping[str, Any] | Callable[[pd.Timestamp], Mapping[str, Any] | None] | None

__all__ = ["build_report", "ReportContext", "WINDOW_WORDS", "CORE_TICKERS"]

#: Window names in words (no digits, so the text never shows an unregistered number).
WINDOW_WORDS: dict[str, str] = {"1w": "a week", "1m": "a month", "3m": "three months",
                                "6m": "six months", "ytd": "the year to date",
                                "1y": "a year"}

#: Tickers the note reads besides the universes (sectors, global, macro, crypto, Mag-7).
CORE_TICKERS: tuple[str, ...] = ("SPY", "RSP", "MAGS", "XMAG", "QQQ", "IWM", "VGK", "EWJ",
                                 "EEM", "ACWX", "HYG", "IEF", "VIXY", "^TNX", "UUP", "GLD",
                                 "TLT", "IBIT")


def _rows(window: str) -> int | str:
    return "ytd" if window == "ytd" else WINDOWS[window]


@dataclass
class ReportContext:
    """What the section builders share: the data, the registry and the voice.

    Figure helpers (``ret``, ``pct_vs_sma``, ``ratio_return``...) compute a figure from
    the loaded closes, register it and return its placeholder, or None when the value
    does not exist (too little history, a missing series).
    """

    as_of: pd.Timestamp
    close: pd.DataFrame
    reg: FigureRegistry
    voice: Voice
    universes: Mapping[str, tuple[str, ...]]
    synthetic: bool
    missing: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    breadth: pd.DataFrame | None = None
    members_close: pd.DataFrame | None = None
    members_mask: pd.DataFrame | None = None
    universe: str = "sp500"
    _series: dict[str, pd.Series | None] = field(default_factory=dict)

    # -- series ----------------------------------------------------------------------
    def series(self, ticker: str) -> pd.Series | None:
        """``ticker``'s closes up to the note date (NaN rows dropped), or None when it is
        missing or stale (the reason goes to :attr:`missing`)."""
        if ticker in self._series:
            return self._series[ticker]
        s: pd.Series | None = None
        if ticker not in self.close.columns:
            self.missing.setdefault(ticker, "not in the store")
        else:
            col = self.close[ticker].loc[:self.as_of].dropna()
            if col.empty:
                self.missing.setdefault(ticker, f"no prices on or before {self.as_of:%Y-%m-%d}")
            elif (self.as_of - col.index[-1]).days > MAX_STALE_DAYS:
                self.missing.setdefault(ticker, f"stale: last close {col.index[-1]:%Y-%m-%d}")
            else:
                s = col.rename(ticker)
        self._series[ticker] = s
        return s

    def has(self, *tickers: str) -> bool:
        return all(self.series(t) is not None for t in tickers)

    def ratio(self, a: str, b: str) -> pd.Series | None:
        """A/B on the dates both have a close (nothing filled), or None."""
        sa, sb = self.series(a), self.series(b)
        if sa is None or sb is None:
            return None
        both = pd.concat([sa, sb], axis=1, join="inner")
        r = (both.iloc[:, 0] / both.iloc[:, 1]).rename(f"{a}/{b}")
        r = r[np.isfinite(r)]
        return r if len(r) else None

    # -- figure helpers ----------------------------------------------------------------
    def _add(self, id: str, value: float, *, kind: str, unit: str, definition: str,
             inputs: Mapping[str, Any], as_of: pd.Timestamp | None = None,
             display: str | None = None) -> str | None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return None
        return self.reg.add(id, value, kind=kind, unit=unit, definition=definition,
                            inputs=inputs, as_of=self.as_of if as_of is None else as_of,
                            display=display)

    def close_level(self, t: str) -> str | None:
        s = self.series(t)
        if s is None:
            return None
        return self._add(f"{t}.close", float(s.iloc[-1]), kind="close", unit="level",
                         definition=f"{t} last close (adjusted)", inputs={"series": [t]})

    def ret(self, t: str, window: str) -> str | None:
        s = self.series(t)
        if s is None:
            return None
        v = float(total_return(s, _rows(window)).iloc[-1])
        return self._add(f"{t}.return_{window}", v, kind="return", unit="pct",
                         definition=f"{t} total return over {WINDOW_WORDS[window]}"
                         + ("" if window == "ytd" else f" ({_rows(window)} trading days)"),
                         inputs={"series": [t], "window": _rows(window)})

    def spread(self, a: str, b: str, window: str) -> str | None:
        sa, sb = self.series(a), self.series(b)
        if sa is None or sb is None:
            return None
        v = float(total_return(sa, _rows(window)).iloc[-1]
                  - total_return(sb, _rows(window)).iloc[-1])
        return self._add(f"{a}-{b}.spread_{window}", v, kind="return_spread", unit="pp",
                         definition=f"{a} return minus {b} return over {WINDOW_WORDS[window]}",
                         inputs={"series": [a, b], "window": _rows(window)})

    def sma_level(self, t: str, n: int) -> str | None:
        s = self.series(t)
        if s is None:
            return None
        return self._add(f"{t}.sma_{n}", float(sma(s, n).iloc[-1]), kind="sma", unit="level",
                         definition=f"{t} {n}-day simple moving average",
                         inputs={"series": [t], "window": n})

    def pct_vs_sma(self, t: str, n: int) -> str | None:
        s = self.series(t)
        if s is None:
            return None
        v = float(s.iloc[-1] / sma(s, n).iloc[-1] - 1.0)
        return self._add(f"{t}.pct_vs_sma_{n}", v, kind="pct_vs_sma", unit="pct",
                         definition=f"{t} close versus its {n}-day simple moving average",
                         inputs={"series": [t], "window": n})

    def ratio_return(self, a: str, b: str, n: int) -> str | None:
        r = self.ratio(a, b)
        if r is None:
            return None
        v = float(total_return(r, n).iloc[-1])
        return self._add(f"{a}/{b}.change_{n}d", v, kind="ratio_return", unit="pct",
                         definition=f"change of the ratio {a}/{b} over {n} trading days",
                         inputs={"series": [a, b], "window": n})

    def ratio_vs_sma(self, a: str, b: str, n: int) -> str | None:
        r = self.ratio(a, b)
        if r is None:
            return None
        v = float(r.iloc[-1] / sma(r, n).iloc[-1] - 1.0)
        return self._add(f"{a}/{b}.pct_vs_sma_{n}", v, kind="ratio_pct_vs_sma", unit="pct",
                         definition=f"ratio {a}/{b} versus its {n}-day simple moving average",
                         inputs={"series": [a, b], "window": n})

    def ratio_level(self, a: str, b: str) -> str | None:
        r = self.ratio(a, b)
        if r is None:
            return None
        return self._add(f"{a}/{b}.value", float(r.iloc[-1]), kind="ratio", unit="ratio",
                         definition=f"ratio {a}/{b} (closes on common dates)",
                         inputs={"series": [a, b]})

    def ratio_extreme(self, a: str, b: str, side: str, months: int) -> str | None:
        if months <= 0:
            return None
        word = "lowest" if side == "low" else "highest"
        return self._add(f"{a}/{b}.{word}_in_months", months, kind="ratio_months_extreme",
                         unit="count",
                         definition=f"ratio {a}/{b} is the {word} in this many months "
                                    "(months of 21 ratio rows, up to 24)",
                         inputs={"series": [a, b], "side": side, "month_rows": 21,
                                 "max_months": 24})

    def yield_level(self, t: str) -> str | None:
        s = self.series(t)
        if s is None:
            return None
        return self._add(f"{t}.yield", float(s.iloc[-1]), kind="yield", unit="yield",
                         definition=f"{t} last value (a yield in percent)",
                         inputs={"series": [t]})

    def yield_change(self, t: str, window: str) -> str | None:
        s = self.series(t)
        if s is None:
            return None
        n = WINDOWS[window]
        if len(s) <= n:
            return None
        v = float(s.iloc[-1] - s.iloc[-1 - n])
        return self._add(f"{t}.change_{window}", v, kind="yield_change", unit="bp",
                         definition=f"change of {t} (a yield) over {WINDOW_WORDS[window]} "
                                    f"({n} trading days), in basis points",
                         inputs={"series": [t], "window": n})

    def add(self, id: str, value: float, **kw: Any) -> str | None:
        """Register any other figure (None when the value is missing)."""
        return self._add(id, value, **kw)

    def val(self, placeholder: str | None) -> float:
        """The value behind a placeholder (NaN for None)."""
        if placeholder is None:
            return math.nan
        return self.reg.value(placeholder[1:-1])


# -- loading ---------------------------------------------------------------------------

def _universe_tickers(name: str, market: MarketView) -> tuple[str, ...]:
    return tuple(market.members(name)) if market.has_universe(name) else ()


def _load_members(ctx: ReportContext, market: MarketView, universe: str) -> None:
    """Closes, point-in-time mask and breadth history of the member universe."""
    from ...analysis.breadth import breadth_history

    if not market.has_universe(universe):
        ctx.notes.append(f"universe {universe!r} is not defined, so breadth is not shown; "
                         "add it with `rotascope universe add sp500 FILE --changes FILE`")
        return
    uni = market.universe(universe)
    tickers = sorted(market.present(market.ever_members(universe)))
    if not tickers:
        ctx.notes.append(f"no member of {universe!r} has prices in the store, so breadth is "
                         "not shown")
        return
    view = market.at(ctx.as_of)
    close = view.close(tickers)
    mask = view.membership(universe, close.index, tickers)
    ctx.members_close = close
    ctx.members_mask = mask
    ctx.breadth = breadth_history(close, members=mask)
    if uni.point_in_time:
        ctx.notes.append(f"breadth counts {universe} members point in time, from the stored "
                         "membership history (approximate where that history is coarse)")
    else:
        ctx.notes.append(f"breadth applies today's {universe} list to every date "
                         "(no membership history)")
    if not ctx.synthetic:
        ctx.notes.append("members that left the index have no prices here, so historical "
                         "breadth is biased upward (survivorship)")


def build_report(market: MarketView, *, rules: Any = None, universe: str = "sp500",
                 previous: PreviousNote = None, synthetic: bool | None = None,
                 source: Mapping[str, Any] | None = None,
                 requested_as_of: pd.Timestamp | None = None,
                 portfolio: Any = None) -> ReportModel:
    """Compute the weekly note on the market view's date.

    Parameters
    ----------
    market : a :class:`~rotascope.market.MarketView`. The note is dated on the last
        trading date (of SPY) on or before its ``as_of``; nothing after it is read.
    rules : :class:`~rotascope.analysis.regime.RegimeRules`; default the packaged rules.
    universe : member universe for breadth (default ``"sp500"``).
    previous : the earlier note's JSON for the recap, or a function of the note date
        that returns it (the CLI reads the latest stored note dated before it); None:
        no recap.
    synthetic : mark the note synthetic; default: True when SPY comes from the
        synthetic generator.
    source : provenance to record in the JSON (store path, demo parameters).
    requested_as_of : the date the user asked for, recorded in the JSON (default: the
        view's date when it was given explicitly).
    portfolio : holdings (the frame of :func:`rotascope.data.holdings.read_holdings`)
        for an optional "your portfolio" section, analysed as of the note date.

    Returns
    -------
    ReportModel

    Raises
    ------
    NoDataError
        No note ticker has prices on or before the view's date.
    """
    from ...analysis.regime import load_rules, regime_history

    rules = rules or load_rules()
    names = ("mag7", "leadership", "style", "sectors", "global", "macro", "crypto")
    universes = {n: _universe_tickers(n, market) for n in names}
    wanted = list(dict.fromkeys([*CORE_TICKERS, *rules.tickers,
                                 *(t for n in names for t in universes[n])]))
    have = set(market.tickers)
    present = [t for t in wanted if t in have]
    if not present:
        raise NoDataError("none of the note's tickers (SPY, sectors, ...) are in the store; "
                          "import data first: rotascope data import ../shared/market-data")
    close = market.close(present)
    if len(close) == 0:
        raise NoDataError(f"no prices on or before {market.as_of:%Y-%m-%d}")
    spy = close["SPY"].dropna() if "SPY" in close.columns else pd.Series(dtype=float)
    day = spy.index[-1] if len(spy) else close.index[-1]
    synthetic = market.is_synthetic("SPY") if synthetic is None else bool(synthetic)
    ctx = ReportContext(as_of=pd.Timestamp(day), close=close, reg=FigureRegistry(),
                        voice=Voice(pd.Timestamp(day)), universes=universes,
                        synthetic=synthetic, universe=universe)
    for t in wanted:
        if t not in have:
            ctx.missing[t] = "not in the store"
    _load_members(ctx, market, universe)

    rule_cols = [t for t in rules.tickers if t in close.columns]
    rclose = close[rule_cols].dropna(how="all")
    hist = regime_history(rclose, ctx.breadth, rules)
    result = hist.at(ctx.as_of)

    prev_note = previous(ctx.as_of) if callable(previous) else previous

    sections: dict[str, Section] = {}
    sections["verdict"] = S.verdict_section(ctx, result, rules, hist)
    sections["index"] = S.index_section(ctx)
    sections["mag7"] = S.mag7_section(ctx)
    sections["global"] = S.global_section(ctx)
    sections["sectors"] = S.sectors_section(ctx)
    sections["breadth"] = S.breadth_section(ctx)
    sections["macro"] = S.macro_section(ctx)
    sections["crypto"] = S.crypto_section(ctx)
    sections["positioning"] = S.positioning_section(ctx, result, rules)
    sections["risks"] = S.risks_section(ctx, result, rules)
    if portfolio is not None:
        from ...analysis.portfolio import analyze_portfolio
        from .sections.portfolio import portfolio_section

        analysis = analyze_portfolio(market.at(ctx.as_of), portfolio)
        sections["portfolio"] = portfolio_section(ctx, analysis)
    recap = S.recap_section(ctx, result, prev_note) if prev_note else None
    sections["key_points"] = S.key_points_section(ctx, result, recap)
    if recap is not None:
        sections["recap"] = recap
    sections["disclaimer"] = S.disclaimer_section(ctx)
    from .model import SECTION_ORDER

    ordered = tuple(sections[k] for k in SECTION_ORDER if k in sections)
    title = ("Market rotation note" + (" (SYNTHETIC DATA)" if synthetic else "")
             + f": {ctx.as_of:%Y-%m-%d}")
    prev_date = pd.Timestamp(prev_note["as_of"]) if prev_note else None
    missing = {t: ctx.missing[t] for t in wanted if t in ctx.missing}
    src = {"store": market.location, "rules": rules.source,
           "universe": universe, **(dict(source) if source else {})}
    return ReportModel(as_of=ctx.as_of, requested_as_of=requested_as_of, synthetic=synthetic,
                       title=title, regime=result, figures=ctx.reg, sections=ordered,
                       charts=tuple(ctx.charts), missing=missing, notes=tuple(ctx.notes),
                       source=src, previous_as_of=prev_date)


def tickers_of(values: Sequence[str]) -> list[str]:
    """Unique tickers in order (helper for the sections)."""
    return list(dict.fromkeys(values))
