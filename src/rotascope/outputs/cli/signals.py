"""``rotascope signals TICKER``: one ticker or ratio line read like a chart, as of a date."""

from __future__ import annotations

from typing import Any

import click

from ._common import MarketOpener, as_of_option, cli_opener, console, emit_json, json_option

__all__ = ["signals", "summary_tables", "signals_result"]

EPILOG = """\b
Examples:
  rotascope signals SPY
  rotascope signals NVDA --as-of 2025-04-08
  rotascope signals MAGS/SPY --json          a ratio line: MAGS close / SPY close

\b
Definitions (rows are the series' own trading days):
  sma / vs sma / 20d slope  20-, 50-, 100-, 200-day averages; close/sma-1; sma/sma[-20]-1
  rsi14                     Wilder RSI(14)
  rsi divergence            last two swing highs (lows), 5 rows each side, confirmed 5
                            rows later, within 60 rows: price higher high + RSI lower
                            high = bearish; price lower low + RSI higher low = bullish
  rsi lower highs & lows    RSI's own last two swing highs and lows both falling while
                            the close is within 5% of its 60-day high
  range                     closes inside a 4% band (max/min-1) for >= 30 days
  drawdown                  close / highest close so far - 1
  worst 10d decline         worst close-to-later-close fall over the last 10 returns
  rebound                   share retraced of the latest >= 10% fall (a 10% zigzag),
                            for 252 days after its low
"""


def _legs(text: str) -> list[str]:
    from ...analysis.signals_summary import split_ticker
    from ...data.model import normalize_ticker

    return [t if t.startswith("^") else normalize_ticker(t) for t in split_ticker(text)]


@click.command(epilog=EPILOG)
@click.argument("ticker")
@as_of_option
@json_option
@click.pass_context
def signals(ctx: click.Context, ticker: str, as_of: Any, as_json: bool) -> None:
    """Averages, RSI, divergences, range, drawdown and rebound of TICKER (or A/B)."""
    summary = signals_result(cli_opener(ctx), ticker, as_of)
    err = console(stderr=True)
    for w in summary.warnings:
        err.print(f"[yellow]warning:[/] {w}")
    if as_json:
        emit_json(summary.to_dict())
        return
    out = console()
    for renderable in summary_tables(summary):
        out.print(renderable)


def summary_tables(summary: Any) -> list[Any]:
    """Rich renderables for a :class:`~rotascope.analysis.signals_summary.SignalsSummary`."""
    from rich.table import Table

    from ..fmt import num, pct, ratio_value

    is_ratio = "/" in summary.ticker
    level = ratio_value if is_ratio else num
    title = f"{summary.ticker} as of {summary.as_of:%Y-%m-%d}"
    if summary.date != summary.as_of:
        title += f" (last close {summary.date:%Y-%m-%d})"

    avg = Table(title=title, title_justify="left")
    avg.add_column("Average")
    avg.add_column("Level", justify="right")
    avg.add_column("Close vs avg", justify="right")
    avg.add_column("Slope 20d", justify="right")
    avg.add_row("Close", level(summary.close), "", "")
    for key, value in summary.sma.items():
        avg.add_row(f"SMA {key}", level(value), pct(summary.pct_vs_sma[key]),
                    pct(summary.sma_slope_20d[key], 2))

    chart = Table(title="Chart reading", title_justify="left")
    chart.add_column("Signal")
    chart.add_column("Value")
    chart.add_row("RSI(14)", num(summary.rsi14, 1))
    chart.add_row("RSI divergence", summary.rsi_divergence or "none")
    chart.add_row("RSI lower highs & lower lows",
                  "yes (price holding up)" if summary.rsi_lower_highs_lower_lows else "no")
    if summary.range is None:
        chart.add_row("Range (4% band, 30+ days)", "none")
    else:
        r = summary.range
        chart.add_row("Range (4% band, 30+ days)",
                      f"{level(r.floor)} - {level(r.ceiling)} since {r.start:%Y-%m-%d} "
                      f"({r.days} days)")
    chart.add_row("Drawdown from peak", pct(summary.drawdown))
    chart.add_row("Worst 10-day decline", pct(summary.worst_decline_10d))
    if summary.rebound is None:
        chart.add_row("Rebound (after a 10%+ fall)", "none")
    else:
        b = summary.rebound
        chart.add_row("Rebound (after a 10%+ fall)",
                      f"{pct(b.retraced, sign=False)} of the {pct(b.decline)} fall retraced, "
                      f"{b.days} days after the {b.trough_date:%Y-%m-%d} low"
                      + (f" ({b.shape})" if b.shape else ""))
    return [avg, chart]


def signals_result(opener: MarketOpener, ticker: str, as_of: Any = None) -> Any:
    """The :class:`~rotascope.analysis.signals_summary.SignalsSummary` of TICKER or A/B."""
    from ...analysis.signals_summary import signals_summary

    legs = _legs(ticker)
    with opener(as_of, needs=legs) as market:
        close = market.close(legs)
        day = market.as_of
    return signals_summary(close, "/".join(legs), as_of=day)
