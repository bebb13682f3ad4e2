"""Tests of the synthetic market generator (small markets; each check can fail).

Episode checks recompute what a chart reader would look at with plain pandas on the
output, independently of the generator's own ground-truth code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from rotascope.data.store import Store
from rotascope.data.synthetic import (
    DEFAULT_EPISODES,
    Episode,
    SyntheticMarket,
    generate_market,
)
from rotascope.errors import ParameterError, ParameterTypeError, UnknownTickerError

UNIVERSES_YAML = (Path(__file__).resolve().parents[2] / "src" / "rotascope" / "data"
                  / "universes.yaml")
N_DERIVED = 53
DESIGN = {ep.name: ep for ep in DEFAULT_EPISODES}


@pytest.fixture(scope="module")
def mkt() -> SyntheticMarket:
    return generate_market(tickers=60, days=800, seed=7)


@pytest.fixture(scope="module")
def long_mkt() -> SyntheticMarket:
    """Full 25-year calendar (all eight default episodes), few stocks."""
    return generate_market(tickers=40, seed=5)


def _episode(m: SyntheticMarket, name_or_kind: str) -> pd.Series:
    e = m.episodes
    hit = e[(e["name"] == name_or_kind) | (e["kind"] == name_or_kind)]
    assert len(hit) >= 1, name_or_kind
    return hit.iloc[-1]


def _rows(m: SyntheticMarket, start: pd.Timestamp, end: pd.Timestamp) -> tuple[int, int]:
    idx = m.close.index
    return int(idx.get_loc(start)), int(idx.get_loc(end))


def _pct_above_50d(close: pd.DataFrame, date: pd.Timestamp) -> float:
    """Independent breadth: share of stocks above their 50-day mean on ``date``."""
    mean = close.rolling(50).mean()
    ok = mean.loc[date].notna()
    return float((close.loc[date, ok] > mean.loc[date, ok]).mean())


# -- reproducibility, shapes, labels ----------------------------------------------------
def test_same_seed_is_bit_identical_and_other_seed_differs(mkt: SyntheticMarket) -> None:
    again = generate_market(tickers=60, days=800, seed=7)
    assert mkt.close.to_numpy().tobytes() == again.close.to_numpy().tobytes()
    pd.testing.assert_frame_equal(mkt.episodes, again.episodes)
    pd.testing.assert_frame_equal(mkt.instruments, again.instruments)
    other = generate_market(tickers=60, days=800, seed=8)
    a, b = mkt.close.to_numpy(), other.close.to_numpy()
    assert not np.allclose(a, b, equal_nan=True)
    assert (mkt.episodes["start"] == other.episodes["start"]).all()  # dates are fixed


def test_output_does_not_depend_on_blas_threads() -> None:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):
        a = generate_market(tickers=300, days=400, seed=11, episodes=None)
    with threadpool_limits(limits=1, user_api="blas"):
        b = generate_market(tickers=300, days=400, seed=11, episodes=None)
    assert a.close.to_numpy().tobytes() == b.close.to_numpy().tobytes()


def test_doctests_and_public_names() -> None:
    import doctest

    import rotascope
    import rotascope.data.synthetic as pkg
    from rotascope.data.synthetic import episodes, market

    for module in (pkg, market):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__
    for module in (pkg, market, episodes):
        assert set(module.__all__) <= set(dir(module))
    assert rotascope.generate_market is generate_market
    assert rotascope.SyntheticMarket is SyntheticMarket


def test_shape_dtype_layout_and_calendar(mkt: SyntheticMarket) -> None:
    close = mkt.close
    assert close.shape == (800, 60 + N_DERIVED)
    assert (close.dtypes == np.float64).all()
    assert close.to_numpy().flags.f_contiguous
    idx = close.index
    assert isinstance(idx, pd.DatetimeIndex) and idx.name == "date"
    assert idx.is_monotonic_increasing and idx.is_unique
    assert (idx.day_of_week < 5).all() and (idx == idx.normalize()).all()
    assert idx[0] == pd.Timestamp("2001-01-02")
    assert close.columns.is_unique and close.columns.name == "ticker"
    assert list(close.columns[:7]) == ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA"]
    assert mkt.stock_tickers == list(close.columns[:60])
    assert np.isfinite(close.to_numpy()[~np.isnan(close.to_numpy())]).all()
    assert (close.drop(columns="^TNX").min() > 0).all()


def test_everything_is_labelled_synthetic(mkt: SyntheticMarket) -> None:
    assert mkt.label == "SYNTHETIC"
    assert "SYNTHETIC" in mkt.description and "seed=7" in mkt.description
    assert mkt.instruments["name"].str.startswith("Synthetic ").all()
    assert mkt.location == "synthetic:seed=7"
    info = mkt.instruments
    assert set(info["kind"]) == {"stock", "etf", "index"}
    assert info.loc["^TNX", "kind"] == "index"
    assert info.loc[mkt.stock_tickers, "kind"].eq("stock").all()
    assert info["is_megacap"].sum() == 7
    assert info.loc["XLK", "sector"] == "Information Technology"
    assert info.loc["RSPU", "sector"] == "Utilities"


def test_calendar_options() -> None:
    m = generate_market(tickers=40, years=1, end="2024-12-31", episodes=None)
    assert len(m.close) == 252 and m.close.index[-1] == pd.Timestamp("2024-12-31")
    m2 = generate_market(tickers=40, start="2024-01-01", end="2024-12-31", episodes=None)
    assert m2.close.index[0] == pd.Timestamp("2024-01-01") and len(m2.close) == 262
    assert len(m2.episodes) == 0
    assert "name" in m2.episodes.columns


def test_plus_53_columns_and_default_length() -> None:
    m = generate_market(tickers=45, seed=1, episodes=None)
    assert m.close.shape == (6300, 45 + N_DERIVED)


# -- listings, universes, membership ----------------------------------------------------
def test_listing_and_delisting_nans(mkt: SyntheticMarket) -> None:
    close, info = mkt.close, mkt.instruments
    stocks = info.loc[mkt.stock_tickers]
    late = stocks[stocks["first_date"] > close.index[0]]
    gone = stocks[stocks["last_date"] < close.index[-1]]
    assert len(late) >= 5 and len(gone) >= 1
    valid = close.notna()
    for t in [*late.index[:5], *gone.index]:
        col = valid[t]
        inside = (col.index >= info.at[t, "first_date"]) & (col.index <= info.at[t, "last_date"])
        assert col[inside].all(), t           # no gap inside the listed life
        assert not col[~inside].any(), t      # NaN before listing and after delisting
    # Mag-7 listed throughout on a short calendar; crypto lists late
    assert valid[["AAPL", "MSFT", "META", "TSLA"]].all().all()
    ibit_first = info.at["IBIT", "first_date"]
    assert close.index.get_loc(ibit_first) == 800 - 630
    assert info.at["BTC", "first_date"] > ibit_first
    assert close["IBIT"].loc[:ibit_first].iloc[:-1].isna().all()


def test_mag7_list_late_on_a_long_calendar(long_mkt: SyntheticMarket) -> None:
    first = long_mkt.instruments["first_date"]
    idx = long_mkt.close.index
    assert first["AAPL"] == idx[0]
    assert idx.get_loc(first["META"]) == 6300 - 3550
    assert idx.get_loc(first["TSLA"]) == 6300 - 3950


def test_universes_exist_and_match_the_builtin_yaml(mkt: SyntheticMarket) -> None:
    builtin = yaml.safe_load(UNIVERSES_YAML.read_text())
    for name, spec in builtin.items():
        assert mkt.universes[name] == spec["tickers"], name
    assert {"sp500", "stocks", "mag7", "leadership", "style", "sectors", "global", "macro",
            "crypto"} <= set(mkt.universes)
    cols = set(mkt.close.columns)
    for name, tickers in mkt.universes.items():
        assert tickers and set(tickers) <= cols, name
    assert set(mkt.universes["sp500"]) <= set(mkt.stock_tickers)


def test_membership_is_point_in_time(mkt: SyntheticMarket) -> None:
    mem = mkt.membership
    assert list(mem.columns) == ["ticker", "name", "sector", "start_date", "end_date"]
    assert set(mem["ticker"]) == set(mkt.universes["sp500"])
    info = mkt.instruments.loc[mem["ticker"]]
    assert (mem["start_date"].to_numpy() == info["first_date"].to_numpy()).all()
    left = mem[mem["end_date"].notna()]
    assert len(left) >= 1                                 # a few leave
    assert (mem["start_date"] > mkt.close.index[0]).sum() >= 1   # a few join
    idx = mkt.close.index
    for _, r in left.iterrows():                          # end_date = first day not a member
        last = mkt.instruments.at[r["ticker"], "last_date"]
        assert r["end_date"] == idx[idx.get_loc(last) + 1]
        assert np.isnan(mkt.close.at[r["end_date"], r["ticker"]])


def test_large_market_sp500_is_top_500() -> None:
    m = generate_market(tickers=800, days=300, seed=2, episodes=None)
    sp = m.universes["sp500"]
    assert len(sp) == 500
    caps = m.instruments.loc[m.stock_tickers, "market_cap"]
    assert caps[sp].min() >= caps.drop(sp).max()
    assert m.instruments.loc[sp, "in_sp500"].all()


# -- derived ETFs -------------------------------------------------------------------------
def _members_return(close: pd.DataFrame, tickers: list[str]) -> pd.Series:
    return close[tickers].pct_change().mean(axis=1)


def test_equal_weight_etfs_are_mean_member_returns(mkt: SyntheticMarket) -> None:
    close, info = mkt.close, mkt.instruments
    sp = mkt.universes["sp500"]
    rsp = close["RSP"].pct_change()
    pd.testing.assert_series_equal(rsp.iloc[1:], _members_return(close, sp).iloc[1:],
                                   check_names=False, rtol=1e-10, atol=1e-13)
    mags = close["MAGS"].pct_change()
    pd.testing.assert_series_equal(mags.iloc[1:], _members_return(close, mkt.universes["mag7"])
                                   .iloc[1:], check_names=False, rtol=1e-10, atol=1e-13)
    utes = info.index[(info["sector"] == "Utilities") & (info["kind"] == "stock")
                      & info["in_sp500"]]
    pd.testing.assert_series_equal(close["RSPU"].pct_change().iloc[1:],
                                   _members_return(close, list(utes)).iloc[1:],
                                   check_names=False, rtol=1e-10, atol=1e-13)


def _cap_weighted_return(close: pd.DataFrame, shares: pd.Series) -> pd.Series:
    px = close[shares.index]
    prev = px.shift(1)
    both = px.notna() & prev.notna()
    num = ((px - prev).where(both, 0.0) * shares).sum(axis=1)
    den = (prev.where(both, 0.0) * shares).sum(axis=1)
    return num / den


def test_cap_weighted_etfs_follow_shares_times_price(mkt: SyntheticMarket) -> None:
    close, info = mkt.close, mkt.instruments
    stocks = info.loc[mkt.stock_tickers]
    spy = _cap_weighted_return(close, stocks["shares"])
    np.testing.assert_allclose(close["SPY"].pct_change().iloc[1:], spy.iloc[1:], rtol=1e-9,
                               atol=1e-13)
    tech = stocks[(stocks["sector"] == "Information Technology") & stocks["in_sp500"]]
    np.testing.assert_allclose(close["XLK"].pct_change().iloc[1:],
                               _cap_weighted_return(close, tech["shares"]).iloc[1:], rtol=1e-9,
                               atol=1e-13)
    ex = stocks[stocks["in_sp500"] & ~stocks["is_megacap"]]
    np.testing.assert_allclose(close["XMAG"].pct_change().iloc[1:],
                               _cap_weighted_return(close, ex["shares"]).iloc[1:], rtol=1e-9,
                               atol=1e-13)
    # market_cap is shares x close on the last date
    last = close.loc[:, stocks.index].ffill().iloc[-1]
    np.testing.assert_allclose(stocks["shares"] * last, stocks["market_cap"], rtol=1e-9)


def test_mag7_dominate_cap_weighted_baskets(mkt: SyntheticMarket) -> None:
    stocks = mkt.instruments.loc[mkt.stock_tickers]
    mag7 = mkt.universes["mag7"]
    end_of_life = stocks["market_cap"]
    assert end_of_life[mag7].sum() / end_of_life.sum() == pytest.approx(0.30)
    last = mkt.close[stocks.index].iloc[-1]
    cap = (stocks["shares"] * last).dropna()      # listed on the last date
    share = cap[mag7].sum() / cap.sum()
    assert 0.25 < share < 0.45
    spy_top = (cap / cap.sum()).sort_values(ascending=False)
    assert spy_top.iloc[:7].sum() > 0.3


def test_mag7_are_the_largest_in_a_large_market() -> None:
    m = generate_market(tickers=500, days=200, seed=1, episodes=None)
    caps = m.instruments.loc[m.stock_tickers, "market_cap"]
    mag7 = m.universes["mag7"]
    assert caps[mag7].min() > caps.drop(mag7).max()
    assert caps[mag7].sum() / caps.sum() == pytest.approx(0.30)
    last = m.close[m.stock_tickers].iloc[-1]
    live = (m.instruments.loc[m.stock_tickers, "shares"] * last).dropna()
    qqq_like = live[m.instruments.loc[live.index, "sector"].isin(
        ["Information Technology", "Communication Services", "Consumer Discretionary"])]
    assert live[mag7].sum() / qqq_like.sum() > 0.5


def test_macro_and_crypto_series_behave(mkt: SyntheticMarket) -> None:
    close = mkt.close
    tnx = close["^TNX"]
    assert tnx.notna().all() and (tnx > 0).all() and tnx.between(0.3, 25).all()
    spy_r = np.log(close["SPY"]).diff()
    vixy_r = np.log(close["VIXY"]).diff()
    assert spy_r.corr(vixy_r) < -0.5                       # VIXY rises when stocks fall
    assert spy_r.corr(np.log(close["EFA"]).diff()) > 0.5   # correlated international
    ibit = np.log(close["IBIT"]).diff().dropna()
    assert ibit.std() > 1.5 * spy_r.std()                  # crypto is volatile
    btc = np.log(close["BTC"]).diff()
    assert btc.corr(np.log(close["IBIT"]).diff()) > 0.99   # same underlying
    assert np.abs(np.log(close.drop(columns="^TNX")).diff()).max().max() < np.log(1.5)


# -- injected episodes --------------------------------------------------------------------
def test_default_recent_episodes_fit_a_short_calendar(mkt: SyntheticMarket) -> None:
    assert list(mkt.episodes["kind"]) == ["crash_weak_bounce", "range", "breakdown",
                                          "rotation"]
    assert mkt.episodes["start"].is_monotonic_increasing
    assert (mkt.episodes["end"] <= mkt.close.index[-1]).all()
    # the most recent episode ends a couple of weeks before the last date
    assert mkt.close.index.get_loc(mkt.episodes["end"].iloc[-1]) == 800 - 13


def test_full_calendar_holds_all_default_episodes(long_mkt: SyntheticMarket) -> None:
    e = long_mkt.episodes
    assert list(e["name"]) == [ep.name for ep in DEFAULT_EPISODES]
    assert sorted(e["kind"].value_counts().tolist()) == [2, 2, 2, 2]


@pytest.mark.parametrize("which", ["mkt", "long_mkt"])
def test_rotation_visible(which: str, request: pytest.FixtureRequest) -> None:
    m: SyntheticMarket = request.getfixturevalue(which)
    close = m.close
    for _, ep in m.episodes[m.episodes["kind"] == "rotation"].iterrows():
        s, e = _rows(m, ep["start"], ep["end"])
        ratio = close["MAGS"] / close["SPY"]
        # MAGS/SPY at its lowest in >= 3 months (63 rows) at the end of the rotation
        assert ratio.iloc[e] == ratio.iloc[e - 63:e + 1].min()
        assert ratio.iloc[e] / ratio.iloc[s] - 1 == pytest.approx(ep["mags_spy_change"])
        assert ep["mags_spy_change"] <= -DESIGN[ep["name"]].magnitude + 1e-9
        rsp_target = 0.5 * DESIGN[ep["name"]].magnitude           # imposed exactly
        assert ep["rsp_spy_change"] == pytest.approx(rsp_target, abs=1e-9)
        assert ep["ratio_low_rows"] >= 63
        spy = close["SPY"]
        assert abs(spy.iloc[e] / spy.iloc[s] - 1) < 0.011        # sideways index
        assert (spy.iloc[s:e + 1] / spy.iloc[s] - 1).abs().max() < 0.08
        rsp_spy = close["RSP"] / spy
        xmag_mags = close["XMAG"] / close["MAGS"]
        assert rsp_spy.iloc[e] / rsp_spy.iloc[s] - 1 == pytest.approx(ep["rsp_spy_change"])
        assert rsp_spy.iloc[e] > rsp_spy.iloc[s] * 1.05
        assert xmag_mags.iloc[e] > xmag_mags.iloc[s] * 1.15
        stocks = close[m.stock_tickers]
        b_end = _pct_above_50d(stocks, ep["end"])
        assert b_end == pytest.approx(ep["breadth_end"])
        assert b_end > 0.5
        mag_above = _pct_above_50d(close[m.universes["mag7"]], ep["end"])
        assert mag_above < b_end                                  # the rest lead


@pytest.mark.parametrize("which", ["mkt", "long_mkt"])
def test_breakdown_visible(which: str, request: pytest.FixtureRequest) -> None:
    m: SyntheticMarket = request.getfixturevalue(which)
    close = m.close
    for _, ep in m.episodes[m.episodes["kind"] == "breakdown"].iterrows():
        s, e = _rows(m, ep["start"], ep["end"])
        spy = close["SPY"]
        assert spy.iloc[e] / spy.iloc[s] - 1 == pytest.approx(ep["spy_change"], abs=1e-12)
        assert ep["spy_change"] <= -0.19
        stocks = close[m.stock_tickers]
        assert _pct_above_50d(stocks, ep["end"]) < 0.3            # breadth collapses
        down = (stocks.iloc[e] / stocks.iloc[s] - 1).dropna()
        assert (down < 0).mean() > 0.7                             # most stocks fall
        hyg_ief = close["HYG"] / close["IEF"]
        assert hyg_ief.iloc[e] < hyg_ief.iloc[s] * 0.97            # credit weakens
        assert close["VIXY"].iloc[e] > close["VIXY"].iloc[s] * 1.2  # volatility jumps
        assert ep["hyg_ief_change"] == pytest.approx(hyg_ief.iloc[e] / hyg_ief.iloc[s] - 1)


@pytest.mark.parametrize("which", ["mkt", "long_mkt"])
def test_range_visible(which: str, request: pytest.FixtureRequest) -> None:
    m: SyntheticMarket = request.getfixturevalue(which)
    spy = m.close["SPY"]
    for _, ep in m.episodes[m.episodes["kind"] == "range"].iterrows():
        s, e = _rows(m, ep["start"], ep["end"])
        inside = spy.iloc[s:e + 1]
        assert len(inside) >= 30 and ep["range_days"] == len(inside)
        assert inside.max() / inside.min() - 1 <= 0.04
        assert inside.min() == ep["floor"] and inside.max() == ep["ceiling"]
        assert ep["exit_date"] == spy.index[e + 1]
        nxt = spy.iloc[e + 1:e + 6]
        if ep["exit"] == "breakout":
            assert (nxt > ep["ceiling"]).all()
        else:
            assert (nxt < ep["floor"]).all()


def test_range_exits_both_ways(long_mkt: SyntheticMarket) -> None:
    exits = set(long_mkt.episodes.loc[long_mkt.episodes["kind"] == "range", "exit"])
    assert exits == {"breakout", "breakdown"}


@pytest.mark.parametrize("which", ["mkt", "long_mkt"])
def test_crash_and_weak_bounce_visible(which: str, request: pytest.FixtureRequest) -> None:
    m: SyntheticMarket = request.getfixturevalue(which)
    for _, ep in m.episodes[m.episodes["kind"] == "crash_weak_bounce"].iterrows():
        x = m.close[ep["target"]]
        peak, trough, top = ep["peak_date"], ep["trough_date"], ep["bounce_date"]
        assert peak == ep["start"] and peak < trough < top <= ep["end"]
        window = x.loc[peak:ep["end"]]
        assert window.idxmin() == trough and window.iloc[0] == window.max()
        assert x.loc[:peak].iloc[-4:].is_monotonic_increasing           # rises into the peak
        # down >= 20% within 10 trading days
        worst = (x / x.rolling(11).max() - 1).loc[peak:trough].min()
        assert worst <= -0.20 and worst == pytest.approx(ep["worst_decline_10d"])
        assert m.close.index.get_loc(trough) - m.close.index.get_loc(peak) <= 10
        decline = x[trough] / x[peak] - 1
        assert decline == pytest.approx(ep["decline"])
        # the bounce retraces less than half of the fall, then fades below its top
        after = x.loc[trough:ep["end"]].iloc[1:]
        retraced = (after.max() - x[trough]) / (x[peak] - x[trough])
        assert 0 < retraced < 0.5 and retraced == pytest.approx(ep["retraced"])
        assert after.idxmax() == top


def test_truth_matches_the_requested_sizes(long_mkt: SyntheticMarket) -> None:
    e = long_mkt.episodes.set_index("name")
    for ep in DEFAULT_EPISODES:
        row = e.loc[ep.name]
        if ep.kind == "crash_weak_bounce":
            assert row["decline"] == pytest.approx(-ep.magnitude, abs=1e-9)
            assert row["retraced"] == pytest.approx(ep.retrace, abs=1e-9)
        elif ep.kind == "breakdown":
            assert row["spy_change"] == pytest.approx(-ep.magnitude, abs=1e-9)
        elif ep.kind == "range":
            assert row["band"] < ep.band
        else:
            assert row["mags_spy_change"] <= -ep.magnitude + 1e-9


def test_custom_episodes_by_date() -> None:
    eps = [Episode("range", "2003-06-02", days=35, band=0.02, exit="breakdown", name="R"),
           Episode("crash_weak_bounce", "2003-09-01", target="SPY", magnitude=0.22,
                   retrace=0.3, days=6, bounce_days=8, name="C")]
    m = generate_market(tickers=40, days=800, seed=3, episodes=eps)
    e = m.episodes.set_index("name")
    assert e.loc["R", "start"] == pd.Timestamp("2003-06-02")
    assert e.loc["R", "band"] < 0.02 and e.loc["R", "exit"] == "breakdown"
    assert e.loc["C", "peak_date"] == pd.Timestamp("2003-09-01")
    assert e.loc["C", "decline"] == pytest.approx(-0.22, abs=1e-9)
    assert e.loc["C", "retraced"] == pytest.approx(0.3, abs=1e-9)
    idx = m.close.index
    assert idx.get_loc(e.loc["C", "trough_date"]) - idx.get_loc(e.loc["C", "peak_date"]) == 6


def test_episode_row_offsets_and_auto_names() -> None:
    m = generate_market(tickers=40, days=400, seed=0,
                        episodes=[Episode("breakdown", -100, days=20)])
    row = m.episodes.iloc[0]
    assert row["start"] == m.close.index[300]
    assert row["name"] == f"breakdown {m.close.index[300]:%Y-%m-%d}"
    assert row["spy_change"] == pytest.approx(-0.20, abs=1e-9)


# -- the store round trip (what the demo does) ----------------------------------------------
def test_series_data_round_trip_through_a_store(tmp_path: Path) -> None:
    m = generate_market(tickers=40, days=300, seed=4, episodes=None)
    series = m.to_series_data()
    assert len(series) == m.close.shape[1]
    s0 = {s.ticker: s for s in series}
    assert s0["SPY"].source == "synthetic" and s0["SPY"].location == "synthetic:seed=4"
    assert s0["SPY"].adjusted is True and s0["^TNX"].kind == "index"
    assert s0["IBIT"].frame.index[0] == m.instruments.at["IBIT", "first_date"]
    assert s0["AAPL"].name.startswith("Synthetic ")
    with Store(tmp_path / "demo.duckdb") as store:
        res = store.import_series(series, source="synthetic", location=m.location)
        assert {r.status for r in res.results} == {"new"}
        store.set_instrument_info(m.instrument_info())
        for name, members in m.universe_members().items():
            store.save_universe(name, members, description=f"synthetic {name}",
                                source="synthetic", location=m.location,
                                point_in_time=name == "sp500")
        back = store.close_matrix(list(m.close.columns))
        pd.testing.assert_frame_equal(back, m.close, check_names=False, check_freq=False)
        assert store.instruments().loc["XLE", "sector"] == "Energy"
        assert store.universe_members("sp500")["end_date"].notna().sum() >= 1
        again = store.import_series(m.to_series_data(), source="synthetic")
        assert {r.status for r in again.results} == {"unchanged"}


def test_to_series_data_subset_and_unknown(mkt: SyntheticMarket) -> None:
    out = mkt.to_series_data(["SPY", "AAPL"])
    assert [s.ticker for s in out] == ["SPY", "AAPL"]
    with pytest.raises(UnknownTickerError, match="NOPE"):
        mkt.to_series_data(["SPY", "NOPE"])


# -- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"tickers": 39}, ParameterError, "'tickers' must be an int >= 40"),
    ({"tickers": 50.0}, ParameterTypeError, "'tickers' must be an int"),
    ({"seed": -1}, ParameterError, "'seed'"),
    ({"years": 2, "days": 500}, ParameterError, "not both"),
    ({"days": 50}, ParameterError, "'days' must be an int >= 120"),
    ({"start": "2020-01-01", "end": "2020-03-01"}, ParameterError, "at least 120"),
    ({"start": "2020-01-01", "end": "2021-01-01", "days": 300}, ParameterError, "fixed"),
    ({"start": "not a date"}, ParameterError, "'start' must be a date"),
    ({"mag7_share": 0.95}, ParameterError, "'mag7_share'"),
    ({"episodes": "all"}, ParameterError, "'episodes' must be one of"),
    ({"episodes": 3}, ParameterTypeError, "'episodes' must be"),
    ({"episodes": ["rotation"]}, ParameterTypeError, r"episodes\[0\] must be an Episode"),
])
def test_bad_arguments(kwargs: dict, exc: type, match: str) -> None:
    base = {"tickers": 40, "episodes": None}
    if not ({"start", "end"} <= set(kwargs) or "years" in kwargs):
        base["days"] = 300
    args = base | kwargs
    with pytest.raises(exc, match=match):
        generate_market(**args)


@pytest.mark.parametrize(("episode", "match"), [
    (Episode("rotation", -60, band=0.03), "band does not apply to kind='rotation'"),
    (Episode("sideways", -60), "must be one of 'rotation'"),
    (Episode("crash_weak_bounce", -60, target="QQQ"), "target' must be one of 'IBIT', 'SPY'"),
    (Episode("range", -60, band=0.5), "band' must be <= 0.2"),
    (Episode("breakdown", -60, days=3), "days' must be an int >= 5"),
    (Episode("rotation", 10), "needs rows 11..59"),
    (Episode("rotation", -20), "needs rows"),
    (Episode("range", "1999-01-04"), "outside the calendar"),
    (Episode("rotation", 10_000), "outside the calendar"),
])
def test_bad_episodes(episode: Episode, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        generate_market(tickers=40, days=400, episodes=[episode])


def test_unsolvable_index_path_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from rotascope.data.synthetic import _engine

    monkeypatch.setitem(_engine.solve_controls.__kwdefaults__, "iterations", 1)
    with pytest.raises(ParameterError, match="could not be imposed"):
        generate_market(tickers=40, days=400, episodes=[Episode("breakdown", 200)])


def test_overlapping_and_duplicate_episodes_raise() -> None:
    with pytest.raises(ParameterError, match="overlap on SPY"):
        generate_market(tickers=40, days=400, episodes=[
            Episode("breakdown", 200, days=30), Episode("range", 220, days=30)])
    with pytest.raises(ParameterError, match="unique"):
        generate_market(tickers=40, days=400, episodes=[
            Episode("breakdown", 100, name="x"), Episode("breakdown", 200, name="x")])
    # IBIT and SPY episodes may share dates
    m = generate_market(tickers=40, days=700, episodes=[
        Episode("breakdown", 200, days=30), Episode("crash_weak_bounce", 205)])
    assert len(m.episodes) == 2
