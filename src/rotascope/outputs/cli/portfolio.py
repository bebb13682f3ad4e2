"""``rotascope portfolio``: analyse a portfolio, try moves, import fund holdings files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ._common import (
    MarketOpener,
    as_of_option,
    cli_opener,
    console,
    emit_json,
    json_option,
    open_store,
)

__all__ = ["portfolio", "analysis_tables", "whatif_table", "analyze_result"]

EPILOG = """\b
Examples:
  rotascope portfolio analyze my.csv
  rotascope portfolio analyze my.yaml --as-of 2025-04-08 --benchmark SPY --json
  rotascope portfolio analyze my.csv --out report/          # HTML report with charts
  rotascope portfolio whatif my.csv --move 30%:QQQ:RSP --move 10%:QQQ:IWM
  rotascope portfolio holdings import QQQ_holdings.csv --fund QQQ

\b
Holdings files: CSV `ticker,weight` (fractions; the rest is cash) or `ticker,shares`
(valued at the as-of close), optional `cost` and `account` columns; or YAML with a
`holdings:` list of the same keys. Weights summing above 1 need --leverage.
See docs/portfolio.md for every definition.
"""


def _window_option(func: Any) -> Any:
    func = click.option("--window", default="1y", show_default=True,
                        help="Window of daily returns: 1y = 252, 6m, 3m, 20y, or all.")(func)
    func = click.option("--benchmark", default="SPY", show_default=True,
                        help="Benchmark ticker.")(func)
    func = click.option("--leverage", is_flag=True,
                        help="Allow weights summing above 1 (and negative weights).")(func)
    return func


@click.group(epilog=EPILOG)
def portfolio() -> None:
    """Portfolio analytics: Mag-7 and rotation exposure, risk, scenarios, what-if."""


def _read(path: str) -> Any:
    from ...analysis.portfolio import Holdings
    from ...data.holdings import read_holdings

    return Holdings.from_frame(read_holdings(path))


def _fmt(x: Any, kind: str = "pct") -> str:
    from ..fmt import is_missing, num, pct

    if is_missing(x):
        return "n/a"
    if kind == "pct":
        return pct(float(x), sign=False) if float(x) >= 0 else pct(float(x))
    if kind == "num":
        return num(float(x), 2)
    return str(x)


_METRIC_KIND = {"sharpe": "num", "sortino": "num", "beta": "num", "information_ratio": "num"}


def analysis_tables(a: Any) -> list[Any]:
    """Rich renderables of a :class:`~rotascope.analysis.portfolio.PortfolioAnalysis`."""
    from rich.table import Table

    out: list[Any] = []
    t = Table(title=f"{a.name}: {a.window} to {a.end:%Y-%m-%d} ({a.observations} daily "
                    f"returns, as of {a.as_of:%Y-%m-%d})", title_justify="left",
              header_style="bold")
    t.add_column("metric", style="bold")
    t.add_column("portfolio", justify="right")
    t.add_column(a.benchmark, justify="right")
    for k in a.metrics.index:
        if k == "observations":
            continue
        kind = _METRIC_KIND.get(k, "pct")
        t.add_row(k, _fmt(a.metrics[k], kind), _fmt(a.benchmark_metrics[k], kind))
    out.append(t)

    m = a.mag7
    t = Table(title=f"Mag-7 exposure: {_fmt(m['total'])} (look-through "
                    f"{_fmt(m['look_through'])}, estimated {_fmt(m['estimated'])})",
              title_justify="left", header_style="bold")
    for c in ("holding", "weight", "method", "Mag-7 share", "look-through", "estimated",
              "fit R^2"):
        t.add_column(c, justify="left" if c in ("holding", "method") else "right")
    bt = m["by_ticker"].sort_values("weight", ascending=False).head(25)
    for tick, r in bt.iterrows():
        t.add_row(str(tick), _fmt(r["weight"]), str(r["method"]), _fmt(r["mag7_share"]),
                  _fmt(r["look_through"]), _fmt(r["estimated"]), _fmt(r["r_squared"], "num"))
    out.append(t)

    t = Table(title="Sectors (look-through where known)", title_justify="left",
              header_style="bold")
    t.add_column("sector")
    t.add_column("weight", justify="right")
    for k, v in a.by_sector.items():
        t.add_row(str(k), _fmt(v))
    out.append(t)

    if a.by_style.get("weights"):
        t = Table(title=f"Style (returns-based, R^2 {a.by_style['r_squared']:.2f})",
                  title_justify="left", header_style="bold")
        t.add_column("fund")
        t.add_column("style")
        t.add_column("weight", justify="right")
        for k, v in a.by_style["weights"].items():
            t.add_row(k, a.by_style["labels"][k], _fmt(v))
        out.append(t)

    t = Table(title=f"Factor betas (OLS, R^2 {a.factor_fit['r_squared']:.2f}, "
                    f"{a.factor_fit['observations']} days)", title_justify="left",
              header_style="bold")
    for c in ("factor", "beta", "t-stat"):
        t.add_column(c, justify="left" if c == "factor" else "right")
    for k, r in a.factor_betas.iterrows():
        t.add_row(str(k), f"{r['beta']:+.3f}", f"{r['t_stat']:+.2f}")
    out.append(t)

    t = Table(title=f"Risk contribution (volatility {_fmt(a.volatility)}; concentration: "
                    f"HHI {a.concentration['hhi']:.3f}, effective holdings "
                    f"{a.concentration['effective_holdings']:.1f})", title_justify="left",
              header_style="bold")
    for c in ("holding", "weight", "own vol", "contribution", "share of risk"):
        t.add_column(c, justify="left" if c == "holding" else "right")
    rc = a.risk_contribution.sort_values("share", ascending=False).head(25)
    for k, r in rc.iterrows():
        t.add_row(str(k), _fmt(r["weight"]), _fmt(r["volatility"]), _fmt(r["contribution"]),
                  _fmt(r["share"]))
    out.append(t)

    t = Table(title="Scenarios: today's weights through past episodes", title_justify="left",
              header_style="bold")
    for c in ("episode", "portfolio", a.benchmark, "worst drawdown", f"{a.benchmark} worst",
              "covered"):
        t.add_column(c, justify="left" if c == "episode" else "right")
    for _, r in a.scenarios.iterrows():
        if r.get("status") != "ok":
            t.add_row(str(r["label"]), str(r.get("status")), "", "", "", "")
            continue
        t.add_row(str(r["label"]), _fmt(r["portfolio_return"]), _fmt(r["benchmark_return"]),
                  _fmt(r["portfolio_max_drawdown"]), _fmt(r["benchmark_max_drawdown"]),
                  _fmt(r["covered_weight"]))
    out.append(t)
    t = Table(title="Factor shocks (through the betas)", title_justify="left",
              header_style="bold")
    for c in ("shock", "portfolio", a.benchmark):
        t.add_column(c, justify="left" if c == "shock" else "right")
    for _, r in a.factor_shocks.iterrows():
        t.add_row(str(r["label"]), _fmt(r["portfolio"]), _fmt(r["benchmark"]))
    out.append(t)
    for n in a.notes:
        out.append(f"[dim]note: {n}[/]")
    return out


def whatif_table(w: Any) -> Any:
    from rich.table import Table

    comp = w.comparison()
    moves = ", ".join(f"{m:.0%} {s}->{d}" for m, s, d in w.moves)
    t = Table(title=f"What if: {moves}", title_justify="left", header_style="bold")
    for c in ("figure", "before", "after", "change"):
        t.add_column(c, justify="left" if c == "figure" else "right")
    for k, r in comp.iterrows():
        kind = "num" if any(s in k for s in (".sharpe", ".sortino", ".beta", "information",
                                             "effective_holdings", "factor_betas",
                                             "observations")) else "pct"
        t.add_row(str(k), _fmt(r["before"], kind), _fmt(r["after"], kind),
                  _fmt(r["change"], kind))
    return t


def _needs(h: Any, benchmark: str, extra: tuple[str, ...] = ()) -> list[str]:
    return [*h.tickers, benchmark.upper(), *extra]


@portfolio.command(epilog=EPILOG)
@click.argument("holdings_file", metavar="HOLDINGS", type=click.Path(dir_okay=False))
@_window_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Write an HTML report with charts (and analysis.json) into this folder.")
@as_of_option
@json_option
@click.pass_context
def analyze(ctx: click.Context, holdings_file: str, window: str, benchmark: str,
            leverage: bool, out_dir: str | None, as_of: Any, as_json: bool) -> None:
    """Metrics, Mag-7 look-through, sectors, style, factor betas, risk contribution,
    concentration and scenarios of a portfolio."""
    result = analyze_result(cli_opener(ctx), holdings_file, window=window,
                            benchmark=benchmark, leverage=leverage, as_of=as_of)
    if out_dir:
        from ..portfolio_report import write_portfolio_report

        path = write_portfolio_report(result, Path(out_dir))
        click.echo(f"report: {path}", err=True)
    if as_json:
        emit_json(result.to_dict())
        return
    out = console()
    for item in analysis_tables(result):
        out.print(item)


@portfolio.command(epilog=EPILOG)
@click.argument("holdings_file", metavar="HOLDINGS", type=click.Path(dir_okay=False))
@click.option("--move", "moves", multiple=True, required=True, metavar="AMOUNT:FROM:TO",
              help="Move AMOUNT of the portfolio's value (30% or 0.3) from FROM to TO "
                   "(CASH for cash); repeatable, applied in order.")
@_window_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Write an HTML report with the before/after comparison into this folder.")
@as_of_option
@json_option
@click.pass_context
def whatif(ctx: click.Context, holdings_file: str, moves: tuple[str, ...], window: str,
           benchmark: str, leverage: bool, out_dir: str | None, as_of: Any,
           as_json: bool) -> None:
    """Every figure of `portfolio analyze` before and after moving weight between
    holdings, side by side."""
    from ...analysis.portfolio import parse_move, what_if

    parsed = [parse_move(m) for m in moves]
    h = _read(holdings_file)
    targets = tuple(d for _, _, d in parsed if d not in ("CASH", "USD"))
    with cli_opener(ctx)(as_of, needs=_needs(h, benchmark, targets)) as market:
        result = what_if(market, h, parsed, window=window, benchmark=benchmark,
                         leverage=leverage)
    if out_dir:
        from ..portfolio_report import write_portfolio_report

        path = write_portfolio_report(result.before, Path(out_dir), whatif=result)
        click.echo(f"report: {path}", err=True)
    if as_json:
        emit_json(result.to_dict())
        return
    console().print(whatif_table(result))


@portfolio.group()
def holdings() -> None:
    """Fund issuers' holdings files (iShares, SPDR, Invesco) in the store."""


@holdings.command("import", epilog="""\b
Examples:
  rotascope portfolio holdings import IVV_holdings.csv --fund IVV
  rotascope portfolio holdings import SPY_holdings.csv --fund SPY --date 2026-07-14
""")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--fund", required=True, help="The fund's ticker (e.g. QQQ).")
@click.option("--date", "date", default=None, metavar="YYYY-MM-DD",
              help="Holdings date when the file states none (or to override it).")
@json_option
@click.pass_context
def holdings_import(ctx: click.Context, file: str, fund: str, date: str | None,
                    as_json: bool) -> None:
    """Import an issuer holdings CSV (layout detected from its header) for FUND, with its
    date, so look-through uses the fund's real weights."""
    from ...data.holdings import import_fund_holdings

    with open_store(ctx, read_only=False, require_data=False) as store:
        info = import_fund_holdings(store, file, fund, as_of=date)
        known = set(store.tickers())
    rows = info.rows
    no_prices = sorted({t for t in rows["ticker"] if t and t not in known})
    summary = {"fund": info.fund, "as_of": info.as_of, "layout": info.layout,
               "rows": len(rows), "weight_sum": info.weight_sum, "file": info.path,
               "tickers_without_prices": no_prices}
    if as_json:
        emit_json(summary)
        return
    click.echo(f"{info.fund}: {len(rows)} holdings dated {info.as_of:%Y-%m-%d} "
               f"({info.layout} layout), weights sum to {info.weight_sum:.2%}")
    if no_prices:
        click.echo(f"{len(no_prices)} holdings have no prices in the store (kept for "
                   "look-through): " + ", ".join(no_prices[:20])
                   + (" ..." if len(no_prices) > 20 else ""))


@holdings.command("list")
@json_option
@click.pass_context
def holdings_list(ctx: click.Context, as_json: bool) -> None:
    """The stored fund holdings files (fund, date, rows, weight sum)."""
    from ...data.holdings import list_fund_holdings

    with open_store(ctx, require_data=False) as store:
        frame = list_fund_holdings(store) if store.exists else list_fund_holdings(None)
    if as_json:
        emit_json(frame)
        return
    from rich.table import Table

    t = Table(title="Fund holdings files", title_justify="left", header_style="bold")
    for c in ("fund", "as_of", "rows", "weight_sum", "layout"):
        t.add_column(c)
    for r in frame.itertuples(index=False):
        t.add_row(r.fund, str(r.as_of)[:10], str(r.rows), f"{r.weight_sum:.2%}", r.layout)
    console().print(t)


def analyze_result(opener: MarketOpener, holdings_file: str, *, window: str = "1y",
                   benchmark: str = "SPY", leverage: bool = False, as_of: Any = None) -> Any:
    """The :class:`~rotascope.analysis.portfolio.PortfolioAnalysis` of `rotascope
    portfolio analyze`."""
    from ...analysis.portfolio import analyze_portfolio

    h = _read(holdings_file)
    with opener(as_of, needs=_needs(h, benchmark)) as market:
        return analyze_portfolio(market, h, window=window, benchmark=benchmark,
                                 leverage=leverage)
