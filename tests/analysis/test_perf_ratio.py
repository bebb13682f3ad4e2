"""perf and ratio figures on real data equal an independent pandas computation (1e-9)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rotascope.analysis.perf import perf
from rotascope.analysis.ratio import parse_pair, ratio_status
from rotascope.data.store import Store
from rotascope.errors import NoDataError, ParameterError

DATES = ["2020-03-23", "2022-10-12", "2024-06-28", "2025-04-08", "2026-07-13", "2026-07-14"]
ROWS = {"1w": 5, "1m": 21, "3m": 63, "6m": 126, "1y": 252}


def _csv(market_data, ticker: str) -> pd.Series:
    df = pd.read_csv(market_data / "prices" / f"{ticker}.csv", parse_dates=["Date"])
    return df.set_index("Date")["Close"]


def _expected_return(s: pd.Series, as_of: pd.Timestamp, window: str) -> float:
    s = s.loc[:as_of]
    if window == "ytd":
        prev = s[s.index.year == s.index[-1].year - 1]
        return s.iloc[-1] / prev.iloc[-1] - 1 if len(prev) else np.nan
    k = ROWS[window]
    return s.iloc[-1] / s.iloc[-1 - k] - 1 if len(s) > k else np.nan


@pytest.mark.parametrize("as_of", DATES)
def test_perf_matches_pandas(loaded_store, market_data, as_of: str) -> None:
    tickers = ["SPY", "MAGS", "AAPL", "IWM", "^TNX", "IBIT"]
    day = pd.Timestamp(as_of)
    with Store(loaded_store.store_path, read_only=True) as store:
        have = [t for t in tickers if store.coverage([t]).loc[t, "first_date"] <= day]
        close = store.close_matrix(have, end=day)
    table = perf(close, ["1w", "1m", "3m", "6m", "ytd", "1y"], as_of=day)
    for t in have:
        s = _csv(market_data, t)
        for w in table.windows:
            expected = _expected_return(s, day, w)
            got = table.returns.loc[t, w]
            if np.isnan(expected):
                assert np.isnan(got), (t, w)
            else:
                assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), (t, w)
    first = have[0]
    for other in have[1:]:
        for w in table.windows:
            exp = table.returns.loc[first, w] - table.returns.loc[other, w]
            assert table.spreads.loc[other, w] == pytest.approx(exp, nan_ok=True)


def test_perf_stale_policy() -> None:
    idx = pd.bdate_range("2024-01-01", periods=60)
    close = pd.DataFrame({"A": np.linspace(1, 2, 60), "B": np.linspace(1, 2, 60)}, index=idx)
    close.loc[idx[-20]:, "B"] = np.nan  # B stopped 4 weeks earlier
    table = perf(close, ["1w"])
    assert np.isnan(table.returns.loc["B", "1w"])
    assert any("B: last close" in w and "not used" in w for w in table.warnings)
    close.loc[idx[-1], "A"] = np.nan  # A one day stale: used, with a warning
    table = perf(close, ["1w"], as_of=idx[-1])
    want = close["A"].iloc[-2] / close["A"].iloc[-7] - 1
    assert table.returns.loc["A", "1w"] == pytest.approx(want)
    assert any(w.startswith("A: measured at its last close") for w in table.warnings)


def _expected_ratio(market_data, a: str, b: str, day: pd.Timestamp) -> dict:
    r = (_csv(market_data, a) / _csv(market_data, b)).dropna().loc[:day]
    v = r.iloc[-1]
    prior = r.iloc[:-1]
    low_n = high_n = 0
    for n in range(1, 25):
        w = prior.iloc[-21 * n:]
        if len(prior) < 21 * n:
            break
        if low_n == n - 1 and (v < w).all():
            low_n = n
        if high_n == n - 1 and (v > w).all():
            high_n = n
    at_or_below = prior[prior <= v]
    at_or_above = prior[prior >= v]
    return {
        "value": v,
        "change_1m": v / r.iloc[-22] - 1, "change_3m": v / r.iloc[-64] - 1,
        "change_6m": v / r.iloc[-127] - 1,
        "pct_vs_sma50": v / r.iloc[-50:].mean() - 1, "pct_vs_sma200": v / r.iloc[-200:].mean() - 1,
        "lowest_in_months": low_n, "highest_in_months": high_n,
        "lowest_since": at_or_below.index[-1].strftime("%Y-%m-%d") if len(at_or_below) else None,
        "highest_since": at_or_above.index[-1].strftime("%Y-%m-%d") if len(at_or_above) else None,
    }


@pytest.mark.parametrize("pair", ["MAGS/SPY", "XMAG/MAGS", "RSP/SPY", "QQQ/IWM", "SPY/ACWX",
                                  "HYG/IEF"])
@pytest.mark.parametrize("as_of", ["2024-06-28", "2025-04-08", "2026-07-14"])
def test_ratio_matches_pandas(loaded_store, market_data, pair: str, as_of: str) -> None:
    a, b = parse_pair(pair)
    day = pd.Timestamp(as_of)
    with Store(loaded_store.store_path, read_only=True) as store:
        close = store.close_matrix([a, b], end=day)
    common = (_csv(market_data, a) / _csv(market_data, b)).dropna().loc[:day]
    if len(common) < 200:  # e.g. XMAG listed in late 2024: no honest ratio yet
        if len(common) == 0:
            with pytest.raises(NoDataError, match=f"{a}/{b}"):
                ratio_status(close, a, b, as_of=day)
        return
    got = ratio_status(close, a, b, as_of=day).to_dict()
    expected = _expected_ratio(market_data, a, b, day)
    assert set(got) == {"as_of", "numerator", "denominator", *expected}
    for key, value in expected.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-9), key
        else:
            assert got[key] == value, key


def test_ratio_errors() -> None:
    with pytest.raises(ParameterError, match="A/B"):
        parse_pair("MAGS")
    idx = pd.bdate_range("2024-01-01", periods=30)
    close = pd.DataFrame({"A": 1.0, "B": np.nan}, index=idx)
    with pytest.raises(NoDataError, match="A/B"):
        ratio_status(close, "A", "B")
