"""RRG: sector points on real data equal an independent implementation; causality property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.analysis.rotation import QUADRANTS, quadrant_of, rolling_zscore, rrg
from rotascope.errors import ParameterError, ParameterTypeError

SECTORS = ["XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"]
DATES = ["2023-06-30", "2024-08-05", "2025-04-08", "2026-07-14"]


def _csv(market_data, t: str) -> pd.Series:
    return pd.read_csv(market_data / "prices" / f"{t}.csv", parse_dates=["Date"]
                       ).set_index("Date")["Close"].astype(float)


def _oracle(close: pd.DataFrame, bench: pd.Series, period: str, smoothing: int = 5,
            window: int = 14, lag: int = 5, mwindow: int = 14) -> dict[str, pd.DataFrame]:
    """The documented formula, written independently with plain pandas per ticker."""
    out: dict[str, dict[str, pd.Series]] = {"ratio": {}, "momentum": {}}
    for t in close.columns:
        both = pd.concat([close[t], bench], axis=1, join="inner").dropna()
        rs = 100.0 * both.iloc[:, 0] / both.iloc[:, 1]
        if period == "weekly":
            week = rs.index.to_period("W-FRI")
            rs = rs.groupby(week).last()
            # a week is dated with the last date of the whole input inside it
            all_week = bench.index.to_period("W-FRI")
            labels = pd.Series(bench.index, index=bench.index).groupby(all_week).max()
            rs.index = pd.DatetimeIndex(labels.loc[rs.index].to_numpy())
        v = rs.to_numpy()
        sm = np.full(len(v), np.nan)
        if len(v) >= smoothing:
            a = 2.0 / (smoothing + 1)
            e = v[:smoothing].mean()
            sm[smoothing - 1] = e
            for i in range(smoothing, len(v)):
                e = e + a * (v[i] - e)
                sm[i] = e
        sm = pd.Series(sm, index=rs.index).dropna()
        ratio = 100 + (sm - sm.rolling(window).mean()) / sm.rolling(window).std()
        ratio = ratio.dropna()
        roc = (100 * (ratio / ratio.shift(lag) - 1)).dropna()
        mom = 100 + (roc - roc.rolling(mwindow).mean()) / roc.rolling(mwindow).std()
        out["ratio"][t] = ratio
        out["momentum"][t] = mom.dropna()
    return {k: pd.DataFrame(v) for k, v in out.items()}


@pytest.fixture(scope="module")
def sectors(market_data) -> tuple[pd.DataFrame, pd.Series]:
    close = pd.DataFrame({t: _csv(market_data, t) for t in SECTORS}).sort_index()
    spy = _csv(market_data, "SPY")
    start = close.index[0]
    return close, spy.loc[start:]


@pytest.mark.parametrize("period", ["weekly", "daily"])
def test_sector_points_match_independent_formula(sectors, period: str) -> None:
    close, spy = sectors
    frame = close.join(spy.rename("SPY"), how="outer")
    for day in DATES:
        cut = frame.loc[:day]
        res = rrg(cut, "SPY", period=period, tail=6)
        exp = _oracle(cut[SECTORS], cut["SPY"].dropna(), period)
        for p in res.points:
            r = exp["ratio"][p.ticker].dropna()
            m = exp["momentum"][p.ticker].dropna()
            if m.empty:
                assert p.quadrant is None
                continue
            assert p.date == m.index[-1], (day, p.ticker)
            assert p.rs_ratio == pytest.approx(r.loc[p.date], rel=1e-9, abs=1e-9)
            assert p.rs_momentum == pytest.approx(m.iloc[-1], rel=1e-9, abs=1e-9)
            assert p.quadrant == quadrant_of(r.loc[p.date], m.iloc[-1])
            assert [tp.date for tp in p.tail] == list(m.index[-6:])
            np.testing.assert_allclose([tp.rs_momentum for tp in p.tail], m.iloc[-6:],
                                       rtol=1e-9)
            # since: the first period of the current unbroken run in the quadrant
            rr, mm = r.loc[m.index].to_numpy(), m.to_numpy()
            q = pd.Series(np.select([(rr >= 100) & (mm >= 100), rr >= 100, mm < 100],
                                    ["leading", "weakening", "lagging"], "improving"),
                          index=m.index)
            run_start = q.index[(q != q.shift()).to_numpy()][-1]
            assert p.since == run_start, (day, p.ticker)


def test_weekly_points_are_week_ends(sectors) -> None:
    close, spy = sectors
    frame = close.join(spy.rename("SPY"), how="outer").loc[:"2024-12-31"]
    res = rrg(frame, "SPY")
    idx = res.rs.index
    assert (idx.to_period("W-FRI").value_counts() == 1).all()
    # 2024-07-04 week ends on Friday 2024-07-05; Good Friday week 2024-03-29 on Thursday
    assert pd.Timestamp("2024-07-05") in idx and pd.Timestamp("2024-03-28") in idx
    tr = res.transitions
    assert set(tr["from_quadrant"]) <= set(QUADRANTS) and (tr["from_quadrant"] !=
                                                           tr["to_quadrant"]).all()
    # a clockwise rotation is the most common change (improving -> leading -> ...)
    nxt = {q: QUADRANTS[(i + 1) % 4] for i, q in enumerate(QUADRANTS)}
    assert (tr["to_quadrant"] == tr["from_quadrant"].map(nxt)).mean() > 0.5


def test_since_and_transitions_agree(sectors) -> None:
    close, spy = sectors
    frame = close.join(spy.rename("SPY"), how="outer")
    res = rrg(frame, "SPY")
    for p in res.points:
        tr = res.transitions[res.transitions["ticker"] == p.ticker]
        assert tr["to_quadrant"].iloc[-1] == p.quadrant
        assert tr["date"].iloc[-1] == p.since


def _random_close(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    r = rng.normal(0, 0.01, (n, 4))
    r[:, 1] += 0.004 * np.sin(np.arange(n) / 15)
    a = 100 * np.exp(np.cumsum(r, axis=0))
    a[rng.random(a.shape) < 0.03] = np.nan
    a[:, 0] = 100 * np.exp(np.cumsum(rng.normal(0, 0.008, n)))  # the benchmark is complete
    idx = pd.bdate_range("2020-01-01", periods=n)
    return pd.DataFrame(a, index=idx, columns=["B", "X", "Y", "Z"])


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**31 - 1), st.integers(min_value=60, max_value=299),
       st.sampled_from(["daily", "weekly"]))
def test_truncating_never_changes_earlier_points(seed: int, cut: int, period: str) -> None:
    close = _random_close(seed, 300)
    kw = {"period": period, "smoothing": 3, "window": 6, "momentum_lag": 2,
          "momentum_window": 5}
    full = rrg(close, "B", **kw)
    part = rrg(close.iloc[:cut], "B", **kw)
    if period == "daily":
        keep = part.rs.index
    else:  # the last week of the cut data may be unfinished
        last_week = close.index[cut - 1].to_period("W-FRI")
        keep = part.rs.index[part.rs.index.to_period("W-FRI") < last_week]
    for name in ("rs", "rs_ratio", "rs_momentum"):
        pd.testing.assert_frame_equal(getattr(part, name).loc[keep],
                                      getattr(full, name).loc[keep])
    pd.testing.assert_frame_equal(part.quadrant.loc[keep], full.quadrant.loc[keep])
    # the as-of keyword is the same as cutting the data
    asof = rrg(close, "B", as_of=close.index[cut - 1], **kw)
    pd.testing.assert_frame_equal(asof.rs_momentum, part.rs_momentum)


def test_rolling_zscore_matches_pandas() -> None:
    rng = np.random.default_rng(3)
    s = pd.Series(rng.normal(size=200), index=pd.bdate_range("2024-01-01", periods=200))
    s.iloc[[5, 50, 51, 120]] = np.nan
    exp = ((s.dropna() - s.dropna().rolling(10).mean()) / s.dropna().rolling(10).std())
    pd.testing.assert_series_equal(rolling_zscore(s, 10), exp.reindex(s.index),
                                   check_names=False, rtol=1e-12)
    flat = pd.Series(1.0, index=s.index)
    assert rolling_zscore(flat, 5).isna().all()  # zero std: undefined, not inf


def test_quadrants_and_errors() -> None:
    assert quadrant_of(100.0, 100.0) == "leading"
    assert quadrant_of(100.0, 99.99) == "weakening"
    assert quadrant_of(99.99, 99.99) == "lagging"
    assert quadrant_of(99.99, 100.0) == "improving"
    close = _random_close(1, 200)
    with pytest.raises(ParameterError, match="benchmark 'SPY'"):
        rrg(close)
    with pytest.raises(ParameterError, match="'period'"):
        rrg(close, "B", period="monthly")
    with pytest.raises(ParameterError, match="no column for NOPE"):
        rrg(close, "B", tickers=["X", "NOPE"])
    with pytest.raises(ParameterTypeError):
        rrg(close["X"], "B")
    res = rrg(close, close["B"].rename("BENCH"), tickers=["X"], period="daily")
    assert res.benchmark == "BENCH" and [p.ticker for p in res.points] == ["X"]
    short = rrg(close.iloc[:20], "B")
    assert all(p.quadrant is None and p.tail == () for p in short.points)
    doc = res.to_dict()
    assert set(doc["points"][0]) >= {"ticker", "rs_ratio", "rs_momentum", "quadrant", "tail",
                                     "since"}
