"""The S&P 500 member list from Wikipedia's public "List of S&P 500 companies" table.

Request: ``GET https://en.wikipedia.org/wiki/List_of_S%26P_500_companies`` (with a
descriptive User-Agent, as Wikimedia's policy asks). The page's ``<table id="constituents">``
is parsed with lxml into the shape of ``../shared/market-data/constituents/sp500.csv``:

``Symbol, Security, GICS Sector, GICS Sub-Industry, Headquarters Location, Date added,
CIK, Founded`` (all text; ``Symbol`` as Wikipedia spells it, ``BRK.B``; ``CIK`` without
its leading zeros, as in that file; footnote markers such as ``[3]`` removed; an empty
cell stays empty).

:func:`members_frame` turns it into the frame :meth:`Store.save_universe
<rotascope.data.store.Store.save_universe>` takes (``ticker`` in the store's spelling,
``BRK-B``; ``name``; ``sector``; no dates: the list is today's membership, not
point-in-time). ``rotascope data update --members`` saves it as universe ``sp500``.

This source yields a member list, not price series: ``to_frame`` returns the constituents
``DataFrame`` and ``load`` puts it in ``SourceOutput.extra["members"]``.

Wikipedia text is CC BY-SA 4.0; see docs/providers.md.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import httpx
import pandas as pd
from lxml import html as lxml_html

from ...errors import SourceError
from ..model import Rejection, normalize_ticker
from ._http import OnlineSource, safe_url
from .base import Query, RawPayload, SourceOutput

__all__ = ["WikipediaSp500Source", "SP500_URL", "CONSTITUENT_COLUMNS", "parse_constituents",
           "members_frame"]

SP500_URL = "https://en.wikipedia.org/wiki/List_of_S%26P_500_companies"
#: Columns of the parsed table, in order (the layout of constituents/sp500.csv).
CONSTITUENT_COLUMNS = ("Symbol", "Security", "GICS Sector", "GICS Sub-Industry",
                       "Headquarters Location", "Date added", "CIK", "Founded")
_REQUIRED = ("Symbol", "Security", "GICS Sector")
_FOOTNOTE_RE = re.compile(r"\[(\d+|[a-z]|note \d+|citation needed)\]")
_SYMBOL_RE = re.compile(r"^[A-Z][A-Z0-9.\-]{0,9}$")


class WikipediaSp500Source(OnlineSource):
    """Today's S&P 500 members from Wikipedia (see the module notes).

    Parameters
    ----------
    client, transport, retry, sleep, timeout, rng : see
        :class:`~rotascope.data.sources._http.OnlineSource`.
    url : str, default :data:`SP500_URL`.
    """

    name = "wikipedia-sp500"
    updates_prices = False
    host = "en.wikipedia.org"
    provides: ClassVar[str] = "members"

    def __init__(self, client: httpx.Client | None = None, *, url: str = SP500_URL,
                 **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.url = url

    def build_query(self, **params: Any) -> Query:  # type: ignore[override]
        """No parameters: the page is the whole list."""
        if params:
            from ...errors import ParameterError

            raise ParameterError("WikipediaSp500Source.build_query(): takes no parameters, "
                                 f"got {', '.join(sorted(params))}")
        return Query(source=self.name, params={"tickers": ["SP500-MEMBERS"]})

    def fetch_one(self, query: Query, ticker: str) -> RawPayload:
        location = safe_url(self.url)
        response = self.http.get(self.url, what="the S&P 500 member list")
        if response.status_code != 200:
            raise self.error("S&P 500 list", location, f"Wikipedia answered HTTP "
                             f"{response.status_code} {response.reason_phrase}".rstrip())
        return RawPayload(location, response.content, key="sp500")

    def to_frame(self, query: Query, raw: RawPayload) -> pd.DataFrame:  # type: ignore[override]
        """The constituents table (columns :data:`CONSTITUENT_COLUMNS`)."""
        return parse_constituents(raw.content, location=raw.location)

    def load(self, query: Query, progress: Any = None) -> SourceOutput:
        """``extra["members"]`` (the table), ``extra["location"]``, ``extra["checksum"]``."""
        out = SourceOutput()
        for item in self.fetch(query):
            if isinstance(item, Rejection):
                out.rejected.append(item)
                continue
            try:
                out.extra["members"] = self.to_frame(query, item)
            except SourceError as exc:
                out.rejected.append(Rejection(item.location, str(exc), check="source"))
            else:
                out.extra["location"] = item.location
                out.extra["checksum"] = item.checksum
            if progress is not None:
                progress(1)
        return out


def _cell_text(cell: Any) -> str:
    for sup in cell.xpath(".//sup[contains(concat(' ', normalize-space(@class), ' '), "
                          "' reference ')] | .//style | .//span[@class='sortkey']"):
        sup.drop_tree()
    text = " ".join(cell.text_content().split())
    return _FOOTNOTE_RE.sub("", text).strip()


def parse_constituents(content: bytes, *, location: str = SP500_URL) -> pd.DataFrame:
    """Parse the ``constituents`` table of the Wikipedia page.

    Returns
    -------
    DataFrame with the columns :data:`CONSTITUENT_COLUMNS` (text; a column the page lacks
    is all empty), one row per member in page order.

    Raises
    ------
    SourceError
        No ``constituents`` table, a required header (Symbol, Security, GICS Sector)
        missing, a row with the wrong number of cells, an implausible or duplicated symbol,
        or an empty table; the message names the URL and the table row.
    """
    def fail(reason: str) -> SourceError:
        return SourceError(f"wikipedia-sp500: {reason} ({location})")

    try:
        doc = lxml_html.fromstring(content)
    except (ValueError, TypeError) as exc:  # lxml raises ParserError (a ValueError) on junk
        raise fail(f"the page is not HTML: {exc}") from None
    tables = doc.xpath("//table[@id='constituents']")
    if not tables:
        raise fail("no table with id 'constituents' on the page (did the page layout "
                   "change?)")
    rows = tables[0].xpath("./tbody/tr | ./tr | ./thead/tr")
    if not rows:
        raise fail("the 'constituents' table is empty")
    header = [_cell_text(c) for c in rows[0].xpath("./th|./td")]
    positions = {name: header.index(name) for name in CONSTITUENT_COLUMNS if name in header}
    missing = [c for c in _REQUIRED if c not in positions]
    if missing:
        raise fail(f"the 'constituents' table lacks the column(s) {', '.join(missing)}; "
                   f"header found: {header}")
    records: list[list[str]] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        cells = [_cell_text(c) for c in row.xpath("./td|./th")]
        if not cells:
            continue
        if len(cells) != len(header):
            raise fail(f"table row {n} has {len(cells)} cells, the header has {len(header)}: "
                       f"{cells}")
        record = [cells[positions[c]] if c in positions else "" for c in CONSTITUENT_COLUMNS]
        symbol = record[0]
        if not _SYMBOL_RE.match(symbol):
            raise fail(f"table row {n}: implausible symbol {symbol!r}")
        if symbol in seen:
            raise fail(f"table row {n}: symbol {symbol} repeats row {seen[symbol]}")
        seen[symbol] = n
        cik = record[6]
        if cik.isdigit():
            record[6] = str(int(cik))
        records.append(record)
    if not records:
        raise fail("the 'constituents' table has a header but no rows")
    return pd.DataFrame(records, columns=list(CONSTITUENT_COLUMNS), dtype=object)


def members_frame(constituents: pd.DataFrame) -> pd.DataFrame:
    """Constituents table -> ``Store.save_universe`` frame.

    Columns ``ticker`` (store spelling, ``BRK.B`` -> ``BRK-B``), ``name``, ``sector``,
    ``start_date``/``end_date`` (NaT: today's membership, not point-in-time).
    """
    return pd.DataFrame({
        "ticker": [normalize_ticker(s) for s in constituents["Symbol"]],
        "name": list(constituents["Security"]),
        "sector": [s or None for s in constituents["GICS Sector"]],
        "start_date": pd.NaT,
        "end_date": pd.NaT,
    })
