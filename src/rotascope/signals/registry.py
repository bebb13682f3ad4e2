"""The indicators that conditions (alerts, scans, strategies) may call, declared once.

Each :class:`Indicator` names a signal function, its parameters after the input series,
a one-line summary and an example. The condition language (:mod:`rotascope.rules`) turns
every entry into a callable function, and ``rotascope alerts functions`` lists them, so a
new number-valued indicator is one entry here and nothing else.

Every ``compute`` takes a Series or a dates x tickers DataFrame (the same call scans a
whole universe at once) and returns the same type with the same labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .averages import ema, ma_slope, pct_vs_ma, sma
from .drawdown import drawdown, worst_decline
from .extremes import months_extreme
from .momentum import rsi
from .returns import total_return
from .rolling import pct_from_high, rolling_max, rolling_min

__all__ = ["Param", "Indicator", "INDICATORS", "indicator_names"]

_REQUIRED: Any = object()


@dataclass(frozen=True)
class Param:
    """One parameter of a callable function.

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
        return {"series": "a ticker or a number series", "ticker": "a ticker",
                "universe": "a universe name", "rows": "a whole number of rows or a window "
                "like 10d/3m", "window": "a window like 10d, 3m, 1y, ytd or a number of rows",
                "number": "a number", "choice": "one of " + ", ".join(self.choices)}[self.kind]


@dataclass(frozen=True)
class Indicator:
    """A number-valued signal of one input series.

    ``compute(series, **params)`` gets the bound parameters by name (``int`` rows,
    ``int | "ytd"`` windows, ``float`` numbers, ``str`` choices).
    """

    name: str
    params: tuple[Param, ...]
    compute: Callable[..., Any]
    summary: str
    example: str = ""


#: Longest window (rows) any indicator accepts: 100 years of sessions. Bigger windows
#: are certainly typos and would only allocate memory.
MAX_ROWS = 25_200


def _rows(name: str, default: Any, minimum: int = 1) -> Param:
    return Param(name, "rows", default, minimum, MAX_ROWS)


def _ma_kind() -> Param:
    return Param("kind", "choice", "sma", choices=("sma", "ema"))


INDICATORS: tuple[Indicator, ...] = (
    Indicator("perf", (Param("window", "window"),),
              lambda s, window: total_return(s, window),
              "total return over a window (10d, 1m, 3m, 6m, 1y, ytd, or rows)",
              "perf(RSP, 1m) - perf(SPY, 1m) > 2%"),
    Indicator("ret", (Param("window", "window"),),
              lambda s, window: total_return(s, window), "alias of perf()",
              "ret(IBIT, 1w) < -10%"),
    Indicator("lowest_in_months", (Param("max_months", "rows", 24, 1, 1200),),
              lambda s, max_months: months_extreme(s, side="low",
                                                            max_months=int(max_months)),
              "N of an N-month low (0 when none)", "lowest_in_months(IWM) >= 6"),
    Indicator("highest_in_months", (Param("max_months", "rows", 24, 1, 1200),),
              lambda s, max_months: months_extreme(s, side="high",
                                                            max_months=int(max_months)),
              "N of an N-month high (0 when none)", "highest_in_months(RSP) >= 12"),
    Indicator("drawdown", (), lambda s: drawdown(s),
              "fall from the running peak (<= 0)", "drawdown(IBIT) <= -25%"),
    Indicator("worst_decline", (_rows("window", 10),),
              lambda s, window: worst_decline(s, int(window)),
              "worst fall inside the trailing window of daily returns",
              "worst_decline(IBIT, 10) <= -20%"),
    Indicator("sma", (_rows("window", 50),), lambda s, window: sma(s, int(window)),
              "simple moving average", "close(SPY) < sma(SPY, 200)"),
    Indicator("ema", (_rows("window", 20),), lambda s, window: ema(s, int(window)),
              "exponential moving average", "close(QQQ) crosses_below ema(QQQ, 50)"),
    Indicator("rsi", (_rows("window", 14, 2),),
              lambda s, window: rsi(s, int(window)), "Wilder RSI (0-100)",
              "rsi(SPY) > 70"),
    Indicator("pct_vs_ma", (_rows("window", 50), _ma_kind()),
              lambda s, window, kind: pct_vs_ma(s, int(window), kind=kind),
              "close / its moving average - 1", "pct_vs_ma(SPY, 200) < 0"),
    Indicator("ma_slope", (_rows("window", 50), _rows("k", 20), _ma_kind()),
              lambda s, window, k, kind: ma_slope(s, int(window), int(k), kind=kind),
              "slope of the moving average over k rows: ma / ma k rows earlier - 1",
              "ma_slope(SPY, 200, 20) crosses_below 0"),
    Indicator("rolling_max", (_rows("window", 252),),
              lambda s, window: rolling_max(s, int(window)),
              "highest value of the trailing window", "close(SPY) >= rolling_max(SPY, 252)"),
    Indicator("rolling_min", (_rows("window", 252),),
              lambda s, window: rolling_min(s, int(window)),
              "lowest value of the trailing window", "close(SPY) <= rolling_min(SPY, 252)"),
    Indicator("pct_from_high", (_rows("window", 252),),
              lambda s, window: pct_from_high(s, int(window)),
              "close / highest close of the trailing window - 1",
              "pct_from_high(QQQ, 252) < -10%"),
)


def indicator_names() -> list[str]:
    """Names of every declared indicator, sorted."""
    return sorted(i.name for i in INDICATORS)
