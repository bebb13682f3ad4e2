"""Vectorised evaluation: three-valued logic, crossings, changes, edges, no look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotascope.data.store import Store
from rotascope.market_view import MarketView
from rotascope.rules.evaluate import check_condition, edges, evaluate
from rotascope.rules.functions import EvalContext
from rotascope.rules.grammar import parse_condition

from .conftest import read_close, write_store

DAYS = pd.bdate_range("2024-01-01", periods=8)


def series(values, days=DAYS):
    return pd.Series(values, index=days[: len(values)], dtype=float)


@pytest.fixture()
def store(tmp_path):
    a = series([5, 11, 12, 9, 12, 12, 8, 13])
    b = series([20, 20, np.nan, 20, 20, 0, 20, 20])   # no row on day 3; zero on day 6
    c = series([1, 1, 2, 2, 2, 3, 3, 3])
    path = write_store(tmp_path / "s.duckdb", {"AAA": a, "BBB": b, "CCC": c})
    with Store(path, read_only=True) as s:
        yield s


def run(store, text, end=None):
    tree = parse_condition(text)
    issues, _ = check_condition(tree, known_tickers=set(store.tickers()))
    assert not issues, issues
    ctx = EvalContext(MarketView.open(store, as_of=end or store.last_date()))
    return evaluate(tree, ctx).result


def as_list(s):
    return [None if v is pd.NA else bool(v) for v in s.tolist()]


def test_comparison_is_unknown_where_an_operand_has_no_row(store):
    r = run(store, "close(AAA) > 10 and close(BBB) > 10")
    assert r.index.equals(DAYS)
    # day 3: BBB has no row -> AAA > 10 is true, the conjunction unknown; day 6: BBB is 0
    assert as_list(r) == [False, True, None, False, True, False, False, True]


def test_kleene_logic(store):
    # false and unknown = false; true or unknown = true; not unknown = unknown
    assert as_list(run(store, "close(AAA) > 100 and close(BBB) > 10"))[2] is False
    assert as_list(run(store, "close(AAA) > 10 or close(BBB) > 100"))[2] is True
    only_b = run(store, "not close(BBB) > 10")
    assert DAYS[2] not in only_b.index        # a condition lives on the dates it reads
    assert as_list(run(store, "not (close(BBB) > 10 and close(AAA) > 0)"))[2] is None


def test_division_by_zero_is_unknown_not_infinite(store):
    r = run(store, "close(AAA) / close(BBB) > 0.5")
    assert as_list(r)[5] is None          # BBB = 0
    assert as_list(r)[0] is False and as_list(r)[2] is None


def test_crossings_compare_with_the_previous_known_date(store):
    # AAA: 5 11 12 9 12 12 8 13 against 10
    up = run(store, "close(AAA) crosses_above 10")
    down = run(store, "close(AAA) crosses_below 10")
    assert as_list(up) == [False, True, False, False, True, False, False, True]
    assert as_list(down) == [False, False, False, True, False, False, True, False]
    # against a series with a gap: unknown on the gap, and the next date compares with
    # the last date both were known
    gap = run(store, "close(AAA) + 10 crosses_above close(BBB)")
    assert as_list(gap) == [False, True, None, False, True, False, False, True]


def test_touching_the_line_is_not_a_crossing(store):
    r = run(store, "close(CCC) crosses_above 2")   # 1 1 2 2 2 3 3 3
    assert as_list(r) == [False] * 5 + [True, False, False]


def test_changed(store):
    r = run(store, "close(CCC) changed")
    assert as_list(r) == [False, False, True, False, False, True, False, False]


def test_edges_fire_once_per_rise_and_unknown_neither_fires_nor_rearms(store):
    r = run(store, "close(AAA) > 10 and close(BBB) > 10")
    # T on day 2, unknown day 3, F day 4, T day 5, F day 6, F day 7, T day 8
    assert [d.day for d in edges(r)] == [DAYS[1].day, DAYS[4].day, DAYS[7].day]
    r2 = run(store, "close(AAA) > 10 and close(BBB) > 10 or close(BBB) > 100")
    assert list(edges(r2)) == list(edges(r))
    # a condition true before the unknown day and after it fires only once
    hold = run(store, "close(CCC) >= 1 and close(BBB) >= 0")  # T T ? T T T T T
    assert as_list(hold)[2] is None
    assert list(edges(hold)) == [DAYS[0]]
    # with the unknown day treated as false it would have fired again on day 4
    assert list(edges(hold.fillna(False))) == [DAYS[0], DAYS[3]]


def test_the_evaluation_date_bounds_what_is_read(store):
    full = run(store, "close(AAA) crosses_above 10")
    cut = run(store, "close(AAA) crosses_above 10", end=DAYS[4])
    assert cut.index[-1] == DAYS[4]
    assert as_list(cut) == as_list(full)[:5]


def test_shared_calls_are_computed_once(store):
    ctx = EvalContext(MarketView.open(store, as_of=store.last_date()))
    for text in ["perf(AAA, 2) > 0", "perf(aaa, 2d) < 0.5", "perf(AAA, 2) + close(AAA) > 1"]:
        evaluate(parse_condition(text), ctx)
    assert [k for k in ctx.memo if k.startswith("perf")] == ["perf(AAA, 2)"]


def test_whole_history_equals_evaluating_each_day_alone(market_data, tmp_path):
    """No look-ahead: the value on each date never changes when later data is added."""
    path = write_store(tmp_path / "real.duckdb", {t: read_close(market_data, t).loc["2019":]
                                                   for t in ("SPY", "QQQ", "IWM")})
    conditions = [
        "close(SPY) < range(SPY).floor or close(SPY) > range(SPY).ceiling",
        "worst_decline(QQQ, 10) <= -5% and drawdown(SPY) > -10%",
        "perf(IWM, 1m) - perf(SPY, 1m) crosses_above 2% or lowest_in_months(IWM) >= 3",
        "close(SPY) crosses_below sma(SPY, 50) or ma_slope(SPY, 50, 10) < 0",
        "rsi(QQQ) > 70 or rsi_divergence(SPY) == \"bearish\"",
        "pct_vs_ma(IWM, 200) crosses_above 0 or close(IWM) >= rolling_max(IWM, 252)",
    ]
    with Store(path, read_only=True) as s:
        for text in conditions:
            full = run(s, text)
            for day in pd.to_datetime(["2020-03-16", "2022-06-13", "2024-08-05",
                                       "2025-04-08"]):
                cut = run(s, text, end=day)
                expected = full[full.index <= day]
                assert as_list(cut) == as_list(expected), (text, day)
