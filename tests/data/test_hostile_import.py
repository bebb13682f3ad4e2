"""Hostile input to `data import` (issue 16): every case is reported with file, line and
reason, never "internal error" or a hang, and the good files of the folder still load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.data.model import TICKER_MAX_LEN, ticker_problem
from rotascope.data.sources.csv_folder import (
    MAX_LINE_BYTES,
    latest_date,
    parse_price_csv,
    read_price_file,
)
from rotascope.data.store import Store
from rotascope.errors import EXIT_DATA, FileFormatError
from rotascope.outputs.cli.main import cli

DAYS = pd.bdate_range("2020-01-01", periods=30)
GOOD = "Date,Close\n" + "".join(f"{d:%Y-%m-%d},{100 + i / 4}\n" for i, d in enumerate(DAYS))
SECRET = "s3cr3t-content-never-echoed"


def _import(home: Path, path: Path, *extra: str) -> tuple[int, dict, str]:
    r = CliRunner().invoke(cli, ["--home", str(home), "data", "import", str(path), "--json",
                                 *extra])
    assert "internal error" not in r.output + r.stderr
    return r.exit_code, (json.loads(r.stdout) if r.stdout.strip() else {}), r.stderr


def _by_file(doc: dict) -> dict[str, dict]:
    return {Path(f["location"]).name: f for f in doc["files"]}


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    f = tmp_path / "prices"
    f.mkdir()
    (f / "GOOD.csv").write_text(GOOD)
    return f


def _stored(home: Path) -> list[str]:
    with Store(home / "store.duckdb", read_only=True) as s:
        return s.tickers()


# -- the csv module's 128 KiB field limit, and the line-length bound -----------------------

@pytest.mark.parametrize(("size", "check", "words"), [
    (200_000, "bad_layout", "longer than 131,072 characters"),
    (10 * 2**20, "bad_layout", f"over the {MAX_LINE_BYTES:,}-byte limit"),
])
def test_huge_field_rejects_its_file_with_line_and_the_rest_loads(folder, tmp_path, size,
                                                                   check, words):
    (folder / "BIG.csv").write_text(f"Date,Close\n2024-01-02,{'1' * size}\n")
    code, doc, _ = _import(tmp_path / "home", folder)
    assert code == EXIT_DATA
    big = _by_file(doc)["BIG.csv"]
    assert (big["status"], big["line"], big["check"]) == ("rejected", 2, check)
    assert words in big["reason"] and len(big["reason"]) < 400   # the field is not echoed
    assert _by_file(doc)["GOOD.csv"]["status"] == "loaded"
    assert _stored(tmp_path / "home") == ["GOOD"]


def test_huge_header_field_is_located():
    with pytest.raises(FileFormatError) as info:
        parse_price_csv(b"Date," + b"x" * 200_000 + b"\n2024-01-02,1\n", "H.csv")
    assert info.value.line == 1 and "longer than" in info.value.reason


# -- what is not a regular file -------------------------------------------------------------

def test_links_fifos_and_devices_are_reported_not_read(folder, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text(f"{SECRET},x\n1,2\n")
    (folder / "self.csv").symlink_to(".")
    (folder / "loop.csv").symlink_to("loop.csv")
    (folder / "dangling.csv").symlink_to("nowhere.csv")
    (folder / "zero.csv").symlink_to("/dev/zero")
    (folder / "secret.csv").symlink_to(outside)
    os.mkfifo(folder / "fifo.csv")
    (folder / "dir.csv").mkdir()
    code, doc, _ = _import(tmp_path / "home", folder)
    assert code == EXIT_DATA
    files = _by_file(doc)
    expect = {"self.csv": ("not_regular", "a folder"), "loop.csv": ("not_regular", "loop"),
              "dangling.csv": ("not_regular", "dangling"),
              "zero.csv": ("link_outside", "--follow-links"),
              "secret.csv": ("link_outside", "outside the imported folder"),
              "fifo.csv": ("not_regular", "FIFO"), "dir.csv": ("not_regular", "a folder")}
    for name, (check, words) in expect.items():
        assert files[name]["status"] == "rejected", name
        assert files[name]["check"] == check, (name, files[name])
        assert words in files[name]["reason"], (name, files[name]["reason"])
    assert SECRET not in json.dumps(doc)
    assert files["GOOD.csv"]["status"] == "loaded" and _stored(tmp_path / "home") == ["GOOD"]


def test_follow_links_reads_outside_files_but_never_echoes_them(folder, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "SECRET.csv").write_text(f"{SECRET},x\n1,2\n")
    (outside / "OUT.csv").write_text(GOOD)
    (folder / "SECRET.csv").symlink_to(outside / "SECRET.csv")
    (folder / "OUT.csv").symlink_to(outside / "OUT.csv")
    (folder / "zero.csv").symlink_to("/dev/zero")
    code, doc, _ = _import(tmp_path / "home", folder, "--follow-links")
    assert code == EXIT_DATA
    files = _by_file(doc)
    assert files["OUT.csv"]["status"] == "loaded"
    assert files["SECRET.csv"]["check"] == "bad_layout" and files["SECRET.csv"]["line"] == 1
    assert "details not shown" in files["SECRET.csv"]["reason"]
    assert SECRET not in json.dumps(doc)
    assert files["zero.csv"]["check"] == "not_regular"          # a device is never read
    assert "character device" in files["zero.csv"]["reason"]
    assert _stored(tmp_path / "home") == ["GOOD", "OUT"]


def test_a_fifo_or_dev_zero_given_directly_does_not_hang(tmp_path):
    fifo = tmp_path / "AAA.csv"
    os.mkfifo(fifo)
    zero = tmp_path / "ZERO.csv"
    zero.symlink_to("/dev/zero")
    for path, follow in ((fifo, []), (zero, ["--follow-links"])):
        done = subprocess.run([sys.executable, "-m", "rotascope", "--home", str(tmp_path / "h"),
                               "data", "import", str(path), *follow], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == EXIT_DATA, done.stderr
        assert "not a regular file" in done.stdout and "internal error" not in done.stderr


def test_file_size_is_bounded(tmp_path):
    f = tmp_path / "AAA.csv"
    f.write_text(GOOD)
    with pytest.raises(FileFormatError) as info:
        read_price_file(f, max_bytes=100)
    assert info.value.check == "too_large" and "100-byte limit" in info.value.reason
    assert read_price_file(f, max_bytes=len(GOOD))[0] == GOOD.encode()


# -- tickers ----------------------------------------------------------------------------------

def test_real_and_common_tickers_are_allowed(market_data):
    names = [p.name[:-4] for p in (market_data / "prices").glob("*.csv")]
    assert {"BRK-B", "BF-B", "^TNX", "^IRX"} <= set(names)
    assert [n for n in names if ticker_problem(n) is not None] == []
    for t in ("BTC-USD", "ES=F", "EURUSD=X", "BRK.B", "BRK/B", "0700.HK", "aapl"):
        assert ticker_problem(t) is None, t


@pytest.mark.parametrize(("name", "words"), [
    (".csv", "empty ticker"), ("A\nB.csv", "newline"), ("A\tB.csv", "tab"),
    ("A\u202eB.csv", "bidirectional"), ("A\u200bB.csv", "zero-width"),
    ("CAF\u00c9.csv", "non-ASCII"), ("A--B.csv", "malformed"), ("^.csv", "malformed"),
    ("X" * (TICKER_MAX_LEN + 1) + ".csv", "longer than"),
])
def test_bad_file_name_tickers_are_rejected_with_file_and_reason(folder, tmp_path, name,
                                                                  words):
    (folder / name).write_text(GOOD)
    code, doc, _ = _import(tmp_path / "home", folder)
    assert code == EXIT_DATA
    bad = [f for f in doc["files"] if f["status"] == "rejected"]
    assert len(bad) == 1 and bad[0]["check"] == "bad_ticker"
    assert Path(bad[0]["location"]).name == name
    assert words in bad[0]["reason"]
    assert _stored(tmp_path / "home") == ["GOOD"]


def test_bad_file_name_is_escaped_in_the_table(folder, tmp_path):
    (folder / "A\u202eB.csv").write_text(GOOD)
    r = CliRunner().invoke(cli, ["--home", str(tmp_path / "h"), "data", "import", str(folder)])
    assert r.exit_code == EXIT_DATA
    assert "\u202e" not in r.stdout
    # the table names files within the imported folder, so the name is not wrapped
    assert "A\\u202eB.csv" in r.stdout
    assert "GOOD.csv" in r.stdout and "loaded" in r.stdout      # the per-file report


def test_stooq_bulk_path_piece_is_refused_not_reduced():
    text = ("<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\n"
            "AAPL.US,D,20240102,000000,1,1,1,1,1,0\n"
            "../../x,D,20240102,000000,1,1,1,1,1,0\n")
    with pytest.raises(FileFormatError) as info:
        parse_price_csv(text.encode(), "bulk.txt")
    assert (info.value.line, info.value.check) == (3, "bad_ticker")
    assert "looks like a path" in info.value.reason


def test_yfinance_ticker_cell_is_checked():
    text = "Price,Close\nTicker,A\u202eB\nDate,\n2024-01-02,1\n"
    with pytest.raises(FileFormatError) as info:
        parse_price_csv(text.encode(), "yf.csv")
    assert info.value.line == 2 and "bidirectional" in info.value.reason


# -- numbers, dates, encodings ----------------------------------------------------------------

@pytest.mark.parametrize("close", ["\u0661\u0662\u0663", "\uff11\uff12\uff13", "1\u0662"])
def test_non_ascii_digits_are_not_closes(close):
    with pytest.raises(FileFormatError) as info:
        parse_price_csv(f"Date,Close\n2024-01-02,1\n2024-01-03,{close}\n".encode(), "D.csv")
    assert (info.value.line, info.value.check) == (3, "bad_close")
    assert "ASCII digits" in info.value.reason


def test_non_ascii_digits_are_not_dates():
    with pytest.raises(FileFormatError) as info:
        parse_price_csv("Date,Close\n\u0662\u0660\u0662\u0664-01-02,1\n".encode(), "D.csv")
    assert (info.value.line, info.value.check) == (2, "bad_date")


@pytest.mark.parametrize(("day", "words"), [("1850-03-01", "before 1900-01-01"),
                                            ("1899-12-31", "before 1900-01-01"),
                                            ("2099-01-02", "in the future")])
def test_dates_before_1900_or_after_today_are_errors(day, words):
    rows = ["2024-01-02,1", f"{day},2"] if day > "2000" else [f"{day},2", "2024-01-02,1"]
    with pytest.raises(FileFormatError) as info:
        parse_price_csv(("Date,Close\n" + "\n".join(rows) + "\n").encode(), "D.csv")
    assert info.value.check == "bad_date" and words in info.value.reason
    assert info.value.line == (3 if day > "2000" else 2)


def test_today_and_1900_are_accepted():
    today = str(latest_date() - 1)
    out = parse_price_csv(f"Date,Close\n1900-01-01,1\n{today},2\n".encode(), "D.csv")
    assert len(out[0].frame) == 2


@pytest.mark.parametrize(("content", "line", "col"), [
    ("Date,Close\n2024-01-02,1\n2024-01-03,1 caf\u00e9\n".encode("latin-1"), 3, 17),
    ("Date,Close\n2024-01-02,1\n".encode("utf-16"), 1, 1),
    (b"\xef\xbb\xbfDate,Close\n2024-\xff01-02,1\n", 2, 6),
])
def test_non_utf8_reports_line_and_column(content, line, col):
    with pytest.raises(FileFormatError) as info:
        parse_price_csv(content, "E.csv")
    assert info.value.line == line and info.value.check == "bad_encoding"
    assert f"line {line}, column {col}" in info.value.reason
    assert "byte 0x" in info.value.reason and "at byte" not in info.value.reason


def test_unreadable_manifest_is_reported_and_prices_still_load(tmp_path):
    root = tmp_path / "md"
    (root / "prices").mkdir(parents=True)
    (root / "prices" / "GOOD.csv").write_text(GOOD)
    (root / "manifest.csv").write_bytes(b"ticker,kind\nGOOD,\xffstock\n")
    code, doc, _ = _import(tmp_path / "home", root)
    assert code == EXIT_DATA
    files = _by_file(doc)
    assert files["manifest.csv"]["check"] == "bad_encoding"
    assert files["GOOD.csv"]["status"] == "loaded"


def test_large_import_lists_only_files_not_loaded(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for k in range(41):
        (folder / f"T{k:02d}.csv").write_text(GOOD)
    (folder / "BAD.csv").write_text("Date,Close\n2024-01-02,x\n")
    r = CliRunner().invoke(cli, ["--home", str(tmp_path / "h"), "data", "import", str(folder)])
    assert r.exit_code == EXIT_DATA
    assert "BAD.csv:2" in r.stdout and "T00.csv" not in r.stdout
    assert "41 more files loaded" in r.stdout
    r = CliRunner().invoke(cli, ["--home", str(tmp_path / "h"), "data", "import", str(folder),
                                 "--files"])
    assert "T00.csv" in r.stdout and "T40.csv" in r.stdout
