"""Mag-7 baskets, contributions and the weights file, against brute-force oracles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotascope.analysis.concentration import (
    MAG7,
    basket_index,
    basket_returns,
    concentration,
    concentration_report,
    contribution,
)
from rotascope.data.store import Store
from rotascope.data.weights import read_weights
from rotascope.errors import FileFormatError, ParameterError
from rotascope.market_view import MarketView


def _weights(tmp_path, text: str):
    p = tmp_path / "w.csv"
    p.write_text(text)
    return read_weights(p)


def _random(seed: int = 0, n: int = 300, m: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, (n, m)), axis=0))
    a[rng.random(a.shape) < 0.05] = np.nan
    return pd.DataFrame(a, index=pd.bdate_range("2023-01-02", periods=n),
                        columns=[f"T{i}" for i in range(m)])


def test_equal_weight_basket_is_the_mean_of_available_returns() -> None:
    close = _random()
    got = basket_returns(close)
    exp = pd.concat({c: close[c].dropna().pct_change() for c in close}, axis=1, sort=True
                    ).reindex(close.index).mean(axis=1)
    pd.testing.assert_series_equal(got, exp, check_names=False, rtol=1e-12)
    mask = pd.DataFrame(True, index=close.index, columns=close.columns)
    mask.iloc[100:, 0] = False
    got_m = basket_returns(close, members=mask)
    exp_m = pd.concat({c: close[c].dropna().pct_change() for c in close}, axis=1, sort=True
                      ).reindex(close.index)
    exp_m.iloc[100:, 0] = np.nan
    pd.testing.assert_series_equal(got_m, exp_m.mean(axis=1), check_names=False, rtol=1e-12)
    level = basket_index(got)
    assert np.isnan(level.iloc[0]) and level.iloc[1] == pytest.approx(100 * (1 + got.iloc[1]))


def test_cap_weight_basket_is_buy_and_hold(tmp_path) -> None:
    close = _random(1).dropna()  # complete rows: the basket equals holding shares
    d = close.index[120]
    w = _weights(tmp_path, "ticker,weight,as_of\n" + "".join(
        f"T{i},{v},{d:%Y-%m-%d}\n" for i, v in enumerate([40, 25, 15, 12, 8])))
    assert w["weight"].sum() == pytest.approx(1.0)  # percent read as percent
    got = basket_index(basket_returns(close, weights=w))
    shares = w.set_index("ticker")["weight"] / close.loc[d]
    value = (close * shares).sum(axis=1)
    exp = 100 * value / value.iloc[0]
    np.testing.assert_allclose(got.iloc[1:], exp.iloc[1:], rtol=1e-10)


def test_contribution_with_weights_matches_brute_force(tmp_path) -> None:
    close = _random(2).dropna()
    close["IDX"] = close.mean(axis=1)
    d = close.index[-1]
    w = _weights(tmp_path, f"ticker,weight,as_of\nT0,0.3,{d:%Y-%m-%d}\nT1,0.1,{d:%Y-%m-%d}\n")
    c = contribution(close, ["T0", "T1"], "IDX", "1m", weights=w)
    s = len(close) - 1 - 21
    w0 = np.array([0.3, 0.1]) * (close[["T0", "T1"]].iloc[s] / close[["T0", "T1"]].iloc[-1]) \
        / (close["IDX"].iloc[s] / close["IDX"].iloc[-1])
    r = close[["T0", "T1"]].iloc[-1] / close[["T0", "T1"]].iloc[s] - 1
    assert c.method == "weights" and c.start == close.index[s]
    assert c.weight == pytest.approx(w0.sum())
    assert c.contribution == pytest.approx((w0 * r).sum())
    assert c.index_return == pytest.approx(close["IDX"].iloc[-1] / close["IDX"].iloc[s] - 1)
    assert c.share == pytest.approx(c.contribution / c.index_return)


def test_returns_based_estimate_recovers_a_known_weight() -> None:
    rng = np.random.default_rng(4)
    n = 400
    rg = rng.normal(0.001, 0.015, (n, 2))
    rr = rng.normal(0.0, 0.01, (n, 3))
    idx = pd.bdate_range("2023-01-02", periods=n)
    close = pd.DataFrame(100 * np.cumprod(1 + np.c_[rg, rr], axis=0), index=idx,
                         columns=["G1", "G2", "R1", "R2", "R3"])
    ri = 0.35 * rg.mean(axis=1) + 0.65 * rr.mean(axis=1)  # the index: 35% in the group
    close["IDX"] = 100 * np.cumprod(1 + ri)
    c = contribution(close, ["G1", "G2"], "IDX", "3m", rest=["R1", "R2", "R3"])
    assert c.method == "estimate"
    assert c.weight == pytest.approx(0.35, abs=1e-9) and c.r2 == pytest.approx(1.0)
    g = basket_index(basket_returns(close, ["G1", "G2"]))
    assert c.group_return == pytest.approx(g.iloc[-1] / g.iloc[-1 - 63] - 1)
    assert c.contribution == pytest.approx(0.35 * c.group_return)
    with pytest.raises(ParameterError, match="pass 'weights' or the 'rest'"):
        contribution(close, ["G1"], "IDX", "1m")


def test_read_weights_errors(tmp_path) -> None:
    with pytest.raises(FileFormatError, match="header must have columns"):
        _weights(tmp_path, "ticker,w\nAAPL,1\n")
    with pytest.raises(FileFormatError, match=r"w.csv:3: AAPL already on line 2"):
        _weights(tmp_path, "ticker,weight,as_of\nAAPL,0.1,2025-01-02\naapl,0.1,2025-01-02\n")
    with pytest.raises(FileFormatError, match=r":2: weight 'x' is not a number"):
        _weights(tmp_path, "ticker,weight,as_of\nAAPL,x,2025-01-02\n")
    w = _weights(tmp_path, "ticker,weight,as_of\nbrk.b,0.02,2025-06-30\n")
    assert w["ticker"].tolist() == ["BRK-B"] and w["weight"].tolist() == [0.02]


def test_concentration_on_real_data(loaded_store) -> None:
    with Store(loaded_store.store_path, read_only=True) as store:
        res = concentration_report(MarketView.open(store, loaded_store, as_of="2025-04-08"),
                                   "sp500")
        close = store.close_matrix([*MAG7, "MAGS"], start="2024-01-01", end="2025-04-08")
    ret = res.returns
    assert list(ret.index[:3]) == ["group", "rest", "spread"]
    assert ret.loc["spread", "3m"] == pytest.approx(ret.loc["group", "3m"] - ret.loc["rest",
                                                                                     "3m"])
    # the equal-weight basket over 3 months, independently: mean of daily returns, compounded
    r = pd.concat({t: close[t].dropna().pct_change() for t in MAG7}, axis=1,
                  sort=True).mean(axis=1)
    exp = float(np.prod(1 + r.iloc[-63:]) - 1)
    assert ret.loc["group", "3m"] == pytest.approx(exp, rel=1e-9)
    # MAGS holds the same seven names in equal weight: close to the basket
    assert abs(ret.loc["group", "3m"] - ret.loc["MAGS", "3m"]) < 0.02
    # members up to the date only (point in time): 465 with prices on the reference data
    assert res.rest_count > 450 and "GOOG" not in res.levels.columns
    assert all(c.method == "estimate" for c in res.contributions)
    assert 0.1 < res.contributions[1].weight < 0.6
    doc = res.to_dict()
    assert doc["weighting"] == "equal" and doc["returns"][0]["series"] == "group"


def test_concentration_needs_group_and_index() -> None:
    close = _random(5)
    with pytest.raises(ParameterError, match="none of the group"):
        concentration(close)
    close = close.rename(columns={"T0": "AAPL", "T1": "MSFT"})
    with pytest.raises(ParameterError, match="index 'SPY'"):
        concentration(close)
    close["SPY"] = close.mean(axis=1)
    res = concentration(close, windows=("1m",))
    assert res.rest_count == 3 and "MAGS" not in res.returns.index
