"""The functions alert conditions may call: a registry of named, typed callables.

Each entry maps a name (``ratio``, ``close``, ``sma``, ``range``, ``breadth``, ...) to a
:class:`FunctionSpec`: its parameters, the type of what it returns, and a callable that
computes the **whole history** as a time series from the store, up to the evaluation
date. Conditions are then evaluated over all dates at once (see
:mod:`rotascope.outputs.alerts.evaluate`).

Values
------
* a number series: ``pd.Series`` of float64 on the dates the input has (NaN = unknown);
* a text series: ``pd.Series`` of ``str`` / ``None`` (e.g. ``rsi_divergence``);
* a true/false series: ``pd.Series`` of pandas ``"boolean"`` dtype with ``<NA>``;
* a record: named fields read with ``.field`` (``range(SPY).floor``,
  ``breadth(sp500).pct_above_sma.50``); a record with a default field may be used
  directly (``ratio(MAGS, SPY) > 0.3`` reads ``.value``).

Every function reads the store with ``end=`` the evaluation date and is causal (the value
on a date uses only rows up to that date), so the history computed once for a
backtest equals what a daily run would have seen on each day.

A function whose implementing module has not landed (or cannot be imported) is still
known, so rules using it are parsed and type-checked; loading such rules for evaluation
fails with a "not available yet" message that names the module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import NoDataError, RuleError

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
    "FunctionUnavailableError",
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

_REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """One parameter of an alert function.

    ``kind``:
    ``"series"``  a ticker (its close) or any number-valued expression;
    ``"ticker"``  a ticker as stored (``SPY``, ``BRK-B``, ``^TNX``);
    ``"universe"`` a universe name (``sp500``, ``mag7``);
    ``"rows"``    a whole number of trading rows, or a window (``10d``, ``3m``);
    ``"window"``  like ``rows`` or ``ytd``;
    ``"number"``  a number (``4%`` allowed);
    ``"choice"``  one of ``choices`` (a name or a string).
    """

    name: str
    kind: str
    default: Any = _REQUIRED
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def describe(self) -> str:
        text = {"series": "a ticker or a number series", "ticker": "a ticker",
                "universe": "a universe name", "rows": "a whole number of rows or a window "
                "like 10d/3m", "window": "a window like 10d, 3m, 1y, ytd or a number of rows",
                "number": "a number", "choice": "one of " + ", ".join(self.choices)}[self.kind]
        return text


@dataclass(frozen=True)
class FunctionSpec:
    """A function alert conditions may call.

    ``compute(ctx, args)`` returns the value's whole history up to ``ctx.end``;
    ``args`` maps parameter names to bound values (a ``pd.Series`` for ``series``, a
    ``str`` for tickers/universes/choices, ``int`` rows, ``int | "ytd"`` windows,
    ``float`` numbers). ``needs`` lists ``"module:attribute"`` the function calls;
    until all import, :meth:`unavailable` says which one is missing.
    """

    name: str
    params: tuple[Param, ...]
    result: Type
    compute: Callable[[EvalContext, dict[str, Any]], Any]
    needs: tuple[str, ...]
    summary: str
    example: str = ""

    def unavailable(self) -> str | None:
        """None when every module the function needs imports; else why not."""
        for ref in self.needs:
            module, _, attr = ref.partition(":")
            try:
                mod = importlib.import_module(module)
            except ImportError as exc:
                return (f"function {self.name}() is not available yet: {module} cannot be "
                        f"imported ({exc}); it arrives with its module")
            if attr and not hasattr(mod, attr):
                return (f"function {self.name}() is not available yet: {module} has no "
                        f"{attr}() yet")
        return None

    def signature(self) -> str:
        parts = []
        for p in self.params:
            parts.append(p.name if p.required else f"{p.name}={_show_default(p.default)}")
        return f"{self.name}({', '.join(parts)})"


def _show_default(value: Any) -> str:
    if isinstance(value, float) and 0 < abs(value) < 1:
        return f"{value * 100:g}%"
    return str(value)


class FunctionUnavailableError(RuleError):
    """A rule calls a function whose implementing module has not landed yet."""


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
    """What functions read: the store up to ``end``, with caches shared by all rules.

    Parameters
    ----------
    store : an open :class:`~rotascope.data.store.Store`.
    end : the evaluation date; nothing after it is read (None: everything).
    settings : where user universes live (for ``breadth``); None reads the environment.
    """

    def __init__(self, store: Any, end: pd.Timestamp | None = None, settings: Any = None
                 ) -> None:
        self.store = store
        self.end = None if end is None else pd.Timestamp(end).normalize()
        self.settings = settings
        self.memo: dict[str, Any] = {}
        self._closes: dict[str, pd.Series] = {}

    def prefetch(self, tickers: Sequence[str]) -> None:
        """Load the closes of ``tickers`` in one query."""
        wanted = [t for t in dict.fromkeys(tickers) if t not in self._closes]
        if not wanted:
            return
        frame = self.store.close_matrix(wanted, end=self.end)
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

def _load(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


def _clean(s: pd.Series) -> pd.Series:
    """Drop NaN rows (gaps) so a signal computes over the series' own valid rows."""
    s = s.astype(np.float64)
    return s[s.notna()]


def _close(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    return ctx.close(a["ticker"]).astype(np.float64)


_RATIO_FIELDS = ("value", "change_1m", "change_3m", "change_6m", "pct_vs_sma50",
                 "pct_vs_sma200", "lowest_in_months", "highest_in_months")


def _ratio(ctx: EvalContext, a: dict[str, Any]) -> Record:
    ratio_history = _load("rotascope.analysis.ratio:ratio_history")
    num, den = a["numerator"], a["denominator"]
    frame = ctx.close_frame([num, den])
    hist = ratio_history(frame, [(num, den)])
    value = hist["value"].iloc[:, 0]
    valid = value.notna().to_numpy()
    fields = {f: hist[f].iloc[:, 0][valid].astype(np.float64) for f in _RATIO_FIELDS}
    return Record(_RATIO_TYPE, fields)


def _perf(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    total_return = _load("rotascope.signals.returns:total_return")
    return total_return(_clean(a["series"]), a["window"])


def _months_extreme(side: str) -> Callable[[EvalContext, dict[str, Any]], pd.Series]:
    def compute(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
        months_extreme = _load("rotascope.signals.extremes:months_extreme")
        return months_extreme(_clean(a["series"]), side=side,
                              max_months=int(a["max_months"]))
    return compute


def _drawdown(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    return _load("rotascope.signals.drawdown:drawdown")(_clean(a["series"]))


def _worst_decline(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    return _load("rotascope.signals.drawdown:worst_decline")(_clean(a["series"]),
                                                             int(a["window"]))


def _rebound(ctx: EvalContext, a: dict[str, Any]) -> Record:
    rebound = _load("rotascope.signals.drawdown:rebound")
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
    detect_range = _load("rotascope.signals.ranges:detect_range")
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


def _moving_average(kind: str) -> Callable[[EvalContext, dict[str, Any]], pd.Series]:
    def compute(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
        func = _load(f"rotascope.signals.averages:{kind}")
        return func(_clean(a["series"]), int(a["window"]))
    return compute


def _rsi(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    return _load("rotascope.signals.momentum:rsi")(_clean(a["series"]), int(a["window"]))


def _rsi_divergence(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    rsi = _load("rotascope.signals.momentum:rsi")
    divergence = _load("rotascope.signals.divergence:rsi_divergence")
    s = _clean(a["series"])
    values = divergence(s, rsi(s, 14), window=int(a["window"])).to_numpy(dtype=np.float64)
    out = np.full(len(values), None, dtype=object)
    out[values == -1.0] = "bearish"
    out[values == 1.0] = "bullish"
    out[values == 0.0] = "none"
    return pd.Series(out, index=s.index)


def _rsi_fading(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    rsi = _load("rotascope.signals.momentum:rsi")
    fading = _load("rotascope.signals.divergence:rsi_lower_highs_lower_lows")
    s = _clean(a["series"])
    values = np.asarray(fading(s, rsi(s, 14), window=int(a["window"])), dtype=np.float64)
    out = pd.array(values > 0.5, dtype="boolean")
    out[np.isnan(values)] = pd.NA
    return pd.Series(out, index=s.index)


def _rolling(kind: str) -> Callable[[EvalContext, dict[str, Any]], pd.Series]:
    def compute(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
        return _load(f"rotascope.signals.rolling:{kind}")(_clean(a["series"]),
                                                          int(a["window"]))
    return compute


def _pct_vs_ma(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    return _load("rotascope.signals.averages:pct_vs_ma")(_clean(a["series"]), int(a["window"]),
                                                         kind=a["kind"])


def _ma_slope(ctx: EvalContext, a: dict[str, Any]) -> pd.Series:
    return _load("rotascope.signals.averages:ma_slope")(_clean(a["series"]), int(a["window"]),
                                                        int(a["k"]), kind=a["kind"])


def _universe_breadth(ctx: EvalContext, universe: str) -> pd.DataFrame:
    """Breadth history of a universe (point-in-time members), shared by breadth/regime."""
    key = f"<breadth history {universe}>"
    if key not in ctx.memo:
        universe_breadth = _load("rotascope.analysis.inputs:universe_breadth")
        hist = universe_breadth(ctx.store, universe, end=ctx.end, settings=ctx.settings)
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
    from pathlib import Path

    regime = importlib.import_module("rotascope.analysis.regime")
    inputs = importlib.import_module("rotascope.analysis.inputs")
    home = getattr(ctx.settings, "home", None)
    if home is None:
        from ...config import Settings

        home = Settings.from_env().home
    user = Path(home) / "regime.yaml"
    rules = regime.load_rules(user if user.exists() else None)
    loaded = inputs.load_regime_inputs(ctx.store, rules, end=ctx.end, universe=a["universe"],
                                       settings=ctx.settings)
    hist = regime.regime_history(loaded.close, loaded.breadth, rules)
    verdict = hist.verdict.astype(object)
    conf = hist.confidence.reindex(columns=list(REGIMES))
    pos = pd.Index(REGIMES).get_indexer(verdict.to_numpy())
    values = conf.to_numpy(dtype=np.float64)
    picked = np.where(pos >= 0, values[np.arange(len(values)), np.clip(pos, 0, None)], np.nan)
    scores = Record(_REGIME_TYPE.fields["scores"],  # type: ignore[arg-type]
                    {g: hist.scores[g].astype(np.float64) for g in regime.GROUPS})
    return Record(_REGIME_TYPE, {"verdict": verdict, "raw": hist.raw.astype(object),
                                 "confidence": pd.Series(picked, index=verdict.index),
                                 "scores": scores})


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


_SPECS: list[FunctionSpec] = [
    FunctionSpec("close", (Param("ticker", "ticker"),), NUMBER, _close, (),
                 "the ticker's adjusted close", "close(SPY) < range(SPY).floor"),
    FunctionSpec("ratio", (Param("numerator", "ticker"), Param("denominator", "ticker")),
                 _RATIO_TYPE, _ratio, ("rotascope.analysis.ratio:ratio_history",),
                 "the ratio line A/B and its fields (as `rotascope ratio`); default .value",
                 "ratio(MAGS, SPY).lowest_in_months >= 4"),
    FunctionSpec("perf", (_series(), Param("window", "window")), NUMBER, _perf,
                 ("rotascope.signals.returns:total_return",),
                 "total return over a window (10d, 1m, 3m, 6m, 1y, ytd, or rows)",
                 "perf(RSP, 1m) - perf(SPY, 1m) > 2%"),
    FunctionSpec("ret", (_series(), Param("window", "window")), NUMBER, _perf,
                 ("rotascope.signals.returns:total_return",), "alias of perf()",
                 "ret(IBIT, 1w) < -10%"),
    FunctionSpec("lowest_in_months", (_series(), Param("max_months", "rows", 24, 1)), NUMBER,
                 _months_extreme("low"), ("rotascope.signals.extremes:months_extreme",),
                 "N of an N-month low (0 when none)", "lowest_in_months(IWM) >= 6"),
    FunctionSpec("highest_in_months", (_series(), Param("max_months", "rows", 24, 1)), NUMBER,
                 _months_extreme("high"), ("rotascope.signals.extremes:months_extreme",),
                 "N of an N-month high (0 when none)", "highest_in_months(RSP) >= 12"),
    FunctionSpec("drawdown", (_series(),), NUMBER, _drawdown,
                 ("rotascope.signals.drawdown:drawdown",),
                 "fall from the running peak (<= 0)", "drawdown(IBIT) <= -25%"),
    FunctionSpec("worst_decline", (_series(), Param("window", "rows", 10, 1)), NUMBER,
                 _worst_decline, ("rotascope.signals.drawdown:worst_decline",),
                 "worst fall inside the trailing window of daily returns",
                 "worst_decline(IBIT, 10) <= -20%"),
    FunctionSpec("rebound", (_series(), Param("window", "rows", 252, 2),
                             Param("min_decline", "number", 0.10, 0.0, 1.0)),
                 _REBOUND_TYPE, _rebound, ("rotascope.signals.drawdown:rebound",),
                 "how much of the latest decline is back (.retraced, .days, .shape)",
                 'rebound(IBIT).shape == "weak bounce"'),
    FunctionSpec("range", (_series(), Param("width", "number", 0.04, 0.0),
                           Param("min_days", "rows", 30, 2)),
                 _RANGE_TYPE, _range, ("rotascope.signals.ranges:detect_range",),
                 "the sideways range going into each day (.floor, .ceiling, .days, .in_range)",
                 "close(SPY) < range(SPY).floor"),
    FunctionSpec("sma", (_series(), Param("window", "rows", 50, 1)), NUMBER,
                 _moving_average("sma"), ("rotascope.signals.averages:sma",),
                 "simple moving average", "close(SPY) < sma(SPY, 200)"),
    FunctionSpec("ema", (_series(), Param("window", "rows", 20, 1)), NUMBER,
                 _moving_average("ema"), ("rotascope.signals.averages:ema",),
                 "exponential moving average", "close(QQQ) crosses_below ema(QQQ, 50)"),
    FunctionSpec("rsi", (_series(), Param("window", "rows", 14, 2)), NUMBER, _rsi,
                 ("rotascope.signals.momentum:rsi",), "Wilder RSI (0-100)",
                 "rsi(SPY) > 70"),
    FunctionSpec("rsi_divergence", (_series(), Param("window", "rows", 60, 1)),
                 SeriesType("text", ("bearish", "bullish", "none")), _rsi_divergence,
                 ("rotascope.signals.momentum:rsi",
                  "rotascope.signals.divergence:rsi_divergence"),
                 'RSI(14) divergence on the latest swings: "bearish", "bullish" or "none"',
                 'rsi_divergence(SPY) == "bearish"'),
    FunctionSpec("rsi_lower_highs_lower_lows", (_series(), Param("window", "rows", 60, 1)),
                 BOOL, _rsi_fading,
                 ("rotascope.signals.momentum:rsi",
                  "rotascope.signals.divergence:rsi_lower_highs_lower_lows"),
                 "RSI(14) printing lower highs and lower lows while the price holds up",
                 "rsi_lower_highs_lower_lows(QQQ)"),
    FunctionSpec("pct_vs_ma", (_series(), Param("window", "rows", 50, 1),
                               Param("kind", "choice", "sma", choices=("sma", "ema"))),
                 NUMBER, _pct_vs_ma, ("rotascope.signals.averages:pct_vs_ma",),
                 "close / its moving average - 1", "pct_vs_ma(SPY, 200) < 0"),
    FunctionSpec("ma_slope", (_series(), Param("window", "rows", 50, 1),
                              Param("k", "rows", 20, 1),
                              Param("kind", "choice", "sma", choices=("sma", "ema"))),
                 NUMBER, _ma_slope, ("rotascope.signals.averages:ma_slope",),
                 "slope of the moving average over k rows: ma / ma k rows earlier - 1",
                 "ma_slope(SPY, 200, 20) crosses_below 0"),
    FunctionSpec("rolling_max", (_series(), Param("window", "rows", 252, 1)), NUMBER,
                 _rolling("rolling_max"), ("rotascope.signals.rolling:rolling_max",),
                 "highest value of the trailing window", "close(SPY) >= rolling_max(SPY, 252)"),
    FunctionSpec("rolling_min", (_series(), Param("window", "rows", 252, 1)), NUMBER,
                 _rolling("rolling_min"), ("rotascope.signals.rolling:rolling_min",),
                 "lowest value of the trailing window", "close(SPY) <= rolling_min(SPY, 252)"),
    FunctionSpec("breadth", (Param("universe", "universe"),), _BREADTH_TYPE, _breadth,
                 ("rotascope.analysis.inputs:universe_breadth",
                  "rotascope.analysis.breadth:breadth_history"),
                 "breadth of a universe, point-in-time members (.pct_above_sma.20/50/200, "
                 ".new_highs, .new_lows, .net_new_highs, .ad_line, .mcclellan_oscillator, "
                 ".mcclellan_summation, .counted, .members)",
                 "breadth(sp500).pct_above_sma.50 crosses_below 0.5"),
    FunctionSpec("regime", (Param("universe", "universe", "sp500"),), _REGIME_TYPE, _regime,
                 ("rotascope.analysis.regime:regime_history",
                  "rotascope.analysis.inputs:load_regime_inputs"),
                 "the confirmed regime verdict (default .verdict; .raw, .confidence, "
                 ".scores.risk/.breadth/.defensive); breadth signals read the universe",
                 "regime changed"),
]

#: name -> spec of every function a condition may call.
REGISTRY: dict[str, FunctionSpec] = {s.name: s for s in _SPECS}


def function_names() -> list[str]:
    """Names of every known function, sorted."""
    return sorted(REGISTRY)

