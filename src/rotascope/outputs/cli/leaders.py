"""``rotascope leaders``: rank a universe by relative strength and RRG quadrant."""

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

__all__ = ["leaders", "leaders_rich_table", "leaders_result"]

EPILOG = """\b
Examples:
  rotascope leaders sectors
  rotascope leaders sp500 --window 6m --top 20
  rotascope leaders style --as-of 2025-04-08 --json

\b
Relative strength over a window = (1 + return) / (1 + benchmark return) - 1, the
change of the ticker/benchmark ratio. Rank 1 is the strongest. Call: "do more" = top
third over --window and in the leading or improving RRG quadrant; "do less" = bottom
third and lagging or weakening; "watch" otherwise.
"""


def leaders_rich_table(res: Any, top: int | None = None) -> Any:
    """Rich table of a :class:`~rotascope.analysis.leaders.LeadersTable`."""
    from rich.table import Table

    from ..fmt import pct
    from ..tables import signed

    colors = {"do more": "green", "watch": "white", "do less": "red"}
    t = Table(title=f"Leaders and laggards of {res.universe or 'the universe'} vs "
                    f"{res.benchmark}, ranked by {res.rank_by}, as of {res.as_of:%Y-%m-%d}",
              title_justify="left", header_style="bold")
    t.add_column("#", justify="right")
    t.add_column("ticker", style="bold")
    for w in res.windows:
        t.add_column(f"rel {w}", justify="right")
    t.add_column("quadrant")
    t.add_column("since")
    t.add_column("call")
    table = res.table
    rows = table if top is None or len(table) <= 2 * top else \
        table.iloc[list(range(top)) + list(range(len(table) - top, len(table)))]
    for k, (ticker, r) in enumerate(rows.iterrows()):
        if top is not None and len(table) > 2 * top and k == top:
            t.add_section()
        rank = r[f"rank_{res.rank_by}"]
        since = "" if r["since"] is None or r["since"] != r["since"] else \
            f"{r['since']:%Y-%m-%d}"
        t.add_row("" if rank != rank else f"{int(rank)}", str(ticker),
                  *[signed(pct(r[f"rel_{w}"]), r[f"rel_{w}"]) for w in res.windows],
                  r["quadrant"] if isinstance(r["quadrant"], str) else "n/a", since,
                  f"[{colors[r['call']]}]{r['call']}[/]")
    return t


@click.command(epilog=EPILOG)
@click.argument("universe_name", metavar="UNIVERSE")
@click.option("--window", default="3m", show_default=True,
              help="Window the ranking and the call use (1m, 3m, 6m, ytd, ...).")
@click.option("--benchmark", default=None, help="Benchmark (default: the universe's, SPY).")
@click.option("--period", type=click.Choice(["weekly", "daily"]), default="weekly",
              show_default=True, help="RRG sampling.")
@click.option("--top", type=click.IntRange(1, 1000), default=None,
              help="Show only the N strongest and N weakest.")
@as_of_option
@json_option
@click.pass_context
def leaders(ctx: click.Context, universe_name: str, window: str, benchmark: str | None,
            period: str, top: int | None, as_of: Any, as_json: bool) -> None:
    """Rank UNIVERSE by relative strength over 1m/3m/6m and by RRG quadrant."""
    res = leaders_result(cli_opener(ctx), universe_name, window=window, benchmark=benchmark,
                         period=period, as_of=as_of)
    err = console(stderr=True)
    for w in res.warnings:
        err.print(f"[yellow]warning:[/] {w}")
    if as_json:
        emit_json(res.to_dict())
        return
    out = console()
    out.print(leaders_rich_table(res, top))
    for call, color in (("do more", "green"), ("do less", "red")):
        names = res.calls(call)
        shown = ", ".join(names[:20]) + (f" ... ({len(names) - 20} more)"
                                         if len(names) > 20 else "")
        out.print(f"[{color}]{call}[/]: {shown or 'none'}")


def leaders_result(opener: MarketOpener, universe_name: str, *, window: str = "3m",
                   benchmark: str | None = None, period: str = "weekly",
                   as_of: Any = None) -> Any:
    """The :class:`~rotascope.analysis.leaders.LeadersTable` `rotascope leaders` shows."""
    from ...analysis.indicators import parse_window
    from ...analysis.leaders import LEADER_WINDOWS, leaders_report

    parse_window(window)  # a clear error for a bad window before loading anything
    with opener(as_of, needs=[benchmark or "SPY"], needs_universes=(universe_name,)) as market:
        return leaders_report(market, universe_name, benchmark=benchmark,
                              windows=LEADER_WINDOWS, rank_by=window, period=period)
