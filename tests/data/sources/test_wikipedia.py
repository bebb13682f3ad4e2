"""Wikipedia S&P 500 list: the constituents table in Wikipedia's markup (fixture we wrote)."""

from __future__ import annotations

import random
from pathlib import Path

import httpx
import pandas as pd
import pytest

from rotascope.data.sources.base import get_source
from rotascope.data.sources.wikipedia import (
    CONSTITUENT_COLUMNS,
    SP500_URL,
    WikipediaSp500Source,
    members_frame,
    parse_constituents,
)
from rotascope.data.store import Store
from rotascope.data.updater import update_members
from rotascope.errors import EXIT_NETWORK, ProviderUnavailableError, SourceError

PAGE = (Path(__file__).resolve().parents[2] / "fixtures" / "providers" / "wikipedia"
        / "List_of_S&P_500_companies.html")


def source_for(handler, log=None) -> WikipediaSp500Source:
    def wrapped(request):
        if log is not None:
            log.append(request)
        return handler(request)

    client = httpx.Client(transport=httpx.MockTransport(wrapped))
    return WikipediaSp500Source(client, sleep=lambda s: None, rng=random.Random(0))


def test_entry_point_finds_the_source():
    assert isinstance(get_source("wikipedia-sp500"), WikipediaSp500Source)


def test_parse_gives_the_sp500_csv_shape():
    table = parse_constituents(PAGE.read_bytes())
    # same columns, in the same order, as ../shared/market-data/constituents/sp500.csv
    assert tuple(table.columns) == CONSTITUENT_COLUMNS == (
        "Symbol", "Security", "GICS Sector", "GICS Sub-Industry", "Headquarters Location",
        "Date added", "CIK", "Founded")
    assert table["Symbol"].tolist() == ["MMM", "AAPL", "BRK.B", "BF.B", "GOOGL", "JNJ"]
    mmm = table.iloc[0].to_dict()
    assert mmm == {"Symbol": "MMM", "Security": "3M", "GICS Sector": "Industrials",
                   "GICS Sub-Industry": "Industrial Conglomerates",
                   "Headquarters Location": "Saint Paul, Minnesota",
                   "Date added": "1957-03-04", "CIK": "66740", "Founded": "1902"}
    jnj = table.set_index("Symbol").loc["JNJ"]
    assert jnj["Security"] == "Johnson & Johnson"  # entities decoded
    assert table.set_index("Symbol").loc["BF.B", "Date added"] == ""  # empty stays empty
    # the changes table on the same page is not mixed in
    assert "XYZQ" not in set(table["Symbol"])


def test_members_frame_for_save_universe():
    members = members_frame(parse_constituents(PAGE.read_bytes()))
    assert list(members.columns) == ["ticker", "name", "sector", "start_date", "end_date"]
    assert members["ticker"].tolist() == ["MMM", "AAPL", "BRK-B", "BF-B", "GOOGL", "JNJ"]
    assert members["start_date"].isna().all() and members["end_date"].isna().all()


def test_fetch_uses_a_descriptive_user_agent():
    log: list[httpx.Request] = []
    src = source_for(lambda r: httpx.Response(200, content=PAGE.read_bytes()), log)
    out = src.load(src.build_query())
    assert len(out.extra["members"]) == 6
    assert out.extra["location"] == SP500_URL
    (req,) = log
    assert str(req.url) == SP500_URL
    assert req.headers["user-agent"].startswith("rotascope/")


@pytest.mark.parametrize("html,needle", [
    (b"<html><body><table id='other'><tr><th>Symbol</th></tr></table></body></html>",
     "no table with id 'constituents'"),
    (b"<html><body><table id='constituents'><tr><th>Ticker</th><th>Name</th></tr>"
     b"<tr><td>A</td><td>B</td></tr></table></body></html>", "lacks the column"),
    (b"<html><body><table id='constituents'><tr><th>Symbol</th><th>Security</th>"
     b"<th>GICS Sector</th></tr><tr><td>AAA</td><td>x</td></tr></table></body></html>",
     "table row 2 has 2 cells"),
    (b"<html><body><table id='constituents'><tr><th>Symbol</th><th>Security</th>"
     b"<th>GICS Sector</th></tr><tr><td>AAA</td><td>x</td><td>y</td></tr>"
     b"<tr><td>AAA</td><td>x</td><td>y</td></tr></table></body></html>",
     "symbol AAA repeats row 2"),
    (b"<html><body><table id='constituents'><tr><th>Symbol</th><th>Security</th>"
     b"<th>GICS Sector</th></tr></table></body></html>", "no rows"),
])
def test_layout_problems_are_source_errors_naming_the_url(html, needle):
    with pytest.raises(SourceError) as info:
        parse_constituents(html, location="https://example/wiki")
    assert needle in str(info.value) and "https://example/wiki" in str(info.value)


def test_update_members_stores_universe_sp500(tmp_path):
    src = source_for(lambda r: httpx.Response(200, content=PAGE.read_bytes()))
    with Store(tmp_path / "s.duckdb") as store:
        result = update_members(store, source=src, today="2026-07-20")
        assert result.members == 6 and result.universe == "sp500"
        info = store.universe_info("sp500")
        members = store.universe_members("sp500")
        inst = store.instruments()
    assert info["source"] == "wikipedia-sp500" and info["point_in_time"] is False
    assert sorted(members["ticker"]) == sorted(["MMM", "AAPL", "BRK-B", "BF-B", "GOOGL", "JNJ"])
    assert members.set_index("ticker").loc["BRK-B", "sector"] == "Financials"
    assert inst.loc["AAPL", "sector"] == "Information Technology"


def test_update_members_keeps_point_in_time_history(tmp_path):
    src = source_for(lambda r: httpx.Response(200, content=PAGE.read_bytes()))
    old = pd.DataFrame({
        "ticker": ["MMM", "AAPL", "OLDCO", "ENRNQ"], "name": ["3M", "Apple", "Old Co", "E"],
        "sector": ["Industrials", "IT", "Energy", "Energy"],
        "start_date": pd.to_datetime([None, "1982-11-30", None, None]),
        "end_date": pd.to_datetime([None, None, None, "2001-12-03"])})
    with Store(tmp_path / "s.duckdb") as store:
        store.save_universe("sp500", old, point_in_time=True, description="from changes")
        result = update_members(store, source=src, today="2026-07-20")
        members = store.universe_members("sp500")
    assert result.point_in_time
    assert result.removed == ("OLDCO",)
    assert result.added == ("BF-B", "BRK-B", "GOOGL", "JNJ")
    by = members.set_index("ticker")
    assert by.loc["OLDCO", "end_date"] == pd.Timestamp("2026-07-20")
    assert by.loc["ENRNQ", "end_date"] == pd.Timestamp("2001-12-03")  # history untouched
    assert by.loc["JNJ", "start_date"] == pd.Timestamp("2026-07-20")
    assert pd.isna(by.loc["JNJ", "end_date"])
    assert by.loc["AAPL", "start_date"] == pd.Timestamp("1982-11-30")
    assert by.loc["AAPL", "name"] == "Apple Inc."  # refreshed from the page


def test_update_members_offline_raises_network_error(tmp_path):
    def handler(request):
        raise httpx.ConnectError("no route to host", request=request)

    src = source_for(handler)
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(ProviderUnavailableError) as info:
            update_members(store, source=src)
        assert store.universe_info("sp500") is None
    assert info.value.exit_code == EXIT_NETWORK
    assert str(info.value).startswith("cannot reach en.wikipedia.org (offline?)")
