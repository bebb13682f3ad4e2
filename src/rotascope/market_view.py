"""The market as of a date: one point-in-time view built once at the edge.

The CLI, the report, the alerts runner, the claim checker and the web desk each build a
:class:`MarketView` from the store, the settings and an as-of date, and hand it down.
Analysis functions read prices and universes only through it (or through plain frames),
so nothing below this module opens a store, a file or the environment, and nothing
after the as-of date can leak into a result.

A view loads lazily and once: closes are read from the store the first time a ticker is
asked for and cached (views made with :meth:`MarketView.at` share the cache), universes
are resolved once per name.

Default as-of date
------------------
Without an explicit date the view uses the last session on which at least
:data:`COVERAGE` (95%) of the tickers the command needs have a close. The reference data
ends on two different days (most stocks on the last, a third of them a day earlier), and
"the latest date of any series" would count a third of the index as missing.
:attr:`MarketView.as_of_note` says which date was used and why when it differs from the
store's last date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .config import Settings
from .errors import NoDataError, ParameterError, UnknownTickerError, UnknownUniverseError

if TYPE_CHECKING:
    from .data.store import Store
    from .data.universes import Universe

__all__ = ["MarketView", "market", "COVERAGE", "default_as_of"]

#: Share of the needed tickers that must have a close on the default as-of date.
COVERAGE = 0.95
#: How many of the latest dates are searched for the default as-of date.
_SEARCH_DAYS = 40


def default_as_of(counts: pd.Series, needed: int, *,
                  coverage: float = COVERAGE) -> tuple[pd.Timestamp | None, str | None]:
    """The latest date whose close count reaches ``coverage`` of ``needed``.

    Parameters
    ----------
    counts : closes per date (index: dates, ascending or not), for the needed tickers.
    needed : how many tickers the command needs (those with any price).

    Returns
    -------
    (date, note): ``note`` explains the choice when it is not the last date in
    ``counts``; ``date`` is None when ``counts`` is empty.
    """
    if counts.empty:
        return None, None
    counts = counts.sort_index()
    last = pd.Timestamp(counts.index[-1])
    if needed <= 0:
        return last, None
    share = counts.to_numpy(dtype=np.float64) / float(needed)
    ok = np.flatnonzero(share >= coverage - 1e-12)
    if len(ok) == 0:
        best = int(np.argmax(share))
        day = pd.Timestamp(counts.index[best])
        return day, (f"no recent session has closes for {coverage:.0%} of the {needed} "
                     f"tickers needed; using {day:%Y-%m-%d}, the best covered "
                     f"({int(counts.iloc[best])} of {needed})")
    day = pd.Timestamp(counts.index[ok[-1]])
    if day == last:
        return day, None
    return day, (f"as of {day:%Y-%m-%d}, the last session on which at least "
                 f"{coverage:.0%} of the {needed} tickers needed have a close "
                 f"({int(counts.iloc[ok[-1]])} do); the store's last date {last:%Y-%m-%d} "
                 f"has closes for only {int(counts.iloc[-1])} of them")


@dataclass
class _Cache:
    """Closes loaded so far (shared by every view of one store), up to ``end``."""

    end: pd.Timestamp | None
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    universes: dict[tuple[str, pd.Timestamp | None], Any] = field(default_factory=dict)


class MarketView:
    """Prices and universes up to one date.

    Build it with :meth:`open` (from the store), :func:`rotascope.market` (from the
    environment) or :meth:`from_frame` (from a closes frame, e.g. in tests or on the
    synthetic market). Every method returns data on or before :attr:`as_of` only.

    Parameters
    ----------
    store : an open :class:`~rotascope.data.store.Store`, or None for a frame-backed view.
    settings : where user universes live.
    as_of : the date of the view (already resolved).
    as_of_note : why ``as_of`` differs from the store's last date, if it does.
    """

    def __init__(self, *, store: Store | None, settings: Settings | None,
                 as_of: pd.Timestamp, as_of_note: str | None = None,
                 frame: pd.DataFrame | None = None,
                 universes: Mapping[str, Sequence[str] | pd.DataFrame] | None = None,
                 cache: _Cache | None = None, instruments: pd.DataFrame | None = None,
                 fund_holdings: Mapping[str, pd.DataFrame] | None = None) -> None:
        self._store = store
        self.settings = settings
        self.as_of = pd.Timestamp(as_of).normalize()
        self.as_of_note = as_of_note
        self._frame = frame               # frame-backed view: every close it has
        self._frame_universes = dict(universes or {})
        self._cache = cache if cache is not None else _Cache(end=self.as_of)
        self._tickers: list[str] | None = None
        self._instruments = instruments   # frame-backed view: given metadata (or None)
        self._fund_holdings = dict(fund_holdings or {})

    # -- construction ----------------------------------------------------------------

    @classmethod
    def open(cls, store: Store, settings: Settings | None = None, *, as_of: Any = None,
             needs: Iterable[str] | None = None, needs_universes: Sequence[str] = (),
             coverage: float = COVERAGE) -> MarketView:
        """A view of an open store as of ``as_of`` (default: see the module doc).

        ``needs`` lists the tickers the command needs and ``needs_universes`` the
        universes whose current members it needs (default: every ticker in the store);
        they only matter for the default as-of date.
        """
        store.require_data()
        if as_of is not None:
            day = _check_date(as_of)
            return cls(store=store, settings=settings, as_of=day)
        have = set(store.tickers())
        wanted: list[str] = list(needs) if needs is not None else []
        if needs_universes:
            from .data.universes import resolve_universe

            for name in needs_universes:
                wanted.extend(resolve_universe(name, store, settings).tickers)
        if needs is None and not needs_universes:
            wanted = sorted(have)
        wanted = [t for t in dict.fromkeys(wanted) if t in have]
        if not wanted:
            wanted = sorted(have)
        counts = store.closes_per_date(wanted, last=_SEARCH_DAYS)
        day, note = default_as_of(counts, len(wanted), coverage=coverage)
        if day is None:
            raise NoDataError("the store has no prices for the tickers needed")
        return cls(store=store, settings=settings, as_of=day, as_of_note=note)

    @classmethod
    def from_frame(cls, close: pd.DataFrame, *,
                   universes: Mapping[str, Sequence[str] | pd.DataFrame] | None = None,
                   as_of: Any = None, settings: Settings | None = None,
                   instruments: pd.DataFrame | None = None,
                   fund_holdings: Mapping[str, pd.DataFrame] | None = None) -> MarketView:
        """A view of a closes frame (dates x tickers); ``universes`` maps a name to its
        tickers or to a boolean membership mask (dates x tickers); ``instruments`` is
        metadata as :meth:`instruments` returns it, ``fund_holdings`` maps a fund to its
        holdings rows (ticker, weight, ...; ``attrs["as_of"]`` the file's date)."""
        if not isinstance(close, pd.DataFrame) or not isinstance(close.index,
                                                                 pd.DatetimeIndex):
            raise ParameterError("MarketView.from_frame(): 'close' must be a DataFrame with "
                                 "a DatetimeIndex")
        if len(close) == 0:
            raise NoDataError("MarketView.from_frame(): 'close' has no rows")
        frame = close.sort_index().astype(np.float64)
        if as_of is None:
            counts = frame.notna().sum(axis=1)
            counts = counts[counts > 0].iloc[-_SEARCH_DAYS:]
            day, note = default_as_of(counts, int(frame.notna().any().sum()))
        else:
            day, note = _check_date(as_of), None
        assert day is not None
        return cls(store=None, settings=settings, as_of=day, as_of_note=note, frame=frame,
                   universes=universes, instruments=instruments, fund_holdings=fund_holdings)

    def at(self, as_of: Any) -> MarketView:
        """The same market on another date (shares the cache when not later)."""
        day = _check_date(as_of)
        later = self._cache.end is not None and day > self._cache.end
        cache = None if later else self._cache
        return MarketView(store=self._store, settings=self.settings, as_of=day,
                          frame=self._frame, universes=self._frame_universes, cache=cache,
                          instruments=self._instruments, fund_holdings=self._fund_holdings)

    # -- tickers and prices ----------------------------------------------------------

    @property
    def tickers(self) -> list[str]:
        """Every ticker with prices, sorted."""
        if self._tickers is None:
            if self._frame is not None:
                self._tickers = sorted(self._frame.columns[self._frame.notna().any()])
            else:
                assert self._store is not None
                self._tickers = self._store.tickers()
        return list(self._tickers)

    def has(self, ticker: str) -> bool:
        return ticker in set(self.tickers)

    def present(self, tickers: Iterable[str]) -> list[str]:
        """The tickers that have prices, in the order given, without duplicates."""
        have = set(self.tickers)
        return [t for t in dict.fromkeys(tickers) if t in have]

    def require(self, tickers: Iterable[str], where: str = "the store") -> list[str]:
        """``tickers`` if all have prices, else :class:`UnknownTickerError` naming all."""
        wanted = list(dict.fromkeys(tickers))
        if self._store is not None:
            return self._store.check_tickers(wanted, where)
        missing = [t for t in wanted if not self.has(t)]
        if missing:
            raise UnknownTickerError(missing, where)
        return wanted

    def close(self, tickers: Sequence[str] | None = None, *, start: Any = None,
              strict: bool = True) -> pd.DataFrame:
        """Closes (dates x tickers) up to :attr:`as_of`, on the union of the tickers'
        dates, NaN where a ticker has no row; nothing filled.

        ``strict``: unknown tickers raise :class:`UnknownTickerError`; when False they
        come back as all-NaN columns.
        """
        cols = self.tickers if tickers is None else list(dict.fromkeys(tickers))
        if strict:
            self.require(cols)
        have = set(self.tickers)
        known = [t for t in cols if t in have]
        self._load(known)
        frame = self._cache.frame
        out = frame.reindex(columns=cols) if known else pd.DataFrame(
            index=pd.DatetimeIndex([], name="date"), columns=cols, dtype=np.float64)
        out = out.loc[:self.as_of]
        if start is not None:
            out = out.loc[pd.Timestamp(start):]
        # the union of the wanted tickers' own dates, as the store returns it
        rows = out.notna().any(axis=1).to_numpy() if known else np.zeros(len(out), bool)
        out = out.iloc[rows] if len(out) else out
        out.columns = pd.Index(cols, name=out.columns.name)
        return out

    def series(self, ticker: str) -> pd.Series:
        """One ticker's closes on its own dates (no NaN rows), up to :attr:`as_of`."""
        col = self.close([ticker])[ticker]
        return col[col.notna()]

    def last_date(self, tickers: Sequence[str] | None = None) -> pd.Timestamp | None:
        """The latest date (<= as_of) with a close of any of ``tickers``."""
        frame = self.close(tickers, strict=False)
        return None if frame.empty else pd.Timestamp(frame.index[-1])

    def _load(self, tickers: Sequence[str]) -> None:
        cache = self._cache
        missing = [t for t in tickers if t not in cache.frame.columns]
        if not missing:
            return
        if self._frame is not None:
            new = self._frame[missing]
            if cache.end is not None:
                new = new.loc[:cache.end]
        else:
            assert self._store is not None
            new = self._store.close_matrix(missing, end=cache.end)
        if cache.frame.empty and not len(cache.frame.columns):
            cache.frame = new
        else:
            cache.frame = cache.frame.join(new, how="outer")
        cache.frame.index.name = "date"

    # -- universes -------------------------------------------------------------------

    def universe(self, name: str, *, on: Any = None) -> Universe:
        """Universe ``name`` with its members on ``on`` (default :attr:`as_of`)."""
        from .data.universes import Universe, resolve_universe

        day = self.as_of if on is None else _check_date(on)
        key = (name, day)
        if key not in self._cache.universes:
            if name in self._frame_universes:
                spec = self._frame_universes[name]
                if isinstance(spec, pd.DataFrame):
                    row = spec.loc[:day]
                    members = (tuple(row.columns[row.iloc[-1].to_numpy(bool)])
                               if len(row) else ())
                else:
                    members = tuple(spec)
                self._cache.universes[key] = Universe(
                    name=name, description=f"{name} (given)", tickers=members,
                    source="frame", point_in_time=isinstance(spec, pd.DataFrame))
            else:
                self._cache.universes[key] = resolve_universe(name, self._store,
                                                              self.settings, as_of=day)
        return self._cache.universes[key]

    def members(self, name: str, *, on: Any = None) -> list[str]:
        """The members of ``name`` on ``on`` (default :attr:`as_of`)."""
        return list(self.universe(name, on=on).tickers)

    def ever_members(self, name: str) -> list[str]:
        """Every ticker that was a member of ``name`` on some date up to :attr:`as_of`
        (today's list for a universe without a membership history)."""
        uni = self.universe(name)
        spec = self._frame_universes.get(name)
        if isinstance(spec, pd.DataFrame):
            upto = spec.loc[:self.as_of]
            return list(upto.columns[upto.any().to_numpy(bool)])
        if uni.point_in_time and self._store is not None:
            iv = self._store.universe_members(name)
            ok = iv["start_date"].isna() | (iv["start_date"] <= self.as_of)
            return list(dict.fromkeys(iv.loc[ok, "ticker"].tolist()))
        return list(uni.tickers)

    def membership(self, name: str, index: Any = None,
                   tickers: Sequence[str] | None = None) -> pd.DataFrame:
        """Boolean mask (dates x tickers): was each ticker a member on each date?

        ``index`` defaults to the dates of the members' closes, ``tickers`` to
        :meth:`ever_members` with prices.
        """
        from .data.universes import membership_mask

        cols = list(tickers) if tickers is not None else self.present(self.ever_members(name))
        idx = self.close(cols, strict=False).index if index is None else pd.DatetimeIndex(index)
        spec = self._frame_universes.get(name)
        if isinstance(spec, pd.DataFrame):
            mask = spec.reindex(index=idx, columns=cols, method=None)
            return mask.fillna(False).astype(bool)
        if spec is not None:
            row = np.isin(np.asarray(cols, dtype=object), np.asarray(list(spec), dtype=object))
            data = np.broadcast_to(row, (len(idx), len(cols))).copy()
            return pd.DataFrame(data, index=idx, columns=pd.Index(cols, name="ticker"))
        return membership_mask(self._store, name, idx, cols, settings=self.settings)

    def has_universe(self, name: str) -> bool:
        try:
            self.universe(name)
        except UnknownUniverseError:
            return False
        return True

    # -- instrument metadata and fund holdings ---------------------------------------

    def instruments(self, tickers: Sequence[str] | None = None) -> pd.DataFrame:
        """Metadata (index: ticker; columns name, kind, sector): the store's instruments
        table (kinds from the import, GICS sectors from ``universe add``), reindexed to
        ``tickers`` when given (NaN/None where unknown)."""
        cols = ["name", "kind", "sector"]
        if self._store is not None:
            info = self._store.instruments()
        elif self._instruments is not None:
            info = self._instruments
        else:
            info = pd.DataFrame(columns=cols, index=pd.Index([], name="ticker"))
        info = info.reindex(columns=cols)
        return info if tickers is None else info.reindex(list(tickers))

    def fund_holdings(self, funds: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
        """Per fund, the holdings file stored with the latest date on or before
        :attr:`as_of` (see :func:`rotascope.data.holdings.stored_fund_holdings`); funds
        without one are absent."""
        if self._store is None:
            out = {}
            for f, rows in self._fund_holdings.items():
                day = rows.attrs.get("as_of")
                if (funds is None or f in funds) and (day is None
                                                      or pd.Timestamp(day) <= self.as_of):
                    out[f] = rows
            return out
        from .data.holdings import stored_fund_holdings

        return stored_fund_holdings(self._store, None if funds is None else list(funds),
                                    as_of=self.as_of)

    # -- calendar and provenance -----------------------------------------------------

    def sessions(self, start: Any = None) -> pd.DatetimeIndex:
        """NYSE sessions from ``start`` (default: the store's first date) to as_of."""
        from .data.calendar import nyse_sessions

        first = start
        if first is None:
            frame = self._cache.frame
            first = frame.index[0] if len(frame) else self.as_of - pd.DateOffset(years=1)
        return nyse_sessions(pd.Timestamp(first), self.as_of)

    @property
    def provenance(self) -> pd.DataFrame:
        """Where each loaded series came from (source, file, imported at)."""
        if self._store is None:
            return pd.DataFrame({"ticker": list(self._cache.frame.columns),
                                 "source": "frame"})
        prov = self._store.provenance()
        loaded = set(self._cache.frame.columns)
        return prov[prov["ticker"].isin(loaded)].reset_index(drop=True)

    def is_synthetic(self, ticker: str = "SPY") -> bool:
        """Does ``ticker`` come from the synthetic market generator?"""
        if self._store is None:
            return False
        info = self._store.instruments()
        if "source" not in info.columns or ticker not in info.index:
            return False
        return str(info.at[ticker, "source"]) == "synthetic"

    @property
    def location(self) -> str:
        """Where the prices come from (the store's path, or "frame")."""
        return str(getattr(self._store, "path", "")) if self._store is not None else "frame"

    def __repr__(self) -> str:
        kind = "store" if self._store is not None else "frame"
        return (f"MarketView(as_of={self.as_of:%Y-%m-%d}, {kind}, "
                f"{len(self._cache.frame.columns)} tickers loaded)")


def _check_date(value: Any) -> pd.Timestamp:
    try:
        day = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"as_of: expected a date like 2026-02-06, got {value!r}") from exc
    if day is pd.NaT:
        raise ParameterError(f"as_of: expected a date like 2026-02-06, got {value!r}")
    if day.tzinfo is not None:
        day = day.tz_localize(None)
    return day.normalize()


def market(as_of: Any = None, *, home: Any = None, needs: Iterable[str] | None = None,
           needs_universes: Sequence[str] = ()) -> MarketView:
    """The market in ``$ROTASCOPE_HOME``'s store (or ``home``), as of ``as_of``.

    The store is opened read-only and stays open while the view is in use.

    Examples
    --------
    >>> import rotascope
    >>> m = rotascope.market(as_of="2026-02-06")            # doctest: +SKIP
    >>> rotascope.rsi(m.close(["SPY"]), 14).iloc[-1]         # doctest: +SKIP
    """
    from pathlib import Path

    from .data.store import Store

    settings = Settings(home=Path(home).expanduser()) if home is not None else Settings()
    store = Store(settings.store_path, read_only=True)
    return MarketView.open(store, settings, as_of=as_of, needs=needs,
                           needs_universes=needs_universes)
