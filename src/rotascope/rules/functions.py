"""The functions conditions (alerts, scans, strategies) may call: named, typed callables.

Each entry maps a name (``ratio``, ``close``, ``sma``, ``range``, ``breadth``, ...) to a
:class:`FunctionSpec`: its parameters, the type of what it returns, and a callable that
computes the **whole history** as a time series from a market view, up to its as-of
date. Conditions are then evaluated over all dates at once (see
:mod:`rotascope.rules.evaluate`). Number-valued indicators come from
:data:`rotascope.signals.registry.INDICATORS` (declared once there); this module adds
the records (``ratio``, ``range``, ``rebound``, ``breadth``, ``regime``) and text values.

Values
------
* a number series: ``pd.Series`` of float64 on the dates the input has (NaN = unknown);
* a text series: ``pd.Series`` of ``str`` / ``None`` (e.g. ``rsi_divergence``);
* a true/false series: ``pd.Series`` of pandas ``"boolean"`` dtype with ``<NA>``;
* a record: named fields read with ``.field`` (``range(SPY).floor``,
  ``breadth(sp500).pct_above_sma.50``); a record with a default field may be used
  directly (``ratio(MAGS, SPY) > 0.3`` reads ``.value``).

Every function reads the market view (nothing after its as-of date) and is causal (the
value on a date uses only rows up to that date), so the history computed once for a
backtest equals what a daily run would have seen on each day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis import regime as _regime_mod
from ..analysis.inputs import load_regime_inputs, universe_breadth
from ..analysis.ratio import ratio_history
from ..errors import NoDataError
from ..signals.divergence import rsi_divergence, rsi_lower_highs_lower_lows
from ..signals.drawdown import rebound
from ..signals.momentum import rsi
from ..signals.ranges import detect_range
from ..signals.registry import INDICATORS, MAX_ROWS, Indicator, Param

if TYPE_CHECKING:
    from ..market_view import MarketView

__all__ = [
    "NUMBER",
    "TEXT",
    "BOOL",
    "SeriesType",
    "RecordType",
    "Param",
    "FunctionSpec",
    "Record",
    "EvalContext",
    "REGISTRY",
    "function_names",
]


# -- types -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SeriesType:
    """A time series of numbers, text or true/false; ``choices`` lists known text values."""

    kind: str  # "number" | "text" | "bool"
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "text" and self.choices:
            return "text (" + ", ".join(repr(c) for c in self.choices) + ")"
        return {"number": "a number", "text": "text", "bool": "true/false"}[self.kind]


NUMBER = SeriesType("number")
TEXT = SeriesType("text")
BOOL = SeriesType("bool")


@dataclass(frozen=True)
class RecordType:
    """Named fields (each a SeriesType or RecordType); ``default`` is read when no field is."""

    fields: Mapping[str, SeriesType | RecordType]
    default: str | None = None

    def describe(self) -> str:
        return "a record with fields " + ", ".join("." + f for f in self.fields)


Type = SeriesType | RecordType


# -- parameters --------------------------------------------------------------------------

# Param is declared once beside the indicators (rotascope.signals.registry).

@dataclass(frozen=True)
class FunctionSpec:
    """A function conditions may call.

    ``compute(ctx, args)`` returns the value's whole history up to ``ctx.end``;
    ``args`` maps parameter names to bound values (a ``pd.Series`` for ``series``, a
    ``str`` for tickers/universes/choices, ``int`` rows, ``int | "ytd"`` windows,
    ``float`` numbers).
    """

    name: str
    params: tuple[Param, ...]
    result: Type
    compute: Callable[[EvalContext, dict[str, Any]], Any]
    summary: str
    example: str = ""

    def signature(self) -> str:
        parts = []
        for p in self.params:
            parts.append(p.name if p.required else f"{p.name}={_show_default(p.default)}")
        return f"{self.name}({', '.join(parts)})"


def _show_default(value: Any) -> str:
    if isinstance(value, float) and 0 < abs(value) < 1:
        return f"{value * 100:g}%"
    return str(value)


@dataclass
class Record:
    """A record value: ``fields`` maps names to series, records, or zero-argument callables
    that compute them on first access."""

    type: RecordType
    fields: dict[str, Any]

    def get(self, name: str) -> Any:
        value = self.fields[name]
        if callable(value) and not isinstance(value, (pd.Series, Record)):
            value = value()
            self.fields[name] = value
        return value


# -- evaluation context ------------------------------------------------------------------

class EvalContext:
    """What functions read: a market view (nothing after its as-of date), with caches
    shared by all rules of a run.

    Parameters
    ----------
    market : a :class:`~rotascope.market.MarketView`; its ``as_of`` is the evaluation
        date (the end of every history).
    regime_rules : the regime rules ``regime()`` uses (a loaded rules object; default the
        built-in rules). The edge resolves the user's file, not this module.
    """

    def __init__(self, market: MarketView, *, regime_rules: Any = None) -> None:
        self.market = market
        self.end: pd.Timestamp | None = market.as_of
        self.regime_rules = regime_rules
        self.memo: dict[str, Any] = {}
        self._closes: dict[str, pd.Series] = {}

    @property
    def known_tickers(self) -> set[str]:
        return set(self.market.tickers)

    def prefetch(self, tickers: Sequence[str]) -> None:
        """Load the closes of ``tickers`` in one query."""
        wanted = [t for t in dict.fromkeys(tickers) if t not in self._closes]
        if not wanted:
            return
        frame = self.market.close(wanted)
        for t in wanted:
            col = frame[t]
            self._closes[t] = col[col.notna()].rename(t)

    def close(self, ticker: str) -> pd.Series:
        """The ticker's closes on its own trading days up to ``end`` (no NaN rows)."""
        if ticker not in self._closes:
            self.prefetch([ticker])
        return self._closes[ticker]

    def close_frame(self, tickers: Sequence[str]) -> pd.DataFrame:
        """Closes of several tickers on the union of their dates (NaN where one lacks a row)."""
        self.prefetch(tickers)
        return pd.concat([self._closes[t] for t in tickers], axis=1, join="outer", sort=True,
                         keys=list(tickers)).sort_index()


# -- implementations ---------------------------------------------------------------------

def _clean(s: pd.Series) -> pd.Series:
    """Drop NaN rows (gaps) so a signal computes over the series' own valid rows."""
    s = s.astype(np.float64)
    return s[s.notna()]


def _close(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    return ctx.close(a["ticker"]).astype(np.float64)


_RATIO_FIELDS = ("value", "change_1m", "change_3m", "change_6m", "pct_vs_sma50",
                 "pct_vs_sma200", "lowest_in_months", "highest_in_months")


def _ratio(ctx: EvalContext, a: dict[str, Any]) -> Record:
    num, den = a["numerator"], a["denominator"]
    frame = ctx.close_frame([num, den])
    hist = ratio_history(frame, [(num, den)])
    value = hist["value"].iloc[:, 0]
    valid = value.notna().to_numpy()
    fields = {f: hist[f].iloc[:, 0][valid].astype(np.float64) for f in _RATIO_FIELDS}
    return Record(_RATIO_TYPE, fields)


def _indicator(ind: Indicator) -> Callable[[EvalContext, dict[str, Any]], pd.Series]:
    names = [p.name for p in ind.params]

    def compute(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
        return ind.compute(_clean(a["series"]), **{n: a[n] for n in names})
    return compute


def _rebound(ctx: EvalContext, a: dict[str, Any]) -> Record:
    r = rebound(_clean(a["series"]), window=int(a["window"]),
             min_decline=float(a["min_decline"]))

    def shape() -> pd.Series:
        labels = r.shape()
        return labels.where(labels.notna(), None).astype(object)

    return Record(_REBOUND_TYPE, {"retraced": r.retraced.astype(np.float64),
                                  "days": r.days.astype(np.float64),
                                  "decline": r.decline.astype(np.float64),
                                  "shape": shape})


def _range(ctx: EvalContext, a: dict[str, Any]) -> Record:
    s = _clean(a["series"])
    r = detect_range(s, width=float(a["width"]), min_days=int(a["min_days"]))
    # The line in the sand going into each day is the range of the previous close:
    # today's close is compared with yesterday's floor and ceiling (a close below
    # today's own floor is impossible, since today's band includes it).
    prev_in = r.in_range.shift(1)
    fields = {
        "floor": r.floor.shift(1).astype(np.float64),
        "ceiling": r.ceiling.shift(1).astype(np.float64),
        "days": r.days.shift(1).astype(np.float64),
        "in_range": _bool_series(prev_in.to_numpy(dtype=object), s.index, first_na=True),
    }
    return Record(_RANGE_TYPE, fields)


def _bool_series(values: np.ndarray, index: pd.Index, *, first_na: bool = False
                 ) -> pd.Series:
    arr = pd.array(values, dtype="boolean")
    if first_na and len(arr):
        arr[0] = pd.NA
    return pd.Series(arr, index=index)


def _rsi_divergence(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    s = _clean(a["series"])
    values = rsi_divergence(s, rsi(s, 14),
                                        window=int(a["window"])).to_numpy(dtype=np.float64)
    out = np.full(len(values), None, dtype=object)
    out[values == -1.0] = "bearish"
    out[values == 1.0] = "bullish"
    out[values == 0.0] = "none"
    return pd.Series(out, index=s.index)


def _rsi_fading(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    s = _clean(a["series"])
    values = np.asarray(rsi_lower_highs_lower_lows(
        s, rsi(s, 14), window=int(a["window"])), dtype=np.float64)
    out = pd.array(values > 0.5, dtype="boolean")
    out[np.isnan(values)] = pd.NA
    return pd.Series(out, index=s.index)


def _universe_breadth(ctx: EvalContext, universe: str) -> pd.DataFrame:
    """Breadth history of a universe (point-in-time members), shared by breadth/regime."""
    key = f"<breadth history {universe}>"
    if key not in ctx.memo:
        hist = universe_breadth(ctx.market, universe)
        if hist is None:
            raise NoDataError(f"breadth({universe}): the universe has no member with prices "
                              "in the store; import its members' prices first")
        ctx.memo[key] = hist
    return ctx.memo[key]


def _breadth(ctx: EvalContext, a: dict[str, Any]) -> Record:
    hist = _universe_breadth(ctx, a["universe"])

    def col(name: str) -> pd.Series:
        return hist[name].astype(np.float64)

    pct = Record(_BREADTH_TYPE.fields["pct_above_sma"],  # type: ignore[arg-type]
                 {w: col(f"pct_above_sma_{w}") for w in ("20", "50", "200")})
    fields: dict[str, Any] = {"pct_above_sma": pct, "counted": col("with_close"),
                              "members": col("members")}
    for name in ("new_highs", "new_lows", "net_new_highs", "ad_line", "mcclellan_oscillator",
                 "mcclellan_summation"):
        fields[name] = col(name)
    return Record(_BREADTH_TYPE, fields)


def _regime(ctx: EvalContext, a: dict[str, Any]) -> Record:
    # One regime history per universe and run, however many rules read it.
    key = f"<regime {a['universe']}>"
    if key in ctx.memo:
        return ctx.memo[key]
    rules = ctx.regime_rules if ctx.regime_rules is not None else _regime_mod.load_rules(None)
    loaded = load_regime_inputs(ctx.market, rules, universe=a["universe"])
    hist = _regime_mod.regime_history(loaded.close, loaded.breadth, rules)
    verdict = hist.verdict.astype(object)
    conf = hist.confidence.reindex(columns=list(REGIMES))
    pos = pd.Index(REGIMES).get_indexer(verdict.to_numpy())
    values = conf.to_numpy(dtype=np.float64)
    picked = np.where(pos >= 0, values[np.arange(len(values)), np.clip(pos, 0, None)], np.nan)
    scores = Record(_REGIME_TYPE.fields["scores"],  # type: ignore[arg-type]
                    {g: hist.scores[g].astype(np.float64) for g in _regime_mod.GROUPS})
    record = Record(_REGIME_TYPE, {"verdict": verdict, "raw": hist.raw.astype(object),
                                   "confidence": pd.Series(picked, index=verdict.index),
                                   "scores": scores})
    ctx.memo[key] = record
    return record


# -- record types ------------------------------------------------------------------------

_RATIO_TYPE = RecordType({f: NUMBER for f in _RATIO_FIELDS}, default="value")
_REBOUND_TYPE = RecordType({"retraced": NUMBER, "days": NUMBER, "decline": NUMBER,
                            "shape": SeriesType("text", ("V-shaped", "slow recovery",
                                                         "in progress", "weak bounce"))})
_RANGE_TYPE = RecordType({"floor": NUMBER, "ceiling": NUMBER, "days": NUMBER, "in_range": BOOL})
_BREADTH_TYPE = RecordType({
    "pct_above_sma": RecordType({"20": NUMBER, "50": NUMBER, "200": NUMBER}),
    "new_highs": NUMBER, "new_lows": NUMBER, "net_new_highs": NUMBER, "ad_line": NUMBER,
    "mcclellan_oscillator": NUMBER, "mcclellan_summation": NUMBER, "counted": NUMBER,
    "members": NUMBER,
})
#: The regime groups (rotascope.analysis.regime.GROUPS; a test keeps them equal).
_REGIME_GROUPS = ("risk", "participation", "leadership", "defensive")
#: The regime verdicts (rotascope.analysis.regime.VERDICTS).
REGIMES = ("broad breakdown", "defensive rotation", "broadening rotation", "narrow leadership",
           "mixed")
_REGIME_TYPE = RecordType({"verdict": SeriesType("text", REGIMES),
                           "raw": SeriesType("text", REGIMES), "confidence": NUMBER,
                           "scores": RecordType({g: NUMBER for g in _REGIME_GROUPS})},
                          default="verdict")


# -- the registry ------------------------------------------------------------------------

def _series(name: str = "series") -> Param:
    return Param(name, "series")


def _from_indicator(ind: Indicator) -> FunctionSpec:
    return FunctionSpec(ind.name, (_series(), *ind.params), NUMBER, _indicator(ind),
                        ind.summary, ind.example)


_SPECS: list[FunctionSpec] = [
    FunctionSpec("close", (Param("ticker", "ticker"),), NUMBER, _close,
                 "the ticker's adjusted close", "close(SPY) < range(SPY).floor"),
    FunctionSpec("ratio", (Param("numerator", "ticker"), Param("denominator", "ticker")),
                 _RATIO_TYPE, _ratio,
                 "the ratio line A/B and its fields (as `rotascope ratio`); default .value",
                 "ratio(MAGS, SPY).lowest_in_months >= 4"),
    *(_from_indicator(ind) for ind in INDICATORS),
    FunctionSpec("rebound", (_series(), Param("window", "rows", 252, 2, MAX_ROWS),
                             Param("min_decline", "number", 0.10, 0.0, 1.0)),
                 _REBOUND_TYPE, _rebound,
                 "how much of the latest decline is back (.retraced, .days, .shape)",
                 'rebound(IBIT).shape == "weak bounce"'),
    FunctionSpec("range", (_series(), Param("width", "number", 0.04, 0.0, 10.0),
                           Param("min_days", "rows", 30, 2, MAX_ROWS)),
                 _RANGE_TYPE, _range,
                 "the sideways range going into each day (.floor, .ceiling, .days, .in_range)",
                 "close(SPY) < range(SPY).floor"),
    FunctionSpec("rsi_divergence", (_series(), Param("window", "rows", 60, 1, MAX_ROWS)),
                 SeriesType("text", ("bearish", "bullish", "none")), _rsi_divergence,
                 'RSI(14) divergence on the latest swings: "bearish", "bullish" or "none"',
                 'rsi_divergence(SPY) == "bearish"'),
    FunctionSpec("rsi_lower_highs_lower_lows",
                 (_series(), Param("window", "rows", 60, 1, MAX_ROWS)), BOOL, _rsi_fading,
                 "RSI(14) printing lower highs and lower lows while the price holds up",
                 "rsi_lower_highs_lower_lows(QQQ)"),
    FunctionSpec("breadth", (Param("universe", "universe"),), _BREADTH_TYPE, _breadth,
                 "breadth of a universe, point-in-time members (.pct_above_sma.20/50/200, "
                 ".new_highs, .new_lows, .net_new_highs, .ad_line, .mcclellan_oscillator, "
                 ".mcclellan_summation, .counted, .members)",
                 "breadth(sp500).pct_above_sma.50 crosses_below 0.5"),
    FunctionSpec("regime", (Param("universe", "universe", "sp500"),), _REGIME_TYPE, _regime,
                 "the confirmed regime verdict (default .verdict; .raw, .confidence, "
                 ".scores.risk/.participation/.leadership/.defensive); breadth signals read "
                 "the universe",
                 "regime changed"),
]

#: name -> spec of every function a condition may call.
REGISTRY: dict[str, FunctionSpec] = {s.name: s for s in _SPECS}


def function_names() -> list[str]:
    """Names of every known function, sorted."""
    return sorted(REGISTRY)
