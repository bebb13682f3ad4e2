"""``rotascope signals``: JSON on real tickers, dates and ratios equals an independent
pandas / TA-Lib / brute-force computation written here; table output; errors.

The store is built from a few files of ../shared/market-data with the CSV importer (the
files are read in place, never copied).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import talib
from click.testing import CliRunner

from rotascope.errors import EXIT_DATA, EXIT_USAGE
from rotascope.outputs.cli.main import COMMANDS, cli

TICKERS = ["SPY", "RSP", "AAPL", "NVDA", "MAGS", "IBIT", "^IRX"]
KEYS = ["as_of", "ticker", "close", "sma", "pct_vs_sma", "sma_slope_20d", "rsi14",
        "rsi_divergence", "rsi_lower_highs_lower_lows", "range", "drawdown",
        "worst_decline_10d", "rebound"]


@pytest.fixture(scope="module")
def home(market_data, tmp_path_factory):
    from rotascope.config import Settings
    from rotascope.data.importer import import_path
    from rotascope.data.store import Store

    settings = Settings(home=tmp_path_factory.mktemp("signals_home"))
    with Store(settings.store_path) as store:
        for t in TICKERS:
            result = import_path(store, market_data / "prices" / f"{t}.csv")
            assert not result.rejected
    return settings.home


def run(home, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), "signals", *args])
    return result.exit_code, result.stdout, result.stderr


def csv(market_data, ticker: str) -> pd.Series:
    return pd.read_csv(market_data / "prices" / f"{ticker}.csv", parse_dates=["Date"]
                       ).set_index("Date")["Close"]


# --------------------------------------------------------- independent computation
def pivots(x: np.ndarray, kind: str, n: int = 5) -> list[int]:
    """Swing rows confirmed by the last row: strictly beyond 5 before, at/beyond 5 after."""
    out = []
    for p in range(n, len(x) - n):
        b, a = x[p - n: p], x[p + 1: p + n + 1]
        if kind == "high" and (x[p] > b).all() and (x[p] >= a).all():
            out.append(p)
        if kind == "low" and (x[p] < b).all() and (x[p] <= a).all():
            out.append(p)
    return out


def expected(s: pd.Series, as_of: str, name: str) -> dict:
    s = s.loc[:as_of].dropna()
    x = s.to_numpy()
    t = len(x) - 1
    out: dict = {"as_of": as_of, "ticker": name, "close": x[-1]}
    sma = {w: talib.SMA(x, w) for w in (20, 50, 100, 200)}
    out["sma"] = {str(w): v[-1] for w, v in sma.items()}
    out["pct_vs_sma"] = {str(w): x[-1] / v[-1] - 1 for w, v in sma.items()}
    out["sma_slope_20d"] = {str(w): v[-1] / v[-21] - 1 for w, v in sma.items()}
    r = talib.RSI(x, 14)
    out["rsi14"] = r[-1]

    hs, ls = pivots(x, "high"), pivots(x, "low")
    bear = len(hs) >= 2 and t - hs[-2] <= 60 and x[hs[-1]] > x[hs[-2]] and r[hs[-1]] < r[hs[-2]]
    bull = len(ls) >= 2 and t - ls[-2] <= 60 and x[ls[-1]] < x[ls[-2]] and r[ls[-1]] > r[ls[-2]]
    if bear and bull:
        out["rsi_divergence"] = "bullish" if ls[-1] > hs[-1] else "bearish"
    else:
        out["rsi_divergence"] = "bearish" if bear else "bullish" if bull else None

    off = int(np.isnan(r).sum())                       # RSI warm-up rows
    rv = r[off:]
    rh = [p + off for p in pivots(rv, "high")]
    rl = [p + off for p in pivots(rv, "low")]
    out["rsi_lower_highs_lower_lows"] = bool(
        len(rh) >= 2 and t - rh[-2] <= 60 and r[rh[-1]] < r[rh[-2]]
        and len(rl) >= 2 and t - rl[-2] <= 60 and r[rl[-1]] < r[rl[-2]]
        and x[-1] >= 0.95 * x[-60:].max())

    start = t
    while start > 0 and x[start - 1: t + 1].max() <= 1.04 * x[start - 1: t + 1].min():
        start -= 1
    days = t - start + 1
    out["range"] = None if days < 30 else {
        "start": s.index[start].strftime("%Y-%m-%d"), "floor": x[start:].min(),
        "ceiling": x[start:].max(), "days": days}

    out["drawdown"] = x[-1] / x.max() - 1
    w = x[-11:]
    out["worst_decline_10d"] = min(w[j] / w[i] - 1 for i in range(11) for j in range(i, 11))

    # rebound: zigzag with a 10% threshold, trough at most 251 rows back
    peak, trough, bounce = 0, None, None
    for i in range(1, len(x)):
        v = x[i]
        if v >= x[peak]:
            peak, trough, bounce = i, None, None
        elif trough is None:
            trough = i if v <= 0.9 * x[peak] else None
        elif bounce is not None and x[bounce] >= 1.1 * x[trough] and v <= 0.9 * x[bounce]:
            peak, trough, bounce = bounce, i, None
        elif v < x[trough]:
            trough, bounce = i, None
        elif bounce is None or v >= x[bounce]:
            bounce = i
    out["rebound"] = None
    if trough is not None and t - trough < 252:
        out["rebound"] = {"retraced": (x[-1] - x[trough]) / (x[peak] - x[trough]),
                          "days": t - trough}
    return out


def assert_same(doc: dict, want: dict) -> None:
    assert list(doc) == KEYS
    for key in KEYS:
        got, exp = doc[key], want[key]
        if isinstance(exp, dict):
            assert got is not None and set(got) == set(exp), key
            for k, v in exp.items():
                if isinstance(v, float | np.floating):
                    assert got[k] == pytest.approx(v, rel=1e-9, abs=1e-12), (key, k)
                else:
                    assert got[k] == v, (key, k)
        elif isinstance(exp, float | np.floating):
            assert got == pytest.approx(exp, rel=1e-9, abs=1e-12), key
        else:
            assert got == exp, key


# --------------------------------------------------------------------------- tests
@pytest.mark.parametrize("ticker, as_of", [
    ("SPY", "2018-08-22"),      # a 4% range, a divergence, fading RSI
    ("SPY", "2025-04-08"),      # the April 2025 low: deep drawdown, rebound at 0%
    ("AAPL", "2020-03-23"),     # March 2020 crash
    ("NVDA", "2023-12-12"),
    ("AAPL", "2025-11-05"),
])
def test_json_matches_independent_computation(home, market_data, ticker, as_of) -> None:
    code, out, err = run(home, ticker, "--as-of", as_of, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert_same(doc, expected(csv(market_data, ticker), as_of, ticker))


@pytest.mark.parametrize("pair, as_of", [
    ("RSP/SPY", "2025-10-28"),   # ratio in a range with a divergence
    ("RSP/SPY", "2025-12-31"),
    ("mags/spy", "2026-07-14"),  # lower case is normalised
])
def test_ratio_json_matches_independent_computation(home, market_data, pair, as_of) -> None:
    code, out, err = run(home, pair, "--as-of", as_of, "--json")
    assert code == 0, err
    a, b = pair.upper().split("/")
    joint = pd.concat({"a": csv(market_data, a), "b": csv(market_data, b)}, axis=1,
                      sort=True).dropna()
    ratio = joint["a"] / joint["b"]
    assert_same(json.loads(out), expected(ratio, as_of, f"{a}/{b}"))


def test_the_cases_cover_every_state(home) -> None:
    docs = [json.loads(run(home, t, "--as-of", d, "--json")[1]) for t, d in [
        ("SPY", "2018-08-22"), ("SPY", "2025-04-08"), ("NVDA", "2023-12-12"),
        ("RSP/SPY", "2025-12-31")]]
    assert {d["rsi_divergence"] for d in docs} >= {"bearish", "bullish", None}
    assert any(d["range"] for d in docs) and any(d["range"] is None for d in docs)
    assert any(d["rebound"] for d in docs) and any(d["rebound"] is None for d in docs)
    assert any(d["rsi_lower_highs_lower_lows"] for d in docs)


def test_as_of_reads_nothing_later(home, market_data) -> None:
    # the same answer whether or not the store holds later rows: compare with the CSV cut
    code, out, _ = run(home, "SPY", "--as-of", "2020-02-19", "--json")
    doc = json.loads(out)
    assert doc["drawdown"] == 0.0                       # the Feb 2020 high, pre-crash
    assert doc["close"] == pytest.approx(csv(market_data, "SPY").loc["2020-02-19"])


def test_default_as_of_and_weekend(home, market_data) -> None:
    code, out, _ = run(home, "AAPL", "--json")
    assert code == 0 and json.loads(out)["as_of"] == "2026-07-13"     # AAPL ends a day early
    code, out, err = run(home, "SPY", "--as-of", "2024-06-30", "--json")  # a Sunday
    doc = json.loads(out)
    assert doc["as_of"] == "2024-06-30"
    assert doc["close"] == pytest.approx(csv(market_data, "SPY").loc["2024-06-28"])
    assert "last close 2024-06-28" in err


def test_short_history_gives_nulls(home) -> None:
    code, out, _ = run(home, "IBIT", "--as-of", "2024-03-01", "--json")
    doc = json.loads(out)
    assert doc["sma"]["20"] is not None and doc["sma"]["200"] is None
    assert doc["sma_slope_20d"]["20"] is None and doc["rebound"] is None


def test_yield_series_runs(home) -> None:
    code, out, _ = run(home, "^IRX", "--as-of", "2020-03-31", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["ticker"] == "^IRX" and doc["rsi14"] is not None


def test_table_output(home) -> None:
    code, out, _ = run(home, "SPY", "--as-of", "2018-08-22")
    assert code == 0
    for text in ("SPY as of 2018-08-22", "SMA 200", "RSI(14)", "RSI divergence",
                 "Range (4% band, 30+ days)", "Drawdown from peak", "Worst 10-day decline",
                 "Rebound"):
        assert text in out
    code, out, _ = run(home, "RSP/SPY", "--as-of", "2025-12-31")
    assert code == 0 and "RSP/SPY as of 2025-12-31" in out and "retraced" in out


def test_errors(home, tmp_path) -> None:
    code, _, err = run(home, "NOPE/SPY")
    assert code == EXIT_DATA and "NOPE" in err
    code, _, err = run(home, "A/B/C")
    assert code == EXIT_USAGE and "a ratio is written A/B" in err
    code, _, err = run(home, "IBIT", "--as-of", "2020-01-02")
    assert code == EXIT_DATA and "no close on or before 2020-01-02" in err
    code, _, err = run(tmp_path / "empty", "SPY")
    assert code == EXIT_DATA and "holds no prices" in err
    code, _, err = run(home, "SPY", "--as-of", "not-a-date")
    assert code == 2 and "expected a date" in err


def test_registered_with_help() -> None:
    assert COMMANDS["signals"][0] == "signals:signals"
    result = CliRunner().invoke(cli, ["signals", "--help"])
    assert result.exit_code == 0 and "A/B" in result.stdout and "--as-of" in result.stdout
