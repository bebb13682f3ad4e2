"""FRED source: keyless fredgraph CSV (both headers), the JSON API, and key secrecy."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import numpy as np
import pandas as pd
import pytest

from rotascope.data.sources.base import get_source
from rotascope.data.sources.fred import (
    FredSource,
    fred_kind,
    parse_fred_json,
    parse_fredgraph_csv,
)
from rotascope.data.store import Store
from rotascope.errors import ParameterError, SourceError

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "providers" / "fred"
SECRET = "0123456789abcdef0123456789abcdef"


def source_for(handler, log=None, **kwargs) -> FredSource:
    def wrapped(request):
        if log is not None:
            log.append(request)
        return handler(request)

    client = httpx.Client(transport=httpx.MockTransport(wrapped))
    return FredSource(client, sleep=lambda s: None, rng=random.Random(0), **kwargs)


def oracle(text: str) -> tuple[dict[pd.Timestamp, float], list[pd.Timestamp]]:
    """Plain-Python reading of a fredgraph CSV: values, and dates with '.'."""
    values, missing = {}, []
    for line in text.strip().splitlines()[1:]:
        day, value = line.split(",")
        if value == ".":
            missing.append(pd.Timestamp(day))
        else:
            values[pd.Timestamp(day)] = float(value)
    return values, missing


def test_entry_point_finds_the_source():
    assert isinstance(get_source("fred"), FredSource)


@pytest.mark.parametrize("name,series_id,kind", [
    ("fredgraph_DGS10.csv", "DGS10", "rate"),
    ("fredgraph_VIXCLS_old_header.csv", "VIXCLS", "index"),
])
def test_fredgraph_csv_both_headers(name, series_id, kind):
    raw = (FIX / name).read_bytes()
    parsed = parse_fredgraph_csv(raw, series_id=series_id, location="u")
    values, missing = oracle(raw.decode())
    frame = parsed.series.frame
    assert list(frame.columns) == ["close"]
    assert dict(zip(frame.index, frame["close"], strict=True)) == values
    # "." rows are not prices: skipped, reported with their dates and lines, not filled
    assert [s.date for s in parsed.skipped] == missing == [pd.Timestamp("2026-06-19"),
                                                           pd.Timestamp("2026-07-03")]
    assert all(s.line is not None and "no observation" in s.reason for s in parsed.skipped)
    assert parsed.series.kind == kind
    assert parsed.series.adjusted is None
    assert parsed.series.ticker == series_id


def test_empty_value_is_missing_too_and_bad_value_names_the_line():
    body = b"observation_date,DGS10\n2026-07-01,4.20\n2026-07-02,\n2026-07-06,4.25\n"
    parsed = parse_fredgraph_csv(body, series_id="DGS10", location="u")
    assert parsed.series.frame["close"].tolist() == [4.20, 4.25]
    assert [(s.date, s.line) for s in parsed.skipped] == [(pd.Timestamp("2026-07-02"), 3)]
    bad = b"observation_date,DGS10\n2026-07-01,4.20\n2026-07-02,n/a\n"
    with pytest.raises(SourceError, match=r"non-numeric value 'n/a' on 2026-07-02 \(u line 3\)"):
        parse_fredgraph_csv(bad, series_id="DGS10", location="u")


def test_wrong_series_in_header_or_html_answer():
    raw = (FIX / "fredgraph_DGS10.csv").read_bytes()
    with pytest.raises(SourceError, match="expected the header 'observation_date,DGS2'"):
        parse_fredgraph_csv(raw, series_id="DGS2", location="u")
    with pytest.raises(SourceError, match="HTML page"):
        parse_fredgraph_csv((FIX / "not_found.html").read_bytes(), series_id="XYZ",
                            location="u")


def test_keyless_fetch_requests_fredgraph_with_dates():
    log: list[httpx.Request] = []
    body = (FIX / "fredgraph_DGS10.csv").read_bytes()
    src = source_for(lambda r: httpx.Response(200, content=body), log)
    out = src.load(src.build_query(tickers=["dgs10"], start="2026-06-01"))
    (req,) = log
    assert str(req.url).startswith("https://fred.stlouisfed.org/graph/fredgraph.csv?")
    assert parse_qs(req.url.query.decode()) == {"id": ["DGS10"], "cosd": ["2026-06-01"]}
    (s,) = out.series
    assert s.ticker == "DGS10" and s.kind == "rate" and s.source == "fred"
    assert len(out.extra["skipped"]["DGS10"]) == 2


def test_unknown_series_keyless_404():
    html = (FIX / "not_found.html").read_bytes()
    src = source_for(lambda r: httpx.Response(404, content=html))
    out = src.load(src.build_query(tickers=["NOPE123"]))
    (rej,) = out.rejected
    assert "fred: NOPE123: FRED answered HTTP 404" in rej.reason
    assert "id=NOPE123" in rej.reason


def test_api_json_with_key_never_shows_the_key(caplog):
    log: list[httpx.Request] = []
    body = (FIX / "observations_BAMLH0A0HYM2.json").read_bytes()
    src = source_for(lambda r: httpx.Response(200, content=body), log, api_key=SECRET)
    caplog.set_level(logging.DEBUG)
    out = src.load(src.build_query(tickers=["BAMLH0A0HYM2"], start="2026-06-01"))
    (req,) = log
    assert req.url.host == "api.stlouisfed.org"
    q = parse_qs(req.url.query.decode())
    assert q["api_key"] == [SECRET] and q["series_id"] == ["BAMLH0A0HYM2"]
    assert q["file_type"] == ["json"] and q["observation_start"] == ["2026-06-01"]
    (s,) = out.series
    assert s.kind == "spread"
    assert SECRET not in s.location and "api_key=***" in s.location
    assert SECRET not in caplog.text
    assert SECRET not in repr(src)
    # parsed values against the JSON read by hand
    obs = json.loads(body)["observations"]
    expected = {pd.Timestamp(o["date"]): float(o["value"]) for o in obs if o["value"] != "."}
    assert dict(zip(s.frame.index, s.frame["close"], strict=True)) == expected
    assert [x.date for x in out.extra["skipped"]["BAMLH0A0HYM2"]] == [
        pd.Timestamp(o["date"]) for o in obs if o["value"] == "."]


def test_api_error_and_offline_messages_never_show_the_key():
    err = (FIX / "error_series_does_not_exist.json").read_bytes()
    src = source_for(lambda r: httpx.Response(400, content=err), api_key=SECRET)
    out = src.load(src.build_query(tickers=["NOPE123"]))
    (rej,) = out.rejected
    assert "The series does not exist" in rej.reason
    assert SECRET not in rej.reason and SECRET not in rej.location

    def offline(request):
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    src = source_for(offline, api_key=SECRET)
    query = src.build_query(tickers=["DGS10"])
    with pytest.raises(Exception) as info:
        src.fetch_one(query, "DGS10")
    text = str(info.value) + repr(info.value) + repr(info.value.__cause__) + \
        repr(info.value.__context__) + str(vars(info.value))
    assert "cannot reach api.stlouisfed.org (offline?)" in str(info.value)
    assert SECRET not in text


def test_key_not_in_provenance_of_a_store(tmp_path):
    body = (FIX / "observations_BAMLH0A0HYM2.json").read_bytes()
    src = source_for(lambda r: httpx.Response(200, content=body), api_key=SECRET)
    out = src.load(src.build_query(tickers=["BAMLH0A0HYM2"]))
    with Store(tmp_path / "s.duckdb") as store:
        store.import_series(out.series, source="fred", location="test")
        prov = store.provenance()
        dump = prov.to_csv() + store.con.execute("SELECT * FROM import_runs").df().to_csv()
    assert len(prov) == 1
    assert SECRET not in dump


def test_api_pagination_merges_pages():
    obs = [{"date": f"2026-07-{d:02d}", "value": f"{4 + d / 100:.2f}",
            "realtime_start": "x", "realtime_end": "x"} for d in (1, 2, 6)]
    pages = [{"count": 3, "offset": 0, "limit": 2, "observations": obs[:2]},
             {"count": 3, "offset": 2, "limit": 2, "observations": obs[2:]}]
    log = []

    def handler(request):
        log.append(request)
        offset = int(parse_qs(request.url.query.decode()).get("offset", ["0"])[0])
        return httpx.Response(200, json=pages[0] if offset == 0 else pages[1])

    src = source_for(handler, api_key=SECRET)
    out = src.load(src.build_query(tickers=["DGS10"]))
    assert len(log) == 2
    assert out.series[0].frame["close"].tolist() == [4.01, 4.02, 4.06]


def test_kinds_and_overrides():
    assert fred_kind("DGS10") == "rate" and fred_kind("T10Y2Y") == "spread"
    assert fred_kind("VIXCLS") == "index" and fred_kind("BAMLH0A0HYM2") == "spread"
    src = FredSource()
    q = src.build_query(tickers=["MYSERIES"], kinds={"myseries": "spread"})
    body = b"observation_date,MYSERIES\n2026-07-01,1.5\n"
    parsed = src.parse(q, type("R", (), {"key": "MYSERIES", "meta": {}, "content": body,
                                         "location": "u"})())
    assert parsed.series.kind == "spread"
    with pytest.raises(ParameterError, match="'kinds' values"):
        src.build_query(tickers=["X"], kinds={"X": "price"})
    with pytest.raises(ParameterError, match="api_key"):
        FredSource(api_key="  ")


def test_json_parser_rejects_bad_payloads():
    with pytest.raises(SourceError, match="not JSON"):
        parse_fred_json(b"<html>", series_id="DGS10", location="u")
    with pytest.raises(SourceError, match="observations"):
        parse_fred_json(b'{"count": 1}', series_id="DGS10", location="u")
    dup = json.dumps({"observations": [{"date": "2026-07-01", "value": "1"},
                                       {"date": "2026-07-01", "value": "2"}]}).encode()
    with pytest.raises(SourceError, match="duplicated dates 2026-07-01"):
        parse_fred_json(dup, series_id="DGS10", location="u")


def test_values_are_float64():
    parsed = parse_fredgraph_csv((FIX / "fredgraph_DGS10.csv").read_bytes(),
                                 series_id="DGS10", location="u")
    assert parsed.series.frame["close"].dtype == np.float64
