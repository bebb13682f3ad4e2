"""What the regime and breadth functions need, taken from a market view as of its date
(shared by the CLI, the report and the condition language)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from ..market_view import MarketView

__all__ = ["RegimeInputs", "load_regime_inputs", "universe_breadth"]


@dataclass(frozen=True)
class RegimeInputs:
    close: pd.DataFrame
    breadth: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)


def universe_breadth(market: MarketView, universe: str = "sp500") -> pd.DataFrame | None:
    """Breadth history of ``universe`` with point-in-time membership up to the view's
    date, or None when the universe is not defined or has no prices."""
    from .breadth import breadth_history

    if not market.has_universe(universe):
        return None
    tickers = sorted(market.present(market.ever_members(universe)))
    if not tickers:
        return None
    close = market.close(tickers)
    mask = market.membership(universe, close.index, tickers)
    return breadth_history(close, members=mask)


def load_regime_inputs(market: MarketView, rules: Any, *,
                       universe: str = "sp500") -> RegimeInputs:
    """Closes of the rules' tickers and breadth of ``universe``, up to the view's date."""
    notes: list[str] = []
    wanted = rules.tickers
    present = market.present(wanted)
    missing = [t for t in wanted if t not in set(present)]
    if missing:
        notes.append("no prices for " + ", ".join(missing) + "; their signals do not vote")
    close = market.close(present)
    breadth = None
    if rules.needs_breadth:
        breadth = universe_breadth(market, universe)
        if breadth is None:
            notes.append(f"universe {universe!r} is not in the store; breadth signals do not "
                         "vote")
    return RegimeInputs(close=close, breadth=breadth, notes=notes)
