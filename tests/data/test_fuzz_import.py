"""Fuzz `data import` with generated price files (issue 16): random bytes, huge fields,
odd headers, odd file names and random encodings.

For every generated folder: no exit 1 / "internal error", the run takes < 10 s, every
rejection names its file (and its line when the problem is on a line), and the good
file of the same folder still loads. Bounded: ``ROTASCOPE_FUZZ_EXAMPLES`` examples
(default 40 folders and 300 parsed files), each with a 10 s hypothesis deadline.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotascope.data.sources.csv_folder import parse_price_csv
from rotascope.errors import FileFormatError
from rotascope.outputs.cli.main import cli

N = int(os.environ.get("ROTASCOPE_FUZZ_EXAMPLES", "40"))
DAYS = pd.bdate_range("2020-01-01", periods=20)
GOOD = "Date,Close\n" + "".join(f"{d:%Y-%m-%d},{100 + i / 4}\n" for i, d in enumerate(DAYS))

#: Checks about one line of a file: the rejection must give that line.
LINE_CHECKS = {"field_count", "bad_date", "bad_close", "bad_value", "dup_dates",
               "non_monotonic", "bad_encoding", "bad_layout"}

HEADERS = ["Date,Close", "Date,Open,High,Low,Close,Adj Close,Volume",
           "Date,Open,High,Low,Close,Volume,OpenInt", "date,close", "<DATE>,<CLOSE>",
           "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>",
           "Price,Close,Close\nTicker,AAA,BBB\nDate,,", "Price,Close\nTicker,A\u202eB\nDate,",
           "Date,Close,Close", "Date", "Close", "", "\ufeffDate,Close", "Date;Close",
           '"Date","Close"', "Date,Close,Price,Close"]

dates = st.one_of(
    st.dates(min_value=pd.Timestamp("1800-01-01").date(),
             max_value=pd.Timestamp("2200-12-31").date()).map(str),
    st.dates().map(lambda d: d.strftime("%Y%m%d")),
    st.sampled_from(["2024-02-30", "2024-01-02 00:00:00-05:00", "2024-01-02 13:00",
                     "\u0662\u0660\u0662\u0664-01-02", "", "0000-00-00", "9999-99-99"]),
    st.text(max_size=12))
values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**30, 10**30).map(str),
    st.sampled_from(["", "nan", "NaN", "inf", "-inf", "1e400", "\u0661\u0662",
                     "\uff11\uff12", "1,5", "0x10", " 1 ", "D", "000000", "AAPL.US",
                     "../../x"]),
    st.integers(1, 300_000).map(lambda n: "9" * n),      # up to a 300 KB field
    st.text(max_size=20))
line_ends = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\u2028", "\x85"])
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1",
                             "cp1252", "utf-32"])


@st.composite
def csv_text(draw) -> bytes:
    header = draw(st.one_of(st.sampled_from(HEADERS), st.text(max_size=60)))
    width = max(1, header.split("\n")[0].count(",") + 1)
    rows = draw(st.lists(st.lists(st.one_of(dates, values), min_size=1,
                                  max_size=width + 1), max_size=12))
    # mostly well-formed rows: a date and then values, as many fields as the header
    tidy = draw(st.lists(st.tuples(dates, st.lists(values, min_size=width - 1,
                                                   max_size=width - 1)), max_size=12))
    lines = [header, *(",".join([d, *v]) for d, v in tidy), *(",".join(r) for r in rows)]
    end = draw(line_ends)
    text = end.join(lines) + draw(st.sampled_from(["", end]))
    data = text.encode(draw(encodings), errors="replace")
    if draw(st.booleans()):        # flip a few bytes
        raw = bytearray(data)
        for pos, b in draw(st.lists(st.tuples(st.integers(0, max(len(raw) - 1, 0)),
                                              st.integers(0, 255)), max_size=3)):
            if raw:
                raw[pos] = b
        data = bytes(raw)
    return data


@st.composite
def near_valid(draw) -> bytes:
    """A valid file (ascending dates, positive closes), then perhaps one odd cell or line."""
    start = draw(st.dates(min_value=pd.Timestamp("1890-01-01").date(),
                          max_value=pd.Timestamp("2030-01-01").date()))
    n = draw(st.integers(1, 30))
    closes = draw(st.lists(st.floats(1e-6, 1e9), min_size=n, max_size=n))
    header = draw(st.sampled_from(["Date,Close", "date,close", "Date,Adj Close",
                                   "\ufeffDate,Close"]))
    lines = [header] + [f"{d:%Y-%m-%d},{c!r}" for d, c in
                        zip(pd.bdate_range(start, periods=n), closes, strict=True)]
    if draw(st.booleans()):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, ",".join(draw(st.lists(st.one_of(dates, values), max_size=3))))
    return (draw(line_ends.filter(lambda e: e in ("\n", "\r\n", "\r"))).join(lines)
            + "\n").encode("utf-8")


contents = st.one_of(near_valid(), csv_text(), st.binary(max_size=3000))
names = st.one_of(
    st.from_regex(r"[A-Z]{1,5}([-.=][A-Z]{1,3})?", fullmatch=True),
    st.text(alphabet=st.characters(blacklist_characters="/\x00",
                                   blacklist_categories=("Cs",)), min_size=0, max_size=12),
    st.sampled_from(["", "aapl.us", "^TNX", "BRK-B", "ES=F", "..", "A\u202eB", "A\u200bB",
                     "A\nB", "\t"]),
).filter(lambda n: n.upper().replace(".", "-") != "GOOD" and len(n.encode()) < 200)
suffixes = st.sampled_from([".csv", ".txt", ".CSV"])


@pytest.fixture(scope="module")
def fuzz_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "home"


@settings(max_examples=N, deadline=timedelta(seconds=10), derandomize=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.tuples(names, suffixes, contents), min_size=1, max_size=3,
                      unique_by=lambda f: (f[0] + f[1]).lower()))
def test_generated_folders_never_crash_and_good_files_load(fuzz_home, files) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "prices"
        folder.mkdir()
        (folder / "GOOD.csv").write_text(GOOD)
        written = {"GOOD.csv"}
        for name, suffix, data in files:
            target = folder / f"{name}{suffix}"
            if target.name in written or target.name in (".", ".."):
                continue
            target.write_bytes(data)
            written.add(target.name)
        start = time.perf_counter()
        r = CliRunner().invoke(cli, ["--home", str(fuzz_home), "data", "import",
                                     str(folder), "--json"])
        elapsed = time.perf_counter() - start
    assert elapsed < 10, f"import took {elapsed:.1f} s"
    assert "internal error" not in r.output + r.stderr, r.stderr
    assert r.exit_code in (0, 3), (r.exit_code, r.stderr, r.exception)
    doc = json.loads(r.stdout)
    files_by_name = {Path(f["location"]).name: f for f in doc["files"]}
    assert files_by_name["GOOD.csv"]["status"] == "loaded"
    assert files_by_name["GOOD.csv"]["tickers"] == ["GOOD"]
    for rej in doc["rejected"]:
        assert Path(rej["location"]).name in written
        if rej["check"] in LINE_CHECKS:
            assert rej["line"] is not None and rej["line"] >= 1, rej


@settings(max_examples=N * 8, deadline=timedelta(seconds=10),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=contents)
def test_parsing_generated_files_raises_only_located_file_errors(data) -> None:
    start = time.perf_counter()
    try:
        out = parse_price_csv(data, "FUZZ.csv")
    except FileFormatError as exc:
        assert exc.path == "FUZZ.csv"
        if getattr(exc, "check", None) in LINE_CHECKS:
            assert exc.line is not None and 1 <= exc.line <= data.count(b"\n") + \
                data.count(b"\r") + 1, (exc.line, str(exc))
    else:
        for s in out:
            assert s.frame.index.is_monotonic_increasing and s.frame.index.is_unique
            assert s.frame["close"].notna().all() or s.source == "csv"
    assert time.perf_counter() - start < 10
