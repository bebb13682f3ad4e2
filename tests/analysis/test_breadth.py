"""Breadth on real data equals an independent pandas computation from the CSV files.

The oracle reads every member's price file and the constituents files directly (not
the store), rebuilds point-in-time membership by undoing the change events after each
date, and counts with plain pandas rolling windows per ticker.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rotascope.analysis.breadth import (
    BreadthReport,
    breadth_history,
    breadth_report,
    participation,
    participation_label,
)
from rotascope.data.store import Store
from rotascope.errors import MisalignedIndexError, ParameterError, ParameterTypeError
from rotascope.market_view import MarketView

DATES = ["2023-03-15", "2024-06-28", "2025-04-08", "2025-11-20", "2026-07-13"]
WINDOWS = (20, 50, 200)
TIE = 1e-12


def _norm(sym: str) -> str:
    return sym.strip().upper().replace(".", "-")


@pytest.fixture(scope="module")
def csv_close(market_data) -> pd.DataFrame:
    """Closes of every current or former S&P 500 member that has a price file."""
    today = pd.read_csv(market_data / "constituents" / "sp500.csv")["Symbol"].map(_norm)
    ev = pd.read_csv(market_data / "constituents" / "sp500_changes.csv")
    names = sorted(set(today) | set(ev["symbol"].map(_norm)))
    series = {}
    for t in names:
        path = market_data / "prices" / f"{t}.csv"
        if path.exists():
            s = pd.read_csv(path, parse_dates=["Date"]).set_index("Date")["Close"]
            series[t] = s.astype(float)
    return pd.DataFrame(series).sort_index()


@pytest.fixture(scope="module")
def pit_mask(market_data, csv_close) -> pd.DataFrame:
    """Membership on each date: today's list with every event dated after it undone."""
    today = set(pd.read_csv(market_data / "constituents" / "sp500.csv")["Symbol"].map(_norm))
    ev = pd.read_csv(market_data / "constituents" / "sp500_changes.csv", parse_dates=["date"])
    ev["symbol"] = ev["symbol"].map(_norm)
    index = csv_close.index
    mask = pd.DataFrame(False, index=index, columns=csv_close.columns)
    state = set(today)
    upper = None  # dates >= each event date until the next one get the state after it
    for day in sorted(ev["date"].unique(), reverse=True):
        rows = (index >= day) if upper is None else ((index >= day) & (index < upper))
        cols = [t for t in state if t in mask.columns]
        mask.loc[rows, cols] = True
        for e in ev[ev["date"] == day].itertuples():
            if e.action == "added":
                state.discard(e.symbol)
            else:
                state.add(e.symbol)
        upper = day
    cols = [t for t in state if t in mask.columns]
    mask.loc[index < upper, cols] = True
    return mask


def _oracle_counts(close: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """Per-date breadth counts by plain pandas, one ticker at a time."""
    out = {k: np.zeros(len(close), dtype=np.int64) for k in (
        "with_close", *[f"counted_{w}" for w in WINDOWS], *[f"above_sma_{w}" for w in WINDOWS],
        "counted_high_low", "new_highs", "new_lows", "counted_advance_decline", "advances",
        "declines", "unchanged")}
    for t in close.columns:
        s = close[t].dropna()
        m = mask[t].reindex(s.index).to_numpy()
        pos = close.index.get_indexer(s.index)
        out["with_close"][pos[m]] += 1
        for w in WINDOWS:
            sma = s.rolling(w).mean()
            ok = m & sma.notna().to_numpy()
            out[f"counted_{w}"][pos[ok]] += 1
            above = ok & ((s - sma) > TIE * sma.abs()).to_numpy()
            out[f"above_sma_{w}"][pos[above]] += 1
        prev_max = s.shift(1).rolling(252).max()
        prev_min = s.shift(1).rolling(252).min()
        ok = m & prev_max.notna().to_numpy()
        out["counted_high_low"][pos[ok]] += 1
        out["new_highs"][pos[ok & (s > prev_max).to_numpy()]] += 1
        out["new_lows"][pos[ok & (s < prev_min).to_numpy()]] += 1
        prev = s.shift(1)
        ok = m & prev.notna().to_numpy()
        out["counted_advance_decline"][pos[ok]] += 1
        out["advances"][pos[ok & (s > prev).to_numpy()]] += 1
        out["declines"][pos[ok & (s < prev).to_numpy()]] += 1
        out["unchanged"][pos[ok & (s == prev).to_numpy()]] += 1
    return pd.DataFrame(out, index=close.index)


def _ema_talib(x: pd.Series, n: int) -> pd.Series:
    """EMA seeded with the mean of the first n valid values, skipping NaN rows."""
    v = x.dropna()
    out = pd.Series(np.nan, index=v.index)
    if len(v) >= n:
        a = 2.0 / (n + 1)
        e = v.iloc[:n].mean()
        out.iloc[n - 1] = e
        for i in range(n, len(v)):
            e = e + a * (v.iloc[i] - e)
            out.iloc[i] = e
    return out.reindex(x.index)


@pytest.fixture(scope="module")
def store_data(loaded_store, csv_close):
    """Closes and point-in-time mask as the library loads them from the store."""
    from rotascope.data.universes import membership_mask

    with Store(loaded_store.store_path, read_only=True) as store:
        have = set(store.tickers())
        tickers = [t for t in csv_close.columns if t in have]
        close = store.close_matrix(tickers, end=DATES[-1])
        mask = membership_mask(store, "sp500", close.index, tickers)
    return close, mask


@pytest.mark.parametrize("membership", ["point_in_time", "current"])
def test_breadth_history_matches_pandas(store_data, csv_close, pit_mask, market_data,
                                        membership) -> None:
    close, store_mask = store_data
    csv = csv_close.loc[: DATES[-1], close.columns]
    assert csv.index.equals(close.index)
    np.testing.assert_array_equal(csv.to_numpy(), close.to_numpy())
    if membership == "point_in_time":
        oracle_mask = pit_mask.loc[close.index, close.columns]
        # the store's membership equals the one rebuilt from the CSV files
        np.testing.assert_array_equal(store_mask.to_numpy(), oracle_mask.to_numpy())
        mask = store_mask
    else:
        today = set(pd.read_csv(market_data / "constituents" / "sp500.csv")["Symbol"]
                    .map(_norm))
        oracle_mask = pd.DataFrame(np.broadcast_to(close.columns.isin(list(today)),
                                                   close.shape).copy(),
                                   index=close.index, columns=close.columns)
        mask = oracle_mask
    got = breadth_history(close, members=mask)
    exp = _oracle_counts(csv, oracle_mask)
    days = pd.to_datetime(DATES)
    for col in exp.columns:
        np.testing.assert_array_equal(got.loc[days, col].to_numpy(), exp.loc[days, col]
                                      .to_numpy(), err_msg=col)
    # whole history of the cheap columns
    for col in ("with_close", "advances", "declines", "counted_high_low", "new_highs"):
        np.testing.assert_array_equal(got[col].to_numpy(), exp[col].to_numpy(), err_msg=col)
    assert (got["members"].to_numpy() == oracle_mask.sum(axis=1).to_numpy()).all()
    for w in WINDOWS:
        share = exp[f"above_sma_{w}"] / exp[f"counted_{w}"].where(exp[f"counted_{w}"] > 0)
        np.testing.assert_allclose(got[f"pct_above_sma_{w}"].loc[days], share.loc[days])
        assert got[f"pct_above_sma_{w}"].dropna().between(0, 1).all()
    net = exp["advances"] - exp["declines"]
    np.testing.assert_array_equal(got["ad_line"].to_numpy(), net.cumsum().to_numpy())
    both = exp["advances"] + exp["declines"]
    rana = (1000.0 * net / both).where(both > 0)
    osc = _ema_talib(rana, 19) - _ema_talib(rana, 39)
    np.testing.assert_allclose(got["mcclellan_oscillator"].to_numpy(), osc.to_numpy(),
                               rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(got["mcclellan_summation"].to_numpy(),
                               osc.cumsum().to_numpy(), rtol=1e-9, atol=1e-7)


def test_breadth_report_matches_history(loaded_store, pit_mask, csv_close) -> None:
    with Store(loaded_store.store_path, read_only=True) as store:
        rep = breadth_report(MarketView.open(store, loaded_store, as_of="2025-04-08"), "sp500")
    assert isinstance(rep, BreadthReport)
    day = pd.Timestamp("2025-04-08")
    assert rep.as_of == day
    members_csv = set(pit_mask.columns[pit_mask.loc[day].to_numpy()])
    assert rep.members == len(members_csv) + len(rep.members_without_prices)
    # 2025-04-08 is in the crash: the share above the 50-day average is low
    exp = _oracle_counts(csv_close.loc[:day], pit_mask.loc[:day])
    row = exp.loc[day]
    assert rep.counted == {str(w): int(row[f"counted_{w}"]) for w in WINDOWS}
    assert rep.pct_above_sma["50"] == pytest.approx(row["above_sma_50"] / row["counted_50"])
    assert rep.pct_above_sma["50"] < 0.2
    assert (rep.new_highs, rep.new_lows) == (row["new_highs"], row["new_lows"])
    doc = rep.to_dict()
    for key in ("as_of", "universe", "members", "counted", "pct_above_sma", "new_highs",
                "new_lows", "ad_line", "mcclellan_oscillator", "mcclellan_summation",
                "rsp_spy"):
        assert key in doc
    assert set(doc["pct_above_sma"]) == {"20", "50", "200"}
    assert all(0 <= v <= 1 for v in doc["pct_above_sma"].values())
    rsp = doc["rsp_spy"]
    assert rsp["pair"] == "RSP/SPY" and rsp["trend"] in ("rising", "turning up", "flat",
                                                         "turning down", "falling")
    assert [s["days"] for s in rsp["stretches"]] == [5, 10, 21]
    part = doc["participation"]["windows"]["1m"]
    assert part["counted"] > 400 and 0 <= part["up"] <= part["counted"]


def test_missing_close_is_counted_explicitly(loaded_store) -> None:
    # 167 stocks' files end on 2026-07-13: on 2026-07-14 they are members without a close
    with Store(loaded_store.store_path, read_only=True) as store:
        rep = breadth_report(MarketView.open(store, loaded_store, as_of="2026-07-14"), "sp500")
    assert rep.missing_close == 167
    assert rep.counted["20"] <= rep.members - rep.missing_close
    assert any("167 members have no close" in n for n in rep.notes)
    assert set(rep.members_without_prices) >= {"UPS", "GWW"}


# -- synthetic cases -----------------------------------------------------------------------

def _frame(data: dict, start: str = "2024-01-01") -> pd.DataFrame:
    n = len(next(iter(data.values())))
    return pd.DataFrame(data, index=pd.bdate_range(start, periods=n), dtype=float)


def test_flat_run_is_not_above_and_equal_high_is_not_new() -> None:
    close = _frame({"FLAT": [7.3] * 30, "UP": np.arange(30.0) + 1,
                    "TOP": [5.0] + [6.0] * 29})
    h = breadth_history(close, windows=(20,), high_low_window=3)
    # FLAT and TOP (flat after row 20) are never above their average (a tie, whatever
    # the float noise of the running sum); UP always is once counted
    assert h["above_sma_20"].iloc[19:].tolist() == [2] + [1] * 10
    assert h["counted_20"].iloc[19:].tolist() == [3] * 11
    # TOP equals its old high, which is not a new high; UP makes one every day
    assert h["new_highs"].iloc[3:].tolist() == [1] * 27
    assert h["new_lows"].iloc[3:].sum() == 0


def test_mask_alignment_and_types() -> None:
    close = _frame({"A": [1.0, 2, 3], "B": [3.0, 2, 1]})
    mask = pd.DataFrame(True, index=close.index, columns=["A"])
    with pytest.raises(MisalignedIndexError, match="no column for 1 tickers"):
        breadth_history(close, members=mask)
    short = pd.DataFrame(True, index=close.index[:2], columns=["A", "B"])
    with pytest.raises(MisalignedIndexError, match="no rows for 1 dates"):
        breadth_history(close, members=short)
    with pytest.raises(ParameterTypeError, match="booleans"):
        breadth_history(close, members=pd.DataFrame(1, index=close.index, columns=["A", "B"]))
    with pytest.raises(ParameterError, match="repeats"):
        breadth_history(close, windows=(2, 2))
    # extra columns and another column order are fine
    wide = pd.DataFrame({"B": [True, False, True], "A": True, "C": False}, index=close.index)
    h = breadth_history(close, members=wide, windows=(1,), high_low_window=1)
    assert h["members"].tolist() == [2, 1, 2]
    assert h["advances"].tolist() == [0, 1, 1] and h["declines"].tolist() == [0, 0, 1]


def test_non_members_and_missing_rows_are_not_counted() -> None:
    close = _frame({"A": [1.0, np.nan, 3.0, 4.0], "B": [2.0, 1.0, np.nan, 0.5]})
    mask = pd.DataFrame({"A": [True, True, True, False], "B": True}, index=close.index)
    h = breadth_history(close, members=mask, windows=(2,), high_low_window=1)
    assert h["members"].tolist() == [2, 2, 2, 1]
    assert h["with_close"].tolist() == [2, 1, 1, 1]
    # A on row 2 compares with its own previous close (row 0): an advance
    assert h["advances"].tolist() == [0, 0, 1, 0]
    assert h["declines"].tolist() == [0, 1, 0, 1]
    assert h["counted_2"].tolist() == [0, 1, 1, 1]


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=2**31 - 1), st.integers(min_value=5, max_value=119))
def test_breadth_history_is_causal(seed: int, cut: int) -> None:
    rng = np.random.default_rng(seed)
    a = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, (120, 6)), axis=0))
    a[rng.random(a.shape) < 0.1] = np.nan
    close = pd.DataFrame(np.round(a, 2), index=pd.bdate_range("2024-01-01", periods=120))
    mask = pd.DataFrame(rng.random(a.shape) < 0.8, index=close.index, columns=close.columns)
    full = breadth_history(close, members=mask, windows=(3, 10), high_low_window=15)
    part = breadth_history(close.iloc[:cut], members=mask.iloc[:cut], windows=(3, 10),
                           high_low_window=15)
    pd.testing.assert_frame_equal(part, full.iloc[:cut])


def test_participation_labels_and_counts() -> None:
    assert participation_label(0.42, 0.03) == "narrow advance"
    assert participation_label(0.65, 0.01) == "broad advance"
    assert participation_label(0.55, -0.02) == "resilient majority"
    assert participation_label(0.3, -0.05) == "broad decline"
    assert participation_label(np.nan, 0.1) is None
    idx = pd.bdate_range("2024-01-01", periods=30)
    t = np.arange(30.0)
    close = pd.DataFrame({"IDX": 100 + t, "A": 100 + t, "B": 100 - t, "C": 100 + 2 * t,
                          "L": 100 + 3 * t}, index=idx)
    p = participation(close, ["A", "B", "C", "NOPRICE"], index="IDX", leaders=["L"],
                      windows=("1w",))
    assert (p.up["1w"], p.counted["1w"]) == (2, 3)
    assert p.index_return["1w"] == pytest.approx(129 / 124 - 1)
    assert p.leaders_return["1w"] == pytest.approx(187 / 172 - 1)
    assert p.label["1w"] == "broad advance"
    assert p.text[0].startswith("1w: 2 of 3 members (67%) are up while IDX is +4.0%")
