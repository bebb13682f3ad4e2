"""``rotascope perf`` and ``rotascope ratio``."""

from __future__ import annotations

from typing import Any

import click

from ._common import (
    MarketOpener,
    as_of_option,
    cli_opener,
    console,
    emit_json,
    json_option,
    split_csv,
)

__all__ = ["perf", "ratio", "perf_result", "ratio_result"]

PERF_EPILOG = """\b
Examples:
  rotascope perf MAGS XMAG RSP SPY
  rotascope perf QQQ IWM --windows 1m,3m,ytd --as-of 2025-04-08
  rotascope perf SPY EFA EWJ EEM --windows 1m,6m --json

Windows: 1w=5, 1m=21, 3m=63, 6m=126, 1y=252 trading days (each ticker's own rows),
ytd from the last close of the previous calendar year; also 10d, 2w, 9m, 2y.
Spreads are the first ticker's return minus each other one, in percentage points.
"""

RATIO_EPILOG = """\b
Examples:
  rotascope ratio MAGS SPY
  rotascope ratio RSP SPY --as-of 2025-04-08 --json

lowest_in_months: the largest N (1..24) such that today's ratio is below every ratio
close of the preceding N x 21 trading days; lowest_since: the last earlier date the
ratio was at or below today's value.
"""


def _warn(warnings: tuple[str, ...] | list[str]) -> None:
    err = console(stderr=True)
    for w in warnings:
        err.print(f"[yellow]warning:[/] {w}")


@click.command(epilog=PERF_EPILOG)
@click.argument("tickers", nargs=-1, required=True)
@click.option("--windows", default="1w,1m,3m,6m,ytd,1y", show_default=True,
              help="Comma-separated return windows.")
@as_of_option
@json_option
@click.pass_context
def perf(ctx: click.Context, tickers: tuple[str, ...], windows: str, as_of: object,
         as_json: bool) -> None:
    """Total returns of TICKER... per window, and the first ticker's spread over the others."""
    from ..tables import perf_table

    table = perf_result(cli_opener(ctx), list(tickers), windows, as_of)
    day = table.as_of
    _warn(table.warnings)
    if as_json:
        emit_json(table.to_dict())
        return
    console().print(perf_table(table, title=f"Total returns as of {day:%Y-%m-%d}"))


@click.command(epilog=RATIO_EPILOG)
@click.argument("numerator")
@click.argument("denominator")
@as_of_option
@json_option
@click.pass_context
def ratio(ctx: click.Context, numerator: str, denominator: str, as_of: object,
          as_json: bool) -> None:
    """The ratio line NUMERATOR/DENOMINATOR: level, changes, averages, N-month extremes."""
    from ..tables import ratio_rows_table

    status, day = ratio_result(cli_opener(ctx), numerator, denominator, as_of)
    a, b = status.numerator, status.denominator
    if status.date != day:
        _warn([f"{a}/{b}: last common close {status.date:%Y-%m-%d}, before {day:%Y-%m-%d}"])
    if as_json:
        emit_json(status.to_dict())
        return
    console().print(ratio_rows_table([status], title=f"{a}/{b} as of {day:%Y-%m-%d}"))


def _names(tickers: list[str]) -> list[str]:
    from ...data.model import normalize_ticker

    return [normalize_ticker(t) if not t.startswith("^") else t.upper() for t in tickers]


def perf_result(opener: MarketOpener, tickers: list[str], windows: str, as_of: Any) -> Any:
    """The :class:`~rotascope.analysis.perf.PerfTable` `rotascope perf` shows (--json:
    its ``to_dict()``)."""
    from ...analysis.perf import perf as compute_perf

    names = _names(tickers)
    with opener(as_of, needs=names) as market:
        close = market.close(names)
        day = market.as_of
    return compute_perf(close, split_csv(windows), as_of=day)


def ratio_result(opener: MarketOpener, numerator: str, denominator: str,
                 as_of: Any) -> tuple[Any, Any]:
    """The ratio status `rotascope ratio` shows and the view's date."""
    from ...analysis.ratio import ratio_status

    a, b = _names([numerator, denominator])
    with opener(as_of, needs=[a, b]) as market:
        close = market.close([a, b])
        day = market.as_of
    return ratio_status(close, a, b, as_of=day), day
