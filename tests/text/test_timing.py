"""Timing and sequence claims: "X peaked first", "weakest since early September", "the
best two-week stretch since 2020", checked against pandas computations on the CSVs."""

from __future__ import annotations

import pandas as pd
import pytest

from rotascope.text.claims.verify import check_text

DAY = "2025-11-21"
TEXT = ("Bitcoin peaked first, weeks before the chip stocks topped.\n\n"
        "Nvidia peaked a month before Tesla.\n\n"
        "Bitcoin bottomed first.\n\n"
        "Nvidia had its best two-week stretch since 2020.\n\n"
        "Bitcoin closed at its weakest level since early April.\n\n"
        "The S&P 500 had its worst week since mid-March.")


class _ByStart(dict):
    """Results keyed by quote; a key matches the quote it starts."""

    def __getitem__(self, key: str):
        return next(v for k, v in self.items() if k.startswith(key))


@pytest.fixture(scope="module")
def rows(store):
    rep = check_text(TEXT, store, as_of=DAY)
    return _ByStart({r.claim.quote: r for r in rep.claims})


def _peak(oracle, t: str, side: str = "high", n: int = 126) -> pd.Timestamp:
    x = oracle.close(t, DAY).iloc[-n:]
    return x.idxmax() if side == "high" else x.idxmin()


def test_peaked_first_and_gap(rows, oracle) -> None:
    r = rows["Bitcoin peaked first"]
    assert r.claim.tickers == ["IBIT", "SMH"] and r.claim.kind == "sequence"
    a, b = _peak(oracle, "IBIT"), _peak(oracle, "SMH")
    assert r.computed["first"] == f"{a:%Y-%m-%d}" and r.computed["second"] == f"{b:%Y-%m-%d}"
    assert r.verdict == ("holds" if a < b else "does not hold")
    r = rows["Nvidia peaked a month before Tesla"]
    a, b = _peak(oracle, "NVDA"), _peak(oracle, "TSLA")
    cal = oracle.close("NVDA", DAY).index
    apart = abs(cal.searchsorted(b) - cal.searchsorted(a))
    want = "does not hold" if a >= b else "roughly" if abs(apart - 21) > 10.5 else "holds"
    assert r.verdict == want and r.computed["sessions_apart"] == apart
    # "first" with nothing to compare with cannot be checked, and says why.
    r = rows["Bitcoin bottomed first"]
    assert r.verdict == "cannot check" and "compared with what" in r.reason


def _last_at_or_beyond(s: pd.Series, side: str) -> pd.Timestamp | None:
    v, earlier = s.iloc[-1], s.iloc[:-1]
    hit = earlier[earlier <= v] if side == "low" else earlier[earlier >= v]
    return None if hit.empty else hit.index[-1]


def _since_verdict(last: pd.Timestamp | None, lo: str, hi: str) -> str:
    if last is None or last < pd.Timestamp(lo):
        return "roughly"
    return "holds" if last <= pd.Timestamp(hi) else "does not hold"


def test_stretch_and_vague_since(rows, oracle) -> None:
    nvda = oracle.close("NVDA", DAY)
    two_week = (nvda / nvda.shift(10) - 1).dropna()
    r = rows["Nvidia had its best two-week stretch since 2020"]
    assert r.computed["value"] == pytest.approx(two_week.iloc[-1])
    assert r.verdict == _since_verdict(_last_at_or_beyond(two_week, "high"),
                                       "2020-01-01", "2020-12-31")
    ibit = oracle.close("IBIT", DAY)
    r = rows["Bitcoin closed at its weakest level since early April"]
    last = _last_at_or_beyond(ibit, "low")
    assert r.computed["last_at_or_beyond"] == (None if last is None else f"{last:%Y-%m-%d}")
    assert r.verdict == _since_verdict(last, "2025-04-01", "2025-04-10")
    spy = oracle.close("SPY", DAY)
    week = (spy / spy.shift(5) - 1).dropna()
    r = rows["S&P 500 had its worst week since mid-March"]
    assert r.verdict == _since_verdict(_last_at_or_beyond(week, "low"),
                                       "2025-03-11", "2025-03-20")


def test_first_close_below_the_200_day_since(store, oracle) -> None:
    # Independent: the close against the mean of the last 200 closes, in pandas.
    spy = oracle.close("SPY", "2026-07-14")
    below = (spy < spy.rolling(200).mean())[spy.rolling(200).count() == 200]
    first_days = below & ~below.shift(1, fill_value=True)
    day = first_days[first_days].index[-1]
    earlier = below.loc[:day].iloc[:-1]
    last = earlier[earlier].index[-1]
    text = (f"The S&P 500 posted its first close below its 200-day moving average since "
            f"{last:%B %Y}. It was the first close below the 200-day since 1999.")
    rep = check_text(text, store, as_of=f"{day:%Y-%m-%d}")
    a, b = rep.claims
    assert a.claim.kind == "moving_average" and a.verdict == "holds", a.reason
    assert a.computed["last_on_side"] == f"{last:%Y-%m-%d}"
    assert b.verdict == "does not hold"          # it was below as recently as `last`
    # The day after, it is no longer a first close.
    nxt = below.index[below.index.get_loc(day) + 1]
    if below.loc[nxt]:
        rep = check_text(text.split(". ")[0] + ".", store, as_of=f"{nxt:%Y-%m-%d}")
        assert rep.claims[0].verdict == "does not hold" and "not a first" in rep.claims[0].reason


def test_points_more_than_is_an_outperformance(store, oracle) -> None:
    rep = check_text("Over the past three months, small caps have returned 16%, 4 points "
                     "more than the S&P 500.", store, as_of="2025-09-19")
    r = [x for x in rep.claims if x.claim.kind == "outperformance"][0]
    assert r.claim.tickers == ["IWM", "SPY"] and r.claim.stated == pytest.approx(0.04)
    want = (oracle.rows_return("IWM", "2025-09-19", 63)
            - oracle.rows_return("SPY", "2025-09-19", 63))
    assert r.computed["difference"] == pytest.approx(want)
