"""Universes: named ticker lists, built in, user-defined, or stored with point-in-time membership.

Where a name is looked up, first match wins:

1. the store (``rotascope universe add NAME FILE [--changes CHANGES]``), e.g. ``sp500``;
2. ``$ROTASCOPE_HOME/universes.yaml`` (same format as the built-in file; an entry
   replaces the built-in one of the same name);
3. the built-in ``rotascope/data/universes.yaml``: ``mag7``, ``leadership``,
   ``style``, ``sectors``, ``global``, ``macro``, ``crypto``.

Point-in-time membership
------------------------
A member-list CSV (a ``Symbol`` column, optional ``Security`` and ``GICS Sector``;
``BRK.B`` is stored as ``BRK-B``) gives today's members. A changes CSV
(``date,symbol,action`` with ``action`` in ``added``/``removed``) turns it into
intervals ``[start_date, end_date)``: membership on date D is today's list with every
event dated after D undone (an ``added`` removes the ticker again, a ``removed`` puts it
back). A member present before the first event has an open start (NULL), a current
member an open end. Without a changes file the current list applies to every date
(survivorship bias: documented, not hidden).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..config import Settings
from ..errors import FileFormatError, ParameterError, UnknownTickerError, UnknownUniverseError
from .model import normalize_ticker

__all__ = ["Universe", "builtin_universes", "user_universes", "list_universes",
           "resolve_universe", "membership_mask", "read_members", "read_changes",
           "membership_intervals", "add_universe", "BUILTIN_NAMES"]

BUILTIN_NAMES = ("mag7", "leadership", "style", "sectors", "global", "macro", "crypto")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_KEYS = {"description", "tickers", "benchmark", "kind"}


@dataclass(frozen=True)
class Universe:
    """A named list of tickers.

    ``tickers`` are the members (for a point-in-time universe: the members on the
    date it was resolved for, today's by default). ``source`` is ``"builtin"``,
    ``"user"`` or ``"store"``; ``location`` the file it came from.
    """

    name: str
    description: str
    tickers: tuple[str, ...]
    benchmark: str | None = "SPY"
    point_in_time: bool = False
    source: str = "builtin"
    kind: str | None = None
    location: str | None = None
    as_of: pd.Timestamp | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "tickers": list(self.tickers), "benchmark": self.benchmark,
                "point_in_time": self.point_in_time, "source": self.source,
                "kind": self.kind, "location": self.location,
                "as_of": None if self.as_of is None else self.as_of.date().isoformat()}


# -- YAML universes ------------------------------------------------------------------------

def _parse_yaml(text: str, location: str, source: str) -> dict[str, Universe]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FileFormatError(location, f"invalid YAML: {getattr(exc, 'problem', exc)}",
                              None if mark is None else mark.line + 1) from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise FileFormatError(location, "expected a mapping of universe name -> "
                              "{description, tickers, benchmark}", root.start_mark.line + 1)
    data = yaml.safe_load(text)
    out: dict[str, Universe] = {}
    for key_node, _value_node in root.value:
        line = key_node.start_mark.line + 1
        name = str(key_node.value)
        if not _NAME_RE.match(name):
            raise FileFormatError(location, f"universe name {name!r} must be letters, digits, "
                                  "'_', '.', '-'", line)
        spec = data[key_node.value] if key_node.value in data else data.get(name)
        if not isinstance(spec, dict):
            raise FileFormatError(location, f"universe {name!r} must be a mapping with "
                                  "'tickers' (and optional description, benchmark, kind)", line)
        unknown = sorted(set(spec) - _KEYS)
        if unknown:
            raise FileFormatError(location, f"universe {name!r}: unknown key(s) "
                                  f"{', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}",
                                  line)
        tickers = spec.get("tickers")
        if (not isinstance(tickers, list) or not tickers
                or not all(isinstance(t, str) and t.strip() for t in tickers)):
            raise FileFormatError(location, f"universe {name!r}: 'tickers' must be a non-empty "
                                  "list of ticker symbols", line)
        norm = [normalize_ticker(t) for t in tickers]
        dups = sorted({t for t in norm if norm.count(t) > 1})
        if dups:
            raise FileFormatError(location, f"universe {name!r} lists {', '.join(dups)} "
                                  "more than once", line)
        bench = spec.get("benchmark", "SPY")
        out[name] = Universe(name=name, description=str(spec.get("description", "")),
                             tickers=tuple(norm),
                             benchmark=None if bench is None else normalize_ticker(str(bench)),
                             source=source, kind=spec.get("kind"), location=location)
    return out


def builtin_universes() -> dict[str, Universe]:
    """The universes shipped in ``rotascope/data/universes.yaml``."""
    ref = resources.files("rotascope.data").joinpath("universes.yaml")
    return _parse_yaml(ref.read_text(encoding="utf-8"), "rotascope/data/universes.yaml",
                       "builtin")


def user_universes(settings: Settings | None = None) -> dict[str, Universe]:
    """Universes of ``settings.home``'s ``universes.yaml`` (empty when the file is absent,
    or when no settings are given: the environment is read at the edge, not here).

    Raises
    ------
    FileFormatError
        Naming the file and line of a malformed entry.
    """
    if settings is None:
        return {}
    path = settings.universes_path
    if not path.is_file():
        return {}
    return _parse_yaml(path.read_text(encoding="utf-8"), str(path), "user")


def _store_universe(store: Any, name: str, as_of: pd.Timestamp | None) -> Universe | None:
    if store is None:
        return None
    info = store.universe_info(name)
    if info is None:
        return None
    members = store.universe_members(name)
    if info["point_in_time"]:
        mask = _active(members, as_of)
        members = members[mask]
    tickers = tuple(dict.fromkeys(members["ticker"].tolist()))
    return Universe(name=name, description=info["description"] or "", tickers=tickers,
                    benchmark="SPY", point_in_time=bool(info["point_in_time"]),
                    source="store", location=info["location"], as_of=as_of)


def _active(members: pd.DataFrame, as_of: pd.Timestamp | None) -> np.ndarray:
    """Rows of a member table active on ``as_of`` (current members when None)."""
    end = members["end_date"]
    if as_of is None:
        return end.isna().to_numpy()
    start = members["start_date"]
    return ((start.isna() | (start <= as_of)) & (end.isna() | (as_of < end))).to_numpy()


def list_universes(store: Any = None, settings: Settings | None = None) -> list[Universe]:
    """Every universe visible (store over user file over built-in), sorted by name."""
    found: dict[str, Universe] = dict(builtin_universes())
    found.update(user_universes(settings))
    if store is not None:
        for name in store.universe_names():
            u = _store_universe(store, name, None)
            if u is not None:
                found[name] = u
    return [found[k] for k in sorted(found)]


def resolve_universe(name: str, store: Any = None, settings: Settings | None = None, *,
                     as_of: Any = None, require_prices: bool = False) -> Universe:
    """Find universe ``name`` (store, then user file, then built-in).

    Parameters
    ----------
    name : universe name, e.g. ``"mag7"`` or ``"sp500"``.
    store : an open Store, to see stored universes (and to check prices).
    settings : where the user ``universes.yaml`` lives (default: from the environment).
    as_of : for a point-in-time universe, the date whose members are returned
        (default: today's members).
    require_prices : raise :class:`UnknownTickerError` listing every member without
        prices in ``store``.

    Returns
    -------
    Universe

    Raises
    ------
    UnknownUniverseError
        ``name`` is not defined anywhere; the message lists the known names.
    UnknownTickerError
        With ``require_prices``, listing all members the store has no prices for.

    Examples
    --------
    >>> resolve_universe("mag7").tickers
    ('AAPL', 'MSFT', 'GOOGL', 'AMZN', 'NVDA', 'META', 'TSLA')
    """
    if not isinstance(name, str) or not name:
        raise ParameterError(f"resolve_universe(): 'name' must be a universe name, got {name!r}")
    when = None if as_of is None else pd.Timestamp(as_of).normalize()
    universe = _store_universe(store, name, when)
    if universe is None:
        users = user_universes(settings)
        universe = users.get(name) or builtin_universes().get(name)
    if universe is None:
        known = [u.name for u in list_universes(store, settings)]
        raise UnknownUniverseError(name, known)
    if require_prices:
        if store is None:
            raise ParameterError("resolve_universe(): require_prices=True needs a store")
        have = set(store.tickers())
        missing = [t for t in universe.tickers if t not in have]
        if missing:
            raise UnknownTickerError(missing, f"universe {name!r} (no prices in the store)",
                                     f"Fetch them with `rotascope data update {name}` or "
                                     "import them with `rotascope data import PATH`.")
    return universe


# -- member lists and changes ------------------------------------------------------------

def _columns(header: Sequence[str], path: Path, wanted: dict[str, tuple[str, ...]],
             required: Iterable[str]) -> dict[str, int]:
    norm = [re.sub(r"[\s_]", "", h).lower() for h in header]
    pos: dict[str, int] = {}
    for key, aliases in wanted.items():
        for a in aliases:
            if a in norm:
                pos[key] = norm.index(a)
                break
    missing = [k for k in required if k not in pos]
    if missing:
        raise FileFormatError(path, f"header {','.join(header)!r} has no "
                              f"{' / '.join(missing)} column", 1)
    return pos


def read_members(path: str | Path) -> pd.DataFrame:
    """Read a member list: columns ticker, name, sector (one row per member).

    The CSV needs a ``Symbol`` (or ``Ticker``) column; ``Security``/``Name`` and
    ``GICS Sector``/``Sector`` are optional. Symbols are normalised (``BRK.B`` ->
    ``BRK-B``).

    Raises
    ------
    FileFormatError
        Missing Symbol column, an empty or duplicated symbol, a short row (file:line).
    """
    path = Path(path)
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FileFormatError(path, f"cannot read: {exc.strerror or exc}") from None
    rows: list[tuple[str, str | None, str | None]] = []
    seen: dict[str, int] = {}
    with fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            raise FileFormatError(path, "empty file (no header)", 1)
        pos = _columns(header, path, {"ticker": ("symbol", "ticker"),
                                      "name": ("security", "name", "company"),
                                      "sector": ("gicssector", "sector")}, ["ticker"])
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                raise FileFormatError(path, f"expected {len(header)} fields as in the header, "
                                      f"got {len(fields)}", line)
            raw = fields[pos["ticker"]].strip()
            if not raw:
                raise FileFormatError(path, "empty Symbol", line)
            t = normalize_ticker(raw)
            if t in seen:
                raise FileFormatError(path, f"symbol {raw!r} ({t}) already on line {seen[t]}",
                                      line)
            seen[t] = line
            name = fields[pos["name"]].strip() or None if "name" in pos else None
            sector = fields[pos["sector"]].strip() or None if "sector" in pos else None
            rows.append((t, name, sector))
    if not rows:
        raise FileFormatError(path, "no members after the header", 2)
    return pd.DataFrame(rows, columns=["ticker", "name", "sector"])


def read_changes(path: str | Path) -> pd.DataFrame:
    """Read a changes file: columns date (Timestamp), ticker, action, line.

    Raises
    ------
    FileFormatError
        Missing columns, an unparsable date, an action other than added/removed, an
        empty symbol, or the same ticker/date/action twice (file:line).
    """
    path = Path(path)
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FileFormatError(path, f"cannot read: {exc.strerror or exc}") from None
    rows: list[tuple[pd.Timestamp, str, str, int]] = []
    seen: dict[tuple[pd.Timestamp, str, str], int] = {}
    with fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            raise FileFormatError(path, "empty file (no header)", 1)
        pos = _columns(header, path, {"date": ("date",), "ticker": ("symbol", "ticker"),
                                      "action": ("action",)}, ["date", "ticker", "action"])
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                raise FileFormatError(path, f"expected {len(header)} fields (date,symbol,"
                                      f"action), got {len(fields)}", line)
            ds = fields[pos["date"]].strip()
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", ds):
                raise FileFormatError(path, f"unparsable date {ds!r} (expected YYYY-MM-DD)",
                                      line)
            try:
                day = pd.Timestamp(ds)
            except ValueError:
                raise FileFormatError(path, f"unparsable date {ds!r} (no such day)",
                                      line) from None
            action = fields[pos["action"]].strip().lower()
            if action not in ("added", "removed"):
                raise FileFormatError(path, f"action {fields[pos['action']]!r} must be "
                                      "'added' or 'removed'", line)
            raw = fields[pos["ticker"]].strip()
            if not raw:
                raise FileFormatError(path, "empty symbol", line)
            t = normalize_ticker(raw)
            key = (day, t, action)
            if key in seen:
                raise FileFormatError(path, f"{t} {action} on {ds} already on line {seen[key]}",
                                      line)
            seen[key] = line
            rows.append((day, t, action, line))
    frame = pd.DataFrame(rows, columns=["date", "ticker", "action", "line"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def membership_intervals(members: pd.DataFrame, changes: pd.DataFrame | None = None, *,
                         location: str = "<changes>") -> pd.DataFrame:
    """Membership intervals ``[start_date, end_date)`` from today's list and its changes.

    Parameters
    ----------
    members : today's members (ticker, name, sector), as from :func:`read_members`.
    changes : events (date, ticker, action, line), as from :func:`read_changes`.
    location : the changes file, for messages.

    Returns
    -------
    DataFrame
        ticker, name, sector, start_date, end_date (NaT = open); one row per interval.

    Raises
    ------
    FileFormatError
        When undoing the events is inconsistent (a ticker "added" on a date but not a
        member afterwards, or "removed" while still a member), naming the event's line.
    """
    info = members.set_index("ticker")[["name", "sector"]]
    cols = ["ticker", "name", "sector", "start_date", "end_date"]
    if changes is None or changes.empty:
        out = members[["ticker", "name", "sector"]].copy()
        out["start_date"] = pd.NaT
        out["end_date"] = pd.NaT
        return out[cols]
    ev = changes.sort_values(["date", "line"], kind="stable").reset_index(drop=True)
    # Undo events from the latest back: the set just after each event must be
    # consistent with it. Events of one date are undone together.
    state = set(members["ticker"])
    later: dict[str, tuple[pd.Timestamp, str, int]] = {}   # ticker -> next event undone

    def why(ticker: str) -> str:
        if ticker not in later:
            return "according to the member list"
        d, action, line = later[ticker]
        return f"since line {line} has it {action} again on {d.date()}"

    for day in ev["date"].drop_duplicates()[::-1]:
        batch = ev[ev["date"] == day]
        for e in batch.itertuples(index=False):
            if e.action == "added" and e.ticker not in state:
                raise FileFormatError(location, f"{e.ticker} added on {day.date()} but not a "
                                      f"member afterwards, {why(e.ticker)}", int(e.line))
            if e.action == "removed" and e.ticker in state:
                raise FileFormatError(location, f"{e.ticker} removed on {day.date()} but still "
                                      f"a member afterwards, {why(e.ticker)}", int(e.line))
        for e in batch.itertuples(index=False):
            if e.action == "added":
                state.discard(e.ticker)
            else:
                state.add(e.ticker)
            later[e.ticker] = (day, e.action, int(e.line))
    # `state` is now the membership before the first event; walk forward.
    open_start: dict[str, pd.Timestamp | None] = {t: None for t in state}
    rows: list[tuple[str, pd.Timestamp | None, pd.Timestamp | None]] = []
    for e in ev.itertuples(index=False):
        if e.action == "removed":
            rows.append((e.ticker, open_start.pop(e.ticker), e.date))
        else:
            open_start[e.ticker] = e.date
    rows.extend((t, s, None) for t, s in open_start.items())
    out = pd.DataFrame(rows, columns=["ticker", "start_date", "end_date"])
    out["name"] = out["ticker"].map(info["name"])
    out["sector"] = out["ticker"].map(info["sector"])
    for c in ("start_date", "end_date"):
        out[c] = pd.to_datetime(out[c])
    return out.sort_values(["ticker", "start_date"], na_position="first",
                           kind="stable").reset_index(drop=True)[cols]


def add_universe(store: Any, name: str, members_path: str | Path,
                 changes_path: str | Path | None = None, *,
                 description: str | None = None) -> Universe:
    """Store universe ``name`` from a member list (and optional changes file).

    Replaces a stored universe of the same name atomically and returns it (today's
    members). Members need not have prices yet.

    Raises
    ------
    ParameterError
        A name that is not letters, digits, ``_``, ``.``, ``-``.
    FileFormatError
        A malformed member list or changes file (file:line and reason).
    """
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ParameterError(f"add_universe(): 'name' must be letters, digits, '_', '.', '-', "
                             f"got {name!r}")
    members = read_members(members_path)
    changes = read_changes(changes_path) if changes_path is not None else None
    intervals = membership_intervals(members, changes, location=str(changes_path))
    pit = changes is not None
    desc = description if description is not None else (
        f"{len(members)} members from {Path(members_path).name}"
        + (f", point-in-time from {Path(changes_path).name}" if pit else ""))  # type: ignore[arg-type]
    location = str(members_path) + (f" + {changes_path}" if pit else "")
    store.save_universe(name, intervals, description=desc, source="file",
                        location=location, point_in_time=pit)
    sector = members.set_index("ticker")["sector"]
    if sector.notna().any():
        info = pd.DataFrame({"name": members.set_index("ticker")["name"], "sector": sector})
        info["kind"] = None
        store.set_instrument_info(info)
    result = resolve_universe(name, store)
    return result


def membership_mask(store: Any, name: str, index: Any, tickers: Sequence[str], *,
                    settings: Settings | None = None) -> pd.DataFrame:
    """Was each ticker a member of universe ``name`` on each date?

    Parameters
    ----------
    store : an open Store (for stored universes; may be None for YAML ones).
    name : universe name.
    index : dates (DatetimeIndex or date-likes).
    tickers : columns wanted; tickers never in the universe give all-False columns.

    Returns
    -------
    bool DataFrame (index x tickers)
        Point-in-time membership for universes added with a changes file
        (``start_date <= d < end_date``); otherwise the current list on every date.

    Examples
    --------
    >>> m = membership_mask(None, "mag7", pd.bdate_range("2024-01-01", periods=2),
    ...                     ["AAPL", "SPY"])
    >>> m.to_numpy().tolist()
    [[True, False], [True, False]]
    """
    idx = pd.DatetimeIndex(index)
    cols = list(tickers)
    stored = store is not None and store.universe_info(name) is not None
    if not stored:
        uni = resolve_universe(name, None, settings)
        row = np.isin(np.asarray(cols, dtype=object), np.asarray(uni.tickers, dtype=object))
        data = np.broadcast_to(row, (len(idx), len(cols))).copy()
        return pd.DataFrame(data, index=idx, columns=pd.Index(cols, name="ticker"))
    members = store.universe_members(name)
    col_of = {t: i for i, t in enumerate(cols)}
    pos = members["ticker"].map(col_of)
    keep = pos.notna().to_numpy()
    out = np.zeros((len(idx), len(cols)), dtype=bool)
    if keep.any() and len(idx):
        days = idx.values.astype("datetime64[D]").astype(np.int64)
        lo = members["start_date"].to_numpy(dtype="datetime64[D]")[keep]
        hi = members["end_date"].to_numpy(dtype="datetime64[D]")[keep]
        lo_i = np.where(np.isnat(lo), np.iinfo(np.int64).min, lo.astype(np.int64))
        hi_i = np.where(np.isnat(hi), np.iinfo(np.int64).max, hi.astype(np.int64))
        c = pos.to_numpy()[keep].astype(np.int64)
        inside = (days[:, None] >= lo_i[None, :]) & (days[:, None] < hi_i[None, :])
        # OR together the intervals of each column
        order = np.argsort(c, kind="stable")
        c_sorted = c[order]
        first = np.flatnonzero(np.diff(c_sorted, prepend=-1) != 0)
        out[:, c_sorted[first]] = np.logical_or.reduceat(inside[:, order], first, axis=1)
    return pd.DataFrame(out, index=idx, columns=pd.Index(cols, name="ticker"))
