"""A one-date scan computes a ratio's N-month extreme on the as-of row only; the answer
equals the whole-history computation (an entries window forces it) and pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotascope.data.store import Store
from rotascope.market_view import MarketView
from rotascope.scan import run_scan
from rotascope.signals.extremes import months_extreme

AS_OF = pd.Timestamp("2024-06-28")
CONDITION = ("ratio($, SPY).lowest_in_months >= 1 or ratio(SPY, $).lowest_in_months > 2 "
             "or ratio($, QQQ).highest_in_months >= 3")


@pytest.fixture(scope="module")
def market(loaded_store):
    with Store(loaded_store.store_path, read_only=True) as store:
        yield MarketView.open(store, loaded_store, as_of=AS_OF)


def test_row_only_months_equal_the_whole_history_and_pandas(market, monkeypatch) -> None:
    import rotascope.scan.frame_eval as fe

    # a window needs every row: the same fields then come from the whole history
    window = run_scan(market, CONDITION, universe="sp500", start=AS_OF)

    def no_history(r):  # type: ignore[no-untyped-def]
        raise AssertionError("whole history computed for a one-date scan")

    for name in fe._ROW_FIELDS:
        monkeypatch.setitem(fe._RATIO_FUNCS, name, no_history)
    one = run_scan(market, CONDITION, universe="sp500")
    assert one.matches and one.matches == window.matches
    assert one.values == window.values
    tickers = sorted(market.present(market.ever_members("sp500")))
    close = market.close(tickers + ["SPY", "QQQ"]).loc[:AS_OF]
    members = close[tickers]
    want = {}
    for text, leg, first, side in (("ratio($, SPY).lowest_in_months", "SPY", True, "low"),
                                   ("ratio(SPY, $).lowest_in_months", "SPY", False, "low"),
                                   ("ratio($, QQQ).highest_in_months", "QQQ", True, "high")):
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (members.div(close[leg], axis=0) if first
                 else members.rdiv(close[leg], axis=0))
        r = r.where(np.isfinite(r))
        want[text] = months_extreme(r, side=side).iloc[-1]
    for t in one.matches:
        for text, row in want.items():
            v = one.values[t].get(text)
            assert (v is None and np.isnan(row[t])) or v == row[t], (t, text)
    hits = {t for t in tickers if want["ratio($, SPY).lowest_in_months"][t] >= 1}
    assert hits <= set(one.matches)
