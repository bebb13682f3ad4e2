"""The regime verdict's track record: how often and how long each verdict held, and what
followed it, against the unconditional base rates, with block-bootstrap intervals.

For every session ``t`` with a verdict and a complete forward window:

* ``spy_1m`` / ``spy_3m``: SPY's return from the close of ``t`` to 21 / 63 sessions later;
* ``spy_worst_3m``: the worst drawdown of SPY in the next 63 sessions, from the running
  peak of the path that starts at the close of ``t`` (<= 0);
* ``rsp_spy_3m`` / ``iwm_qqq_3m``: the 3-month change of the ratios RSP/SPY and
  IWM/QQQ (broadening should see them rise).

Forward windows that would end after the evaluation's last date are left out, so a
track record as of a date uses only data up to that date.

Confidence intervals: a moving-block bootstrap over sessions (blocks of 63 sessions,
the length of the longest forward window, because consecutive forward windows
overlap): each replicate resamples blocks with replacement and recomputes every
conditional mean, the base rate and their difference; the interval is the 5th-95th
percentile (a 90% interval). A difference whose interval excludes 0 is marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import NoDataError

__all__ = ["FORWARD", "forward_outcomes", "verdict_spells", "RegimeEvaluation",
           "evaluate_verdicts", "track_record_line", "SpellRecord", "spell_record"]

#: outcome -> (label, window in sessions)
FORWARD: dict[str, tuple[str, int]] = {
    "spy_1m": ("SPY return, next month", 21),
    "spy_3m": ("SPY return, next 3 months", 63),
    "spy_worst_3m": ("worst SPY drawdown, next 3 months", 63),
    "rsp_spy_3m": ("RSP/SPY change, next 3 months", 63),
    "iwm_qqq_3m": ("IWM/QQQ change, next 3 months", 63),
}


def _fwd_return(s: pd.Series, h: int) -> pd.Series:
    v = s.to_numpy(dtype=np.float64)
    out = np.full(len(v), np.nan)
    if len(v) > h:
        out[:-h] = v[h:] / v[:-h] - 1.0
    return pd.Series(out, index=s.index)


def _fwd_worst(s: pd.Series, h: int) -> pd.Series:
    v = s.to_numpy(dtype=np.float64)
    n = len(v)
    out = np.full(n, np.nan)
    if n > h:
        # windows v[t .. t+h] as a strided view: (n-h, h+1)
        win = np.lib.stride_tricks.sliding_window_view(v, h + 1)
        peak = np.maximum.accumulate(win, axis=1)
        out[: n - h] = np.min(win / peak - 1.0, axis=1)
    return pd.Series(out, index=s.index)


def forward_outcomes(close: pd.DataFrame) -> pd.DataFrame:
    """The forward outcomes (:data:`FORWARD`) on the SPY sessions of ``close``
    (needs SPY; RSP, IWM, QQQ optional)."""
    if "SPY" not in close:
        raise NoDataError("the regime evaluation needs SPY closes")
    spy = close["SPY"].dropna()
    out = pd.DataFrame(index=spy.index)
    out["spy_1m"] = _fwd_return(spy, 21)
    out["spy_3m"] = _fwd_return(spy, 63)
    out["spy_worst_3m"] = _fwd_worst(spy, 63)
    for name, (a, b) in {"rsp_spy_3m": ("RSP", "SPY"), "iwm_qqq_3m": ("IWM", "QQQ")}.items():
        if a in close and b in close:
            ratio = (close[a] / close[b]).reindex(spy.index)
            ok = ratio.notna()
            out[name] = _fwd_return(ratio[ok], 63).reindex(spy.index)
        else:
            out[name] = np.nan
    return out


def verdict_spells(verdict: pd.Series) -> pd.DataFrame:
    """Consecutive runs of one verdict: start, end, verdict, sessions."""
    v = verdict.dropna()
    if v.empty:
        return pd.DataFrame(columns=["start", "end", "verdict", "sessions"])
    codes = v.to_numpy(dtype=object)
    new = np.r_[True, codes[1:] != codes[:-1]]
    spell = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:] - 1, len(v) - 1]
    return pd.DataFrame({"start": v.index[starts], "end": v.index[ends],
                         "verdict": codes[starts], "sessions": ends - starts + 1,
                         "spell": np.arange(spell[-1] + 1)})


@dataclass
class RegimeEvaluation:
    """The track record over ``start``..``end`` (see the module docstring)."""

    start: pd.Timestamp
    end: pd.Timestamp
    summary: pd.DataFrame      # per verdict: share, spells, mean/median length
    outcomes: pd.DataFrame     # rows (verdict incl. "all"), columns: outcome x stat
    flips_per_year: float
    sessions: int
    n_boot: int
    block: int

    def to_dict(self) -> dict[str, Any]:
        verdicts = []
        for v in self.summary.index:
            row = self.summary.loc[v]
            entry: dict[str, Any] = {"verdict": v, "share": float(row["share"]),
                                     "sessions": int(row["sessions"]),
                                     "spells": int(row["spells"]),
                                     "mean_length": float(row["mean_length"]),
                                     "median_length": float(row["median_length"]),
                                     "forward": {}}
            for k in FORWARD:
                entry["forward"][k] = {s: _f(self.outcomes.loc[v, (k, s)])
                                       for s in ("n", "mean", "lo", "hi", "diff", "diff_lo",
                                                 "diff_hi")}
            verdicts.append(entry)
        base = {k: {s: _f(self.outcomes.loc["all", (k, s)]) for s in ("n", "mean", "lo", "hi")}
                for k in FORWARD}
        return {"from": self.start, "to": self.end, "sessions": self.sessions,
                "flips_per_year": self.flips_per_year, "bootstrap": {
                    "replicates": self.n_boot, "block": self.block, "interval": 0.90},
                "base_rates": base, "verdicts": verdicts}


def _f(v: Any) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


def evaluate_verdicts(verdict: pd.Series, close: pd.DataFrame, start: Any = None,
                      end: Any = None, *, n_boot: int = 1000, block: int = 63,
                      seed: int = 0) -> RegimeEvaluation:
    """Evaluate a verdict history (dates -> verdict text) against what followed.

    Parameters
    ----------
    verdict : the (confirmed) verdict on each session.
    close : closes (dates x tickers) with SPY, and RSP, IWM, QQQ for the ratio outcomes;
        nothing after ``end`` is read.
    start, end : the sessions evaluated (default: all with a verdict).
    n_boot, block, seed : the moving-block bootstrap (replicates, block length, seed).
    """
    if end is not None:
        close = close.loc[: pd.Timestamp(end)]
    fwd = forward_outcomes(close)
    v = verdict.reindex(fwd.index)
    lo = pd.Timestamp(start) if start is not None else v.first_valid_index()
    hi = pd.Timestamp(end) if end is not None else fwd.index[-1]
    if lo is None:
        raise NoDataError("no verdict to evaluate")
    keep = (v.index >= lo) & (v.index <= hi) & v.notna().to_numpy()
    v, fwd = v[keep], fwd[keep]
    if len(v) < 2:
        raise NoDataError(f"fewer than two sessions with a verdict from {lo:%Y-%m-%d} to "
                          f"{hi:%Y-%m-%d}")
    spells = verdict_spells(v)
    names = list(dict.fromkeys(sorted(set(v.astype(str)))))
    summary = pd.DataFrame({
        "sessions": [int((v == n).sum()) for n in names],
        "share": [float((v == n).mean()) for n in names],
        "spells": [int((spells["verdict"] == n).sum()) for n in names],
        "mean_length": [float(spells.loc[spells["verdict"] == n, "sessions"].mean())
                        for n in names],
        "median_length": [float(spells.loc[spells["verdict"] == n, "sessions"].median())
                          for n in names],
    }, index=pd.Index(names, name="verdict"))
    years = len(v) / 252
    flips = max(len(spells) - 1, 0) / years

    codes = pd.Index(names).get_indexer(v.astype(str).to_numpy())
    n = len(v)
    rng = np.random.default_rng(seed)
    b = min(block, n)
    nblocks = int(np.ceil(n / b))
    starts = rng.integers(0, n - b + 1, size=(n_boot, nblocks))
    idx = (starts[:, :, None] + np.arange(b)[None, None, :]).reshape(n_boot, -1)[:, :n]
    cols = pd.MultiIndex.from_product([list(FORWARD), ["n", "mean", "lo", "hi", "diff",
                                                       "diff_lo", "diff_hi"]])
    table = pd.DataFrame(np.nan, index=pd.Index([*names, "all"], name="verdict"), columns=cols)
    for k in FORWARD:
        x = fwd[k].to_numpy(dtype=np.float64)
        ok = np.isfinite(x)
        xs, oks, cs = np.where(ok, x, 0.0)[idx], ok[idx], codes[idx]
        base_b = xs.sum(1) / np.maximum(oks.sum(1), 1)
        base_b[oks.sum(1) == 0] = np.nan
        table.loc["all", (k, "n")] = ok.sum()
        table.loc["all", (k, "mean")] = x[ok].mean() if ok.any() else np.nan
        table.loc["all", [(k, "lo"), (k, "hi")]] = _pct(base_b)
        for j, name in enumerate(names):
            sel = ok & (codes == j)
            table.loc[name, (k, "n")] = sel.sum()
            if not sel.any():
                continue
            mean = x[sel].mean()
            table.loc[name, (k, "mean")] = mean
            table.loc[name, (k, "diff")] = mean - x[ok].mean()
            m_b = oks & (cs == j)
            cnt = m_b.sum(1)
            with np.errstate(invalid="ignore", divide="ignore"):
                cond_b = np.where(cnt > 0, (xs * m_b).sum(1) / cnt, np.nan)
            table.loc[name, [(k, "lo"), (k, "hi")]] = _pct(cond_b)
            table.loc[name, [(k, "diff_lo"), (k, "diff_hi")]] = _pct(cond_b - base_b)
    return RegimeEvaluation(v.index[0], v.index[-1], summary, table, float(flips), n,
                            n_boot, b)


def _pct(values: np.ndarray) -> list[float]:
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return [np.nan, np.nan]
    return [float(np.percentile(values, 5)), float(np.percentile(values, 95))]


def track_record_line(evaluation: RegimeEvaluation, verdict: str) -> dict[str, Any]:
    """The data of the weekly note's one line on the current verdict's track record.

    Returns {"verdict", "from", "to", "sessions", "spells", "mean_length",
    "flips_per_year", "spy_3m", "spy_3m_lo", "spy_3m_hi", "base_spy_3m",
    "worst_3m", "base_worst_3m", "significant", "text"}; the numbers are None when the
    verdict never held in the period.
    """
    s, o = evaluation.summary, evaluation.outcomes
    held = verdict in s.index
    get = (lambda k, st: _f(o.loc[verdict, (k, st)])) if held else (lambda k, st: None)
    out: dict[str, Any] = {
        "verdict": verdict, "from": evaluation.start, "to": evaluation.end,
        "sessions": int(s.loc[verdict, "sessions"]) if held else 0,
        "spells": int(s.loc[verdict, "spells"]) if held else 0,
        "mean_length": float(s.loc[verdict, "mean_length"]) if held else None,
        "flips_per_year": evaluation.flips_per_year,
        "spy_3m": get("spy_3m", "mean"), "spy_3m_lo": get("spy_3m", "lo"),
        "spy_3m_hi": get("spy_3m", "hi"),
        "base_spy_3m": _f(o.loc["all", ("spy_3m", "mean")]),
        "worst_3m": get("spy_worst_3m", "mean"),
        "base_worst_3m": _f(o.loc["all", ("spy_worst_3m", "mean")]),
    }
    lo, hi = get("spy_3m", "diff_lo"), get("spy_3m", "diff_hi")
    out["significant"] = bool(lo is not None and hi is not None and (lo > 0 or hi < 0))
    if not held or out["spy_3m"] is None:
        out["text"] = (f"Track record: '{verdict}' did not hold between "
                       f"{evaluation.start:%Y} and {evaluation.end:%Y}.")
        return out
    out["text"] = (
        f"Track record {evaluation.start:%Y}-{evaluation.end:%Y}: after '{verdict}' "
        f"({out['spells']} spells, {out['mean_length']:.0f} sessions on average) SPY returned "
        f"{out['spy_3m'] * 100:+.1f}% over 3 months (90% CI {out['spy_3m_lo'] * 100:+.1f}% to "
        f"{out['spy_3m_hi'] * 100:+.1f}%) vs {out['base_spy_3m'] * 100:+.1f}% on all days; "
        f"worst drawdown {out['worst_3m'] * 100:.1f}% vs {out['base_worst_3m'] * 100:.1f}%; "
        f"{evaluation.flips_per_year:.1f} flips a year"
        + ("" if out["significant"] else " (not distinguishable from the base rate)") + ".")
    return out


@dataclass(frozen=True)
class SpellRecord:
    """What followed the spells of one verdict (see :func:`spell_record`)."""

    verdict: str
    start: pd.Timestamp       # first session considered
    as_of: pd.Timestamp
    window: int               # forward window, SPY sessions
    spells: int               # spells of the verdict that began on or after ``start``
    counted: int              # ... whose forward window ended by ``as_of``
    median: float | None      # median forward SPY return after those spells
    base_median: float | None  # median forward SPY return over every session
    base_n: int

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "start": self.start, "as_of": self.as_of,
                "window": self.window, "spells": self.spells, "counted": self.counted,
                "median": self.median, "base_median": self.base_median,
                "base_n": self.base_n}


def spell_record(verdict: pd.Series, spy: pd.Series, as_of: Any, *, current: str | None = None,
                 start: Any = None, window: int = 21) -> SpellRecord:
    """The weekly note's track record of a verdict, point in time.

    On SPY's sessions up to ``as_of``: the verdict's spells (runs of the same confirmed
    verdict, :func:`verdict_spells`) from ``start`` (default the first session with a
    verdict); for each spell of ``current`` (default the verdict on ``as_of``), SPY's
    return from the close of the spell's first session to the close ``window`` sessions
    later, counted only when that later session is on or before ``as_of``. Their median
    is compared with the base rate: the median of the same forward return from every
    session since ``start`` whose window also ended by ``as_of``. Nothing after
    ``as_of`` is read.
    """
    day = pd.Timestamp(as_of)
    px = spy.loc[:day].dropna()
    v = verdict.loc[:day].reindex(px.index)
    first = v.first_valid_index()
    if first is None:
        raise NoDataError("no regime verdict on SPY's sessions on or before "
                          f"{day:%Y-%m-%d}")
    lo = max(first, pd.Timestamp(start)) if start is not None else first
    px = px.loc[lo:]
    v = v.loc[lo:].dropna().astype(str)
    if current is None:
        current = str(v.iloc[-1])
    fwd = _fwd_return(px, window)   # NaN where the window would end after as_of
    spells = verdict_spells(v)
    mine = spells[spells["verdict"] == current]
    after = fwd.reindex(pd.DatetimeIndex(mine["start"])).dropna()
    base = fwd.dropna()
    return SpellRecord(current, pd.Timestamp(px.index[0]), pd.Timestamp(px.index[-1]), window,
                       len(mine), len(after),
                       float(after.median()) if len(after) else None,
                       float(base.median()) if len(base) else None, len(base))


def evaluate_market(market: Any, rules: Any = None, *, start: Any = None,
                    universe: str = "sp500", n_boot: int = 1000, seed: int = 0,
                    verdict: str = "verdict") -> RegimeEvaluation:
    """Replay the verdict on a market view and evaluate it up to the view's as-of date.

    ``verdict`` picks the confirmed call (``"verdict"``) or the raw daily one (``"raw"``).
    """
    from .inputs import load_regime_inputs
    from .regime import load_rules, regime_history

    rules = rules if rules is not None else load_rules(None)
    inputs = load_regime_inputs(market, rules, universe=universe)
    hist = regime_history(inputs.close, inputs.breadth, rules)
    tickers = [t for t in ("SPY", "RSP", "IWM", "QQQ") if market.has(t)]
    close = market.close(tickers)
    series = hist.verdict if verdict == "verdict" else hist.raw
    return evaluate_verdicts(series.astype(object), close, start, market.as_of,
                             n_boot=n_boot, seed=seed)


def episode_verdicts(verdict: pd.Series, episodes: pd.DataFrame, *, after: int = 21
                     ) -> pd.DataFrame:
    """The share of sessions of each verdict during each episode (``start`` to ``end``,
    plus ``after`` sessions, since a confirmed verdict lags): rows = episodes (name,
    kind), columns = verdicts; for synthetic markets with known episodes."""
    v = verdict.dropna().astype(object)
    rows = {}
    for ep in episodes.itertuples():
        lo = v.index.searchsorted(pd.Timestamp(ep.start))
        hi = v.index.searchsorted(pd.Timestamp(ep.end), side="right") + after
        window = v.iloc[lo:hi]
        rows[(ep.name, ep.kind)] = window.value_counts(normalize=True)
    out = pd.DataFrame(rows).T.fillna(0.0)
    out.index.names = ["episode", "kind"]
    return out


def weekly_track_record(market: Any, rules: Any = None, *, universe: str = "sp500",
                        start: Any = None, n_boot: int = 1000, seed: int = 0
                        ) -> dict[str, Any]:
    """The weekly note's one-line track record of the verdict in force on the view's
    as-of date, from ``start`` (default: the first verdict) to that date; only data up
    to it is read (forward windows end by it). See :func:`track_record_line`."""
    from .inputs import load_regime_inputs
    from .regime import load_rules, regime_history

    rules = rules if rules is not None else load_rules(None)
    inputs = load_regime_inputs(market, rules, universe=universe)
    hist = regime_history(inputs.close, inputs.breadth, rules)
    verdict = hist.verdict.astype(object)
    current = verdict.loc[: market.as_of].dropna()
    if current.empty:
        raise NoDataError("no regime verdict on or before the as-of date")
    tickers = [t for t in ("SPY", "RSP", "IWM", "QQQ") if market.has(t)]
    ev = evaluate_verdicts(verdict, market.close(tickers), start, market.as_of,
                           n_boot=n_boot, seed=seed)
    return track_record_line(ev, str(current.iloc[-1]))
