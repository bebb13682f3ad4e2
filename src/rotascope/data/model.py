"""Plain data records passed between sources, quality checks and the store."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

__all__ = ["PRICE_FIELDS", "SeriesData", "QualityFlag", "Rejection", "TickerResult",
           "ImportResult", "FileReport", "normalize_ticker", "ticker_problem",
           "TICKER_MAX_LEN", "TICKER_PUNCTUATION", "show_text"]

#: Columns a price series may carry. ``close`` is required and is the *adjusted*
#: close when the source provides one (``unadjusted_close`` then keeps the raw one).
PRICE_FIELDS = ("close", "open", "high", "low", "volume", "unadjusted_close")


def normalize_ticker(symbol: str) -> str:
    """Canonical spelling: upper case, class shares with ``-`` (``BRK.B`` -> ``BRK-B``).

    Index and yield series keep their caret (``^TNX``).
    """
    return symbol.strip().upper().replace(".", "-").replace("/", "-")


#: Longest ticker accepted from a file (Yahoo's longest symbols are ~12 characters).
TICKER_MAX_LEN = 24
#: Punctuation a ticker may hold besides ASCII letters and digits: ``^`` first (``^TNX``),
#: ``-`` ``.`` ``/`` ``=`` between letters or digits (``BRK-B``, ``BF.B``, ``BRK/B``,
#: ``BTC-USD``, ``ES=F``, ``EURUSD=X``); ``.`` and ``/`` become ``-`` when normalised.
TICKER_PUNCTUATION = "^-./="
_TICKER_RE = re.compile(r"\^?[A-Za-z0-9]+(?:[-./=][A-Za-z0-9]+)*", re.ASCII)
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH = set("\u200b\u200c\u200d\u2060\ufeff\u180e")
_NAMED = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab", " ": "a space"}


def show_text(text: str) -> str:
    """``text`` quoted, with control, bidi, zero-width and non-ASCII characters escaped.

    Safe to print in a terminal: a bidi override or newline in a file name cannot
    reorder or split the message (``show_text("A\\u202eB")`` -> ``'A\\u202eB'``).
    """
    return ascii(text)


def _describe(ch: str) -> str:
    code = f"U+{ord(ch):04X}"
    if ch in _NAMED:
        return f"{_NAMED[ch]} ({code})"
    if ch in _BIDI:
        return f"a bidirectional-text control ({code})"
    if ch in _ZERO_WIDTH:
        return f"a zero-width character ({code})"
    if unicodedata.category(ch).startswith("C"):
        return f"a control character ({code})"
    if not ch.isascii():
        return f"a non-ASCII character ({code})"
    return f"{ch!r}"


def ticker_problem(symbol: str) -> str | None:
    """Why ``symbol`` (as read from a file name or a file) is not a ticker, or None.

    A ticker is 1 to :data:`TICKER_MAX_LEN` characters: ASCII letters (any case) and
    digits, an optional leading ``^``, and single ``-`` ``.`` ``/`` ``=`` between letters
    or digits (see :data:`TICKER_PUNCTUATION`). Surrounding spaces are ignored; empty
    names, newlines, tabs, control, bidi-override and zero-width characters, other
    non-ASCII characters and path pieces (``../../x``) are refused.

    Examples
    --------
    >>> [ticker_problem(t) for t in ("BRK-B", "^TNX", "BTC-USD", "ES=F", "aapl")]
    [None, None, None, None, None]
    >>> ticker_problem("../../x")
    "ticker '../../x' looks like a path; a ticker holds no '/..' pieces"
    """
    s = symbol.strip(" ")
    if not s:
        return "empty ticker"
    for ch in s:
        if not (ch.isascii() and (ch.isalnum() or ch in TICKER_PUNCTUATION)):
            return (f"ticker {show_text(symbol)} contains {_describe(ch)}; a ticker holds "
                    f"only A-Z, 0-9 and {' '.join(TICKER_PUNCTUATION)}")
    if len(s) > TICKER_MAX_LEN:
        return f"ticker {show_text(s)} is longer than {TICKER_MAX_LEN} characters"
    if ".." in s or s.startswith(("/", ".")) or "/." in s or "./" in s:
        return f"ticker {show_text(s)} looks like a path; a ticker holds no '/..' pieces"
    if not _TICKER_RE.fullmatch(s):
        return (f"ticker {show_text(s)} is malformed: '^' only first, and '-', '.', '/', "
                "'=' only between letters or digits")
    return None


@dataclass(frozen=True)
class SeriesData:
    """One ticker's rows from one source, in canonical form.

    ``frame`` has a ``DatetimeIndex`` named ``date`` (sorted, unique, tz-naive, midnight)
    and float64 columns from :data:`PRICE_FIELDS`, ``close`` always present.
    ``mode`` says what the rows mean for rows already stored for the ticker:
    ``"replace_range"`` (the source is authoritative for its first..last dates; rows
    outside that range are kept) or ``"append"`` (only dates after the stored last date
    are added; overlapping dates are compared and differences reported).
    """

    ticker: str
    frame: pd.DataFrame
    source: str
    location: str
    checksum: str
    adjusted: bool | None = None
    kind: str | None = None
    name: str | None = None
    mode: Literal["replace_range", "append"] = "replace_range"


@dataclass(frozen=True)
class QualityFlag:
    """A problem found in a series that was imported anyway ("import and flag")."""

    ticker: str
    check: str          # e.g. "jump_gt50pct", "stale_run_ge5"
    count: int          # number of hits (rows, runs or days)
    detail: str         # human summary, e.g. "2008-09-15:-60.8% 2009-03-16:+66.0%"
    first_date: pd.Timestamp | None = None
    last_date: pd.Timestamp | None = None
    dates: tuple[pd.Timestamp, ...] = ()

    def to_dict(self) -> dict:
        return {
            "ticker": self.ticker, "check": self.check, "count": self.count,
            "detail": self.detail,
            "first_date": None if self.first_date is None else self.first_date.date().isoformat(),
            "last_date": None if self.last_date is None else self.last_date.date().isoformat(),
            "dates": [d.date().isoformat() for d in self.dates],
        }


@dataclass(frozen=True)
class Rejection:
    """A file (or one ticker of it) that was not imported, with where and why."""

    location: str
    reason: str
    line: int | None = None
    ticker: str | None = None
    check: str | None = None

    def __str__(self) -> str:
        where = f"{self.location}:{self.line}" if self.line is not None else self.location
        return f"{where}: {self.reason}"

    def to_dict(self) -> dict:
        return {"location": self.location, "line": self.line, "ticker": self.ticker,
                "check": self.check, "reason": self.reason}


@dataclass(frozen=True)
class TickerResult:
    """What one import run did to one ticker."""

    ticker: str
    status: Literal["new", "updated", "unchanged"]
    rows_in_source: int
    rows_added: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class FileReport:
    """What an import did with one file: ``loaded`` (with its tickers) or ``rejected``.

    ``status`` is ``"loaded"`` when every series of the file reached the store (new,
    updated or unchanged), ``"rejected"`` when nothing of it did, ``"partial"`` when
    some of its tickers were rejected (Stooq bulk, yfinance files).
    """

    location: str
    status: Literal["loaded", "rejected", "partial"]
    tickers: tuple[str, ...] = ()
    rows: int = 0
    line: int | None = None
    check: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict:
        return {"location": self.location, "status": self.status,
                "tickers": list(self.tickers), "rows": self.rows, "line": self.line,
                "check": self.check, "reason": self.reason}


@dataclass
class ImportResult:
    """Summary of an import run; ``rejected`` lists what was not loaded and why.

    ``files`` has one :class:`FileReport` per file read (in the order read).
    """

    run_id: str
    results: list[TickerResult] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    flags: list[QualityFlag] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)

    @property
    def rows_written(self) -> int:
        return sum(r.rows_added + r.rows_changed for r in self.results)

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "tickers": [r.to_dict() for r in self.results],
            "rows_written": self.rows_written,
            "rejected": [r.to_dict() for r in self.rejected],
            "flags": [f.to_dict() for f in self.flags],
            "files": [f.to_dict() for f in self.files],
        }
