"""Bring the store up to date from the online providers, fetching only the missing dates.

:func:`update_prices` is pure orchestration over injectable sources (each source holds
its own HTTP client) and an open store; the CLI (``rotascope data update``) only lays
the result out.

For each ticker
---------------
1. **Plan.** A ticker with stored rows is fetched from the date of its ``overlap``-th
   last stored row (default 5 rows back: a few trading days, and it works for weekly or
   monthly FRED series too). A ticker without rows is fetched from ``start`` (default:
   the provider's full history).
2. **Source.** ``source=`` forces one provider for every ticker: any source installed
   under the ``rotascope.sources`` entry points that can fetch prices by ticker
   (:func:`update_sources`; the built-in yahoo, stooq and fred, or a plugin); otherwise
   the provider that last wrote the ticker (``instruments.source``) when it is such a
   source, FRED for known FRED series ids (``DGS10``, ``VIXCLS``, ...), else Yahoo.
3. **Re-adjustment check.** The overlapping rows are compared with the stored closes.
   When any differs by more than ``tolerance`` (relative, default 1e-6), the provider has
   re-adjusted the history (a dividend or split since the last fetch, or a revision of a
   FRED series): the full history is fetched again and written with
   ``mode="replace_range"`` (status ``readjusted``). Stored rows before the provider's
   first date are kept and counted in the notes.
4. **Write.** Otherwise only rows after the stored last date are written
   (``mode="append"``, status ``updated``; ``unchanged`` when there are none).

All series are written by one :meth:`Store.import_series
<rotascope.data.store.Store.import_series>` call: one transaction, so an interrupted
update leaves the store as it was. Quality flags of the written tickers are recomputed
on their whole resulting history (stored rows merged with the new ones) inside that
transaction, as ``rotascope data import`` does.

Phases
------
:func:`update_prices` runs :func:`plan_update` (reads the store: last rows, overlap
closes, which provider), :func:`fetch_update` (network only, no store) and
:func:`write_update` (one transaction). The CLI runs them with a read-only store handle,
no handle, and a writable one, so other commands can read the store during the minutes
an update of the S&P 500 spends on the network.

Failures
--------
One failing ticker never sinks the run: it is reported (status ``failed`` with the
message, ``offline`` True for connection failures) and the others proceed. Once a
provider proved unreachable, its remaining tickers are not attempted (same message),
so an offline run ends quickly. :attr:`UpdateResult.exit_code` is ``0`` when every
ticker succeeded, ``5`` (:data:`~rotascope.errors.EXIT_NETWORK`) when every ticker
failed because a provider could not be reached, ``3``
(:data:`~rotascope.errors.EXIT_DATA`) when some tickers failed.

Member list
-----------
:func:`update_members` fetches the S&P 500 list from Wikipedia and stores it as universe
``sp500``. When a point-in-time ``sp500`` universe is already stored (``rotascope
universe add sp500 ... --changes ...``), its history is kept: members that left get
``end_date`` = today, new members an interval starting today (the fetch date, not S&P's
effective date). Otherwise the universe is replaced by today's list.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .._validation import check_date, check_float, check_int
from ..errors import (
    EXIT_DATA,
    EXIT_NETWORK,
    EXIT_OK,
    DataError,
    ParameterError,
    ProviderUnavailableError,
    SourceError,
)
from .model import ImportResult, Rejection, SeriesData, normalize_ticker
from .sources._http import OnlineSource, SkippedRow
from .sources.base import Source, available_sources, get_source

if TYPE_CHECKING:
    from .sources.wikipedia import WikipediaSp500Source
    from .store import Store

__all__ = ["update_prices", "plan_update", "fetch_update", "write_update", "update_members",
           "update_tickers", "UpdatePlan", "FetchedUpdate", "TickerUpdate", "UpdateResult",
           "MembersUpdate", "ONLINE_SOURCES", "default_source_for", "Status",
           "update_sources", "check_update_source"]

#: The built-in providers ``rotascope data update`` fetches prices from (plugins
#: registered under ``rotascope.sources`` add to them: :func:`update_sources`).
ONLINE_SOURCES = ("yahoo", "stooq", "fred")

Status = Literal["new", "updated", "unchanged", "readjusted", "failed"]
#: ``progress(ticker, done, total)`` after each ticker (done counts finished tickers).
Progress = Callable[[str, int, int], Any]


@dataclass(frozen=True)
class TickerUpdate:
    """What the update did for one ticker.

    ``start`` is the first date requested (None: full history); ``stored_last`` the
    last stored date before the run; ``rows_added`` rows written after it (or, for a
    re-adjusted ticker, rows of the provider's range that were new); ``rows_changed``
    stored rows replaced with different values; ``skipped`` rows the provider sent that
    are not prices (holidays, live bars); ``offline`` True when the provider could not be
    reached.
    """

    ticker: str
    source: str
    status: Status
    start: pd.Timestamp | None = None
    stored_last: pd.Timestamp | None = None
    last_date: pd.Timestamp | None = None
    rows_fetched: int = 0
    rows_added: int = 0
    rows_changed: int = 0
    skipped: tuple[SkippedRow, ...] = ()
    notes: tuple[str, ...] = ()
    error: str | None = None
    offline: bool = False

    def to_dict(self) -> dict[str, Any]:
        def iso(d: pd.Timestamp | None) -> str | None:
            return None if d is None else d.date().isoformat()

        return {"ticker": self.ticker, "source": self.source, "status": self.status,
                "start": iso(self.start), "stored_last": iso(self.stored_last),
                "last_date": iso(self.last_date), "rows_fetched": self.rows_fetched,
                "rows_added": self.rows_added, "rows_changed": self.rows_changed,
                "skipped": [s.to_dict() for s in self.skipped], "notes": list(self.notes),
                "error": self.error, "offline": self.offline}


@dataclass(frozen=True)
class MembersUpdate:
    """What :func:`update_members` stored."""

    universe: str
    members: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    point_in_time: bool
    location: str
    as_of: pd.Timestamp

    def to_dict(self) -> dict[str, Any]:
        return {"universe": self.universe, "members": self.members, "added": list(self.added),
                "removed": list(self.removed), "point_in_time": self.point_in_time,
                "location": self.location, "as_of": self.as_of.date().isoformat()}


@dataclass
class UpdateResult:
    """Per-ticker outcome of :func:`update_prices` plus the store's import run id."""

    tickers: list[TickerUpdate] = field(default_factory=list)
    run_id: str | None = None
    members: MembersUpdate | None = None

    @property
    def failed(self) -> list[TickerUpdate]:
        return [t for t in self.tickers if t.status == "failed"]

    @property
    def exit_code(self) -> int:
        """0 all fine; 5 every ticker failed offline/unreachable; 3 some tickers failed."""
        failed = self.failed
        if not failed:
            return EXIT_OK
        if len(failed) == len(self.tickers) and all(t.offline for t in failed):
            return EXIT_NETWORK
        return EXIT_DATA

    def summary(self) -> dict[str, int]:
        out = {s: 0 for s in ("new", "updated", "unchanged", "readjusted", "failed")}
        for t in self.tickers:
            out[t.status] += 1
        out["rows_added"] = sum(t.rows_added for t in self.tickers)
        out["rows_changed"] = sum(t.rows_changed for t in self.tickers)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "exit_code": self.exit_code, "summary": self.summary(),
                "tickers": [t.to_dict() for t in self.tickers],
                "members": None if self.members is None else self.members.to_dict()}


def update_sources() -> dict[str, str]:
    """Installed sources ``data update`` can fetch prices from: name -> entry point value.

    Every source under the ``rotascope.sources`` entry points except those declaring
    ``updates_prices = False`` (the CSV folder, Parquet and Wikipedia member-list
    sources). A plugin that cannot be imported is left out.
    """
    out: dict[str, str] = {}
    for name, ep in sorted(available_sources().items()):
        try:
            cls = ep.load()
        except Exception:  # a broken plugin must not break the built-in providers
            continue
        if getattr(cls, "updates_prices", None) is not False:
            out[name] = ep.value
    return out


def check_update_source(name: str, func: str = "update_prices") -> str:
    """``name`` when it is an installed source ``data update`` can use, else a
    ParameterError listing the installed ones (with a "did you mean")."""
    import difflib

    usable = update_sources()
    if name in usable:
        return name
    installed = available_sources()
    if name in installed:
        reason = (f"source {name!r} is installed but does not fetch prices by ticker "
                  f"(it reads files or lists; see rotascope data import)")
    else:
        close = difflib.get_close_matches(name, list(usable), n=2, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        reason = f"unknown source {name!r}{hint}"
    where = f"{func}()" if func.isidentifier() else func
    raise ParameterError(f"{where}: {reason}; sources that can update prices: "
                         f"{', '.join(usable) or 'none installed'} (entry points "
                         "'rotascope.sources', see docs/providers.md)")


def default_source_for(ticker: str, stored_source: str | None = None,
                       updatable: Iterable[str] = ONLINE_SOURCES) -> str:
    """The provider a ticker is updated from when none is forced (see the module notes).

    ``updatable``: the sources that may continue a ticker they wrote (default the built-in
    providers; :func:`plan_update` passes every installed one, :func:`update_sources`).
    """
    from .sources.fred import KNOWN_SERIES

    if stored_source is not None and stored_source in set(updatable):
        return str(stored_source)
    if ticker in KNOWN_SERIES:
        return "fred"
    return "yahoo"


def update_tickers(store: Store, *, universe: str | None = None,
                   tickers: Iterable[str] | None = None, settings: Any = None) -> list[str]:
    """Tickers an update covers.

    ``tickers`` when given; else the members of ``universe`` (store, user file or
    built-in; see :func:`~rotascope.data.universes.resolve_universe`); else every
    ticker in the store; else, for an empty store, the built-in universes' tickers.
    """
    from .universes import builtin_universes, resolve_universe

    if tickers is not None:
        out = [normalize_ticker(t) for t in tickers if t.strip()]
        if not out:
            raise ParameterError("update_tickers(): 'tickers' is empty")
        return list(dict.fromkeys(out))
    if universe is not None:
        return list(resolve_universe(universe, store, settings).tickers)
    stored = store.tickers()
    if stored:
        return stored
    return list(dict.fromkeys(t for u in builtin_universes().values() for t in u.tickers))


@dataclass(frozen=True)
class UpdatePlan:
    """What will be requested for one ticker (built by :func:`plan_update`, no I/O after).

    ``start`` is the first date to request (None: full history); ``stored_last`` and
    ``stored_first`` bound the stored rows (None when the ticker is new); ``overlap``
    holds the stored closes from ``start`` on, compared with the provider's.
    """

    ticker: str
    source: str
    start: pd.Timestamp | None
    stored_last: pd.Timestamp | None = None
    stored_first: pd.Timestamp | None = None
    overlap: pd.Series | None = None


@dataclass
class FetchedUpdate:
    """The network phase's outcome: per-ticker updates and the series to write."""

    updates: list[TickerUpdate]
    series: list[SeriesData]
    source: str | None = None


def plan_update(store: Store, tickers: Iterable[str], *, source: str | None = None,
                start: Any = None, overlap: int = 5) -> list[UpdatePlan]:
    """Read what the store holds and decide what to request per ticker (reads only).

    Parameters are those of :func:`update_prices`; ``store`` may be read-only (or a
    read-only handle on a store file that does not exist yet).
    """
    func = "plan_update"
    names = list(dict.fromkeys(normalize_ticker(t) for t in tickers))
    if not names:
        raise ParameterError(f"{func}(): no tickers to update")
    if source is not None:
        source = check_update_source(source, func)
    overlap = check_int(overlap, "overlap", minimum=1, func=func)
    first = None if start is None else check_date(start, "start", func=func)
    stored = _stored_rows(store, names, overlap)
    inst = store.instruments()
    stored_src = inst["source"].to_dict() if "source" in inst.columns else {}
    updatable = set(ONLINE_SOURCES)
    if source is None and any(v not in updatable for v in stored_src.values() if v):
        updatable |= set(update_sources())        # a plugin may continue its tickers
    plans = []
    for t in names:
        name = source or default_source_for(t, stored_src.get(t), updatable)
        if t in stored:
            last, first_stored, closes = stored[t]
            plans.append(UpdatePlan(t, name, closes.index[0], last, first_stored, closes))
        else:
            plans.append(UpdatePlan(t, name, first))
    return plans


def _stored_rows(store: Store, tickers: Sequence[str], overlap: int
                 ) -> dict[str, tuple[pd.Timestamp, pd.Timestamp, pd.Series]]:
    """ticker -> (last date, first date, closes of the last ``overlap`` rows), one query."""
    if store.is_empty:
        return {}
    res = store.con.execute("""
        WITH r AS (
            SELECT ticker, date, close,
                   row_number() OVER (PARTITION BY ticker ORDER BY date DESC) AS rn,
                   min(date) OVER (PARTITION BY ticker) AS first
            FROM prices WHERE ticker IN (SELECT unnest(?)))
        SELECT ticker, date, close, first FROM r WHERE rn <= ? ORDER BY ticker, date
        """, [list(tickers), overlap]).fetchnumpy()
    tick = np.asarray(res["ticker"], dtype=object)
    days = np.asarray(res["date"]).astype("datetime64[ns]")
    close = np.asarray(res["close"], dtype=np.float64)
    firsts = np.asarray(res["first"]).astype("datetime64[ns]")
    out: dict[str, tuple[pd.Timestamp, pd.Timestamp, pd.Series]] = {}
    if len(tick) == 0:
        return out
    bounds = np.flatnonzero(tick[1:] != tick[:-1]) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(tick)], strict=True):
        idx = pd.DatetimeIndex(days[lo:hi], name="date")
        out[str(tick[lo])] = (idx[-1], pd.Timestamp(firsts[lo]),
                              pd.Series(close[lo:hi], index=idx))
    return out


def _overlap_differs(new: pd.Series, old: pd.Series, tolerance: float
                     ) -> tuple[bool, list[str]]:
    """Do the provider's closes differ from the stored ones on common dates?"""
    notes = []
    common = old.index.intersection(new.index)
    if len(common) == 0:
        notes.append("no overlapping dates to verify the stored history against")
        return False, notes
    a = old.reindex(common).to_numpy()
    b = new.reindex(common).to_numpy()
    rel = np.abs(b - a) > tolerance * np.abs(a)
    only_stored = old.index.difference(new.index)
    only_new = new.index[(new.index <= old.index[-1])].difference(old.index)
    if len(only_stored):
        notes.append(f"{len(only_stored)} stored date(s) in the overlap the provider no "
                     "longer lists: " + ", ".join(f"{d:%Y-%m-%d}" for d in only_stored[:5]))
    if len(only_new):
        notes.append(f"{len(only_new)} date(s) inside the stored range the store lacks "
                     "(not added by an update): " + ", ".join(f"{d:%Y-%m-%d}"
                                                              for d in only_new[:5]))
    if rel.any():
        i = int(np.flatnonzero(rel)[0])
        notes.append(f"overlap differs on {int(rel.sum())} of {len(common)} date(s), first "
                     f"{common[i]:%Y-%m-%d}: stored {a[i]!r}, provider {b[i]!r}; history "
                     "re-adjusted, fetched in full")
        return True, notes
    return False, notes


class _Fetcher:
    """Fetch + parse one ticker through a source, keeping per-provider offline state.

    Each online source's HTTP session stays open for the whole run (connection reuse),
    closed by :meth:`close`.
    """

    def __init__(self, sources: Mapping[str, Source] | None) -> None:
        self._given = dict(sources or {})
        self._open: dict[str, Source] = {}
        self._stack = contextlib.ExitStack()
        self.offline: dict[str, str] = {}

    def source(self, name: str) -> Source:
        if name not in self._open:
            src = self._given[name] if name in self._given else get_source(name)
            if isinstance(src, OnlineSource):
                self._stack.enter_context(src.http.session())
            self._open[name] = src
        return self._open[name]

    def close(self) -> None:
        self._stack.close()

    def get(self, name: str, ticker: str, start: pd.Timestamp | None) -> Any:
        """``ParsedSeries`` or a ``(message, offline)`` failure."""
        if name in self.offline:
            return (f"not attempted: {self.offline[name]}", True)
        src = self.source(name)
        try:
            query = src.build_query(tickers=[ticker], start=start)
            items = src.fetch(query)
            try:
                item = next(iter(items), None)
            finally:
                close = getattr(items, "close", None)
                if close is not None:
                    close()
        except ProviderUnavailableError as exc:
            offline = bool(getattr(exc, "offline", False))
            if offline:
                self.offline[name] = str(exc)
            return (str(exc), offline)
        except (SourceError, ParameterError) as exc:
            return (str(exc), False)
        if item is None:
            return (f"{name}: {ticker}: the source returned nothing", False)
        if isinstance(item, Rejection):
            offline = item.check == "offline"
            if offline:
                self.offline[name] = item.reason
            return (item.reason, offline)
        try:
            if isinstance(src, OnlineSource):
                return src.parse(query, item)
            from .sources._http import ParsedSeries

            series = src.to_frame(query, item)
        except (SourceError, DataError) as exc:
            return (str(exc), False)
        mine = [s for s in series if s.ticker == ticker] or (series if len(series) == 1
                                                              else [])
        if not mine:
            got = ", ".join(s.ticker for s in series) or "no series"
            return (f"{name}: {ticker}: the source returned {got} for it", False)
        return ParsedSeries(mine[0])


def update_prices(store: Store, tickers: Iterable[str], *, source: str | None = None,
                  sources: Mapping[str, Source] | None = None, start: Any = None,
                  overlap: int = 5, tolerance: float = 1e-6,
                  progress: Progress | None = None, calendar: str = "SPY") -> UpdateResult:
    """Fetch the missing dates of ``tickers`` and write them to ``store`` in one transaction.

    The three phases :func:`plan_update` (read the store), :func:`fetch_update` (network
    only) and :func:`write_update` (one transaction) in a row; the CLI runs them
    separately so the store is not locked for writing while the network is used.

    Parameters
    ----------
    store : a writable :class:`~rotascope.data.store.Store`.
    tickers : tickers in the store's spelling (``BRK-B``, ``^TNX``, ``DGS10``).
    source : an installed source for every ticker (``"yahoo"``, ``"stooq"``, ``"fred"``
        or a plugin, :func:`update_sources`); None chooses per ticker (see
        :func:`default_source_for`).
    sources : provider name -> source instance (with its client); missing providers are
        created from the ``rotascope.sources`` entry points with default settings.
    start : first date for tickers without stored rows (default: full history). Tickers
        already stored always continue from their last rows.
    overlap : int >= 1, default 5. Stored rows re-fetched to detect re-adjustments.
    tolerance : relative difference above which an overlapping close counts as changed.
    progress : ``progress(ticker, done, total)`` after each ticker.
    calendar : calendar ticker for the recomputed ``missing_vs_..._calendar`` flag.

    Returns
    -------
    UpdateResult
        One :class:`TickerUpdate` per ticker (input order) and ``exit_code``.

    Raises
    ------
    ParameterError
        Bad arguments (unknown source: the message lists the installed ones; empty
        ticker list, overlap < 1).
    StoreBusyError
        Another process writes the store.
    """
    plans = plan_update(store, tickers, source=source, start=start, overlap=overlap)
    fetched = fetch_update(plans, sources=sources, tolerance=tolerance, progress=progress)
    fetched.source = source
    return write_update(store, fetched, calendar=calendar)


def fetch_update(plans: Sequence[UpdatePlan], *, sources: Mapping[str, Source] | None = None,
                 tolerance: float = 1e-6, progress: Progress | None = None) -> FetchedUpdate:
    """The network phase: fetch every planned ticker (no store access).

    A failing ticker becomes a ``failed`` :class:`TickerUpdate`; see the module notes
    for the overlap check and the offline short-cut.
    """
    tolerance = check_float(tolerance, "tolerance", minimum=0.0, func="fetch_update")
    fetcher = _Fetcher(sources)
    updates: list[TickerUpdate] = []
    series: list[SeriesData] = []
    try:
        for done, plan in enumerate(plans, start=1):
            update, s = _update_one(fetcher, plan, tolerance)
            updates.append(update)
            if s is not None:
                series.append(s)
            if progress is not None:
                progress(plan.ticker, done, len(plans))
    finally:
        fetcher.close()
    return FetchedUpdate(updates, series)


def write_update(store: Store, fetched: FetchedUpdate, *, calendar: str = "SPY") -> UpdateResult:
    """Write the fetched series in one transaction (with their recomputed quality flags)."""
    updates = {u.ticker: u for u in fetched.updates}
    result = UpdateResult()
    if fetched.series:
        flags = _merged_flags(store, fetched.series, calendar)
        rejected = [Rejection(u.source, u.error or "", ticker=u.ticker,
                              check="offline" if u.offline else "source")
                    for u in fetched.updates if u.status == "failed"]
        imported = store.import_series(fetched.series, flags=flags, rejected=rejected,
                                       source=fetched.source or "update",
                                       location="rotascope data update")
        result.run_id = imported.run_id
        _apply_counts(updates, imported)
    result.tickers = [updates[u.ticker] for u in fetched.updates]
    return result


def _update_one(fetcher: _Fetcher, plan: UpdatePlan, tolerance: float
                ) -> tuple[TickerUpdate, SeriesData | None]:
    ticker, src_name, start, last = plan.ticker, plan.source, plan.start, plan.stored_last
    got = fetcher.get(src_name, ticker, start)
    if isinstance(got, tuple):
        return TickerUpdate(ticker, src_name, "failed", start=start, stored_last=last,
                            error=got[0], offline=got[1]), None
    frame = got.series.frame
    notes = list(got.notes)
    skipped = tuple(got.skipped)
    if last is None or plan.overlap is None:
        series = dataclasses.replace(got.series, mode="replace_range")
        status: Status = "new" if len(frame) else "unchanged"
        if not len(frame):
            notes.append("the provider returned no rows for the requested range")
        return TickerUpdate(ticker, src_name, status, start=start, stored_last=None,
                            last_date=frame.index[-1] if len(frame) else None,
                            rows_fetched=len(frame), skipped=skipped,
                            notes=tuple(notes)), (series if len(frame) else None)
    differs, overlap_notes = _overlap_differs(frame["close"], plan.overlap, tolerance)
    notes.extend(overlap_notes)
    if differs:
        full = fetcher.get(src_name, ticker, None)
        if isinstance(full, tuple):
            return TickerUpdate(ticker, src_name, "failed", start=None, stored_last=last,
                                rows_fetched=len(frame), notes=tuple(notes),
                                error=f"history re-adjusted but the full re-fetch failed: "
                                      f"{full[0]}", offline=full[1]), None
        fr = full.series.frame
        if not len(fr):
            return TickerUpdate(ticker, src_name, "failed", start=None, stored_last=last,
                                notes=tuple(notes), error="history re-adjusted but the full "
                                "re-fetch returned no rows"), None
        if plan.stored_first is not None and plan.stored_first < fr.index[0]:
            notes.append(f"stored rows from {plan.stored_first:%Y-%m-%d} to before the "
                         f"provider's first date {fr.index[0]:%Y-%m-%d} were kept from the "
                         "previous source; their adjustment may differ")
        return TickerUpdate(ticker, src_name, "readjusted", start=None, stored_last=last,
                            last_date=fr.index[-1], rows_fetched=len(fr),
                            skipped=tuple(full.skipped), notes=tuple(notes + list(full.notes))
                            ), dataclasses.replace(full.series, mode="replace_range")
    new_rows = frame[frame.index > last]
    if not len(new_rows):
        return TickerUpdate(ticker, src_name, "unchanged", start=start, stored_last=last,
                            last_date=last, rows_fetched=len(frame), skipped=skipped,
                            notes=tuple(notes)), None
    series = dataclasses.replace(got.series, frame=new_rows, mode="append")
    return TickerUpdate(ticker, src_name, "updated", start=start, stored_last=last,
                        last_date=new_rows.index[-1], rows_fetched=len(frame),
                        skipped=skipped, notes=tuple(notes)), series


def _apply_counts(updates: dict[str, TickerUpdate], imported: ImportResult) -> None:
    for r in imported.results:
        u = updates.get(r.ticker)
        if u is None:
            continue
        status = u.status
        if r.status == "unchanged" and status in ("updated", "new"):
            status = "unchanged"  # identical payload already imported (same checksum)
        updates[r.ticker] = dataclasses.replace(u, status=status, rows_added=r.rows_added,
                                                rows_changed=r.rows_changed)


def _merged_flags(store: Store, series: Sequence[SeriesData], calendar: str) -> list:
    """Quality flags of each written ticker's whole history after the write (vectorised)."""
    from .quality import check_long, reference_calendar

    tickers = [s.ticker for s in series]
    codes, names, days, close = store.long_prices(tickers)
    old = pd.DataFrame({"ticker": np.asarray(names, dtype=object)[codes] if len(names) else
                        np.empty(0, dtype=object), "day": days, "close": close})
    sizes = [len(s.frame) for s in series]
    new = pd.DataFrame({
        "ticker": np.repeat(np.asarray(tickers, dtype=object), sizes),
        "day": np.concatenate([s.frame.index.values.astype("datetime64[D]").astype(np.int64)
                               for s in series]) if series else np.empty(0, np.int64),
        "close": np.concatenate([s.frame["close"].to_numpy(np.float64) for s in series]),
    })
    bounds = np.array([[s.frame.index[0], s.frame.index[-1]] for s in series],
                      dtype="datetime64[D]").astype(np.int64)
    ranges = pd.DataFrame({"ticker": tickers, "lo": bounds[:, 0], "hi": bounds[:, 1],
                           "replace": [s.mode == "replace_range" for s in series]})
    old = old.merge(ranges, on="ticker", how="left")
    drop_old = old["replace"].fillna(False).astype(bool) & old["day"].between(old["lo"], old["hi"])
    old = old.loc[~drop_old.to_numpy(), ["ticker", "day", "close"]]
    merged = pd.concat([old, new], ignore_index=True)
    merged = merged.drop_duplicates(["ticker", "day"], keep="first")  # stored rows win (append)
    merged = merged.sort_values(["ticker", "day"], kind="stable")
    merged["date"] = merged["day"].to_numpy().astype("datetime64[D]")
    cal = store.trading_days(calendar)
    cal_rows = merged.loc[merged["ticker"] == calendar, "date"]
    if len(cal_rows):
        cal = pd.DatetimeIndex(cal_rows.to_numpy().astype("datetime64[ns]"))
    span = (None, None) if not len(merged) else (merged["date"].min(), merged["date"].max())
    name, cal, _ = reference_calendar(calendar, cal, *span)
    latest = store.last_date()
    batch_last = max(s.frame.index[-1] for s in series)
    latest = batch_last if latest is None else max(pd.Timestamp(latest), batch_last)
    return check_long(merged[["ticker", "date", "close"]], calendar=cal,
                      calendar_name=name, latest=latest)


def update_members(store: Store, *, source: WikipediaSp500Source | None = None,
                   universe: str = "sp500",
                   today: Any = None) -> MembersUpdate:
    """Fetch today's S&P 500 members from Wikipedia and store them as ``universe``.

    Parameters
    ----------
    store : a writable Store.
    source : a :class:`~rotascope.data.sources.wikipedia.WikipediaSp500Source` (with its
        client); a default one when None.
    universe : name to store the list under, default ``"sp500"``.
    today : the fetch date used for membership changes of a point-in-time universe
        (default: today, UTC).

    Raises
    ------
    ProviderUnavailableError
        Wikipedia cannot be reached.
    SourceError
        The page has no usable ``constituents`` table.
    """
    from .sources.wikipedia import WikipediaSp500Source, members_frame

    src = source if source is not None else WikipediaSp500Source()
    day = check_date(pd.Timestamp.now("UTC") if today is None else today, "today",
                     func="update_members")
    query = src.build_query()
    with src.http.session():
        raw = src.fetch_one(query, "sp500")
    table = src.to_frame(query, raw)
    fresh = members_frame(table)
    info = store.universe_info(universe)
    old = store.universe_members(universe) if info is not None else None
    current = set() if old is None else set(old.loc[old["end_date"].isna(), "ticker"])
    new_set = set(fresh["ticker"])
    added = tuple(sorted(new_set - current)) if old is not None else ()
    removed = tuple(sorted(current - new_set))
    pit = bool(info and info["point_in_time"])
    if pit and old is not None:
        intervals = old.copy()
        closing = intervals["end_date"].isna() & intervals["ticker"].isin(removed)
        intervals.loc[closing, "end_date"] = day
        meta = fresh.set_index("ticker")
        is_open = intervals["end_date"].isna()
        intervals.loc[is_open, "name"] = intervals.loc[is_open, "ticker"].map(meta["name"])
        intervals.loc[is_open, "sector"] = intervals.loc[is_open, "ticker"].map(meta["sector"])
        joined = fresh[fresh["ticker"].isin(added)].assign(start_date=day, end_date=pd.NaT)
        members = pd.concat([intervals, joined], ignore_index=True)
        description = (f"{len(fresh)} S&P 500 members from Wikipedia (updated "
                       f"{day:%Y-%m-%d}); earlier membership kept point-in-time")
    else:
        members = fresh
        description = (f"{len(fresh)} S&P 500 members from Wikipedia as of {day:%Y-%m-%d} "
                       "(today's list applied to all dates: survivorship bias)")
    store.save_universe(universe, members, description=description, source=src.name,
                        location=raw.location, point_in_time=pit)
    info_frame = fresh.set_index("ticker")[["name", "sector"]].assign(kind="stock")
    store.set_instrument_info(info_frame)
    return MembersUpdate(universe=universe, members=len(fresh), added=added, removed=removed,
                         point_in_time=pit, location=raw.location, as_of=day)
