"""Stooq CSV source, replaying hand-written fixtures in Stooq's download format."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import numpy as np
import pandas as pd
import pytest

from rotascope.data.sources.base import get_source
from rotascope.data.sources.stooq import StooqSource, parse_stooq_csv, stooq_symbol
from rotascope.errors import EXIT_NETWORK, SourceError

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "providers" / "stooq"


def source_for(handler, log=None) -> StooqSource:
    def wrapped(request):
        if log is not None:
            log.append(request)
        return handler(request)

    client = httpx.Client(transport=httpx.MockTransport(wrapped))
    return StooqSource(client, sleep=lambda s: None, rng=random.Random(0))


def test_entry_point_finds_the_source():
    assert isinstance(get_source("stooq"), StooqSource)


def test_parse_fixture_against_the_csv_module():
    raw = (FIX / "aapl.us.csv").read_bytes()
    parsed = parse_stooq_csv(raw, ticker="AAPL", location="u")
    frame = parsed.series.frame
    rows = list(csv.DictReader(io.StringIO(raw.decode())))
    assert len(frame) == len(rows)
    for row, (day, got) in zip(rows, frame.iterrows(), strict=True):
        assert day == pd.Timestamp(row["Date"])
        assert got["close"] == float(row["Close"])
        assert got["open"] == float(row["Open"]) and got["high"] == float(row["High"])
        assert got["low"] == float(row["Low"]) and got["volume"] == float(row["Volume"])
    assert frame.index.is_monotonic_increasing and frame.index.name == "date"
    assert parsed.series.adjusted is None
    assert parsed.series.source == "stooq"
    assert parsed.skipped == ()


def test_index_layout_without_volume():
    parsed = parse_stooq_csv((FIX / "spx_index.csv").read_bytes(), ticker="^SPX",
                             location="u")
    assert list(parsed.series.frame.columns) == ["close", "open", "high", "low"]
    assert len(parsed.series.frame) == 5


def test_symbol_mapping():
    assert stooq_symbol("AAPL") == "aapl.us"
    assert stooq_symbol("BRK-B") == "brk-b.us"
    assert stooq_symbol("^SPX", {"^SPX": "^spx"}) == "^spx"
    with pytest.raises(SourceError, match=r"\^TNX: no Stooq symbol.*fred with DGS10"):
        stooq_symbol("^TNX")


def test_fetch_requests_the_download_with_dates():
    log: list[httpx.Request] = []
    body = (FIX / "aapl.us.csv").read_bytes()
    src = source_for(lambda r: httpx.Response(200, content=body), log)
    out = src.load(src.build_query(tickers=["AAPL"], start="2026-06-01", end="2026-07-17"))
    assert len(out.series) == 1 and out.rejected == []
    (req,) = log
    assert req.url.host == "stooq.com" and req.url.path == "/q/d/l/"
    assert parse_qs(req.url.query.decode()) == {"s": ["aapl.us"], "i": ["d"],
                                                "d1": ["20260601"], "d2": ["20260717"]}
    assert out.series[0].location == "https://stooq.com/q/d/l/?s=aapl.us&i=d&d1=20260601&d2=20260717"


def test_unsupported_ticker_is_a_rejection_without_a_request():
    log: list[httpx.Request] = []
    body = (FIX / "aapl.us.csv").read_bytes()
    src = source_for(lambda r: httpx.Response(200, content=body), log)
    out = src.load(src.build_query(tickers=["^TNX", "AAPL"]))
    assert [r.ticker for r in out.rejected] == ["^TNX"]
    assert out.rejected[0].check == "source"
    assert [s.ticker for s in out.series] == ["AAPL"]
    assert len(log) == 1


def test_no_data_names_ticker_and_url():
    body = (FIX / "no_data.txt").read_bytes()
    src = source_for(lambda r: httpx.Response(200, content=body))
    out = src.load(src.build_query(tickers=["ZZZQ"]))
    (rej,) = out.rejected
    assert "stooq: ZZZQ: Stooq has no data" in rej.reason
    assert "https://stooq.com/q/d/l/?s=zzzq.us&i=d" in rej.reason


def test_daily_limit_is_provider_unavailable():
    body = (FIX / "limit.txt").read_bytes()
    src = source_for(lambda r: httpx.Response(200, content=body))
    query = src.build_query(tickers=["AAPL"])
    with pytest.raises(Exception) as info:
        src.fetch_one(query, "AAPL")
    assert info.value.exit_code == EXIT_NETWORK
    assert "daily download limit" in str(info.value)
    out = src.load(query)
    assert out.rejected[0].check == "unavailable"


def test_html_answer_is_an_error():
    with pytest.raises(SourceError, match="HTML page"):
        parse_stooq_csv(b"<!DOCTYPE html><html></html>", ticker="AAPL", location="u")


def test_empty_row_is_skipped_and_partial_row_rejected_with_line():
    good = (FIX / "aapl.us.csv").read_bytes().decode().splitlines()
    lines = good[:3] + ["2026-06-03,,,,,"] + good[4:]
    parsed = parse_stooq_csv("\n".join(lines).encode(), ticker="AAPL", location="u")
    assert [(s.date, s.line) for s in parsed.skipped] == [(pd.Timestamp("2026-06-03"), 4)]
    assert pd.Timestamp("2026-06-03") not in parsed.series.frame.index
    partial = good[:3] + ["2026-06-03,1,2,0.5,,100"] + good[4:]
    with pytest.raises(SourceError, match=r"empty close on 2026-06-03.*\(u line 4\)"):
        parse_stooq_csv("\n".join(partial).encode(), ticker="AAPL", location="u")


@pytest.mark.parametrize("line,needle", [
    ("2026/06/03,1,2,0.5,1,100", "bad date '2026/06/03'"),
    ("2026-06-03,1,2,0.5,abc,100", "non-numeric close 'abc'"),
])
def test_bad_lines_name_the_line(line, needle):
    good = (FIX / "aapl.us.csv").read_bytes().decode().splitlines()
    body = "\n".join(good[:3] + [line] + good[4:]).encode()
    with pytest.raises(SourceError) as info:
        parse_stooq_csv(body, ticker="AAPL", location="https://stooq.com/x")
    assert needle in str(info.value) and "line 4" in str(info.value)


def test_duplicate_dates_rejected():
    good = (FIX / "aapl.us.csv").read_bytes().decode().splitlines()
    body = "\n".join(good[:3] + [good[2]] + good[3:]).encode()
    with pytest.raises(SourceError, match="duplicated dates 2026-06-02"):
        parse_stooq_csv(body, ticker="AAPL", location="u")


def test_wrong_header():
    with pytest.raises(SourceError, match="expected a header"):
        parse_stooq_csv(b"When,Price\n2026-06-01,1\n", ticker="AAPL", location="u")


def test_values_are_float64():
    parsed = parse_stooq_csv((FIX / "aapl.us.csv").read_bytes(), ticker="AAPL", location="u")
    assert all(t == np.float64 for t in parsed.series.frame.dtypes)
