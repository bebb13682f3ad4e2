"""Portfolio analytics on the real data (../shared/market-data): metrics against
empyrical and pandas, scenarios recomputed, GICS sectors, point in time."""

from __future__ import annotations

import empyrical as ep
import numpy as np
import pandas as pd
import pytest

from rotascope.analysis.portfolio import EPISODES, Holdings, analyze_portfolio
from rotascope.data.store import Store
from rotascope.market_view import MarketView
from rotascope.outputs.jsonout import dumps

W = {"QQQ": 0.35, "MAGS": 0.1, "XMAG": 0.1, "AAPL": 0.1, "JPM": 0.1, "IEF": 0.1, "XLK": 0.1}
HELPERS = ["SPY", "MAGS", "XMAG", "RSP", "IWM", "QQQ", "IWD", "IWF", "ACWX", "HYG", "IEF",
           "BIL"]


@pytest.fixture(scope="module")
def store(loaded_store):
    with Store(loaded_store.store_path, read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def analysis(store, loaded_store):
    m = MarketView.open(store, loaded_store, as_of="2026-07-13")
    return m, analyze_portfolio(m, Holdings.from_weights(W))


def test_real_metrics_equal_empyrical_and_pandas(store, analysis):
    m, a = analysis
    cols = list(dict.fromkeys([*W, "SPY"]))
    c = store.close_matrix(cols, end="2026-07-13").dropna(how="any")
    r = c.pct_change().iloc[1:].tail(252)
    rp = (r[list(W)] * pd.Series(W)).sum(axis=1)
    rb = r["SPY"]
    assert a.returns.index.equals(rp.index) and a.end == pd.Timestamp("2026-07-13")
    alpha, beta = ep.alpha_beta(rp, rb)
    ref = {"annual_return": ep.annual_return(rp), "annual_volatility": ep.annual_volatility(rp),
           "sharpe": ep.sharpe_ratio(rp), "sortino": ep.sortino_ratio(rp),
           "max_drawdown": ep.max_drawdown(rp), "beta": beta, "alpha": alpha,
           "var_95": ep.value_at_risk(rp, 0.05),
           "cvar_95": ep.conditional_value_at_risk(rp, 0.05),
           "information_ratio": ep.excess_sharpe(rp, rb) * np.sqrt(252)}
    pandas = {"annual_return": (1 + rp).prod() ** (252 / len(rp)) - 1,
              "annual_volatility": rp.std() * np.sqrt(252),
              "sharpe": rp.mean() / rp.std() * np.sqrt(252),
              "beta": rp.cov(rb) / rb.var(), "var_95": rp.quantile(0.05),
              "tracking_error": (rp - rb).std() * np.sqrt(252),
              "max_drawdown": ((1 + rp).cumprod() / (1 + rp).cumprod().cummax().clip(lower=1)
                               - 1).min()}
    for k, v in {**ref, **pandas}.items():
        assert a.metrics[k] == pytest.approx(v, abs=1e-9, rel=0), k


def test_real_scenarios_recomputed(store, analysis):
    _, a = analysis
    w = pd.Series(W)
    for ep_ in EPISODES:
        row = a.scenarios.loc[ep_.key]
        c = store.close_matrix([*W, "SPY"], start=ep_.start, end=ep_.end)
        c = c[c["SPY"].notna()]
        covered = [t for t in W if np.isfinite(c[t].iloc[0]) and np.isfinite(c[t].iloc[-1])]
        c = c[[*covered, "SPY"]].dropna(how="any")
        r = c.pct_change().iloc[1:]
        rp = (r[covered] * w[covered]).sum(axis=1)
        wealth = (1 + rp).cumprod()
        dd = (wealth / wealth.cummax().clip(lower=1.0) - 1).min()
        assert row["status"] == "ok"
        assert row["portfolio_return"] == pytest.approx((1 + rp).prod() - 1, abs=1e-12)
        assert row["benchmark_return"] == pytest.approx((1 + r["SPY"]).prod() - 1, abs=1e-12)
        assert row["portfolio_max_drawdown"] == pytest.approx(dd, abs=1e-12)
        assert row["covered_weight"] == pytest.approx(w[covered].sum())
        assert sorted(row["missing"]) == sorted(set(W) - set(covered))
        assert row["first_session"] == c.index[0] and row["last_session"] == c.index[-1]
    # MAGS (2023) and XMAG (2024) did not exist in the 2020 and 2022 episodes
    assert sorted(a.scenarios.loc["covid_crash_2020", "missing"]) == ["MAGS", "XMAG"]
    assert a.scenarios.loc["tariff_selloff_2025", "missing"] == []
    # COVID crash: SPY fell about a third from the 2020-02-19 close to the 2020-03-23 close
    assert a.scenarios.loc["covid_crash_2020", "benchmark_return"] == pytest.approx(-0.337,
                                                                                    abs=0.01)


def test_real_sectors_from_the_sp500_list(analysis):
    _, a = analysis
    assert a.holdings.loc["JPM", "sector"] == "Financials"
    assert a.holdings.loc["AAPL", "sector"] == "Information Technology"
    assert a.by_sector["Financials"] == pytest.approx(0.1)
    # AAPL, XLK and MAGS's three tech names (AAPL, MSFT, NVDA)
    assert a.by_sector["Information Technology"] == pytest.approx(0.1 + 0.1 + 0.1 * 3 / 7)
    assert a.by_sector.sum() == pytest.approx(1.0)


def test_real_mag7_estimate_of_qqq_is_plausible(analysis):
    _, a = analysis
    row = a.mag7["by_ticker"].loc["QQQ"]
    assert row["method"] == "estimated" and row["r_squared"] > 0.8
    assert 0.25 < row["mag7_share"] < 0.65      # QQQ is about 40-45% Mag-7
    assert a.mag7["look_through"] == pytest.approx(0.1 + 0.1, abs=1e-15)  # AAPL + MAGS
    assert a.factor_fit["left_out"] == []


def test_real_truncation(store, loaded_store):
    d = pd.Timestamp("2025-04-08")
    m = MarketView.open(store, loaded_store, as_of=d)
    full = analyze_portfolio(m, Holdings.from_weights(W))
    frame = store.close_matrix(list(dict.fromkeys([*W, *HELPERS])), end=d)
    cut = MarketView.from_frame(frame, instruments=store.instruments(), as_of=d)
    trunc = analyze_portfolio(cut, Holdings.from_weights(W))
    assert dumps(full.to_dict()) == dumps(trunc.to_dict())
    assert full.end == d
    # the window is shorter than 252: XMAG only trades from October 2024
    assert full.observations < 252 and any("only" in n for n in full.notes)
    assert full.scenarios.loc["tariff_selloff_2025", "status"] == "ok"
