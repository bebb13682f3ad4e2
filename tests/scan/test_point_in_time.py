"""No look-ahead (scan as of D == scan of the data cut at D) and point-in-time members."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rotascope.market_view import MarketView
from rotascope.scan import run_scan

DAYS = pd.bdate_range("2020-01-01", periods=320)
TICKERS = [f"T{i}" for i in range(8)] + ["SPY"]


def _market_frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.0003, 0.02, size=(len(DAYS), len(TICKERS)))
    close = pd.DataFrame(100 * np.exp(np.cumsum(steps, axis=0)), index=DAYS, columns=TICKERS)
    close.iloc[:40, 2] = np.nan                       # lists late
    close.iloc[250:, 3] = np.nan                      # delisted
    close.iloc[rng.integers(0, len(DAYS), 15), 4] = np.nan   # missing rows
    return close


def _mask(close: pd.DataFrame) -> pd.DataFrame:
    members = pd.DataFrame(True, index=close.index, columns=[c for c in close if c != "SPY"])
    members.iloc[:150, 0] = False                     # joins on day 150
    members.iloc[200:, 1] = False                     # leaves on day 200
    return members


CONDITION = ("close($) > sma($, 20) and ratio($, SPY).lowest_in_months < 2 "
             "or rsi($, 14) crosses_above 55")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), cut=st.integers(60, len(DAYS) - 1))
def test_scan_as_of_d_equals_scan_of_data_cut_at_d(seed: int, cut: int) -> None:
    close = _market_frame(seed)
    day = DAYS[cut]
    mask = _mask(close)
    full = MarketView.from_frame(close, universes={"u": mask}, as_of=DAYS[-1]).at(day)
    cut_view = MarketView.from_frame(close.loc[:day], universes={"u": mask.loc[:day]},
                                     as_of=day)
    kw = {"universe": "u", "sort": "perf($, 1m)", "start": DAYS[cut - 30]}
    a = run_scan(full, CONDITION, **kw)
    b = run_scan(cut_view, CONDITION, **kw)
    assert a.to_dict() == b.to_dict()


def test_members_match_only_on_dates_they_are_members() -> None:
    close = pd.DataFrame({"A": np.arange(1.0, 301), "B": np.arange(1.0, 301),
                          "SPY": np.full(300, 50.0)}, index=DAYS[:300])
    mask = pd.DataFrame(True, index=close.index, columns=["A", "B"])
    mask.iloc[:100, 0] = False        # A joins on day 100
    mask.iloc[200:, 1] = False        # B leaves on day 200
    market = MarketView.from_frame(close, universes={"u": mask}, as_of=DAYS[299])
    rising = "close($) > sma($, 5)"   # true every day after warm-up for both
    now = run_scan(market, rising, universe="u")
    assert now.matches == ["A"] and now.evaluated == 1
    before = run_scan(market.at(DAYS[150]), rising, universe="u")
    assert before.matches == ["A", "B"] and before.evaluated == 2
    early = run_scan(market.at(DAYS[50]), rising, universe="u")
    assert early.matches == ["B"]
    entries = run_scan(market, rising, universe="u", start=DAYS[0]).entries
    assert entries == {"A": [DAYS[100]], "B": [DAYS[4]]}
