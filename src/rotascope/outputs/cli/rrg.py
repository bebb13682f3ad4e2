"""``rotascope rrg``: relative rotation graph of sectors (or any tickers) against a benchmark."""

from __future__ import annotations

from typing import Any

import click

from ._common import MarketOpener, as_of_option, cli_opener, console, emit_json, json_option

__all__ = ["rrg", "load_rrg", "rrg_table", "heading", "universe_tickers", "rrg_result"]

EPILOG = """\b
Examples:
  rotascope rrg                                  the 11 sector SPDRs against SPY, weekly
  rotascope rrg XLK XLF XLE --tail 12 --period daily
  rotascope rrg --universe style --benchmark SPY --as-of 2025-04-08 --json

\b
RS = 100 x close / benchmark (weekly: each week's last close). RS-Ratio = 100 + the
trailing 14-period z-score of RS smoothed by a 5-period EMA; RS-Momentum = 100 + the
trailing 14-period z-score of the 5-period rate of change of RS-Ratio. Every point
uses only data up to its date (see docs/breadth.md). Quadrants: leading (both >= 100),
weakening, lagging, improving; `since` is when the current quadrant started.
"""

_ARROWS = ("→", "↗", "↑", "↖", "←", "↙", "↓", "↘")


def heading(point: Any) -> str:
    """Arrow of the last step of a point's tail (empty with fewer than two points)."""
    import math

    if len(point.tail) < 2:
        return ""
    a, b = point.tail[-2], point.tail[-1]
    angle = math.atan2(b.rs_momentum - a.rs_momentum, b.rs_ratio - a.rs_ratio)
    return _ARROWS[int(round(angle / (math.pi / 4))) % 8]


def universe_tickers(market: Any, name: str) -> list[str]:
    """Members of universe ``name`` on the view's date that have prices (others are
    warned)."""
    members = market.members(name)
    have = set(market.tickers)
    absent = [t for t in members if t not in have]
    if absent:
        console(stderr=True).print(
            f"[yellow]warning:[/] {len(absent)} members of {name} have no prices and are "
            "left out: " + ", ".join(absent[:10]) + (" ..." if len(absent) > 10 else ""))
    return [t for t in members if t in have]


def load_rrg(market: Any, tickers: list[str], benchmark: str, *, period: str,
             tail: int) -> Any:
    """The RRG of ``tickers`` on all history up to the view's date."""
    from ...analysis.rotation import rrg as compute

    names = list(dict.fromkeys([benchmark, *[t for t in tickers if t != benchmark]]))
    close = market.close(names)
    return compute(close, benchmark, period=period, tail=tail,  # type: ignore[arg-type]
                   as_of=market.as_of)


def rrg_table(result: Any, title: str | None = None) -> Any:
    """Rich table of an :class:`~rotascope.analysis.rotation.RRGResult`."""
    from rich.table import Table

    colors = {"leading": "green", "weakening": "yellow", "lagging": "red",
              "improving": "blue"}
    t = Table(title=title, title_justify="left", header_style="bold")
    for col, just in (("ticker", "left"), ("RS-Ratio", "right"), ("RS-Momentum", "right"),
                      ("quadrant", "left"), ("since", "left"), ("heading", "center"),
                      ("point date", "left")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for p in result.points:
        if p.quadrant is None:
            t.add_row(p.ticker, "n/a", "n/a", "too little history", "", "", "")
            continue
        c = colors[p.quadrant]
        t.add_row(p.ticker, f"{p.rs_ratio:.2f}", f"{p.rs_momentum:.2f}",
                  f"[{c}]{p.quadrant}[/]", f"{p.since:%Y-%m-%d}", heading(p),
                  f"{p.date:%Y-%m-%d}")
    return t


@click.command(epilog=EPILOG)
@click.argument("tickers", nargs=-1)
@click.option("--universe", "universe_name", default="sectors", show_default=True,
              help="Tickers to plot when none are given.")
@click.option("--benchmark", default="SPY", show_default=True, help="Benchmark ticker.")
@click.option("--tail", default=8, show_default=True, type=click.IntRange(1, 520),
              help="Points in each tail (periods).")
@click.option("--period", type=click.Choice(["weekly", "daily"]), default="weekly",
              show_default=True, help="Sampling of the relative-strength line.")
@as_of_option
@json_option
@click.pass_context
def rrg(ctx: click.Context, tickers: tuple[str, ...], universe_name: str, benchmark: str,
        tail: int, period: str, as_of: Any, as_json: bool) -> None:
    """RS-Ratio, RS-Momentum and quadrant of TICKERS (default: sector ETFs) vs a benchmark."""
    from ...data.model import normalize_ticker

    bench = normalize_ticker(benchmark)
    result = rrg_result(cli_opener(ctx), list(tickers), universe_name=universe_name,
                        benchmark=benchmark, tail=tail, period=period, as_of=as_of)
    if as_json:
        emit_json(result.to_dict())
        return
    out = console()
    out.print(rrg_table(result, title=f"Relative rotation vs {bench}, {period}, as of "
                                      f"{result.as_of:%Y-%m-%d}"))
    recent = result.transitions.tail(8)
    if len(recent):
        out.print("[bold]Latest quadrant changes[/]")
        for r in recent.itertuples(index=False):
            out.print(f"  {r.date:%Y-%m-%d}  {r.ticker}: {r.from_quadrant} -> {r.to_quadrant}")


def rrg_result(opener: MarketOpener, tickers: list[str], *, universe_name: str = "sectors",
               benchmark: str = "SPY", tail: int = 8, period: str = "weekly",
               as_of: Any = None) -> Any:
    """The :class:`~rotascope.analysis.rotation.RRGResult` `rotascope rrg` shows."""
    from ...data.model import normalize_ticker

    bench = normalize_ticker(benchmark)
    given = [normalize_ticker(t) for t in tickers]
    with opener(as_of, needs=[bench, *given],
                needs_universes=() if given else (universe_name,)) as market:
        names = given or universe_tickers(market, universe_name)
        return load_rrg(market, names, bench, period=period, tail=tail)
