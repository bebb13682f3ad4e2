"""Claims found in a text, and the result of checking them.

A :class:`Claim` is what the extractor read (the quote, kind, instruments, window and
stated value); a :class:`ClaimResult` adds what the store says (computed value,
tolerance, verdict, reason). :class:`CheckReport` is the whole answer of
``rotascope check`` and serialises to exactly::

    {"as_of": "YYYY-MM-DD",
     "claims": [{"quote", "kind", "instruments", "window", "stated", "computed",
                 "tolerance", "verdict", "reason"}]}

Values are fractions, not percent (``0.1`` for "10%", ``0.05`` for "5 percentage
points"), following the project's JSON convention; yields are in percent points as
the store holds them, and yield changes in basis points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from ..aliases import Alias

__all__ = ["Claim", "ClaimResult", "CheckReport", "WindowSpec", "Verdict", "VERDICTS",
           "KINDS", "Qualifier"]

Verdict = Literal["holds", "roughly", "does not hold", "cannot check"]
VERDICTS: tuple[str, ...] = ("holds", "roughly", "does not hold", "cannot check")

#: Claim kinds, in the order the extractor tries them.
KINDS: tuple[str, ...] = (
    "breadth",          # "62% of S&P 500 stocks are above their 50-day"
    "rsi",              # "RSI above 50", "oversold", "lower highs and lower lows"
    "moving_average",   # "slipped below its 20, 50 and 100-day averages", "a falling 200-day"
    "ratio_extreme",    # "a new 4-month low relative to the S&P 500", "weakest since April"
    "extreme",          # "Nvidia hit a 3-month high" (one instrument)
    "outperformance",   # "outperformed the S&P 500 by 5 points this year", gaps
    "drawdown",         # "down 20% from its peak", "in a bear market"
    "decline",          # "shed 25% in two weeks" (worst fall inside the window)
    "range",            # "between 6,800 and 7,000"
    "level",            # "testing $60,000", "the 10-year yield rose to 4.6%"
    "one_day",          # "surged over 3% on Friday"
    "return",           # "up 10% year to date", "fell 5% last month"
    "rank",             # "the best-performing sector in the second half", "energy led"
    "sequence",         # "bitcoin peaked first", "Nvidia bottomed a month before Tesla"
)

#: How a figure is qualified in the text: "over 3%" -> "over", "nearly 3%" -> "nearly",
#: "about 3%" -> "about", "less than 3%" -> "under"; None for a plain figure.
Qualifier = Literal["over", "nearly", "about", "under"]


@dataclass(frozen=True)
class WindowSpec:
    """A period as the text states it, not yet resolved to dates.

    ``type`` is one of:

    ``rows``      the last ``rows`` trading rows ("over the past month" = 21,
                  "in two weeks" = 10); ``duration`` is True for "in N units" phrasing.
    ``ytd``       since the last close of the previous calendar year.
    ``calendar``  a calendar ``unit`` (week, month, quarter, year): the current one
                  (``offset=0``, "this week"), the previous (``-1``, "last month"), or a
                  named one (``month``/``quarter``/``year`` set: "in June", "in 2025").
    ``since``     from the close on ``date`` (or the last close before ``month``).
    ``day``       one trading day: ``weekday`` (0 = Monday), ``date``, or
                  ``relative`` ("today", "yesterday").
    ``peak``      from the highest close of the last ``rows`` rows (None: all history).
    ``span``      "from the mid-July peak to early September": from the highest (lowest)
                  close in the first window to the lowest (highest) close in the second,
                  or from the last close before the first to the last close in the second.
    ``same``      "that day", "in that stretch", "since then": the period of the claim
                  before it (replaced by that period in stage 2; "in the session" with
                  nothing before is the reference date's session).
    """

    type: Literal["rows", "ytd", "calendar", "since", "day", "peak", "same", "span"]
    text: str
    rows: int | None = None
    unit: str | None = None
    offset: int = 0
    year: int | None = None
    month: int | None = None
    quarter: int | None = None
    day: int | None = None
    weekday: int | None = None
    relative: str | None = None
    duration: bool = False
    origin: str = "text"
    #: A vague part of a month or year ("early", "mid", "late"; docs/text.md periods).
    part: str | None = None
    #: ``span`` windows: ((month, part), (month, part), start kind "peak"/"low"/"").
    span: tuple | None = None

    def label(self) -> str:
        """Compact label: ``"21d"``, ``"ytd"``, ``"last week"``, ``"2025-06"``, ``"1d"``."""
        if self.type == "rows":
            return f"{self.rows}d"
        if self.type == "ytd":
            return "ytd"
        if self.type == "day":
            return "1d"
        if self.type == "peak":
            if self.unit == "month" and self.month is not None:
                return ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                        "Nov", "Dec"][self.month - 1] + " high"
            if self.unit == "year" and self.year is not None:
                return f"{self.year} high"
            return "all history" if self.rows is None else f"{self.rows}d high"
        if self.type == "since":
            return "since"
        if self.month is not None and self.unit == "month":
            name = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                    "Nov", "Dec"][self.month - 1]
            return f"{self.year}-{self.month:02d}" if self.year is not None else name
        if self.unit == "half":
            return f"H{self.quarter or 1}" + (f" {self.year}" if self.year else
                                              " last year" if self.offset == -1 else "")
        if self.quarter is not None:
            return f"Q{self.quarter}" + (f" {self.year}" if self.year else "")
        if self.year is not None and self.unit == "year":
            return str(self.year)
        return {0: "this ", -1: "last "}.get(self.offset, "") + (self.unit or "")


@dataclass(frozen=True)
class Claim:
    """One quantitative statement read from a text.

    Attributes
    ----------
    quote : the sentence fragment, exactly as written.
    kind : one of :data:`KINDS`.
    instruments : alias entries, subject first (a pair for ratios and gaps).
    names : the names as written, parallel to ``instruments``.
    window : the stated period, or None.
    stated : the figure (fraction), or a dict for structured claims.
    qualifier : "over", "nearly", "about", "under" or None.
    sentence, line : where the quote is (sentence index; 1-based source line).
    rule : name of the extraction rule that matched (for transparency).
    details : kind-specific facts (e.g. ``{"side": "low", "rows": 84}``).
    end_date : an explicit "as of <date>" anchor for this claim, if any.
    """

    quote: str
    kind: str
    instruments: tuple[Alias, ...]
    names: tuple[str, ...]
    window: WindowSpec | None
    stated: Any
    qualifier: str | None = None
    sentence: int = 0
    line: int | None = None
    rule: str = ""
    details: dict = field(default_factory=dict)
    end_date: pd.Timestamp | None = None
    start: int = 0
    end: int = 0
    column: int | None = None
    span: tuple[int, int] | None = None

    @property
    def tickers(self) -> list[str]:
        """Tickers (or names as written when no ticker stands for them)."""
        return [a.ticker or n for a, n in zip(self.instruments, self.names, strict=True)]


@dataclass(frozen=True)
class ClaimResult:
    """A checked claim: the :class:`Claim` plus computed value, tolerance and verdict.

    ``window`` is the resolved window as a dict: ``label``, ``text`` (as written),
    ``start`` (the base close's date), ``end`` (the last close used), ``rows``, and
    ``date_source`` (which date the period was resolved against and why).
    """

    claim: Claim
    verdict: str
    reason: str
    computed: Any = None
    tolerance: Any = None
    window: dict | None = None
    date_used: str | None = None

    def to_dict(self) -> dict:
        c = self.claim
        return {
            "quote": c.quote,
            "kind": c.kind,
            "instruments": c.tickers,
            "window": self.window,
            "stated": c.stated,
            "computed": self.computed,
            "tolerance": self.tolerance,
            "verdict": self.verdict,
            "reason": self.reason,
            "line": c.line,
            "column": c.column,
            "span": list(c.span) if c.span is not None else None,
            "date_used": self.date_used,
        }


@dataclass(frozen=True)
class CheckReport:
    """The claims of one text, checked as of ``as_of``.

    ``as_of_source`` says where ``as_of`` came from ("document date ...", "--as-of",
    "the store's last date"); it is repeated in each claim's ``window.date_source``.
    """

    as_of: pd.Timestamp
    claims: tuple[ClaimResult, ...]
    source: str = "<string>"
    as_of_source: str = ""
    warnings: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """Number of claims per verdict (every verdict present, zeros included)."""
        out = dict.fromkeys(VERDICTS, 0)
        for r in self.claims:
            out[r.verdict] += 1
        return out

    def to_dict(self) -> dict:
        out: dict = {"as_of": self.as_of.strftime("%Y-%m-%d"),
                     "claims": [r.to_dict() for r in self.claims]}
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out
