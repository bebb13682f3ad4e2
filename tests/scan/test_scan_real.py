"""Scans on the real data store, recomputed independently (breadth, pandas, alerts)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotascope.analysis.breadth import breadth_history
from rotascope.data.store import Store
from rotascope.market_view import MarketView
from rotascope.rules.evaluate import check_condition, evaluate
from rotascope.rules.functions import EvalContext
from rotascope.rules.grammar import parse_condition
from rotascope.scan import compile_scan, run_scan
from rotascope.scan.frame_eval import evaluate_frame
from rotascope.scan.run import block_inputs, prepare

AS_OF = pd.Timestamp("2024-06-28")


@pytest.fixture(scope="module")
def market(loaded_store):
    with Store(loaded_store.store_path, read_only=True) as store:
        yield MarketView.open(store, loaded_store, as_of=AS_OF)


def _members_on(market: MarketView, day: pd.Timestamp) -> list[str]:
    """Members on the date that have prices in the store (the others cannot be scanned)."""
    return sorted(market.present(market.members("sp500", on=day)))


def test_above_50_day_average_equals_breadth_and_pandas(market) -> None:
    result = run_scan(market, "close($) > sma($, 50)", universe="sp500")
    assert result.as_of == AS_OF
    members = _members_on(market, AS_OF)
    assert result.evaluated == len(members)
    assert set(result.matches) <= set(members)

    # breadth: members above their 50-day average on the date (point-in-time mask)
    tickers = sorted(market.present(market.ever_members("sp500")))
    close = market.close(tickers)
    mask = market.membership("sp500", close.index, tickers)
    hist = breadth_history(close, members=mask, windows=(50,))
    assert len(result.matches) == int(hist.loc[AS_OF, "above_sma_50"])

    # pandas, ticker by ticker on its own closes
    expected, ties = set(), set()
    for t in members:
        if t not in close.columns:
            continue
        s = close[t].dropna()
        if len(s) < 50 or s.index[-1] != AS_OF:
            continue
        avg = s.iloc[-50:].mean()
        if abs(s.iloc[-1] - avg) <= 1e-9 * abs(avg):
            ties.add(t)
        elif s.iloc[-1] > avg:
            expected.add(t)
            got = result.values[t]
            assert got["close($)"] == pytest.approx(s.iloc[-1], rel=1e-12)
            assert got["sma($, 50)"] == pytest.approx(avg, rel=1e-9)
    assert len(expected) > 50
    assert set(result.matches) - ties == expected


CONDITIONS = [
    "close($) > sma($, 50) and ratio($, SPY).lowest_in_months >= 1",
    "rsi($, 14) < 40 or perf($, 1m) - perf(SPY, 1m) > 2%",
    "close($) crosses_above ema($, 20)",
    "not ratio($, SPY).change_3m > 0 and close(SPY) > sma(SPY, 200)",
    "pct_from_high($, 252) changed and highest_in_months($) >= 3",
    "ratio(SPY, $) > 1 and breadth(sp500).pct_above_sma.50 > 0.3",
    "close($) / close(SPY) > sma(close($) / close(SPY), 20) and not perf($, 1m) < -5%",
]


@pytest.mark.parametrize("condition", CONDITIONS)
def test_each_member_equals_the_single_ticker_alert(market, condition: str) -> None:
    """The frame evaluation of a ``$`` condition, column by column, equals the alert
    evaluator with ``$`` replaced by the ticker, on every date of the ticker."""
    scan = compile_scan(condition, known_tickers=set(market.tickers))
    plan, close, _ = prepare(market, scan, "sp500")
    picked = ["AAPL", "XOM", "JPM", "NVDA", "KO"]
    cols = [plan.tickers.index(t) for t in picked]
    block = close.to_numpy(dtype=np.float64)[:, cols]
    truth, _, _ = evaluate_frame(scan.tree, block_inputs(plan, picked, block))
    ctx = EvalContext(market)
    checked = 0
    for j, t in enumerate(picked):
        tree = parse_condition(condition.replace("$", t))
        issues, _ = check_condition(tree, known_tickers=set(market.tickers))
        assert not issues
        single = evaluate(tree, ctx).result
        frame = pd.Series(pd.array(np.where(truth.known[:, j], truth.value[:, j], False),
                                    dtype="boolean"), index=plan.index)
        frame[~truth.known[:, j]] = pd.NA
        own = close[t].dropna().index
        got, want = frame.reindex(own), single.reindex(own)
        assert got.isna().equals(want.isna()), t
        ok = want.notna()
        assert (got[ok] == want[ok]).all(), t
        checked += int(ok.sum())
    assert checked > 1000


def test_scan_equals_single_ticker_matches(market) -> None:
    """Matches on the date = the tickers whose alert condition is true on the date."""
    condition = "close($) > sma($, 200) and rsi($, 14) > 50"
    result = run_scan(market, condition, universe="sp500")
    ctx = EvalContext(market)
    for t in ["AAPL", "MSFT", "XOM", "JPM", "NVDA", "PFE", "KO", "INTC"]:
        res = evaluate(parse_condition(condition.replace("$", t)), ctx).result
        value = res.get(AS_OF, pd.NA)
        assert (t in result.matches) == (value is not pd.NA and bool(value)), t


def test_sort_and_limit(market) -> None:
    result = run_scan(market, "close($) > sma($, 50)", universe="sp500", sort="rsi($, 14)",
                      limit=7)
    assert len(result.matches) == 7
    rsis = [result.values[t]["rsi($, 14)"] for t in result.matches]
    assert rsis == sorted(rsis, reverse=True)
    full = run_scan(market, "close($) > sma($, 50)", universe="sp500", sort="rsi($, 14)")
    assert full.matches[:7] == result.matches
    assert min(full.values[t]["rsi($, 14)"] for t in full.matches) <= rsis[-1]


def test_entries_are_the_dates_a_member_newly_matched(market) -> None:
    condition = "close($) > sma($, 50)"
    start = pd.Timestamp("2024-06-03")
    result = run_scan(market, condition, universe="sp500", start=start)
    assert result.entries
    ctx = EvalContext(market)
    for t in ["AAPL", "XOM", "NVDA"] + sorted(result.entries)[:3]:
        res = evaluate(parse_condition(condition.replace("$", t)), ctx).result
        res = res[res.notna()].astype(bool)
        prev = res.shift(1, fill_value=False).astype(bool)
        want = [d for d in res.index[res & ~prev] if start <= d <= AS_OF]
        assert result.entries.get(t, []) == want, t
