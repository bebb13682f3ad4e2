"""cross_correlation, best_lag, peak_lag: known leads, pandas oracle, sign convention."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotascope.errors import DataError, ParameterError, ParameterTypeError
from rotascope.signals.leadlag import BestLag, PeakLag, best_lag, cross_correlation, peak_lag

IDX = pd.bdate_range("2019-01-01", periods=800)


def walk(returns: np.ndarray, index=IDX, name: str | None = None) -> pd.Series:
    return pd.Series(100 * np.cumprod(1 + returns), index=index[: len(returns)], name=name)


def pandas_oracle(a: pd.Series, b: pd.Series, max_lag: int, min_periods: int) -> pd.Series:
    joint = pd.concat({"a": a, "b": b}, axis=1, sort=True).dropna()
    joint = joint[(joint > 0).all(axis=1)]
    ra, rb = joint["a"].pct_change(), joint["b"].pct_change()
    vals = {k: ra.corr(rb.shift(-k), min_periods=min_periods)
            for k in range(-max_lag, max_lag + 1)}
    return pd.Series(vals)


def test_known_lead_gives_positive_lag() -> None:
    rng = np.random.default_rng(0)
    r = rng.normal(0, 0.01, 600)
    noise = rng.normal(0, 0.003, 600)
    a = walk(r, name="A")
    b = walk(np.r_[np.zeros(5), r[:-5]] + noise, name="B")   # b repeats a 5 days later
    cc = cross_correlation(a, b, 20)
    assert cc.index.name == "lag" and cc.index.tolist() == list(range(-20, 21))
    assert cc.name == "B"
    assert int(cc.idxmax()) == 5 and cc.loc[5] > 0.9
    assert abs(cc.loc[-5]) < 0.2
    bl = best_lag(a, b, 20)
    assert isinstance(bl, BestLag) and bl.lag == 5 and bl.correlation == cc.loc[5]
    assert bl.zero_lag_correlation == cc.loc[0]
    # swapping the roles flips the sign
    assert best_lag(b, a, 20).lag == -5


def test_matches_pandas_with_gaps_and_other_calendar() -> None:
    rng = np.random.default_rng(1)
    a = walk(rng.normal(0, 0.01, 500), name="A")
    days = pd.date_range("2019-01-01", periods=700)          # 7-day calendar like crypto
    b = walk(rng.normal(0, 0.02, 700), index=days, name="B")
    a.iloc[[10, 50, 51]] = np.nan
    got = cross_correlation(a, b, 15, min_periods=30)
    want = pandas_oracle(a, b, 15, 30)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-10, atol=1e-12)


def test_frame_b_equals_column_by_column() -> None:
    rng = np.random.default_rng(2)
    a = walk(rng.normal(0, 0.01, 300), name="A")
    b = pd.DataFrame({c: walk(rng.normal(0, 0.01, 300)) for c in "XYZ"})
    b.iloc[:100, 1] = np.nan                                 # Y lists later
    cc = cross_correlation(a, b, 10)
    assert list(cc.columns) == ["X", "Y", "Z"]
    for c in "XYZ":
        np.testing.assert_allclose(cc[c].to_numpy(), pandas_oracle(a, b[c], 10, 20).to_numpy(),
                                   rtol=1e-10, atol=1e-12)
    bl = best_lag(a, b, 10)
    assert list(bl.columns) == ["lag", "correlation", "zero_lag_correlation"]
    for c in "XYZ":
        one = best_lag(a, b[c], 10)
        assert bl.loc[c, "lag"] == one.lag
        assert bl.loc[c, "correlation"] == pytest.approx(one.correlation, rel=1e-12)


def test_min_periods_and_short_series() -> None:
    a = walk(np.full(10, 0.01) * np.r_[1, -1, 1, 1, -1, 1, -1, -1, 1, 1])
    cc = cross_correlation(a, a, 8, min_periods=5)
    assert cc.loc[0] == pytest.approx(1.0)
    assert np.isnan(cc.loc[6]) and np.isnan(cc.loc[-8])       # < 5 pairs
    none = best_lag(a.iloc[:3], a.iloc[:3], 2)
    assert none.lag is None and np.isnan(none.correlation)


def test_best_lag_absolute_and_ties() -> None:
    rng = np.random.default_rng(4)
    r = rng.normal(0, 0.01, 400)
    a = walk(r)
    b = walk(-np.r_[np.zeros(3), r[:-3]])                   # inverse, 3 days later
    assert best_lag(a, b, 10, absolute=True).lag == 3
    assert best_lag(a, b, 10).lag != 3
    # identical series: lag 0 wins ties with nothing; constant returns -> NaN everywhere
    flat = pd.Series(100.0, index=IDX[:50])
    assert best_lag(flat, flat, 3).lag is None


def test_diff_changes_for_yields() -> None:
    rng = np.random.default_rng(6)
    y = pd.Series(np.cumsum(rng.normal(0, 0.05, 300)) - 1.0, index=IDX[:300])  # crosses 0
    lead = y.shift(2)
    assert best_lag(y, lead, 5, changes="diff").lag == 2
    joint = pd.concat({"a": y, "b": lead}, axis=1).dropna().diff()
    want = joint["a"].corr(joint["b"].shift(-2))
    assert cross_correlation(y, lead, 5, changes="diff").loc[2] == pytest.approx(want)


def test_peak_lag_bitcoin_tops_first() -> None:
    days = pd.date_range("2021-01-01", periods=400)            # 7-day calendar
    btc = pd.Series(np.r_[np.linspace(100, 200, 150), np.linspace(200, 120, 250)],
                    index=days, name="BTC")
    spx_idx = pd.bdate_range("2021-01-01", "2022-02-04")
    k = len(spx_idx)
    spx = pd.Series(np.r_[np.linspace(100, 130, 160), np.linspace(130, 120, k - 160)],
                    index=spx_idx, name="SPX")
    p = peak_lag(btc, spx, window=500)
    assert isinstance(p, PeakLag)
    assert p.a_peak_date == days[149] and p.b_peak_date == spx_idx[159]
    assert p.lag_days == (spx_idx[159] - days[149]).days > 0
    union = days.union(spx_idx)
    assert p.lag_rows == union.get_loc(spx_idx[159]) - union.get_loc(days[149])
    assert p.a_peak == 200 and p.b_peak == 130
    assert p.a_drawdown == pytest.approx(120 / 200 - 1)
    assert p.b_drawdown == pytest.approx(spx.iloc[-1] / 130 - 1)
    assert p.to_dict()["a_peak_date"] == days[149].strftime("%Y-%m-%d")
    assert peak_lag(spx, btc, window=500).lag_days == -p.lag_days


def test_peak_lag_window_and_ties() -> None:
    a = pd.Series([1.0, 5, 5, 3, 2, 1], index=IDX[:6])
    b = pd.Series([9.0, 1, 2, 3, 4, 3], index=IDX[:6])
    p = peak_lag(a, b, window=5)                            # rows 1..5: b's 9 is outside
    assert p.a_peak_date == IDX[1] and p.b_peak_date == IDX[4] and p.lag_rows == 3
    assert p.start == IDX[1] and p.end == IDX[5]
    with pytest.raises(DataError, match=r"peak_lag\(\): 'b' has no close in the last 2 rows"):
        peak_lag(a, pd.Series([1.0, 2.0], index=IDX[:2]), window=2)


def test_bad_input() -> None:
    s = walk(np.zeros(30))
    with pytest.raises(ParameterTypeError, match=r"cross_correlation\(\): 'a' must be a Series"):
        cross_correlation(s.to_frame(), s)
    with pytest.raises(ParameterError, match=r"'max_lag' must be an int >= 0, got -1"):
        cross_correlation(s, s, -1)
    with pytest.raises(ParameterError, match=r"'min_periods' must be an int >= 3"):
        best_lag(s, s, 2, min_periods=2)
    with pytest.raises(ParameterError, match=r"'changes' must be one of 'pct', 'diff'"):
        cross_correlation(s, s, 2, changes="log")
    with pytest.raises(ParameterTypeError, match=r"peak_lag\(\): 'b' must be a Series"):
        peak_lag(s, s.to_frame())
    with pytest.raises(ParameterError, match=r"peak_lag\(\): 'window' must be an int >= 2"):
        peak_lag(s, s, window=1)
    dup = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-02", "2024-01-02"]))
    with pytest.raises(ParameterError, match="duplicated dates"):
        cross_correlation(s, dup)


def test_public_names_and_doctests() -> None:
    import doctest
    import importlib

    import rotascope.signals as signals

    module = importlib.import_module("rotascope.signals.leadlag")
    assert set(module.__all__) <= set(dir(module))
    assert {n for n in module.__all__ if not n.isupper()} <= set(signals.__all__)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 3
