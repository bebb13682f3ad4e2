"""Check extracted claims against the store.

Reference date
--------------
Relative periods ("last week", "on Friday", "in June") are resolved against one
reference date, chosen in this order (the report's ``as_of`` and every claim's
``window.date_source`` say which):

1. the document's own date (HTML/front-matter metadata, or a dateline; see
   :mod:`rotascope.text.extract`) -- the text says when it was written;
2. ``as_of`` (``--as-of``);
3. the store's last date.

A claim with its own anchor ("as of June 30") is checked at that date. Nothing after
the date is read (prices are loaded with ``end=`` the date).

Computation (project functions)
-------------------------------
returns and one-day moves: :func:`rotascope.signals.returns.total_return` /
``ytd_return`` (own-row windows) or the two closes bounding a calendar period;
declines: :func:`rotascope.signals.drawdown.worst_decline`; drawdowns:
:func:`~rotascope.signals.drawdown.drawdown` (all history) or
:func:`rotascope.signals.rolling.pct_from_high` (52 weeks); N-period and "since"
extremes: :func:`rotascope.signals.extremes.previous_at_or_beyond` on the close or on
the ratio A/B (dates where both have a close); moving averages:
:func:`rotascope.signals.averages.pct_vs_ma`, ``ma_slope`` (over 20 rows) and
``ma_turns``; RSI: :func:`rotascope.signals.momentum.rsi` (Wilder) and
:func:`rotascope.signals.pivots.swing_points` (5 rows each side) for highs/lows;
breadth: :func:`rotascope.analysis.breadth.breadth_history` (share above the simple
average among point-in-time members with a close on the date and enough history).

Tolerances (fractions; "pp" = percentage points)
------------------------------------------------
=================  ===================================  =================================
kind               holds                                roughly
=================  ===================================  =================================
return, decline,   ``|computed - stated| <= max(0.5 pp,  ``<= max(2 pp, 10% of |stated|)``
drawdown, gap      3% of |stated|)``
one_day            ``<= max(0.25 pp, 3% of |stated|)``  ``<= max(0.75 pp, 10% of |stated|)``
level              within 1% of the stated level        within 3%
                   ("testing": 1.5%; yields: 5 bp)      ("testing": 4%; yields: 15 bp)
range              inside the range                     within 1% (yields: 5 bp) outside
ratio/extreme      strictly beyond every value of the   within 1% of that extreme, or an
                   preceding N rows                     extreme on one of the last 5 rows
moving average     on the stated side of every average  the wrong side by < 0.5%
RSI                on the stated side of the level      within 2 RSI points
breadth            ``<= 2 pp``                          ``<= 5 pp``
=================  ===================================  =================================

Qualifiers change the test: "over/more than X" holds when the move is at least X in the
stated direction (roughly when short by no more than the roughly tolerance), "nearly X"
holds between X minus twice the holds tolerance and X plus half of it, "about X" doubles
the holds tolerance, "less than X" holds at or below X. For a ``loose`` proxy (the alias
table says so: other currency, futures, another index) both tolerances double and
"holds" is reported as "roughly".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import UnknownTickerError
from ..aliases import Alias, AliasTable, load_aliases
from ..extract import Document, parse_document
from .dates import ResolvedWindow, WindowError, named_date, resolve
from .model import CheckReport, Claim, ClaimResult, WindowSpec
from .patterns import extract_claims

__all__ = ["check_claims", "check_document", "check_text", "reference_date", "judge_number",
           "Tolerance", "MAX_STALE_DAYS"]

#: A close more than this many calendar days before the date is too old to use.
MAX_STALE_DAYS = 7


@dataclass(frozen=True)
class Tolerance:
    """Holds/roughly tolerances of a numeric comparison, in ``unit``."""

    holds: float
    roughly: float
    unit: str = "fraction"

    def to_dict(self) -> dict:
        return {"holds": self.holds, "roughly": self.roughly, "unit": self.unit}

    def widened(self, factor: float) -> Tolerance:
        return Tolerance(self.holds * factor, self.roughly * factor, self.unit)


def _tol_change(stated: float, one_day: bool = False) -> Tolerance:
    s = abs(stated)
    if one_day:
        return Tolerance(max(0.0025, 0.03 * s), max(0.0075, 0.10 * s))
    return Tolerance(max(0.005, 0.03 * s), max(0.02, 0.10 * s))


def judge_number(computed: float, stated: float, tol: Tolerance,
                 qualifier: str | None = None) -> tuple[str, str]:
    """Verdict and a short explanation for a numeric claim.

    ``stated`` carries the claim's direction (a fall is negative); qualifiers compare
    in that direction (see module docs).

    Examples
    --------
    >>> judge_number(0.104, 0.10, Tolerance(0.005, 0.02))[0]
    'holds'
    >>> judge_number(0.031, 0.03, Tolerance(0.0025, 0.0075), "over")[0]
    'holds'
    >>> judge_number(-0.01, -0.03, Tolerance(0.0025, 0.0075))[0]
    'does not hold'
    """
    diff = computed - stated
    sgn = -1.0 if stated < 0 else 1.0
    x, y = computed * sgn, stated * sgn
    if stated != 0 and x < 0 and abs(diff) > tol.holds and qualifier != "under":
        # A move in the other direction than stated never "roughly" holds.
        return "does not hold", (f"moved the other way: off by {_fmt(abs(diff), tol.unit)}")
    if qualifier == "over":
        if x >= y:
            return "holds", "at least the stated figure"
        if x >= y - tol.roughly:
            return "roughly", f"short of the stated minimum by {_fmt(y - x, tol.unit)}"
        return "does not hold", f"short of the stated minimum by {_fmt(y - x, tol.unit)}"
    if qualifier == "under":
        if x <= y:
            return "holds", "no more than the stated figure"
        if x <= y + tol.roughly:
            return "roughly", f"above the stated maximum by {_fmt(x - y, tol.unit)}"
        return "does not hold", f"above the stated maximum by {_fmt(x - y, tol.unit)}"
    if qualifier == "nearly":
        if y - 2 * tol.holds <= x <= y + tol.holds / 2:
            return "holds", f"off by {_fmt(abs(diff), tol.unit)}"
        if abs(diff) <= tol.roughly:
            return "roughly", f"off by {_fmt(abs(diff), tol.unit)}"
        return "does not hold", f"off by {_fmt(abs(diff), tol.unit)}"
    holds = tol.holds * (2 if qualifier == "about" else 1)
    if abs(diff) <= holds:
        return "holds", f"off by {_fmt(abs(diff), tol.unit)}"
    if abs(diff) <= max(tol.roughly, holds):
        return "roughly", f"off by {_fmt(abs(diff), tol.unit)}"
    return "does not hold", f"off by {_fmt(abs(diff), tol.unit)}"


def _fmt(x: float, unit: str) -> str:
    if unit == "fraction":
        return f"{x * 100:.2f} pp"
    if unit == "percent":
        return f"{x:.2f} points"
    if unit == "bp":
        return f"{x:.0f} bp"
    if unit == "relative":
        return f"{x * 100:.2f}%"
    return f"{x:.4g}"


def _sessions(n: int | None) -> str:
    return f"{n} session" + ("" if n == 1 else "s")


def _pct(x: float) -> str:
    return f"{x * 100:+.2f}%"


def _d(ts: pd.Timestamp | None) -> str:
    return "n/a" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


class _CannotCheck(Exception):
    """Raised inside a checker: the claim is 'cannot check' for the given reason."""


# -- data access --------------------------------------------------------------------------

class _Data:
    """Each ticker's closes, read through a market view (MarketView interface: see
    :mod:`rotascope.text.marketdata`); nothing after the claim's date is used."""

    def __init__(self, market: Any) -> None:
        self.market = market
        self._known: set[str] | None = None
        self._views: dict[pd.Timestamp, Any] = {}

    def known(self) -> set[str]:
        if self._known is None:
            self._known = set(self.market.tickers) if self.market is not None else set()
        return self._known

    def view(self, day: pd.Timestamp) -> Any:
        """The market as of ``day`` (one view per date, sharing the loaded closes)."""
        if day not in self._views:
            self._views[day] = self.market.at(day)
        return self._views[day]

    def require(self, alias: Alias, written: str) -> str:
        if alias.ticker is None:
            raise _CannotCheck(f"{written!r}: {alias.reason or 'no instrument stands for it'}")
        if self.market is None:
            raise _CannotCheck("no store to check against (import data first: "
                               "rotascope data import PATH)")
        if alias.ticker not in self.known():
            raise _CannotCheck(f"{alias.ticker} ({written!r}) is not in the store; import it "
                               "with `rotascope data import` or `rotascope data update`")
        return alias.ticker

    def series(self, ticker: str, end: pd.Timestamp) -> pd.Series:
        if self.market is None or ticker not in self.known():
            return pd.Series(dtype=float, name=ticker)
        s = self.view(pd.Timestamp(end)).series(ticker)
        s.name = ticker
        return s

    def close(self, ticker: str, end: pd.Timestamp) -> pd.Series:
        s = self.series(ticker, end)
        if s.empty:
            raise _CannotCheck(f"{ticker} has no close on or before {end:%Y-%m-%d}")
        lag = (end - s.index[-1]).days
        if lag > MAX_STALE_DAYS:
            raise _CannotCheck(f"{ticker}'s last close is {s.index[-1]:%Y-%m-%d}, {lag} days "
                               f"before {end:%Y-%m-%d}; the store has no data for the date")
        return s


# -- reference date -------------------------------------------------------------------------

def reference_date(doc: Document | None, as_of: Any, market: Any
                   ) -> tuple[pd.Timestamp, str]:
    """The date relative periods are resolved against, and where it came from.
    ``market`` is a market view (or a Store: anything with ``last_date()``), or None."""
    if doc is not None and doc.date is not None:
        return pd.Timestamp(doc.date).normalize(), f"document date ({doc.date_source})"
    if as_of is not None:
        return pd.Timestamp(as_of).normalize(), "--as-of"
    last = None
    if market is not None:
        last = market.as_of if hasattr(market, "as_of") else market.last_date()
    if last is None:
        from ...errors import ParameterError

        raise ParameterError("reference_date(): no date to check against: the text has no "
                             "date, no --as-of was given and the store is empty")
    return pd.Timestamp(last).normalize(), "the store's last date"


# -- the checkers -----------------------------------------------------------------------------

@dataclass
class _Outcome:
    verdict: str
    reason: str
    computed: Any = None
    tolerance: Any = None
    window: dict | None = None


def _notes(aliases: Sequence[Alias], kind: str) -> str:
    parts = []
    for a in aliases:
        if kind in ("level", "range") and a.level_note:
            parts.append(a.level_note.rstrip("."))
        if a.proxy and a.represents:
            part = f"{a.represents} via {a.ticker}"
            if a.note:
                part += f" ({a.note.rstrip('.')})"
            parts.append(part)
        elif a.note:
            parts.append(a.note.rstrip("."))
    if kind in ("return", "one_day", "outperformance", "decline", "drawdown") and any(
            a.proxy and not a.is_yield for a in aliases):
        parts.append("ETF returns from adjusted closes include dividends, index price "
                     "returns do not")
    if not parts:
        return ""
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def _loose(outcome: _Outcome, aliases: Sequence[Alias]) -> _Outcome:
    loose = [a for a in aliases if a.loose]
    if loose and outcome.verdict == "holds":
        outcome.verdict = "roughly"
        outcome.reason += (f" Reported as roughly: {', '.join(a.ticker or a.key for a in loose)} "
                           "is only a loose proxy.")
    return outcome


def _window_of(claim: Claim) -> WindowSpec:
    if claim.window is None:
        raise _CannotCheck("no period stated for the change (e.g. 'this week', 'over the "
                           "past month', 'year to date', 'on Friday')")
    return claim.window


def _resolve(spec: WindowSpec, ref: pd.Timestamp, close: pd.Series) -> ResolvedWindow:
    try:
        if spec.type == "span":
            from .dates import resolve_span

            return resolve_span(spec, ref, close)
        return resolve(spec, ref, close.index)
    except WindowError as exc:
        raise _CannotCheck(f"{close.name}: {exc}") from None


def _change(close: pd.Series, w: ResolvedWindow) -> float:
    """Total return over a resolved window, via the project's functions."""
    from ...signals.returns import total_return, ytd_return

    if w.spec.type == "ytd" and w.spec.year in (None, w.end.year):
        value = ytd_return(close).loc[w.end]
    elif w.spec.type == "rows" or w.spec.type == "day":
        value = total_return(close, int(w.rows or 1)).loc[w.end]
    else:
        value = total_return(close, int(w.rows)).loc[w.end] if w.rows else np.nan
    if pd.isna(value):
        raise _CannotCheck(f"{close.name}: no return over {w.spec.text!r} (not enough rows)")
    return float(value)


def _yield_change_bp(close: pd.Series, w: ResolvedWindow) -> float:
    assert w.base is not None
    return float((close.loc[w.end] - close.loc[w.base]) * 100.0)


def _check_return(c: Claim, data: _Data, ref: pd.Timestamp, src: str) -> _Outcome:
    alias = c.instruments[0]
    ticker = data.require(alias, c.names[0])
    close = data.close(ticker, ref)
    spec = _window_of(c)
    w = _resolve(spec, ref, close)
    one_day = c.kind == "one_day"
    if c.details.get("unit") == "bp":
        if not alias.is_yield:
            raise _CannotCheck(f"a move in basis points for {ticker}, which is not a yield")
        stated_bp = float(c.stated)
        computed_bp = _yield_change_bp(close, w)
        tol = Tolerance(max(2.0, 0.1 * abs(stated_bp)), max(5.0, 0.25 * abs(stated_bp)), "bp")
        verdict, why = judge_number(computed_bp, stated_bp, tol, c.qualifier)
        reason = (f"{ticker} moved {computed_bp:+.1f} bp from {_d(w.base)} "
                  f"({close.loc[w.base]:.3f}%) to {_d(w.end)} ({close.loc[w.end]:.3f}%) "
                  f"against the stated "
                  f"{stated_bp:+.0f} bp: {why}.")
        return _Outcome(verdict, reason, computed_bp, tol.to_dict(), w.to_dict(src))
    if alias.is_yield:
        raise _CannotCheck(f"{ticker} is a yield in percent; changes of a yield are quoted in "
                           "basis points, and a percent change of a yield is ambiguous")
    stated = float(c.stated)
    if c.kind == "decline":
        from ...signals.drawdown import worst_decline

        value = worst_decline(close, int(w.rows or 1)).loc[w.end]
        if pd.isna(value):
            raise _CannotCheck(f"{ticker}: not enough rows for a {w.rows}-row decline")
        computed = float(value)
        p2p = _change(close, w)
        tol = _tol_change(stated)
        verdict, why = judge_number(computed, stated, tol, c.qualifier)
        reason = (f"{ticker}'s worst close-to-close fall inside the {w.rows} sessions to "
                  f"{_d(w.end)} was {_pct(computed)} (point to point {_pct(p2p)}) against the "
                  f"stated {_pct(stated)}: {why}.")
    else:
        computed = _change(close, w)
        tol = _tol_change(stated, one_day)
        verdict, why = judge_number(computed, stated, tol, c.qualifier)
        span = f"on {_d(w.end)}" if one_day else f"from {_d(w.base)} to {_d(w.end)}"
        reason = (f"{ticker} returned {_pct(computed)} {span} ({_sessions(w.rows)}) against the "
                  f"stated {_pct(stated)}: {why}.")
    if any(a.loose for a in c.instruments):
        tol = tol.widened(2)
        verdict, why = judge_number(computed, stated, tol, c.qualifier)
    note = _notes(c.instruments, c.kind)
    out = _Outcome(verdict, f"{reason} {note}".strip(), computed, tol.to_dict(),
                   w.to_dict(src))
    return _loose(out, c.instruments)


def _check_outperformance(c: Claim, data: _Data, ref: pd.Timestamp, src: str) -> _Outcome:
    if len(c.instruments) < 2:
        raise _CannotCheck("needs two instruments (who outperformed whom)")
    a, b = c.instruments[0], c.instruments[1]
    ta, tb = data.require(a, c.names[0]), data.require(b, c.names[1])
    spec = _window_of(c)
    ca, cb = data.close(ta, ref), data.close(tb, ref)
    wa, wb = _resolve(spec, ref, ca), _resolve(spec, ref, cb)
    ra, rb = _change(ca, wa), _change(cb, wb)
    diff = ra - rb
    computed: dict = {ta: ra, tb: rb, "difference": diff}
    note = _notes(c.instruments, c.kind)
    if c.details.get("sign_only"):
        wants = 1 if c.stated == "outperformed" else -1
        tol = Tolerance(0.0, 0.0025)
        if diff * wants > 0:
            verdict = "holds"
        elif abs(diff) <= tol.roughly:
            verdict = "roughly"
        else:
            verdict = "does not hold"
        reason = (f"{ta} {_pct(ra)} vs {tb} {_pct(rb)} from {_d(wa.base)} to {_d(wa.end)}: "
                  f"a difference of {diff * 100:+.2f} pp; the text says {ta} {c.stated} "
                  f"(a gap under 0.25 pp counts as roughly).")
        out = _Outcome(verdict, f"{reason} {note}".strip(), computed,
                       {"holds": "sign of the difference", "roughly": 0.0025,
                        "unit": "fraction"}, wa.to_dict(src))
        return _loose(out, c.instruments)
    stated = float(c.stated)
    value = abs(diff) if c.details.get("absolute") else diff
    tol = _tol_change(stated)
    if any(x.loose for x in c.instruments):
        tol = tol.widened(2)
    verdict, why = judge_number(value, stated, tol, c.qualifier)
    unit_note = ""
    if c.details.get("unit") == "%":
        unit_note = " The stated '%' is read as percentage points (difference of returns)."
    reason = (f"{ta} {_pct(ra)} vs {tb} {_pct(rb)} from {_d(wa.base)} to {_d(wa.end)}: a "
              f"{'gap' if c.details.get('absolute') else 'difference'} of {value * 100:+.2f} pp "
              f"against the stated {stated * 100:+.2f} pp: {why}.{unit_note}")
    out = _Outcome(verdict, f"{reason} {note}".strip(), computed, tol.to_dict(),
                   wa.to_dict(src))
    return _loose(out, c.instruments)


def _end_for(c: Claim, ref: pd.Timestamp, close: pd.Series) -> tuple[pd.Timestamp, str]:
    """The row a state claim (extreme, MA, RSI, level) is checked at."""
    if c.window is not None and c.window.type == "day":
        w = _resolve(c.window, ref, close)
        return w.end, c.window.text
    upto = close.index[close.index <= ref]
    return upto[-1], ""


def _series_for_extreme(c: Claim, data: _Data, ref: pd.Timestamp) -> tuple[pd.Series, str]:
    a = c.instruments[0]
    ta = data.require(a, c.names[0])
    ca = data.close(ta, ref)
    if c.kind == "ratio_extreme":
        b = c.instruments[1]
        tb = data.require(b, c.names[1])
        cb = data.close(tb, ref)
        frame = pd.concat([ca, cb], axis=1, join="inner")
        ratio = frame.iloc[:, 0] / frame.iloc[:, 1]
        ratio.name = f"{ta}/{tb}"
        return ratio, f"the {ta}/{tb} ratio"
    return ca, ta


def _check_extreme(c: Claim, data: _Data, ref: pd.Timestamp, src: str) -> _Outcome:
    from ...signals.extremes import previous_at_or_beyond

    if c.stated is None:
        raise _CannotCheck(f"the period is vague ({c.details.get('vague')}); name it, e.g. "
                           "'a 4-month low'")
    if c.kind == "ratio_extreme" and len(c.instruments) < 2:
        raise _CannotCheck("needs two instruments for a relative extreme")
    if not c.instruments:
        raise _CannotCheck("no instrument named in the sentence")
    series, what = _series_for_extreme(c, data, ref)
    stretch = c.details.get("stretch_rows")
    if stretch:
        # "the best two-week stretch since 2020": an extreme of the rolling N-row return.
        from ...signals.returns import total_return

        series = total_return(series, int(stretch)).dropna()
        what = f"{what}'s {stretch}-session return"
        if series.empty:
            raise _CannotCheck(f"not enough rows for a {stretch}-session return")
    end, _day_text = _end_for(c, ref, series)
    side = c.details["side"]
    prev, run = previous_at_or_beyond(series.to_frame(), side)
    pos = int(series.index.get_loc(end))
    value = float(series.iloc[pos])
    word = "low" if side == "low" else "high"
    window = {"label": None, "text": None, "start": _d(series.index[0]), "end": _d(end),
              "rows": None, "date_source": src}
    note = _notes(c.instruments, c.kind)
    if "since" in c.details:
        since = c.details["since"]
        p = int(prev[pos, 0])
        last_date = series.index[p] if p >= 0 else None
        if since.get("day") and since.get("month"):
            d = named_date(WindowSpec("since", "", month=since["month"], day=since["day"],
                                      year=since.get("year")), end)
            lo, hi = d - pd.Timedelta(days=4), d + pd.Timedelta(days=4)
        elif since.get("month"):
            year = since.get("year") or (end.year if since["month"] < end.month else end.year - 1)
            lo = pd.Timestamp(year=year, month=since["month"], day=1)
            hi = lo + pd.offsets.MonthEnd(0)
        else:
            lo = pd.Timestamp(year=since["year"], month=1, day=1)
            hi = pd.Timestamp(year=since["year"], month=12, day=31)
        if since.get("part") and not since.get("day"):
            # "weakest since early September": the last time at or beyond falls in the
            # 1st-10th (early), 11th-20th (mid) or 21st-end (late); of a year, Jan-Mar,
            # May-Aug, Oct-Dec (docs/text.md, periods).
            from .dates import vague_part

            lo, hi = vague_part(lo, hi, "month" if since.get("month") else "year",
                                since["part"])
        window.update(label="since", text=c.stated.get("since"), start=_d(lo))
        computed = {"value": value, "last_at_or_beyond": _d(last_date)}
        since_tol = {"holds": f"last {word} at or beyond the value falls in the stated period",
                     "roughly": "an even earlier date (a stronger extreme than stated)"}
        if last_date is None:
            verdict = "roughly"
            reason = (f"{what} on {_d(end)} ({value:.4g}) is the most extreme {word} in all the "
                      f"data (since {_d(series.index[0])}), stronger than stated.")
        elif lo <= last_date <= hi:
            verdict = "holds"
            reason = (f"{what} on {_d(end)} ({value:.4g}) was last this {word} or "
                      f"{'lower' if side == 'low' else 'higher'} on {_d(last_date)}.")
        elif last_date < lo:
            verdict = "roughly"
            reason = (f"{what} on {_d(end)} ({value:.4g}) was last this {word} on "
                      f"{_d(last_date)}, before the stated period: an even stronger extreme.")
        else:
            verdict = "does not hold"
            reason = (f"{what} on {_d(end)} ({value:.4g}) was as "
                      f"{'low' if side == 'low' else 'high'} as recently as {_d(last_date)}, "
                      f"after the stated period.")
        return _Outcome(verdict, f"{reason} {note}".strip(), computed, since_tol, window)
    rows = c.details.get("rows")
    r = int(run[pos, 0])
    earlier = series.iloc[:pos]
    if rows is None:
        look = earlier
        span = f"all the data since {_d(series.index[0])}"
        ok = int(prev[pos, 0]) == -1
    else:
        if pos < rows:
            raise _CannotCheck(f"{what} has only {pos} rows before {_d(end)}; a "
                               f"{c.stated['span']} extreme needs {rows}")
        look = earlier.iloc[-rows:]
        span = f"the preceding {rows} sessions"
        ok = r >= rows
    window.update(label=c.stated.get("span"), rows=rows, start=_d(look.index[0]) if len(look)
                  else None)
    extreme = float(look.min() if side == "low" else look.max()) if len(look) else math.nan
    gap = (value / extreme - 1.0) if extreme else math.nan
    computed = {"value": value, "extreme_before": extreme, "distance": gap,
                "rows_beyond": r}
    tol: dict[str, Any] = {"holds": "beyond every value of the window", "roughly": 0.01,
                           "unit": "fraction of the extreme"}
    if ok and rows is not None and c.details.get("first_since"):
        return _first_extreme_since(c, series, run, pos, rows, what, word, computed, window,
                                    note)
    if ok:
        return _Outcome("holds", f"{what} on {_d(end)} ({value:.4g}) is beyond every value of "
                        f"{span} ({word} before: {extreme:.4g}). {note}".strip(), computed, tol,
                        window)
    near = (gap <= 0.01) if side == "low" else (gap >= -0.01)
    recent = False
    if rows is not None:
        for k in range(1, 6):
            q = pos - k
            if q >= rows and int(run[q, 0]) >= rows:
                recent = True
                recent_date = series.index[q]
                break
    if recent:
        return _Outcome("roughly", f"{what} is not at a {c.stated['span']} {word} on {_d(end)} "
                        f"but was on {_d(recent_date)}, {pos - q} session(s) earlier. "
                        f"{note}".strip(), computed, tol, window)
    if near:
        return _Outcome("roughly", f"{what} on {_d(end)} ({value:.4g}) is within 1% of the "
                        f"{word} of {span} ({extreme:.4g}) but not beyond it. {note}".strip(),
                        computed, tol, window)
    return _Outcome("does not hold", f"{what} on {_d(end)} ({value:.4g}) is {abs(gap) * 100:.1f}% "
                    f"{'above' if side == 'low' else 'below'} the {word} of {span} "
                    f"({extreme:.4g}). {note}".strip(), computed, tol, window)


def _first_extreme_since(c: Claim, series: pd.Series, run: Any, pos: int, rows: int,
                         what: str, word: str, computed: dict, window: dict,
                         note: str) -> _Outcome:
    """"The first 4-month low since March": today is an N-row low and the N-row low before
    it falls in the stated period (earlier: roughly, a longer gap than stated; later: does
    not hold)."""
    end = series.index[pos]
    lo, hi = _since_bounds(c.details["first_since"], end)
    before = [q for q in range(rows, pos) if int(run[q, 0]) >= rows]
    last = series.index[before[-1]] if before else None
    computed = dict(computed, previous_extreme=_d(last))
    span = c.stated["span"]
    tol = {"holds": f"the {span} {word} before this one falls in the stated period",
           "roughly": "an even earlier one (a longer gap than stated)"}
    window = dict(window, label="since", start=_d(lo))
    if last is not None and lo <= last <= hi:
        verdict, how = "holds", f"the {span} {word} before it was on {_d(last)}"
    elif last is None or last < lo:
        verdict = "roughly"
        how = (f"the {span} {word} before it was on {_d(last)}, before the stated period"
               if last is not None else f"there is no {span} {word} before it in the data")
    else:
        verdict = "does not hold"
        how = f"there was a {span} {word} as recently as {_d(last)}, after the stated period"
    return _Outcome(verdict, f"{what} on {_d(end)} is at a {span} {word}; {how}. "
                    f"{note}".strip(), computed, tol, window)


def _since_bounds(since: dict, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Calendar days of a "since <date / month / year>" phrase (a date: +-4 days; a vague
    part of a month or year: that part), the latest on or before ``end``."""
    from .dates import vague_part

    if since.get("day") and since.get("month"):
        d = named_date(WindowSpec("since", "", month=since["month"], day=since["day"],
                                  year=since.get("year")), end)
        return d - pd.Timedelta(days=4), d + pd.Timedelta(days=4)
    if since.get("month"):
        year = since.get("year") or (end.year if since["month"] < end.month else end.year - 1)
        lo = pd.Timestamp(year=year, month=since["month"], day=1)
        hi = lo + pd.offsets.MonthEnd(0)
        if since.get("part"):
            lo, hi = vague_part(lo, hi, "month", since["part"])
        return lo, hi
    lo = pd.Timestamp(year=since["year"], month=1, day=1)
    hi = pd.Timestamp(year=since["year"], month=12, day=31)
    if since.get("part"):
        lo, hi = vague_part(lo, hi, "year", since["part"])
    return lo, hi


def _check_first_since(c: Claim, ticker: str, close: pd.Series, end: pd.Timestamp,
                       src: str) -> _Outcome:
    """"The first close below the 200-day since April": today's close is on the stated
    side of the average and yesterday's was not, and the last earlier close on that side
    falls in the stated period (earlier: roughly, a longer spell; later: does not hold)."""
    from ...signals.averages import pct_vs_ma

    n, side = int(c.details["first_since"]["n"]), c.details["first_since"]["side"]
    gap = pct_vs_ma(close, n).loc[:end].dropna()
    if len(gap) < 2:
        raise _CannotCheck(f"{ticker} has too few rows for a {n}-day average on {_d(end)}")
    on_side = (gap < 0) if side == "below" else (gap > 0)
    lo, hi = _since_bounds(c.details["since"], end)
    today, yesterday = bool(on_side.iloc[-1]), bool(on_side.iloc[-2])
    earlier = on_side.iloc[:-1]
    before_run = earlier[earlier]
    last = before_run.index[-1] if len(before_run) else None
    what = f"{ticker} closed {gap.iloc[-1] * 100:+.2f}% vs its {n}-day SMA on {_d(gap.index[-1])}"
    if not today:
        verdict, why = "does not hold", f"it is not {side} it"
    elif yesterday:
        start = on_side[~on_side].index
        since = on_side.index[on_side.index > start[-1]][0] if len(start) else gap.index[0]
        verdict = "does not hold"
        why = f"it has been {side} it since {_d(since)}, not a first close"
    elif last is None:
        verdict, why = "roughly", f"no earlier close {side} it in the data: stronger than stated"
    elif lo <= last <= hi:
        verdict, why = "holds", f"the last earlier close {side} it was on {_d(last)}"
    elif last < lo:
        verdict = "roughly"
        why = (f"the last earlier close {side} it was on {_d(last)}, before the stated "
               "period")
    else:
        verdict, why = "does not hold", f"it closed {side} it as recently as {_d(last)}"
    window = {"label": "since", "text": c.stated.get("since"), "start": _d(lo), "end": _d(end),
              "rows": n, "date_source": src}
    tol = {"holds": "last earlier close on that side falls in the stated period",
           "roughly": "an earlier date (a longer spell than stated)"}
    return _Outcome(verdict, f"{what}: {why}.", {"pct_vs_ma": float(gap.iloc[-1]),
                                                 "last_on_side": _d(last) if last else None},
                    tol, window)


def _check_ma(c: Claim, data: _Data, ref: pd.Timestamp, src: str) -> _Outcome:
    from ...signals.averages import ma_slope, ma_turns, pct_vs_ma

    if not c.instruments:
        raise _CannotCheck("no instrument named in the sentence")
    ticker = data.require(c.instruments[0], c.names[0])
    close = data.close(ticker, ref)
    end, _ = _end_for(c, ref, close)
    if "first_since" in c.details:
        return _check_first_since(c, ticker, close, end, src)
    kind = c.details.get("ma", "sma")
    computed: dict = {}
    verdicts: list[str] = []
    parts: list[str] = []
    for w, side in (c.stated.get("position") or {}).items():
        n = int(w)
        pct = pct_vs_ma(close, n, kind=kind).loc[end]
        if pd.isna(pct):
            raise _CannotCheck(f"{ticker} has too few rows for a {n}-day average on {_d(end)}")
        actual = "above" if pct > 0 else "below"
        computed.setdefault("position", {})[w] = {"pct_vs_ma": float(pct), "side": actual}
        if actual == side:
            verdicts.append("holds")
        elif abs(pct) < 0.005:
            verdicts.append("roughly")
        else:
            verdicts.append("does not hold")
        parts.append(f"{pct * 100:+.2f}% vs its {n}-day {kind.upper()}")
    for w, direction in (c.stated.get("direction") or {}).items():
        n = int(w)
        slope = ma_slope(close, n, 20, kind=kind).loc[end]
        if pd.isna(slope):
            raise _CannotCheck(f"{ticker} has too few rows for the slope of its {n}-day average")
        turns = ma_turns(close, n, 20, kind=kind).loc[:end].iloc[-21:]
        turned_down = bool((turns == -1).any())
        turned_up = bool((turns == 1).any())
        computed.setdefault("direction", {})[w] = {"slope_20d": float(slope),
                                                   "turned_down_21d": turned_down,
                                                   "turned_up_21d": turned_up}
        if direction == "rising":
            v = "holds" if slope > 0 else ("roughly" if slope > -0.002 else "does not hold")
        elif direction == "falling":
            v = "holds" if slope < 0 else ("roughly" if slope < 0.002 else "does not hold")
        elif direction == "flat":
            v = ("holds" if abs(slope) < 0.005 else "roughly" if abs(slope) < 0.01
                 else "does not hold")
        elif direction == "turning down":
            v = "holds" if slope < 0 and turned_down else ("roughly" if slope < 0 or turned_down
                                                             else "does not hold")
        else:  # turning up
            v = "holds" if slope > 0 and turned_up else ("roughly" if slope > 0 or turned_up
                                                          else "does not hold")
        verdicts.append(v)
        parts.append(f"{n}-day {kind.upper()} slope over 20 sessions {slope * 100:+.2f}%"
                     + (" (turned down in the last 21 sessions)" if turned_down else "")
                     + (" (turned up in the last 21 sessions)" if turned_up else ""))
    order = ["does not hold", "roughly", "holds"]
    verdict = min(verdicts, key=order.index) if verdicts else "cannot check"
    stated_txt = ", ".join(f"{s} the {w}-day" for w, s in (c.stated.get("position") or {}).items())
    dir_txt = ", ".join(f"{w}-day {d}" for w, d in (c.stated.get("direction") or {}).items())
    claim_txt = "; ".join(x for x in (stated_txt, dir_txt) if x)
    reason = f"{ticker} on {_d(end)}: {'; '.join(parts)} (stated: {claim_txt})."
    window = {"label": None, "text": c.window.text if c.window else None, "start": None,
              "end": _d(end), "rows": None, "date_source": src}
    tol = {"holds": "on the stated side / slope sign", "roughly": 0.005,
           "unit": "fraction of the average"}
    out = _Outcome(verdict, f"{reason} {_notes(c.instruments, c.kind)}".strip(), computed, tol,
                   window)
    return out


def _check_drawdown(c: Claim, data: _Data, ref: pd.Timestamp, src: str) -> _Outcome:
    from ...signals.drawdown import drawdown
    from ...signals.rolling import pct_from_high

    if c.stated is None:
        raise _CannotCheck(f"the peak is not identified precisely ({c.details.get('vague')})")
    if not c.instruments:
        raise _CannotCheck("no instrument named in the sentence")
    alias = c.instruments[0]
    ticker = data.require(alias, c.names[0])
    if alias.is_yield:
        raise _CannotCheck(f"{ticker} is a yield; a percentage fall from a peak is not defined")
    close = data.close(ticker, ref)
    spec = c.window or WindowSpec("peak", "from its 52-week high", rows=252)
    end, _ = _end_for(c, ref, close)
    if spec.unit in ("month", "year"):
        # The highest close of a named month or year (the latest one before the date).
        from .dates import period_bounds

        lo, hi = period_bounds(spec, end)
        if lo > end:
            raise _CannotCheck(f"{spec.text!r} is after {_d(end)}")
        part = close.loc[lo:min(hi, end)]
        if part.empty:
            raise _CannotCheck(f"{ticker} has no closes in {lo:%Y-%m} for {spec.text!r}")
        peak_date = part.idxmax()
        value = close.loc[end] / part.max() - 1.0
        span = f"its highest close of {lo:%B %Y}" if spec.unit == "month" else \
            f"its highest close of {lo:%Y}"
        if spec.part:
            span = f"its highest close of {spec.part} {lo:%B %Y} ({_d(lo)} to {_d(hi)})"
    elif spec.rows is None:
        value = drawdown(close).loc[end]
        peak_date = close.loc[:end].idxmax()
        span = f"its highest close in the data (since {_d(close.index[0])})"
    else:
        value = pct_from_high(close, spec.rows, min_periods=1).loc[end]
        window_rows = close.loc[:end].iloc[-spec.rows:]
        peak_date = window_rows.idxmax()
        span = f"its highest close of the last {spec.rows} sessions"
    computed = float(value)
    stated = float(c.stated)
    tol = _tol_change(stated)
    verdict, why = judge_number(computed, stated, tol, c.qualifier)
    state = c.details.get("state")
    what = f"in a {state}" if state else f"{_pct(stated)} from the high"
    reason = (f"{ticker} on {_d(end)} is {_pct(computed)} from {span} on {_d(peak_date)}; "
              f"stated {what}: {why}.")
    window = {"label": spec.label(), "text": spec.text, "start": _d(peak_date), "end": _d(end),
              "rows": spec.rows, "date_source": src}
    out = _Outcome(verdict, f"{reason} {_notes(c.instruments, c.kind)}".strip(), computed,
                   tol.to_dict(), window)
    return _loose(out, c.instruments)


def _level_series(c: Claim, data: _Data, ref: pd.Timestamp
                  ) -> tuple[pd.Series, str, Alias, Any]:
    """The series a level is read from, how it was obtained, the alias, and the anchor
    when the level is an ETF scaled to an official close (then only "roughly")."""
    alias = c.instruments[0]
    for t in alias.index_series:
        if data.market is not None and t in data.known():
            return data.close(t, ref), f"{t} (the index itself)", alias, None
    ticker = data.require(alias, c.names[0])
    if alias.level is None:
        raise _CannotCheck(
            f"no honest conversion from {ticker}'s price to the level of "
            f"{alias.represents or c.names[0]}"
            + (f": {alias.level_note.rstrip('.')}" if alias.level_note else "")
            + (f"; add an index series ({', '.join(alias.index_series)}) to check it"
               if alias.index_series else "") + ".")
    field, scale = alias.level
    close = data.close(ticker, ref)
    if field == "close":
        return close * scale, f"{ticker}" + (f" x {scale:g}" if scale != 1 else ""), alias, None
    anchor = alias.anchor
    what = alias.represents or ticker
    if anchor is None:
        raise _CannotCheck(
            f"the store has no series of {what} in its own units"
            + (f" ({', '.join(alias.index_series)})" if alias.index_series else "")
            + f" and no anchor to scale {ticker} to it")
    day = pd.Timestamp(anchor.date)
    base = data.series(ticker, day)
    if base.empty or base.index[-1] != day:
        raise _CannotCheck(f"{ticker} has no close on the anchor date {anchor.date}, so it "
                           f"cannot be scaled to {what}")
    factor = anchor.level / float(base.iloc[-1])
    how = (f"{ticker} x {factor:.4f} (scaled so that {ticker}'s close on {anchor.date} equals "
           f"the {anchor.source}, {anchor.level:,.2f}; no series of {what} in the store)")
    return close * factor, how, alias, anchor


def anchor_tolerance(anchor: Any, end: pd.Timestamp) -> float:
    """Relative tolerance of a level read from an ETF scaled to an anchor: the anchor's
    ``tolerance`` plus ``drift`` per year between the date and the anchor date."""
    years = abs((pd.Timestamp(end) - pd.Timestamp(anchor.date)).days) / 365.25
    return float(anchor.tolerance + anchor.drift * years)


def _check_level(c: Claim, data: _Data, ref: pd.Timestamp, src: str) -> _Outcome:
    if not c.instruments:
        raise _CannotCheck("no instrument named in the sentence")
    alias = c.instruments[0]
    pct_stated = bool(c.details.get("percent"))
    if pct_stated and not alias.is_yield:
        raise _CannotCheck(f"a level in percent for {alias.ticker or c.names[0]}, which is not a "
                           "yield")
    if alias.is_yield and not pct_stated and c.kind == "level":
        v = float(c.stated) if not isinstance(c.stated, dict) else None
        if v is not None and v > 25:
            raise _CannotCheck(f"{v:g} is not a plausible level for a yield in percent")
    series, how, alias, anchor = _level_series(c, data, ref)
    end, _ = _end_for(c, ref, series)
    if anchor is not None:
        return _check_level_anchored(c, series, how, end, anchor, src)
    value = float(series.loc[end])
    window = {"label": None, "text": c.window.text if c.window else None, "start": None,
              "end": _d(end), "rows": None, "date_source": src}
    approx = ""
    if alias.level and alias.level[1] != 1 and alias.level_note:
        approx = f" {alias.level_note}"
    if c.kind == "range":
        lo, hi = c.stated["low"], c.stated["high"]
        margin = 0.05 if alias.is_yield else 0.01
        tol = ({"holds": "inside the range", "roughly": 0.05, "unit": "percentage points"}
               if alias.is_yield else
               {"holds": "inside the range", "roughly": 0.01, "unit": "fraction of the bound"})
        inside = lo <= value <= hi
        if alias.is_yield:
            near = lo - margin <= value <= hi + margin
        else:
            near = lo * (1 - margin) <= value <= hi * (1 + margin)
        verdict = "holds" if inside else ("roughly" if near else "does not hold")
        reason = (f"{how} on {_d(end)} is {value:,.4g}, "
                  f"{'inside' if inside else 'outside'} {lo:,g}-{hi:,g}.{approx}")
        return _Outcome(verdict, reason.strip(), value, tol, window)
    stated = float(c.stated)
    rel = c.details.get("relation", "at")
    if alias.is_yield:
        h, r = (0.05, 0.15)
        diff = value - stated
        unit = "percentage points"
        off = f"{diff:+.2f} points"
    else:
        h, r = (0.015, 0.04) if rel == "testing" else (0.01, 0.03)
        diff = value / stated - 1.0
        unit = "fraction of the stated level"
        off = f"{diff * 100:+.2f}%"
    if rel in ("above", "below"):
        ok = value > stated if rel == "above" else value < stated
        near = abs(diff) <= (0.05 if alias.is_yield else 0.01)
        verdict = "holds" if ok else ("roughly" if near else "does not hold")
        tol = {"holds": f"{rel} the level", "roughly": 0.05 if alias.is_yield else 0.01,
               "unit": unit}
    else:
        verdict = "holds" if abs(diff) <= h else ("roughly" if abs(diff) <= r else
                                                   "does not hold")
        tol = {"holds": h, "roughly": r, "unit": unit}
    reason = (f"{how} on {_d(end)} is {value:,.4g}; stated {rel} {stated:,g} ({off}).{approx}")
    return _Outcome(verdict, reason.strip(), value, tol, window)


def _check_level_anchored(c: Claim, series: pd.Series, how: str, end: pd.Timestamp,
                          anchor: Any, src: str) -> _Outcome:
    """A level checked on an ETF scaled to an official close: "roughly" when within the
    anchor tolerance (the scale is approximate), "does not hold" when clearly off."""
    value = float(series.loc[end])
    tol = anchor_tolerance(anchor, end)
    window = {"label": None, "text": c.window.text if c.window else None, "start": None,
              "end": _d(end), "rows": None, "date_source": src}
    tolerance = {"holds": None, "roughly": round(tol, 6), "unit": "fraction of the level",
                 "note": "scaled proxy: at best roughly"}
    if c.kind == "range":
        lo, hi = c.stated["low"], c.stated["high"]
        ok = lo * (1 - tol) <= value <= hi * (1 + tol)
        verdict = "roughly" if ok else "does not hold"
        reason = (f"{how} on {_d(end)} is about {value:,.0f}, {'within' if ok else 'outside'} "
                  f"{lo:,g}-{hi:,g} allowing {tol * 100:.1f}% for the scale.")
        return _Outcome(verdict, reason, value, tolerance, window)
    stated = float(c.stated)
    rel = c.details.get("relation", "at")
    diff = value / stated - 1.0
    if rel == "above":
        verdict = "roughly" if diff > -tol else "does not hold"
    elif rel == "below":
        verdict = "roughly" if diff < tol else "does not hold"
    else:
        verdict = "roughly" if abs(diff) <= tol else "does not hold"
    reason = (f"{how} on {_d(end)} is about {value:,.0f}; stated {rel} {stated:,g} "
              f"({diff * 100:+.2f}%, allowing {tol * 100:.1f}% for the scale).")
    return _Outcome(verdict, reason, value, tolerance, window)


def _check_rsi(c: Claim, data: _Data, ref: pd.Timestamp, src: str) -> _Outcome:
    from ...signals.momentum import rsi
    from ...signals.pivots import swing_points

    if not c.instruments:
        raise _CannotCheck("no instrument named in the sentence")
    ticker = data.require(c.instruments[0], c.names[0])
    close = data.close(ticker, ref)
    end, _ = _end_for(c, ref, close)
    n = int(c.details.get("window", 14))
    series = rsi(close, n).loc[:end].dropna()
    if series.empty or series.index[-1] != end:
        raise _CannotCheck(f"{ticker} has too few rows for a {n}-day RSI on {_d(end)}")
    value = float(series.iloc[-1])
    window = {"label": f"RSI({n})", "text": c.window.text if c.window else None, "start": None,
              "end": _d(end), "rows": n, "date_source": src}
    if "pattern" in c.details:
        sp = swing_points(series, 5, 5)
        hi, phi = sp.high_price.iloc[-1], sp.prev_high_price.iloc[-1]
        lo, plo = sp.low_price.iloc[-1], sp.prev_low_price.iloc[-1]
        dates = {k: _d(getattr(sp, k).iloc[-1]) for k in ("high_date", "prev_high_date",
                                                          "low_date", "prev_low_date")}
        if any(pd.isna(x) for x in (hi, phi, lo, plo)):
            raise _CannotCheck(f"{ticker}'s RSI has fewer than two confirmed swing highs and lows")
        pat = c.details["pattern"]
        lower_highs, lower_lows = hi < phi, lo < plo
        higher_highs, higher_lows = hi > phi, lo > plo
        need = []
        if "lower highs" in pat:
            need.append(lower_highs)
        if "lower lows" in pat:
            need.append(lower_lows)
        if "higher highs" in pat:
            need.append(higher_highs)
        if "higher lows" in pat:
            need.append(higher_lows)
        verdict = "holds" if all(need) else ("roughly" if any(need) else "does not hold")
        computed = {"rsi": value, "swing_highs": [float(phi), float(hi)],
                    "swing_lows": [float(plo), float(lo)], **dates}
        reason = (f"{ticker}'s {n}-day RSI swing highs {phi:.1f} ({dates['prev_high_date']}) -> "
                  f"{hi:.1f} ({dates['high_date']}), swing lows {plo:.1f} "
                  f"({dates['prev_low_date']}) -> {lo:.1f} ({dates['low_date']}); stated {pat} "
                  "(last two swing points confirmed 5 sessions each side).")
        return _Outcome(verdict, reason, computed,
                        {"holds": "every stated comparison", "roughly": "some of them"}, window)
    level = float(c.stated)
    rel = c.details["relation"]
    if rel == "above":
        verdict = "holds" if value > level else ("roughly" if value > level - 2 else
                                                 "does not hold")
    elif rel == "below":
        verdict = "holds" if value < level else ("roughly" if value < level + 2 else
                                                 "does not hold")
    else:
        verdict = ("holds" if abs(value - level) <= 2 else "roughly" if abs(value - level) <= 5
                   else "does not hold")
    state = c.details.get("state")
    stated_txt = f"{state} (RSI {rel} {level:g})" if state else f"RSI {rel} {level:g}"
    reason = f"{ticker}'s {n}-day RSI on {_d(end)} is {value:.1f}; stated {stated_txt}."
    tol: dict[str, Any] = {"holds": f"{rel} {level:g}" if rel != "near" else 2.0,
                           "roughly": 2.0 if rel != "near" else 5.0, "unit": "RSI points"}
    return _Outcome(verdict, reason, value, tol, window)


def _check_breadth_moves(c: Claim, data: _Data, ref: pd.Timestamp, src: str) -> _Outcome:
    """Share of the universe's members (on the period's last date) whose close rose (or
    fell) over the stated period, among members with a close at both ends."""
    market = data.market
    uni = c.details.get("universe", "sp500")
    if market is None or not market.has_universe(uni):
        raise _CannotCheck(f"no {uni!r} universe in the store; add it with `rotascope universe "
                           f"add {uni} ...` to check breadth")
    if "SPY" not in data.known():
        raise _CannotCheck("SPY is needed for the trading calendar of the period")
    w = _resolve(_window_of(c), ref, data.close("SPY", ref))
    assert w.base is not None
    view = data.view(w.end)
    members = [t for t in view.members(uni, on=w.end) if t in data.known()]
    close = view.close(members, start=w.base, strict=False)
    if close.empty or w.base not in close.index or w.end not in close.index:
        raise _CannotCheck(f"no member closes on {_d(w.base)} and {_d(w.end)}")
    first, last = close.loc[w.base], close.loc[w.end]
    ok = first.notna() & last.notna()
    counted = int(ok.sum())
    if counted == 0:
        raise _CannotCheck(f"no member of {uni!r} has a close on both {_d(w.base)} and "
                           f"{_d(w.end)}")
    change = (last[ok] / first[ok] - 1.0)
    side = c.details["side"]
    share = float((change > 0).mean() if side == "up" else (change < 0).mean())
    stated = float(c.stated)
    tol = Tolerance(0.02, 0.05)
    verdict, why = judge_number(share, stated, tol, c.qualifier)
    reason = (f"{int(round(share * counted))} of {counted} {uni} members (on {_d(w.end)}, "
              f"with closes on both dates) {'rose' if side == 'up' else 'fell'} from "
              f"{_d(w.base)} to {_d(w.end)}: {share * 100:.1f}%; stated "
              f"{stated * 100:.0f}%{' (' + c.qualifier + ')' if c.qualifier else ''}: {why}.")
    return _Outcome(verdict, reason, share, tol.to_dict(), w.to_dict(src))


#: "Participation is broad / narrow" (docs/text.md): the share of members above their
#: 50-day average is over 60% (broad) or under 40% (narrow); "roughly" within 5 pp of
#: the threshold on the wrong side.
PARTICIPATION_MA = 50
PARTICIPATION_BROAD, PARTICIPATION_NARROW, PARTICIPATION_ROUGHLY = 0.60, 0.40, 0.05
#: A new 52-week high / low: above / below every close of the preceding 252 rows.
HIGH_LOW_ROWS = 252


def _judge_participation(c: Claim, row: pd.Series, uni: str, end: pd.Timestamp,
                         src: str) -> _Outcome:
    counted = int(row[f"counted_{PARTICIPATION_MA}"])
    if counted == 0:
        raise _CannotCheck(f"no member has {PARTICIPATION_MA} closes up to {_d(end)}")
    share = float(row[f"pct_above_sma_{PARTICIPATION_MA}"])
    side = c.details["side"]
    if side == "broad":
        gap = share - PARTICIPATION_BROAD
        rule = f"broad = over {PARTICIPATION_BROAD:.0%} above their 50-day"
    else:
        gap = PARTICIPATION_NARROW - share
        rule = f"narrow = under {PARTICIPATION_NARROW:.0%} above their 50-day"
    verdict = "holds" if gap > 0 else "roughly" if gap > -PARTICIPATION_ROUGHLY \
        else "does not hold"
    reason = (f"{share * 100:.1f}% of {counted} {uni} members closed above their 50-day "
              f"average on {_d(end)} ({rule}): participation is "
              f"{'broad' if share > PARTICIPATION_BROAD else 'narrow' if share < PARTICIPATION_NARROW else 'neither broad nor narrow'}."  # noqa: E501
              " Breadth as in rotascope.analysis.breadth.")
    tol = {"holds": 0.0, "roughly": PARTICIPATION_ROUGHLY, "unit": "fraction"}
    window = {"label": "50-day", "text": c.window.text if c.window else None, "start": None,
              "end": _d(end), "rows": PARTICIPATION_MA, "date_source": src}
    return _Outcome(verdict, reason, share, tol, window)


def _judge_highs_lows(c: Claim, row: pd.Series, uni: str, end: pd.Timestamp,
                      src: str) -> _Outcome:
    highs, lows = int(row["new_highs"]), int(row["new_lows"])
    counted = int(row["counted_high_low"])
    if counted == 0:
        raise _CannotCheck(f"no member has {HIGH_LOW_ROWS + 1} closes up to {_d(end)}")
    more = c.details["more"]
    a, b = (highs, lows) if more == "highs" else (lows, highs)
    verdict = "holds" if a > b else "does not hold"
    reason = (f"On {_d(end)}, {highs} of {counted} {uni} members closed at a new 52-week high "
              f"and {lows} at a new 52-week low (beyond every close of the preceding "
              f"{HIGH_LOW_ROWS} rows): new {more} "
              f"{'outnumber' if a > b else 'do not outnumber'} new "
              f"{'lows' if more == 'highs' else 'highs'}. Breadth as in "
              "rotascope.analysis.breadth.")
    tol = {"holds": 0, "roughly": 0, "unit": "count"}
    window = {"label": "52-week", "text": c.window.text if c.window else None, "start": None,
              "end": _d(end), "rows": HIGH_LOW_ROWS, "date_source": src}
    return _Outcome(verdict, reason, {"new_highs": highs, "new_lows": lows}, tol, window)


def _check_breadth(c: Claim, data: _Data, ref: pd.Timestamp, src: str) -> _Outcome:
    from ...analysis.breadth import breadth_history

    measure = c.details.get("measure")
    if measure == "moves":
        return _check_breadth_moves(c, data, ref, src)

    market = data.market
    uni = c.details.get("universe", "sp500")
    if market is None or not market.has_universe(uni):
        raise _CannotCheck(f"no {uni!r} universe in the store; add it with `rotascope universe "
                           f"add {uni} ...` to check breadth")
    day = ref
    if c.window is not None and c.window.type == "day":
        spy = data.series("SPY", ref)
        if not spy.empty:
            day, _ = _end_for(c, ref, spy)
    view = data.view(day)
    tickers = sorted(t for t in view.ever_members(uni) if t in data.known())
    if not tickers:
        raise _CannotCheck(f"no member of {uni!r} on {_d(day)} has prices in the store")
    n = int(c.details.get("ma", PARTICIPATION_MA))
    if measure == "highs_lows":
        n = HIGH_LOW_ROWS
    # Enough history for the average: n own closes, with room for holidays and gaps.
    start = day - pd.Timedelta(days=int(n * 1.6) + 60)
    close = view.close(tickers, start=start, strict=False)
    if len(close) == 0:
        raise _CannotCheck(f"no prices on or before {_d(day)}")
    end = close.index[-1]
    if (day - end).days > MAX_STALE_DAYS:
        raise _CannotCheck(f"no prices within {MAX_STALE_DAYS} days of {_d(day)}")
    mask = view.membership(uni, close.index, tickers)
    if measure == "highs_lows":
        row = breadth_history(close, members=mask, windows=(50,),
                              high_low_window=HIGH_LOW_ROWS).iloc[-1]
        return _judge_highs_lows(c, row, uni, end, src)
    row = breadth_history(close, members=mask, windows=(n,)).iloc[-1]
    if measure == "participation":
        return _judge_participation(c, row, uni, end, src)
    counted = int(row[f"counted_{n}"])
    if counted == 0:
        raise _CannotCheck(f"no member has {n} closes up to {_d(end)}")
    share_above = float(row[f"pct_above_sma_{n}"])
    side = c.details["side"]
    computed_share = share_above if side == "above" else 1.0 - share_above
    stated = float(c.stated)
    tol = Tolerance(0.02, 0.05)
    verdict, why = judge_number(computed_share, stated, tol, c.qualifier)
    n_members, with_close = int(row["members"]), int(row["with_close"])
    left_out = n_members - counted
    reason = (f"{counted} of {n_members} {uni} members on {_d(end)} had a close and a {n}-day "
              f"average; {computed_share * 100:.1f}% closed {side} it; stated "
              f"{stated * 100:.1f}%: {why}."
              + (f" {left_out} members were left out ({n_members - with_close} without a close "
                 f"on the date, {with_close - counted} with too short a history)."
                 if left_out else "")
              + " Breadth as in rotascope.analysis.breadth; members are today's list with "
                "point-in-time changes, and stocks that left the index without a price file "
                "are missing (survivorship).")
    window = {"label": f"{n}-day", "text": c.window.text if c.window else None, "start": None,
              "end": _d(end), "rows": n, "date_source": src}
    return _Outcome(verdict, reason, computed_share, tol.to_dict(), window)


#: The universes a rank is read in: the eleven Select Sector SPDRs and the Mag-7.
RANK_UNIVERSES: dict[str, tuple[str, ...]] = {
    "sectors": ("XLK", "XLF", "XLE", "XLV", "XLY", "XLP", "XLI", "XLB", "XLU", "XLRE", "XLC"),
    "mag7": ("AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA"),
}


def _check_rank(c: Claim, data: _Data, ref: pd.Timestamp, src: str) -> _Outcome:
    """Rank of the subject's return among its universe over the stated period: "best"
    holds at rank 1 ("one of the best": top 3), roughly one place further; "only ... up"
    holds when the subject is the one member with a positive return."""
    alias = c.instruments[0]
    ticker = data.require(alias, c.names[0])
    uni = c.stated.get("universe")
    if uni is None:
        uni = next((k for k, v in RANK_UNIVERSES.items() if ticker in v), None)
    if uni is None or ticker not in RANK_UNIVERSES[uni]:
        raise _CannotCheck(f"a rank needs a universe {ticker} belongs to (sectors: "
                           f"{', '.join(RANK_UNIVERSES['sectors'])}; Mag-7)")
    close = data.close(ticker, ref)
    w = _resolve(_window_of(c), ref, close)
    assert w.base is not None
    rets: dict[str, float] = {}
    for t in RANK_UNIVERSES[uni]:
        if not data.known() or t not in data.known():
            continue
        s = data.series(t, w.end)
        if s.empty or s.index[0] > w.base or (w.end - s.index[-1]).days > MAX_STALE_DAYS:
            continue
        rets[t] = float(s.iloc[-1] / s.loc[:w.base].iloc[-1] - 1.0)
    if len(rets) < 3:
        raise _CannotCheck(f"fewer than 3 members of {uni} have prices over {w.spec.text!r}")
    order = sorted(rets, key=lambda t: -rets[t])
    pos = c.stated["position"]
    top = int(c.stated.get("top", 1))
    ranks = order if pos in ("best", "only_up") else order[::-1]
    rank = ranks.index(ticker) + 1
    if pos in ("only_up", "only_down"):
        sign = 1 if pos == "only_up" else -1
        same = [t for t in order if rets[t] * sign > 0]
        verdict = "holds" if same == [ticker] else "does not hold"
        what = "up" if sign > 0 else "down"
        reason = (f"{len(same)} of {len(rets)} {uni} members were {what} from {_d(w.base)} to "
                  f"{_d(w.end)} ({', '.join(same) or 'none'}); {ticker} "
                  f"{_pct(rets[ticker])}.")
    else:
        verdict = ("holds" if rank <= top else "roughly" if rank == top + 1
                   else "does not hold")
        word = "best" if pos == "best" else "worst"
        listing = ", ".join(f"{t} {_pct(rets[t])}" for t in order)
        reason = (f"{ticker} ranks {rank} of {len(rets)} {uni} ({word} first) from "
                  f"{_d(w.base)} to {_d(w.end)}; stated "
                  f"{'one of the ' + word if top > 1 else 'the ' + word}: {listing}.")
    window = w.to_dict(src)
    return _Outcome(verdict, reason, {"rank": rank, "of": len(rets), "returns": rets},
                    {"holds": f"rank <= {top}", "roughly": f"rank {top + 1}", "unit": "rank"},
                    window)


#: "X peaked first": each instrument's highest (lowest) close over the last
#: SEQUENCE_ROWS sessions up to the claim's date; a stated gap ("a month before") holds
#: within max(5 sessions, half of it), else the order alone makes it "roughly".
SEQUENCE_ROWS = 126


def _check_sequence(c: Claim, data: _Data, ref: pd.Timestamp, src: str) -> _Outcome:
    if not c.instruments:
        raise _CannotCheck("no instrument named in the sentence")
    if len(c.instruments) < 2:
        verb = "peaked" if c.details["side"] == "high" else "bottomed"
        raise _CannotCheck(f"'{c.names[0]}' {verb} first compared with what? No second "
                           "instrument is named")
    side = c.details["side"]
    when: list[pd.Timestamp] = []
    tickers = []
    for alias, name in zip(c.instruments[:2], c.names[:2], strict=False):
        ticker = data.require(alias, name)
        close = data.close(ticker, ref).dropna()
        if len(close) < 2:
            raise _CannotCheck(f"{ticker} has too little history")
        part = close.iloc[-SEQUENCE_ROWS:]
        when.append(part.idxmax() if side == "high" else part.idxmin())
        tickers.append(ticker)
        if tickers[0] == ticker and len(tickers) == 1:
            calendar = close.index
    a, b = when
    ok = a < b if c.details["first"] else a > b
    gap = c.details.get("gap_rows")
    rows_between = abs(int(calendar.searchsorted(b)) - int(calendar.searchsorted(a)))
    word = "highest" if side == "high" else "lowest"
    reason = (f"{tickers[0]}'s {word} close of the last {SEQUENCE_ROWS} sessions was on "
              f"{_d(a)}, {tickers[1]}'s on {_d(b)} ({rows_between} sessions apart)")
    if not ok:
        verdict = "does not hold"
        reason += f": {tickers[0]} did not {'peak' if side == 'high' else 'bottom'} " \
                  f"{'first' if c.details['first'] else 'later'}."
    elif gap and abs(rows_between - gap) > max(5, gap / 2):
        verdict = "roughly"
        reason += f": the order holds, the stated gap of {gap} sessions does not."
    else:
        verdict = "holds"
        reason += "."
    window = {"label": f"{SEQUENCE_ROWS}d", "text": None, "start": None,
              "end": _d(max(a, b)), "rows": SEQUENCE_ROWS, "date_source": src}
    tol = {"holds": max(5, gap / 2) if gap else 0, "roughly": None, "unit": "sessions"}
    return _Outcome(verdict, reason, {"first": _d(a), "second": _d(b),
                                      "sessions_apart": rows_between}, tol, window)


_CHECKERS = {
    "return": _check_return, "one_day": _check_return, "decline": _check_return,
    "outperformance": _check_outperformance, "ratio_extreme": _check_extreme,
    "extreme": _check_extreme, "moving_average": _check_ma, "drawdown": _check_drawdown,
    "level": _check_level, "range": _check_level, "rsi": _check_rsi, "breadth": _check_breadth,
    "rank": _check_rank, "sequence": _check_sequence,
}


def _claim_ref(c: Claim, ref: pd.Timestamp, src: str) -> tuple[pd.Timestamp, str]:
    anchor = c.details.get("anchor")
    if anchor:
        year, month, day = anchor
        spec = WindowSpec("day", "", year=year, month=month, day=day)
        d = named_date(spec, ref)
        return d, f"text: 'as of {d:%Y-%m-%d}'"
    return ref, src


def check_claims(claims: Sequence[Claim], market: Any, *, ref: pd.Timestamp,
                 date_source: str = "") -> list[ClaimResult]:
    """Check each claim as of its own date (``ref``, or the claim's "as of" anchor) on
    ``market``: an object with the MarketView interface (see
    :mod:`rotascope.text.marketdata`), a Store (wrapped), or None. Never raises for a
    claim: any problem becomes a "cannot check" verdict with the reason."""
    market = _as_market(market)
    data = _Data(market)
    out: list[ClaimResult] = []
    for c in claims:
        cref, src = _claim_ref(c, ref, date_source)
        win_src = src
        if c.window is not None:
            w = c.window
            win_src = f"{src}; period {w.text!r}" + (f" from {w.origin}" if w.origin != "text"
                                                       else "")
        try:
            if c.kind != "breadth" and not c.instruments:
                said = c.details.get("subject_text")
                raise _CannotCheck(
                    f"{said!r} names no instrument rotascope knows (add it to "
                    "$ROTASCOPE_HOME/aliases.yaml)" if said and said != "(none)" else
                    "no instrument named (or referred to) in the sentence")
            outcome = _CHECKERS[c.kind](c, data, cref, win_src)
        except _CannotCheck as exc:
            window = None
            if c.window is not None:
                window = {"label": c.window.label(), "text": c.window.text, "start": None,
                          "end": None, "rows": c.window.rows, "date_source": win_src}
            out.append(ClaimResult(c, "cannot check", str(exc), None, None, window,
                                   date_used=_d(cref)))
            continue
        except UnknownTickerError as exc:
            out.append(ClaimResult(c, "cannot check", str(exc), date_used=_d(cref)))
            continue
        used = (outcome.window or {}).get("end") or _d(cref)
        out.append(ClaimResult(c, outcome.verdict, outcome.reason, _clean(outcome.computed),
                               outcome.tolerance, outcome.window, date_used=used))
    return out


def _as_market(market: Any) -> Any:
    """A market view from a view, a Store (wrapped at its last date) or None."""
    if market is None or not hasattr(market, "close_matrix"):
        return market  # already a market view
    from ..marketdata import open_market

    return open_market(market)


def _clean(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (float, np.floating)):
        return float(x)
    return x


def check_document(doc: Document, store: Any, *, as_of: Any = None,
                   aliases: AliasTable | None = None) -> CheckReport:
    """Extract and check every claim of a document.

    Parameters
    ----------
    doc : the text (:func:`~rotascope.text.extract.read_document`).
    store : an open :class:`~rotascope.data.store.Store` (read-only is enough), or None
        (every claim is then "cannot check").
    as_of : the date to use when the text has no date of its own (see module docs);
        default the store's last date.
    aliases : alias table; default :func:`~rotascope.text.aliases.load_aliases` with the
        store's tickers and company names.

    Returns
    -------
    CheckReport

    Raises
    ------
    ParameterError
        No date at all (no document date, no ``as_of``, empty store).
    """
    market = _as_market(store)
    # A store or a market view: both give tickers and instrument (company) names.
    table = aliases if aliases is not None else load_aliases(
        store=store if hasattr(store, "close_matrix") or hasattr(store, "instruments")
        else None)
    ref, src = reference_date(doc, as_of, market)
    claims = extract_claims(doc, table)
    results = check_claims(claims, market, ref=ref, date_source=src)
    return CheckReport(ref, tuple(results), doc.source, src,
                       warnings=tuple(getattr(doc, "warnings", ()) or ()))


def check_text(text: str, store: Any, *, as_of: Any = None, format: str = "text",
               aliases: AliasTable | None = None) -> CheckReport:
    """:func:`check_document` of a string (plain text by default)."""
    return check_document(parse_document(text, format=format), store,  # type: ignore[arg-type]
                          as_of=as_of, aliases=aliases)
