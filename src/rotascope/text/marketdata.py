"""The market data the claim checker reads: a MarketView, or a small stand-in for one.

The checker (:mod:`rotascope.text.claims.verify`) never opens a store itself: it takes
an object with the :class:`rotascope.market.MarketView` interface and uses only
``as_of``, ``tickers``, ``has``, ``close``, ``series``, ``members``, ``ever_members``,
``membership``, ``has_universe``, ``last_date`` and ``at``. :func:`open_market` builds
one at the edge (the CLI, :func:`~rotascope.text.claims.verify.check_document`):
``rotascope.market.MarketView`` when it is available, else :class:`TextMarket`, the
stand-in below over a :class:`~rotascope.data.store.Store` or a plain closes frame with
the same method names and the same point-in-time rule (nothing after ``as_of``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UnknownTickerError, UnknownUniverseError

__all__ = ["TextMarket", "open_market", "market_from_frame"]


class TextMarket:
    """Closes and universes up to ``as_of`` from a Store or a frame (MarketView subset).

    Parameters
    ----------
    store : an open Store, or None.
    frame : closes (dates x tickers) when there is no store.
    universes : for a frame: name -> list of tickers or a boolean mask (dates x tickers).
    as_of : the view's date (default: the last date of the data).
    """

    def __init__(self, store: Any = None, *, frame: pd.DataFrame | None = None,
                 universes: Mapping[str, Any] | None = None, as_of: Any = None,
                 _cache: dict | None = None) -> None:
        self._store = store
        self._frame = frame.sort_index() if frame is not None else None
        self._universes = dict(universes or {})
        self._cache: dict = _cache if _cache is not None else {}
        if as_of is None:
            last = self._last_of_data()
            as_of = last if last is not None else pd.Timestamp("1970-01-01")
        self.as_of = pd.Timestamp(as_of).normalize()
        self.as_of_note: str | None = None

    def _last_of_data(self) -> pd.Timestamp | None:
        if self._frame is not None:
            return pd.Timestamp(self._frame.index[-1]) if len(self._frame) else None
        return self._store.last_date() if self._store is not None else None

    def at(self, as_of: Any) -> TextMarket:
        """The same data as of another date (caches shared)."""
        return TextMarket(self._store, frame=self._frame, universes=self._universes,
                          as_of=as_of, _cache=self._cache)

    @property
    def tickers(self) -> list[str]:
        if "tickers" not in self._cache:
            if self._frame is not None:
                self._cache["tickers"] = sorted(self._frame.columns[self._frame.notna().any()])
            else:
                self._cache["tickers"] = self._store.tickers() if self._store is not None else []
        return list(self._cache["tickers"])

    def has(self, ticker: str) -> bool:
        if "ticker_set" not in self._cache:
            self._cache["ticker_set"] = set(self.tickers)
        return ticker in self._cache["ticker_set"]

    def _full(self, ticker: str) -> pd.Series:
        key = ("series", ticker)
        if key not in self._cache:
            if self._frame is not None:
                s = self._frame[ticker] if ticker in self._frame.columns else pd.Series(
                    dtype=np.float64)
            else:
                frame = self._store.close_matrix([ticker], strict=False)
                s = frame[ticker] if ticker in frame.columns else pd.Series(dtype=np.float64)
            s = s[s.notna()].astype(np.float64)
            s.name = ticker
            self._cache[key] = s
        return self._cache[key]

    def series(self, ticker: str) -> pd.Series:
        """One ticker's closes on its own dates, up to ``as_of``."""
        return self._full(ticker).loc[:self.as_of]

    def close(self, tickers: Sequence[str] | None = None, *, start: Any = None,
              strict: bool = True) -> pd.DataFrame:
        cols = self.tickers if tickers is None else list(dict.fromkeys(tickers))
        missing = [t for t in cols if not self.has(t)]
        if strict and missing:
            raise UnknownTickerError(missing, "the store")
        if self._frame is not None:
            out = self._frame.reindex(columns=cols).loc[:self.as_of]
        elif self._store is not None:
            out = self._store.close_matrix(cols, start=start, end=self.as_of, strict=False)
            out = out.reindex(columns=cols)
        else:
            out = pd.DataFrame(columns=cols, dtype=np.float64)
        if start is not None:
            out = out.loc[pd.Timestamp(start):]
        return out[out.notna().any(axis=1)] if len(out) else out

    def last_date(self, tickers: Sequence[str] | None = None) -> pd.Timestamp | None:
        if tickers is None:
            last = self._last_of_data()
            return None if last is None else min(pd.Timestamp(last), self.as_of)
        frame = self.close(tickers, strict=False)
        return None if frame.empty else pd.Timestamp(frame.index[-1])

    # -- universes ----------------------------------------------------------------------

    def has_universe(self, name: str) -> bool:
        if name in self._universes:
            return True
        return self._store is not None and self._store.universe_info(name) is not None

    def _intervals(self, name: str) -> pd.DataFrame:
        key = ("universe", name)
        if key not in self._cache:
            if not self.has_universe(name):
                raise UnknownUniverseError(name)
            self._cache[key] = self._store.universe_members(name)
        return self._cache[key]

    def members(self, name: str, *, on: Any = None) -> list[str]:
        day = self.as_of if on is None else pd.Timestamp(on)
        if name in self._universes:
            spec = self._universes[name]
            if isinstance(spec, pd.DataFrame):
                rows = spec.loc[:day]
                return list(rows.columns[rows.iloc[-1].to_numpy(bool)]) if len(rows) else []
            return list(spec)
        iv = self._intervals(name)
        on_day = ((iv["start_date"].isna() | (iv["start_date"] <= day))
                  & (iv["end_date"].isna() | (iv["end_date"] > day)))
        return list(dict.fromkeys(iv.loc[on_day, "ticker"].tolist()))

    def ever_members(self, name: str) -> list[str]:
        if name in self._universes:
            spec = self._universes[name]
            if isinstance(spec, pd.DataFrame):
                upto = spec.loc[:self.as_of]
                return list(upto.columns[upto.any().to_numpy(bool)])
            return list(spec)
        iv = self._intervals(name)
        ok = iv["start_date"].isna() | (iv["start_date"] <= self.as_of)
        return list(dict.fromkeys(iv.loc[ok, "ticker"].tolist()))

    def membership(self, name: str, index: Any = None,
                   tickers: Sequence[str] | None = None) -> pd.DataFrame:
        cols = list(tickers) if tickers is not None else [
            t for t in self.ever_members(name) if self.has(t)]
        idx = self.close(cols, strict=False).index if index is None else pd.DatetimeIndex(index)
        spec = self._universes.get(name)
        if isinstance(spec, pd.DataFrame):
            return spec.reindex(index=idx, columns=cols).fillna(False).astype(bool)
        if spec is not None:
            row = np.isin(np.asarray(cols, dtype=object), np.asarray(list(spec), dtype=object))
            data = np.broadcast_to(row, (len(idx), len(cols))).copy()
            return pd.DataFrame(data, index=idx, columns=cols)
        from ..data.universes import membership_mask

        return membership_mask(self._store, name, idx, cols)


def open_market(store: Any, as_of: Any = None) -> Any:
    """The market view the checker reads, over an open store (or None: no data).

    Uses :class:`rotascope.market.MarketView` when the project has it, else
    :class:`TextMarket` (same method names)."""
    try:
        from ..market import MarketView
    except ImportError:  # pragma: no cover - before rotascope.market landed
        return TextMarket(store, as_of=as_of)
    if store is None:
        return TextMarket(None, as_of=as_of)
    if as_of is None:
        last = store.last_date()
        as_of = last if last is not None else pd.Timestamp("1970-01-01")
    return MarketView.open(store, as_of=as_of)


def market_from_frame(close: pd.DataFrame, *, universes: Mapping[str, Any] | None = None,
                      as_of: Any = None) -> TextMarket:
    """A market over a plain closes frame (tests, synthetic data)."""
    return TextMarket(None, frame=close, universes=universes, as_of=as_of)
