"""The figure registry: every number the note prints, with its definition and inputs.

A :class:`Figure` is one computed number: ``id`` (stable, dotted: ``index.SPY.rsi_14``),
``value`` (full precision), ``display`` (exactly as printed in the note, e.g.
``"+10.5%"``), ``definition`` (in words), ``inputs`` (series and windows), ``as_of``
(the date it is measured on), plus ``kind`` and ``unit``. ``kind`` names the formula
(one of :data:`FIGURE_KINDS`) so anyone can recompute the value from the store with
``inputs``; ``unit`` picks the display format (:data:`UNITS`).

Text never contains a raw number: the narrative writes placeholders ``⟦id⟧`` that the
renderers replace with the figure's ``display`` (:func:`fill`), so every number in the
note is a figure of the registry and appears in ``note.json``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..._fmt import is_missing, num, pct, ratio_value
from ...errors import ParameterError

__all__ = ["Figure", "FigureRegistry", "UNITS", "FIGURE_KINDS", "format_value", "fill",
           "placeholders", "PLACEHOLDER"]

#: Placeholder syntax inside narrative templates: ⟦figure id⟧.
PLACEHOLDER = re.compile(r"⟦([^⟦⟧]+)⟧")

#: Display formats. Each maps a value to the exact text printed in the note.
UNITS: dict[str, str] = {
    "pct": "signed percent, 1 decimal: 0.1053 -> +10.5%",
    "pct_abs": "unsigned percent, 1 decimal: -0.253 -> 25.3%",
    "share": "share as a percent, no decimals: 0.624 -> 62%",
    "pp": "difference of fractions in percentage points: 0.021 -> +2.1 pp",
    "pp_abs": "unsigned percentage points: -0.021 -> 2.1 pp",
    "bp": "difference of yields quoted in percent, in basis points: 0.25 -> +25 bp",
    "bp_abs": "unsigned basis points: -0.25 -> 25 bp",
    "yield": "a yield quoted in percent, 2 decimals: 4.567 -> 4.57%",
    "level": "a price level, 2 decimals with separators: 6812.5 -> 6,812.50",
    "ratio": "a ratio level, 4 significant digits: 0.53125 -> 0.5312",
    "index": "an index value, 1 decimal: 56.25 -> 56.2 (RSI, RS-Ratio)",
    "index_abs": "an unsigned index distance, 1 decimal: -2.94 -> 2.9",
    "count": "an integer with separators: 1234 -> 1,234",
    "corr": "a correlation, 2 decimals: 0.4567 -> 0.46",
    "score": "a score in [-1, 1], signed, 2 decimals: 0.333 -> +0.33",
}

#: Formulas of the figures (``kind``); ``inputs`` holds their series and windows. Rows
#: are each series' own trading rows; "as of" reads rows on or before ``as_of``.
FIGURE_KINDS: dict[str, str] = {
    "portfolio_metric": "inputs.metric of the constant-mix portfolio inputs.weights (or of "
                        "inputs.benchmark when inputs.of is 'benchmark') over the last "
                        "inputs.window daily returns on sessions where every holding and the "
                        "benchmark have a close (docs/portfolio.md)",
    "close": "last close of inputs.series[0]",
    "return": "close / close inputs.window rows earlier - 1 ('ytd': vs the last close of "
              "the previous calendar year)",
    "return_spread": "return of series[0] - return of series[1] over inputs.window",
    "return_since": "close / close on inputs.since - 1 (the last close on or before it)",
    "pct_vs_level": "close of series[0] / inputs.level - 1 (a level of figure inputs.of)",
    "basket_return": "equal-weight basket rebalanced daily (mean daily return of the members "
                     "with a return that day; inputs.universe members point in time without "
                     "inputs.exclude, or inputs.series), compounded over its last "
                     "inputs.window rows",
    "basket_spread": "basket return of inputs.series minus that of the universe's other "
                     "members over inputs.window",
    "count_above_sma": "members whose close is above their inputs.window-row simple average",
    "count_members": "members with a close (and enough history for inputs.window)",
    "ratio": "series[0] / series[1] on the dates both have a close",
    "ratio_return": "ratio / ratio inputs.window ratio rows earlier - 1",
    "ratio_pct_vs_sma": "ratio / its inputs.window-row simple average - 1",
    "ratio_months_extreme": "largest N (months of 21 rows, <= 24) such that the ratio is "
                            "strictly below (side=low) / above (side=high) every value of "
                            "the previous N x 21 ratio rows",
    "pct_vs_sma": "close / its inputs.window-row simple average - 1",
    "sma": "simple average of the last inputs.window closes",
    "sma_slope": "sma[t] / sma[t - inputs.k] - 1 of the inputs.window-row average",
    "rsi": "Wilder RSI over inputs.window changes (TA-Lib RSI)",
    "pct_from_high": "close / highest close of the last inputs.window rows - 1",
    "drawdown": "close / highest close since the first row - 1",
    "worst_decline": "worst close[j] / close[i] - 1 (i <= j) within the last inputs.window "
                     "+ 1 closes",
    "range_floor": "lowest close of the longest trailing run of closes within a band of "
                   "inputs.width (max <= (1 + width) min), when it spans >= inputs.min_days",
    "range_ceiling": "highest close of that band",
    "range_days": "closes in that band",
    "rebound_decline": "trough / peak - 1 of the latest pending decline of at least "
                       "inputs.min_decline, read as a zigzag with that threshold, its trough "
                       "within the last inputs.window rows (rotascope.signals.drawdown.rebound)",
    "rebound_retraced": "(close - trough) / (peak - trough) of that fall",
    "rebound_days": "rows since that trough",
    "yield": "last value of a yield series (percent)",
    "yield_change": "yield - yield inputs.window rows earlier (percentage points; shown in bp)",
    "breadth_share": "members above their inputs.window-day average / members counted "
                     "(point-in-time members with a close and inputs.window own closes)",
    "breadth_members": "members on the date (point in time) with prices in the store",
    "breadth_with_close": "of them, members with a close on the date",
    "breadth_counted": "members counted for the inputs.window-day share",
    "breadth_new_highs": "members whose close is above each of their previous 252 closes",
    "breadth_new_lows": "members whose close is below each of their previous 252 closes",
    "breadth_counted_high_low": "members with a close and 252 earlier closes",
    "mcclellan_oscillator": "EMA19 - EMA39 of 1000 x (advances - declines) / (advances + "
                            "declines), TA-Lib seeded EMAs, from the first stored date",
    "mcclellan_summation": "cumulative sum of the McClellan oscillator",
    "participation_up": "members (point-in-time, on the as-of date) up over inputs.window",
    "participation_counted": "members with a close on the date and a return over "
                             "inputs.window",
    "rrg_ratio": "RS-Ratio: 100 + trailing z-score (inputs.window points, ddof=1) of the "
                 "inputs.smoothing-period EMA of RS = 100 x close / benchmark, sampled at "
                 "each week's last date (rotascope.analysis.rotation)",
    "rrg_momentum": "RS-Momentum: 100 + trailing z-score (inputs.momentum_window points) "
                    "of the inputs.momentum_lag-period rate of change of RS-Ratio, in "
                    "percent",
    "lead_lag": "lag (trading days, positive: series[0] leads) of the highest correlation "
                "of daily returns on joint dates, lags -inputs.max_lag..+inputs.max_lag",
    "lead_lag_corr": "the correlation at that lag",
    "corr": "correlation of daily returns on joint dates at lag 0",
    "regime_measure": "a measure of the regime rules (inputs.measure): see docs/regime.md",
    "regime_threshold": "a threshold of the regime rules (inputs.signal, inputs.side)",
    "regime_gap": "regime measure - its nearest vote-changing threshold",
    "regime_score": "weighted mean of the group's votes (regime rules)",
    "regime_confidence": "confidence of the verdict (regime rules)",
    "verdict_spells": "spells (runs on SPY's sessions) of the confirmed verdict inputs.verdict "
                      "that began on or after inputs.since and whose next inputs.window "
                      "SPY sessions ended by as_of",
    "verdict_forward_median": "median SPY return from the close of the first session of "
                              "each of those spells to the close inputs.window sessions "
                              "later",
    "forward_median_base": "median SPY return over inputs.window sessions from every SPY "
                           "session from inputs.since whose window ended by as_of",
}


def format_value(value: Any, unit: str) -> str:
    """The display text of ``value`` in ``unit`` (see :data:`UNITS`); ``"n/a"`` if missing.

    Examples
    --------
    >>> format_value(0.1053, "pct"), format_value(0.25, "bp"), format_value(4.567, "yield")
    ('+10.5%', '+25 bp', '4.57%')
    >>> format_value(0.624, "share"), format_value(-0.0213, "pp_abs")
    ('62%', '2.1 pp')
    """
    if unit not in UNITS:
        raise ParameterError(f"format_value(): unknown unit {unit!r}; one of "
                             f"{', '.join(UNITS)}")
    if is_missing(value):
        return "n/a"
    v = float(value)
    if unit == "pct":
        return pct(v)
    if unit == "pct_abs":
        return pct(abs(v), sign=False)
    if unit == "share":
        return f"{v * 100:.0f}%"
    if unit == "pp":
        text = f"{v * 100:+.1f} pp"
        return "0.0 pp" if text in ("+0.0 pp", "-0.0 pp") else text
    if unit == "pp_abs":
        return f"{abs(v) * 100:.1f} pp"
    if unit == "bp":
        text = f"{v * 100:+.0f} bp"
        return "0 bp" if text in ("+0 bp", "-0 bp") else text
    if unit == "bp_abs":
        return f"{abs(v) * 100:.0f} bp"
    if unit == "yield":
        return f"{v:.2f}%"
    if unit == "level":
        return num(v, 2)
    if unit == "ratio":
        return ratio_value(v)
    if unit == "index":
        return f"{v:.1f}"
    if unit == "index_abs":
        return f"{abs(v):.1f}"
    if unit == "count":
        return f"{round(v):,d}"
    if unit == "corr":
        return f"{v:.2f}"
    text = f"{v:+.2f}"  # score
    return "0.00" if text in ("+0.00", "-0.00") else text


@dataclass(frozen=True)
class Figure:
    """One number of the note (see the module docstring)."""

    id: str
    value: float | int | None
    display: str
    definition: str
    inputs: Mapping[str, Any]
    as_of: pd.Timestamp
    kind: str
    unit: str

    def to_dict(self) -> dict[str, Any]:
        v = self.value
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        return {"id": self.id, "value": v, "display": self.display,
                "definition": self.definition, "inputs": _jsonable(self.inputs),
                "as_of": self.as_of.strftime("%Y-%m-%d"), "kind": self.kind,
                "unit": self.unit}


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d")
    return x


@dataclass
class FigureRegistry:
    """Ordered registry of figures; ids are unique.

    ``add`` returns the placeholder to put in a template (``"⟦id⟧"``), so narrative code
    reads ``f"SPY is {reg.add(...)} above its average"``.
    """

    _figures: dict[str, Figure] = field(default_factory=dict)

    def add(self, id: str, value: Any, *, kind: str, unit: str, definition: str,
            inputs: Mapping[str, Any], as_of: pd.Timestamp, display: str | None = None
            ) -> str:
        """Register a figure (or re-use an identical one) and return its placeholder.

        Raises
        ------
        ParameterError
            Unknown ``kind``/``unit``, a missing value, or the id already registered
            with a different value.
        """
        if kind not in FIGURE_KINDS:
            raise ParameterError(f"FigureRegistry.add(): unknown kind {kind!r} for {id!r}")
        if is_missing(value):
            raise ParameterError(f"FigureRegistry.add(): {id!r} has no value; the note must "
                                 "not print a missing number (say it is not available)")
        if isinstance(value, bool):
            raise ParameterError(f"FigureRegistry.add(): {id!r} is a bool, not a number")
        val: float | int = int(value) if unit == "count" else float(value)
        fig = Figure(id=id, value=val, display=display or format_value(val, unit),
                     definition=definition, inputs=dict(inputs), as_of=pd.Timestamp(as_of),
                     kind=kind, unit=unit)
        old = self._figures.get(id)
        if old is not None and (old.value != fig.value or old.display != fig.display
                                or old.as_of != fig.as_of):
            raise ParameterError(f"FigureRegistry.add(): {id!r} registered twice with "
                                 f"different values ({old.display} and {fig.display})")
        self._figures[id] = fig
        return f"⟦{id}⟧"

    def ref(self, id: str) -> str:
        """The placeholder of an already registered figure."""
        if id not in self._figures:
            raise KeyError(f"figure {id!r} is not registered")
        return f"⟦{id}⟧"

    def __contains__(self, id: object) -> bool:
        return id in self._figures

    def __getitem__(self, id: str) -> Figure:
        return self._figures[id]

    def __iter__(self) -> Iterator[Figure]:
        return iter(self._figures.values())

    def __len__(self) -> int:
        return len(self._figures)

    def value(self, id: str) -> float:
        v = self._figures[id].value
        return float(v) if v is not None else math.nan

    def displays(self) -> dict[str, str]:
        return {f.id: f.display for f in self._figures.values()}

    def to_list(self) -> list[dict[str, Any]]:
        return [f.to_dict() for f in self._figures.values()]


def placeholders(template: str) -> list[str]:
    """Figure ids referenced by a template, in order (repeats kept once)."""
    return list(dict.fromkeys(PLACEHOLDER.findall(template)))


def fill(template: str, displays: Mapping[str, str], *, wrap: Any = None) -> str:
    """Replace each ``⟦id⟧`` by its display (``wrap(id, display)`` when given).

    Raises
    ------
    KeyError
        A placeholder names no figure (a bug in the narrative: never print a guess).
    """
    def sub(m: re.Match[str]) -> str:
        fid = m.group(1)
        if fid not in displays:
            raise KeyError(f"the note references figure {fid!r}, which is not registered")
        return wrap(fid, displays[fid]) if wrap is not None else displays[fid]

    return PLACEHOLDER.sub(sub, template)
