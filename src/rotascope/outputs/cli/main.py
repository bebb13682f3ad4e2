"""Entry point of the ``rotascope`` command.

Commands are registered by name in :data:`COMMANDS` and imported only when used, so
``rotascope --help`` stays fast and a heavy dependency of one command never slows
another. Every :class:`~rotascope.errors.RotascopeError` becomes a one-line message on
stderr and the exit code documented in :mod:`rotascope.errors`.
"""

from __future__ import annotations

import difflib
import importlib
import os
import sys
from typing import Any

import click

from ...errors import EXIT_INTERNAL, RotascopeError

#: command name -> ("module:attribute" relative to rotascope.outputs.cli, one-line help).
#: The help is repeated here so `rotascope --help` lists commands without importing them.
COMMANDS: dict[str, tuple[str, str]] = {
    "alerts": ("alerts:alerts", "Alert rules: check now, backtest on history, run and deliver."),
    "watch": ("watch:watch", "Update data and run the alerts on a schedule until stopped."),
    "data": ("data:data", "Import, update, check and export price data."),
    "universe": ("universe:universe", "Add, list and show universes (ticker lists)."),
    "perf": ("analysis:perf", "Total returns over windows, and spreads between tickers."),
    "ratio": ("analysis:ratio", "A ratio line A/B: level, changes, averages, N-month extremes."),
    "signals": ("signals:signals", "One ticker or ratio A/B read like a chart: averages, RSI, "
                "divergences, range, drawdown, rebound."),
    "snapshot": ("snapshot:snapshot",
                 "One screen: leadership, style, sectors, global, key ratios."),
    "regime": ("regime:regime", "The regime verdict with its evidence, or its replay over time."),
    "sentiment": ("sentiment:sentiment", "Finance sentiment of a text, overall and by instrument."),
    "check": ("check:check", "Check the market claims in a text (returns, ratios, averages, ...)."),
    "report": ("report:report", "The weekly research note (HTML, Markdown, JSON, charts); "
               "--demo runs it offline on a synthetic market."),
    "breadth": ("breadth:breadth", "Breadth: members above averages, new highs/lows, A/D, "
                "McClellan, RSP/SPY, participation."),
    "rrg": ("rrg:rrg", "Relative rotation graph: RS-Ratio, RS-Momentum, quadrant, tails."),
    "rotation": ("rotation:rotation", "Style, size, geography and risk pairs with trends; "
                 "bitcoin vs SPY."),
    "concentration": ("rotation:concentration", "Mag-7 basket vs the rest of the index, "
                      "MAGS/XMAG, contributions."),
    "leaders": ("leaders:leaders", "Leaders and laggards of a universe: relative strength "
                "and RRG quadrant."),
    "backtest": ("backtest:backtest", "Backtest rotation strategies (YAML) point in time; sweeps."),
    "chart": ("chart:chart", "PNG or HTML charts: ratio, RRG, breadth, price lines."),
    "scan": ("scan:scan", "Members of a universe meeting a condition ($ = each member), at once."),
    "portfolio": ("portfolio:portfolio", "Portfolio: Mag-7 exposure, risk, scenarios, what-if."),
    "serve": ("serve:serve", "The research desk in a browser and the REST API (127.0.0.1)."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module, attr = entry[0].split(":")
        return getattr(importlib.import_module(f"{__package__}.{module}"), attr)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        # An unknown command: a usage error (exit 2) with the closest names. (Click adds
        # them itself for groups whose commands are registered; these are lazy.)
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            raise click.UsageError(f"No such command {name!r}."
                                   + _did_you_mean(name, list(COMMANDS), "rotascope"), ctx)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        # The root group runs every subcommand, so this is the one place that turns a
        # RotascopeError into "error: ..." on stderr and its documented exit code.
        try:
            return super().invoke(ctx)
        except RotascopeError as exc:
            if os.environ.get("ROTASCOPE_DEBUG"):
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # last-resort message, exit code 1
            if os.environ.get("ROTASCOPE_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                       "Set ROTASCOPE_DEBUG=1 for a traceback, and please report it.", err=True)
            ctx.exit(EXIT_INTERNAL)


def _did_you_mean(name: str, choices: list[str], prog: str) -> str:
    """`` Did you mean 'regime'?`` (difflib's closest names), or where to find the list."""
    close = difflib.get_close_matches(name, sorted(choices), n=3, cutoff=0.6)
    if close:
        return f" Did you mean {' or '.join(repr(c) for c in close)}?"
    return f" Run '{prog} --help' for the list of commands."


EPILOG = """\b
Examples:
  rotascope data import ../shared/market-data     load a folder of CSV files
  rotascope universe add sp500 constituents/sp500.csv --changes constituents/sp500_changes.csv
  rotascope snapshot                              one screen: leadership, style, sectors, ratios
  rotascope perf MAGS XMAG RSP --windows 1m,3m,ytd
  rotascope ratio MAGS SPY --as-of 2025-04-08 --json

State lives in $ROTASCOPE_HOME (default ~/.rotascope).
"""


@click.group(cls=LazyGroup, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="rotascope")
@click.option("--home", type=click.Path(file_okay=False), envvar="ROTASCOPE_HOME",
              help="State folder (store, config); default $ROTASCOPE_HOME or ~/.rotascope.")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """rotascope: is money rotating out of the Magnificent Seven, and is it healthy?

    Computes the evidence (ratios, trends, breadth, rotation) from daily prices in a
    local store and prints tables, JSON (--json) and charts.
    """
    from pathlib import Path

    from ...config import Settings, default_home

    ctx.obj = Settings(home=Path(home).expanduser() if home else default_home())


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    try:
        return cli.main(args=argv, prog_name="rotascope", standalone_mode=True)
    except RotascopeError as exc:  # raised outside click's own handling
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
