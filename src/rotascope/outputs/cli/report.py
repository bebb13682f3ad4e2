"""``rotascope report``: the weekly research note (HTML, Markdown, JSON and charts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ._common import as_of_option, console, emit_json, json_option, settings_of

EPILOG = """\b
Examples:
  rotascope report --demo                  the whole note on a synthetic market (offline)
  rotascope report                         the note as of the store's last date
  rotascope report --as-of 2025-04-08 --out notes/2025-04-08

Writes note.html (self-contained, opens offline), note.md, note.json (every figure
with its definition and inputs) and one PNG per chart into --out (default
$ROTASCOPE_HOME/reports/rotascope-report-<as-of>/; the folder is printed). Each note
is kept in the store so the next one opens with a recap of what changed
(--no-history to skip). --demo uses a separate store, $ROTASCOPE_HOME/demo, built once
from the synthetic market generator.
"""


@click.command(epilog=EPILOG)
@as_of_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Output folder (default $ROTASCOPE_HOME/reports/rotascope-report-<as-of>/).")
@click.option("--demo", is_flag=True,
              help="Run on the synthetic demo market (no data or internet needed).")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False),
              help="Regime rules YAML (default: $ROTASCOPE_HOME/regime.yaml or built-in).")
@click.option("--universe", default="sp500", show_default=True,
              help="Member universe for breadth.")
@click.option("--no-history", is_flag=True,
              help="Do not record the note in the store (the next note has no recap of it).")
@click.option("--portfolio", "portfolio_file", type=click.Path(dir_okay=False, exists=True),
              help="Holdings CSV/YAML: add a 'your portfolio' section (see `rotascope "
                   "portfolio analyze`).")
@json_option
@click.pass_context
def report(ctx: click.Context, as_of: Any, out_dir: str | None, demo: bool,
           rules_file: str | None, universe: str, no_history: bool,
           portfolio_file: str | None, as_json: bool) -> None:
    """The weekly note: regime verdict with its evidence, the index, Mag-7 versus the
    rest, global, sectors, breadth, macro, crypto, positioning and risks."""
    from ...analysis.regime import load_rules
    from ...data.store import Store
    from ...errors import StoreBusyError
    from ...market_view import MarketView
    from ..report import build_report, write_report
    from ..report.build import CORE_TICKERS
    from ..report.demo import ensure_demo_store
    from ..report.history import previous_note, save_note
    from .regime import rules_path

    settings = settings_of(ctx)
    err = console(stderr=True)
    rules = load_rules(rules_path(settings, rules_file))
    target = settings
    source: dict[str, Any] = {}
    if demo:
        from ..report.demo import DEMO_SPEC

        target = ensure_demo_store(settings, log=lambda m: err.print(m))
        source = {"demo": True, "generator": dict(DEMO_SPEC)}
    holdings = None
    if portfolio_file:
        from ...data.holdings import read_holdings

        holdings = read_holdings(portfolio_file)
    with Store(target.store_path, read_only=True) as store:
        store.require_data()  # exit code 3 with the ways to load data
        market = MarketView.open(store, target, as_of=as_of,
                                 needs=[*CORE_TICKERS, *rules.tickers])
        if market.as_of_note:
            err.print(f"note: {market.as_of_note}")
        model = build_report(market, rules=rules, universe=universe, source=source,
                             previous=lambda day: previous_note(store, day),
                             requested_as_of=as_of, portfolio=holdings)
    out = (Path(out_dir) if out_dir
           else settings.home / "reports" / f"rotascope-report-{model.as_of:%Y-%m-%d}")
    paths = write_report(model, out)
    note = model.to_dict()
    if not no_history:
        try:
            with Store(target.store_path, wait=5.0) as store:
                save_note(store, note)
        except StoreBusyError as exc:
            err.print(f"[yellow]note:[/] not recorded for the next recap: {exc}")
    if as_json:
        emit_json(note)
        return
    _print_summary(model, out, paths)


def _print_summary(model: Any, out: Path, paths: dict[str, Path]) -> None:
    from ..report.figures import fill

    c = console()
    displays = model.figures.displays()
    mark = " [bold red](SYNTHETIC DATA)[/]" if model.synthetic else ""
    c.print(f"[bold]{model.title.replace(' (SYNTHETIC DATA)', '')}[/]{mark}")
    for sec in model.sections:
        if sec.id == "key_points":
            for item in sec.blocks[0].items:
                c.print("  - " + fill(item, displays).replace("**", ""), markup=False,
                        highlight=False)
    c.print(f"written to {out}/: " + ", ".join(sorted(p.name for p in paths.values())))
