"""Price files on disk, one file per ticker: ``Date,Close``, Yahoo, yfinance and Stooq layouts.

The layout is detected from the header, ignoring case, spaces, underscores, dots and
Stooq's angle brackets, so ``Adj Close``, ``Adj_Close``, ``adjclose`` and ``<CLOSE>``
all match:

===================  =============================================================
layout               header (any column order unless stated)
===================  =============================================================
``date_close``       ``Date,Close`` (../shared/market-data)
``ohlcv``            ``Date,Open,High,Low,Close[,Volume][,OpenInt]`` (Stooq daily,
                     Yahoo without Adj Close); any subset of Open/High/Low/Volume
``ohlcv_adj``        the same plus ``Adj Close`` (Yahoo ``Date,Open,High,Low,Close,
                     Adj Close,Volume``)
``yfinance``         yfinance's 3-line MultiIndex header ``Price,...`` /
                     ``Ticker,...`` / ``Date,,,`` (one or several tickers)
``stooq_bulk``       ``<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,...`` with ``YYYYMMDD``
                     dates (daily period ``D`` only)
===================  =============================================================

When an adjusted close exists, ``close`` is the adjusted close, ``unadjusted_close`` the
raw one, and the series is marked ``adjusted=True``. ``OpenInt`` (open interest, not a
price) is the only column read and not stored. Dates are ISO ``YYYY-MM-DD``, optionally
followed by a midnight time and UTC offset as yfinance writes them
(``2024-01-02 00:00:00-05:00``); intraday timestamps are rejected.

The ticker comes from the file name (``BRK-B.csv`` -> ``BRK-B``, ``^TNX.csv`` -> ``^TNX``,
Stooq's ``aapl.us.txt`` -> ``AAPL``), except in the yfinance and Stooq bulk layouts which
name it inside the file.

Parsing uses pyarrow's C CSV reader. When it fails, or a value is empty, NaN or infinite,
a line-by-line parser re-reads the file to name the exact line (1-based, header lines
included, as an editor shows them) and the reason. Problems that make a file unusable
raise :class:`~rotascope.errors.FileFormatError` carrying ``path``, ``line``, ``reason``
and ``check`` (the quality-check token: ``bad_close``, ``dup_dates``, ...); see
:mod:`rotascope.data.quality` for the policy.
"""

from __future__ import annotations

import csv
import errno
import io
import math
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ...errors import FileFormatError, ParameterError
from ..model import Rejection, SeriesData, normalize_ticker, show_text, ticker_problem
from .base import Query, RawPayload, Source, sha256_bytes

__all__ = ["CsvFolderSource", "parse_price_csv", "ticker_from_filename", "list_price_files",
           "read_price_file", "detect_layout", "Layout", "PRICE_FILE_SUFFIXES",
           "MAX_FILE_BYTES", "MAX_LINE_BYTES", "MIN_DATE", "latest_date"]

#: File name endings read from a folder (case-insensitive); other files are not price data.
PRICE_FILE_SUFFIXES = (".csv", ".txt")

#: Stooq appends a market to its file names (``aapl.us.txt``); these are removed.
_STOOQ_MARKETS = ("us", "uk", "de", "jp", "hk", "pl", "hu")

# normalised header cell -> canonical column
_ALIASES = {
    "date": "date", "datetime": "date",
    "close": "close", "open": "open", "high": "high", "low": "low",
    "adjclose": "adj_close", "adjustedclose": "adj_close",
    "volume": "volume", "vol": "volume",
    "openint": "openint", "openinterest": "openint",
    "ticker": "ticker", "symbol": "ticker", "per": "per", "period": "per", "time": "time",
}
_NUMERIC = ("open", "high", "low", "close", "adj_close", "volume")
# ASCII digits only: Python's \d and float() also accept Arabic-Indic or fullwidth digits.
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}( 00:00:00(\.0+)?([+-][0-9]{2}:?[0-9]{2}|Z)?)?$"
_ISO_DATE_RE = re.compile(_ISO_DATE, re.ASCII)
_BULK_DATE_RE = re.compile(r"^[0-9]{8}$", re.ASCII)
_NUMBER_RE = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$", re.ASCII)
_LINE_END_RE = re.compile(r"\r\n|\r|\n")

#: Largest file read, in bytes (256 MiB); a larger file is rejected without being read.
MAX_FILE_BYTES = 256 * 2**20
#: Longest line, in bytes without its line end (1 MiB); a longer line rejects its file.
MAX_LINE_BYTES = 2**20
#: Earliest date accepted in a price file; earlier dates reject the file (``bad_date``).
MIN_DATE = "1900-01-01"


def latest_date() -> np.datetime64:
    """Latest date accepted: today where the calendar is furthest ahead (UTC+14).

    A row dated after it is in the future everywhere and rejects its file
    (``bad_date``).
    """
    now = datetime.now(UTC) + timedelta(hours=14)
    return np.datetime64(now.date().isoformat(), "D")


def _norm_cell(cell: str) -> str:
    return re.sub(r"[\s_<>.\-\"']", "", cell).lower()


@dataclass(frozen=True)
class Layout:
    """A detected file layout.

    ``columns`` maps each column position to its canonical name (``date``, ``close``,
    ``adj_close``, ``open``, ``high``, ``low``, ``volume``, ``openint``, ``ticker``,
    ``per``, ``time``); ``tickers`` gives, for the yfinance layout, the ticker of each
    column (``None`` elsewhere). ``header_lines`` is how many lines precede the data.
    """

    name: str
    columns: tuple[str, ...]
    header_lines: int
    header: str
    tickers: tuple[str | None, ...] | None = None

    @property
    def adjusted(self) -> bool | None:
        return True if "adj_close" in self.columns else None


def _first_lines(content: bytes, n: int) -> list[str]:
    # the same line ends as the parsers (\n, \r\n, \r; not str.splitlines' \x85, \u2028...)
    text = content[:n * (MAX_LINE_BYTES + 2)].decode("utf-8-sig", errors="replace")
    return _LINE_END_RE.split(text, maxsplit=n)[:n]


def _split(line: str, location: str = "<bytes>", lineno: int = 1) -> list[str]:
    if not line:
        return []
    try:
        return next(csv.reader([line]))
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KiB limit
        raise _format_error(location, f"unreadable CSV line: {_csv_reason(exc)}", lineno,
                            "bad_layout") from None


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a field is longer than {csv.field_size_limit():,} characters"
    return text


def detect_layout(content: bytes, location: str = "<bytes>") -> Layout:
    """Detect the layout of a price file from its first lines.

    Raises
    ------
    FileFormatError
        Naming the file and the header found when no layout fits (``check`` is
        ``"bad_layout"``).
    """
    try:
        return _detect_layout(content, location)
    except FileFormatError as exc:
        exc.check = "bad_layout"  # type: ignore[attr-defined]
        raise


def _detect_layout(content: bytes, location: str) -> Layout:
    lines = _first_lines(content, 3)
    if not lines or not lines[0].strip():
        raise FileFormatError(location, "empty file (no header line)", 1)
    header = lines[0]
    cells = _split(header, location, 1)
    norm = [_norm_cell(c) for c in cells]
    expected = ("expected a header like 'Date,Close', 'Date,Open,High,Low,Close,Adj Close,"
                "Volume', 'Date,Open,High,Low,Close,Volume' (Stooq), "
                "'<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>' "
                "(Stooq bulk) or yfinance's 'Price/Ticker/Date' header")
    if norm and norm[0] == "price":
        return _detect_yfinance(lines, location, expected)
    canon = [_ALIASES.get(c) for c in norm]
    unknown = [cells[i] for i, c in enumerate(canon) if c is None]
    if unknown:
        shown = ", ".join(_clip(u, 40) for u in unknown[:5])
        raise FileFormatError(location, f"unrecognised layout: header {_clip(header)} has "
                              f"unknown column(s) {shown}; {expected}", 1)
    cols = tuple(c for c in canon if c is not None)
    dups = sorted({c for c in cols if cols.count(c) > 1})
    if dups:
        raise FileFormatError(location, f"unrecognised layout: header {_clip(header)} repeats "
                              f"column(s) {', '.join(dups)}", 1)
    if "date" not in cols or "close" not in cols:
        missing = [c for c in ("date", "close") if c not in cols]
        raise FileFormatError(location, f"unrecognised layout: header {_clip(header)} has no "
                              f"{' or '.join(missing)} column; {expected}", 1)
    bulk = "ticker" in cols or "per" in cols
    if bulk:
        name = "stooq_bulk"
    elif set(cols) == {"date", "close"}:
        name = "date_close"
    elif "time" in cols:
        raise FileFormatError(location, f"unrecognised layout: header {_clip(header)} has a "
                              "time column (intraday data is not supported); " + expected, 1)
    else:
        name = "ohlcv_adj" if "adj_close" in cols else "ohlcv"
    return Layout(name, cols, 1, header)


def _detect_yfinance(lines: list[str], location: str, expected: str) -> Layout:
    header = " / ".join(lines)
    if len(lines) < 3:
        raise FileFormatError(location, f"unrecognised layout: yfinance header {_clip(header)} "
                              "needs 3 lines (Price, Ticker, Date)", len(lines) or 1)
    fields, tick, third = (_split(x, location, i) for i, x in enumerate(lines[:3], start=1))
    if not tick or _norm_cell(tick[0]) != "ticker" or len(tick) != len(fields):
        raise FileFormatError(location, f"unrecognised layout: yfinance header line 2 must be "
                              f"'Ticker,...' with one ticker per column, got {_clip(lines[1])}", 2)
    if (not third or _norm_cell(third[0]) not in ("date", "datetime")
            or any(c.strip() for c in third[1:])):
        raise FileFormatError(location, f"unrecognised layout: yfinance header line 3 must be "
                              f"'Date,,,...', got {_clip(lines[2])}", 3)
    cols: list[str] = ["date"]
    tickers: list[str | None] = [None]
    for cell, t in zip(fields[1:], tick[1:], strict=True):
        c = _ALIASES.get(_norm_cell(cell))
        if c is None or c in ("date", "ticker", "per", "time"):
            raise FileFormatError(location, f"unrecognised layout: yfinance column {_clip(cell)} "
                                  f"in header {_clip(lines[0])}; {expected}", 1)
        if not t.strip():
            raise FileFormatError(location, f"yfinance header: column {_clip(cell)} has no ticker "
                                  f"in line 2 {_clip(lines[1])}", 2)
        problem = ticker_problem(t)
        if problem is not None:
            raise FileFormatError(location, f"yfinance header: {problem}", 2)
        cols.append(c)
        tickers.append(normalize_ticker(t))
    pairs = list(zip(cols[1:], tickers[1:], strict=True))
    dups = sorted({f"{c}/{t}" for c, t in pairs if pairs.count((c, t)) > 1})
    if dups:
        raise FileFormatError(location, f"yfinance header repeats column(s) {', '.join(dups)}", 1)
    for tk in dict.fromkeys(tickers[1:]):
        if "close" not in {c for c, tt in pairs if tt == tk}:
            raise FileFormatError(location, f"yfinance header has no Close column for {tk}", 1)
    return Layout("yfinance", tuple(cols), 3, header, tuple(tickers))


def ticker_from_filename(path: str | Path) -> str:
    """Ticker named by a price file: ``brk.b.csv`` -> ``BRK-B``, ``aapl.us.txt`` -> ``AAPL``.

    Examples
    --------
    >>> ticker_from_filename("prices/^TNX.csv"), ticker_from_filename("aapl.us.txt")
    ('^TNX', 'AAPL')
    """
    name = Path(path).name
    lower = name.lower()
    for suffix in PRICE_FILE_SUFFIXES:
        if lower.endswith(suffix):
            name = name[: -len(suffix)]
            break
    head, dot, market = name.rpartition(".")
    if dot and head and market.lower() in _STOOQ_MARKETS:
        name = head
    problem = ticker_problem(name)
    if problem is not None:
        raise _format_error(str(path), f"{problem} (the ticker is taken from the file name)",
                            None, "bad_ticker")
    return normalize_ticker(name)


def _bulk_ticker(raw: str, location: str, line: int | None) -> str:
    """Ticker of a Stooq bulk row (``AAPL.US`` -> ``AAPL``), validated before anything else
    so ``../../x`` is refused rather than reduced to ``X``."""
    name = raw.strip(" ")
    problem = ticker_problem(name)
    if problem is None:
        head, dot, market = name.rpartition(".")
        if dot and head and market.lower() in _STOOQ_MARKETS:
            name = head
        return normalize_ticker(name)
    raise _format_error(location, problem, line, "bad_ticker")


def _safe_ticker(path: str | Path) -> str | None:
    try:
        return ticker_from_filename(path)
    except FileFormatError:
        return None


def list_price_files(folder: str | Path) -> list[Path]:
    """Entries directly inside ``folder`` named ``*.csv``/``*.txt`` (not hidden), sorted.

    Every such entry is listed whatever it is (regular file, symlink, FIFO, device,
    folder), so the import can say why it did not read it; a name that is only the
    suffix (``.csv``) is listed too (it names no ticker and is rejected).
    """
    folder = Path(folder)
    return sorted(p for p in folder.iterdir()
                  if p.name.lower().endswith(PRICE_FILE_SUFFIXES)
                  and (not p.name.startswith(".")
                       or p.name.lower() in PRICE_FILE_SUFFIXES))


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_price_file(path: str | Path, *, root: str | Path | None = None,
                    follow_links: bool = False, max_bytes: int = MAX_FILE_BYTES
                    ) -> tuple[bytes, bool]:
    """The bytes of one price file, read safely; ``(content, outside_root)``.

    Only regular files are read (opened non-blocking, so a FIFO cannot hang the
    import; devices such as ``/dev/zero`` are never read). A symbolic link is followed
    only when its target is inside ``root`` (the imported folder), unless
    ``follow_links``. At most ``max_bytes`` are read.

    Raises
    ------
    FileFormatError
        With ``check`` ``not_regular`` (folder, FIFO, device, socket, symlink loop,
        dangling link), ``link_outside`` (link out of ``root``, not followed),
        ``too_large`` or ``unreadable``; the reason never quotes the file's content.
    """
    p = Path(path)
    location = str(p)

    def fail(reason: str, check: str) -> FileFormatError:
        return _format_error(location, reason, None, check)

    try:
        lst = os.lstat(p)
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}", "unreadable") from None
    is_link = stat.S_ISLNK(lst.st_mode)
    try:
        real = Path(os.path.realpath(p, strict=True))
    except (OSError, RuntimeError) as exc:
        loop = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP
        if is_link and loop:
            raise fail("symbolic link loop: not read", "not_regular") from None
        if is_link:
            target = os.readlink(p)
            raise fail(f"dangling symbolic link (its target {show_text(target)} does not "
                       "exist): not read", "not_regular") from None
        raise fail(f"cannot read: {getattr(exc, 'strerror', None) or exc}",
                   "unreadable") from None
    outside = False
    if root is not None:
        root_real = Path(os.path.realpath(root))
        outside = real != root_real and root_real not in real.parents
        if outside and not follow_links:
            raise fail(f"symbolic link to {show_text(str(real))}, outside the imported folder "
                       f"{show_text(str(root_real))}: not followed (pass --follow-links to "
                       "read it)", "link_outside")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode):
            raise fail(f"{_kind(st.st_mode)}, not a regular file: not read"
                       + (f" (symbolic link to {show_text(str(real))})" if is_link else ""),
                       "not_regular")
        fd = os.open(real, flags)
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}", "unreadable") from None
    try:
        st = os.fstat(fd)      # what was opened, not what was looked at
        if not stat.S_ISREG(st.st_mode):
            raise fail(f"{_kind(st.st_mode)}, not a regular file: not read", "not_regular")
        if st.st_size > max_bytes:
            raise fail(f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit: "
                       "not read", "too_large")
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise fail(f"file grew over the {max_bytes:,}-byte limit while read: not read",
                       "too_large")
        return b"".join(chunks), outside
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}", "unreadable") from None
    finally:
        os.close(fd)


# -- parsing -----------------------------------------------------------------------------

def _format_error(location: str, reason: str, line: int | None, check: str | None,
                  ) -> FileFormatError:
    err = FileFormatError(location, reason, line)
    err.check = check  # type: ignore[attr-defined]
    return err


def _numeric_check(col: str) -> str:
    return "bad_close" if col in ("close", "adj_close") else "bad_value"


def _display(col: str) -> str:
    return {"adj_close": "Adj Close", "volume": "Volume"}.get(col, col.capitalize())


def _line_map(content: bytes, header_lines: int) -> np.ndarray:
    """1-based line number of each data row (skipping blank lines as the reader does)."""
    text = content.decode("utf-8-sig", errors="replace")
    nonblank = [i + 1 for i, ln in enumerate(_LINE_END_RE.split(text.rstrip("\r\n")))
                if ln.strip()]
    return np.asarray(nonblank[header_lines:], dtype=np.int64)


class _Parsed:
    """Columns of a parsed file: dates (datetime64[D]) and float64 arrays, plus ticker."""

    def __init__(self, dates: np.ndarray, values: dict[int, np.ndarray],
                 tickers: np.ndarray | None, lines: np.ndarray | None) -> None:
        self.dates = dates
        self.values = values          # column position -> float64 array
        self.tickers = tickers        # per-row ticker (stooq bulk) or None
        self.lines = lines            # per-row 1-based line, or None when rows map 1:1


def _parse_fast(content: bytes, layout: Layout) -> _Parsed:
    n = len(layout.columns)
    names = [f"c{i}" for i in range(n)]
    types: dict[str, pa.DataType] = {}
    for i, c in enumerate(layout.columns):
        types[names[i]] = pa.float64() if c in _NUMERIC else pa.string()
    include = [names[i] for i, c in enumerate(layout.columns) if c != "openint"]
    table = pacsv.read_csv(
        pa.BufferReader(content),
        read_options=pacsv.ReadOptions(use_threads=False, skip_rows=layout.header_lines,
                                       column_names=names, encoding="utf8"),
        parse_options=pacsv.ParseOptions(ignore_empty_lines=True),
        convert_options=pacsv.ConvertOptions(column_types=types, include_columns=include,
                                             strings_can_be_null=False))
    date_col = names[layout.columns.index("date")]
    raw_dates = table.column(date_col)
    if layout.name == "stooq_bulk":
        if not pc.all(pc.match_substring_regex(raw_dates, r"^\d{8}$")).as_py():
            raise ValueError("bad date")
        dates = pc.strptime(raw_dates, format="%Y%m%d", unit="s").cast(pa.date32())
        for col, ok in (("per", r"^[dD]$"), ("time", r"^0{1,6}$")):
            if col in layout.columns:
                arr = table.column(names[layout.columns.index(col)])
                if len(arr) and not pc.all(pc.match_substring_regex(arr, ok)).as_py():
                    raise ValueError(col)
    else:
        if len(raw_dates) and not pc.all(pc.match_substring_regex(raw_dates, _ISO_DATE)).as_py():
            raise ValueError("bad date")
        dates = pc.utf8_slice_codeunits(raw_dates, 0, 10).cast(pa.date32())
    values: dict[int, np.ndarray] = {}
    for i, c in enumerate(layout.columns):
        if c in _NUMERIC:
            arr = table.column(names[i])
            if arr.null_count and layout.name != "yfinance":
                raise ValueError("null")
            v = arr.to_numpy(zero_copy_only=False)   # yfinance: empty cells -> NaN
            if not np.isfinite(v[~np.isnan(v)] if layout.name == "yfinance" else v).all():
                raise ValueError("non-finite")
            values[i] = v
    tickers = None
    if "ticker" in layout.columns:
        tickers = np.asarray(table.column(names[layout.columns.index("ticker")]).to_numpy(
            zero_copy_only=False), dtype=object)
    d = dates.to_numpy().astype("datetime64[D]") if len(dates) else np.empty(0, "datetime64[D]")
    return _Parsed(d, values, tickers, None)


def _parse_slow(content: bytes, layout: Layout, location: str) -> _Parsed:
    """Line-by-line parser: same rules as the fast path, exact line numbers on errors."""
    text = content.decode("utf-8-sig", errors="strict")
    n = len(layout.columns)
    date_pos = layout.columns.index("date")
    bulk = layout.name == "stooq_bulk"
    date_re = _BULK_DATE_RE if bulk else _ISO_DATE_RE
    dates: list[np.datetime64] = []
    values: dict[int, list[float]] = {i: [] for i, c in enumerate(layout.columns)
                                      if c in _NUMERIC}
    tickers: list[str] = []
    lines: list[int] = []
    for lineno, raw in enumerate(io.StringIO(text, newline=None), start=1):
        if lineno <= layout.header_lines:
            continue
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        fields = _split(line, location, lineno)
        if len(fields) != n:
            raise _format_error(location, f"expected {n} fields as in the header "
                                f"{_clip(layout.header)}, got {len(fields)}: {_clip(line)}", lineno,
                                "field_count")
        ds = fields[date_pos].strip()
        if not date_re.match(ds):
            what = "YYYYMMDD" if bulk else "YYYY-MM-DD"
            raise _format_error(location, f"unparsable date {_clip(ds)} (expected {what}, "
                                "daily data)", lineno, "bad_date")
        try:
            day = (np.datetime64(f"{ds[:4]}-{ds[4:6]}-{ds[6:8]}", "D") if bulk
                   else np.datetime64(ds[:10], "D"))
        except ValueError:
            raise _format_error(location, f"unparsable date {_clip(ds)} (no such day)", lineno,
                                "bad_date") from None
        for i, col in enumerate(layout.columns):
            cell = fields[i].strip()
            if col in _NUMERIC:
                name = _display(col)
                if layout.name == "yfinance" and (not cell or cell.lower() == "nan"):
                    values[i].append(math.nan)     # checked per ticker afterwards
                    continue
                if not cell:
                    raise _format_error(location, f"empty {name} value", lineno,
                                        _numeric_check(col))
                if not _NUMBER_RE.match(cell):
                    kind = "NaN" if cell.lower() in ("nan", "-nan") else "non-numeric"
                    hint = ("" if cell.isascii() else
                            " (only ASCII digits 0-9 are read as numbers)")
                    raise _format_error(location, f"{kind} {name} value {_clip(cell)}{hint}",
                                        lineno, _numeric_check(col))
                v = float(cell)
                if not math.isfinite(v):
                    raise _format_error(location, f"non-finite {name} value {_clip(cell)}", lineno,
                                        _numeric_check(col))
                values[i].append(v)
            elif col == "per" and cell.upper() != "D":
                raise _format_error(location, f"period {_clip(cell)} is not daily ('D'); only "
                                    "daily data can be imported", lineno, "bad_layout")
            elif col == "time" and cell.strip("0"):
                raise _format_error(location, f"time {_clip(cell)} is not 000000; intraday data "
                                    "cannot be imported", lineno, "bad_layout")
        if bulk and "ticker" in layout.columns:
            tickers.append(fields[layout.columns.index("ticker")].strip(" "))
        dates.append(day)
        lines.append(lineno)
    return _Parsed(np.array(dates, dtype="datetime64[D]"),
                   {i: np.array(v, dtype=np.float64) for i, v in values.items()},
                   np.array(tickers, dtype=object) if bulk and "ticker" in layout.columns
                   else None, np.array(lines, dtype=np.int64))


def _clip(text: str, limit: int = 80) -> str:
    """``repr`` of ``text`` cut to ``limit`` characters (a 1 MB line is not echoed)."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}... ({len(text):,} chars)"


def _check_text(content: bytes, location: str) -> None:
    """UTF-8 (optional BOM) with lines of at most :data:`MAX_LINE_BYTES`, or the line
    (and column) that is not."""
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if content.startswith(b"\xef\xbb\xbf") else 0)
        line = content.count(b"\n", 0, start) + 1
        begin = content.rfind(b"\n", 0, start) + 1
        col = len(content[begin:start].decode("utf-8", errors="replace")) + 1
        bad = content[start:start + 1].hex()
        hint = " (UTF-16?)" if content[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise _format_error(location, f"not UTF-8 text{hint}: invalid byte 0x{bad} at line "
                            f"{line}, column {col} ({exc.reason}); save the file as UTF-8",
                            line, "bad_encoding") from None
    if len(content) <= MAX_LINE_BYTES:
        return
    ends = np.flatnonzero(np.frombuffer(content, dtype=np.uint8) == 10)
    bounds = np.concatenate(([-1], ends, [len(content)]))
    lengths = np.diff(bounds) - 1
    over = np.flatnonzero(lengths > MAX_LINE_BYTES + 1)   # +1: a CR before the LF
    if len(over):
        raise _format_error(location, f"line is {int(lengths[over[0]]):,} bytes long, over "
                            f"the {MAX_LINE_BYTES:,}-byte limit", int(over[0]) + 1, "bad_layout")


def _check_date_range(location: str, dates: np.ndarray, line_of: Any) -> None:
    """Dates before :data:`MIN_DATE` or after :func:`latest_date` reject the file."""
    if not len(dates):
        return
    low, high = np.datetime64(MIN_DATE, "D"), latest_date()
    bad = np.flatnonzero((dates < low) | (dates > high))
    if not len(bad):
        return
    i = int(bad[0])
    day = dates[i]
    why = (f"before {MIN_DATE}" if day < low else
           f"in the future (after {high}, today's date anywhere in the world)")
    raise _format_error(location, f"date {day} is {why}", int(line_of()[i]), "bad_date")


def _check_order(location: str, dates: np.ndarray, lines: np.ndarray) -> None:
    """Reject duplicate or descending dates, naming the line of the offending row."""
    if len(dates) < 2:
        return
    step = np.diff(dates.astype(np.int64))
    bad = np.flatnonzero(step <= 0)
    if not len(bad):
        return
    i = int(bad[0]) + 1
    day = str(dates[i])
    if step[i - 1] == 0:
        raise _format_error(location, f"duplicate date {day} (also on line {lines[i - 1]})",
                            int(lines[i]), "dup_dates")
    raise _format_error(location, f"dates not ascending: {day} follows {dates[i - 1]} "
                        f"(line {lines[i - 1]})", int(lines[i]), "non_monotonic")


def _yfinance_rows(ticker: str, cols: dict[str, int], parsed: _Parsed, location: str,
                   line_of: Any) -> np.ndarray:
    """Rows of one ticker in a yfinance file: all its cells empty = not traded that day."""
    block = np.isnan(np.vstack([parsed.values[pos] for pos in cols.values()]))
    none = block.all(axis=0)
    partial = np.flatnonzero(block.any(axis=0) & ~none)
    if len(partial):
        row = int(partial[0])
        empty = [_display(c) for c, pos in cols.items() if np.isnan(parsed.values[pos][row])]
        check = "bad_close" if {"Close", "Adj Close"} & set(empty) else "bad_value"
        raise _format_error(location, f"{ticker}: empty {', '.join(empty)} value while its "
                            "other columns have values", int(line_of()[row]), check)
    rows = np.flatnonzero(~none)
    if not len(rows):
        raise _format_error(location, f"{ticker}: no values in any row", None, "empty")
    return rows


def parse_price_csv(content: bytes, location: str, *, ticker: str | None = None,
                    source: str = "csv", adjusted: bool | None = None,
                    kind: str | None = None) -> list[SeriesData]:
    """Parse the bytes of one price file into canonical series.

    Parameters
    ----------
    content : the raw file bytes (UTF-8, optional BOM, LF or CRLF line ends).
    location : file name or URL used in messages and provenance.
    ticker : ticker for single-ticker layouts; default: from ``location``'s file name.
    source : provenance source name.
    adjusted : override the adjusted flag (layouts with Adj Close always give True).
    kind : instrument kind to record (``stock``, ``etf``, ``index``...), if known.

    Returns
    -------
    list of SeriesData
        One per ticker in the file (several only for yfinance and Stooq bulk files),
        each with float64 columns among ``close, open, high, low, volume,
        unadjusted_close`` on a sorted unique ``DatetimeIndex`` named ``date``.

    Raises
    ------
    FileFormatError
        Unknown layout (naming the header found), wrong field count, unparsable date,
        empty/NaN/non-numeric value, duplicate or descending dates, empty file; with the
        1-based line and ``check`` set to the quality token (``bad_close``,
        ``dup_dates``, ``non_monotonic``, ``bad_date``, ``bad_value``, ``bad_layout``).
    """
    _check_text(content, location)
    layout = detect_layout(content, location)
    try:
        parsed = _parse_fast(content, layout)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, UnicodeDecodeError) as fast_exc:
        parsed = _parse_slow(content, layout, location)
        if parsed.lines is None:  # pragma: no cover - slow parser always sets lines
            raise _format_error(location, f"cannot parse: {fast_exc}", None,
                                "bad_layout") from None
    if len(parsed.dates) == 0:
        raise _format_error(location, f"no data rows after the header "
                            f"{_clip(layout.header)}", layout.header_lines + 1, "empty")
    lines = parsed.lines if parsed.lines is not None else None

    def line_of() -> np.ndarray:
        return lines if lines is not None else _line_map(content, layout.header_lines)

    _check_date_range(location, parsed.dates, line_of)
    if ticker is not None and ticker_problem(ticker) is not None:
        raise _format_error(location, str(ticker_problem(ticker)), None, "bad_ticker")

    groups: list[tuple[str, np.ndarray | None, dict[str, int]]] = []
    if layout.name == "yfinance":
        assert layout.tickers is not None
        for t in dict.fromkeys(x for x in layout.tickers[1:] if x is not None):
            cols = {c: i for i, (c, tt) in enumerate(zip(layout.columns, layout.tickers,
                                                           strict=True)) if tt == t}
            groups.append((t, None, cols))
    else:
        cols = {c: i for i, c in enumerate(layout.columns) if c in _NUMERIC}
        if parsed.tickers is not None:
            codes, uniques = pd.factorize(parsed.tickers)
            for k, raw in enumerate(uniques):
                rows_k = np.flatnonzero(codes == k)
                groups.append((_bulk_ticker(str(raw), location, int(line_of()[rows_k[0]])),
                               rows_k, cols))
        else:
            groups.append((normalize_ticker(ticker) if ticker else
                           ticker_from_filename(location), None, cols))

    checksum = sha256_bytes(content)
    out: list[SeriesData] = []
    for t, rows, cols in groups:
        if layout.name == "yfinance":
            rows = _yfinance_rows(t, cols, parsed, location, line_of)
        dates = parsed.dates if rows is None else parsed.dates[rows]
        step = np.diff(dates.astype(np.int64))
        if len(step) and (step <= 0).any():
            all_lines = line_of()
            _check_order(location, dates, all_lines if rows is None else all_lines[rows])
        frame_cols: dict[str, np.ndarray] = {}
        for col, pos in cols.items():
            v = parsed.values[pos] if rows is None else parsed.values[pos][rows]
            if col == "adj_close":
                frame_cols["close"] = v
            elif col == "close" and "adj_close" in cols:
                frame_cols["unadjusted_close"] = v
            else:
                frame_cols[col] = v
        order = [c for c in ("close", "open", "high", "low", "volume", "unadjusted_close")
                 if c in frame_cols]
        index = pd.DatetimeIndex(dates.astype("datetime64[ns]"), name="date")
        frame = pd.DataFrame({c: frame_cols[c] for c in order}, index=index)
        is_adj = True if "adj_close" in cols else adjusted
        out.append(SeriesData(ticker=t, frame=frame, source=source, location=location,
                              checksum=checksum, adjusted=is_adj, kind=kind))
    return out


class CsvFolderSource(Source):
    """Import a folder of price files (or one file), one ticker per file.

    ``build_query(path=..., adjusted=None, kinds=None, follow_links=False)``: ``path``
    is a folder (its ``*.csv``/``*.txt`` entries are read; a folder laid out like
    ../shared/market-data, with a ``prices/`` subfolder, reads ``prices/``) or a single
    file. ``kinds`` maps tickers to an instrument kind to record. Files are read with
    :func:`read_price_file`: regular files only, at most :data:`MAX_FILE_BYTES`, and
    symbolic links that leave the imported folder (``path``; a single file's folder)
    are not followed unless ``follow_links``. An error about a file outside that folder
    never quotes its content.

    Examples
    --------
    >>> src = CsvFolderSource()
    >>> q = src.build_query(path="../shared/market-data/prices")  # doctest: +SKIP
    >>> out = src.load(q)                                         # doctest: +SKIP
    """

    name = "csv"
    updates_prices = False
    online = False

    def build_query(self, **params: Any) -> Query:
        path = params.pop("path", None)
        adjusted = params.pop("adjusted", None)
        kinds = params.pop("kinds", None) or {}
        follow_links = bool(params.pop("follow_links", False))
        if params:
            raise ParameterError(f"CsvFolderSource.build_query(): unknown parameter(s) "
                                 f"{', '.join(sorted(params))}; expected path, adjusted, kinds, "
                                 "follow_links")
        if path is None:
            raise ParameterError("CsvFolderSource.build_query(): 'path' is required")
        p = Path(path).expanduser()
        if not p.exists() and not p.is_symlink():
            raise ParameterError(f"CsvFolderSource.build_query(): {p} does not exist")
        if p.is_dir():
            root = p
            folder = p / "prices" if (p / "prices").is_dir() else p
            files = list_price_files(folder)
            if not files:
                raise ParameterError(f"CsvFolderSource.build_query(): no *.csv or *.txt files "
                                     f"in {folder}")
        else:
            root = p.parent
            files = [p]
        return Query(self.name, {"path": str(p), "root": str(root),
                                 "files": [str(f) for f in files], "adjusted": adjusted,
                                 "kinds": dict(kinds), "follow_links": follow_links})

    def fetch(self, query: Query) -> Iterator[RawPayload | Rejection]:
        root = query.params.get("root")
        follow = bool(query.params.get("follow_links", False))
        for f in query.params["files"]:
            try:
                content, outside = read_price_file(f, root=root, follow_links=follow)
            except FileFormatError as exc:
                yield Rejection(f, exc.reason, ticker=_safe_ticker(f),
                                check=getattr(exc, "check", None))
                continue
            yield RawPayload(location=f, content=content, key=_safe_ticker(f) or "",
                             meta={"outside": outside})

    def to_frame(self, query: Query, raw: RawPayload) -> list[SeriesData]:
        kinds = query.params.get("kinds") or {}
        try:
            series = parse_price_csv(raw.content, raw.location, source=self.name,
                                     adjusted=query.params.get("adjusted"))
        except FileFormatError as exc:
            if not raw.meta.get("outside"):
                raise
            check = getattr(exc, "check", None)
            err = FileFormatError(raw.location, f"not a valid price file ({check or 'error'}); "
                                  "details not shown: the file is outside the imported "
                                  "folder (reached through --follow-links)", exc.line)
            err.check = check  # type: ignore[attr-defined]
            raise err from None
        if kinds:
            series = [SeriesData(**{**s.__dict__, "kind": kinds.get(s.ticker, s.kind)})
                      for s in series]
        return series
