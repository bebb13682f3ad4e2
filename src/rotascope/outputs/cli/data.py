"""``rotascope data ...``: import, check, list and export the price store.

``data update`` lives in :mod:`rotascope.outputs.cli.data_update` and is loaded only when
used, so the other subcommands work even when that module (or its dependencies) is
missing.
"""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.markup import escape

from ...errors import EXIT_DATA, EXIT_FINDINGS
from ._common import console, emit_json, json_option, open_store, with_progress

__all__ = ["data", "import_cmd", "check_cmd", "export_cmd", "list_cmd"]

#: Subcommands defined in other modules: name -> ("module:attribute", one-line help).
LAZY_SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "update": ("data_update:update", "Fetch missing dates from online providers."),
}


class _DataGroup(click.Group):
    """A group whose ``update`` command is imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_SUBCOMMANDS])

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        # click suggests only registered commands; the lazy ones count too (data updte)
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in self.list_commands(ctx):
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=3)
            hint = (f" Did you mean {' or '.join(repr(c) for c in close)}?" if close
                    else f" Run '{ctx.command_path} --help' for the list of commands.")
            raise click.UsageError(f"No such command {name!r}.{hint}", ctx)
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in LAZY_SUBCOMMANDS:
            return super().get_command(ctx, name)
        target, help_text = LAZY_SUBCOMMANDS[name]
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(f"{__package__}.{module}"), attr)
        except (ImportError, AttributeError) as exc:
            reason = f"{type(exc).__name__}: {exc}"

            @click.command(name=name, help=f"{help_text} (unavailable: {reason})",
                           context_settings={"ignore_unknown_options": True,
                                             "allow_extra_args": True})
            def unavailable() -> None:
                raise click.ClickException(f"`rotascope data {name}` is not available in this "
                                           f"installation ({reason}).")

            return unavailable


def _tickers(values: tuple[str, ...]) -> list[str] | None:
    from ...data.model import normalize_ticker

    out = [normalize_ticker(v) for item in values for v in item.split(",") if v.strip()]
    return list(dict.fromkeys(out)) or None


@click.group(cls=_DataGroup)
def data() -> None:
    """Import, update, check, list and export the price data in the store."""


IMPORT_EPILOG = """\b
Examples:
  rotascope data import ../shared/market-data          a folder laid out like market-data
  rotascope data import ~/Downloads/AAPL.csv           one Yahoo/Stooq/Date,Close file
  rotascope data import backup/                        restore a `data export` folder
  rotascope data import prices/ --json                 machine-readable summary

\b
Limits: only regular files are read (folders, FIFOs, devices, symlink loops and
dangling links are reported, not read); at most 256 MiB per file and 1 MiB per
line; symbolic links leaving the imported folder are not followed unless
--follow-links. Tickers (from file names, or inside Stooq bulk and yfinance files)
are ASCII letters and digits with ^ - . / = ; dates run from 1900-01-01 to today.

\b
Exit codes: 0 everything loaded; 3 some files were rejected (the others WERE loaded);
4 the store is busy (another rotascope command is writing).
"""


@data.command("import", epilog=IMPORT_EPILOG)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--calendar", default="SPY", show_default=True, metavar="TICKER|nyse|crypto",
              help="Ticker whose trading days the missing-days check uses, or a named "
                   "calendar (nyse: exchange sessions; crypto: 7 days). A ticker without "
                   "prices falls back to the NYSE sessions.")
@click.option("--adjusted/--unadjusted", "adjusted", default=None,
              help="Declare that Date,Close/OHLCV files hold adjusted (or raw) closes; files "
                   "with an Adj Close column are always adjusted.")
@click.option("--follow-links", is_flag=True,
              help="Also read files reached through symbolic links that leave the folder.")
@click.option("--files", "show_files", is_flag=True,
              help="List every file in the table output (default: all when at most 40, "
                   "else the ones not loaded).")
@json_option
@click.pass_context
def import_cmd(ctx: click.Context, path: Path, calendar: str, adjusted: bool | None,
               follow_links: bool, show_files: bool, as_json: bool) -> None:
    """Import a folder of price files, one file, or a Parquet export.

    Every file is parsed and checked, then everything is written in one transaction:
    a crash or Ctrl-C leaves the store as it was, and importing the same files again
    changes nothing. A file with a structural problem (unknown header, bad line,
    duplicate or unsorted dates...) is rejected with file:line and the reason; the
    other files still load. Plausible oddities (50% moves, stale runs, gaps, ...) are
    imported and flagged; see `rotascope data check`.
    """
    from ...data.importer import import_path

    bar = with_progress(0, "Importing", disable=as_json)
    with open_store(ctx, read_only=False, require_data=False) as store, bar:
        task = bar.add_task("Reading files", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            label = {"read": "Reading files", "check": "Checking", "write": "Writing",
                     "done": "Done"}.get(stage, stage)
            bar.update(task, description=label, completed=done, total=total)

        result = import_path(store, path, progress=progress, calendar=calendar,
                             adjusted=adjusted, follow_links=follow_links)
    summary = _summary(result)
    if as_json:
        emit_json({"path": str(path), "summary": summary, **result.to_dict()})
    else:
        _print_import(result, summary, path, show_files)
    if result.rejected:
        ctx.exit(EXIT_DATA)


def _summary(result: Any) -> dict[str, int]:
    counts = Counter(r.status for r in result.results)
    return {"new": counts.get("new", 0), "updated": counts.get("updated", 0),
            "unchanged": counts.get("unchanged", 0), "rejected": len(result.rejected),
            "flags": len(result.flags), "rows_written": result.rows_written}


def _shown(text: str) -> Any:
    """User text (file names, reasons) as a rich Text: no markup or :emoji: codes, and
    control, bidi and zero-width characters escaped so they cannot garble the table."""
    import unicodedata

    from rich.text import Text

    safe = "".join(ch if ch.isprintable() and unicodedata.category(ch) != "Cf"
                   else ascii(ch)[1:-1] for ch in text)
    return Text(safe)


#: Up to this many files, the table lists every file; above it, only the files not loaded.
FILES_SHOWN = 40


def _relative(location: str, folder: Path) -> str:
    """The file's name within the imported folder (the table's title names the folder)."""
    try:
        return str(Path(location).relative_to(folder))
    except ValueError:
        return location


def _print_import(result: Any, summary: dict[str, int], path: Path,
                  show_files: bool = False) -> None:
    from rich.table import Table

    out = console()
    table = Table(title=_shown(f"Import of {path}"), show_header=True, title_justify="left")
    for col in ("new", "updated", "unchanged", "rejected", "flags", "rows written"):
        table.add_column(col, justify="right")
    table.add_row(*(f"{summary[k]:,}" for k in ("new", "updated", "unchanged", "rejected",
                                                 "flags", "rows_written")))
    out.print(table)
    files = list(getattr(result, "files", []))
    listed = files if show_files or len(files) <= FILES_SHOWN else [
        f for f in files if f.status != "loaded"]
    if listed:
        per = Table(title="Files", title_justify="left")
        per.add_column("file:line", overflow="fold")
        per.add_column("status")
        per.add_column("tickers", overflow="fold")
        per.add_column("rows", justify="right")
        per.add_column("check")
        per.add_column("reason", overflow="fold")
        for f in listed:
            name = _relative(f.location, path)
            where = f"{name}:{f.line}" if f.line is not None else name
            tickers = ", ".join(f.tickers[:8]) + (f" +{len(f.tickers) - 8}"
                                                  if len(f.tickers) > 8 else "")
            per.add_row(_shown(where), f.status, _shown(tickers), f"{f.rows:,}" if f.rows
                        else "", f.check or "", _shown(f.reason or ""))
        out.print(per)
    if len(listed) < len(files):
        out.print(f"{len(files) - len(listed):,} {'more ' if listed else ''}files loaded "
                  "(--files lists every file; --json gives all details)")
    if not files and result.rejected:
        rej = Table(title="Rejected (not imported)", title_justify="left")
        rej.add_column("file:line", overflow="fold")
        rej.add_column("check")
        rej.add_column("reason", overflow="fold")
        for r in result.rejected:
            name = _relative(r.location, path)
            where = f"{name}:{r.line}" if r.line is not None else name
            rej.add_row(_shown(where), r.check or "", _shown(r.reason))
        out.print(rej)
    if result.flags:
        by_check = Counter(f.check for f in result.flags)
        text = ", ".join(f"{c} {n}" for c, n in sorted(by_check.items()))
        out.print(f"Flagged (imported): {text}. Details: rotascope data check")


CHECK_EPILOG = """\b
Examples:
  rotascope data check                     every ticker in the store
  rotascope data check AAPL ^IRX --json    two tickers, as JSON
  rotascope data check --strict            exit code 10 when anything is flagged
  rotascope data check --calendar nyse     missing days versus the NYSE sessions

\b
Exit codes: 0 (flags are findings, not errors); with --strict, 10 when any ticker is
flagged; 3 for unknown tickers.
"""


@data.command("check", epilog=CHECK_EPILOG)
@click.argument("tickers", nargs=-1)
@click.option("--calendar", default="SPY", show_default=True, metavar="TICKER|nyse|crypto",
              help="Ticker whose trading days define the expected calendar, or a named "
                   "calendar (nyse: exchange sessions; crypto: 7 days). A ticker without "
                   "prices falls back to the NYSE sessions.")
@click.option("--strict", is_flag=True, help="Exit with code 10 when anything is flagged.")
@click.option("--all", "show_all", is_flag=True, help="List clean tickers too (table output).")
@json_option
@click.pass_context
def check_cmd(ctx: click.Context, tickers: tuple[str, ...], calendar: str, strict: bool,
              show_all: bool, as_json: bool) -> None:
    """Run the data-quality checks on the stored prices, per ticker.

    Reports zero/negative/near-zero closes, one-day moves beyond 50%, gaps over 7
    calendar days, runs of 5+ unchanged closes, series ending before the store's
    latest date, fewer than 252 rows, and days of the calendar ticker (SPY) missing
    inside a series' range. Tokens match ../shared/market-data/manifest.csv.
    """
    from ...data.calendar import CALENDAR_NAMES
    from ...data.model import normalize_ticker
    from ...data.quality import check_store, manifest_token

    name = calendar if calendar.strip().lower() in CALENDAR_NAMES else normalize_ticker(calendar)
    with open_store(ctx) as store:
        report = check_store(store, _tickers(tickers), calendar=name)
    if as_json:
        emit_json(report.to_dict())
    else:
        from rich.table import Table

        out = console()
        table = Table(show_header=True)
        table.add_column("ticker")
        table.add_column("flags", overflow="fold")
        by = report.by_ticker()
        for t in report.tickers:
            if by[t] or show_all:
                table.add_row(escape(t),
                              escape("; ".join(manifest_token(f) for f in by[t]) or "clean"))
        if table.row_count:
            out.print(table)
        latest = report.latest_date.date() if report.latest_date is not None else "n/a"
        out.print(f"{len(report.tickers)} tickers checked (latest date {latest}, calendar "
                  f"{report.calendar}): {len(report.flagged)} flagged, {len(report.flags)} "
                  "flags.")
        for note in report.notes:
            out.print(f"note: {note}", markup=False)
        if report.sessions_behind:
            out.print(f"note: the store's latest date {latest} is {report.sessions_behind} "
                      f"NYSE session(s) behind {report.last_session:%Y-%m-%d}; "
                      "rotascope data update fetches the missing dates", markup=False)
    if strict and report.flags:
        ctx.exit(EXIT_FINDINGS)


EXPORT_EPILOG = """\b
Examples:
  rotascope data export backup/            prices, instruments, universes, provenance
  rotascope data import backup/            restore it (here or on another machine)
  rotascope data export --format parquet-dataset ds/   closes partitioned by
                                           bucket=crc32(ticker)%N and year, for DuckDB,
                                           Dask, Polars and `scan --engine dask --dataset`
"""


@data.command("export", epilog=EXPORT_EPILOG)
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["tables", "parquet-dataset"]),
              default="tables", show_default=True,
              help="tables: one file per table (a backup); parquet-dataset: the closes as "
                   "a hive-partitioned dataset.")
@click.option("--buckets", type=click.IntRange(1, 4096), default=32, show_default=True,
              help="parquet-dataset: number of ticker buckets.")
@json_option
@click.pass_context
def export_cmd(ctx: click.Context, path: Path, fmt: str, buckets: int, as_json: bool) -> None:
    """Write the whole store as Parquet files in the folder PATH.

    One file per table (prices, instruments, universes, universe_members,
    provenance, import_runs, quality_flags) plus rotascope-export.json.
    `rotascope data import PATH` restores it. With --format parquet-dataset: the
    closes as PATH/bucket=B/year=Y/*.parquet plus rotascope-dataset.json.
    """
    if fmt == "parquet-dataset":
        from ...data.dataset import write_dataset

        with open_store(ctx) as store:
            meta = write_dataset(store, path, buckets=buckets)
        if as_json:
            emit_json({"path": str(path), **meta})
        else:
            console().print(f"{meta['rows']:,} closes of {meta['tickers']:,} tickers "
                            f"({meta['first_date']} to {meta['last_date']}) in "
                            f"{buckets} buckets written to {path}", markup=False)
        return
    with open_store(ctx) as store:
        counts = store.export_parquet(path)
    if as_json:
        emit_json({"path": str(path), "tables": counts})
    else:
        out = console()
        for name, n in counts.items():
            out.print(f"{name + '.parquet':<26} {n:>12,} rows")
        out.print(f"exported to {path}", markup=False)


LIST_EPILOG = """\b
Examples:
  rotascope data list                  every ticker: first/last date, rows, kind, flags
  rotascope data list SPY QQQ --json
"""


@data.command("list", epilog=LIST_EPILOG)
@click.argument("tickers", nargs=-1)
@json_option
@click.pass_context
def list_cmd(ctx: click.Context, tickers: tuple[str, ...], as_json: bool) -> None:
    """Coverage per ticker: first and last date, rows, kind, source, stored flags."""
    wanted = _tickers(tickers)
    with open_store(ctx) as store:
        if wanted is not None:
            store.check_tickers(wanted)
        cov = store.coverage(wanted)
        inst = store.instruments()
        flags = Counter(f.ticker for f in store.quality_flags(wanted))
    rows = []
    for t, r in cov.iterrows():
        info = inst.loc[t] if t in inst.index else None

        def get(col: str, info: Any = info) -> Any:
            if info is None:
                return None
            v = info[col]
            return None if v is None or pd.isna(v) else v

        rows.append({"ticker": t, "first_date": r["first_date"], "last_date": r["last_date"],
                     "rows": int(r["rows"]), "kind": get("kind"), "name": get("name"),
                     "sector": get("sector"), "adjusted": get("adjusted"),
                     "source": get("source"), "flags": flags.get(t, 0)})
    if as_json:
        emit_json({"count": len(rows), "tickers": rows})
        return
    from rich.table import Table

    table = Table(show_header=True)
    for col, just in (("ticker", "left"), ("first", "left"), ("last", "left"),
                      ("rows", "right"), ("kind", "left"), ("source", "left"),
                      ("flags", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in rows:
        table.add_row(escape(r["ticker"]), f"{r['first_date']:%Y-%m-%d}",
                      f"{r['last_date']:%Y-%m-%d}", f"{r['rows']:,}", r["kind"] or "",
                      r["source"] or "", str(r["flags"]))
    out = console()
    out.print(table)
    out.print(f"{len(rows)} tickers")
