"""Holdings files: a portfolio's positions, and the holdings files fund issuers publish.

Portfolio holdings (:func:`read_holdings`)
-------------------------------------------
* CSV with a header: ``ticker`` and either ``weight`` (fractions of the portfolio; the
  rest is cash; ``12.5%`` is read as 0.125) or ``shares`` (valued at the as-of close by
  the analysis), optional ``cost`` and ``account``. One ticker may appear once per
  account.
* YAML (``.yaml``/``.yml``, read with ``yaml.safe_load`` semantics): a mapping with a
  ``holdings`` list (or a bare list) of mappings with the same keys::

      name: my portfolio        # optional
      holdings:
        - {ticker: QQQ, weight: 0.6, account: ira}
        - {ticker: RSP, weight: 0.3}

Every problem raises :class:`~rotascope.errors.FileFormatError` naming the file, the
line and the field.

Fund issuer holdings (:func:`read_fund_holdings`)
-------------------------------------------------
The layout is detected from the header line (the first line that names the columns,
after any preamble):

* **iShares** (BlackRock's "Detailed Holdings and Analytics" CSV): preamble lines
  (fund name, ``Fund Holdings as of,"Jul 14, 2026"``, ...), a blank line, then
  ``Ticker,Name,Sector,Asset Class,Market Value,Weight (%),...``; a disclaimer after the
  rows. Weight in percent; numbers may carry thousands separators.
* **SPDR** (State Street's daily holdings xlsx saved as CSV): preamble
  (``Fund Name:``, ``Ticker Symbol:``, ``Holdings:,As of 14-Jul-2026``), then
  ``Name,Ticker,Identifier,SEDOL,Weight,Sector,Shares Held,Local Currency``. Weight in
  percent.
* **Invesco**: no preamble, ``Fund Ticker,Security Identifier,Holding Ticker,
  Shares/Par Value,MarketValue,Weight,Name,Class of Shares,Sector,Date``, the date on
  every row (``MM/DD/YYYY``). Weight in percent.

Rows are kept as they are (cash and futures rows too, with their asset class); weights
become fractions. :func:`import_fund_holdings` stores a file in the table
``fund_holdings`` with its date, replacing an earlier import of the same fund and date
in one transaction; :func:`stored_fund_holdings` returns, per fund, the latest file
dated on or before an analysis date (point in time).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FileFormatError, ParameterError
from .model import normalize_ticker

__all__ = ["HOLDINGS_COLUMNS", "read_holdings", "FundHoldingsFile", "read_fund_holdings",
           "detect_layout", "import_fund_holdings", "stored_fund_holdings",
           "list_fund_holdings", "FUND_HOLDINGS_DDL", "LAYOUTS"]

#: Columns of the frame :func:`read_holdings` returns.
HOLDINGS_COLUMNS = ["ticker", "weight", "shares", "cost", "account", "line"]

_ALLOWED = {"ticker", "weight", "shares", "cost", "account"}
_ALIASES = {"symbol": "ticker", "quantity": "shares", "qty": "shares",
            "cost_basis": "cost", "costbasis": "cost"}


def _field_number(path: Path, line: int, field: str, raw: Any, *,
                  allow_percent: bool = False) -> float:
    if isinstance(raw, bool):
        raise FileFormatError(path, f"field {field}: {raw!r} is not a number", line)
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = str(raw).strip().replace(",", "")
        scale = 1.0
        if allow_percent and text.endswith("%"):
            text, scale = text[:-1].strip(), 0.01
        try:
            value = float(text) * scale
        except ValueError:
            raise FileFormatError(path, f"field {field}: {raw!r} is not a number", line
                                  ) from None
    if not np.isfinite(value):
        raise FileFormatError(path, f"field {field}: {raw!r} is not a finite number", line)
    return value


def _records(path: Path, text: str) -> tuple[list[tuple[int, dict[str, Any]]], str | None]:
    """(line, {field: raw}) per row of a CSV or YAML holdings file, and a name."""
    if path.suffix.lower() in (".yaml", ".yml"):
        return _yaml_records(path, text)
    rows: list[tuple[int, dict[str, Any]]] = []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise FileFormatError(path, "empty file (no header; expected ticker,weight or "
                              "ticker,shares)", 1)
    names = []
    for h in header:
        key = re.sub(r"\s+", "_", h.strip().lower())
        names.append(_ALIASES.get(key, key))
    unknown = [h for h, n in zip(header, names, strict=True) if n not in _ALLOWED]
    if unknown:
        raise FileFormatError(path, f"unknown column(s) {', '.join(map(repr, unknown))}; "
                              "allowed: ticker, weight or shares, cost, account", 1)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise FileFormatError(path, f"column(s) {', '.join(dup)} given twice", 1)
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(names):
            raise FileFormatError(path, f"expected {len(names)} fields as in the header "
                                  f"({','.join(header)}), got {len(fields)}", line)
        rows.append((line, {n: f for n, f in zip(names, fields, strict=True)
                            if f.strip() != ""}))
    return rows, None


def _yaml_records(path: Path, text: str) -> tuple[list[tuple[int, dict[str, Any]]], str | None]:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FileFormatError(path, f"invalid YAML: {getattr(exc, 'problem', exc)}",
                              None if mark is None else mark.line + 1) from None
    if root is None:
        raise FileFormatError(path, "empty file (expected a 'holdings' list)", 1)
    name = None
    items = root
    if isinstance(root, yaml.MappingNode):
        keys = {k.value: v for k, v in root.value}
        extra = sorted(set(keys) - {"holdings", "name"})
        if extra:
            raise FileFormatError(path, f"unknown key(s) {', '.join(extra)}; expected "
                                  "'holdings' (and optional 'name')", root.start_mark.line + 1)
        if "holdings" not in keys:
            raise FileFormatError(path, "no 'holdings' list", root.start_mark.line + 1)
        items = keys["holdings"]
        if "name" in keys:
            name = str(keys["name"].value)
    if not isinstance(items, yaml.SequenceNode):
        raise FileFormatError(path, "'holdings' must be a list of {ticker, weight|shares, "
                              "cost, account}", items.start_mark.line + 1)
    rows: list[tuple[int, dict[str, Any]]] = []
    for node in items.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise FileFormatError(path, "each holding must be a mapping like "
                                  "{ticker: QQQ, weight: 0.6}", line)
        rec: dict[str, Any] = {}
        for k, v in node.value:
            key = _ALIASES.get(str(k.value).strip().lower(), str(k.value).strip().lower())
            if key not in _ALLOWED:
                raise FileFormatError(path, f"unknown field {k.value!r}; allowed: ticker, "
                                      "weight or shares, cost, account", k.start_mark.line + 1)
            if not isinstance(v, yaml.ScalarNode):
                raise FileFormatError(path, f"field {key}: expected a single value",
                                      v.start_mark.line + 1)
            # Tickers stay text (YAML 1.1 reads ON/NO/Y as booleans); numbers are
            # parsed from plain scalars only.
            value: Any = v.value
            if key in ("weight", "shares", "cost") and v.style is None:
                try:
                    value = yaml.safe_load(v.value)
                except yaml.YAMLError:
                    value = v.value
            if value is None or value == "":
                continue
            rec[key] = value
        rows.append((line, rec))
    return rows, name


def read_holdings(path: str | Path) -> pd.DataFrame:
    """Read a portfolio holdings file (CSV or YAML, see the module doc).

    Returns
    -------
    DataFrame with columns :data:`HOLDINGS_COLUMNS`: ticker (normalised, ``BRK.B`` ->
    ``BRK-B``), weight (fraction) or shares (one of the two is all NaN), cost (NaN when
    absent), account (``""`` when absent), line (1-based line of the row). The frame's
    ``attrs`` hold ``source`` (the path), ``kind`` (``"weight"`` or ``"shares"``) and
    ``name`` (YAML ``name``, else the file stem).

    Raises
    ------
    FileFormatError
        Unreadable file, unknown column/field, no ticker, neither or both of weight and
        shares, a value that is not a number, negative shares or cost, a ticker twice in
        one account, no rows (file, line and field in the message).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(path, f"cannot read: {getattr(exc, 'strerror', None) or exc}"
                              ) from None
    records, name = _records(path, text)
    out: list[tuple[str, float, float, float, str, int]] = []
    kind: str | None = None
    seen: dict[tuple[str, str], int] = {}
    for line, rec in records:
        raw = rec.get("ticker")
        if raw is None or not str(raw).strip():
            raise FileFormatError(path, "field ticker: empty", line)
        ticker = normalize_ticker(str(raw))
        if not re.match(r"^[A-Z0-9^][A-Z0-9^=\-]*$", ticker):
            raise FileFormatError(path, f"field ticker: {raw!r} is not a ticker symbol", line)
        has_w, has_s = "weight" in rec, "shares" in rec
        if has_w and has_s:
            raise FileFormatError(path, "fields weight and shares: give one of them, not "
                                  "both", line)
        if not has_w and not has_s:
            raise FileFormatError(path, f"field weight (or shares): missing for {ticker}", line)
        this = "weight" if has_w else "shares"
        if kind is None:
            kind = this
        elif kind != this:
            raise FileFormatError(path, f"field {this}: the file mixes weights and shares; "
                                  f"earlier rows give {kind}", line)
        weight = shares = float("nan")
        if has_w:
            weight = _field_number(path, line, "weight", rec["weight"], allow_percent=True)
        else:
            shares = _field_number(path, line, "shares", rec["shares"])
            if shares < 0:
                raise FileFormatError(path, f"field shares: {rec['shares']!r} is negative "
                                      "(short positions are not supported)", line)
        cost = float("nan")
        if "cost" in rec:
            cost = _field_number(path, line, "cost", rec["cost"])
            if cost < 0:
                raise FileFormatError(path, f"field cost: {rec['cost']!r} is negative", line)
        account = str(rec.get("account", "")).strip()
        key = (ticker, account)
        if key in seen:
            where = f" in account {account!r}" if account else ""
            raise FileFormatError(path, f"field ticker: {ticker} already on line "
                                  f"{seen[key]}{where}", line)
        seen[key] = line
        out.append((ticker, weight, shares, cost, account, line))
    if not out:
        raise FileFormatError(path, "no holdings after the header", 2)
    frame = pd.DataFrame(out, columns=HOLDINGS_COLUMNS)
    frame.attrs.update(source=str(path), kind=kind, name=name or path.stem)
    return frame


# -- fund issuer files ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Layout:
    name: str
    header: tuple[str, ...]           # normalised names that identify the layout
    ticker: str
    weight: str
    name_col: str
    sector: str | None
    asset_class: str | None
    shares: str | None
    market_value: str | None


def _norm(h: str) -> str:
    return re.sub(r"[^a-z0-9%]", "", h.strip().lower())


LAYOUTS: tuple[_Layout, ...] = (
    _Layout("ishares", ("ticker", "name", "sector", "assetclass", "marketvalue", "weight%"),
            "ticker", "weight%", "name", "sector", "assetclass", "quantity", "marketvalue"),
    _Layout("spdr", ("name", "ticker", "identifier", "sedol", "weight", "sector",
                     "sharesheld"),
            "ticker", "weight", "name", "sector", None, "sharesheld", None),
    _Layout("invesco", ("fundticker", "securityidentifier", "holdingticker",
                        "shares/parvalue", "marketvalue", "weight", "name"),
            "holdingticker", "weight", "name", "sector", "classofshares", "shares/parvalue",
            "marketvalue"),
)


def _norm_keep_slash(h: str) -> str:
    return re.sub(r"[^a-z0-9%/]", "", h.strip().lower())


def detect_layout(header: list[str]) -> _Layout | None:
    """The issuer layout whose identifying columns are all in ``header``, or None."""
    names = {_norm_keep_slash(h) for h in header}
    for layout in LAYOUTS:
        if all(c in names for c in layout.header):
            return layout
    return None


@dataclass(frozen=True)
class FundHoldingsFile:
    """A fund issuer's holdings file, read.

    ``rows``: ticker, name, sector, asset_class, weight (fraction), shares,
    market_value, line. ``as_of`` is the date the file states (None if it states none).
    """

    path: str
    layout: str
    fund: str | None
    as_of: pd.Timestamp | None
    rows: pd.DataFrame
    checksum: str

    @property
    def weight_sum(self) -> float:
        return float(self.rows["weight"].sum())




def _parse_issuer_date(text: str) -> pd.Timestamp | None:
    text = text.strip().strip('"').strip()
    text = re.sub(r"^as of\s*", "", text, flags=re.I)
    for fmt in ("%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%m/%d/%Y", "%Y-%m-%d", "%d %b %Y"):
        try:
            return pd.Timestamp(datetime.strptime(text, fmt)).normalize()
        except ValueError:
            continue
    return None


# iShares writes class shares without a separator (BRKB, BFB).
_ISHARES_CLASS = {"BRKB": "BRK-B", "BFB": "BF-B"}


def read_fund_holdings(path: str | Path, *, fund: str | None = None) -> FundHoldingsFile:
    """Read an iShares, SPDR or Invesco holdings CSV (layout detected from the header).

    Parameters
    ----------
    path : the file as downloaded from the issuer's site (SPDR: the xlsx saved as CSV).
    fund : the fund's ticker, checked against the file when the file names one.

    Returns
    -------
    FundHoldingsFile

    Raises
    ------
    FileFormatError
        No known header, a row whose field count differs from the header, an empty or
        unparsable weight, rows of another fund (Invesco), a date that differs between
        rows, no rows (file, line and field).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(path, f"cannot read: {exc.strerror or exc}") from None
    text = raw.decode("utf-8-sig", errors="replace").replace("\xa0", " ")
    lines = list(csv.reader(io.StringIO(text)))
    layout = None
    header_at = -1
    for i, fields in enumerate(lines[:60]):
        layout = detect_layout(fields)
        if layout is not None:
            header_at = i
            break
    if layout is None:
        raise FileFormatError(path, "no iShares (Ticker,Name,Sector,Asset Class,Market Value,"
                              "Weight (%),...), SPDR (Name,Ticker,Identifier,SEDOL,Weight,"
                              "Sector,Shares Held,...) or Invesco (Fund Ticker,Security "
                              "Identifier,Holding Ticker,...) header in the first 60 lines")
    header = lines[header_at]
    pos = {_norm_keep_slash(h): j for j, h in enumerate(header)}
    preamble = lines[:header_at]
    as_of: pd.Timestamp | None = None
    file_fund: str | None = None
    for fields in preamble:
        if len(fields) < 2:
            continue
        key, value = _norm(fields[0]), fields[1]
        if key in ("fundholdingsasof", "holdings", "asof", "holdingsasof"):
            as_of = _parse_issuer_date(value) or as_of
        elif key in ("tickersymbol", "ticker"):
            file_fund = normalize_ticker(value) if value.strip() else None
    rows: list[tuple[str, str, str | None, str | None, float, float, float, int]] = []
    row_dates: set[pd.Timestamp] = set()
    # csv.reader line numbers: each parsed record here is one physical line (issuer
    # files have no embedded newlines), so line = index + 1.
    for i in range(header_at + 1, len(lines)):
        fields = lines[i]
        line = i + 1
        if not any(f.strip() for f in fields):
            if rows:
                break            # the blank line before the issuer's disclaimer
            continue
        if len(fields) == 1 and rows:
            break                # a one-field disclaimer line after the rows
        if len(fields) < len(header):
            if rows and len(fields) <= 2:
                break            # footer ("Past performance ...",)
            raise FileFormatError(path, f"expected {len(header)} fields as in the "
                                  f"{layout.name} header, got {len(fields)}", line)

        def get(col: str | None, fields: list[str] = fields) -> str:
            if col is None or col not in pos:
                return ""
            return fields[pos[col]].strip()

        ticker_raw = get(layout.ticker)
        wtext = get(layout.weight)
        if wtext in ("", "-", "--"):
            raise FileFormatError(path, f"field {header[pos[layout.weight]].strip()}: empty "
                                  f"for {ticker_raw or get(layout.name_col)!r}", line)
        weight = _field_number(path, line, header[pos[layout.weight]].strip(), wtext,
                               allow_percent=True)
        if not wtext.endswith("%"):
            weight /= 100.0      # every supported layout writes percent
        ticker = "" if ticker_raw in ("", "-", "--") else normalize_ticker(ticker_raw)
        if layout.name == "ishares":
            ticker = _ISHARES_CLASS.get(ticker, ticker)

        def number(col: str | None, fields: list[str] = fields) -> float:
            t = get(col, fields).replace(",", "")
            try:
                return float(t) if t not in ("", "-", "--") else float("nan")
            except ValueError:
                return float("nan")

        if layout.name == "invesco":
            row_fund = normalize_ticker(get("fundticker"))
            if fund is not None and row_fund and row_fund != normalize_ticker(fund):
                raise FileFormatError(path, f"field Fund Ticker: {row_fund} but importing "
                                      f"for {normalize_ticker(fund)}", line)
            file_fund = row_fund or file_fund
            d = _parse_issuer_date(get("date"))
            if d is None:
                raise FileFormatError(path, f"field Date: {get('date')!r} is not a date "
                                      "like 07/14/2026", line)
            row_dates.add(d)
        sector = get(layout.sector)
        rows.append((ticker, get(layout.name_col),
                     None if sector in ("", "-", "--") else sector,
                     (get(layout.asset_class) or None), weight, number(layout.shares),
                     number(layout.market_value), line))
    if not rows:
        raise FileFormatError(path, f"no holdings after the {layout.name} header",
                              header_at + 2)
    if len(row_dates) > 1:
        raise FileFormatError(path, "field Date: rows carry different dates ("
                              + ", ".join(sorted(f"{d:%Y-%m-%d}" for d in row_dates)) + ")")
    if row_dates:
        as_of = next(iter(row_dates))
    if fund is not None and file_fund is not None and file_fund != normalize_ticker(fund):
        raise FileFormatError(path, f"the file is for {file_fund}, not {normalize_ticker(fund)}")
    frame = pd.DataFrame(rows, columns=["ticker", "name", "sector", "asset_class", "weight",
                                        "shares", "market_value", "line"])
    return FundHoldingsFile(path=str(path), layout=layout.name, fund=file_fund, as_of=as_of,
                            rows=frame, checksum=hashlib.sha256(raw).hexdigest())


# -- the store table -----------------------------------------------------------------------

FUND_HOLDINGS_DDL = """
CREATE TABLE IF NOT EXISTS fund_holdings (
    fund VARCHAR NOT NULL, as_of DATE NOT NULL, ticker VARCHAR NOT NULL, name VARCHAR,
    sector VARCHAR, asset_class VARCHAR, weight DOUBLE NOT NULL, shares DOUBLE,
    market_value DOUBLE, line INTEGER, layout VARCHAR, location VARCHAR, checksum VARCHAR,
    imported_at TIMESTAMP);
"""


def import_fund_holdings(store: Any, path: str | Path, fund: str, *,
                         as_of: Any = None) -> FundHoldingsFile:
    """Read an issuer file and store it as ``fund``'s holdings on its date.

    ``as_of`` overrides (or supplies) the file's date. Replaces rows already stored for
    the same fund and date, in one transaction.

    Raises
    ------
    FileFormatError
        As :func:`read_fund_holdings`, or when the file states no date and none is given.
    """
    fund_t = normalize_ticker(fund)
    if not re.match(r"^[A-Z0-9][A-Z0-9\-]*$", fund_t):
        raise ParameterError(f"import_fund_holdings(): 'fund' must be a ticker, got {fund!r}")
    info = read_fund_holdings(path, fund=fund_t)
    day = info.as_of
    if as_of is not None:
        day = pd.Timestamp(as_of).normalize()
    if day is None:
        raise FileFormatError(path, "the file states no holdings date; pass one (--date)")
    frame = info.rows.copy()
    frame.insert(0, "fund", fund_t)
    frame.insert(1, "as_of", day.date())
    frame["layout"] = info.layout
    frame["location"] = str(path)
    frame["checksum"] = info.checksum
    frame["imported_at"] = datetime.now(UTC).replace(tzinfo=None)
    store.ensure_schema(FUND_HOLDINGS_DDL)
    with store.transaction() as con:
        con.execute("DELETE FROM fund_holdings WHERE fund = ? AND as_of = ?",
                    [fund_t, day.date()])
        con.register("_x_fund_holdings", frame)
        try:
            con.execute("INSERT INTO fund_holdings BY NAME SELECT * FROM _x_fund_holdings")
        finally:
            con.unregister("_x_fund_holdings")
    return FundHoldingsFile(path=info.path, layout=info.layout, fund=fund_t, as_of=day,
                            rows=info.rows, checksum=info.checksum)


def _has_table(store: Any) -> bool:
    if store is None or not getattr(store, "exists", False):
        return False
    rows = store.con.execute("SELECT count(*) FROM information_schema.tables WHERE "
                             "table_name = 'fund_holdings'").fetchall()
    return bool(rows[0][0])


def stored_fund_holdings(store: Any, funds: list[str] | None = None, *,
                         as_of: Any = None) -> dict[str, pd.DataFrame]:
    """Per fund, the rows of the latest stored file dated on or before ``as_of``.

    Returns
    -------
    dict fund -> DataFrame (ticker, name, sector, asset_class, weight, shares,
    market_value) with ``attrs["as_of"]`` (the file's date) and ``attrs["location"]``.
    Funds without a file on or before ``as_of`` are absent.
    """
    if not _has_table(store):
        return {}
    sql = ("SELECT fund, as_of, ticker, name, sector, asset_class, weight, shares, "
           "market_value, location FROM fund_holdings f WHERE as_of = (SELECT max(as_of) "
           "FROM fund_holdings g WHERE g.fund = f.fund"
           + (" AND g.as_of <= $d" if as_of is not None else "") + ")")
    params: dict[str, Any] = {}
    if as_of is not None:
        params["d"] = pd.Timestamp(as_of).date()
    if funds is not None:
        sql += " AND fund IN (SELECT unnest($funds))"
        params["funds"] = [normalize_ticker(f) for f in funds]
    frame = store.con.execute(sql + " ORDER BY fund, line", params).df()
    out: dict[str, pd.DataFrame] = {}
    for fund, part in frame.groupby("fund", sort=True):
        rows = part.drop(columns=["fund", "as_of", "location"]).reset_index(drop=True)
        rows.attrs["as_of"] = pd.Timestamp(part["as_of"].iloc[0])
        rows.attrs["location"] = str(part["location"].iloc[0])
        out[str(fund)] = rows
    return out


def list_fund_holdings(store: Any) -> pd.DataFrame:
    """One row per stored file: fund, as_of, rows, weight_sum, layout, location."""
    cols = ["fund", "as_of", "rows", "weight_sum", "layout", "location"]
    if not _has_table(store):
        return pd.DataFrame(columns=cols)
    return store.con.execute(
        "SELECT fund, as_of, count(*) AS rows, sum(weight) AS weight_sum, any_value(layout) "
        "AS layout, any_value(location) AS location FROM fund_holdings GROUP BY fund, as_of "
        "ORDER BY fund, as_of").df()
