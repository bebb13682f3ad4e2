"""``rotascope regime``: the verdict with its evidence, or its replay over a period."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import (
    _parse_date,
    as_of_option,
    console,
    emit_json,
    json_option,
    open_market,
    settings_of,
)

EPILOG = """\b
Examples:
  rotascope regime
  rotascope regime --as-of 2022-06-30 --json
  rotascope regime --from 2020-01-01 --to 2026-07-14
  rotascope regime --from 2024-01-01 --to 2026-07-14 --chart regime.png
  rotascope regime --rules my-regime.yaml

The rules (signals, thresholds, verdicts) are in a YAML file: the built-in defaults, or
$ROTASCOPE_HOME/regime.yaml if it exists, or --rules FILE.
"""


def rules_path(settings: object, explicit: str | None) -> Path | None:
    """--rules FILE, else $ROTASCOPE_HOME/regime.yaml when present, else the defaults."""
    if explicit:
        return Path(explicit)
    user = Path(settings.home) / "regime.yaml"
    return user if user.exists() else None


@click.command(epilog=EPILOG)
@as_of_option
@click.option("--from", "start", callback=_parse_date, metavar="YYYY-MM-DD",
              help="Replay: first date of the period.")
@click.option("--to", "end", callback=_parse_date, metavar="YYYY-MM-DD",
              help="Replay: last date of the period (default: latest).")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False),
              help="Regime rules YAML (default: $ROTASCOPE_HOME/regime.yaml or built-in).")
@click.option("--universe", default="sp500", show_default=True,
              help="Member universe for breadth signals.")
@click.option("--chart", "chart_path", type=click.Path(dir_okay=False),
              help="Replay: also write a chart (.png or .html) of the verdict over time.")
@json_option
@click.pass_context
def regime(ctx: click.Context, as_of: object, start: object, end: object,
           rules_file: str | None, universe: str, chart_path: str | None,
           as_json: bool) -> None:
    """The market regime: broadening rotation, narrow leadership, defensive rotation,
    broad breakdown or mixed, with the evidence for and against."""
    from ...analysis.inputs import load_regime_inputs
    from ...analysis.regime import load_rules, regime_history, verdict_changes
    from ...errors import ParameterError

    settings = settings_of(ctx)
    rules = load_rules(rules_path(settings, rules_file))
    replay = start is not None or end is not None
    if replay and as_of is not None:
        raise ParameterError("use either --as-of or --from/--to")
    with open_market(ctx, end if end is not None else as_of, needs=list(rules.tickers),
                     needs_universes=(universe,)) as market:
        last = market.as_of
        inputs = load_regime_inputs(market, rules, universe=universe)
    history = regime_history(inputs.close, inputs.breadth, rules)
    err = console(stderr=True)
    for note in inputs.notes:
        err.print(f"[yellow]note:[/] {note}")
    if replay:
        changes = verdict_changes(history, start, last)
        if chart_path:
            from ..charts import regime_chart

            regime_chart(history, inputs.close["SPY"] if "SPY" in inputs.close else
                         inputs.close.iloc[:, 0], chart_path, start=start, end=last)
            err.print(f"chart written to {chart_path}")
        if as_json:
            emit_json({"from": changes["date"].iloc[0], "to": history.verdict.loc[:last].index[-1],
                       "changes": [{"date": r.date, "verdict": r.verdict,
                                    "previous": r.previous, "confidence": r.confidence}
                                   for r in changes.itertuples()]})
            return
        _print_changes(changes)
        return
    result = history.at(last)
    if as_json:
        emit_json(result.to_dict())
        return
    _print_result(result)


def _print_result(result: object) -> None:
    from rich.table import Table

    from ..fmt import pct

    out = console()
    r = result
    since = f" since {r.since:%Y-%m-%d}" if r.since is not None else ""
    out.print(f"[bold]Regime as of {r.as_of:%Y-%m-%d}: {r.verdict}[/]{since} "
              f"(confidence {pct(r.confidence, 0, sign=False)})")
    out.print(r.description)
    if r.raw_verdict != r.verdict:
        out.print(f"[yellow]building:[/] {r.raw_verdict} for {r.days_in_raw} day(s); "
                  "adopted once it holds long enough")
    scores = ", ".join(f"{g} {v:+.2f}" for g, v in r.scores.items() if v == v)
    out.print(f"group scores: {scores}")
    t = Table(header_style="bold")
    for col in ("signal", "group", "value", "threshold", "vote", "leans", "stance"):
        t.add_column(col, justify="right" if col in ("value", "vote") else "left")
    style = {"for": "green", "against": "red", "neutral": "", "no data": "dim"}
    order = {"for": 0, "against": 1, "neutral": 2, "no data": 3}
    for e in sorted(r.evidence, key=lambda e: (order[e.stance], e.group)):
        vote = "" if e.vote is None else (f"{e.vote:+d}" if e.vote else "0")
        t.add_row(e.label, e.group, e.display, e.threshold, vote, e.lean, e.stance,
                  style=style[e.stance])
    out.print(t)


def _print_changes(changes: object) -> None:
    from rich.table import Table

    t = Table(title="Regime changes", title_justify="left", header_style="bold")
    for col in ("date", "verdict", "previous", "confidence"):
        t.add_column(col)
    for row in changes.itertuples():
        t.add_row(f"{row.date:%Y-%m-%d}", row.verdict, row.previous or "",
                  f"{row.confidence:.0%}")
    console().print(t)
