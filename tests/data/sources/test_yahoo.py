"""Yahoo chart source, replaying hand-written fixtures in the v8 chart JSON format."""

from __future__ import annotations

import hashlib
import json
import random
import sys
import types
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import numpy as np
import pandas as pd
import pytest

from rotascope.data.sources.base import get_source
from rotascope.data.sources.yahoo import YahooSource, chart_url, parse_chart
from rotascope.errors import ParameterError, SourceError

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "providers" / "yahoo"


def load(name: str) -> dict:
    return json.loads((FIX / name).read_text())


def source_for(handler, **kwargs) -> YahooSource:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return YahooSource(client, sleep=lambda s: None, rng=random.Random(0), **kwargs)


def serve(routes: dict[str, tuple[int, bytes]], log: list | None = None):
    def handler(request: httpx.Request) -> httpx.Response:
        if log is not None:
            log.append(request)
        symbol = request.url.path.rsplit("/", 1)[-1]
        status, body = routes[symbol]
        return httpx.Response(status, content=body)

    return handler


def test_entry_point_finds_the_source():
    assert isinstance(get_source("yahoo"), YahooSource)


def test_parse_aapl_fixture_against_an_independent_reading():
    raw = (FIX / "chart_AAPL.json").read_bytes()
    parsed = parse_chart(raw, ticker="AAPL", location="u", symbol="AAPL")
    frame = parsed.series.frame
    # Oracle: read the JSON by hand, New York dates, drop the all-null rows.
    res = json.loads(raw)["chart"]["result"][0]
    q = res["indicators"]["quote"][0]
    adj = res["indicators"]["adjclose"][0]["adjclose"]
    expected = {}
    for i, ts in enumerate(res["timestamp"]):
        day = pd.Timestamp(ts, unit="s", tz="UTC").tz_convert("America/New_York")
        if q["close"][i] is None:
            continue
        expected[pd.Timestamp(day.date())] = (adj[i], q["close"][i], q["open"][i],
                                              q["volume"][i])
    assert list(frame.index) == sorted(expected)
    assert frame.index.name == "date"
    assert frame.index.tz is None and (frame.index == frame.index.normalize()).all()
    for day, (a, c, o, v) in expected.items():
        row = frame.loc[day]
        assert row["close"] == a            # close is the adjusted close
        assert row["unadjusted_close"] == c
        assert row["open"] == o and row["volume"] == v
    assert list(frame.dtypes.unique()) == [np.dtype("float64")]
    assert parsed.series.adjusted is True
    assert parsed.series.kind == "stock" and parsed.series.name == "Apple Inc."
    # Juneteenth is sent as an all-null row: skipped and reported, not dropped silently.
    assert [(s.date, s.reason.split(":")[0]) for s in parsed.skipped] == [
        (pd.Timestamp("2026-06-19"), "no prices (every field null)")]
    assert pd.Timestamp("2026-07-03") not in frame.index
    assert parsed.notes == ("dividend 0.26 on 2026-06-08",)
    # before the ex-date the adjusted close is below the raw close, after it equal
    assert (frame.loc[:"2026-06-05", "close"] < frame.loc[:"2026-06-05",
                                                          "unadjusted_close"]).all()
    assert (frame.loc["2026-06-08":, "close"] == frame.loc["2026-06-08":,
                                                          "unadjusted_close"]).all()


def test_partial_null_row_rejects_the_payload_naming_ticker_date_url():
    data = load("chart_AAPL.json")
    q = data["chart"]["result"][0]["indicators"]["quote"][0]
    q["close"][3] = None  # open/high/low/volume still set on 2026-06-04
    with pytest.raises(SourceError) as info:
        parse_chart(json.dumps(data).encode(), ticker="AAPL", location="https://x/AAPL",
                    symbol="AAPL")
    msg = str(info.value)
    assert "AAPL" in msg and "2026-06-04" in msg and "https://x/AAPL" in msg
    assert "partial bar" in msg


def test_missing_volume_is_kept_as_null_and_noted():
    data = load("chart_AAPL.json")
    data["chart"]["result"][0]["indicators"]["quote"][0]["volume"][0] = None
    parsed = parse_chart(json.dumps(data).encode(), ticker="AAPL", location="u",
                         symbol="AAPL")
    assert np.isnan(parsed.series.frame["volume"].iloc[0])
    assert not np.isnan(parsed.series.frame["close"].iloc[0])
    assert any(n.startswith("volume missing on 1 row") for n in parsed.notes)


def test_live_session_bar_is_skipped_and_reported():
    data = load("chart_AAPL.json")
    meta = data["chart"]["result"][0]["meta"]
    end = meta["currentTradingPeriod"]["regular"]["end"]
    meta["regularMarketTime"] = end - 3600  # 15:00 New York: still trading
    body = json.dumps(data).encode()
    live = parse_chart(body, ticker="AAPL", location="u", symbol="AAPL", now=end - 3600)
    assert live.series.frame.index[-1] == pd.Timestamp("2026-07-16")
    assert live.skipped[-1].date == pd.Timestamp("2026-07-17")
    assert "incomplete session" in live.skipped[-1].reason
    # once the session has ended the same payload's last bar is a close
    closed = parse_chart(body, ticker="AAPL", location="u", symbol="AAPL", now=end + 60)
    assert closed.series.frame.index[-1] == pd.Timestamp("2026-07-17")


def test_duplicate_latest_day_keeps_the_later_row_other_duplicates_reject():
    data = load("chart_AAPL.json")
    res = data["chart"]["result"][0]
    q = res["indicators"]["quote"][0]
    adj = res["indicators"]["adjclose"][0]["adjclose"]
    res["timestamp"].append(res["timestamp"][-1] + 6 * 3600)  # 15:30 the same day
    for lst in (*q.values(), adj):
        lst.append(lst[-1])
    q["close"][-1] = adj[-1] = 199.5
    parsed = parse_chart(json.dumps(data).encode(), ticker="AAPL", location="u",
                         symbol="AAPL")
    assert parsed.series.frame["close"].iloc[-1] == 199.5
    assert parsed.series.frame.index[-1] == pd.Timestamp("2026-07-17")
    assert "duplicate row for the latest day" in parsed.skipped[-1].reason
    # a duplicated date anywhere else is a bad payload
    data = load("chart_AAPL.json")
    res = data["chart"]["result"][0]
    res["timestamp"][2] = res["timestamp"][1]
    with pytest.raises(SourceError, match="duplicated dates 2026-06-02"):
        parse_chart(json.dumps(data).encode(), ticker="AAPL", location="u", symbol="AAPL")


def test_local_dates_use_the_exchange_zone_then_gmtoffset():
    raw = (FIX / "chart_AIR.NZ.json").read_bytes()
    parsed = parse_chart(raw, ticker="AIR-NZ", location="u", symbol="AIR.NZ")
    ts = json.loads(raw)["chart"]["result"][0]["timestamp"]
    utc_days = [pd.Timestamp(t, unit="s").normalize() for t in ts]
    expected = pd.DatetimeIndex(["2026-07-13", "2026-07-14", "2026-07-15"])
    assert list(parsed.series.frame.index) == list(expected)
    assert utc_days != list(expected)  # the UTC date is the previous day: local matters
    # Without a zone name the fixed gmtoffset gives the same local dates.
    data = json.loads(raw)
    del data["chart"]["result"][0]["meta"]["exchangeTimezoneName"]
    parsed2 = parse_chart(json.dumps(data).encode(), ticker="AIR-NZ", location="u",
                          symbol="AIR.NZ")
    assert list(parsed2.series.frame.index) == list(expected)


def test_index_series_tnx():
    parsed = parse_chart((FIX / "chart_TNX.json").read_bytes(), ticker="^TNX", location="u",
                         symbol="^TNX")
    assert parsed.series.kind == "index"
    assert len(parsed.series.frame) == 10
    assert parsed.skipped == ()


@pytest.mark.parametrize("body,needle", [
    (b"<html>Too Many Requests</html>", "not JSON"),
    (b'{"foo": 1}', "no 'chart' object"),
    (b'{"chart": {"result": [], "error": null}}', "not a list of one result"),
])
def test_bad_payloads_raise_source_error(body, needle):
    with pytest.raises(SourceError, match=needle):
        parse_chart(body, ticker="AAPL", location="u", symbol="AAPL")


def test_symbol_mismatch_is_an_error():
    with pytest.raises(SourceError, match="symbol 'AAPL', not 'MSFT'"):
        parse_chart((FIX / "chart_AAPL.json").read_bytes(), ticker="MSFT", location="u",
                    symbol="MSFT")


def test_fetch_builds_the_v8_request_and_maps_symbols():
    log: list[httpx.Request] = []
    aapl = (FIX / "chart_AAPL.json").read_bytes()
    tnx = (FIX / "chart_TNX.json").read_bytes()
    src = source_for(serve({"AAPL": (200, aapl), "^TNX": (200, tnx)}, log),
                     clock=lambda: 1_784_400_000)
    query = src.build_query(tickers=["aapl", "^TNX"], start="2026-06-01")
    out = src.load(query)
    assert [s.ticker for s in out.series] == ["AAPL", "^TNX"]
    assert out.rejected == []
    assert str(log[0].url).startswith("https://query2.finance.yahoo.com/v8/finance/chart/AAPL?")
    assert log[1].url.raw_path.startswith(b"/v8/finance/chart/%5ETNX")
    params = parse_qs(log[0].url.query.decode())
    assert params["period1"] == [str(int(pd.Timestamp("2026-06-01", tz="UTC").timestamp()))]
    assert params["period2"] == ["1784400000"]
    assert params["interval"] == ["1d"]
    assert params["events"] == ["div,split"]
    assert params["includeAdjustedClose"] == ["true"]
    assert out.series[0].location.startswith(chart_url("AAPL"))
    assert out.extra["skipped"]["AAPL"][0].date == pd.Timestamp("2026-06-19")
    assert out.series[0].checksum == hashlib.sha256(aapl).hexdigest()


def test_full_history_and_end_date_periods():
    src = YahooSource()
    q = src.build_query(tickers="SPY", end="2026-07-17")
    p1, p2 = src.period(q)
    assert p1 == int(pd.Timestamp("1900-01-01", tz="UTC").timestamp())
    assert p2 == int(pd.Timestamp("2026-07-18", tz="UTC").timestamp())


def test_not_found_error_json_is_a_rejection_naming_ticker_and_url():
    body = (FIX / "chart_not_found.json").read_bytes()
    src = source_for(serve({"ZZZZ": (404, body)}))
    out = src.load(src.build_query(tickers=["ZZZZ"]))
    assert out.series == []
    (rej,) = out.rejected
    assert rej.ticker == "ZZZZ" and rej.check == "source"
    assert "No data found, symbol may be delisted" in rej.reason
    assert "ZZZZ" in rej.reason and "query2.finance.yahoo.com/v8/finance/chart/ZZZZ" in rej.reason


def test_error_json_with_status_200_is_also_an_error():
    body = (FIX / "chart_not_found.json").read_bytes()
    with pytest.raises(SourceError, match="Not Found: No data found"):
        parse_chart(body, ticker="ZZZZ", location="u", symbol="ZZZZ")


def test_one_bad_ticker_does_not_sink_the_others():
    aapl = (FIX / "chart_AAPL.json").read_bytes()
    bad = (FIX / "chart_not_found.json").read_bytes()
    src = source_for(serve({"AAPL": (200, aapl), "ZZZZ": (404, bad)}))
    out = src.load(src.build_query(tickers=["ZZZZ", "AAPL"]))
    assert [s.ticker for s in out.series] == ["AAPL"]
    assert [r.ticker for r in out.rejected] == ["ZZZZ"]


def test_offline_rejects_remaining_tickers_without_more_requests():
    log = []

    def handler(request):
        log.append(request)
        raise httpx.ConnectError("Network is unreachable", request=request)

    src = source_for(handler)
    out = src.load(src.build_query(tickers=["AAPL", "MSFT", "NVDA"]))
    assert len(log) == 3  # 3 attempts for AAPL, none for the others
    assert [r.check for r in out.rejected] == ["offline"] * 3
    assert out.rejected[0].reason.startswith(
        "cannot reach query2.finance.yahoo.com (offline?): ConnectError: Network is "
        "unreachable after 3 attempts")
    assert out.rejected[2].reason.startswith("not attempted: cannot reach")


def test_build_query_validates():
    src = YahooSource()
    with pytest.raises(ParameterError, match="'end' .* is before 'start'"):
        src.build_query(tickers=["SPY"], start="2026-02-01", end="2026-01-01")
    with pytest.raises(ParameterError, match="empty"):
        src.build_query(tickers=[])
    with pytest.raises(ParameterError, match="unknown parameter"):
        src.build_query(tickers=["SPY"], interval="1h")
    with pytest.raises(ParameterError, match="backend"):
        YahooSource(backend="scraper")


def test_yfinance_backend_parses_the_frame_it_returns(monkeypatch):
    frame = pd.DataFrame(
        {"Open": [10.0, np.nan, 11.0], "High": [10.5, np.nan, 11.5],
         "Low": [9.5, np.nan, 10.5], "Close": [10.2, np.nan, 11.2],
         "Adj Close": [10.0, np.nan, 11.0], "Volume": [100, np.nan, 120]},
        index=pd.DatetimeIndex(["2026-07-14", "2026-07-15", "2026-07-16"],
                               name="Date").tz_localize("America/New_York"))
    calls = {}

    class FakeTicker:
        def __init__(self, symbol):
            calls["symbol"] = symbol

        def history(self, **kwargs):
            calls.update(kwargs)
            return frame

    monkeypatch.setitem(sys.modules, "yfinance", types.SimpleNamespace(Ticker=FakeTicker))
    src = YahooSource(backend="yfinance")
    out = src.load(src.build_query(tickers=["BRK-B"], start="2026-07-14"))
    assert calls["symbol"] == "BRK-B" and calls["start"] == "2026-07-14"
    assert calls["auto_adjust"] is False
    (s,) = out.series
    assert list(s.frame.index) == [pd.Timestamp("2026-07-14"), pd.Timestamp("2026-07-16")]
    assert s.frame["close"].tolist() == [10.0, 11.0]
    assert s.frame["unadjusted_close"].tolist() == [10.2, 11.2]
    assert out.extra["skipped"]["BRK-B"][0].date == pd.Timestamp("2026-07-15")


def test_yfinance_backend_without_the_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "yfinance", None)
    src = YahooSource(backend="yfinance")
    with pytest.raises(ParameterError, match="pip install yfinance"):
        src.fetch_one(src.build_query(tickers=["SPY"]), "SPY")
