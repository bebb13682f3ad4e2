"""The regime verdict: combine the evidence into one call, with its reasons.

Every signal of the rules (``regime_rules.yaml``; user copy in
``$ROTASCOPE_HOME/regime.yaml``) measures one thing as a whole time series, votes
+1 / -1 / 0 against its documented thresholds, and counts in one of four groups:

* ``risk``: +1 risk-on (index trend and momentum, credit, calm volatility, bitcoin) /
  -1 risk-off;
* ``participation``: +1 most stocks take part (share above their averages, net new
  highs) / -1 few do;
* ``leadership``: +1 the rest of the market leads the mega-caps (equal weight, small
  caps, ex-Mag-7) / -1 the mega-caps lead;
* ``defensive``: +1 cyclicals lead / -1 defensives, Treasuries and gold lead.

Participation and leadership are separate on purpose: in a broad sell-off the
mega-caps often fall hardest, so relative leadership reads "broad" while participation
collapses; netting the two into one score would hide the breakdown.

A group's score is the weighted mean of its available votes (a group without any
available vote that day does not constrain the verdicts). The verdicts are tried in
order (first match wins): broad breakdown, defensive rotation, broadening rotation,
narrow leadership, mixed. A new verdict replaces the current one only after it has
held ``confirm_days`` consecutive days (so one noisy day does not flip the call); the
raw daily call is kept too.

Confidence
----------
For a verdict with conditions on some groups, each condition has a direction (a lower
bound points up, an upper bound down). Confidence is the weighted share of the non-zero
votes in those groups that point the same way. For ``mixed`` it is
``1 - max |score|`` over :data:`MIXED_AXES` (risk, participation, leadership): high
when the main axes really are balanced.

Everything is computed from data up to each date (all measures are causal) and
vectorised over dates: :func:`regime_history` replays any period at the cost of one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .._fmt import pct
from ..errors import DataError, FileFormatError, ParameterError
from ..signals.averages import sma
from ..signals.momentum import rsi
from ..signals.returns import shift_valid, total_return
from ..signals.rolling import pct_from_high

__all__ = ["GROUPS", "MIXED_AXES", "LEANS", "VERDICTS", "Condition", "Measure",
           "SignalRule", "VerdictRule", "RegimeRules", "EvidenceItem", "RegimeResult",
           "RegimeHistory", "load_rules", "default_rules_path", "measure_history",
           "regime_history", "regime_at", "regime", "verdict_changes"]

GROUPS = ("risk", "participation", "leadership", "defensive")
#: Groups whose balance makes a "mixed" call confident.
MIXED_AXES = ("risk", "participation", "leadership")
#: The vote of each group in words: (+1, -1).
LEANS = {"risk": ("risk-on", "risk-off"), "participation": ("broad", "narrow"),
         "leadership": ("rest leads", "mega-caps lead"),
         "defensive": ("cyclical", "defensive")}
VERDICTS = ("broad breakdown", "defensive rotation", "broadening rotation",
            "narrow leadership", "mixed")
MEASURE_KINDS = {
    "pct_vs_sma": ("ticker", "window"),
    "return": ("ticker", "window"),
    "ratio_return": ("a", "b", "window"),
    "ratio_vs_sma": ("a", "b", "window"),
    "basket_return": ("numerator", "denominator", "window"),
    "level_change": ("ticker", "window"),
    "rsi": ("ticker", "window"),
    "pct_from_high": ("ticker", "window"),
    "breadth": ("field",),
}
_COND_RE = re.compile(r"^\s*(<=|>=|<|>)\s*([-+]?\d+(?:\.\d+)?)\s*$")


# -- rules ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    """A threshold test such as ``> 0.01`` (parsed, never evaluated as code)."""

    op: str
    threshold: float

    @classmethod
    def parse(cls, text: Any, where: str) -> Condition:
        m = _COND_RE.match(str(text))
        if not m:
            raise ParameterError(f"{where}: expected a condition like '> 0.01', got {text!r}")
        return cls(m.group(1), float(m.group(2)))

    def test(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            if self.op == ">":
                return values > self.threshold
            if self.op == ">=":
                return values >= self.threshold
            if self.op == "<":
                return values < self.threshold
            return values <= self.threshold

    def __str__(self) -> str:
        return f"{self.op} {self.threshold:g}"


@dataclass(frozen=True)
class Measure:
    """What a signal measures: a kind from :data:`MEASURE_KINDS` and its parameters."""

    kind: str
    params: Mapping[str, Any]

    @property
    def tickers(self) -> tuple[str, ...]:
        p = self.params
        if self.kind in ("ratio_return", "ratio_vs_sma"):
            return (p["a"], p["b"])
        if self.kind == "basket_return":
            return (*p["numerator"], *p["denominator"])
        if self.kind == "breadth":
            return ()
        return (p["ticker"],)

    @property
    def unit(self) -> str:
        if self.kind == "rsi":
            return "index"
        if self.kind == "level_change":
            return "bp"
        if self.kind == "breadth" and "per" not in self.params:
            return "share" if str(self.params["field"]).startswith("pct_") else "count"
        return "fraction"

    def describe(self) -> str:
        """The definition, in words, as the report prints it in its figure registry."""
        p = self.params
        w = p.get("window")
        if self.kind == "pct_vs_sma":
            return f"{p['ticker']} close / its {w}-day simple moving average - 1"
        if self.kind == "return":
            return f"{p['ticker']} total return over {w} trading days"
        if self.kind == "ratio_return":
            return f"change of the ratio {p['a']}/{p['b']} over {w} trading days"
        if self.kind == "ratio_vs_sma":
            return f"ratio {p['a']}/{p['b']} / its {w}-day simple moving average - 1"
        if self.kind == "basket_return":
            num = ", ".join(p["numerator"])
            den = ", ".join(p["denominator"])
            return (f"change over {w} trading days of an equal-weight basket ({num}) relative "
                    f"to an equal-weight basket ({den}), both rebalanced daily")
        if self.kind == "level_change":
            return f"change of {p['ticker']} (a yield in percent) over {w} trading days"
        if self.kind == "rsi":
            return f"Wilder RSI({w}) of {p['ticker']}"
        if self.kind == "pct_from_high":
            return f"{p['ticker']} close / its highest close of the last {w} trading days - 1"
        if "per" in p:
            return f"breadth field {p['field']} divided by {p['per']} (S&P 500 members)"
        return f"breadth field {p['field']} (S&P 500 members)"


@dataclass(frozen=True)
class SignalRule:
    id: str
    label: str
    group: str
    measure: Measure
    plus: Condition | None
    minus: Condition | None
    weight: float = 1.0

    def threshold_text(self) -> str:
        parts = []
        if self.plus is not None:
            parts.append(f"+1 if {_fmt_threshold(self.plus, self.measure.unit)}")
        if self.minus is not None:
            parts.append(f"-1 if {_fmt_threshold(self.minus, self.measure.unit)}")
        return "; ".join(parts)


@dataclass(frozen=True)
class VerdictRule:
    name: str
    description: str
    bounds: Mapping[str, tuple[float | None, float | None]]  # group -> (min, max)

    def direction(self, group: str) -> int:
        lo, hi = self.bounds.get(group, (None, None))
        if lo is not None:
            return 1
        if hi is not None:
            return -1
        return 0


@dataclass(frozen=True)
class RegimeRules:
    signals: tuple[SignalRule, ...]
    verdicts: tuple[VerdictRule, ...]
    max_carry_days: int = 5
    confirm_days: int = 5
    source: str = "default"

    @property
    def tickers(self) -> list[str]:
        return list(dict.fromkeys(t for s in self.signals for t in s.measure.tickers))

    @property
    def needs_breadth(self) -> bool:
        return any(s.measure.kind == "breadth" for s in self.signals)


def default_rules_path() -> Path:
    return Path(str(resources.files("rotascope.analysis").joinpath("regime_rules.yaml")))


def load_rules(path: str | Path | None = None) -> RegimeRules:
    """Load and validate regime rules (the packaged defaults when ``path`` is None).

    Raises
    ------
    FileFormatError
        Naming the file and the key (``signals.credit.plus``) that is wrong.
    """
    file = Path(path) if path is not None else default_rules_path()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileFormatError(file, f"cannot read regime rules: {exc.strerror}") from exc
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise FileFormatError(file, f"invalid YAML: {exc}",
                              None if line is None else line + 1) from exc
    try:
        return _rules_from_mapping(doc, str(file) if path is not None else "default")
    except ParameterError as exc:
        raise FileFormatError(file, str(exc)) from exc


def _rules_from_mapping(doc: Any, source: str) -> RegimeRules:
    if not isinstance(doc, dict) or not isinstance(doc.get("signals"), dict):
        raise ParameterError("the file must be a mapping with 'signals' and 'verdicts'")
    signals = []
    for sid, spec in doc["signals"].items():
        where = f"signals.{sid}"
        if not isinstance(spec, dict):
            raise ParameterError(f"{where}: expected a mapping")
        group = spec.get("group")
        if group not in GROUPS:
            raise ParameterError(f"{where}.group: must be one of {', '.join(GROUPS)}, "
                                 f"got {group!r}")
        m = spec.get("measure")
        if not isinstance(m, dict) or m.get("kind") not in MEASURE_KINDS:
            raise ParameterError(f"{where}.measure.kind: must be one of "
                                 f"{', '.join(MEASURE_KINDS)}, got {m!r}")
        kind = m["kind"]
        params = {k: v for k, v in m.items() if k != "kind"}
        for key in MEASURE_KINDS[kind]:
            if key not in params:
                raise ParameterError(f"{where}.measure.{key}: required for kind {kind!r}")
        if "window" in params and (not isinstance(params["window"], int) or params["window"] < 1):
            raise ParameterError(f"{where}.measure.window: must be a positive int of rows")
        if kind == "basket_return":
            for key in ("numerator", "denominator"):
                if not isinstance(params[key], list) or not params[key]:
                    raise ParameterError(f"{where}.measure.{key}: must be a non-empty list")
        plus = Condition.parse(spec["plus"], f"{where}.plus") if "plus" in spec else None
        minus = Condition.parse(spec["minus"], f"{where}.minus") if "minus" in spec else None
        if plus is None and minus is None:
            raise ParameterError(f"{where}: needs 'plus' and/or 'minus'")
        weight = spec.get("weight", 1.0)
        if not isinstance(weight, (int, float)) or weight <= 0:
            raise ParameterError(f"{where}.weight: must be a positive number")
        signals.append(SignalRule(str(sid), str(spec.get("label", sid)), group,
                                  Measure(kind, params), plus, minus, float(weight)))
    verdicts = []
    for i, spec in enumerate(doc.get("verdicts") or []):
        where = f"verdicts[{i}]"
        if not isinstance(spec, dict) or spec.get("name") not in VERDICTS:
            raise ParameterError(f"{where}.name: must be one of {', '.join(VERDICTS)}")
        bounds = {}
        for group, b in (spec.get("when") or {}).items():
            if group not in GROUPS or not isinstance(b, dict) or not set(b) <= {"min", "max"}:
                raise ParameterError(f"{where}.when.{group}: expected a group with min/max")
            bounds[group] = (b.get("min"), b.get("max"))
        verdicts.append(VerdictRule(spec["name"], str(spec.get("description", "")), bounds))
    names = [v.name for v in verdicts]
    if not names or names[-1] != "mixed" or verdicts[-1].bounds:
        raise ParameterError("verdicts: the last verdict must be 'mixed' with an empty 'when'")
    return RegimeRules(tuple(signals), tuple(verdicts),
                       int(doc.get("max_carry_days", 5)), int(doc.get("confirm_days", 5)),
                       source)


# -- measures -------------------------------------------------------------------------------

def _col(close: pd.DataFrame, ticker: str) -> pd.Series:
    if ticker not in close.columns:
        return pd.Series(np.nan, index=close.index, name=ticker)
    return close[ticker]


def _ratio(close: pd.DataFrame, a: str, b: str) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _col(close, a) / _col(close, b)
    return r.where(np.isfinite(r))


def _basket(close: pd.DataFrame, tickers: Sequence[str]) -> pd.Series:
    """Equal-weight basket, rebalanced daily: cumulative product of mean daily returns
    of the members that have a return that day (the basket starts once all exist)."""
    cols = [_col(close, t) for t in tickers]
    frame = pd.concat(cols, axis=1)
    daily = frame.to_numpy() / shift_valid(frame, 1).to_numpy() - 1.0
    all_listed = frame.notna().cummax().all(axis=1).to_numpy()
    count = (~np.isnan(daily)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(all_listed & (count > 0), np.nansum(daily, axis=1) / count, np.nan)
    level = np.where(np.isnan(mean), 0.0, np.log1p(mean)).cumsum()
    level = np.exp(level)
    level[~all_listed | np.isnan(mean)] = np.nan
    return pd.Series(level, index=close.index)


def measure_history(measure: Measure, close: pd.DataFrame,
                    breadth: pd.DataFrame | None = None) -> pd.Series:
    """The measure at every date (NaN where its inputs have no data)."""
    p = measure.params
    kind = measure.kind
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "pct_vs_sma":
            s = _col(close, p["ticker"]).dropna()
            out = s / sma(s, p["window"]) - 1.0
        elif kind == "return":
            out = total_return(_col(close, p["ticker"]).dropna(), p["window"])
        elif kind == "ratio_return":
            out = total_return(_ratio(close, p["a"], p["b"]).dropna(), p["window"])
        elif kind == "ratio_vs_sma":
            r = _ratio(close, p["a"], p["b"]).dropna()
            out = r / sma(r, p["window"]) - 1.0
        elif kind == "basket_return":
            num = _basket(close, p["numerator"])
            den = _basket(close, p["denominator"])
            out = total_return((num / den).dropna(), p["window"])
        elif kind == "level_change":
            s = _col(close, p["ticker"]).dropna()
            out = s - shift_valid(s, p["window"])
        elif kind == "rsi":
            out = rsi(_col(close, p["ticker"]).dropna(), p["window"])
        elif kind == "pct_from_high":
            out = pct_from_high(_col(close, p["ticker"]).dropna(), p["window"])
        elif kind == "breadth":
            if breadth is None or p["field"] not in breadth.columns:
                return pd.Series(np.nan, index=close.index)
            out = breadth[p["field"]]
            if "per" in p:
                out = out / breadth[p["per"]]
        else:  # pragma: no cover - validated when the rules load
            raise ParameterError(f"unknown measure kind {kind!r}")
    return out.reindex(close.index) if len(out) else pd.Series(np.nan, index=close.index)


# -- results --------------------------------------------------------------------------------

def _fmt_value(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    if unit == "index":
        return f"{value:.1f}"
    if unit == "bp":
        return f"{value * 100:+.0f} bp"
    if unit == "share":
        return pct(value, sign=False)
    if unit == "count":
        return f"{value:,.0f}"
    return pct(value)


def _fmt_threshold(cond: Condition, unit: str) -> str:
    return f"{cond.op} {_fmt_value(cond.threshold, unit)}"


@dataclass(frozen=True)
class EvidenceItem:
    """One named signal, its value, threshold, vote and stance toward the verdict."""

    id: str
    label: str
    group: str
    value: float
    display: str
    threshold: str
    vote: int | None          # +1, -1, 0; None when the signal has no data
    stance: str               # "for", "against", "neutral", "no data"
    definition: str
    inputs: tuple[str, ...]
    as_of: pd.Timestamp
    weight: float = 1.0

    @property
    def lean(self) -> str:
        """The vote in words for its group (see :data:`LEANS`), neutral, or no data."""
        if self.vote is None:
            return "no data"
        if self.vote == 0:
            return "neutral"
        return LEANS[self.group][0 if self.vote > 0 else 1]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "group": self.group,
                "value": None if np.isnan(self.value) else float(self.value),
                "display": self.display, "threshold": self.threshold, "vote": self.vote,
                "stance": self.stance, "lean": self.lean, "weight": self.weight,
                "definition": self.definition,
                "inputs": list(self.inputs), "as_of": self.as_of.strftime("%Y-%m-%d")}


@dataclass(frozen=True)
class RegimeResult:
    """The verdict on one date with the evidence for and against."""

    as_of: pd.Timestamp
    verdict: str
    description: str
    confidence: float
    raw_verdict: str
    days_in_raw: int
    since: pd.Timestamp | None
    scores: Mapping[str, float]
    evidence: tuple[EvidenceItem, ...]
    rules_source: str = "default"

    @property
    def evidence_for(self) -> list[EvidenceItem]:
        return [e for e in self.evidence if e.stance == "for"]

    @property
    def evidence_against(self) -> list[EvidenceItem]:
        return [e for e in self.evidence if e.stance == "against"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "verdict": self.verdict,
            "description": self.description,
            "confidence": float(self.confidence),
            "since": None if self.since is None else self.since.strftime("%Y-%m-%d"),
            "raw_verdict": self.raw_verdict,
            "days_in_raw": int(self.days_in_raw),
            "scores": {g: (None if np.isnan(v) else float(v)) for g, v in self.scores.items()},
            "evidence": [e.to_dict() for e in self.evidence],
            "rules": self.rules_source,
        }


@dataclass(frozen=True)
class RegimeHistory:
    """Every evidence value, vote, group score and verdict at every date."""

    rules: RegimeRules
    values: pd.DataFrame      # dates x signal ids
    votes: pd.DataFrame       # dates x signal ids (+1/-1/0, NaN = no data)
    scores: pd.DataFrame      # dates x groups
    raw: pd.Series            # daily verdict name
    verdict: pd.Series        # confirmed verdict name
    confidence: pd.DataFrame  # dates x verdict names
    run_length: pd.Series = field(repr=False)  # days the raw verdict has held

    def at(self, as_of: Any = None) -> RegimeResult:
        return regime_at(self, as_of)


def regime_history(close: pd.DataFrame, breadth: pd.DataFrame | None = None,
                   rules: RegimeRules | None = None) -> RegimeHistory:
    """Evaluate the rules at every date of ``close``.

    Parameters
    ----------
    close : adjusted closes (dates x tickers) with the rules' tickers (missing tickers
        simply do not vote).
    breadth : the output of :func:`rotascope.analysis.breadth.breadth_history` for the
        member universe (optional; breadth signals do not vote without it).
    rules : default :func:`load_rules`.
    """
    rules = rules or load_rules()
    if len(close.index) == 0:
        raise DataError("regime_history(): no dates to evaluate")
    index = close.index
    if breadth is not None:
        breadth = breadth.reindex(index)
    values = {}
    votes = {}
    for s in rules.signals:  # ~20 signals, each vectorised over all dates
        v = measure_history(s.measure, close, breadth)
        # Explicit, bounded carry (documented in the rules file): a leg without a close
        # that day (different calendars, a series ending a day early) keeps its value.
        v = v.ffill(limit=rules.max_carry_days) if rules.max_carry_days else v
        arr = v.to_numpy(dtype=np.float64)
        vote = np.zeros(len(arr))
        if s.minus is not None:
            vote[s.minus.test(arr)] = -1.0
        if s.plus is not None:
            vote[s.plus.test(arr)] = 1.0
        vote[np.isnan(arr)] = np.nan
        values[s.id] = arr
        votes[s.id] = vote
    values_df = pd.DataFrame(values, index=index)
    votes_df = pd.DataFrame(votes, index=index)
    weights = pd.Series({s.id: s.weight for s in rules.signals})
    groups = pd.Series({s.id: s.group for s in rules.signals})
    scores = {}
    for g in GROUPS:
        ids = groups.index[groups == g]
        if len(ids) == 0:
            scores[g] = np.full(len(index), np.nan)
            continue
        v = votes_df[ids].to_numpy()
        w = weights[ids].to_numpy()
        wsum = (~np.isnan(v) * w).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores[g] = np.where(wsum > 0, np.nansum(v * w, axis=1) / wsum, np.nan)
    scores_df = pd.DataFrame(scores, index=index)

    # Raw verdict: first rule whose bounds all hold (NaN scores fail a bound).
    code = np.full(len(index), len(rules.verdicts) - 1)
    decided = np.zeros(len(index), dtype=bool)
    for k, vr in enumerate(rules.verdicts[:-1]):
        ok = np.ones(len(index), dtype=bool)
        any_data = np.zeros(len(index), dtype=bool)
        for g, (lo, hi) in vr.bounds.items():
            s = scores_df[g].to_numpy()
            known = ~np.isnan(s)
            any_data |= known
            # A group with no evidence that day (e.g. no member universe for the
            # participation signals) does not block a verdict; at least one bounded
            # group must have evidence.
            with np.errstate(invalid="ignore"):
                if lo is not None:
                    ok &= (s >= lo) | ~known
                if hi is not None:
                    ok &= (s <= hi) | ~known
        ok &= any_data
        take = ok & ~decided
        code[take] = k
        decided |= ok
    confirmed, run = _confirm(code, rules.confirm_days)
    names = np.array([v.name for v in rules.verdicts], dtype=object)
    conf = _confidence(rules, votes_df, weights, groups, scores_df)
    return RegimeHistory(rules=rules, values=values_df, votes=votes_df, scores=scores_df,
                         raw=pd.Series(names[code], index=index, name="raw_verdict"),
                         verdict=pd.Series(names[confirmed], index=index, name="verdict"),
                         confidence=conf, run_length=pd.Series(run, index=index))


def _confirm(code: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Hysteresis without a loop over days: a verdict is adopted on the day its run of
    consecutive days reaches ``days``; until then the previous adopted verdict stays."""
    n = len(code)
    start = np.r_[True, code[1:] != code[:-1]]
    run_id = np.cumsum(start) - 1
    run_start = np.flatnonzero(start)
    run_len_so_far = np.arange(n) - run_start[run_id] + 1
    if days <= 1:
        return code.copy(), run_len_so_far
    adopted = run_len_so_far >= days
    adopted[0] = True  # the first day's call stands until another is confirmed
    last_adopted = np.maximum.accumulate(np.where(adopted, np.arange(n), 0))
    return code[last_adopted], run_len_so_far


def _confidence(rules: RegimeRules, votes: pd.DataFrame, weights: pd.Series,
                groups: pd.Series, scores: pd.DataFrame) -> pd.DataFrame:
    out = {}
    v = votes.to_numpy()
    w = weights[votes.columns].to_numpy()
    g = groups[votes.columns].to_numpy()
    for vr in rules.verdicts:
        if not vr.bounds:
            # "Mixed" is confident when the main axes are balanced.
            main = np.abs(scores[list(MIXED_AXES)].to_numpy())
            out[vr.name] = 1.0 - np.nanmax(np.where(np.isnan(main), 0.0, main), axis=1)
            continue
        expected = np.array([vr.direction(x) for x in g], dtype=np.float64)
        relevant = expected != 0
        nonzero = (~np.isnan(v)) & (v != 0) & relevant
        agree = nonzero & (v == expected)
        den = (nonzero * w).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[vr.name] = np.where(den > 0, (agree * w).sum(axis=1) / den, 0.0)
    return pd.DataFrame(out, index=votes.index)


def regime_at(history: RegimeHistory, as_of: Any = None) -> RegimeResult:
    """The verdict and its evidence on ``as_of`` (default: the last date)."""
    index = history.verdict.index
    day = index[-1] if as_of is None else pd.Timestamp(as_of)
    pos = int(index.searchsorted(day, side="right")) - 1
    if pos < 0:
        raise DataError(f"regime_at(): no data on or before {day:%Y-%m-%d}")
    rules = history.rules
    verdict = str(history.verdict.iloc[pos])
    vr = next(v for v in rules.verdicts if v.name == verdict)
    date = index[pos]
    evidence = []
    for s in rules.signals:
        value = float(history.values[s.id].iloc[pos])
        vote = history.votes[s.id].iloc[pos]
        direction = vr.direction(s.group)
        if np.isnan(vote):
            stance, vote_out = "no data", None
        else:
            vote_out = int(vote)
            if vote_out == 0 or direction == 0:
                stance = "neutral"
            else:
                stance = "for" if vote_out == direction else "against"
        evidence.append(EvidenceItem(
            id=s.id, label=s.label, group=s.group, value=value,
            display=_fmt_value(value, s.measure.unit), threshold=s.threshold_text(),
            vote=vote_out, stance=stance, definition=s.measure.describe(),
            inputs=s.measure.tickers or ("sp500 breadth",), as_of=date, weight=s.weight))
    changed = history.verdict.iloc[: pos + 1]
    flips = np.flatnonzero(changed.to_numpy()[1:] != changed.to_numpy()[:-1])
    since = changed.index[flips[-1] + 1] if len(flips) else None
    return RegimeResult(
        as_of=date, verdict=verdict, description=vr.description,
        confidence=float(history.confidence[verdict].iloc[pos]),
        raw_verdict=str(history.raw.iloc[pos]), days_in_raw=int(history.run_length.iloc[pos]),
        since=since, scores={g: float(history.scores[g].iloc[pos]) for g in GROUPS},
        evidence=tuple(evidence), rules_source=rules.source)


def verdict_changes(history: RegimeHistory, start: Any = None, end: Any = None) -> pd.DataFrame:
    """Dates in [start, end] where the confirmed verdict changed (the first row is the
    verdict in force at ``start``): columns date, verdict, previous, confidence."""
    v = history.verdict
    lo = v.index[0] if start is None else pd.Timestamp(start)
    hi = v.index[-1] if end is None else pd.Timestamp(end)
    window = v.loc[lo:hi]
    if window.empty:
        raise DataError(f"verdict_changes(): no dates between {lo:%Y-%m-%d} and {hi:%Y-%m-%d}")
    arr = window.to_numpy()
    change = np.r_[True, arr[1:] != arr[:-1]]
    prev_pos = v.index.get_indexer(window.index[change]) - 1
    previous = [None if p < 0 or i == 0 else v.iloc[p]
                for i, p in enumerate(prev_pos)]
    dates = window.index[change]
    conf = [float(history.confidence.loc[d, name]) for d, name in zip(dates, arr[change],
                                                                      strict=True)]
    # object dtype keeps the first row's None: pandas 3 would infer a str column and turn
    # None into NaN (truthy), which crashed the `rotascope regime --from/--to` table.
    return pd.DataFrame({"date": dates, "verdict": arr[change],
                         "previous": pd.Series(previous, dtype=object, index=range(len(dates))),
                         "confidence": conf})


def regime(market: Any, *, rules: RegimeRules | None = None,
           universe: str = "sp500") -> RegimeResult:
    """The confirmed regime verdict on a market view's date, with its evidence.

    Parameters
    ----------
    market : a :class:`~rotascope.market_view.MarketView` (nothing after its date is read).
    rules : regime rules (default: the packaged rules, :func:`load_rules`).
    universe : member universe of the breadth signals.

    Examples
    --------
    >>> import rotascope
    >>> rotascope.regime(rotascope.market(as_of="2025-04-08")).verdict  # doctest: +SKIP
    'broad breakdown'
    """
    from .inputs import load_regime_inputs

    rules = rules or load_rules()
    inputs = load_regime_inputs(market, rules, universe=universe)
    return regime_history(inputs.close, inputs.breadth, rules).at(market.as_of)
