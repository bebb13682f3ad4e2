"""``rotascope backtest``: rotation strategies in YAML, backtested point in time."""

from __future__ import annotations

from typing import Any

import click

from ._common import (
    MarketOpener,
    _parse_date,
    cli_opener,
    console,
    emit_json,
    json_option,
    open_market,
    settings_of,
)

__all__ = ["backtest", "backtest_result"]

EPILOG = """\b
Examples:
  rotascope backtest examples/strategies/rotation.yaml --from 2010-01-01
  rotascope backtest examples/strategies/rotation.yaml --from 2010-01-01 --json
  rotascope backtest examples/strategies/regime-gated.yaml --out backtest-report
  rotascope backtest examples/strategies/rotation.yaml --strategy sector-momentum \\
      --grid lookback=1m..12m --grid top=1..6 --grid costs_bps=0,5,10

\b
Timing: the decision uses data up to the close of day t, the trade happens at the close
of t+1, and the new weights earn from t+1 to t+2 on. Signals warm up on the history
before --from; equity is 1.0 at the close of the first session on or after --from.
See docs/backtest.md.
"""

_METRICS = ("total_return", "annual_return", "annual_volatility", "sharpe", "sortino",
            "max_drawdown", "calmar", "turnover", "trades", "exposure")


@click.command(epilog=EPILOG)
@click.argument("strategy_file", metavar="STRATEGY.yaml", type=click.Path(dir_okay=False))
@click.option("--from", "start", callback=_parse_date, metavar="YYYY-MM-DD",
              help="First session of the P&L (default: the benchmark's first close).")
@click.option("--to", "end", callback=_parse_date, metavar="YYYY-MM-DD",
              help="Last session (default: the latest); nothing after it is read.")
@click.option("--strategy", "only", multiple=True, metavar="ID",
              help="Run only these strategy ids (repeatable).")
@click.option("--grid", "grid", multiple=True, metavar="FIELD=VALUES",
              help="Sweep a field: top=1..6, lookback=1m..12m, costs_bps=0,5,10, "
                   "rebalance=weekly,monthly (repeatable; needs one strategy).")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False),
              help="Regime rules YAML for regime() (default: $ROTASCOPE_HOME/regime.yaml or "
                   "built-in).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Write an HTML tear sheet (and backtest.json) into this folder.")
@json_option
@click.pass_context
def backtest(ctx: click.Context, strategy_file: str, start: Any, end: Any, only: tuple[str, ...],
             grid: tuple[str, ...], rules_file: str | None, out_dir: str | None,
             as_json: bool) -> None:
    """Backtest the strategies of STRATEGY.yaml: metrics against a benchmark, equity,
    weights; or a parameter sweep with --grid."""
    from ...analysis.regime import load_rules
    from .regime import rules_path

    _check_period(start, end)
    if grid:
        regime_rules = load_rules(rules_path(settings_of(ctx), rules_file))
        with open_market(ctx, end, needs=["SPY"]) as market:
            strategies = _strategies(market, strategy_file, only)
            _sweep(market, strategies, grid, start, regime_rules, out_dir, as_json)
            return
    results, payload = backtest_result(cli_opener(ctx), settings_of(ctx), strategy_file,
                                       start=start, end=end, only=only, rules_file=rules_file)
    first, last = payload["from"], payload["to"]
    if out_dir:
        from ...outputs.jsonout import dumps
        from ..backtest_report import write_tear_sheet

        path = write_tear_sheet(results, out_dir, start=first, end=last, source=strategy_file)
        (path.parent / "backtest.json").write_text(dumps(payload) + "\n", encoding="utf-8")
        console(stderr=True).print(f"tear sheet written to {path}")
    if as_json:
        emit_json(payload)
        return
    _print(results, first, last)


def _print(results: list[Any], first: Any, last: Any) -> None:
    from rich.table import Table

    from ..fmt import pct

    t = Table(title=f"Backtest {first:%Y-%m-%d} to {last:%Y-%m-%d}", title_justify="left",
              header_style="bold")
    t.add_column("metric")
    for r in results:
        t.add_column(r.strategy.id, justify="right")
        t.add_column(r.strategy.benchmark, justify="right", style="dim")
    rows = [(r.metrics(), r.benchmark_metrics()) for r in results]
    for key in _METRICS:
        cells = []
        for m, b in rows:
            for v in (m[key], b[key]):
                if key in ("total_return", "annual_return", "annual_volatility",
                           "max_drawdown", "exposure"):
                    cells.append(pct(v, 1, sign=False) if v == v else "n/a")
                elif key == "trades":
                    cells.append(str(v))
                else:
                    cells.append(f"{v:.2f}" if v == v else "n/a")
        t.add_row(key, *cells)
    console().print(t)


def _sweep(market: Any, strategies: list[Any], grid: tuple[str, ...], start: Any,
           regime_rules: Any, out_dir: str | None, as_json: bool) -> None:
    from ...backtest.sweep import deflated_sharpe, parse_grid, run_sweep, walk_forward
    from ...errors import ParameterError

    if len(strategies) != 1:
        raise ParameterError("--grid sweeps one strategy: choose it with --strategy ID")
    spec = parse_grid(list(grid))
    sw = run_sweep(strategies[0], market, spec, start, regime_rules=regime_rules)
    best = sw.best()
    returns = sw.returns
    assert returns is not None  # run_sweep keeps the returns by default
    dsr = deflated_sharpe(returns[best.name], sw.table["sharpe"])
    wf = walk_forward(sw) if len(returns) > 6 * 252 else None
    table = sw.table.sort_values("sharpe", ascending=False)
    if out_dir:
        from ..backtest_report import write_tear_sheet

        path = write_tear_sheet([], out_dir, start=sw.start, end=sw.end, sweep=sw,
                                extra={"deflated_sharpe": dsr, "walk_forward": wf},
                                source=strategies[0].id)
        console(stderr=True).print(f"sweep report written to {path}")
    if as_json:
        emit_json({"from": sw.start, "to": sw.end, "strategy": strategies[0].id,
                   "combinations": table.to_dict(orient="records"),
                   "deflated_sharpe": dsr,
                   "walk_forward": [] if wf is None else wf.to_dict(orient="records")})
        return
    from rich.table import Table

    t = Table(title=f"{strategies[0].id}: {len(table)} combinations, {sw.start:%Y-%m-%d} to "
                    f"{sw.end:%Y-%m-%d} (best 20 by Sharpe)", title_justify="left",
              header_style="bold")
    for col in table.columns:
        t.add_column(str(col), justify="right")
    for row in table.head(20).itertuples(index=False):
        t.add_row(*[f"{v:.4f}" if isinstance(v, float) else str(v) for v in row])
    out = console()
    out.print(t)
    out.print(f"deflated Sharpe ratio of the best: {dsr['dsr']:.3f} (Sharpe {dsr['sharpe']:.2f} "
              f"vs {dsr['expected_max_sharpe']:.2f} expected from luck over "
              f"{dsr['n_trials']} trials)")
    if wf is not None and len(wf):
        out.print(f"walk-forward ({len(wf)} folds, 5y fit / 1y test): out-of-sample Sharpe "
                  f"{wf['sharpe_out'].mean():.2f} on average vs {wf['sharpe_in'].mean():.2f} "
                  f"in sample; a random combination {wf['median_sharpe_out'].mean():.2f}")


def _check_period(start: Any, end: Any) -> None:
    from ...errors import ParameterError

    if start is not None and end is not None and start > end:
        raise ParameterError(f"--from {start:%Y-%m-%d} is after --to {end:%Y-%m-%d}")


def _strategies(market: Any, strategy_file: str, only: tuple[str, ...]) -> list[Any]:
    from ...backtest import load_strategies
    from ...errors import ParameterError

    def universe_problem(name: str) -> str | None:
        return None if market.has_universe(name) else f"unknown universe {name!r}"

    strategies = load_strategies(strategy_file, known_tickers=set(market.tickers),
                                 universe_problem=universe_problem)
    if only:
        missing = [s for s in only if s not in {x.id for x in strategies}]
        if missing:
            raise ParameterError(f"--strategy: no strategy {', '.join(missing)} in "
                                 f"{strategy_file}")
        strategies = [s for s in strategies if s.id in only]
    return strategies


def backtest_result(opener: MarketOpener, settings: Any, strategy_file: str, *,
                    start: Any = None, end: Any = None, only: tuple[str, ...] = (),
                    rules_file: str | None = None) -> tuple[list[Any], dict[str, Any]]:
    """(results, the JSON of `rotascope backtest --json`) without a sweep."""
    from ...analysis.regime import load_rules
    from ...backtest import run_strategies
    from .regime import rules_path

    _check_period(start, end)
    regime_rules = load_rules(rules_path(settings, rules_file))
    with opener(end, needs=["SPY"]) as market:
        strategies = _strategies(market, strategy_file, only)
        results = run_strategies(strategies, market, start, regime_rules=regime_rules)
    first = min(r.equity.index[0] for r in results)
    last = max(r.equity.index[-1] for r in results)
    return results, {"from": first, "to": last, "strategies": [r.to_dict() for r in results]}
