"""Independent expected verdicts for the claims corpus, in plain pandas.

Nothing here imports rotascope: every figure is computed from
``../shared/market-data/prices/<TICKER>.csv`` (and ``constituents/`` for breadth) with
pandas, and every verdict from the tolerance rules of ``docs/text.md`` written out again.
The periods are given as explicit dates in ``expected.yaml`` (our own reading of the
text), so the checker's date grammar is tested too.

``score(report_claims, expected)`` matches the checker's claims to the expected ones
(quote fragment + subject ticker [+ second ticker]) and returns found, agreement and
false-positive figures; ``benchmarks/claims.py`` and ``tests/text/test_corpus.py`` both
use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "../shared/market-data"

#: Loose proxies (docs/text.md): tolerances doubled, "holds" reported as "roughly".
LOOSE = {"VGK", "EWJ", "FXI", "USO", "UUP"}
#: Official closes used to scale ETFs to index units (docs/text.md, "Levels").
ANCHORS = {"SPY": ("2024-12-31", 5881.63, 0.01, 0.015),
           "QQQ": ("2024-12-31", 21012.17, 0.01, 0.01),
           "DIA": ("2024-12-31", 42544.22, 0.01, 0.017),
           "IWM": ("2024-12-31", 2230.16, 0.015, 0.015),
           "IBIT": ("2024-12-31", 93429.20, 0.03, 0.003)}
SECTORS = ["XLK", "XLF", "XLE", "XLV", "XLY", "XLP", "XLI", "XLB", "XLU", "XLRE", "XLC"]
MAG7 = ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA"]


class Prices:
    """Closes read with pandas.read_csv, one file per ticker, cached."""

    def __init__(self, root: Path = DATA) -> None:
        self.root = Path(root)
        self._c: dict[str, pd.Series] = {}

    def s(self, t: str, end: str | None = None) -> pd.Series:
        if t not in self._c:
            df = pd.read_csv(self.root / "prices" / f"{t}.csv", parse_dates=["Date"])
            self._c[t] = df.set_index("Date")["Close"].astype(float)
        x = self._c[t]
        return x if end is None else x.loc[:pd.Timestamp(end)]

    def at(self, t: str, d: str) -> float:
        return float(self.s(t, d).iloc[-1])

    def ret(self, t: str, base: str, end: str) -> float:
        return self.at(t, end) / self.at(t, base) - 1

    def rows(self, t: str, end: str, n: int) -> float:
        x = self.s(t, end)
        return float(x.iloc[-1] / x.iloc[-1 - n] - 1)

    def day(self, t: str, d: str) -> float:
        x = self.s(t, d)
        assert x.index[-1] == pd.Timestamp(d), (t, d)
        return float(x.iloc[-1] / x.iloc[-2] - 1)

    def from_high(self, t: str, end: str, n: int | None) -> float:
        x = self.s(t, end)
        peak = x.max() if n is None else x.iloc[-n:].max()
        return float(x.iloc[-1] / peak - 1)

    def worst_decline(self, t: str, end: str, n: int) -> float:
        w = self.s(t, end).iloc[-n - 1:].to_numpy()
        run_max = np.maximum.accumulate(w)
        return float((w / run_max - 1).min())

    def ratio(self, a: str, b: str, end: str) -> pd.Series:
        both = pd.concat([self.s(a, end), self.s(b, end)], axis=1, join="inner").dropna()
        return both.iloc[:, 0] / both.iloc[:, 1]

    def vs_sma(self, t: str, end: str, n: int) -> float:
        x = self.s(t, end)
        return float(x.iloc[-1] / x.iloc[-n:].mean() - 1)

    def sp500_members(self, day: str) -> list[str]:
        cons = pd.read_csv(self.root / "constituents" / "sp500.csv")
        members = set(cons["Symbol"].str.replace(".", "-", regex=False))
        ch = pd.read_csv(self.root / "constituents" / "sp500_changes.csv",
                         parse_dates=["date"])
        for _, row in ch[ch["date"] > pd.Timestamp(day)].sort_values(
                "date", ascending=False).iterrows():
            sym = row["symbol"].replace(".", "-")
            if row["action"] == "added":
                members.discard(sym)
            else:
                members.add(sym)
        return sorted(members)

    def breadth(self, day: str, n: int) -> float:
        above = counted = 0
        d = pd.Timestamp(day)
        for t in self.sp500_members(day):
            if not (self.root / "prices" / f"{t}.csv").exists():
                continue
            x = self.s(t, d)
            if len(x) < n or x.index[-1] != d:
                continue
            counted += 1
            above += int(x.iloc[-1] > x.iloc[-n:].mean())
        return above / counted

    def new_highs_lows(self, day: str, n: int = 252) -> tuple[int, int]:
        highs = lows = 0
        d = pd.Timestamp(day)
        for t in self.sp500_members(day):
            if not (self.root / "prices" / f"{t}.csv").exists():
                continue
            x = self.s(t, d)
            if len(x) < n + 1 or x.index[-1] != d:
                continue
            prev = x.iloc[-n - 1:-1]
            highs += int(x.iloc[-1] > prev.max())
            lows += int(x.iloc[-1] < prev.min())
        return highs, lows


# -- tolerance rules (docs/text.md, written out again) ----------------------------------

def tolerance(kind: str, stated: float) -> tuple[float, float]:
    s = abs(stated)
    if kind == "one_day":
        return max(0.0025, 0.03 * s), max(0.0075, 0.10 * s)
    if kind == "breadth":
        return 0.02, 0.05
    return max(0.005, 0.03 * s), max(0.02, 0.10 * s)


def numeric_verdict(computed: float, stated: float, holds: float, roughly: float,
                    q: str | None) -> str:
    sgn = -1.0 if stated < 0 else 1.0
    x, y = computed * sgn, stated * sgn
    d = abs(computed - stated)
    if stated != 0 and x < 0 and d > holds and q != "under":
        return "does not hold"            # moved the other way
    if q == "over":
        return "holds" if x >= y else ("roughly" if x >= y - roughly else "does not hold")
    if q == "under":
        return "holds" if x <= y else ("roughly" if x <= y + roughly else "does not hold")
    if q == "nearly":
        if y - 2 * holds <= x <= y + holds / 2:
            return "holds"
        return "roughly" if d <= roughly else "does not hold"
    h = holds * (2 if q == "about" else 1)
    return "holds" if d <= h else ("roughly" if d <= max(roughly, h) else "does not hold")


@dataclass
class Expected:
    """One claim a careful reader finds in a corpus text."""

    text: str
    find: str
    ticker: str | None
    calc: dict
    other: str | None = None
    stated: Any = None
    qual: str | None = None
    phrasing: str = ""
    cls: str = ""
    verdict: str | None = None            # computed by :func:`expected_verdict`
    computed: Any = None
    extra: dict = field(default_factory=dict)


def expected_verdict(p: Prices, e: Expected) -> tuple[str, Any]:
    """(verdict, computed figure) for one expected claim, from the CSVs."""
    c = dict(e.calc)
    how = c.pop("how")
    loose = e.ticker in LOOSE or e.other in LOOSE
    if how == "cannot":
        return "cannot check", None
    if how in ("ret", "rows", "day", "diff", "drawdown", "decline"):
        kind = "one_day" if how == "day" else "change"
        if how == "ret":
            v = p.ret(e.ticker, c["base"], c["end"])
        elif how == "rows":
            v = p.rows(e.ticker, c["end"], int(c["n"]))
        elif how == "day":
            v = p.day(e.ticker, c["end"])
        elif how == "diff":
            v = p.ret(e.ticker, c["base"], c["end"]) - p.ret(e.other, c["base"], c["end"])
        elif how == "drawdown":
            v = p.from_high(e.ticker, c["end"], c.get("n"))
        else:
            v = p.worst_decline(e.ticker, c["end"], int(c["n"]))
        h, r = tolerance(kind, float(e.stated))
        if loose:
            h, r = 2 * h, 2 * r
        verdict = numeric_verdict(v, float(e.stated), h, r, e.qual)
        if loose and verdict == "holds":
            verdict = "roughly"
        return verdict, v
    if how == "bp":
        x = p.s(e.ticker)
        v = (p.at(e.ticker, c["end"]) - p.at(e.ticker, c["base"])) * 100
        st = float(e.stated)
        h, r = max(2.0, 0.1 * abs(st)), max(5.0, 0.25 * abs(st))
        return numeric_verdict(v, st, h, r, e.qual), v
    if how == "sign":
        v = p.ret(e.ticker, c["base"], c["end"]) - p.ret(e.other, c["base"], c["end"])
        ok = v * c["sign"] > 0
        return ("holds" if ok else "roughly" if abs(v) <= 0.0025 else "does not hold"), v
    if how == "since":
        # "highest since July 2024": the last earlier date at or beyond today's value.
        x = (p.ratio(e.ticker, e.other, c["end"]) if e.other else p.s(e.ticker, c["end"]))
        last, prev = x.iloc[-1], x.iloc[:-1]
        hit = prev[prev >= last] if c["side"] == "high" else prev[prev <= last]
        if hit.empty:
            return "roughly", None        # beyond all history: stronger than stated
        month = hit.index[-1].strftime("%Y-%m")
        want = str(c["month"])
        return ("holds" if month == want else "roughly" if month < want
                else "does not hold"), month
    if how == "moves":
        # Share of members (on the end date) with a close on both dates that rose/fell.
        base, end = pd.Timestamp(c["base"]), pd.Timestamp(c["end"])
        up = down = counted = 0
        for t in p.sp500_members(str(end.date())):
            if not (p.root / "prices" / f"{t}.csv").exists():
                continue
            x = p.s(t)
            if base not in x.index or end not in x.index:
                continue
            counted += 1
            r = x.loc[end] / x.loc[base] - 1
            up += int(r > 0)
            down += int(r < 0)
        share = (up if c.get("side", "up") == "up" else down) / counted
        h, r = tolerance("breadth", float(e.stated))
        return numeric_verdict(share, float(e.stated), h, r, e.qual), share
    if how == "breadth":
        share = p.breadth(c["end"], int(c["n"]))
        if c.get("side", "above") == "below":
            share = 1 - share
        h, r = tolerance("breadth", float(e.stated))
        return numeric_verdict(share, float(e.stated), h, r, e.qual), share
    if how == "extreme":
        # An N-row low/high: beyond every one of the preceding N rows.
        x = (p.ratio(e.ticker, e.other, c["end"]) if e.other else p.s(e.ticker, c["end"]))
        n = len(x) - 1 if c.get("n") is None else int(c["n"])
        last, prev = x.iloc[-1], x.iloc[-n - 1:-1]
        low = c["side"] == "low"
        if (last < prev.min()) if low else (last > prev.max()):
            return "holds", float(last)
        ext = prev.min() if low else prev.max()
        recent = any(((x.iloc[-k] < x.iloc[-k - n:-k].min()) if low else
                      (x.iloc[-k] > x.iloc[-k - n:-k].max())) for k in range(2, 7))
        near = abs(last / ext - 1) <= 0.01
        return ("roughly" if near or recent else "does not hold"), float(last)
    if how == "ma":
        side = c["side"]
        gaps = [p.vs_sma(e.ticker, c["end"], int(n)) for n in c["n"]]
        ok = all((g > 0) if side == "above" else (g < 0) for g in gaps)
        if ok:
            return "holds", gaps
        near = all((g > -0.005) if side == "above" else (g < 0.005) for g in gaps)
        return ("roughly" if near else "does not hold"), gaps
    if how == "rank":
        uni = SECTORS if c["universe"] == "sectors" else MAG7
        rets = {t: p.ret(t, c["base"], c["end"]) for t in uni}
        order = sorted(rets, key=lambda t: -rets[t])
        pos = c["position"]
        if pos in ("only_up", "only_down"):
            sign = 1 if pos == "only_up" else -1
            same = [t for t in order if rets[t] * sign > 0]
            return ("holds" if same == [e.ticker] else "does not hold"), same
        ranks = order if pos == "best" else order[::-1]
        rank = ranks.index(e.ticker) + 1
        top = int(c.get("top", 1))
        return ("holds" if rank <= top else "roughly" if rank == top + 1
                else "does not hold"), rank
    if how == "level":
        date, level, tol, drift = ANCHORS[e.ticker]
        x = p.s(e.ticker)
        day = x.loc[:pd.Timestamp(c["end"])].index[-1]
        value = float(x.loc[day] * level / x.loc[date])
        t = tol + drift * abs((day - pd.Timestamp(date)).days) / 365.25
        rel = c.get("rel", "at")
        diff = value / float(e.stated) - 1
        ok = diff > -t if rel == "above" else diff < t if rel == "below" else abs(diff) <= t
        return ("roughly" if ok else "does not hold"), value
    if how == "hilo":
        # New 52-week highs vs lows among the members: a close above (below) every close
        # of the preceding 251 rows (docs/text.md, "new highs vs new lows").
        highs, lows = p.new_highs_lows(c["end"])
        more, fewer = (highs, lows) if c["side"] == "highs" else (lows, highs)
        return ("holds" if more > fewer else "does not hold"), (highs, lows)
    if how == "participation":
        # Broad: more than 60% of members above their 50-day; narrow: fewer than 40%.
        share = p.breadth(c["end"], 50)
        if c["side"] == "broad":
            v = "holds" if share > 0.60 else "roughly" if share > 0.55 else "does not hold"
        else:
            v = "holds" if share < 0.40 else "roughly" if share < 0.45 else "does not hold"
        return v, share
    if how == "first":
        # "A peaked (bottomed) first": A's highest (lowest) close in [base, end] comes
        # before B's.
        def when(t: str) -> pd.Timestamp:
            x = p.s(t, c["end"])
            x = x.iloc[-int(c["n"]):] if "n" in c else x.loc[pd.Timestamp(c["base"]):]
            return x.idxmax() if c["side"] == "high" else x.idxmin()
        da, db = when(e.ticker), when(e.other)
        return ("holds" if da < db else "does not hold"), (str(da.date()), str(db.date()))
    raise ValueError(f"unknown calc {how!r}")


def run_checker(market: Any, texts: Path = HERE / "texts") -> dict[str, list[dict]]:
    """The checker's claims for every corpus text (the system under test)."""
    from rotascope.text.claims.verify import check_document
    from rotascope.text.extract import read_document

    out = {}
    for path in sorted(texts.iterdir()):
        report = check_document(read_document(path), market)
        out[path.name] = report.to_dict()["claims"]
    return out


#: The labelled sets: the in-sample corpus, and the held-out-style set written before
#: the checker was changed for it (``fresh_*`` texts), and a second one written the same
#: way in other authors' styles (``fresh2_*`` texts), and a third (``fresh3_*`` texts;
#: docs/text.md reports all four).
SETS = {"in-sample": HERE / "expected.yaml", "fresh": HERE / "fresh.yaml",
        "fresh2": HERE / "fresh2.yaml", "fresh3": HERE / "fresh3.yaml"}


def load_expected(path: Path | None = None) -> tuple[list[Expected], dict]:
    """The expected claims and, per text, the phrases that are not claims (all sets
    unless ``path`` names one file)."""
    if path is None:
        out: list[Expected] = []
        non: dict[str, list[str]] = {}
        for p in SETS.values():
            e, n = load_expected(p)
            out += e
            non.update(n)
        return out, non
    spec = yaml.safe_load(path.read_text())
    out = []
    nonclaims: dict[str, list[str]] = {}
    for text, body in spec.items():
        nonclaims[text] = list(body.get("nonclaims") or [])
        for item in body.get("claims") or []:
            item = dict(item)
            out.append(Expected(text=text, find=item.pop("find"),
                                ticker=item.pop("ticker", None), calc=item.pop("calc"),
                                other=item.pop("other", None), stated=item.pop("stated", None),
                                qual=item.pop("qual", None),
                                phrasing=item.pop("phrasing", ""), cls=item.pop("cls", ""),
                                extra=item))
    return out, nonclaims


@dataclass
class Score:
    expected: int
    found: int
    agree: int
    extracted: int
    false_positive: int
    nonclaims: int
    nonclaims_checked: int
    misses: list = field(default_factory=list)
    disagreements: list = field(default_factory=list)
    false_positives: list = field(default_factory=list)

    @property
    def found_pct(self) -> float:
        return 100.0 * self.found / self.expected

    @property
    def agree_pct(self) -> float:
        return 100.0 * self.agree / max(self.found, 1)

    @property
    def fp_pct(self) -> float:
        return 100.0 * self.false_positive / max(self.extracted, 1)


def _same_place(find: str, quote: str) -> bool:
    """The expected fragment is in the checker's quote, or the quote (with its figure)
    lies inside a longer expected fragment ("The S&P 500 fell 2.9% on Monday" vs the
    quote "S&P 500 fell 2.9% on Monday")."""
    return find in quote or (len(quote) >= 12 and quote in find)


def score(results: dict[str, list[dict]], expected: list[Expected],
          nonclaims: dict[str, list[str]]) -> Score:
    """``results`` maps a text name to the checker's claims (``to_dict()`` rows)."""
    sc = Score(len(expected), 0, 0, sum(len(v) for v in results.values()), 0,
               sum(len(v) for v in nonclaims.values()), 0)
    used: set[tuple[str, int]] = set()
    for e in expected:
        rows = results.get(e.text, [])
        hit = None
        for i, r in enumerate(rows):
            inst = r["instruments"]
            if (e.text, i) in used or not _same_place(e.find, r["quote"]):
                continue
            if e.ticker is not None and (not inst or inst[0] != e.ticker):
                continue
            if e.other is not None and (len(inst) < 2 or inst[1] != e.other):
                continue
            hit = i
            break
        if hit is None:
            sc.misses.append((e.text, e.find, e.ticker))
            continue
        used.add((e.text, hit))
        sc.found += 1
        got = rows[hit]["verdict"]
        if got == e.verdict:
            sc.agree += 1
        else:
            sc.disagreements.append((e.text, e.find, e.ticker, e.verdict, got,
                                     rows[hit]["reason"]))
    for text, rows in results.items():
        for i, r in enumerate(rows):
            if (text, i) in used:
                continue
            # An extra "cannot check" is not a fact checked; anything else is.
            if r["verdict"] != "cannot check":
                sc.false_positive += 1
                sc.false_positives.append((text, r["quote"], r["instruments"], r["verdict"]))
            if r["verdict"] != "cannot check" and any(
                    n in r["quote"] or r["quote"] in n for n in nonclaims.get(text, [])):
                sc.nonclaims_checked += 1
    return sc
