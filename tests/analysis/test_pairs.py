"""Pairs table, trend rule, stretches and the bitcoin check against pandas oracles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotascope.analysis.pairs import (
    PAIRS,
    bitcoin_check,
    pairs_table,
    ratio_stretches,
    trend_history,
    trend_label,
)
from rotascope.analysis.ratio import ratio_status
from rotascope.data.store import Store
from rotascope.errors import DataError, ParameterError

DATES = ["2023-06-30", "2024-08-05", "2025-04-08", "2026-07-14"]


def _csv(market_data, t: str) -> pd.Series:
    return pd.read_csv(market_data / "prices" / f"{t}.csv", parse_dates=["Date"]
                       ).set_index("Date")["Close"].astype(float)


@pytest.fixture(scope="module")
def pair_close(loaded_store) -> pd.DataFrame:
    tickers = sorted({t for p in PAIRS for t in p} | {"IBIT"})
    with Store(loaded_store.store_path, read_only=True) as store:
        return store.close_matrix(tickers)


def _oracle_trend(market_data, a: str, b: str, day: pd.Timestamp) -> tuple[str | None, float]:
    r = (_csv(market_data, a) / _csv(market_data, b)).dropna().loc[:day]
    if len(r) < 200:
        return None, r.iloc[-1]
    v, s50, s200 = r.iloc[-1], r.iloc[-50:].mean(), r.iloc[-200:].mean()
    if v > s50:
        return ("rising" if s50 > s200 else "turning up"), v
    if v < s50:
        return ("falling" if s50 < s200 else "turning down"), v
    return "flat", v


@pytest.mark.parametrize("day", DATES)
def test_pairs_table_matches_ratio_status_and_trend(pair_close, market_data, day) -> None:
    rows = pairs_table(pair_close, as_of=day)
    assert [r.pair for r in rows] == [f"{a}/{b}" for a, b in PAIRS]
    for r, (a, b) in zip(rows, PAIRS, strict=True):
        have = pair_close[[a, b]].loc[:day].dropna()
        if have.empty:  # XMAG did not exist yet
            assert not r.available and r.trend is None and "no ratio point" in r.note
            continue
        assert r.available
        exp = ratio_status(pair_close, a, b, as_of=day)
        assert r.ratio.to_dict() == exp.to_dict()
        trend, v = _oracle_trend(market_data, a, b, pd.Timestamp(day))
        assert r.trend == trend, (day, r.pair)
        assert r.value == pytest.approx(v, rel=1e-12)
        d = r.to_dict()
        assert d["pair"] == f"{a}/{b}" and d["trend"] == trend
        assert set(exp.to_dict()) <= set(d)


def test_missing_leg_is_reported_not_raised() -> None:
    idx = pd.bdate_range("2023-01-02", periods=260)
    close = pd.DataFrame({"A": np.linspace(100, 130, 260), "B": 100.0}, index=idx)
    rows = pairs_table(close, [("A", "B"), ("A", "NOPE")])
    assert rows[0].available and rows[0].trend == "rising"
    assert not rows[1].available and rows[1].note == "no prices for NOPE"
    assert np.isnan(rows[1].value)
    with pytest.raises(ParameterError, match="empty"):
        pairs_table(close, [])


def test_trend_labels() -> None:
    assert trend_label(2.0, 1.0, 0.5) == "rising"
    assert trend_label(2.0, 1.0, 1.0) == "turning up"
    assert trend_label(0.5, 1.0, 2.0) == "falling"
    assert trend_label(0.5, 1.0, 1.0) == "turning down"
    assert trend_label(1.0, 1.0, 3.0) == "flat"
    assert trend_label(1.0, np.nan, 3.0) is None
    idx = pd.bdate_range("2024-01-01", periods=5)
    v = pd.DataFrame({"X": [2.0, 2.0, 0.5, 0.5, 1.0]}, index=idx)
    a = pd.DataFrame({"X": [1.0, 1.0, 1.0, 1.0, 1.0]}, index=idx)
    b = pd.DataFrame({"X": [0.5, 1.0, 2.0, 1.0, np.nan]}, index=idx)
    got = trend_history(v, a, b)["X"].tolist()
    assert got == ["rising", "turning up", "falling", "turning down", None]


def test_stretches_match_brute_force(pair_close) -> None:
    ratio = (pair_close["RSP"] / pair_close["SPY"]).dropna().loc[:"2025-06-30"]
    (s,) = ratio_stretches(ratio, [5], lookback=63)
    chg = (ratio / ratio.shift(5) - 1).dropna()
    recent = chg.iloc[-63:]
    assert s.best == pytest.approx(recent.max()) and s.best_end == recent.idxmax()
    assert s.worst == pytest.approx(recent.min()) and s.worst_end == recent.idxmin()
    earlier = chg.loc[: s.best_end].iloc[:-1]
    at_least = earlier[earlier >= s.best]
    assert s.best_since == (at_least.index[-1] if len(at_least) else None)
    earlier = chg.loc[: s.worst_end].iloc[:-1]
    at_most = earlier[earlier <= s.worst]
    assert s.worst_since == (at_most.index[-1] if len(at_most) else None)
    assert s.current == pytest.approx(chg.iloc[-1])
    assert "best 5-day stretch" in s.text()


def test_bitcoin_check_matches_pandas(pair_close) -> None:
    day = pd.Timestamp("2025-04-08")
    res = bitcoin_check(pair_close, as_of=day)
    both = pair_close[["IBIT", "SPY"]].loc[:day].dropna()
    dd = both / both.cummax() - 1
    assert res.start == pd.Timestamp("2024-01-11")
    assert res.bitcoin_drawdown == pytest.approx(dd["IBIT"].iloc[-1])
    assert res.benchmark_max_drawdown == pytest.approx(dd["SPY"].min())
    assert res.benchmark_max_drawdown_date == dd["SPY"].idxmin()
    r = both.pct_change().dropna()
    assert res.lead_lag.zero_lag_correlation == pytest.approx(r["IBIT"].corr(r["SPY"]))
    assert "below its high" in res.text()
    with pytest.raises(DataError, match="common closes"):
        bitcoin_check(pair_close, as_of="2024-01-20")
