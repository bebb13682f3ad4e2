"""The alias table: how names in commentary map to instruments in the store.

The built-in table is ``aliases.yaml`` beside this module (its header documents every
field). Users extend it with ``$ROTASCOPE_HOME/aliases.yaml`` in the same format: a
new key adds an entry, an existing key replaces the fields it gives and adds its
``names`` (``replace_names: true`` replaces them).

Finding mentions
----------------
:meth:`AliasTable.find` scans a text once and returns non-overlapping mentions,
leftmost first, longest match winning where candidates overlap. Candidates are:

1. ``_ignore`` phrases ("Bank of Japan"): matched and dropped.
2. Alias names (case-insensitive unless the entry says ``case_sensitive``).
3. Company names of the ``sp500`` universe when it is loaded in the store (and
   instrument names), cleaned of legal suffixes ("Apple Inc." -> "Apple"); these are
   case-sensitive and must be at least 4 characters long.
4. Tickers: a cashtag (``$NVDA``) always; a bare upper-case token (``NVDA``, ``BRK-B``)
   when it is a known ticker (in the store, the alias table or the built-in universes),
   has at least 2 letters, is not a common capitalised word or acronym (``IT``, ``ALL``,
   ``CEO``, ``ETF``, ``RSI``, ...; see :data:`NOT_TICKERS`), and the sentence is not
   written in capitals (a headline).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import FileFormatError

__all__ = ["Alias", "Anchor", "Mention", "AliasTable", "load_aliases", "NOT_TICKERS",
           "clean_company_name"]

#: Upper-case words that are tickers of some listed company but, written bare, are far
#: more often ordinary words or acronyms. Write them as cashtags ($ALL) to mean the stock.
NOT_TICKERS = frozenset({
    "A", "I", "AI", "IT", "ALL", "ARE", "NOW", "ON", "KEY", "CEO", "CFO", "CTO", "COO",
    "GDP", "CPI", "PPI", "PCE", "USA", "US", "UK", "EU", "ETF", "ETFS", "IPO", "FOMC",
    "FED", "RSI", "SMA", "EMA", "MA", "YTD", "EPS", "PE", "TV", "AM", "PM", "EST", "ET",
    "EDT", "OK", "BE", "SO", "GO", "DD", "IR", "BIG", "LOW", "HAS", "CAN", "AN", "AT", "BY",
    "IN", "OF", "OR", "TO", "UP", "NEW", "ONE", "WELL", "FAST", "HE", "SHE", "WE", "MY",
    "BEST", "MAN", "CASH", "HOLD", "RUN", "LIFE", "PAYS", "SEE", "GOOD", "NICE", "TECH",
    "FUND", "DOW", "NYSE", "SEC", "ECB", "BOJ", "BOE", "IMF", "OPEC", "WTI", "USD", "EUR",
    "JPY", "CNY", "Q1", "Q2", "Q3", "Q4", "H1", "H2", "FY", "YOY", "QOQ", "MOM", "ATH",
    "OTC", "REIT", "REITS", "LLC", "INC", "CO", "MTD", "QTD", "WTD", "WOW"})

_LEGAL_SUFFIX = re.compile(
    r"(?:,?\s+(?:Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.?|plc|PLC|Ltd\.?|"
    r"Limited|L\.?P\.?|N\.?V\.?|S\.?A\.?|AG|SE|Holdings?|Group|Trust|& Co\.?))+\s*$")


def clean_company_name(name: str) -> str:
    """Drop share-class notes and legal suffixes: ``"Alphabet Inc. (Class A)"`` -> ``"Alphabet"``.

    Examples
    --------
    >>> clean_company_name("Apple Inc."), clean_company_name("Alphabet Inc. (Class A)")
    ('Apple', 'Alphabet')
    """
    name = re.sub(r"\s*\(.*?\)\s*", " ", str(name)).strip()
    name = re.sub(r"^The\s+", "", name)
    prev = None
    while prev != name:
        prev = name
        name = _LEGAL_SUFFIX.sub("", name).strip().rstrip(",")
    return name


@dataclass(frozen=True)
class Alias:
    """One entry of the alias table (see ``aliases.yaml`` for the meaning of each field).

    ``level`` is ``(field, scale)`` when a level conversion exists, ``None`` when the
    entry says none is honest; ``origin`` says where the entry came from (file:line).
    """

    key: str
    ticker: str | None
    names: tuple[str, ...] = ()
    represents: str | None = None
    proxy: bool = False
    loose: bool = False
    kind: str | None = None
    level: tuple[str, float] | None = ("unadjusted_close", 1.0)
    note: str | None = None
    reason: str | None = None
    case_sensitive: bool = False
    level_note: str | None = None
    origin: str = "built-in"
    index_series: tuple[str, ...] = ()
    anchor: Anchor | None = None

    @property
    def label(self) -> str:
        """Short description for messages: ``"S&P 500 index (via SPY)"``."""
        what = self.represents or (self.names[0] if self.names else self.key)
        if self.ticker is None:
            return what
        if self.proxy:
            return f"{what} (via {self.ticker})"
        return self.ticker if what == self.ticker else f"{what} ({self.ticker})"

    @property
    def is_yield(self) -> bool:
        return self.kind == "yield" or (self.ticker or "").startswith("^")


@dataclass(frozen=True)
class Anchor:
    """An official index close on a reference date, used to scale an ETF to index units.

    ``level = ETF close x (anchor level / ETF close on the anchor date)``; because the
    ETF's adjusted closes include reinvested dividends (and fees), the scaled series
    drifts from the index by about ``drift`` per year away from the anchor date, so a
    level read this way is only ever "roughly" (tolerance ``tolerance + drift x years``).
    """

    date: str
    level: float
    source: str
    tolerance: float = 0.01
    drift: float = 0.015


@dataclass(frozen=True)
class Mention:
    """A name found in a text: ``text[start:end]`` refers to ``alias``."""

    start: int
    end: int
    text: str
    alias: Alias

    @property
    def ticker(self) -> str | None:
        return self.alias.ticker

    @property
    def key(self) -> str:
        """Grouping key: the ticker, or the alias key when there is no ticker."""
        return self.alias.ticker or self.alias.key


_TICKER_TOKEN = re.compile(r"(?<![\w$&])(\$)?([A-Za-z]{1,5}(?:[.-][A-Za-z])?|\^[A-Z]{2,4})"
                           r"(?![\w&]|-\w)")


class AliasTable:
    """Names -> instruments, with the matcher described in the module docs.

    Parameters
    ----------
    aliases : entries, in priority order (the first entry for a name wins).
    ignore : phrases that are never instruments.
    known_tickers : tickers recognised when written bare in capitals.
    companies : extra case-sensitive ``{name: ticker}`` (e.g. from the sp500 universe).
    """

    def __init__(self, aliases: Sequence[Alias], *, ignore: Iterable[str] = (),
                 known_tickers: Iterable[str] = (),
                 companies: dict[str, str] | None = None) -> None:
        self.aliases = list(aliases)
        self.ignore = tuple(ignore)
        self.by_key = {a.key: a for a in self.aliases}
        by_ticker: dict[str, Alias] = {}
        for a in self.aliases:
            if a.ticker and not a.loose:
                by_ticker.setdefault(a.ticker, a)
        self._by_ticker = by_ticker
        self.known_tickers = set(known_tickers) | {a.ticker for a in self.aliases if a.ticker}
        self.companies = dict(companies or {})
        ci: list[tuple[str, Alias | None]] = [(p, None) for p in self.ignore]
        cs: list[tuple[str, Alias | None]] = []
        for a in self.aliases:
            for n in a.names:
                (cs if a.case_sensitive else ci).append((n, a))
        taken = {n.lower() for n, _ in ci} | {n for n, _ in cs}
        for name, ticker in self.companies.items():
            if name not in taken and len(name) >= 4:
                cs.append((name, self.ticker_alias(ticker, origin="universe name")))
        self._ci = _compile(ci, re.IGNORECASE)
        self._cs = _compile(cs, 0)
        self._names_ci = {n.lower(): a for n, a in ci}
        self._names_cs = dict(cs)

    # -- lookups ------------------------------------------------------------------------
    def ticker_alias(self, ticker: str, *, origin: str = "ticker") -> Alias:
        """The entry for a ticker written directly: the alias entry naming it when it is
        an exact (non-loose) proxy, else a plain entry (level = its unadjusted close)."""
        ticker = ticker.upper().replace(".", "-")
        found = self._by_ticker.get(ticker)
        if found is not None and not found.proxy:
            return found
        kind = "yield" if ticker.startswith("^") else None
        level = ("close", 1.0) if kind == "yield" else ("unadjusted_close", 1.0)
        return Alias(key=ticker, ticker=ticker, names=(ticker,), kind=kind, level=level,
                     origin=origin)

    def lookup(self, name: str) -> Alias | None:
        """The entry a name (exactly as written) refers to, or None."""
        hit = self._names_cs.get(name)
        if hit is None:
            hit = self._names_ci.get(name.lower())
        if hit is not None:
            return hit
        token = name.lstrip("$")
        if token.upper() in self.known_tickers and (name.startswith("$") or token.isupper()):
            return self.ticker_alias(token)
        return None

    # -- matching -----------------------------------------------------------------------
    def find(self, text: str) -> list[Mention]:
        """Mentions in ``text``, non-overlapping, leftmost-longest (see module docs)."""
        cands: list[tuple[int, int, Alias | None]] = []
        for rx, table, fold in ((self._ci, self._names_ci, True),
                                (self._cs, self._names_cs, False)):
            if rx is None:
                continue
            for m in rx.finditer(text):
                key = m.group(0)
                key = re.sub(r"\s+", " ", key)
                alias = table.get(key.lower() if fold else key)
                if alias is None and not fold:
                    continue
                cands.append((m.start(), m.end(), alias))
        headline = _is_headline(text)
        for m in _TICKER_TOKEN.finditer(text):
            cash, tok = m.group(1), m.group(2)
            sym = tok.upper().replace(".", "-")
            if cash:
                cands.append((m.start(), m.end(), self.ticker_alias(sym, origin="cashtag")))
                continue
            if (tok != tok.upper() or headline or sym in NOT_TICKERS
                    or sym not in self.known_tickers or len(sym.replace("-", "")) < 2):
                continue
            cands.append((m.start(), m.end(), self.ticker_alias(sym)))
        cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
        out: list[Mention] = []
        pos = 0
        for start, end, alias in cands:
            if start < pos:
                continue
            pos = end
            if alias is not None:
                out.append(Mention(start, end, text[start:end], alias))
        return out


def _is_headline(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _compile(items: list[tuple[str, Any]], flags: int) -> re.Pattern[str] | None:
    names = sorted({n for n, _ in items}, key=len, reverse=True)
    if not names:
        return None
    parts = [r"\s+".join(re.escape(w) for w in n.split()) for n in names]
    return re.compile(r"(?<![\w&$-])(?:" + "|".join(parts) + r")(?![\w&]|-\w)", flags)


# -- loading --------------------------------------------------------------------------------

_FIELDS = {"ticker", "names", "represents", "proxy", "loose", "kind", "level", "note", "reason",
           "case_sensitive", "replace_names", "level_note", "index_series", "anchor"}


def _yaml_with_lines(text: str, origin: str) -> tuple[dict, dict[str, int]]:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FileFormatError(origin, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                              line=None if mark is None else mark.line + 1) from exc
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise FileFormatError(origin, "the alias file must be a mapping of entries "
                                      "(key: {ticker: ..., names: [...]})", line=1)
    lines = {}
    if node is not None and hasattr(node, "value"):
        for k, _ in node.value:
            lines[str(k.value)] = k.start_mark.line + 1
    return data, lines


def _entry(key: str, raw: Any, origin: str, line: int | None,
           base: Alias | None) -> Alias:
    where = f"{origin}:{line}" if line else origin
    if not isinstance(raw, dict):
        raise FileFormatError(origin, f"entry {key!r} must be a mapping with 'ticker' and "
                                      "'names'", line=line)
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise FileFormatError(origin, f"entry {key!r} has unknown field(s) {', '.join(unknown)}; "
                                      f"known: {', '.join(sorted(_FIELDS))}", line=line)
    names = raw.get("names", [])
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise FileFormatError(origin, f"entry {key!r}: 'names' must be a list of strings",
                              line=line)
    if base is None and "ticker" not in raw:
        raise FileFormatError(origin, f"entry {key!r} needs a 'ticker' (null when no proxy "
                                      "exists, with a 'reason')", line=line)
    ticker = raw.get("ticker", base.ticker if base else None)
    if ticker is not None:
        ticker = str(ticker).strip().upper()
    level: tuple[str, float] | None
    if "level" in raw:
        lv = raw["level"]
        if lv is None:
            level = None
        elif (isinstance(lv, dict) and lv.get("field") in ("close", "unadjusted_close", "anchor")
              and isinstance(lv.get("scale", 1.0), (int, float))):
            level = (str(lv["field"]), float(lv.get("scale", 1.0)))
        else:
            raise FileFormatError(origin, f"entry {key!r}: 'level' must be null or "
                                          "{field: close|unadjusted_close|anchor, scale: number}",
                                  line=line)
    elif base is not None:
        level = base.level
    else:
        level = ("close", 1.0) if str(ticker or "").startswith("^") else ("unadjusted_close", 1.0)
    if base is not None and not raw.get("replace_names"):
        names = list(base.names) + [n for n in names if n not in base.names]
    values: dict[str, Any] = {
        "key": key, "ticker": ticker, "names": tuple(n.strip() for n in names),
        "level": level, "origin": where,
    }
    for f in ("represents", "kind", "note", "reason", "level_note"):
        if f in raw:
            values[f] = None if raw[f] is None else str(raw[f]).strip()
    for f in ("proxy", "loose", "case_sensitive"):
        if f in raw:
            values[f] = bool(raw[f])
    if "index_series" in raw:
        series = raw["index_series"] or []
        if isinstance(series, str):
            series = [series]
        if not isinstance(series, list) or not all(isinstance(t, str) for t in series):
            raise FileFormatError(origin, f"entry {key!r}: 'index_series' must be a list of "
                                          "tickers", line=line)
        values["index_series"] = tuple(t.strip().upper() for t in series)
    if "anchor" in raw:
        values["anchor"] = _anchor(key, raw["anchor"], origin, line)
    if ticker is None and not values.get("reason", base.reason if base else None):
        values["reason"] = f"no instrument in the store stands for {key!r}"
    return replace(base, **values) if base is not None else Alias(**values)


def _anchor(key: str, raw: Any, origin: str, line: int | None) -> Anchor | None:
    if raw is None:
        return None
    try:
        import pandas as pd

        date = pd.Timestamp(str(raw["date"])).strftime("%Y-%m-%d")
        return Anchor(date, float(raw["level"]), str(raw.get("source", "")),
                      float(raw.get("tolerance", 0.01)), float(raw.get("drift", 0.015)))
    except (TypeError, KeyError, ValueError) as exc:
        raise FileFormatError(origin, f"entry {key!r}: 'anchor' must be {{date: YYYY-MM-DD, "
                                      "level: number, source: text}", line=line) from exc


def _parse(text: str, origin: str, base: dict[str, Alias],
           ignore: list[str]) -> tuple[dict[str, Alias], list[str]]:
    data, lines = _yaml_with_lines(text, origin)
    out = dict(base)
    ignore = list(ignore)
    for key, raw in data.items():
        key = str(key)
        if key == "_ignore":
            if not isinstance(raw, list):
                raise FileFormatError(origin, "'_ignore' must be a list of phrases",
                                      line=lines.get(key))
            ignore += [str(p) for p in raw]
            continue
        out[key] = _entry(key, raw, origin, lines.get(key), base.get(key))
    return out, ignore


def load_aliases(user_path: str | Path | None = None, *, store: Any = None,
                 universe: str = "sp500") -> AliasTable:
    """The built-in alias table, extended by ``user_path`` and by names from the store.

    Parameters
    ----------
    user_path : a user ``aliases.yaml`` (typically ``$ROTASCOPE_HOME/aliases.yaml``);
        ignored when it does not exist.
    store : an open :class:`~rotascope.data.store.Store` (or a market view of one),
        optional. Its tickers become
        known tickers, and company names of ``universe`` (and of the instruments
        table) become case-sensitive names.
    universe : universe whose member names are used, default ``"sp500"``.

    Raises
    ------
    FileFormatError
        The user file is not valid YAML or an entry is malformed (names file and line).
    """
    import yaml

    builtin = resources.files("rotascope.text").joinpath("aliases.yaml").read_text("utf-8")
    entries, ignore = _parse(builtin, "rotascope/text/aliases.yaml", {}, [])
    if user_path is not None and Path(user_path).is_file():
        try:
            text = Path(user_path).read_text("utf-8")
        except UnicodeDecodeError as exc:
            raise FileFormatError(user_path, "not UTF-8 text") from exc
        entries, ignore = _parse(text, str(user_path), entries, ignore)
    known: set[str] = set()
    uni_text = resources.files("rotascope.data").joinpath("universes.yaml").read_text("utf-8")
    for spec in (yaml.safe_load(uni_text) or {}).values():
        if isinstance(spec, dict):
            known.update(str(t) for t in spec.get("tickers", []))
    companies: dict[str, str] = {}
    if store is not None:
        tickers = store.tickers          # a Store method, a MarketView property
        known.update(tickers() if callable(tickers) else tickers)
        companies = _store_companies(store, universe)
    # Exact proxies first, so a ticker's own entry is the non-loose one.
    ordered = sorted(entries.values(), key=lambda a: a.loose)
    return AliasTable(ordered, ignore=ignore, known_tickers=known, companies=companies)


def _store_companies(store: Any, universe: str) -> dict[str, str]:
    names: dict[str, str] = {}
    frames = []
    try:
        if store.universe_info(universe) is not None:
            frames.append(store.universe_members(universe)[["ticker", "name"]])
    except Exception:  # a store without universes simply has no names
        pass
    try:
        inst = store.instruments()
        if "name" in inst.columns and len(inst):
            frames.append(inst[["name"]].reset_index().rename(columns={"index": "ticker"}))
    except Exception:  # nor one without instrument names
        pass
    for frame in frames:
        for ticker, name in zip(frame["ticker"], frame["name"], strict=False):
            if isinstance(name, str) and name.strip() and isinstance(ticker, str):
                clean = clean_company_name(name)
                if len(clean) >= 4 and clean.upper() not in NOT_TICKERS:
                    names.setdefault(clean, ticker)
    return names
