"""Quality checks: the manifest acceptance test, and a brute-force oracle."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.data.model import SeriesData
from rotascope.data.quality import (
    FLAG_CHECKS,
    POLICY,
    REJECT_CHECKS,
    check_long,
    check_many,
    check_series,
    manifest_token,
)
from rotascope.errors import EXIT_FINDINGS, ParameterError
from rotascope.outputs.cli.main import cli


def _manifest(market_data: Path) -> dict[str, list[str]]:
    out = {}
    with (market_data / "manifest.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            tokens = row["issues"].split("; ") if row["issues"] else []
            # drop the human annotations the manifest appends, e.g. "(bond-market holidays)"
            out[row["ticker"]] = sorted(re.sub(r"\]\([^)]*\)$", "]", t) for t in tokens)
    return out


def test_data_check_reports_exactly_the_manifest(loaded_store, market_data):
    """Acceptance: `data check --json` on all of market-data == manifest.csv, per ticker."""
    result = CliRunner().invoke(cli, ["--home", str(loaded_store.home), "data", "check",
                                      "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    expected = _manifest(market_data)
    got = {row["ticker"]: sorted(row["tokens"]) for row in report["tickers"]}
    assert set(got) == set(expected)
    diffs = {t: (expected[t], got[t]) for t in expected if expected[t] != got[t]}
    assert not diffs
    assert report["latest_date"] == "2026-07-14"
    assert report["checked"] == 608
    # the structured fields agree with the tokens: dates listed are the first hits
    flags = {(row["ticker"], f["check"]): f for row in report["tickers"] for f in row["flags"]}
    irx = flags[("^IRX", "negative_close")]
    assert irx["count"] == 7 and irx["dates"][0] == "2020-03-19" and irx["dates"][-1] == \
        "2020-03-27"
    assert flags[("^IRX", "jump_gt50pct")]["count"] == 236
    assert flags[("^IRX", "jump_gt50pct")]["dates"][:3] == ["2008-03-24", "2008-09-17",
                                                            "2008-09-18"]
    near = flags[("^IRX", "near_zero_lt0.01")]
    assert (near["count"], near["first_date"], near["last_date"]) == (332, "2008-11-20",
                                                                      "2021-06-01")
    tnx = flags[("^TNX", "missing_vs_SPY_calendar")]
    assert tnx["count"] == 21 and tnx["dates"][:3] == ["1993-10-11", "1993-11-11", "1994-01-17"]
    assert flags[("FISV", "missing_vs_SPY_calendar")]["dates"] == ["2025-11-12"]
    amcr = flags[("AMCR", "stale_run_ge5")]
    assert amcr["count"] == 96 and amcr["last_date"] == "2019-06-10"


def test_import_flags_equal_check_flags(loaded_store):
    """Flags stored at import time equal the ones `data check` recomputes."""
    from rotascope.data.quality import check_store
    from rotascope.data.store import Store

    with Store(loaded_store.store_path, read_only=True) as store:
        stored = sorted((f.ticker, manifest_token(f)) for f in store.quality_flags())
        fresh = sorted((f.ticker, manifest_token(f)) for f in check_store(store).flags)
    assert stored == fresh
    assert len(stored) == 243


def test_data_check_strict_exit_code_and_tickers(loaded_store):
    runner = CliRunner()
    home = ["--home", str(loaded_store.home)]
    r = runner.invoke(cli, [*home, "data", "check", "SPY", "--strict"])
    assert r.exit_code == 0, r.output                                 # SPY is clean
    r = runner.invoke(cli, [*home, "data", "check", "HONA,SPY", "--strict"])
    assert r.exit_code == EXIT_FINDINGS
    assert "short_history=20rows" in r.output
    r = runner.invoke(cli, [*home, "data", "check", "NOPE1", "SPY", "NOPE2"])
    assert r.exit_code == 3
    assert "NOPE1" in r.output and "NOPE2" in r.output


def test_policy_tables_cover_every_token():
    assert set(POLICY) == set(REJECT_CHECKS) | set(FLAG_CHECKS)
    assert {"dup_dates", "non_monotonic", "bad_close"} <= set(REJECT_CHECKS)
    assert POLICY["jump_gt50pct"] == "flag" and POLICY["dup_dates"] == "reject"


# -- brute-force oracle --------------------------------------------------------------------

def _oracle(series: dict[str, pd.Series], calendar: pd.DatetimeIndex | None,
            latest: pd.Timestamp) -> dict[tuple[str, str], tuple[int, tuple]]:
    """Plain Python loops, one ticker and one row at a time."""
    out: dict[tuple[str, str], tuple[int, tuple]] = {}
    for t, s in series.items():
        dates = list(s.index)
        vals = list(s.to_numpy())
        def put(check, items, t=t):
            if items:
                out[(t, check)] = (len(items), tuple(items))

        put("zero_close", [d for d, v in zip(dates, vals, strict=False) if v == 0])
        put("negative_close", [d for d, v in zip(dates, vals, strict=False) if v < 0])
        put("near_zero_lt0.01", [d for d, v in zip(dates, vals, strict=False) if 0 < v < 0.01])
        jumps, gaps = [], []
        for i in range(1, len(vals)):
            p, c = vals[i - 1], vals[i]
            if p > 0 and c > 0 and abs(c / p - 1) > 0.5:
                jumps.append(dates[i])
            if (dates[i] - dates[i - 1]).days > 7:
                gaps.append(dates[i])
        put("jump_gt50pct", jumps)
        put("gap_gt7d", gaps)
        runs, i = [], 0
        while i < len(vals):
            j = i
            while j + 1 < len(vals) and vals[j + 1] == vals[i]:
                j += 1
            if j - i + 1 >= 5:
                runs.append(dates[i])
            i = j + 1
        put("stale_run_ge5", runs)
        if calendar is not None:
            have = set(dates)
            miss = [d for d in calendar if dates[0] <= d <= dates[-1] and d not in have]
            put("missing_vs_SPY_calendar", miss)
        if len(vals) < 252:
            out[(t, "short_history")] = (len(vals), ())
        if dates[-1] < latest:
            out[(t, "ends_early")] = (1, (dates[-1],))
    return out


@st.composite
def _series_sets(draw):
    cal = pd.bdate_range("2020-01-01", periods=60)
    n_tickers = draw(st.integers(1, 5))
    out = {}
    for k in range(n_tickers):
        keep = draw(st.lists(st.booleans(), min_size=60, max_size=60))
        days = cal[np.array(keep)]
        if draw(st.booleans()):   # some weekend/holiday-calendar rows too
            days = days.union(pd.DatetimeIndex(["2020-02-01", "2020-02-08"]))
        if len(days) == 0:
            continue
        vals = draw(st.lists(st.sampled_from([0.0, -1.0, 0.005, 1.0, 1.2, 2.0, 5.0, 5.0]),
                             min_size=len(days), max_size=len(days)))
        out[f"T{k}"] = pd.Series(vals, index=days, dtype=float)
    return out, cal


@settings(max_examples=80, deadline=None)
@given(_series_sets(), st.booleans())
def test_vectorised_checks_equal_brute_force(data, with_calendar):
    series, cal = data
    if not series:
        return
    latest = max(s.index[-1] for s in series.values())
    calendar = cal if with_calendar else None
    parsed = [SeriesData(t, s.to_frame("close").rename_axis("date"), "t", "t", "x")
              for t, s in series.items()]
    flags = check_many(parsed, calendar=calendar, latest=latest)
    got = {(f.ticker, f.check): (f.count, tuple(f.dates)) for f in flags}
    exp = _oracle(series, calendar, latest)
    assert {k: v[0] for k, v in got.items()} == {k: v[0] for k, v in exp.items()}
    for key, (_, dates) in exp.items():
        if key[1] not in ("short_history",):
            assert got[key][1] == dates, key
    # the long-form entry point agrees
    long = pd.concat([s.rename("close").rename_axis("date").reset_index().assign(ticker=t)
                      for t, s in series.items()], ignore_index=True)
    again = check_long(long, calendar=calendar, latest=latest)
    assert [manifest_token(f) for f in again] == [manifest_token(f) for f in flags]


def test_check_series_reports_structural_problems():
    idx = pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-03", "2024-01-01",
                          "2024-01-04"])
    s = pd.Series([1.0, np.nan, 1.1, 1.2, np.inf], index=idx, name="X")
    flags = {f.check: f for f in check_series(s)}
    assert flags["dup_dates"].count == 1
    assert flags["dup_dates"].dates == (pd.Timestamp("2024-01-03"),)
    assert flags["non_monotonic"].dates == (pd.Timestamp("2024-01-01"),)
    assert flags["bad_close"].count == 2
    assert flags["short_history"].count == 3      # 3 valid unique rows remain
    assert all(f.ticker == "X" for f in flags.values())


def test_stale_ties_report_the_latest_longest_run():
    idx = pd.bdate_range("2024-01-01", periods=12)
    s = pd.Series([1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 4], index=idx, dtype=float)
    (flag,) = [f for f in check_series(s, "T") if f.check == "stale_run_ge5"]
    assert flag.count == 2
    # rows 6..10 of the business days: 2024-01-09 .. 2024-01-15
    assert flag.detail == ("longest 5 rows 2024-01-09..2024-01-15 | last run ends "
                           "2024-01-15")


def test_check_long_rejects_unsorted_input():
    long = pd.DataFrame({"ticker": ["A", "B", "A"], "date": pd.to_datetime(
        ["2024-01-02", "2024-01-02", "2024-01-03"]), "close": [1.0, 2.0, 3.0]})
    with pytest.raises(ParameterError, match="contiguous"):
        check_long(long)
    long = pd.DataFrame({"ticker": ["A", "A"], "date": pd.to_datetime(
        ["2024-01-03", "2024-01-02"]), "close": [1.0, 2.0]})
    with pytest.raises(ParameterError, match="strictly ascending"):
        check_long(long)
