"""Helpers for the alert tests: small stores built from real CSVs or synthetic series."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rotascope.data.model import SeriesData
from rotascope.data.store import Store


def read_close(market_data: Path, ticker: str) -> pd.Series:
    """One ticker's closes straight from ../shared/market-data (independent of the importer)."""
    df = pd.read_csv(market_data / "prices" / f"{ticker}.csv", parse_dates=["Date"])
    return pd.Series(df["Close"].to_numpy(dtype=np.float64), index=pd.DatetimeIndex(
        df["Date"], name="date"), name=ticker)


def series_data(closes: Mapping[str, pd.Series]) -> list[SeriesData]:
    """SeriesData for ``Store.import_series`` (ticker -> Series of closes; NaN rows dropped)."""
    series = []
    for ticker, s in closes.items():
        s = s.dropna()
        frame = pd.DataFrame({"close": s.to_numpy(dtype=np.float64)},
                             index=pd.DatetimeIndex(s.index, name="date"))
        series.append(SeriesData(ticker, frame, "test", f"test:{ticker}",
                                 f"{ticker}:{len(frame)}:{float(frame['close'].sum())!r}"))
    return series


def write_store(path: Path, closes: Mapping[str, pd.Series]) -> Path:
    """Create (or update) a store at ``path`` holding ``closes``."""
    with Store(path) as store:
        store.import_series(series_data(closes))
    return path


def write_rules(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture()
def real_store(tmp_path: Path, market_data: Path) -> Path:
    """A small writable store with a few real series (SPY, RSP, QQQ, IWM, IBIT, MAGS, ^TNX)."""
    tickers = ["SPY", "RSP", "QQQ", "IWM", "IBIT", "MAGS", "^TNX"]
    return write_store(tmp_path / "home" / "store.duckdb",
                       {t: read_close(market_data, t) for t in tickers})
