"""``rotascope data update``: fetch the missing dates from Yahoo, Stooq, FRED or a plugin.

A thin layer over :mod:`rotascope.data.updater`: it reads ``$FRED_API_KEY`` (the only
configuration read here), opens the store for writing, shows a progress bar on stderr
and lays the :class:`~rotascope.data.updater.UpdateResult` out as a table or JSON.
"""

from __future__ import annotations

import os
from typing import Any

import click
from rich.markup import escape

from ._common import (
    console,
    emit_json,
    json_option,
    open_store,
    settings_of,
    split_csv,
    with_progress,
)

__all__ = ["update"]

UPDATE_EPILOG = """\b
Examples:
  rotascope data update                       every ticker in the store (or, when the
                                              store is empty, the built-in universes)
  rotascope data update leadership            the members of one universe
  rotascope data update --tickers DGS10,VIXCLS --source fred
  rotascope data update --source NAME         any installed source plugin (entry
                                              point group rotascope.sources)
  rotascope data update --tickers MAGS --start 2024-01-01
  rotascope data update --members             refresh universe sp500 from Wikipedia
  rotascope data update sp500 --members       ... and then update its members' prices
  rotascope data update macro --json

\b
Only dates after each ticker's last stored row are fetched (plus a 5-row overlap that
detects re-adjusted history; a changed overlap re-fetches the full history). FRED uses
its keyless CSV unless FRED_API_KEY is set. See docs/providers.md.

\b
Exit codes: 0 every ticker updated (or already current); 3 some tickers failed (the
others WERE written); 5 every ticker failed because the provider could not be reached
(offline?); 4 the store is busy.
"""


@click.command("update", epilog=UPDATE_EPILOG)
@click.argument("universe", required=False)
@click.option("--source", metavar="NAME", default=None,
              help="Provider for every ticker: yahoo, stooq, fred or any installed source "
                   "plugin (default: the one that last wrote the ticker; FRED for FRED "
                   "series ids; else Yahoo).")
@click.option("--tickers", "tickers_csv", metavar="A,B,...",
              help="Update these tickers instead of a universe.")
@click.option("--start", metavar="YYYY-MM-DD",
              help="First date for tickers not yet in the store (default: full history).")
@click.option("--members", is_flag=True,
              help="Refresh universe sp500 from Wikipedia's S&P 500 list first.")
@click.option("--overlap", type=click.IntRange(min=1), default=5, show_default=True,
              help="Stored rows re-fetched to detect re-adjusted history.")
@json_option
@click.pass_context
def update(ctx: click.Context, universe: str | None, source: str | None,
           tickers_csv: str | None, start: str | None, members: bool, overlap: int,
           as_json: bool) -> None:
    """Fetch only the missing dates of UNIVERSE's tickers from the online providers.

    One failing ticker never stops the run: it is reported and the others are written,
    all in one transaction. Rows a provider sends that are not prices (holidays, the
    session still in progress) are reported, never filled.
    """
    from ...data.sources.fred import FredSource
    from ...data.updater import (
        UpdateResult,
        check_update_source,
        fetch_update,
        plan_update,
        update_members,
        update_tickers,
        write_update,
    )

    if universe is not None and tickers_csv:
        raise click.UsageError("give either UNIVERSE or --tickers, not both")
    if source is not None:
        source = check_update_source(source, "data update --source")
    settings = settings_of(ctx)
    result = UpdateResult()
    if members:
        if not as_json:
            console(stderr=True).print("Fetching the S&P 500 member list from Wikipedia...",
                                       markup=False)
        with open_store(ctx, read_only=False, require_data=False) as store:
            result.members = update_members(store)
    if not members or universe is not None or tickers_csv:
        # Plan with a read-only handle, fetch with the store closed, then write in one
        # short transaction: other commands can read the store while the network is used.
        with open_store(ctx, read_only=True, require_data=False) as store:
            wanted = update_tickers(store, universe=universe, settings=settings,
                                    tickers=split_csv(tickers_csv) if tickers_csv else None)
            plans = plan_update(store, wanted, source=source, start=start, overlap=overlap)
        sources: dict[str, Any] = {"fred": FredSource(api_key=os.environ.get("FRED_API_KEY")
                                                      or None)}
        bar = with_progress(len(plans), "Updating")
        with bar:
            task = bar.add_task("Updating", total=len(plans))

            def progress(ticker: str, done: int, total: int) -> None:
                bar.update(task, completed=done, description=f"Updating {ticker:<8}")

            fetched = fetch_update(plans, sources=sources, progress=progress)
        fetched.source = source
        with open_store(ctx, read_only=False, require_data=False) as store:
            priced = write_update(store, fetched)
        priced.members = result.members
        result = priced
    if as_json:
        emit_json({"universe": universe, "source": source, **result.to_dict()})
    else:
        _print(result)
    if result.exit_code:
        ctx.exit(result.exit_code)


def _print(result: Any) -> None:
    from rich.table import Table

    out = console()
    if result.members is not None:
        m = result.members
        change = ""
        if m.added or m.removed:
            change = (f"; added {', '.join(m.added) or 'none'}, removed "
                      f"{', '.join(m.removed) or 'none'}")
        out.print(f"universe {m.universe}: {m.members} members from {m.location}{change}",
                  markup=False)
    if not result.tickers:
        return
    table = Table(show_header=True)
    for col, justify in (("ticker", "left"), ("source", "left"), ("status", "left"),
                         ("from", "left"), ("added", "right"), ("last date", "left"),
                         ("notes", "left")):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for t in result.tickers:
        remarks = [t.error] if t.error else []
        if t.skipped:
            reasons = sorted({s.reason.split(":")[0] for s in t.skipped})
            remarks.append(f"{len(t.skipped)} row(s) skipped ({'; '.join(reasons)})")
        remarks.extend(t.notes)
        table.add_row(escape(t.ticker), t.source, t.status,
                      "full history" if t.start is None else f"{t.start:%Y-%m-%d}",
                      f"{t.rows_added:,}",
                      "" if t.last_date is None else f"{t.last_date:%Y-%m-%d}",
                      escape(" | ".join(r for r in remarks if r)))
    out.print(table)
    s = result.summary()
    out.print(f"{len(result.tickers)} tickers: {s['new']} new, {s['updated']} updated, "
              f"{s['readjusted']} re-adjusted, {s['unchanged']} unchanged, {s['failed']} "
              f"failed; {s['rows_added']:,} rows added.", markup=False)
    if any(t.offline for t in result.failed):
        out.print("Some providers could not be reached: check the network connection and "
                  "run the update again (it continues where it stopped).", markup=False)
