"""The snapshot: performance of the core universes and the key ratios, as of a date.

Tickers missing from the store are listed, not fatal: the snapshot shows what it can.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._validation import unique_list
from ..errors import NoDataError
from .perf import PerfTable, perf
from .ratio import RatioStatus, ratio_table

if TYPE_CHECKING:
    from ..market_view import MarketView

__all__ = ["Snapshot", "build_snapshot"]


@dataclass(frozen=True)
class Snapshot:
    as_of: pd.Timestamp
    sections: dict[str, PerfTable]
    ratios: list[RatioStatus]
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "sections": [{"universe": name, **{k: v for k, v in t.to_dict().items()
                                                if k in ("rows",)}}
                         for name, t in self.sections.items()],
            "ratios": [{"pair": r.pair, **r.to_dict()} for r in self.ratios],
            "missing": self.missing,
            "warnings": self.warnings,
        }


def build_snapshot(market: MarketView, *, universes: Sequence[str],
                   pairs: Sequence[tuple[str, str]], windows: Sequence[str],
                   progress: Callable[[int], None] | None = None) -> Snapshot:
    """Compute the snapshot on the market view's date (reads nothing later)."""
    tick = progress or (lambda n: None)
    members = {name: market.members(name) for name in universes}
    wanted = unique_list([t for ts in members.values() for t in ts]
                         + [t for p in pairs for t in p])
    have = set(market.tickers)
    missing = [t for t in wanted if t not in have]
    present = [t for t in wanted if t in have]
    if not present:
        raise NoDataError("none of the snapshot's tickers are in the store: "
                          + ", ".join(wanted))
    close = market.close(present)
    day = market.as_of
    tick(1)
    sections: dict[str, PerfTable] = {}
    warnings: list[str] = []
    for name, tickers in members.items():
        cols = [t for t in tickers if t in have]
        if cols:
            table = perf(close[cols], windows, as_of=day)
            sections[name] = table
            warnings.extend(w for w in table.warnings if w not in warnings)
        tick(1)
    usable = [p for p in pairs if p[0] in have and p[1] in have]
    ratios = ratio_table(close, usable, as_of=day, strict=False) if usable else []
    tick(1)
    return Snapshot(as_of=day, sections=sections, ratios=ratios, missing=missing,
                    warnings=warnings)
