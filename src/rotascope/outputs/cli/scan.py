"""``rotascope scan``: which members of a universe meet a condition, all at once."""

from __future__ import annotations

from typing import Any

import click

from ._common import (
    MarketOpener,
    as_of_option,
    console,
    emit_json,
    json_option,
    open_market,
)
from ._common import (
    _parse_date as parse_date_option,
)

__all__ = ["scan", "scan_table", "scan_result"]

EPILOG = """\b
Examples:
  rotascope scan 'close($) > sma($, 50)'
  rotascope scan 'close($) > sma($, 200) and ratio($, SPY).lowest_in_months >= 4'
  rotascope scan 'rsi($, 14) < 30' --sort 'rsi($, 14)' --limit 10 --as-of 2025-04-08
  rotascope scan 'close($) crosses_above sma($, 50)' --from 2026-06-01 --to 2026-07-13
  rotascope scan --file scans.yaml --name oversold --json
  rotascope scan 'close($) > sma($, 50)' --engine dask --scheduler tcp://127.0.0.1:8786
  rotascope scan 'close($) > sma($, 50)' --engine dask --dataset prices-ds/

\b
$ stands for each member of the universe (point in time: a ticker counts only on
dates it is a member). close($), ratio($, SPY) and every indicator take $ (`rotascope
alerts functions`); range, rebound and the RSI divergence functions do not yet. The
JSON has as_of, universe, condition, evaluated (members on the date), matches and
values (what the condition read, per match); with --from, entries lists the dates each
ticker newly matched. --sort orders matches by a number expression, descending. A
scans file holds `scans:` entries with name, condition, universe (default sp500),
sort, limit.
"""


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


def scan_table(result: Any, name: str | None = None) -> Any:
    """A rich table of a :class:`~rotascope.scan.ScanResult` (user text escaped)."""
    from rich.markup import escape
    from rich.table import Table

    n = len(result.matches)
    head = f"{escape(name)}: " if name else ""
    t = Table(title=f"{head}{n} of {result.evaluated} {escape(result.universe)} members "
                    f"match on {result.as_of:%Y-%m-%d}", title_justify="left",
              caption=escape(result.condition), caption_justify="left", header_style="bold")
    t.add_column("ticker", style="bold")
    fields: list[str] = []
    for t_name in result.matches:
        for f in result.values.get(t_name, {}):
            if f not in fields:
                fields.append(f)
    for f in fields:
        t.add_column(escape(f), justify="right")
    if result.entries is not None:
        t.add_column("newly matched", justify="left")
    for t_name in result.matches:
        vals = result.values.get(t_name, {})
        row = [escape(t_name), *(_fmt(vals.get(f)) for f in fields)]
        if result.entries is not None:
            row.append(", ".join(f"{d:%Y-%m-%d}" for d in result.entries.get(t_name, [])))
        t.add_row(*row)
    return t


@click.command(epilog=EPILOG)
@click.argument("condition", required=False)
@click.option("--universe", "universe_name", default=None,
              help="Member universe (point in time); default sp500.")
@as_of_option
@click.option("--from", "start", callback=parse_date_option, metavar="YYYY-MM-DD",
              help="Also list the dates each ticker newly matched from this date.")
@click.option("--to", "end", callback=parse_date_option, metavar="YYYY-MM-DD",
              help="End of the --from window (default the as-of date); matches are its.")
@click.option("--sort", "sort", metavar="EXPR", help="Order matches by EXPR, descending.")
@click.option("--limit", type=click.IntRange(min=1), help="Keep the first N matches.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="One process, or blocks of members as Dask tasks.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler to use (default: an in-process LocalCluster started "
                   "and closed by the command; no socket is opened).")
@click.option("--dataset", "dataset", type=click.Path(file_okay=False, exists=True),
              help="With --engine dask: read the closes from this Parquet dataset "
                   "(`data export --format parquet-dataset`), block by block.")
@click.option("--file", "scans_file", type=click.Path(dir_okay=False),
              help="Run the named scans of a YAML file.")
@click.option("--name", "scan_name", help="With --file: only this scan.")
@json_option
@click.pass_context
def scan(ctx: click.Context, condition: str | None, universe_name: str | None, as_of: Any,
         start: Any, end: Any, sort: str | None, limit: int | None, engine: str,
         scheduler: str | None, dataset: str | None, scans_file: str | None,
         scan_name: str | None, as_json: bool) -> None:
    """Members of a universe meeting CONDITION ($ = each member) on the as-of date."""
    from ...errors import ParameterError
    from ...scan import run_scan

    if (condition is None) == (scans_file is None):
        raise click.UsageError("give a CONDITION or --file scans.yaml (not both)")
    if scan_name is not None and scans_file is None:
        raise click.UsageError("--name needs --file")
    if (scheduler is not None or dataset is not None) and engine != "dask":
        raise click.UsageError("--scheduler and --dataset need --engine dask")
    day = end if end is not None else as_of
    if end is not None and as_of is not None and end != as_of:
        raise click.UsageError("give --as-of or --to, not both")
    if start is not None and day is None:
        day = None  # the default as-of date ends the window
    if scans_file is None:
        def opener(as_of: Any = None, **kw: Any) -> Any:
            return open_market(ctx, as_of, quiet=as_json, **kw)

        result = scan_result(opener, condition or "", universe_name or "sp500", day,
                             start=start, end=end, sort=sort, limit=limit, engine=engine,
                             scheduler=scheduler, dataset=dataset)
        if as_json:
            emit_json(result.to_dict())
        else:
            console().print(scan_table(result))
        return
    from ...scan import _universe_problem
    from ...scan.named import load_scans

    with open_market(ctx, day, quiet=as_json) as market:
        named = load_scans(scans_file, known_tickers=set(market.tickers),
                           universe_problem=_universe_problem(market))
        if scan_name is not None:
            named = [s for s in named if s.name == scan_name]
            if not named:
                raise ParameterError(f"{scans_file}: no scan named {scan_name!r}")
        results = [(s.name, run_scan(market, s.scan, universe=universe_name or s.universe,
                                     sort=sort, limit=limit if limit is not None else s.limit,
                                     start=start, end=end, engine=engine,
                                     scheduler=scheduler, dataset=dataset))
                   for s in named]
    if as_json:
        if scan_name is None:
            emit_json({"scans": [{"name": n, **r.to_dict()} for n, r in results]})
        else:
            emit_json(results[0][1].to_dict())
        return
    out = console()
    for name, res in results:
        out.print(scan_table(res, name))


def scan_result(opener: MarketOpener, condition: str, universe: str, as_of: Any, *,
                start: Any = None, end: Any = None, sort: str | None = None,
                limit: int | None = None, engine: str = "local", scheduler: str | None = None,
                dataset: str | None = None) -> Any:
    """The scan `rotascope scan CONDITION --json` prints (shared with the web API)."""
    from ...scan import run_scan

    with opener(as_of, needs_universes=(universe,)) as market:
        return run_scan(market, condition, universe=universe, sort=sort, limit=limit,
                        start=start, end=end, engine=engine, scheduler=scheduler,
                        dataset=dataset)


def run_named_scans(store: Any, settings: Any, path: str, echo: Any) -> int:
    """Run every scan of a scans file on the store's default as-of date and echo one line
    per scan: its matches and the members that newly matched on that date (for
    ``rotascope watch --scans``). Returns the number of scans run."""
    from ...market_view import MarketView
    from ...scan import _universe_problem, run_scan
    from ...scan.named import load_scans

    market = MarketView.open(store, settings)
    named = load_scans(path, known_tickers=set(market.tickers),
                       universe_problem=_universe_problem(market))
    for s in named:
        r = run_scan(market, s.scan, universe=s.universe, limit=s.limit, start=market.as_of)
        new = sorted(t for t, ds in (r.entries or {}).items() if ds)
        shown = ", ".join(r.matches[:20]) + (" ..." if len(r.matches) > 20 else "")
        echo(f"scan {s.name} as of {r.as_of:%Y-%m-%d}: {len(r.matches)} of {r.evaluated} "
             f"match ({shown or 'none'}); new today: {', '.join(new) or 'none'}")
    return len(named)
