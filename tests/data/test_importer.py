"""Import pipeline: reject vs flag policy, idempotence, atomicity under SIGKILL, locking."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from rotascope.data.importer import import_path
from rotascope.data.store import Store
from rotascope.errors import EXIT_DATA, StoreBusyError
from rotascope.outputs.cli.main import cli

CAL = pd.bdate_range("2020-01-01", periods=300)


def _walk(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))


def _write(folder: Path, name: str, dates, values, header: str = "Date,Close") -> Path:
    path = folder / name
    lines = [header] + [f"{d:%Y-%m-%d},{float(v)!r}" for d, v in zip(dates, values, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _dump(path: Path) -> dict[str, list]:
    """Every table's full contents, sorted: the store's observable state."""
    with Store(path, read_only=True) as store:
        names = [r[0] for r in store.con.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        return {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in names}


@pytest.fixture()
def clean_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "prices"
    folder.mkdir()
    _write(folder, "SPY.csv", CAL, _walk(300, 1))
    _write(folder, "GOOD.csv", CAL, _walk(300, 2))
    return folder


# -- every problem class: file, line, reason; the good files still load ---------------------

REJECT_CASES = {
    # file name: (lines after the header, expected line, check, words)
    "LAYOUT.csv": (None, 1, "bad_layout", ["unrecognised layout", "'when,price'"]),
    "FIELDS.csv": (("2020-01-02,1,2",), 3, "field_count", ["expected 2 fields"]),
    "BADDATE.csv": (("2020-13-02,1",), 3, "bad_date", ["unparsable date"]),
    "EMPTYCLOSE.csv": (("2020-01-02,",), 3, "bad_close", ["empty close"]),
    "NANCLOSE.csv": (("2020-01-02,NaN",), 3, "bad_close", ["nan close"]),
    "TEXTCLOSE.csv": (("2020-01-02,n/a",), 3, "bad_close", ["non-numeric close"]),
    "DUP.csv": (("2020-01-01,2",), 3, "dup_dates", ["duplicate date 2020-01-01"]),
    "UNSORTED.csv": (("2019-12-31,2",), 3, "non_monotonic", ["not ascending"]),
    "NOROWS.csv": ((), 2, "empty", ["no data rows"]),
}


def test_each_structural_problem_is_rejected_with_file_line_reason(clean_folder, tmp_path):
    for name, (rows, _line, _check, _words) in REJECT_CASES.items():
        if rows is None:
            (clean_folder / name).write_text("When,Price\n2020-01-01,1\n")
        else:
            first = [] if name == "NOROWS.csv" else ["2020-01-01,1.5"]
            (clean_folder / name).write_text("\n".join(["Date,Close", *first, *rows]) + "\n")
    with Store(tmp_path / "store.duckdb") as store:
        result = import_path(store, clean_folder)
        loaded = set(store.tickers())
    assert loaded == {"SPY", "GOOD"}                       # the good files still load
    assert {r.status for r in result.results} == {"new"}
    by_file = {Path(r.location).name: r for r in result.rejected}
    assert set(by_file) == set(REJECT_CASES)
    for name, (_rows, line, check, words) in REJECT_CASES.items():
        rej = by_file[name]
        assert rej.line == line, name
        assert rej.check == check, name
        assert str(rej).startswith(f"{clean_folder / name}:{line}: "), str(rej)
        for w in words:
            assert w in rej.reason.lower(), (name, rej.reason)


def _flag_files(folder: Path) -> dict[str, str]:
    """One file per flag class; returns ticker -> the check expected."""
    v = _walk(300, 3)
    z = v.copy()
    z[10] = 0.0
    _write(folder, "ZERO.csv", CAL, z)
    n = v.copy()
    n[20] = -1.0
    _write(folder, "NEG.csv", CAL, n)
    t = v.copy()
    t[30] = 0.001
    _write(folder, "TINY.csv", CAL, t)
    j = v.copy()
    j[40:] *= 1.8                                        # +80% one-day move
    _write(folder, "JUMP.csv", CAL, j)
    keep = np.ones(300, bool)
    keep[50:57] = False                                  # 7 business days: an 11-day gap
    _write(folder, "GAP.csv", CAL[keep], v[keep])
    s = v.copy()
    s[60:66] = s[60]                                     # 6 equal closes
    _write(folder, "STALE.csv", CAL, s)
    _write(folder, "SHORT.csv", CAL[:100], v[:100])
    _write(folder, "EARLY.csv", CAL[:-1], v[:-1])
    keep = np.ones(300, bool)
    keep[100] = False                                    # one SPY day missing
    _write(folder, "HOLE.csv", CAL[keep], v[keep])
    return {"ZERO": "zero_close", "NEG": "negative_close", "TINY": "near_zero_lt0.01",
            "JUMP": "jump_gt50pct", "GAP": "gap_gt7d", "STALE": "stale_run_ge5",
            "SHORT": "short_history", "EARLY": "ends_early", "HOLE": "missing_vs_SPY_calendar"}


def test_each_flag_class_is_imported_and_flagged(clean_folder, tmp_path):
    expected = _flag_files(clean_folder)
    with Store(tmp_path / "store.duckdb") as store:
        result = import_path(store, clean_folder)
        loaded = set(store.tickers())
        stored_flags = {(f.ticker, f.check) for f in store.quality_flags()}
    assert not result.rejected
    assert loaded == {"SPY", "GOOD", *expected}
    got = {(f.ticker, f.check) for f in result.flags}
    for ticker, check in expected.items():
        assert (ticker, check) in got, (ticker, check)
    assert not [f for f in result.flags if f.ticker in ("SPY", "GOOD")]
    assert stored_flags == got
    # the gap is flagged on the first row after it
    (gap,) = [f for f in result.flags if f.check == "gap_gt7d"]
    assert gap.dates == (CAL[57],)
    holes = {f.ticker: f.dates for f in result.flags if f.check == "missing_vs_SPY_calendar"}
    assert holes == {"HOLE": (CAL[100],), "GAP": tuple(CAL[50:57])}


def test_reimport_changes_nothing_and_updates_are_counted(clean_folder, tmp_path):
    path = tmp_path / "store.duckdb"
    with Store(path) as store:
        first = import_path(store, clean_folder)
    before = _dump(path)
    with Store(path) as store:
        again = import_path(store, clean_folder)
    assert _dump(path) == before                           # identical contents
    assert again.rows_written == 0
    assert {r.status for r in again.results} == {"unchanged"}
    assert first.rows_written == 600
    # change one close, drop one row, add one row: counted and written
    values = _walk(300, 2)
    values[5] = 1.0
    keep = np.ones(300, bool)
    keep[7] = False
    dates = CAL[keep].append(pd.DatetimeIndex([CAL[-1] + pd.offsets.BDay()]))
    _write(clean_folder, "GOOD.csv", dates, np.append(values[keep], 2.0))
    with Store(path) as store:
        upd = import_path(store, clean_folder)
        good = store.series("GOOD")["close"]
    res = {r.ticker: r for r in upd.results}
    assert res["SPY"].status == "unchanged"
    assert res["GOOD"].status == "updated"
    assert res["GOOD"].rows_added == 1
    assert res["GOOD"].rows_changed == 2                   # one changed + one removed
    assert good.loc[CAL[5]] == 1.0 and CAL[7] not in good.index and len(good) == 300


def test_duplicate_ticker_across_files_is_rejected(clean_folder, tmp_path):
    _write(clean_folder, "good.us.txt", CAL, _walk(300, 9))
    with Store(tmp_path / "s.duckdb") as store:
        result = import_path(store, clean_folder)
    (rej,) = result.rejected
    assert rej.check == "dup_ticker" and "GOOD" in rej.reason
    assert Path(rej.location).name == "good.us.txt"


def test_market_data_root_reads_prices_and_kinds(loaded_store):
    with Store(loaded_store.store_path, read_only=True) as store:
        inst = store.instruments()
        assert len(store.tickers()) == 608
        runs = store.con.execute("SELECT count(*) FROM import_runs").fetchall()[0][0]
    assert inst.loc["SPY", "kind"] == "etf"
    assert inst.loc["^TNX", "kind"] == "index"
    assert inst.loc["AAPL", "kind"] == "stock"
    assert inst.loc["AAPL", "sector"] == "Information Technology"   # from sp500.csv
    assert runs == 1


def test_real_files_reimport_is_a_no_op(market_data, tmp_path):
    path = tmp_path / "s.duckdb"
    files = sorted((market_data / "prices").glob("*.csv"))[:25]
    with Store(path) as store:
        for f in files:
            import_path(store, f)
    before = _dump(path)
    with Store(path) as store:
        results = [import_path(store, f) for f in files]
    assert _dump(path) == before
    assert all(r.rows_written == 0 for r in results)


# -- atomicity and locking -----------------------------------------------------------------

def _synthetic_folder(folder: Path, n_files: int, seed: int, rows: int = 4000) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    dates = pd.bdate_range("2005-01-03", periods=rows)
    for i in range(n_files):
        _write(folder, f"S{i:03d}.csv", dates, _walk(rows, seed + i))


KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    from rotascope.data.store import Store
    from rotascope.data.importer import import_path

    def progress(stage, done, total):
        if stage == "write":          # every row written, nothing committed yet
            print("READY", flush=True)
            time.sleep(120)

    with Store(sys.argv[1]) as store:
        import_path(store, sys.argv[2], progress=progress)
    print("FINISHED", flush=True)
""")


def test_sigkill_midway_leaves_the_store_unchanged(tmp_path):
    path = tmp_path / "home" / "store.duckdb"
    _synthetic_folder(tmp_path / "v1", 20, seed=100)
    _synthetic_folder(tmp_path / "v2", 60, seed=500)      # overlaps S000..S019, adds 40
    with Store(path) as store:
        import_path(store, tmp_path / "v1")
    before = _dump(path)
    script = tmp_path / "kill_me.py"
    script.write_text(KILL_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(path), str(tmp_path / "v2")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "READY", proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert _dump(path) == before
    # and the store is healthy: the same import now completes
    with Store(path) as store:
        result = import_path(store, tmp_path / "v2")
        assert len(store.tickers()) == 60
    assert sum(r.status == "new" for r in result.results) == 40


HOLD_SCRIPT = textwrap.dedent("""
    import sys, time
    from rotascope.data.store import Store
    store = Store(sys.argv[1])
    print("READY", flush=True)
    time.sleep(120)
""")


def test_second_process_gets_store_busy_error(tmp_path):
    path = tmp_path / "store.duckdb"
    Store(path).close()
    script = tmp_path / "hold.py"
    script.write_text(HOLD_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "READY", proc.stderr.read()
        for read_only in (False, True):
            with pytest.raises(StoreBusyError) as info:
                Store(path, read_only=read_only, wait=0.3)
            msg = str(info.value)
            assert str(path) in msg
            assert f"PID {proc.pid}" in msg
            assert "in use by another process" in msg and "try again" in msg
            assert info.value.exit_code == 4
    finally:
        proc.kill()
        proc.wait(timeout=30)
    with Store(path, wait=5) as store:                    # released when the holder dies
        assert store.is_empty


# -- CLI -----------------------------------------------------------------------------------

def test_cli_import_json_and_exit_code(clean_folder, tmp_path):
    (clean_folder / "BROKEN.csv").write_text("Date,Close\n2020-01-01,1\n2020-01-02,oops\n")
    runner = CliRunner()
    home = ["--home", str(tmp_path / "home")]
    r = runner.invoke(cli, [*home, "data", "import", str(clean_folder), "--json"])
    assert r.exit_code == EXIT_DATA, r.output              # rejected, but the rest loaded
    out = json.loads(r.stdout)
    assert out["summary"] == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 1,
                              "flags": 0, "rows_written": 600}
    assert out["rejected"] == [{"location": str(clean_folder / "BROKEN.csv"), "line": 3,
                                "ticker": "BROKEN", "check": "bad_close",
                                "reason": "non-numeric Close value 'oops'"}]
    assert {t["ticker"] for t in out["tickers"]} == {"SPY", "GOOD"}
    (clean_folder / "BROKEN.csv").unlink()
    r = runner.invoke(cli, [*home, "data", "import", str(clean_folder)])
    assert r.exit_code == 0, r.output
    assert "unchanged" in r.output
    r = runner.invoke(cli, [*home, "data", "list", "--json"])
    rows = json.loads(r.stdout)["tickers"]
    assert [(x["ticker"], x["rows"], x["first_date"]) for x in rows] == [
        ("GOOD", 300, "2020-01-01"), ("SPY", 300, "2020-01-01")]


def test_cli_help_has_examples():
    runner = CliRunner()
    for cmd in (["data", "import"], ["data", "check"], ["data", "export"], ["data", "list"],
                ["universe", "add"], ["universe", "show"], ["universe", "list"]):
        r = runner.invoke(cli, [*cmd, "--help"])
        assert r.exit_code == 0 and "Examples:" in r.output, cmd


def test_data_update_is_lazy():
    """`data update` comes from another module; the group lists it either way."""
    r = CliRunner().invoke(cli, ["data", "--help"])
    assert r.exit_code == 0
    assert "update" in r.output and "import" in r.output


def test_calendar_and_latest_date_come_from_the_store_too(clean_folder, tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        import_path(store, clean_folder)                   # SPY + GOOD
    single = tmp_path / "single"
    single.mkdir()
    keep = np.ones(250, bool)
    keep[200] = False
    _write(single, "LATE.csv", CAL[:250][keep], _walk(250, 5)[keep])
    # a partial SPY file: the stored SPY days outside its range still count
    _write(single, "SPY.csv", CAL[:100], _walk(300, 1)[:100])
    with Store(path) as store:
        result = import_path(store, single)
    flags = {(f.ticker, f.check): f for f in result.flags}
    assert flags[("LATE", "missing_vs_SPY_calendar")].dates == (CAL[200],)
    assert flags[("LATE", "ends_early")].dates == (CAL[249],)    # store ends at CAL[299]
    assert ("LATE", "short_history") in flags                    # 249 rows
