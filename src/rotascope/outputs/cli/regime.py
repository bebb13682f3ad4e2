"""``rotascope regime``: the verdict with its evidence, or its replay over a period."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._common import (
    MarketOpener,
    _parse_date,
    as_of_option,
    cli_opener,
    console,
    emit_json,
    json_option,
    open_market,
    settings_of,
)

if TYPE_CHECKING:
    import pandas as pd

    from ...analysis.regime import RegimeResult
    from ...config import Settings

__all__ = ["regime", "rules_path", "regime_result", "regime_payload"]

EPILOG = """\b
Examples:
  rotascope regime
  rotascope regime --as-of 2022-06-30 --json
  rotascope regime --from 2020-01-01 --to 2026-07-14
  rotascope regime --from 2024-01-01 --to 2026-07-14 --chart regime.png
  rotascope regime --rules my-regime.yaml
  rotascope regime evaluate --from 2007-01-01 --json

The rules (signals, thresholds, verdicts) are in a YAML file: the built-in defaults, or
$ROTASCOPE_HOME/regime.yaml if it exists, or --rules FILE.
"""


def rules_path(settings: Settings, explicit: str | None) -> Path | None:
    """--rules FILE, else $ROTASCOPE_HOME/regime.yaml when present, else the defaults."""
    if explicit:
        return Path(explicit)
    user = Path(settings.home) / "regime.yaml"
    return user if user.exists() else None


@click.group(epilog=EPILOG, invoke_without_command=True)
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
    broad breakdown or mixed, with the evidence for and against.

    `rotascope regime evaluate` shows the verdict's track record."""
    if ctx.invoked_subcommand is not None:
        return
    from ...analysis.regime import verdict_changes

    history, inputs, last = regime_result(cli_opener(ctx), settings_of(ctx), as_of=as_of,
                                          start=start, end=end, rules_file=rules_file,
                                          universe=universe)
    replay = start is not None or end is not None
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
            emit_json(regime_payload(history, last, start=start, replay=True))
            return
        _print_changes(changes)
        return
    result = history.at(last)
    if as_json:
        emit_json(regime_payload(history, last))
        return
    _print_result(result)


def _print_result(result: RegimeResult) -> None:
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


def _print_changes(changes: pd.DataFrame) -> None:
    from rich.table import Table

    t = Table(title="Regime changes", title_justify="left", header_style="bold")
    for col in ("date", "verdict", "previous", "confidence"):
        t.add_column(col)
    for row in changes.itertuples():
        t.add_row(f"{row.date:%Y-%m-%d}", row.verdict, row.previous or "",
                  f"{row.confidence:.0%}")
    console().print(t)


EVALUATE_EPILOG = """\b
Examples:
  rotascope regime evaluate
  rotascope regime evaluate --from 2007-01-01 --to 2018-12-31 --json
  rotascope regime evaluate --raw          # the daily call before confirmation

For each verdict: how often and how long it held, and what followed it (SPY return over
1 and 3 months, worst SPY drawdown in the next 3 months, RSP/SPY and IWM/QQQ changes)
against all days, with 90% moving-block bootstrap intervals. See docs/regime.md.
"""


@regime.command("evaluate", epilog=EVALUATE_EPILOG)
@click.option("--from", "start", callback=_parse_date, metavar="YYYY-MM-DD",
              help="First session evaluated (default: the first verdict).")
@click.option("--to", "end", callback=_parse_date, metavar="YYYY-MM-DD",
              help="Last date read (default: latest); forward windows end by it.")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False),
              help="Regime rules YAML (default: $ROTASCOPE_HOME/regime.yaml or built-in).")
@click.option("--universe", default="sp500", show_default=True,
              help="Member universe for breadth signals.")
@click.option("--raw", is_flag=True, help="Evaluate the raw daily call, not the confirmed one.")
@click.option("--boot", "n_boot", default=1000, show_default=True, type=click.IntRange(100, 20000),
              help="Bootstrap replicates.")
@json_option
@click.pass_context
def evaluate(ctx: click.Context, start: object, end: object, rules_file: str | None,
             universe: str, raw: bool, n_boot: int, as_json: bool) -> None:
    """The verdict's track record: how long each verdict held and what followed it."""
    from ...analysis.regime import load_rules
    from ...analysis.regime_eval import FORWARD, evaluate_market

    rules = load_rules(rules_path(settings_of(ctx), rules_file))
    with open_market(ctx, end, needs=list(rules.tickers),
                     needs_universes=(universe,)) as market:
        ev = evaluate_market(market, rules, start=start, universe=universe, n_boot=n_boot,
                             verdict="raw" if raw else "verdict")
    if as_json:
        emit_json(ev.to_dict())
        return
    from rich.table import Table

    out = console()
    out.print(f"[bold]Regime track record {ev.start:%Y-%m-%d} to {ev.end:%Y-%m-%d}[/] "
              f"({ev.sessions} sessions, {ev.flips_per_year:.1f} flips a year)")
    t = Table(header_style="bold")
    for col in ("verdict", "share", "spells", "mean length", "median length"):
        t.add_column(col, justify="left" if col == "verdict" else "right")
    for v, row in ev.summary.iterrows():
        t.add_row(str(v), f"{row['share']:.0%}", str(int(row["spells"])),
                  f"{row['mean_length']:.0f}", f"{row['median_length']:.0f}")
    out.print(t)
    o = ev.outcomes
    t = Table(title="What followed (mean, 90% CI; * = differs from all days)",
              title_justify="left", header_style="bold")
    t.add_column("verdict")
    for label, _ in FORWARD.values():
        t.add_column(label, justify="right")
    for v in o.index:
        cells = []
        for k in FORWARD:
            mean, lo, hi = o.loc[v, (k, "mean")], o.loc[v, (k, "lo")], o.loc[v, (k, "hi")]
            dlo, dhi = o.loc[v, (k, "diff_lo")], o.loc[v, (k, "diff_hi")]
            star = "*" if (dlo > 0 or dhi < 0) else ""
            cells.append("n/a" if mean != mean else
                         f"{mean * 100:+.1f}% [{lo * 100:+.1f}, {hi * 100:+.1f}]{star}")
        t.add_row("all days" if v == "all" else str(v), *cells)
    out.print(t)


def regime_result(opener: MarketOpener, settings: Any, *, as_of: Any = None, start: Any = None,
                  end: Any = None, rules_file: str | None = None,
                  universe: str = "sp500") -> tuple[Any, Any, Any]:
    """(verdict history, regime inputs, last date read) of `rotascope regime`."""
    from ...analysis.inputs import load_regime_inputs
    from ...analysis.regime import load_rules, regime_history
    from ...errors import ParameterError

    rules = load_rules(rules_path(settings, rules_file))
    replay = start is not None or end is not None
    if replay and as_of is not None:
        raise ParameterError("use either --as-of or --from/--to")
    with opener(end if end is not None else as_of, needs=list(rules.tickers),
                needs_universes=(universe,)) as market:
        last = market.as_of
        inputs = load_regime_inputs(market, rules, universe=universe)
    return regime_history(inputs.close, inputs.breadth, rules), inputs, last


def regime_payload(history: Any, last: Any, *, start: Any = None,
                   replay: bool = False) -> Any:
    """The JSON of `rotascope regime --json`: the verdict on ``last``, or (``replay``)
    its changes from ``start``."""
    from ...analysis.regime import verdict_changes

    if not replay:
        return history.at(last).to_dict()
    changes = verdict_changes(history, start, last)
    return {"from": changes["date"].iloc[0], "to": history.verdict.loc[:last].index[-1],
            "changes": [{"date": r.date, "verdict": r.verdict, "previous": r.previous,
                         "confidence": r.confidence} for r in changes.itertuples()]}
