"""Every registered function works on real data and reads what its module computes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotascope.data.store import Store
from rotascope.market_view import MarketView
from rotascope.outputs.alerts.rules import parse_rules
from rotascope.outputs.alerts.runner import check
from rotascope.rules.evaluate import check_condition, evaluate
from rotascope.rules.functions import REGISTRY, EvalContext
from rotascope.rules.grammar import parse_condition, walk

from .conftest import read_close

DAY = pd.Timestamp("2025-04-08")


@pytest.fixture(scope="module")
def store(loaded_store):
    with Store(loaded_store.store_path, read_only=True) as s:
        yield s


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_function_example_evaluates(name, store, loaded_store):
    spec = REGISTRY[name]
    tree = parse_condition(spec.example)
    assert any(getattr(n, "func", None) == name for n in walk(tree))
    issues, _ = check_condition(tree, known_tickers=set(store.tickers()))
    assert issues == []
    rules = parse_rules(f"rules:\n  - id: x\n    condition: '{spec.example}'\n",
                        store=store, settings=loaded_store)
    row = check(rules, store, DAY, loaded_store).rules[0]
    assert row.true in (True, False, None)
    assert row.values, row            # the comparison's inputs are reported


def series_of(store, text, end=DAY):
    ctx = EvalContext(MarketView.open(store, as_of=end or store.last_date()))
    return evaluate(parse_condition(f"{text} > -1e300"), ctx).trace[text]


@pytest.mark.parametrize("text, direct", [
    ("rsi(SPY)", lambda s: __import__("rotascope.signals.momentum", fromlist=["rsi"]).rsi(s)),
    ("ema(QQQ, 50)",
     lambda s: __import__("rotascope.signals.averages", fromlist=["ema"]).ema(s, 50)),
    ("rolling_min(IWM, 63)",
     lambda s: __import__("rotascope.signals.rolling", fromlist=["x"]).rolling_min(s, 63)),
    ("ma_slope(SPY, 50, 10)",
     lambda s: __import__("rotascope.signals.averages", fromlist=["x"]).ma_slope(s, 50, 10)),
    ("rebound(IBIT).retraced",
     lambda s: __import__("rotascope.signals.drawdown", fromlist=["x"]).rebound(s).retraced),
])
def test_functions_read_their_signal_modules(store, market_data, text, direct):
    ticker = text.split("(")[1].split(",")[0].split(")")[0]
    close = read_close(market_data, ticker).loc[:DAY]
    got = series_of(store, text)
    want = direct(close)
    assert list(got.index.strftime("%Y-%m-%d")) == list(want.index.strftime("%Y-%m-%d"))
    np.testing.assert_allclose(got.to_numpy(dtype=float), want.to_numpy(dtype=float),
                               rtol=1e-12, equal_nan=True)
    assert got.notna().sum() > 100


def test_sma_and_perf_match_plain_pandas(store, market_data):
    spy = read_close(market_data, "SPY").loc[:DAY]
    np.testing.assert_allclose(series_of(store, "sma(SPY, 200)").to_numpy(),
                               spy.rolling(200).mean().to_numpy(), rtol=1e-10, equal_nan=True)
    np.testing.assert_allclose(series_of(store, "perf(SPY, 3m)").to_numpy(),
                               (spy / spy.shift(63) - 1).to_numpy(), rtol=1e-12,
                               equal_nan=True)
    ratio = series_of(store, "ratio(RSP, SPY)")
    rsp = read_close(market_data, "RSP").loc[:DAY]
    both = pd.concat([rsp, spy], axis=1, join="inner")
    np.testing.assert_allclose(ratio.to_numpy(), (both.iloc[:, 0] / both.iloc[:, 1]).to_numpy(),
                               rtol=1e-15)
