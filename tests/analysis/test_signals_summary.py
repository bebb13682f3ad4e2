"""signals_summary: hand-built series whose chart reading is known; ratio, as-of, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rotascope.analysis.signals_summary import (
    SMA_WINDOWS,
    SignalsSummary,
    signal_series,
    signals_summary,
    split_ticker,
)
from rotascope.errors import NoDataError, ParameterError
from rotascope.outputs.jsonout import dumps

IDX = pd.bdate_range("2020-01-01", periods=700)


def test_range_and_flat_averages() -> None:
    # 250 rows around 100 (+-1%), so every average sits at 100 and the range is long
    x = 100 + np.tile([1.0, -1.0, 0.5, -0.5, 0.0], 50)
    s = pd.Series(x, index=IDX[:250], name="FLAT")
    out = signals_summary(s)
    assert isinstance(out, SignalsSummary)
    assert out.ticker == "FLAT" and out.as_of == IDX[249] and out.rows == 250
    assert out.close == 100.0
    assert out.sma == {str(w): pytest.approx(100.0) for w in SMA_WINDOWS}
    assert out.pct_vs_sma["200"] == pytest.approx(0.0, abs=1e-12)
    assert out.sma_slope_20d["50"] == pytest.approx(0.0, abs=1e-12)
    assert out.range is not None
    assert (out.range.floor, out.range.ceiling, out.range.days) == (99.0, 101.0, 250)
    assert out.range.start == IDX[0]
    assert out.drawdown == pytest.approx(100 / 101 - 1)
    assert out.worst_decline_10d == pytest.approx(99 / 101 - 1)
    assert out.rebound is None and out.rsi_divergence is None


def test_crash_and_v_rebound() -> None:
    up = np.linspace(50, 100, 200)
    crash = np.linspace(100, 60, 11)[1:]          # -40% in 10 rows
    bounce = np.linspace(60, 94, 11)[1:]           # 85% back in 10 rows
    s = pd.Series(np.r_[up, crash, bounce], index=IDX[:220])
    out = signals_summary(s, "X")
    assert out.ticker == "X"
    assert out.worst_decline_10d == 0.0             # the last 11 closes only rise
    assert signals_summary(s, "X", as_of=IDX[209]).worst_decline_10d == pytest.approx(-0.4)
    assert out.drawdown == pytest.approx(94 / 100 - 1)
    assert out.rebound is not None
    assert out.rebound.retraced == pytest.approx(34 / 40)
    assert out.rebound.days == 10 and out.rebound.decline == pytest.approx(-0.4)
    assert out.rebound.shape == "V-shaped"
    assert out.rebound.peak_date == IDX[199] and out.rebound.trough_date == IDX[209]
    assert out.range is None
    sma200 = s.rolling(200).mean()
    assert out.sma_slope_20d["200"] == pytest.approx(sma200.iloc[219] / sma200.iloc[199] - 1)
    d = signals_summary(s.iloc[:-1], "X").to_dict()     # 219 rows: slope of SMA200 unknown
    assert d["sma_slope_20d"]["200"] is None and d["sma_slope_20d"]["100"] is not None
    assert d["rebound"] == {"retraced": pytest.approx((s.iloc[-2] - 60) / 40), "days": 9}


def test_bearish_divergence_path() -> None:
    up = np.linspace(100, 130, 25)
    down = np.linspace(130, 120, 11)[1:]
    grind = np.linspace(120, 132, 40)[1:]
    fall = np.linspace(132, 124, 9)[1:]
    s = pd.Series(np.r_[np.full(20, 100.0), up, down, grind, fall], index=IDX[:102])
    assert signals_summary(s, "X").rsi_divergence == "bearish"
    assert signals_summary(s, "X", as_of=IDX[96]).rsi_divergence is None   # not confirmed


def test_ratio_on_common_dates_only() -> None:
    a = pd.Series(np.linspace(10, 20, 300), index=IDX[:300])
    b = pd.Series(10.0, index=IDX[:300])
    b.iloc[[5, 100]] = np.nan                      # B missing two days: not ratio points
    close = pd.DataFrame({"A": a, "B": b})
    s = signal_series(close, "a/b")
    assert s.name == "A/B" and len(s) == 298 and IDX[5] not in s.index
    out = signals_summary(close, "A/B")
    assert out.ticker == "A/B" and out.close == pytest.approx(2.0) and out.rows == 298
    assert out.sma["20"] == pytest.approx((a / b).dropna().iloc[-20:].mean())


def test_as_of_ignores_later_rows() -> None:
    rng = np.random.default_rng(0)
    s = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.02, 600))), index=IDX[:600])
    cut = IDX[450]
    a = signals_summary(s, "X", as_of=cut).to_dict()
    s2 = s.copy()
    s2.iloc[451:] = s2.iloc[451:] * 3              # change the future
    b = signals_summary(s2, "X", as_of=cut).to_dict()
    c = signals_summary(s.iloc[:451], "X").to_dict()
    assert a == b == c


def test_stale_and_missing_data() -> None:
    s = pd.Series(np.arange(1.0, 41.0), index=IDX[:40])
    with pytest.raises(NoDataError, match=r"X's last close is 2020-02-25, more than 7 days"):
        signals_summary(s, "X", as_of="2020-03-31")
    out = signals_summary(s, "X", as_of="2020-02-29")          # Saturday: 4 days, fine
    assert out.date == IDX[39] and out.warnings and "2020-02-25" in out.warnings[0]
    with pytest.raises(NoDataError, match="no close on or before 2019-12-31"):
        signals_summary(s, "X", as_of="2019-12-31")
    with pytest.raises(ParameterError, match="has no column for C"):
        signals_summary(pd.DataFrame({"A": s}), "A/C")
    with pytest.raises(ParameterError, match="pass 'ticker'"):
        signals_summary(pd.DataFrame({"A": s}))


def test_split_ticker() -> None:
    assert split_ticker(" spy ") == ("SPY",)
    assert split_ticker("mags/spy") == ("MAGS", "SPY")
    with pytest.raises(ParameterError, match="A/B"):
        split_ticker("A/")
    with pytest.raises(ParameterError, match="empty"):
        split_ticker("  ")


def test_to_dict_is_strict_json_with_exact_keys() -> None:
    s = pd.Series(np.linspace(1, 2, 30), index=IDX[:30])
    d = json.loads(dumps(signals_summary(s, "Y")))
    assert list(d) == ["as_of", "ticker", "close", "sma", "pct_vs_sma", "sma_slope_20d",
                       "rsi14", "rsi_divergence", "rsi_lower_highs_lower_lows", "range",
                       "drawdown", "worst_decline_10d", "rebound"]
    assert list(d["sma"]) == ["20", "50", "100", "200"]
    assert d["sma"]["50"] is None and d["rsi_lower_highs_lower_lows"] is False
    assert d["as_of"] == "2020-02-11"


def test_doctests() -> None:
    import doctest

    import rotascope.analysis.signals_summary as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 3
