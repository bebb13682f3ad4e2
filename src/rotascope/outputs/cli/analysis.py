"""``rotascope perf`` and ``rotascope ratio``."""

from __future__ import annotations

import click

from ._common import (
    as_of_option,
    console,
    emit_json,
    json_option,
    open_market,
    split_csv,
)

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
    from ...analysis.perf import perf as compute_perf
    from ...data.model import normalize_ticker
    from ..tables import perf_table

    names = [normalize_ticker(t) if not t.startswith("^") else t.upper() for t in tickers]
    with open_market(ctx, as_of, needs=names) as market:
        close = market.close(names)
        day = market.as_of
    table = compute_perf(close, split_csv(windows), as_of=day)
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
    from ...analysis.ratio import ratio_status
    from ...data.model import normalize_ticker
    from ..tables import ratio_rows_table

    a, b = (normalize_ticker(t) if not t.startswith("^") else t.upper()
            for t in (numerator, denominator))
    with open_market(ctx, as_of, needs=[a, b]) as market:
        close = market.close([a, b])
        day = market.as_of
    status = ratio_status(close, a, b, as_of=day)
    if status.date != day:
        _warn([f"{a}/{b}: last common close {status.date:%Y-%m-%d}, before {day:%Y-%m-%d}"])
    if as_json:
        emit_json(status.to_dict())
        return
    console().print(ratio_rows_table([status], title=f"{a}/{b} as of {day:%Y-%m-%d}"))
