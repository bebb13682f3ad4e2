"""Options and helpers shared by CLI commands (as-of, JSON output, store access)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import click
import pandas as pd

from ...config import Settings
from ...errors import ParameterError

__all__ = ["as_of_option", "json_option", "open_store", "open_market", "emit_json",
           "console", "resolve_as_of", "settings_of", "split_csv", "with_progress",
           "MarketOpener", "cli_opener"]

#: ``opener(as_of, needs=[...], needs_universes=(...))`` -> a context manager yielding a
#: MarketView. The payload functions of the command modules take one, so the CLI (its
#: store, notes on stderr) and the web server (its own read-only store) share them.
MarketOpener = Callable[..., AbstractContextManager[Any]]


def settings_of(ctx: click.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings.from_env()


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        return pd.Timestamp(value).normalize()
    except (ValueError, TypeError) as exc:
        raise click.BadParameter(f"expected a date like 2024-06-28, got {value!r}") from exc


def as_of_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as-of", "as_of", callback=_parse_date, metavar="YYYY-MM-DD",
        help="Analyse as of this date, using only data up to it "
             "(default: the latest date in the store).")(func)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print machine-readable JSON instead of a table.")(func)


def console(stderr: bool = False) -> Any:
    """A rich Console; plain text when output is not a terminal or NO_COLOR is set."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output gets a fixed, comfortable width instead of rich's 80 columns.
    width = None if stream.isatty() else 132
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def emit_json(obj: Any) -> None:
    from ..jsonout import dumps

    sys.stdout.write(dumps(obj) + "\n")


@contextmanager
def open_store(ctx: click.Context, *, read_only: bool = True,
               require_data: bool = True) -> Iterator[Any]:
    """Open the store from the CLI settings; read-only unless the command writes."""
    from ...data.store import Store

    settings = settings_of(ctx)
    store = Store(settings.store_path, read_only=read_only)
    try:
        if require_data:
            store.require_data()
        yield store
    finally:
        store.close()


@contextmanager
def open_market(ctx: click.Context, as_of: pd.Timestamp | None = None, *,
                needs: list[str] | None = None, needs_universes: tuple[str, ...] = (),
                quiet: bool = False) -> Iterator[Any]:
    """The market view of the CLI's store as of ``as_of`` (default: the last session on
    which 95% of ``needs`` have a close; the choice is printed on stderr when it differs
    from the store's last date)."""
    from ...market_view import MarketView

    settings = settings_of(ctx)
    with open_store(ctx) as store:
        market = MarketView.open(store, settings, as_of=as_of, needs=needs,
                                 needs_universes=needs_universes)
        if market.as_of_note and not quiet:
            click.echo(f"note: {market.as_of_note}", err=True)
        yield market


def cli_opener(ctx: click.Context) -> MarketOpener:
    """The CLI's :data:`MarketOpener`: :func:`open_market` on the command's store."""

    def opener(as_of: pd.Timestamp | None = None, **kw: Any) -> AbstractContextManager[Any]:
        return open_market(ctx, as_of, **kw)

    return opener


def resolve_as_of(store: Any, as_of: pd.Timestamp | None,
                  tickers: list[str] | None = None) -> pd.Timestamp:
    """The requested date, or the latest date in the store."""
    if as_of is not None:
        return as_of
    last = store.last_date(tickers)
    if last is None:
        raise ParameterError("no data for the requested tickers")
    return last


def split_csv(value: str | None) -> list[str]:
    if not value:
        return []
    return [v.strip() for v in value.split(",") if v.strip()]


def with_progress(total: int, description: str, *, disable: bool = False) -> Any:
    """A rich progress bar on stderr (hidden when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console(stderr=True),
                        transient=True, disable=disable)
    return progress
