"""Portfolio analytics on synthetic markets: metrics vs empyrical and plain pandas,
look-through, style analysis, Euler risk, factor betas, what-if, point in time."""

from __future__ import annotations

import empyrical as ep
import numpy as np
import pandas as pd
import pytest

from rotascope.analysis.portfolio import (
    Holdings,
    analyze_portfolio,
    analyze_weights,
    parse_move,
    performance_metrics,
    portfolio_note_section,
    style_analysis,
    what_if,
)
from rotascope.errors import FileFormatError, ParameterError, UnknownTickerError
from rotascope.market_view import MarketView
from rotascope.outputs.jsonout import dumps

ETFS = ["SPY", "MAGS", "XMAG", "RSP", "IWM", "QQQ", "IWD", "IWF", "ACWX", "HYG", "IEF",
        "BIL", "FUND", "XLK"]
STOCKS = ["AAPL", "MSFT", "NVDA", "JPM", "XOM"]


def _market(n: int = 700, seed: int = 7, fund=(0.3, 0.5, 0.2)) -> MarketView:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2021-01-04", periods=n)
    base = [t for t in ETFS + STOCKS if t != "FUND"]
    vol = {"BIL": 0.0002, "IEF": 0.004, "HYG": 0.005}
    r = pd.DataFrame({t: rng.normal(0.0004, vol.get(t, 0.012), n) for t in base}, index=idx)
    common = rng.normal(0, 0.008, n)
    for t in base:
        if t not in vol:
            r[t] += common
    # a fund made of MAGS, XMAG and IEF, rebalanced daily: exactly these weights
    r["FUND"] = fund[0] * r["MAGS"] + fund[1] * r["XMAG"] + fund[2] * r["IEF"]
    close = 100 * (1 + r).cumprod()
    close.iloc[3, close.columns.get_loc("JPM")] = np.nan      # a missing day
    inst = pd.DataFrame({"name": None, "kind": ["etf"] * len(ETFS) + ["stock"] * len(STOCKS),
                         "sector": [None] * len(ETFS) + ["Information Technology"] * 3
                         + ["Financials", "Energy"]}, index=pd.Index(ETFS + STOCKS,
                                                                      name="ticker"))
    return MarketView.from_frame(close, instruments=inst)


def _pandas_returns(market, weights, benchmark="SPY", window=252):
    cols = list(dict.fromkeys([*weights, benchmark]))
    c = market.close(cols).dropna(how="any")
    r = c.pct_change().iloc[1:].tail(window)
    rp = (r[list(weights)] * pd.Series(weights)).sum(axis=1)
    return rp, r[benchmark]


def _pandas_metrics(rp: pd.Series, rb: pd.Series) -> dict[str, float]:
    n = len(rp)
    wealth = (1 + rp).cumprod()
    peak = pd.concat([pd.Series([1.0]), wealth.reset_index(drop=True)]).cummax().iloc[1:]
    beta = rp.cov(rb) / rb.var()
    active = rp - rb
    srt = rp.sort_values().to_numpy()
    return {"annual_return": (1 + rp).prod() ** (252 / n) - 1,
            "annual_volatility": rp.std() * np.sqrt(252),
            "sharpe": rp.mean() / rp.std() * np.sqrt(252),
            "sortino": rp.mean() * 252 / (np.sqrt((rp.clip(upper=0) ** 2).mean())
                                          * np.sqrt(252)),
            "max_drawdown": (wealth.to_numpy() / peak.to_numpy() - 1).min(),
            "beta": beta,
            "alpha": (1 + (rp - beta * rb).mean()) ** 252 - 1,
            "var_95": rp.quantile(0.05),
            "cvar_95": srt[: int((n - 1) * 0.05) + 1].mean(),
            "tracking_error": active.std() * np.sqrt(252),
            "information_ratio": active.mean() * 252 / (active.std() * np.sqrt(252))}


def _empyrical(rp: pd.Series, rb: pd.Series) -> dict[str, float]:
    alpha, beta = ep.alpha_beta(rp, rb)
    return {"annual_return": ep.annual_return(rp), "annual_volatility": ep.annual_volatility(rp),
            "sharpe": ep.sharpe_ratio(rp), "sortino": ep.sortino_ratio(rp),
            "max_drawdown": ep.max_drawdown(rp), "beta": beta, "alpha": alpha,
            "var_95": ep.value_at_risk(rp, 0.05),
            "cvar_95": ep.conditional_value_at_risk(rp, 0.05),
            "tracking_error": np.std(rp - rb, ddof=1) * np.sqrt(252),
            "information_ratio": ep.excess_sharpe(rp, rb) * np.sqrt(252)}


W = {"QQQ": 0.4, "AAPL": 0.1, "JPM": 0.15, "FUND": 0.2, "IEF": 0.1}


def test_metrics_equal_empyrical_and_pandas():
    m = _market()
    a = analyze_portfolio(m, Holdings.from_weights(W))
    rp, rb = _pandas_returns(m, W)
    assert a.observations == 252
    np.testing.assert_allclose(a.returns["portfolio"].to_numpy(), rp.to_numpy(), atol=1e-14)
    assert a.returns.index.equals(rp.index)
    ref, pan = _empyrical(rp, rb), _pandas_metrics(rp, rb)
    for k in ref:
        assert a.metrics[k] == pytest.approx(ref[k], abs=1e-9, rel=0), k
        assert a.metrics[k] == pytest.approx(pan[k], abs=1e-9, rel=0), k
    assert a.cash == pytest.approx(0.05)


def test_metrics_on_random_series_match_empyrical():
    rng = np.random.default_rng(3)
    for n in (30, 252, 1000):
        r = pd.Series(rng.normal(0.0003, 0.01, n))
        b = pd.Series(0.6 * r + rng.normal(0, 0.005, n))
        got, ref = performance_metrics(r, b), _empyrical(r, b)
        for k in ref:
            assert got[k] == pytest.approx(ref[k], abs=1e-9, rel=0), (n, k)


def test_shares_are_valued_at_the_as_of_close():
    m = _market()
    shares = {"QQQ": 10.0, "AAPL": 20.0, "CASH": 500.0}
    h = Holdings.from_shares(shares)
    a = analyze_portfolio(m, h)
    px = m.close(["QQQ", "AAPL"]).iloc[-1]
    total = 10 * px["QQQ"] + 20 * px["AAPL"] + 500
    assert a.weights["QQQ"] == pytest.approx(10 * px["QQQ"] / total, rel=1e-12)
    assert a.cash == pytest.approx(500 / total, rel=1e-12)


def test_look_through_half_mags_half_xmag_is_exactly_half():
    a = analyze_weights(_market(), {"MAGS": 0.5, "XMAG": 0.5})
    assert a.mag7["look_through"] == 0.5
    assert a.mag7["estimated"] == 0.0
    assert a.mag7["by_name"].to_dict() == pytest.approx({t: 0.5 / 7 for t in
                                                         a.mag7["by_name"].index})


def test_look_through_with_a_holdings_file_and_direct_stocks():
    m = _market()
    rows = pd.DataFrame({"ticker": ["AAPL", "MSFT", "GOOG", "JPM", ""],
                         "weight": [0.10, 0.08, 0.02, 0.05, 0.01],
                         "sector": ["Information Technology"] * 3 + ["Financials", None],
                         "asset_class": ["Equity"] * 4 + ["Cash"]})
    rows.attrs["as_of"] = pd.Timestamp("2022-01-03")
    a = analyze_weights(m, {"QQQ": 0.5, "AAPL": 0.2, "JPM": 0.3}, fund_holdings={"QQQ": rows})
    # 0.5 * (0.10 + 0.08 + 0.02, GOOG counts as Alphabet) + 0.2 direct
    assert a.mag7["look_through"] == pytest.approx(0.5 * 0.20 + 0.2, abs=1e-15)
    assert a.mag7["by_name"]["GOOGL"] == pytest.approx(0.5 * 0.02)
    assert a.mag7["by_ticker"].loc["QQQ", "method"] == "holdings"
    assert a.by_sector["Financials"] == pytest.approx(0.3 + 0.5 * 0.05)
    assert a.by_sector["cash"] == pytest.approx(0.5 * 0.01)
    assert a.by_sector.sum() == pytest.approx(1.0 - 0.5 * (1 - 0.26))  # file covers 26%


def test_style_analysis_recovers_known_weights():
    m = _market()
    a = analyze_weights(m, {"FUND": 0.8, "AAPL": 0.2})
    row = a.mag7["by_ticker"].loc["FUND"]
    assert row["method"] == "estimated"
    assert row["mag7_share"] == pytest.approx(0.3, abs=1e-6)
    assert a.mag7["estimated"] == pytest.approx(0.8 * 0.3, abs=1e-6)
    assert a.mag7["look_through"] == pytest.approx(0.2, abs=1e-15)
    # directly, with the weights of every basis fund
    c = m.close(["FUND", "MAGS", "XMAG", "IWM", "ACWX", "IEF", "HYG", "BIL"]).pct_change()
    c = c.iloc[1:]
    fit = style_analysis(c["FUND"], c.drop(columns="FUND"))["FUND"]
    np.testing.assert_allclose(fit.weights[["MAGS", "XMAG", "IEF"]], [0.3, 0.5, 0.2],
                               atol=1e-6)
    assert fit.weights.drop(["MAGS", "XMAG", "IEF"]).abs().max() < 1e-6
    assert fit.r_squared == pytest.approx(1.0, abs=1e-9)


def test_style_analysis_with_noise_is_close():
    rng = np.random.default_rng(11)
    n = 1000
    basis = pd.DataFrame(rng.normal(0, 0.01, (n, 4)), columns=list("ABCD"))
    y = basis @ np.array([0.6, 0.0, 0.4, 0.0]) + rng.normal(0, 0.0005, n)
    fit = style_analysis(pd.Series(y, name="Y"), basis)["Y"]
    assert (fit.weights >= 0).all() and fit.weights.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(fit.weights, [0.6, 0.0, 0.4, 0.0], atol=0.01)


def test_risk_contributions_add_up_and_match_a_direct_computation():
    m = _market()
    a = analyze_weights(m, W)
    rc = a.risk_contribution
    rp, _ = _pandas_returns(m, W)
    assert rc["contribution"].sum() == pytest.approx(a.volatility, rel=1e-12)
    assert a.volatility == pytest.approx(rp.std() * np.sqrt(252), rel=1e-12)
    assert rc["share"].sum() == pytest.approx(1.0, rel=1e-12)
    cols = list(dict.fromkeys([*W, "SPY"]))
    r = m.close(cols).dropna().pct_change().iloc[1:].tail(252)[list(W)]
    cov = r.cov()
    w = pd.Series(W)
    for t in W:   # c_i = w_i cov(r_i, r_p) / sigma_p
        expect = w[t] * (cov[t] * w).sum() / np.sqrt(w @ cov @ w) * np.sqrt(252)
        assert rc.at[t, "contribution"] == pytest.approx(expect, rel=1e-10)
    hhi = ((w / w.sum()) ** 2).sum()
    assert a.concentration["hhi"] == pytest.approx(hhi)
    assert a.concentration["effective_holdings"] == pytest.approx(1 / hhi)
    np.testing.assert_allclose(a.correlation.to_numpy(), r.corr().to_numpy(), atol=1e-12)


def test_factor_betas_match_normal_equations():
    m = _market()
    a = analyze_weights(m, W)
    tick = ["SPY", "MAGS", "XMAG", "RSP", "IWM", "QQQ", "IWD", "IWF", "ACWX", "HYG", "IEF"]
    cols = list(dict.fromkeys([*W, "SPY", *tick]))
    r = m.close(cols).dropna().pct_change().iloc[1:].tail(252)
    y = (r[list(W)] * pd.Series(W)).sum(axis=1)
    X = pd.DataFrame({"SPY": r["SPY"], "MAGS-SPY": r["MAGS"] - r["SPY"],
                      "XMAG-MAGS": r["XMAG"] - r["MAGS"], "RSP-SPY": r["RSP"] - r["SPY"],
                      "IWM-QQQ": r["IWM"] - r["QQQ"], "IWD-IWF": r["IWD"] - r["IWF"],
                      "ACWX-SPY": r["ACWX"] - r["SPY"], "HYG-IEF": r["HYG"] - r["IEF"]})
    Xc = np.column_stack([np.ones(len(X)), X.to_numpy()])
    b = np.linalg.solve(Xc.T @ Xc, Xc.T @ y.to_numpy())
    e = y.to_numpy() - Xc @ b
    se = np.sqrt(np.diag(np.linalg.inv(Xc.T @ Xc)) * (e @ e) / (len(y) - Xc.shape[1]))
    np.testing.assert_allclose(a.factor_betas["beta"].to_numpy(), b[1:], atol=1e-9)
    np.testing.assert_allclose(a.factor_betas["t_stat"].to_numpy(), (b / se)[1:], rtol=1e-8)
    assert list(a.factor_betas.index) == list(X.columns)
    # shocks are moves @ betas
    s = a.factor_shocks.loc["smallcaps_up10_vs_qqq"]
    assert s["portfolio"] == pytest.approx(0.10 * b[5], rel=1e-9)
    mag = a.factor_shocks.loc["mag7_down20_rest_up5"]
    ms = mag["mag7_share_of_spy"]
    d_spy = ms * -0.20 + (1 - ms) * 0.05
    assert mag["portfolio"] == pytest.approx(b[1] * d_spy + b[2] * (-0.20 - d_spy)
                                             + b[3] * 0.25, rel=1e-9)


def test_truncation_as_of_d_equals_data_cut_at_d():
    m = _market()
    d = m.close(["SPY"]).index[500]
    full = analyze_weights(m.at(d), W).to_dict()
    close = m.close().loc[:d]
    cut = MarketView.from_frame(close, instruments=m.instruments(), as_of=d)
    trunc = analyze_weights(cut, W).to_dict()
    assert dumps(full) == dumps(trunc)      # NaN-safe, exact floats
    assert full["window"]["end"] == d
    later = analyze_weights(m, W).to_dict()
    assert dumps(later) != dumps(full)


def test_weights_above_one_need_leverage():
    m = _market()
    h = Holdings.from_weights({"QQQ": 0.8, "IEF": 0.4})
    with pytest.raises(FileFormatError, match="sum to 1.2.*--leverage"):
        analyze_portfolio(m, h)
    a = analyze_portfolio(m, h, leverage=True)
    assert a.cash == pytest.approx(-0.2)
    with pytest.raises(FileFormatError, match="negative"):
        analyze_portfolio(m, Holdings.from_weights({"QQQ": 0.8, "IEF": -0.1}))


def test_unknown_tickers_are_listed():
    with pytest.raises(UnknownTickerError) as err:
        analyze_portfolio(_market(), Holdings.from_weights({"QQQ": 0.5, "NOPE": 0.2,
                                                            "ZZZ": 0.1}))
    assert err.value.tickers == ["NOPE", "ZZZ"]


def test_what_if_moves_weight_and_compares_every_figure():
    m = _market()
    w = what_if(m, Holdings.from_weights({"QQQ": 0.6, "IEF": 0.3}), ["30%:QQQ:RSP",
                                                                     "0.05:CASH:IWM"])
    assert w.after.weights.to_dict() == pytest.approx({"QQQ": 0.3, "IEF": 0.3, "RSP": 0.3,
                                                       "IWM": 0.05})
    comp = w.comparison()
    assert comp.at["weights.QQQ", "change"] == pytest.approx(-0.3)
    assert comp.at["weights.CASH", "after"] == pytest.approx(0.05)
    direct = analyze_weights(m, {"QQQ": 0.3, "IEF": 0.3, "RSP": 0.3, "IWM": 0.05})
    assert comp.at["metrics.sharpe", "after"] == pytest.approx(direct.metrics["sharpe"])
    assert comp.at["metrics.sharpe", "before"] == pytest.approx(w.before.metrics["sharpe"])
    with pytest.raises(ParameterError, match="cannot move"):
        what_if(m, Holdings.from_weights({"QQQ": 0.2}), ["30%:QQQ:RSP"])
    with pytest.raises(ParameterError, match="AMOUNT:FROM:TO"):
        parse_move("30%QQQ:RSP")


def test_note_section_and_to_dict_names():
    a = analyze_weights(_market(), W)
    d = a.to_dict()
    assert set(d["metrics"]) == {"annual_return", "annual_volatility", "sharpe", "sortino",
                                 "max_drawdown", "beta", "alpha", "var_95", "cvar_95",
                                 "tracking_error", "information_ratio"}
    assert {"look_through", "estimated", "by_ticker"} <= set(d["exposure"]["mag7"])
    assert {"mag7", "by_sector", "by_style"} <= set(d["exposure"])
    for k in ("factor_betas", "risk_contribution", "concentration", "scenarios"):
        assert k in d
    sec = portfolio_note_section(a)
    assert sec["figures"]["annual_return"]["value"] == d["metrics"]["annual_return"]
    assert sec["text"]
