"""Fixtures for the text tests: fixture texts, and a plain-pandas oracle on the CSVs.

The oracle reads ``../shared/market-data/prices/<TICKER>.csv`` with ``pandas.read_csv``
and computes every figure the claim checker computes, with plain pandas and no
rotascope code, so the expected verdicts are independent of the implementation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

TEXTS = Path(__file__).resolve().parents[1] / "fixtures" / "texts"


class Oracle:
    """Plain-pandas computations on the real CSV files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, pd.Series] = {}

    def close(self, ticker: str, end: str | pd.Timestamp | None = None) -> pd.Series:
        if ticker not in self._cache:
            df = pd.read_csv(self.root / "prices" / f"{ticker}.csv", parse_dates=["Date"])
            self._cache[ticker] = df.set_index("Date")["Close"].astype(float)
        s = self._cache[ticker]
        return s if end is None else s.loc[:pd.Timestamp(end)]

    # -- returns ------------------------------------------------------------------
    def day_return(self, ticker: str, day: str) -> float:
        s = self.close(ticker, day)
        assert s.index[-1] == pd.Timestamp(day)
        return s.iloc[-1] / s.iloc[-2] - 1

    def rows_return(self, ticker: str, end: str, rows: int) -> float:
        s = self.close(ticker, end)
        return s.iloc[-1] / s.iloc[-1 - rows] - 1

    def ytd(self, ticker: str, end: str) -> float:
        s = self.close(ticker, end)
        prev = s[s.index.year < s.index[-1].year]
        return s.iloc[-1] / prev.iloc[-1] - 1

    def period_return(self, ticker: str, first_day: str, last_day: str) -> float:
        """Close on the last trading day <= last_day over the last close < first_day."""
        s = self.close(ticker)
        base = s[s.index < pd.Timestamp(first_day)].iloc[-1]
        end = s[s.index <= pd.Timestamp(last_day)].iloc[-1]
        return end / base - 1

    def worst_decline(self, ticker: str, end: str, rows: int) -> float:
        w = self.close(ticker, end).iloc[-rows - 1:].to_numpy()
        return min(w[j] / w[i] - 1 for i in range(len(w)) for j in range(i, len(w)))

    def from_high(self, ticker: str, end: str, rows: int | None) -> float:
        s = self.close(ticker, end)
        peak = s.max() if rows is None else s.iloc[-rows:].max()
        return s.iloc[-1] / peak - 1

    # -- averages, RSI, extremes -------------------------------------------------------
    def pct_vs_sma(self, ticker: str, end: str, n: int) -> float:
        s = self.close(ticker, end)
        return s.iloc[-1] / s.iloc[-n:].mean() - 1

    def sma_slope(self, ticker: str, end: str, n: int, k: int = 20) -> float:
        s = self.close(ticker, end)
        sma = s.rolling(n).mean()
        return sma.iloc[-1] / sma.iloc[-1 - k] - 1

    def rsi(self, ticker: str, end: str, n: int = 14) -> pd.Series:
        s = self.close(ticker, end)
        d = s.diff().iloc[1:]
        gain, loss = d.clip(lower=0).to_numpy(), (-d).clip(lower=0).to_numpy()
        ag, al = gain[:n].mean(), loss[:n].mean()
        out = [100 * ag / (ag + al)]
        for g, lo in zip(gain[n:], loss[n:], strict=True):
            ag = (ag * (n - 1) + g) / n
            al = (al * (n - 1) + lo) / n
            out.append(100 * ag / (ag + al))
        return pd.Series(out, index=d.index[n - 1:])

    def ratio(self, a: str, b: str, end: str) -> pd.Series:
        both = pd.concat([self.close(a, end), self.close(b, end)], axis=1, join="inner")
        return both.iloc[:, 0] / both.iloc[:, 1]

    @staticmethod
    def rows_beyond(series: pd.Series, side: str) -> int:
        """Rows before the last one that are strictly worse than it, counted back."""
        v = series.iloc[-1]
        n = 0
        for x in series.iloc[-2::-1]:
            if (side == "low" and x > v) or (side == "high" and x < v):
                n += 1
            else:
                break
        return n

    @staticmethod
    def last_at_or_beyond(series: pd.Series, side: str) -> pd.Timestamp | None:
        v = series.iloc[-1]
        earlier = series.iloc[:-1]
        hit = earlier[earlier <= v] if side == "low" else earlier[earlier >= v]
        return None if hit.empty else hit.index[-1]

    def breadth(self, day: str, n: int, members: list[str]) -> tuple[int, int]:
        """(above, counted) over members with a close on ``day`` and n closes up to it."""
        above = counted = 0
        d = pd.Timestamp(day)
        for t in members:
            path = self.root / "prices" / f"{t}.csv"
            if not path.exists():
                continue
            s = self.close(t, d)
            if len(s) < n or s.index[-1] != d:
                continue
            counted += 1
            above += int(s.iloc[-1] > s.iloc[-n:].mean())
        return above, counted

    def sp500_members(self, day: str) -> list[str]:
        """Today's list with the changes after ``day`` undone (README recipe)."""
        cons = pd.read_csv(self.root / "constituents" / "sp500.csv")
        members = set(cons["Symbol"].str.replace(".", "-", regex=False))
        ch = pd.read_csv(self.root / "constituents" / "sp500_changes.csv", parse_dates=["date"])
        for _, row in ch[ch["date"] > pd.Timestamp(day)].sort_values(
                "date", ascending=False).iterrows():
            sym = row["symbol"].replace(".", "-")
            if row["action"] == "added":
                members.discard(sym)
            else:
                members.add(sym)
        return sorted(members)


def expected_verdict(computed: float, stated: float, holds: float, roughly: float,
                     qualifier: str | None = None) -> str:
    """The documented tolerance rule, written out independently of rotascope."""
    if qualifier == "over":
        x, y = (computed, stated) if stated >= 0 else (-computed, -stated)
        return "holds" if x >= y else ("roughly" if x >= y - roughly else "does not hold")
    if qualifier == "under":
        x, y = (computed, stated) if stated >= 0 else (-computed, -stated)
        return "holds" if x <= y else ("roughly" if x <= y + roughly else "does not hold")
    d = abs(computed - stated)
    if qualifier == "about":
        holds *= 2
    if qualifier == "nearly":
        x, y = (computed, stated) if stated >= 0 else (-computed, -stated)
        if y - 2 * holds <= x <= y + holds / 2:
            return "holds"
        return "roughly" if d <= roughly else "does not hold"
    return "holds" if d <= holds else ("roughly" if d <= roughly else "does not hold")


def change_tolerance(stated: float, one_day: bool = False) -> tuple[float, float]:
    s = abs(stated)
    if one_day:
        return max(0.0025, 0.03 * s), max(0.0075, 0.10 * s)
    return max(0.005, 0.03 * s), max(0.02, 0.10 * s)


@pytest.fixture(scope="session")
def oracle(market_data: Path) -> Oracle:
    return Oracle(market_data)


@pytest.fixture(scope="session")
def texts() -> Path:
    return TEXTS


@pytest.fixture(scope="session")
def store(loaded_store):
    """A read-only Store on the session's fully loaded home."""
    from rotascope.data.store import Store

    s = Store(loaded_store.store_path, read_only=True)
    yield s
    s.close()


__all__ = ["Oracle", "expected_verdict", "change_tolerance", "np"]
