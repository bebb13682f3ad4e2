"""``rotascope alerts``: check, backtest and run declarative alert rules."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from ._common import as_of_option, emit_json, json_option, open_store, settings_of

__all__ = ["alerts", "setup_logging", "check_result"]

EPILOG = """\b
Examples:
  rotascope alerts check examples/alerts/rotation.yaml
  rotascope alerts backtest examples/alerts/rotation.yaml --from 2025-01-01 --to 2025-12-31
  rotascope alerts run examples/alerts/rotation.yaml
  rotascope alerts functions

A rule fires once when its condition becomes true and re-arms when it turns false.
`run` keeps that state and an outbox in the store and delivers every fired alert to
its channels (console, jsonl, webhook, email) until each confirms. See docs/alerts.md.
"""


class _Redacting(logging.Formatter):
    """Log lines on stderr; channel messages are already redacted at the source."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def setup_logging(verbose: bool = False) -> None:
    """Send ``rotascope.alerts`` log records to stderr (warnings, or info with -v)."""
    log = logging.getLogger("rotascope.alerts")
    log.setLevel(logging.INFO if verbose else logging.WARNING)
    if not any(getattr(h, "_rotascope", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_Redacting())
        handler._rotascope = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.propagate = False


def _rules_argument(func: Any) -> Any:
    return click.argument("rules", type=click.Path(dir_okay=False))(func)


@click.group(epilog=EPILOG)
def alerts() -> None:
    """Alert rules: which are true now, when they would have fired, and delivery."""


@alerts.command()
@_rules_argument
@as_of_option
@json_option
@click.option("--strict", is_flag=True,
              help="Exit with code 10 when any rule is true (for scripts).")
@click.pass_context
def check(ctx: click.Context, rules: str, as_of: Any, as_json: bool, strict: bool) -> None:
    """Which rules in RULES are true as of a date (nothing is fired or delivered)."""
    from ...errors import EXIT_FINDINGS

    with open_store(ctx) as store:
        ruleset, result = check_result(store, settings_of(ctx), rules, as_of)
    if as_json:
        emit_json(result.to_dict())
    else:
        click.echo(f"{ruleset.path}: {len(ruleset.rules)} rules as of {result.as_of:%Y-%m-%d}")
        width = max(len(r.id) for r in result.rules)
        for row in result.rules:
            state = "TRUE " if row.true else ("false" if row.true is False else "n/a  ")
            extra = ""
            if row.true and row.since is not None:
                extra = f" since {row.since:%Y-%m-%d}"
            elif row.true is None and row.date is None:
                extra = " (no data on or shortly before the as-of date)"
            elif row.true is None:
                extra = f" (unknown on {row.date:%Y-%m-%d}: an input has no value)"
            elif row.date is not None and row.date != result.as_of:
                extra = f" (on {row.date:%Y-%m-%d})"
            values = "; ".join(f"{k} = {_fmt(v)}" for k, v in row.values.items())
            click.echo(f"  {state}  {row.severity:<8} {row.id:<{width}}{extra}"
                       + (f"  [{values}]" if values else ""))
    if strict and result.any_true:
        ctx.exit(EXIT_FINDINGS)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "n/a" if v is None else str(v)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    import pandas as pd

    if value is None:
        return None
    try:
        return pd.Timestamp(value).normalize()
    except (TypeError, ValueError) as exc:
        raise click.BadParameter(f"expected a date like 2024-06-28, got {value!r}") from exc


@alerts.command()
@_rules_argument
@click.option("--from", "start", required=True, callback=_date, metavar="YYYY-MM-DD",
              help="First date a firing is reported for.")
@click.option("--to", "end", required=True, callback=_date, metavar="YYYY-MM-DD",
              help="Last date (nothing after it is read).")
@click.option("--forward", "forward", metavar="TICKER", default=None,
              help="Forward returns of TICKER after each firing (1w, 1m, 3m) and hit rates "
                   "(default in the table: SPY; in --json only when given).")
@json_option
@click.pass_context
def backtest(ctx: click.Context, rules: str, start: Any, end: Any, forward: str | None,
             as_json: bool) -> None:
    """Every date each rule in RULES would have fired between --from and --to.

    Edge-triggered: a rule fires on the day its condition becomes true. The state
    before --from comes from history, so a condition already true then does not fire
    on --from. JSON: {"rules": [{"id": ..., "fired": ["YYYY-MM-DD", ...]}]}.
    """
    from ..alerts.rules import load_rules
    from ..alerts.runner import backtest as run_backtest

    with open_store(ctx) as store:
        ruleset = load_rules(rules, store=store, settings=settings_of(ctx))
        result = run_backtest(ruleset, store, start, end, settings_of(ctx))
        fwd = _forward(store, settings_of(ctx), result, forward or ("SPY" if not as_json
                                                                   else None))
    if as_json:
        doc = result.to_dict()
        if fwd is not None:
            for r in doc["rules"]:
                r["forward"] = fwd["rules"][r["id"]]
            doc["forward_base"] = {"ticker": fwd["ticker"], **fwd["base"]}
        emit_json(doc)
        return
    click.echo(f"{ruleset.path}: firings from {start:%Y-%m-%d} to {end:%Y-%m-%d}")
    for rid, dates in result.fired.items():
        shown = ", ".join(f"{d:%Y-%m-%d}" for d in dates) if dates else "never"
        click.echo(f"  {rid}: {len(dates)} - {shown}")
        if fwd is not None and dates:
            parts = [f"{k} {v['mean'] * 100:+.1f}% (hit {v['hit_rate']:.0%}, n={v['n']})"
                     for k, v in fwd["rules"][rid]["summary"].items() if v["n"]]
            if parts:
                click.echo(f"    after a firing, {fwd['ticker']}: " + ", ".join(parts))
    if fwd is not None:
        base = ", ".join(f"{k} {v['mean'] * 100:+.1f}% (hit {v['hit_rate']:.0%})"
                         for k, v in fwd["base"].items() if v["n"])
        click.echo(f"  all sessions, {fwd['ticker']}: {base}")


def _forward(store: Any, settings: Any, result: Any, ticker: str | None) -> Any:
    """Forward returns of ``ticker`` after each firing (None when not asked or absent)."""
    from ...backtest.forward import forward_after
    from ...market_view import MarketView

    if ticker is None:
        return None
    market = MarketView.open(store, settings, as_of=result.end)
    ticker = ticker.upper()
    if not market.has(ticker):
        market.require([ticker])
    return forward_after(result.fired, market.series(ticker).rename(ticker), result.start,
                         result.end)


@alerts.command("run")
@_rules_argument
@as_of_option
@json_option
@click.option("-v", "--verbose", is_flag=True, help="Log each firing and delivery step.")
@click.pass_context
def run_cmd(ctx: click.Context, rules: str, as_of: Any, as_json: bool, verbose: bool) -> None:
    """Fire the rules in RULES whose condition became true, and deliver the outbox.

    Run it after each data update (or use `rotascope watch`). The edge state and an
    outbox of every fired alert live in the store: re-running, a restart or a crash
    never fires an alert twice and never loses one; undelivered alerts are retried on
    the next run. Exits with 5 when some delivery is still pending.
    """
    from ...errors import EXIT_NETWORK
    from ..alerts.rules import load_rules
    from ..alerts.runner import run

    setup_logging(verbose)
    with open_store(ctx, read_only=False) as store:
        ruleset = load_rules(rules, store=store, settings=settings_of(ctx))
        result = run(ruleset, store, as_of, settings=settings_of(ctx),
                     console_stream=sys.stderr if as_json else None)
    if as_json:
        emit_json(result.to_dict())
    else:
        d = result.delivery
        click.echo(f"as of {result.as_of:%Y-%m-%d}: {len(result.fired)} fired, "
                   f"{d.delivered} delivered, {d.pending} pending", err=True)
        for msg in d.failed:
            click.echo(f"  not delivered: {msg}", err=True)
    if result.delivery.pending:
        ctx.exit(EXIT_NETWORK)


@alerts.command()
@json_option
def functions(as_json: bool) -> None:
    """The functions conditions can call (from the registry beside the signals)."""
    from ...rules.functions import REGISTRY

    rows = []
    for name in sorted(REGISTRY):
        spec = REGISTRY[name]
        rows.append({"name": name, "signature": spec.signature(), "summary": spec.summary,
                     "example": spec.example})
    if as_json:
        emit_json({"functions": rows})
        return
    for r in rows:
        click.echo(f"{r['signature']}\n    {r['summary']}\n    e.g. {r['example']}")


def check_result(store: Any, settings: Any, rules: str, as_of: Any = None) -> tuple[Any, Any]:
    """(rule set, check result) of `rotascope alerts check RULES` (--json: the result's
    ``to_dict()``)."""
    from ..alerts.rules import load_rules
    from ..alerts.runner import check as run_check

    ruleset = load_rules(rules, store=store, settings=settings)
    return ruleset, run_check(ruleset, store, as_of, settings)
