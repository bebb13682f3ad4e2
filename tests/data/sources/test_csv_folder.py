"""CSV price files: layout detection, parsing, exact error lines (fast path vs slow oracle)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotascope.data.sources.base import get_source
from rotascope.data.sources.csv_folder import (
    CsvFolderSource,
    _parse_slow,
    detect_layout,
    list_price_files,
    parse_price_csv,
    ticker_from_filename,
)
from rotascope.errors import FileFormatError, ParameterError

ROWS = [("2024-01-02", 10.0, 11.0, 9.5, 10.5, 10.25, 1000),
        ("2024-01-03", 10.5, 12.0, 10.0, 11.5, 11.25, 2000),
        ("2024-01-04", 11.5, 11.75, 11.0, 11.0, 10.75, 1500)]
DATES = pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-04"], name="date")


def _one(content: bytes, name: str = "XYZ.csv"):
    out = parse_price_csv(content, name)
    assert len(out) == 1
    return out[0]


# -- layouts -------------------------------------------------------------------------------

def test_date_close_layout():
    s = _one(b"Date,Close\n2024-01-02,10.5\n2024-01-03,11.5\n2024-01-04,11\n", "^TNX.csv")
    assert s.ticker == "^TNX"
    assert s.adjusted is None
    assert list(s.frame.columns) == ["close"]
    assert s.frame.index.equals(DATES)
    assert s.frame["close"].tolist() == [10.5, 11.5, 11.0]
    assert s.frame["close"].dtype == np.float64


def _yahoo(header: str, order: list[int]) -> bytes:
    lines = [header]
    for r in ROWS:
        lines.append(",".join(str(r[i]) for i in order))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("header,order", [
    ("Date,Open,High,Low,Close,Adj Close,Volume", [0, 1, 2, 3, 4, 5, 6]),
    ("Date,Close,Adj_Close,Open,High,Low,Volume", [0, 4, 5, 1, 2, 3, 6]),
    ("date,open,high,low,close,adjclose,volume", [0, 1, 2, 3, 4, 5, 6]),
    ("DATE , OPEN,HIGH,LOW,CLOSE,ADJ CLOSE,VOLUME", [0, 1, 2, 3, 4, 5, 6]),
    ("Date,Adj. Close,Close,High,Low,Open,Volume", [0, 5, 4, 2, 3, 1, 6]),
])
def test_yahoo_layouts_use_adjusted_close(header, order):
    s = _one(_yahoo(header, order), "AAPL.csv")
    assert s.adjusted is True
    assert s.frame["close"].tolist() == [10.25, 11.25, 10.75]          # Adj Close
    assert s.frame["unadjusted_close"].tolist() == [10.5, 11.5, 11.0]  # Close
    assert s.frame["open"].tolist() == [10.0, 10.5, 11.5]
    assert s.frame["high"].tolist() == [11.0, 12.0, 11.75]
    assert s.frame["low"].tolist() == [9.5, 10.0, 11.0]
    assert s.frame["volume"].tolist() == [1000, 2000, 1500]


def test_yahoo_without_adj_close_and_stooq_daily():
    s = _one(_yahoo("Date,Open,High,Low,Close,Volume", [0, 1, 2, 3, 4, 6]), "MSFT.csv")
    assert s.adjusted is None and "unadjusted_close" not in s.frame
    assert s.frame["close"].tolist() == [10.5, 11.5, 11.0]
    stooq = _yahoo("Date,Open,High,Low,Close,Volume,OpenInt", [0, 1, 2, 3, 4, 6, 6])
    s = _one(stooq, "aapl.us.txt")
    assert s.ticker == "AAPL"
    assert list(s.frame.columns) == ["close", "open", "high", "low", "volume"]
    assert detect_layout(stooq).name == "ohlcv"


def test_yfinance_multiindex_header_single_and_multi_ticker():
    text = ("Price,Adj Close,Close,High,Low,Open,Volume\n"
            "Ticker,BRK.B,BRK.B,BRK.B,BRK.B,BRK.B,BRK.B\n"
            "Date,,,,,,\n"
            "2024-01-02 00:00:00-05:00,10.25,10.5,11,9.5,10,1000\n"
            "2024-01-03 00:00:00-05:00,11.25,11.5,12,10,10.5,2000\n")
    s = _one(text.encode(), "whatever.csv")
    assert s.ticker == "BRK-B"
    assert s.frame["close"].tolist() == [10.25, 11.25]
    assert s.frame["unadjusted_close"].tolist() == [10.5, 11.5]
    assert s.frame.index.equals(DATES[:2])
    multi = ("Price,Close,Close,Volume,Volume\nTicker,AAA,BBB,AAA,BBB\nDate,,,,\n"
             "2024-01-02,1,2,10,20\n2024-01-03,3,4,30,40\n")
    out = parse_price_csv(multi.encode(), "multi.csv")
    assert [s.ticker for s in out] == ["AAA", "BBB"]
    assert out[1].frame["close"].tolist() == [2.0, 4.0]
    assert out[1].frame["volume"].tolist() == [20.0, 40.0]


def test_stooq_bulk_layout_with_two_tickers():
    text = ("<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\n"
            "AAPL.US,D,20240102,000000,1,2,0.5,1.5,100,0\n"
            "MSFT.US,D,20240102,000000,5,6,4,5.5,10,0\n"
            "AAPL.US,D,20240103,000000,1,2,0.5,1.75,100,0\n")
    out = parse_price_csv(text.encode(), "bulk.txt")
    assert [s.ticker for s in out] == ["AAPL", "MSFT"]
    assert out[0].frame["close"].tolist() == [1.5, 1.75]
    assert out[0].frame.index.equals(DATES[:2])
    assert out[1].frame["close"].tolist() == [5.5]


def test_crlf_bom_and_blank_lines_are_accepted():
    s = _one(b"\xef\xbb\xbfDate,Close\r\n2024-01-02,1\r\n\r\n2024-01-03,2\r\n")
    assert s.frame["close"].tolist() == [1.0, 2.0]


def test_ticker_from_filename():
    assert ticker_from_filename("x/BRK-B.csv") == "BRK-B"
    assert ticker_from_filename("brk.b.csv") == "BRK-B"
    assert ticker_from_filename("^IRX.csv") == "^IRX"
    assert ticker_from_filename("aapl.us.txt") == "AAPL"
    assert ticker_from_filename("spy.CSV") == "SPY"


def test_checksum_is_the_file_sha256():
    import hashlib

    content = b"Date,Close\n2024-01-02,1\n"
    assert _one(content).checksum == hashlib.sha256(content).hexdigest()


def test_source_is_registered_and_lists_folder(tmp_path):
    (tmp_path / "A.csv").write_text("Date,Close\n2024-01-02,1\n")
    (tmp_path / "b.us.txt").write_text("Date,Close\n2024-01-02,1\n")
    (tmp_path / "README.md").write_text("not data")
    (tmp_path / ".hidden.csv").write_text("x")
    src = get_source("csv")
    assert isinstance(src, CsvFolderSource)
    assert [p.name for p in list_price_files(tmp_path)] == ["A.csv", "b.us.txt"]
    out = src.load(src.build_query(path=tmp_path))
    assert sorted(s.ticker for s in out.series) == ["A", "B"]
    with pytest.raises(ParameterError, match="does not exist"):
        src.build_query(path=tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ParameterError, match="no \\*.csv"):
        src.build_query(path=tmp_path / "empty")


# -- errors: file, line, reason ------------------------------------------------------------

BAD = [
    # content, line, check, words in the reason
    (b"Foo,Bar\n1,2\n", 1, "bad_layout", ["unrecognised layout", "'Foo,Bar'"]),
    (b"Date,Open,High\n2024-01-02,1,2\n", 1, "bad_layout", ["no close column",
                                                               "'Date,Open,High'"]),
    (b"Date,Close,Close\n2024-01-02,1,2\n", 1, "bad_layout", ["repeats"]),
    (b"", 1, "bad_layout", ["empty file"]),
    (b"Date,Close\n", 2, "empty", ["no data rows"]),
    (b"Date,Close\n2024-01-02,1\n2024-01-03,2,7\n", 3, "field_count", ["expected 2 fields"]),
    (b"Date,Close\n2024-01-02,1\n2024-01-03\n", 3, "field_count", ["got 1"]),
    (b"Date,Close\n2024-01-02,1\n01/03/2024,2\n", 3, "bad_date", ["unparsable date"]),
    (b"Date,Close\n2024-01-02,1\n2024-02-30,2\n", 3, "bad_date", ["no such day"]),
    (b"Date,Close\n2024-01-02 09:30:00,1\n", 2, "bad_date", ["unparsable date"]),
    (b"Date,Close\n2024-01-02,1\n2024-01-03,\n", 3, "bad_close", ["empty Close"]),
    (b"Date,Close\n2024-01-02,1\n2024-01-03,NaN\n", 3, "bad_close", ["NaN Close"]),
    (b"Date,Close\n2024-01-02,1\n2024-01-03,abc\n", 3, "bad_close", ["non-numeric Close"]),
    (b"Date,Close\n2024-01-02,1\n2024-01-03,inf\n", 3, "bad_close", ["non-numeric Close"]),
    (b"Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,1,1,1,null,5\n", 2,
     "bad_close", ["Adj Close"]),
    (b"Date,Open,High,Low,Close,Volume\n2024-01-02,1,1,1,1,5\n2024-01-03,1,x,1,1,5\n", 3,
     "bad_value", ["non-numeric High"]),
    (b"Date,Close\n2024-01-02,1\n2024-01-03,2\n2024-01-03,2\n", 4, "dup_dates",
     ["duplicate date 2024-01-03", "line 3"]),
    (b"Date,Close\n2024-01-02,1\n\n2024-01-04,2\n2024-01-03,2\n", 5, "non_monotonic",
     ["not ascending", "2024-01-03 follows 2024-01-04"]),
    (b"<TICKER>,<PER>,<DATE>,<TIME>,<CLOSE>\nA.US,W,20240102,000000,1\n", 2, "bad_layout",
     ["not daily"]),
    (b"<TICKER>,<PER>,<DATE>,<TIME>,<CLOSE>\nA.US,D,2024-01-02,000000,1\n", 2, "bad_date",
     ["YYYYMMDD"]),
    (b"Price,Close\nTicker,AAA\nDate,x\n2024-01-02,1\n", 3, "bad_layout", ["line 3"]),
    (b"Date,Close\n2024-01-02,1\n\xff\xfe,2\n", 3, "bad_encoding",
     ["not UTF-8", "line 3, column 1"]),
]


@pytest.mark.parametrize("content,line,check,words", BAD)
def test_structural_problems_name_file_line_reason(content, line, check, words):
    with pytest.raises(FileFormatError) as info:
        parse_price_csv(content, "/some/dir/BAD.csv")
    err = info.value
    assert err.path == "/some/dir/BAD.csv"
    assert err.line == line
    assert err.check == check
    where = f"/some/dir/BAD.csv:{line}" if line is not None else "/some/dir/BAD.csv"
    assert str(err).startswith(where + ": ")
    for w in words:
        assert w.lower() in err.reason.lower(), (w, err.reason)


# -- fast path vs line-by-line oracle ------------------------------------------------------

def _pandas_oracle(text: str) -> pd.Series:
    df = pd.read_csv(pd.io.common.StringIO(text))
    return pd.Series(df["Close"].to_numpy(dtype=float),
                     index=pd.DatetimeIndex(pd.to_datetime(df["Date"]), name="date"))


closes = st.floats(min_value=-1e6, max_value=1e9, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(closes, min_size=1, max_size=40), st.integers(0, 3000),
       st.sampled_from(["\n", "\r\n"]))
def test_fast_parser_matches_slow_parser_and_pandas(values, offset, eol):
    days = pd.bdate_range("2000-01-03", periods=len(values)) + pd.Timedelta(days=offset)
    text = "Date,Close" + eol + "".join(f"{d:%Y-%m-%d},{v!r}{eol}"
                                         for d, v in zip(days, values, strict=True))
    content = text.encode()
    fast = _one(content)
    layout = detect_layout(content)
    slow = _parse_slow(content, layout, "x.csv")
    np.testing.assert_array_equal(fast.frame.index.values.astype("datetime64[D]"), slow.dates)
    np.testing.assert_array_equal(fast.frame["close"].to_numpy(), slow.values[1])
    expected = _pandas_oracle(text.replace("\r\n", "\n"))
    np.testing.assert_array_equal(fast.frame["close"].to_numpy(), expected.to_numpy())
    assert fast.frame.index.equals(expected.index)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 60), st.data())
def test_error_line_is_the_corrupted_line(n, data):
    days = pd.bdate_range("2010-01-04", periods=n)
    lines = ["Date,Close"] + [f"{d:%Y-%m-%d},{i + 1}.5" for i, d in enumerate(days)]
    bad_row = data.draw(st.integers(1, n))            # index into lines (1 = first data row)
    kind = data.draw(st.sampled_from(["nan", "text", "empty", "date", "fields"]))
    d, v = lines[bad_row].split(",")
    lines[bad_row] = {"nan": f"{d},nan", "text": f"{d},12a", "empty": f"{d},",
                      "date": f"{d[:8]}40,{v}", "fields": f"{d},{v},1"}[kind]
    with pytest.raises(FileFormatError) as info:
        parse_price_csv(("\n".join(lines) + "\n").encode(), "f.csv")
    assert info.value.line == bad_row + 1


# -- real data -----------------------------------------------------------------------------

@pytest.mark.parametrize("ticker", ["SPY", "^TNX", "BRK-B", "HONA"])
def test_real_files_match_pandas(market_data: Path, ticker):
    path = market_data / "prices" / f"{ticker}.csv"
    s = _one(path.read_bytes(), str(path))
    assert s.ticker == ticker
    ref = pd.read_csv(path)
    assert len(s.frame) == len(ref)
    np.testing.assert_array_equal(s.frame["close"].to_numpy(), ref["Close"].to_numpy())
    assert (s.frame.index.strftime("%Y-%m-%d") == ref["Date"].to_numpy()).all()


def test_yfinance_multi_ticker_empty_cells_mean_no_row():
    text = ("Price,Close,Close,Volume,Volume\nTicker,OLD,NEW,OLD,NEW\nDate,,,,\n"
            "2024-01-02,1,,10,\n2024-01-03,3,4,30,40\n2024-01-04,5,6,50,60\n")
    old, new = parse_price_csv(text.encode(), "multi.csv")
    assert old.frame["close"].tolist() == [1.0, 3.0, 5.0]
    assert new.frame["close"].tolist() == [4.0, 6.0]            # listed on 2024-01-03
    assert new.frame.index[0] == pd.Timestamp("2024-01-03")
    partial = text.replace("2024-01-04,5,6,50,60", "2024-01-04,5,,50,60")
    with pytest.raises(FileFormatError) as info:
        parse_price_csv(partial.encode(), "multi.csv")
    assert info.value.line == 6 and info.value.check == "bad_close"
    assert "NEW: empty Close" in info.value.reason
    # a single-layout file never accepts an empty cell
    with pytest.raises(FileFormatError, match="empty Close"):
        parse_price_csv(b"Date,Close,Volume\n2024-01-02,,5\n", "x.csv")
