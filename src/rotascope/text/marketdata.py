"""The market data the claim checker reads: a :class:`rotascope.market_view.MarketView`.

The checker (:mod:`rotascope.text.claims.verify`) never opens a store itself: it takes
an object with the MarketView interface and uses only ``as_of``, ``tickers``, ``has``,
``close``, ``series``, ``has_universe``, ``ever_members``, ``membership``, ``last_date``
and ``at`` (each claim is checked on ``market.at(<the claim's own date>)``, so nothing
after that date is read). :func:`open_market` builds the view at the edge (the CLI,
:func:`~rotascope.text.claims.verify.check_document`); :func:`market_from_frame` builds
one over a plain closes frame (tests, synthetic data).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["open_market", "market_from_frame"]


def open_market(store: Any, as_of: Any = None) -> Any:
    """A market view of an open store as of ``as_of`` (default: the store's last date),
    or None when there is no store (every claim is then "cannot check")."""
    if store is None:
        return None
    from ..market_view import MarketView

    if as_of is None:
        last = store.last_date()
        if last is None:
            return None
        as_of = last
    return MarketView.open(store, as_of=as_of)


def market_from_frame(close: pd.DataFrame, *, universes: Mapping[str, Any] | None = None,
                      as_of: Any = None) -> Any:
    """A market view over a closes frame (dates x tickers); ``universes`` maps a name to
    its tickers or to a boolean membership mask."""
    from ..market_view import MarketView

    return MarketView.from_frame(close, universes=universes,
                                 as_of=as_of if as_of is not None else close.index[-1])
