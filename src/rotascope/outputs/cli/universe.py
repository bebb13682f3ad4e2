"""``rotascope universe ...``: add, list and show universes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.markup import escape

from ._common import as_of_option, console, emit_json, json_option, open_store, settings_of

__all__ = ["universe", "add_cmd", "list_cmd", "show_cmd"]


@click.group()
def universe() -> None:
    """Add, list and show universes (named ticker lists).

    Built-in: mag7, leadership, style, sectors, global, macro, crypto. Define more in
    $ROTASCOPE_HOME/universes.yaml (same format as the built-in file), or store one
    from a member list with `rotascope universe add`.
    """


ADD_EPILOG = """\b
Examples:
  rotascope universe add sp500 ../shared/market-data/constituents/sp500.csv \\
      --changes ../shared/market-data/constituents/sp500_changes.csv
  rotascope universe add watch my_list.csv --description "my watch list"

\b
FILE is a CSV with a Symbol column and optional Security and GICS Sector columns
(BRK.B is stored as BRK-B). CHANGES is a CSV date,symbol,action (added/removed): the
membership on a date D is FILE's list with the events after D undone.
"""


@universe.command("add", epilog=ADD_EPILOG)
@click.argument("name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--changes", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV date,symbol,action giving point-in-time membership.")
@click.option("--description", help="One line saying what the universe is.")
@json_option
@click.pass_context
def add_cmd(ctx: click.Context, name: str, file: Path, changes: Path | None,
            description: str | None, as_json: bool) -> None:
    """Store universe NAME from the member list FILE (replaces a stored one)."""
    from ...data.universes import add_universe

    with open_store(ctx, read_only=False, require_data=False) as store:
        uni = add_universe(store, name, file, changes, description=description)
        intervals = len(store.universe_members(name))
        have = set(store.tickers())
    missing = [t for t in uni.tickers if t not in have]
    payload = {"name": uni.name, "description": uni.description, "members": len(uni.tickers),
               "point_in_time": uni.point_in_time, "intervals": intervals,
               "location": uni.location, "without_prices": missing}
    if as_json:
        emit_json(payload)
        return
    out = console()
    pit = f", point-in-time ({intervals} membership intervals)" if uni.point_in_time else ""
    out.print(f"universe {uni.name}: {len(uni.tickers)} current members{pit}")
    if missing:
        shown = ", ".join(missing[:20]) + (" ..." if len(missing) > 20 else "")
        out.print(f"{len(missing)} members have no prices yet: {shown}\n"
                  f"fetch them with `rotascope data update {uni.name}`")


@universe.command("list", epilog="\b\nExamples:\n  rotascope universe list\n"
                                 "  rotascope universe list --json")
@json_option
@click.pass_context
def list_cmd(ctx: click.Context, as_json: bool) -> None:
    """List every universe: name, source, member count, description."""
    from ...data.universes import list_universes

    with open_store(ctx, require_data=False) as store:
        unis = list_universes(store, settings_of(ctx))
    rows = [{"name": u.name, "source": u.source, "members": len(u.tickers),
             "point_in_time": u.point_in_time, "benchmark": u.benchmark,
             "description": u.description} for u in unis]
    if as_json:
        emit_json({"universes": rows})
        return
    from rich.table import Table

    table = Table(show_header=True)
    for col in ("name", "source", "members", "description"):
        table.add_column(col, justify="right" if col == "members" else "left",
                         overflow="fold")
    for u in unis:
        pit = " (point-in-time)" if u.point_in_time else ""
        table.add_row(escape(u.name), u.source, str(len(u.tickers)),
                      escape(u.description + pit))
    console().print(table)


SHOW_EPILOG = """\b
Examples:
  rotascope universe show mag7
  rotascope universe show sp500 --as-of 2015-06-30 --json
"""


@universe.command("show", epilog=SHOW_EPILOG)
@click.argument("name")
@as_of_option
@json_option
@click.pass_context
def show_cmd(ctx: click.Context, name: str, as_of: pd.Timestamp | None, as_json: bool) -> None:
    """Show a universe's members (on --as-of for a point-in-time universe)."""
    from ...data.universes import resolve_universe

    with open_store(ctx, require_data=False) as store:
        uni = resolve_universe(name, store, settings_of(ctx), as_of=as_of)
        have = set(store.tickers())
        inst = store.instruments()
        meta = {}
        if uni.source == "store":
            m = store.universe_members(name)
            meta = {r.ticker: (r.name, r.sector) for r in m.itertuples()}
    members: list[dict[str, Any]] = []   # JSON rows: ticker, name, sector, has_prices
    for t in uni.tickers:
        name_, sector = meta.get(t, (None, None))
        if t in inst.index:
            name_ = name_ if _clean(name_) else inst.loc[t, "name"]
            sector = sector if _clean(sector) else inst.loc[t, "sector"]
        members.append({"ticker": t, "name": _clean(name_), "sector": _clean(sector),
                        "has_prices": t in have})
    payload = {**uni.to_dict(), "members": members,
               "without_prices": [m["ticker"] for m in members if not m["has_prices"]]}
    if as_json:
        emit_json(payload)
        return
    out = console()
    when = f" as of {as_of:%Y-%m-%d}" if as_of is not None and uni.point_in_time else ""
    out.print(f"{uni.name} ({uni.source}): {uni.description}{when}", markup=False)
    out.print(f"{len(members)} members, benchmark {uni.benchmark or 'none'}")
    from rich.table import Table

    table = Table(show_header=True)
    for col in ("ticker", "name", "sector", "prices"):
        table.add_column(col)
    for m in members:
        table.add_row(escape(m["ticker"]), escape(m["name"] or ""), escape(m["sector"] or ""),
                      "yes" if m["has_prices"] else "no")
    out.print(table)


def _clean(v: object) -> str | None:
    if v is None or pd.isna(v):
        return None
    return str(v)
