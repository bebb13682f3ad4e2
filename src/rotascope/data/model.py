"""Plain data records passed between sources, quality checks and the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

__all__ = ["PRICE_FIELDS", "SeriesData", "QualityFlag", "Rejection", "TickerResult",
           "ImportResult", "normalize_ticker"]

#: Columns a price series may carry. ``close`` is required and is the *adjusted*
#: close when the source provides one (``unadjusted_close`` then keeps the raw one).
PRICE_FIELDS = ("close", "open", "high", "low", "volume", "unadjusted_close")


def normalize_ticker(symbol: str) -> str:
    """Canonical spelling: upper case, class shares with ``-`` (``BRK.B`` -> ``BRK-B``).

    Index and yield series keep their caret (``^TNX``).
    """
    return symbol.strip().upper().replace(".", "-").replace("/", "-")


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


@dataclass
class ImportResult:
    """Summary of an import run; ``rejected`` lists what was not loaded and why."""

    run_id: str
    results: list[TickerResult] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    flags: list[QualityFlag] = field(default_factory=list)

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
        }
