"""``rotascope breadth``: how many members take part in what the index does."""

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
)

__all__ = ["breadth", "breadth_tables", "breadth_result"]

EPILOG = """\b
Examples:
  rotascope breadth
  rotascope breadth --universe sp500 --as-of 2025-04-08
  rotascope breadth --json | jq '.pct_above_sma'

\b
Shares are fractions of the members *counted* for that measure: members with a close
on the date and enough own history (20/50/200 closes for the averages, 252 earlier
closes for 52-week highs and lows, one earlier close for advances/declines). The JSON
keeps the counts: members, missing_close, counted ("20","50","200"), counted_high_low,
counted_advance_decline. McClellan: ratio-adjusted net advances 1000*(A-D)/(A+D),
EMA19 - EMA39; summation = running sum of the oscillator. See docs/breadth.md.
"""


def _f(x: float, digits: int = 1) -> str:
    from ..fmt import is_missing

    return "n/a" if is_missing(x) else f"{x:,.{digits}f}"


def breadth_tables(report: Any) -> list[Any]:
    """Rich renderables of a :class:`~rotascope.analysis.breadth.BreadthReport`."""
    from rich.table import Table

    from ..fmt import pct
    from ..tables import ratio_rows_table, signed

    d = report
    out: list[Any] = []
    t = Table(title=f"Breadth of {d.universe} on {d.as_of:%Y-%m-%d}", title_justify="left",
              header_style="bold")
    t.add_column("measure", style="bold")
    t.add_column("value", justify="right")
    t.add_column("counted over", justify="right")
    t.add_row("members", f"{d.members}",
              f"{d.missing_close} without a close, {len(d.members_without_prices)} without "
              "prices")
    for w, share in d.pct_above_sma.items():
        t.add_row(f"above {w}-day average", pct(share, sign=False), f"{d.counted[w]}")
    t.add_row("new 52-week highs / lows", f"{d.new_highs} / {d.new_lows}",
              f"{d.counted_high_low}")
    net = d.new_highs - d.new_lows
    t.add_row("net new highs", signed(f"{net:+d}", net), "")
    t.add_row("advances / declines / unchanged", f"{d.advances} / {d.declines} / "
              f"{d.unchanged}", f"{d.counted_advance_decline}")
    t.add_row("A/D line", f"{d.ad_line:,d}",
              f"since {d.ad_line_start:%Y-%m-%d}" if d.ad_line_start is not None else "")
    t.add_row("McClellan oscillator", signed(_f(d.mcclellan_oscillator),
                                             d.mcclellan_oscillator), "ratio-adjusted")
    t.add_row("McClellan summation", _f(d.mcclellan_summation), "")
    out.append(t)
    if d.rsp_spy is not None and d.rsp_spy.available:
        out.append(ratio_rows_table([d.rsp_spy.ratio],
                                    title=f"Equal weight vs cap weight (RSP/SPY): trend "
                                          f"{d.rsp_spy.trend or 'n/a'}"))
        for s in d.rsp_spy_stretches:
            out.append(f"  {s.text()}")
    if d.participation is not None:
        out.append("[bold]Participation[/]")
        for line in d.participation.text:
            out.append(f"  {line}")
    for n in d.notes:
        out.append(f"[dim]note: {n}[/]")
    return out


@click.command(epilog=EPILOG)
@click.option("--universe", "universe_name", default="sp500", show_default=True,
              help="Member universe (point-in-time when stored with a changes file).")
@as_of_option
@json_option
@click.pass_context
def breadth(ctx: click.Context, universe_name: str, as_of: object, as_json: bool) -> None:
    """Share of members above their 20/50/200-day averages, new highs and lows, A/D line,
    McClellan oscillator, RSP/SPY, and participation over 1m/3m/YTD."""
    report = breadth_result(cli_opener(ctx), universe_name, as_of)
    if as_json:
        emit_json(report.to_dict())
        return
    out = console()
    for item in breadth_tables(report):
        out.print(item)


def breadth_result(opener: MarketOpener, universe_name: str, as_of: Any) -> Any:
    """The :class:`~rotascope.analysis.breadth.BreadthReport` `rotascope breadth` shows."""
    from ...analysis.breadth import breadth_report

    with opener(as_of, needs=["RSP", "SPY"], needs_universes=(universe_name,)) as market:
        return breadth_report(market, universe_name)
