"""Load what an analysis needs from the store, as of a date (the glue between the store
and the pure analysis functions, shared by the CLI, the report and alerts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["RegimeInputs", "load_regime_inputs", "universe_breadth"]


@dataclass(frozen=True)
class RegimeInputs:
    close: pd.DataFrame
    breadth: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)


def universe_breadth(store: Any, universe: str = "sp500", *, end: Any = None,
                     settings: Any = None) -> pd.DataFrame | None:
    """Breadth history of ``universe`` with point-in-time membership, or None when the
    universe is not defined or has no prices."""
    from ..data.universes import membership_mask, resolve_universe
    from ..errors import UnknownUniverseError
    from .breadth import breadth_history

    try:
        resolve_universe(universe, store, settings)
    except UnknownUniverseError:
        return None
    members = store.universe_members(universe) if store.universe_info(universe) else None
    if members is not None:
        tickers = sorted(set(members["ticker"]))
    else:
        tickers = list(resolve_universe(universe, store, settings).tickers)
    have = set(store.tickers())
    tickers = [t for t in tickers if t in have]
    if not tickers:
        return None
    close = store.close_matrix(tickers, end=end)
    mask = membership_mask(store, universe, close.index, tickers, settings=settings)
    return breadth_history(close, members=mask)


def load_regime_inputs(store: Any, rules: Any, *, end: Any = None, universe: str = "sp500",
                       settings: Any = None) -> RegimeInputs:
    """Closes of the rules' tickers and breadth of ``universe``, up to ``end``."""
    notes: list[str] = []
    have = set(store.tickers())
    wanted = rules.tickers
    missing = [t for t in wanted if t not in have]
    if missing:
        notes.append("no prices for " + ", ".join(missing) + "; their signals do not vote")
    close = store.close_matrix([t for t in wanted if t in have], end=end)
    breadth = None
    if rules.needs_breadth:
        breadth = universe_breadth(store, universe, end=end, settings=settings)
        if breadth is None:
            notes.append(f"universe {universe!r} is not in the store; breadth signals do not "
                         "vote (add it: rotascope universe add sp500 FILE --changes FILE)")
    return RegimeInputs(close=close, breadth=breadth, notes=notes)
