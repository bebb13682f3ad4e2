"""New highs vs new lows and "participation is broad / narrow": parsed as breadth
claims and checked on the sp500 universe, against counts recomputed here with pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from rotascope.text.claims.verify import check_text

DAY = "2026-07-14"


def _highs_lows(oracle, day: str, n: int = 252) -> tuple[int, int]:
    highs = lows = 0
    d = pd.Timestamp(day)
    for t in oracle.sp500_members(day):
        if not (oracle.root / "prices" / f"{t}.csv").exists():
            continue
        s = oracle.close(t, d)
        if len(s) < n + 1 or s.index[-1] != d:
            continue
        prev = s.iloc[-n - 1:-1]
        highs += int(s.iloc[-1] > prev.max())
        lows += int(s.iloc[-1] < prev.min())
    return highs, lows


HILO = [("New 52-week highs outnumber new lows among S&P 500 stocks.", "highs"),
        ("More S&P 500 stocks hit 52-week lows than highs.", "lows"),
        ("New lows now exceed new highs.", "lows")]
PARTICIPATION = [("Participation is broad.", "broad"),
                 ("It is a rally with narrow participation.", "narrow"),
                 ("Breadth remains very narrow.", "narrow")]


@pytest.fixture(scope="module")
def report(store):
    text = "\n\n".join(t for t, _ in HILO + PARTICIPATION)
    return check_text(text, store, as_of=DAY)


def test_new_highs_vs_new_lows(report, oracle) -> None:
    highs, lows = _highs_lows(oracle, DAY)
    rows = [r for r in report.claims if r.claim.details.get("measure") == "highs_lows"]
    assert [r.claim.quote for r in rows] == [t.rstrip(".").replace(" among S&P 500 stocks", "")
                                             for t, _ in HILO]
    for r, (_, more) in zip(rows, HILO, strict=True):
        assert r.claim.kind == "breadth"
        assert r.computed == {"new_highs": highs, "new_lows": lows}
        a, b = (highs, lows) if more == "highs" else (lows, highs)
        assert r.verdict == ("holds" if a > b else "does not hold")
        assert f"{highs} of" in r.reason and "new 52-week" in r.reason


def test_participation_rule(report, oracle) -> None:
    above, counted = oracle.breadth(DAY, 50, oracle.sp500_members(DAY))
    share = above / counted
    rows = [r for r in report.claims if r.claim.details.get("measure") == "participation"]
    assert len(rows) == len(PARTICIPATION)
    for r, (_, side) in zip(rows, PARTICIPATION, strict=True):
        assert r.computed == pytest.approx(share)
        gap = share - 0.60 if side == "broad" else 0.40 - share
        assert r.verdict == ("holds" if gap > 0 else "roughly" if gap > -0.05
                             else "does not hold")


def test_not_participation_or_counts() -> None:
    from rotascope.text.aliases import load_aliases
    from rotascope.text.claims.patterns import extract_claims
    from rotascope.text.extract import parse_document

    for text in ("Participation could broaden if rates fall.",
                 "New highs in Nvidia drew buyers.", "We want broad participation."):
        claims = extract_claims(parse_document(text), load_aliases())
        assert not [c for c in claims if c.details.get("measure") in (
            "highs_lows", "participation")], text
